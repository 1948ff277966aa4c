"""Where do vehicle barriers matter most? Rank the road entrances by harm prevented.

For a scenario holding a ``vehicle`` hazard, :func:`rank_entrances` runs that scenario
once per road entrance and replication with the vehicle aimed at that entrance, twice:
**without** any barrier on the entrance (the plan's barriers there removed, as
``--set security.barriers.bollards=[...]`` would) and **with** a bollard added there.
The harm prevented is the mean difference of ``vehicle_victims``; replication ``k``
uses the same child seed (``SeedSequence(seed, spawn_key=(k,))``) for every entrance and
both variants (common random numbers), so differences are not noise from placement.

**Road entrances** are the plan's approaches' ``to`` openings plus the exterior openings
tagged ``road`` or whose outdoor side is tagged ``road`` (``sim.analysis.compliance.places``).

Each run stops one second after the impact (``duration_s = t_s + 1``, no lower bound):
the vehicle's harm is decided at impact, and the evacuation after it is not needed here.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import ScenarioError
from sim.io.security_files import effective_plan
from sim.io.toml import read_toml

#: ``--set security.barriers.<key>`` list for each barrier kind.
KIND_KEYS = {"bollard": "bollards", "rising_bollard": "rising_bollards", "fence": "fences",
             "isolation": "isolation", "hard_barrier": "hard_barriers"}


@dataclass
class EntranceResult:
    """Harm at one entrance with and without a bollard (per-replication values kept)."""

    entrance: str
    existing: list[str]
    without: list[float] = field(default_factory=list)
    with_bollard: list[float] = field(default_factory=list)
    impact_speed_mps: float | None = None

    @property
    def prevented(self) -> list[float]:
        """Per-replication harm prevented (without − with)."""
        return [a - b for a, b in zip(self.without, self.with_bollard, strict=True)]

    def summary(self) -> dict[str, Any]:
        """JSON-able summary: means, 95% CI half-width of the prevented harm."""
        prev = np.asarray(self.prevented, dtype=float)
        n = len(prev)
        half = None
        if n > 1:
            from scipy import stats

            half = float(stats.t.ppf(0.975, n - 1) * prev.std(ddof=1) / math.sqrt(n))
        return {"entrance": self.entrance, "existing_barriers": self.existing,
                "harm_without": float(np.mean(self.without)) if n else None,
                "harm_with_bollard": float(np.mean(self.with_bollard)) if n else None,
                "prevented": float(prev.mean()) if n else None,
                "prevented_ci_half": half, "replications": n,
                "impact_speed_mps": self.impact_speed_mps}


def _load_raw(path: Path, overrides: Iterable[str]) -> dict[str, Any]:
    from sim.model.scenario import apply_overrides

    raw = read_toml(path, ScenarioError)
    raw = apply_overrides(raw, overrides, source=str(path))
    if "hazard" in raw and "hazards" not in raw:
        raw["hazards"] = [raw.pop("hazard")]
    if isinstance(raw.get("security"), str):
        raw["security"] = {"plan": raw["security"]}
    return raw


def road_entrances(layout: Any, plan: Any) -> list[str]:
    """Approach targets plus exterior openings reachable by road (file order, unique)."""
    from sim.analysis.compliance import places

    out = [a.to for a in (plan.approaches if plan is not None else [])]
    out += places.road_doors(layout)
    ext = set(places.entrances(layout))
    return [o for o in dict.fromkeys(out) if o in ext]


def _barrier_override(plan: Any, entrance: str, add_bollard: bool) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    touched = {b.kind for b in plan.barriers if b.opening == entrance} if plan else set()
    if add_bollard:
        touched.add("bollard")
    for kind in touched:
        ids = [b.opening for b in plan.barriers if b.kind == kind and b.opening is not None
               and b.opening != entrance] if plan else []
        if kind == "bollard" and add_bollard:
            ids.append(entrance)
        lists[KIND_KEYS[kind]] = ids
    return lists


def _one(args: tuple[dict[str, Any], str, int, int]) -> dict[str, Any]:
    raw, source, seed, k = args
    from sim.model.scenario import scenario_from_dict
    from sim.run.runner import run_scenario

    scn = scenario_from_dict(raw, base_dir=Path(source).parent, source=source)
    res = run_scenario(scn, seed=np.random.SeedSequence(seed, spawn_key=(k,)))
    m = res.metrics
    return {"victims": float(m.get("vehicle_victims", 0)),
            "impact_speed_mps": m.get("impact_speed_mps"),
            "blocked": m.get("vehicle_blocked")}


def rank_entrances(path: str | Path, *, overrides: Iterable[str] = (), replications: int = 5,
                   seed: int | None = None, workers: int = 1,
                   entrances: list[str] | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   ) -> list[dict[str, Any]]:
    """Harm with and without a bollard at every road entrance, best place first.

    Raises
    ------
    ScenarioError
        The scenario has no ``vehicle`` hazard, or no road entrance.
    """
    from sim.model.scenario import scenario_from_dict

    p = Path(path)
    raw = _load_raw(p, overrides)
    scn = scenario_from_dict(copy.deepcopy(raw), base_dir=p.parent, source=str(p))
    idx = next((i for i, h in enumerate(raw.get("hazards", []))
                if isinstance(h, Mapping) and h.get("kind") == "vehicle"), None)
    if idx is None:
        raise ScenarioError("the scenario has no vehicle hazard", field="hazards",
                            source=str(p))
    plan = effective_plan(scn)
    from sim.run.runner import load_network

    layout = load_network(scn).layout
    ents = entrances or road_entrances(layout, plan)
    if not ents:
        raise ScenarioError("no entrance is reachable by road (tag exits or plazas 'road', "
                            "or give the plan [[approaches]])", field="hazards",
                            source=str(p))
    base_seed = scn.seed if seed is None else seed
    t_s = float(raw["hazards"][idx].get("t_s", 0.0))
    jobs: list[tuple[dict[str, Any], str, int, int]] = []
    keys: list[tuple[str, bool]] = []
    for e in ents:
        for add in (False, True):
            r = copy.deepcopy(raw)
            haz = dict(r["hazards"][idx])
            haz.pop("approach", None)
            haz["entrance"] = e
            r["hazards"][idx] = haz
            r["duration_s"] = t_s + 1.0
            r.setdefault("output", {})["lower_bound"] = False
            if plan is not None:
                sec = dict(r.get("security") or {})
                bar = dict(sec.get("barriers") or {})
                bar.update(_barrier_override(plan, e, add))
                sec["barriers"] = bar
                r["security"] = sec
            elif add:
                raise ScenarioError("a barrier needs a security plan ([security])",
                                    field="security", source=str(p))
            for k in range(replications):
                jobs.append((r, str(p), base_seed, k))
                keys.append((e, add))
    results: dict[str, EntranceResult] = {
        e: EntranceResult(e, [b.id for b in plan.barriers if b.opening == e] if plan else [])
        for e in ents}
    done = 0
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as ex:
            outs = ex.map(_one, jobs, chunksize=4)
            for (e, add), out in zip(keys, outs, strict=True):
                _store(results[e], add, out)
                done += 1
                if progress:
                    progress(done, len(jobs))
    else:
        for (e, add), job in zip(keys, jobs, strict=True):
            _store(results[e], add, _one(job))
            done += 1
            if progress:
                progress(done, len(jobs))
    rows = [r.summary() for r in results.values()]
    rows.sort(key=lambda r: (-(r["prevented"] or 0.0), r["entrance"]))
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank
    return rows


def _store(res: EntranceResult, add: bool, out: Mapping[str, Any]) -> None:
    (res.with_bollard if add else res.without).append(out["victims"])
    if not add and out.get("impact_speed_mps") is not None:
        res.impact_speed_mps = out["impact_speed_mps"]
