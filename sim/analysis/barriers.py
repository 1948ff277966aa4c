"""Where do vehicle barriers matter most, and how strong must they be?

For a scenario holding a ``vehicle`` hazard, :func:`rank_barriers` aims the vehicle at every
road entrance in turn and runs it once with **no barrier** at that entrance (the plan's
barriers on the entrance, its plaza and the plaza's road side removed) and once with a
bollard of each candidate **crash rating** on the barrier line: the plaza's road-side
opening when the entrance opens onto a plaza (the stand-off line where the road meets the
pedestrians), else the entrance itself. Every variant runs through the batch store
(:mod:`sim.batch.variants`) with common seeds, so replication ``k`` has the same occupants
and draws everywhere, and the harm prevented is the paired difference of
``vehicle_victims`` (casualties) with its 95 % t interval.

The driver may turn to another entrance when stopped (the hazard's ``retargets``): the
harm a barrier prevents is then what it prevents *given the rest of the plan*, which can
be little if the next entrance is as exposed (``retarget=False`` measures the barrier's
own entrance only).

**Road entrances** are the plan's approaches' ends plus the exterior openings tagged
``road`` or whose outdoor side is tagged ``road`` (:func:`road_entrances`).

**Ranking with ties.** For each rating the entrances are sorted by mean harm prevented;
an entrance whose interval overlaps that of the best entrance of the current rank group
shares its rank (a tie: the data cannot order them), otherwise it opens the next rank.

Each run lasts ``t_s + 120`` s (the vehicle's impacts, including a turn to another
entrance, are over by then; the evacuation after it is not needed here).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.compliance import places
from sim.batch.executors import InlinePool, LocalPool
from sim.batch.store import Store
from sim.batch.variants import Comparison, Variant, compare, metric_values, run_variants
from sim.errors import ScenarioError
from sim.io.scenario_files import InputCache
from sim.model.crash_rating import parse_rating
from sim.model.exterior import outdoor_side, road_doors
from sim.model.layout import Layout
from sim.model.scenario import apply_overrides
from sim.model.security_plan import SecurityPlan

#: ``--set security.barriers.<key>`` list for each barrier kind.
KIND_KEYS = {"bollard": "bollards", "rising_bollard": "rising_bollards", "fence": "fences",
             "isolation": "isolation", "hard_barrier": "hard_barriers"}
#: Ratings compared by default: none, the lightest car test, ASTM M30/M40/M50.
DEFAULT_RATINGS = ("none", "V/1500[M1]/48/90:1.0", "M30-P1", "M40-P1", "M50-P1")
#: Seconds a run lasts after the vehicle's first impact.
AFTER_IMPACT_S = 120.0


@dataclass(frozen=True)
class RatedOption:
    """A bollard of one rating on one entrance's barrier line, against none there."""

    entrance: str
    rating: str
    line: tuple[str, ...]
    victims: Comparison
    """``b`` = with the bollard, ``a`` = without; ``diff`` = with − without."""
    deaths: Comparison
    stopped_share: float
    """Share of replications in which the first impact was stopped."""
    impact_speed_mps: float
    energy_kj: float
    existing: tuple[str, ...] = ()
    """The plan's barriers at this entrance (door, plaza, the plaza's road side)."""
    rank: int = 0
    tie: bool = False

    @property
    def prevented(self) -> float:
        """Mean casualties prevented (without − with)."""
        return -self.victims.diff

    @property
    def prevented_ci(self) -> tuple[float, float]:
        """95 % interval of the casualties prevented."""
        return (-self.victims.ci_hi, -self.victims.ci_lo)

    def to_json(self) -> dict[str, Any]:
        """JSON-able row."""
        r = parse_rating(self.rating)
        return {"entrance": self.entrance, "rating": self.rating,
                "rating_energy_kj": None if r.standard == "none" else round(r.energy_kj, 1),
                "barrier_line": list(self.line), "existing_barriers": list(self.existing),
                "rank": self.rank, "tie": self.tie,
                "victims_without": self.victims.mean_a, "victims_with": self.victims.mean_b,
                "prevented": self.prevented, "prevented_ci": list(self.prevented_ci),
                "deaths_prevented": -self.deaths.diff, "stopped_share": self.stopped_share,
                "impact_speed_mps": self.impact_speed_mps, "energy_kj": self.energy_kj,
                "replications": self.victims.n}


def road_entrances(layout: Layout, plan: SecurityPlan | None) -> list[str]:
    """Approach targets plus exterior openings reachable by road (file order, unique)."""
    out = [a.to for a in (plan.approaches if plan is not None else [])]
    out += road_doors(layout)
    ext = set(places.entrances(layout))
    return [o for o in dict.fromkeys(out) if o in ext]


def barrier_line(layout: Layout, entrance: str) -> tuple[str, ...]:
    """Openings where a barrier protecting ``entrance`` stands (see module doc)."""
    out = outdoor_side(layout, entrance)
    if out is not None and layout.spaces[out].kind == "plaza":
        road = tuple(oid for oid in layout.openings_of.get(out, ())
                     if layout.spaces[layout.openings[oid].other(out)].kind == "exit")
        if road:
            return road
    return (entrance,)


def _plaza_of(layout: Layout, entrance: str) -> str | None:
    out = outdoor_side(layout, entrance)
    return out if out is not None and layout.spaces[out].kind == "plaza" else None


def _barrier_lists(plan: SecurityPlan, layout: Layout, entrance: str, line: Sequence[str],
                   rating: str) -> dict[str, list[Any]]:
    """``security.barriers`` lists: the plan's barriers elsewhere kept, none at this
    entrance (door, plaza, the plaza's road side), plus a bollard of ``rating`` on
    ``line`` (nothing for ``none``)."""
    plaza = _plaza_of(layout, entrance)
    here = {entrance, *line}
    lists: dict[str, list[Any]] = {k: [] for k in KIND_KEYS.values()}
    for b in plan.barriers:
        if b.opening in here or (plaza is not None and b.space == plaza):
            continue
        if b.opening is None:
            continue  # a barrier on another plaza: kept by leaving its kind alone below
        lists[KIND_KEYS[b.kind]].append(
            {"opening": b.opening, "rating": b.rating} if b.rating else b.opening)
    if parse_rating(rating).standard != "none":
        lists["bollards"] += [{"opening": o, "rating": rating} for o in line]
    if any(b.space is not None and b.space != plaza for b in plan.barriers):
        kept = {b.kind for b in plan.barriers if b.space is not None and b.space != plaza}
        for kind in kept:  # space barriers cannot be written as --set lists
            lists.pop(KIND_KEYS[kind], None)
    return lists


def _toml(v: Any) -> str:
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k} = {_toml(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return str(v)


def rank_barriers(path: str | Path, *, overrides: Iterable[str] = (),
                  ratings: Sequence[str] = DEFAULT_RATINGS, replications: int = 5,
                  seed: int | None = None, workers: int = 1,
                  entrances: list[str] | None = None, db: str | Path | None = None,
                  retarget: bool = True,
                  progress: Callable[[int, int, int], None] | None = None,
                  ) -> list[RatedOption]:
    """Harm at every road entrance without a barrier and with each rated bollard.

    Returns one :class:`RatedOption` per (entrance, rating other than ``none``), ranked
    within each rating (``rank``, ``tie``), ratings in the order given.

    Raises
    ------
    ScenarioError
        The scenario has no ``vehicle`` hazard or no security plan, no road entrance, or
        a rating that does not parse.
    """
    p = Path(path)
    inputs = InputCache()
    raw = apply_overrides(inputs.toml(p, ScenarioError), list(overrides), source=str(p))
    if isinstance(raw.get("hazard"), Mapping) and raw["hazard"].get("kind") == "vehicle":
        key, haz = "hazard", raw["hazard"]
    else:
        idx = next((i for i, h in enumerate(raw.get("hazards") or [])
                    if isinstance(h, Mapping) and h.get("kind") == "vehicle"), None)
        if idx is None:
            raise ScenarioError("the scenario has no vehicle hazard", field="hazards",
                                source=str(p))
        key, haz = f"hazards.{idx}", raw["hazards"][idx]
    names = list(dict.fromkeys(["none", *ratings]))
    for r in names:
        try:
            parse_rating(r)
        except ValueError as exc:
            raise ScenarioError(str(exc), field="--rating", source=str(p)) from None
    scn = inputs.scenario(p, overrides)  # the plan with the scenario's overrides applied
    plan = scn.security
    if plan is None:
        raise ScenarioError("a barrier needs a security plan ([security])",
                            field="security", source=str(p))
    layout = scn.layout
    ents = entrances or road_entrances(layout, plan)
    if not ents:
        raise ScenarioError("no entrance is reachable by road (tag exits or plazas 'road', "
                            "or give the plan [[approaches]])", field="hazards",
                            source=str(p))
    for e in ents:
        if e not in layout.openings:
            raise ScenarioError(f"unknown opening {e!r}", field="--entrance", source=str(p))
    t_s = float(haz.get("t_s", 0.0))
    base = [*overrides, f"duration_s={t_s + AFTER_IMPACT_S}", "output.lower_bound=false"]
    if not retarget:
        base.append(f"{key}.retargets=0")
    lines = {e: barrier_line(layout, e) for e in ents}
    existing = {e: tuple(b.id for b in plan.barriers
                         if b.opening in {e, *lines[e]}
                         or (b.space is not None and b.space == _plaza_of(layout, e)))
                for e in ents}
    variants = []
    for e in ents:
        for r in names:
            sets = [f"{key}.entrance={e}"]
            sets += [f"security.barriers.{k}={_toml(v)}"
                     for k, v in _barrier_lists(plan, layout, e, lines[e], r).items()]
            variants.append(Variant(f"{e}|{r}", p, (*base, *sets)))
    root = scn.seed if seed is None else seed
    ident = json.dumps([str(p.resolve()), list(overrides), names, ents, retarget, root])
    name = f"barriers:{p.stem}:{hashlib.sha256(ident.encode()).hexdigest()[:8]}"
    backend = InlinePool() if workers <= 0 else LocalPool(workers)
    tmp = None
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix="safemall-barriers-")
        db = Path(tmp.name) / "barriers.db"
    store = Store(db)
    try:
        res = run_variants(store, backend, name, variants, replications=replications,
                           root_seed=int(root), description="safemall barriers",
                           progress=progress)
    finally:
        backend.close()
        store.close()
        if tmp is not None:
            tmp.cleanup()
    out: list[RatedOption] = []
    for r in names[1:]:
        opts = []
        for e in ents:
            a, b = res[f"{e}|none"], res[f"{e}|{r}"]
            blocked = metric_values(b, lambda m: float(bool(m.get("vehicle_blocked")))
                                    if m else None)
            opts.append(RatedOption(
                e, r, lines[e],
                compare(metric_values(a, "vehicle_victims"), metric_values(b, "vehicle_victims")),
                compare(metric_values(a, "vehicle_deaths"), metric_values(b, "vehicle_deaths")),
                float(np.nanmean(blocked)), float(np.nanmean(metric_values(a, "impact_speed_mps"))),
                float(np.nanmean(metric_values(a, "vehicle_energy_kj"))), existing[e]))
        out += rank_with_ties(opts)
    return out


def overlap(ci1: tuple[float, float], ci2: tuple[float, float]) -> bool:
    """True when two intervals share a point (a tie at their confidence level)."""
    return not (ci1[0] > ci2[1] or ci2[0] > ci1[1])


def rank_with_ties(options: Sequence[RatedOption]) -> list[RatedOption]:
    """Sort by harm prevented (best first) and give ranks; overlapping intervals tie."""
    srt = sorted(options, key=lambda o: (-o.prevented, o.entrance))
    ranks: list[int] = []
    lead: RatedOption | None = None
    for i, o in enumerate(srt):
        if lead is None or not overlap(lead.prevented_ci, o.prevented_ci):
            lead = o
            ranks.append(i + 1)
        else:
            ranks.append(ranks[-1])
    return [replace(o, rank=r, tie=ranks.count(r) > 1) for o, r in zip(srt, ranks, strict=True)]
