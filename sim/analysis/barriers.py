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

import math
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.compliance import places
from sim.errors import ScenarioError
from sim.io.scenario_files import InputCache
from sim.model.layout import Layout
from sim.model.scenario import Scenario
from sim.model.security_plan import SecurityPlan, apply_overrides
from sim.run.runner import run_scenario

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


def road_entrances(layout: Layout, plan: SecurityPlan | None) -> list[str]:
    """Approach targets plus exterior openings reachable by road (file order, unique)."""
    out = [a.to for a in (plan.approaches if plan is not None else [])]
    out += places.road_doors(layout)
    ext = set(places.entrances(layout))
    return [o for o in dict.fromkeys(out) if o in ext]


def _barrier_override(plan: SecurityPlan | None, entrance: str,
                      add_bollard: bool) -> dict[str, list[str]]:
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


#: The scenario variants of the worker process (sent once, see :func:`rank_entrances`).
_VARIANTS: list[Scenario] = []
_INPUTS = InputCache()


def _init_worker(variants: list[Scenario]) -> None:
    _VARIANTS[:] = variants


def _one(args: tuple[int, int, int]) -> dict[str, Any]:
    v, seed, k = args
    scn = _VARIANTS[v]
    res = run_scenario(scn, seed=np.random.SeedSequence(seed, spawn_key=(k,)),
                       network=_INPUTS.network(scn))
    m = res.metrics
    return {"victims": float(m.get("vehicle_victims", 0)),
            "impact_speed_mps": m.get("impact_speed_mps"),
            "blocked": m.get("vehicle_blocked")}


def _variant(scenario: Scenario, index: int, entrance: str, add: bool) -> Scenario:
    """The scenario with the vehicle aimed at ``entrance`` and that entrance's barriers
    removed (``add``: a bollard put there instead), stopping 1 s after the impact."""
    haz = list(scenario.hazards)
    spec = haz[index]
    haz[index] = spec.model_copy(update={"entrance": entrance, "approach": None})
    plan = scenario.security
    if plan is not None:
        plan = apply_overrides(plan, {"barriers": _barrier_override(plan, entrance, add)},
                               scenario.layout, source=scenario.source)
    elif add:
        raise ScenarioError("a barrier needs a security plan ([security])",
                            field="security", source=scenario.source)
    return scenario.model_copy(update={
        "hazards": tuple(haz), "security": plan, "duration_s": spec.t_s + 1.0,
        "output": scenario.output.model_copy(update={"lower_bound": False})})


def rank_entrances(scenario: Scenario, *, replications: int = 5, seed: int | None = None,
                   workers: int = 1, entrances: list[str] | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   ) -> list[dict[str, Any]]:
    """Harm with and without a bollard at every road entrance, best place first.

    Raises
    ------
    ScenarioError
        The scenario has no ``vehicle`` hazard, or no road entrance.
    """
    idx = next((i for i, h in enumerate(scenario.hazards) if h.kind == "vehicle"), None)
    if idx is None:
        raise ScenarioError("the scenario has no vehicle hazard", field="hazards",
                            source=scenario.source)
    plan = scenario.security
    ents = entrances or road_entrances(scenario.layout, plan)
    if not ents:
        raise ScenarioError("no entrance is reachable by road (tag exits or plazas 'road', "
                            "or give the plan [[approaches]])", field="hazards",
                            source=scenario.source)
    base_seed = scenario.seed if seed is None else seed
    variants: list[Scenario] = []
    jobs: list[tuple[int, int, int]] = []
    keys: list[tuple[str, bool]] = []
    for e in ents:
        for add in (False, True):
            variants.append(_variant(scenario, idx, e, add))
            for k in range(replications):
                jobs.append((len(variants) - 1, base_seed, k))
                keys.append((e, add))
    results: dict[str, EntranceResult] = {
        e: EntranceResult(e, [b.id for b in plan.barriers if b.opening == e] if plan else [])
        for e in ents}
    done = 0
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                 initargs=(variants,)) as ex:
            outs = ex.map(_one, jobs, chunksize=4)
            for (e, add), out in zip(keys, outs, strict=True):
                _store(results[e], add, out)
                done += 1
                if progress:
                    progress(done, len(jobs))
    else:
        _init_worker(variants)
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
