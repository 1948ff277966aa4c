"""GB 50016-2014 egress clauses as compliance results (reusing :mod:`sim.analysis.egress_code`).

* ``GB50016-5.5.21a``: total clear width of the exterior doors at grade against the
  most populated floor at or above grade × the width index of table 5.5.21-1, at the
  design density (upper end of table 5.5.21-2);
* ``GB50016-5.5.21b``: stair width leaving each floor towards grade, floor by floor;
* ``GB50016-5.5.17``: walking distance from any point of a sales space to an exit or
  stair door ≤ 30 m (37.5 m sprinklered);
* ``GB50016-5.5.18``: doors ≥ 0.90 m, corridors and stairs ≥ 1.10 m;
* ``GB50016-5.5.8``: ≥ 2 safety exits on every occupied floor (a floor is taken as one
  fire compartment: the layouts do not model compartments).
"""

from __future__ import annotations

import math

from sim.analysis.compliance.clauses import title
from sim.analysis.compliance.model import ClauseResult, Evidence
from sim.analysis.egress_code import (
    CLAUSE_MIN_WIDTH,
    MIN_EXITS_PER_FLOOR,
    _limit_m,
    exit_width_at_grade_m,
    exit_width_requirement,
    exits_per_level,
    exterior_doors,
    grade_levels,
    is_outdoor,
    layout_warnings,
    required_stair_width_m,
    stair_width_m,
    travel_distances_m,
)
from sim.engine.graphs import Network
from sim.errors import LayoutError
from sim.model.layout import Layout


def _r(cid: str, status: str, **kw: object) -> ClauseResult:
    return ClauseResult(cid, title(cid), status, kind="egress",  # type: ignore[arg-type]
                        source="GB 50016", **kw)  # type: ignore[arg-type]


def _exit_width(layout: Layout) -> ClauseResult:
    cid = "GB50016-5.5.21a"
    try:
        req = exit_width_requirement(layout)
    except LayoutError as exc:
        return _r(cid, "fail", required="a permitted storey count and grade", actual=exc.reason,
                  remedies=("revise the building's storeys or fire-resistance grade",))
    have = exit_width_at_grade_m(layout)
    grade = {lv.id for lv in grade_levels(layout)}
    doors = tuple(o.id for o in exterior_doors(layout) if o.level in grade)
    ok = have >= req.width_m - 1e-6
    return _r(cid, "pass" if ok else "fail", required=f"≥ {req.width_m:.2f} m",
              facts={"persons": req.persons, "index_m_per_100": req.index_m_per_100,
                     "level": req.governing_level, "required_m": req.width_m, "have_m": have,
                     "doors": len(doors)},
              actual=f"{have:.2f} m", evidence=Evidence(openings=doors, notes=(str(req),)),
              missing=Evidence() if ok else Evidence(openings=doors),
              remedies=() if ok else (f"widen or add exterior doors at grade by "
                                      f"{req.width_m - have:.2f} m",))


def _stair_width(layout: Layout) -> ClauseResult:
    cid = "GB50016-5.5.21b"
    try:
        req = required_stair_width_m(layout)
    except LayoutError as exc:
        return _r(cid, "fail", required="a permitted storey count and grade", actual=exc.reason)
    if not req:
        return _r(cid, "not_applicable", required="stairs from upper or lower floors",
                  actual="single-floor building")
    have = stair_width_m(layout)
    short = {lv: r for lv, r in req.items() if have.get(lv, 0.0) < r.width_m - 1e-6}
    parts = [f"{lv} {have.get(lv, 0.0):.2f}/{r.width_m:.2f} m" for lv, r in req.items()]
    tight = min(req, key=lambda lv: have.get(lv, 0.0) / max(req[lv].width_m, 1e-9))
    return _r(cid, "fail" if short else "pass",
              required=f"per floor ≥ persons × {next(iter(req.values())).index_m_per_100:.2f}"
                       f" m/100",
              actual=f"tightest {tight} {have.get(tight, 0.0):.2f}/{req[tight].width_m:.2f} m",
              evidence=Evidence(notes=tuple(parts)),
              missing=Evidence(notes=tuple(f"level {lv}" for lv in short)),
              remedies=tuple(f"widen stairs leaving {lv} by {r.width_m - have.get(lv, 0):.2f} m"
                             for lv, r in short.items()))


def _travel(layout: Layout, network: Network) -> ClauseResult:
    cid = "GB50016-5.5.17"
    dists = travel_distances_m(layout, network)
    if not dists:
        return _r(cid, "not_applicable", required="sales spaces", actual="none")
    over: list[str] = []
    notes: list[str] = []
    worst = max(dists.items(), key=lambda kv: kv[1][0])
    for sid, (d, pt) in dists.items():
        limit, _ = _limit_m(layout, layout.spaces[sid])
        if d > limit + 1e-6:
            over.append(sid)
            notes.append(f"{sid}: ({pt[0]:.1f}, {pt[1]:.1f}) is "
                         + (f"{d:.1f} m > {limit:g} m" if math.isfinite(d) else "cut off"))
    limits = sorted({_limit_m(layout, layout.spaces[s])[0] for s in dists})
    return _r(cid, "fail" if over else "pass",
              required=f"≤ {' / '.join(f'{x:g}' for x in limits)} m to exit/stair door",
              actual=f"worst {worst[1][0]:.1f} m in {worst[0]}",
              missing=Evidence(spaces=tuple(over), notes=tuple(notes)),
              remedies=(f"add exits or stair doors near: {', '.join(over[:12])}",) if over
              else ())


def _min_widths(layout: Layout, network: Network) -> ClauseResult:
    cid = "GB50016-5.5.18"
    warns = [w for w in layout_warnings(layout, network) if w.clause == CLAUSE_MIN_WIDTH]
    ops = tuple(w.field.split("'")[1] for w in warns if w.field.startswith("openings["))
    sps = tuple(w.field.split("'")[1] for w in warns if w.field.startswith("spaces["))
    return _r(cid, "fail" if warns else "pass",
              required="doors ≥ 0.90 m; corridors, stairs ≥ 1.10 m",
              actual=f"{len(warns)} too narrow" if warns else "all wide enough",
              missing=Evidence(spaces=sps, openings=ops, notes=tuple(str(w) for w in warns)),
              remedies=tuple(f"widen {w.field.split('.')[0]}" for w in warns[:12]))


def _exits(layout: Layout) -> ClauseResult:
    cid = "GB50016-5.5.8"
    counts = exits_per_level(layout)
    occupied = {s.level for s in layout.spaces.values() if not is_outdoor(s)}
    short = {lv: n for lv, n in counts.items() if lv in occupied and n < MIN_EXITS_PER_FLOOR}
    return _r(cid, "fail" if short else "pass",
              required=f"≥ {MIN_EXITS_PER_FLOOR} per occupied floor",
              actual=f"fewest {min((n for lv, n in counts.items() if lv in occupied), default=0)}",
              evidence=Evidence(notes=tuple(f"{lv} {n}" for lv, n in counts.items()
                                            if lv in occupied)),
              missing=Evidence(notes=tuple(f"level {lv}: {n}" for lv, n in short.items())),
              remedies=tuple(f"add {MIN_EXITS_PER_FLOOR - n} exit(s) on {lv}"
                             for lv, n in short.items()))


def check_egress(layout: Layout, network: Network) -> list[ClauseResult]:
    """The five GB 50016 results."""
    return [_exit_width(layout), _stair_width(layout), _travel(layout, network),
            _min_widths(layout, network), _exits(layout)]
