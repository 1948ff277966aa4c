"""Where do bollards go? SM-1.5's missing barriers and the entrances ranked by harm, with ties.

The ranking is :func:`sim.analysis.barriers.rank_barriers` (each road entrance rammed
by the scenario's vehicle without a barrier there and with a bollard of the plan's default
rating on its barrier line, common seeds) run with the plan under study; the analysis
marks ties itself (an entrance whose interval overlaps the best one of its rank shares that
rank) and :func:`mark_ties` keeps rows that carry ``rank`` and ``tied``. For rows without
them, :func:`mark_ties` ranks entrances so that a tie is visible: an entrance's rank is
one more than the number of entrances whose harm prevented is *clearly* larger (their
95 % confidence interval lies wholly above its own); entrances that share a rank are tied
(marked ``=``): the runs cannot tell them apart. With a single replication there is no
interval and only equal means tie.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.analysis.barriers import rank_barriers
from sim.model.crash_rating import DEFAULT_RATINGS
from sim.report.scenario_runs import PlanRef


def is_vehicle_scenario(path: Path) -> bool:
    """True when the scenario file holds a ``vehicle`` hazard."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    hz = raw.get("hazards", [raw["hazard"]] if "hazard" in raw else [])
    return any(isinstance(h, Mapping) and h.get("kind") == "vehicle" for h in hz)


def _interval(r: Mapping[str, Any]) -> tuple[float, float]:
    m = r.get("prevented")
    h = r.get("prevented_ci_half")
    if m is None:
        return math.nan, math.nan
    if h is None or not math.isfinite(h):
        return float(m), float(m)
    return float(m) - float(h), float(m) + float(h)


def mark_ties(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows best first with ``rank`` (ties share one) and ``tied`` (see module notes)."""
    out = [dict(r) for r in rows]
    if out and all("tied" in r and "rank" in r for r in out):
        return out  # ranked with ties by the barrier analysis itself
    ivs = [_interval(r) for r in out]
    for i, r in enumerate(out):
        hi_i = ivs[i][1]
        r["rank"] = 1 + sum(1 for j, (lo_j, _) in enumerate(ivs)
                            if j != i and math.isfinite(lo_j) and lo_j > hi_i)
    counts: dict[int, int] = {}
    for r in out:
        counts[r["rank"]] = counts.get(r["rank"], 0) + 1
    for r in out:
        r["tied"] = counts[r["rank"]] > 1
    out.sort(key=lambda r: (r["rank"], -(r.get("prevented") or 0.0), r["entrance"]))
    return out


def rank_label(r: Mapping[str, Any]) -> str:
    """``"1"`` or ``"1="``."""
    return f"{r['rank']}{'=' if r.get('tied') else ''}"


def rank_for_plan(scenario: Path, plan: PlanRef, *, replications: int, seed: int,
                  workers: int, progress: Callable[[int, int], None] | None = None
                  ) -> list[dict[str, Any]]:
    """The vehicle scenario's entrances ranked with the plan's barriers, ties marked.

    The bollard tried is a plan's default bollard (``DEFAULT_RATINGS["bollard"]``, the
    rating a plan's bollard without one gets); rows carry the analysis' own ``rank`` and
    ``tied`` (:func:`sim.analysis.barriers.rank_with_ties`).
    """
    rating = DEFAULT_RATINGS["bollard"].label
    opts = rank_barriers(scenario, overrides=plan.overrides(), ratings=[rating],
                         replications=max(2, replications), seed=seed, workers=workers,
                         progress=(lambda d, _f, t: progress(d, t)) if progress else None)
    rows = []
    for o in opts:
        lo, hi = o.prevented_ci
        rows.append({"entrance": o.entrance, "existing_barriers": list(o.existing),
                     "rating": o.rating,
                     "harm_without": o.victims.mean_a, "harm_with_bollard": o.victims.mean_b,
                     "prevented": o.prevented, "prevented_ci_half": (hi - lo) / 2,
                     "replications": o.victims.n, "impact_speed_mps": o.impact_speed_mps,
                     "rank": o.rank, "tied": o.tie})
    return mark_ties(rows)
