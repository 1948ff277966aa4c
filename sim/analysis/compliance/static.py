"""Static checks: the layout and the security plan against the plan's clauses.

Each ``check_*`` function judges one clause and returns a :class:`ClauseResult` with
what is required, what the files show, the evidence and the remedies.
:func:`check_static` runs them all (plus the drill log and GB 50016) in the order of
:data:`sim.analysis.compliance.clauses.CLAUSES`. The readings of ambiguous points are in
``docs/compliance.md`` and ``docs/standards.md``; each is a field of
:class:`CheckOptions`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from sim.analysis.compliance import places
from sim.analysis.compliance.adjacency import GROUP_DISTANCE_M, group_components, shop_distances
from sim.analysis.compliance.clauses import BY_ID, CLAUSES, DOCUMENT_CLAUSES, title
from sim.analysis.compliance.drills import DrillLog, Period, check_drills, check_training
from sim.analysis.compliance.egress import check_egress
from sim.analysis.compliance.model import ClauseResult, Evidence
from sim.engine.graphs import Network, build_network
from sim.model.exterior import outdoor_side, road_doors
from sim.model.layout import Layout
from sim.model.security_plan import SecurityPlan, required_guards

Reading = Literal["strict", "lenient"]

#: Barrier kinds that isolate a main entrance (SM-1.4f).
ISOLATION_KINDS: Final = frozenset({"isolation", "fence", "hard_barrier"})
#: Barrier kinds that stop a vehicle at a door (SM-1.5).
VEHICLE_KINDS: Final = frozenset({"bollard", "rising_bollard", "fence", "hard_barrier"})
#: Equipment items of one anti-riot set (SM-1.4e; GB 55029 §3.3 commentary lists helmet,
#: baton, steel fork, shield and stab-resistant vest; GB 55029-2022 §3.3 commentary).
EQUIPMENT_ITEMS: Final = ("forks", "shields", "batons", "helmets", "stab_vests")


@dataclass(frozen=True)
class CheckOptions:
    """Readings of the points the plan leaves open (documented in ``docs/compliance.md``).

    ``reading``: SM-1.3b, ``strict`` (default) takes the upper band at exactly
    20,000 m² and counts a started 1,000 m² above 30,000 m² (``ceil``); ``lenient``
    takes the lower band at the edge and counts whole 1,000 m² only (``floor``).
    ``guards_per_set``: SM-1.4e norm, one set of fork, shield, baton, helmet and stab
    vest per this many guards (the 3-person "minimum combat unit" of shield, fork and
    baton of Chinese police practice, folk doctrine: an **assumption**, no standard sets a
    number; docs/compliance.md).
    """

    reading: Reading = "strict"
    group_distance_m: float = GROUP_DISTANCE_M
    group_size: tuple[int, int] = (5, 10)
    team_size: tuple[int, int] = (5, 10)
    guards_per_set: int = 3
    min_operators: int = 1
    period: Period | None = None
    clauses: tuple[str, ...] = field(default_factory=tuple)
    """Only these clause ids (empty: all)."""


def _r(cid: str, status: str, **kw: object) -> ClauseResult:
    kind = BY_ID[cid].kind
    return ClauseResult(cid, title(cid), status, kind=kind,  # type: ignore[arg-type]
                        source=kw.pop("source", "static"), **kw)  # type: ignore[arg-type]


def _short(part: str) -> bool:
    """True for an ``"name a/b"`` summary with a < b."""
    a, _, b = part.rpartition(" ")[2].partition("/")
    return a.isdigit() and b.isdigit() and int(a) < int(b)


def _list(ids: Sequence[str], n: int = 12) -> str:
    ids = list(ids)
    return ", ".join(ids[:n]) + (f" and {len(ids) - n} more" if len(ids) > n else "")


# ---------------------------------------------------------------------------- SM-1.3


def sm13b_required(area_m2: float, reading: Reading = "strict") -> int | None:
    """Guards SM-1.3b requires for a sales area (``None`` below 10,000 m²).

    Uses :func:`sim.model.security_plan.required_guards`; the lenient reading also takes the
    lower band at exactly 20,000 m² (the strict one, the upper band).

    Examples
    --------
    >>> [sm13b_required(a) for a in (9_999, 10_000, 20_000, 30_000, 30_001, 31_000)]
    [None, 20, 30, 30, 31, 31]
    >>> [sm13b_required(a, "lenient") for a in (9_999, 10_000, 20_000, 30_000, 30_001, 31_000)]
    [None, 20, 20, 30, 30, 31]
    """
    if reading == "lenient" and abs(area_m2 - 20_000) < 1e-9:
        return 20
    return required_guards(area_m2, reading=reading)


def check_sm13a(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.3a: a security department with full-time guards."""
    total = plan.guards.total if plan.has("guards") else 0
    ok = plan.guards.security_department and total > 0
    rem = []
    if not plan.guards.security_department:
        rem.append("set up a dedicated security department (guards.security_department)")
    if total == 0:
        rem.append("employ full-time guards")
    return _r("SM-1.3a", "pass" if ok else "fail",
              facts={"department": plan.guards.security_department, "guards": total},
              required="security department, full-time guards",
              actual=f"department {'yes' if plan.guards.security_department else 'no'}, "
                     f"{total} guards", remedies=tuple(rem))


def check_sm13b(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.3b: full-time guards by sales area (band rule; see :func:`sm13b_required`)."""
    area = layout.sales_area_m2
    declared = layout.mall.sales_area_m2 is not None
    total = plan.guards.total if plan.has("guards") else 0
    deployed = sum(p.count for p in plan.guards.posts) + sum(p.count for p in plan.guards.patrols)
    area_txt = f"sales area {area:,.0f} m² ({'declared' if declared else 'derived'}), " \
               f"{opt.reading} reading"
    notes = [area_txt, f"{deployed} deployed on {len(plan.guards.posts)} posts and "
             f"{len(plan.guards.patrols)} patrols"]
    if deployed > total:
        notes.append(f"posts and patrols hold {deployed} guards, more than the total {total}")
    req = sm13b_required(area, opt.reading)
    ev = Evidence(spaces=tuple(dict.fromkeys(p.space for p in plan.guards.posts)),
                  devices=tuple(p.id for p in plan.guards.posts)
                  + tuple(p.id for p in plan.guards.patrols), notes=tuple(notes))
    facts = {"area_m2": area, "declared": declared, "reading": opt.reading,
             "required": req, "have": total, "deployed": deployed,
             "posts": len(plan.guards.posts), "patrols": len(plan.guards.patrols)}
    if req is None:
        return _r("SM-1.3b", "not_specified",
                  required="no number set below 10,000 m²",
                  actual=f"{total} guards; {area_txt}", evidence=ev, facts=facts,
                  remedies=("none required by the plan; judge staffing with --dynamic",))
    ok = total >= req
    return _r("SM-1.3b", "pass" if ok else "fail", required=f"≥ {req} guards",
              actual=f"{total} guards", evidence=ev, facts=facts,
              remedies=() if ok else (f"add {req - total} guards ({req} required for "
                                      f"{area:,.0f} m², plan has {total})",))


def check_sm13c(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.3c: a patrol team; guards in uniform with armbands, batons and tear gas."""
    g = plan.guards
    patrols = [p for p in g.patrols if p.count > 0] if plan.has("guards") else []
    rem = []
    if not patrols:
        rem.append("set up a patrol team (guards.patrols)")
    if not g.uniformed:
        rem.append("put guards in uniform")
    if not g.armbands:
        rem.append("issue red armbands")
    if not g.equipped:
        rem.append("equip guards (guards.equipped)")
    if plan.equipment.batons < 1:
        rem.append("issue electric batons")
    if plan.equipment.tear_gas < 1:
        rem.append("issue tear gas")
    lacks = [k for k, ok in (("uniform", g.uniformed), ("armbands", g.armbands),
                             ("equipment", g.equipped), ("batons", plan.equipment.batons >= 1),
                             ("tear_gas", plan.equipment.tear_gas >= 1)) if not ok]
    return _r("SM-1.3c", "fail" if rem else "pass",
              facts={"patrols": len(patrols), "guards": sum(p.count for p in patrols),
                     "lacks": lacks},
              required="patrol team; uniform, armbands, batons, tear gas",
              actual=f"{len(patrols)} patrols ({sum(p.count for p in patrols)} guards)"
                     + ("" if rem else "; all equipped"),
              evidence=Evidence(devices=tuple(p.id for p in patrols),
                                spaces=tuple(dict.fromkeys(s for p in patrols for s in p.route))),
              remedies=tuple(rem))


def check_sm13d(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.3d: an internal defence team of 5–10 with a leader, a deputy and a liaison."""
    lo, hi = opt.team_size
    t = plan.team if plan.has("team") else None
    if t is None:
        return _r("SM-1.3d", "fail", required=f"team of {lo}-{hi} with leader, deputy, liaison",
                  actual="no team", remedies=(f"form an internal defence team of {lo}-{hi}",),
                  facts={"lo": lo, "hi": hi, "have": 0,
                         "roles_missing": ["leader", "deputy", "liaison"]})
    rem = []
    if t.members < lo:
        rem.append(f"add {lo - t.members} team members ({t.members} < {lo})")
    if t.members > hi:
        rem.append(f"reduce the team to {hi} or split it ({t.members} > {hi})")
    for role in ("leader", "deputy", "liaison"):
        if not getattr(t, role):
            rem.append(f"name a {role}")
    return _r("SM-1.3d", "fail" if rem else "pass",
              required=f"{lo}-{hi} members; leader, deputy, liaison",
              actual=f"{t.members} members" + ("; roles named" if all(
                  getattr(t, r) for r in ("leader", "deputy", "liaison")) else ""),
              evidence=Evidence(spaces=(t.base,)), remedies=tuple(rem),
              facts={"lo": lo, "hi": hi, "have": t.members,
                     "roles_missing": [r for r in ("leader", "deputy", "liaison")
                                       if not getattr(t, r)]})


def check_sm13e(layout: Layout, plan: SecurityPlan, opt: CheckOptions,
                network: Network | None = None) -> ClauseResult:
    """SM-1.3e: an officer in every shop; every shop in one group of 5–10 adjacent shops."""
    lo, hi = opt.group_size
    shops = places.spaces_of(layout, "shop")
    if not shops:
        return _r("SM-1.3e", "not_applicable", required="officers and groups",
                  actual="the layout has no shops")
    officers_ok = plan.has("shop_officers") and plan.shop_officers.per_shop >= 1
    no_officer = [s for s in shops if not officers_ok or s in plan.shop_officers.missing]
    groups = list(plan.groups) if plan.has("groups") else []
    grouped = {s for g in groups for s in g.shops}
    ungrouped = [s for s in shops if s not in grouped]
    net = network or build_network(layout)
    dist = shop_distances(net, [s for g in groups for s in g.shops], max_m=opt.group_distance_m)
    problems: list[str] = []
    rem: list[str] = []
    bad_shops: list[str] = []
    if no_officer:
        problems.append(f"{len(no_officer)} shops without an officer: {_list(no_officer)}")
        rem.append(f"name a security officer in {len(no_officer)} shops: {_list(no_officer)}")
    if ungrouped:
        problems.append(f"{len(ungrouped)} shops in no group: {_list(ungrouped)}")
        rem.append(f"put {len(ungrouped)} shops into joint-defence groups: {_list(ungrouped)}")
    for g in groups:
        n = len(g.shops)
        if not lo <= n <= hi:
            problems.append(f"{g.id} has {n} shops (need {lo}-{hi})")
            rem.append(f"{g.id}: {'add' if n < lo else 'remove'} "
                       f"{lo - n if n < lo else n - hi} shops (or merge/split)")
            bad_shops += g.shops
        miss = [r for r in ("leader", "deputy", "liaison") if not getattr(g, r)]
        if miss:
            problems.append(f"{g.id} has no {', '.join(miss)}")
            rem.append(f"{g.id}: name a {', '.join(miss)}")
        comps = group_components(net, g.shops, max_m=opt.group_distance_m, distances=dist)
        if len(comps) > 1:
            parts = " | ".join(", ".join(c) for c in comps)
            problems.append(f"{g.id} is not adjacent (within "
                            f"{opt.group_distance_m:g} m): {parts}")
            rem.append(f"{g.id}: regroup so its shops are within "
                       f"{opt.group_distance_m:g} m of each other (apart: {parts})")
            bad_shops += [s for c in comps[1:] for s in c]
    ok = not problems
    missing_spaces = tuple(dict.fromkeys(no_officer + ungrouped + bad_shops))
    return _r("SM-1.3e", "pass" if ok else "fail",
              required=f"officer per shop; groups of {lo}-{hi} within "
                       f"{opt.group_distance_m:g} m",
              actual=f"officers {len(shops) - len(no_officer)}/{len(shops)}; "
                     f"{len(groups)} groups, {len(grouped & set(shops))} shops"
                     + ("" if ok else f"; {len(problems)} problems"),
              evidence=Evidence(devices=tuple(g.id for g in groups)),
              missing=Evidence(spaces=missing_spaces, notes=tuple(problems)),
              remedies=tuple(rem),
              facts={"shops": len(shops), "officers": len(shops) - len(no_officer),
                     "groups": len(groups), "grouped": len(grouped & set(shops)),
                     "lo": lo, "hi": hi, "distance_m": opt.group_distance_m,
                     "problems": len(problems)})


# ---------------------------------------------------------------------------- SM-1.4


def check_sm14a(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.4a: an alarm button at the gate, in the CCTV room and in the duty room."""
    buttons = list(plan.alarm.buttons) if plan.has("buttons") else []
    where = {b.space for b in buttons}
    need = {"gate": places.gates(layout, plan), "CCTV room": places.cctv_rooms(layout, plan),
            "duty room": places.duty_rooms(layout, plan)}
    rem, missing, found = [], [], []
    for name, spaces in need.items():
        if not spaces:
            rem.append(f"name the {name} (plan field or a space of that kind) and fit a button")
            continue
        for s in spaces:
            if s in where:
                found.append(s)
            else:
                missing.append(s)
                rem.append(f"fit an emergency alarm button in the {name} {s}")
    return _r("SM-1.4a", "fail" if rem else "pass",
              facts={"places": len(found) + len(missing), "found": len(found),
                     "buttons": len(buttons), "missing": list(missing)},
              required="buttons: gate, CCTV room, duty room",
              actual=f"{len(found)}/{len(found) + len(missing)} places; {len(buttons)} buttons",
              evidence=Evidence(spaces=tuple(found), devices=tuple(b.id for b in buttons
                                                                  if b.space in found)),
              missing=Evidence(spaces=tuple(missing)), remedies=tuple(rem))


def check_sm14c(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.4c: CCTV centre on duty; cameras on every place the clause names."""
    cams = list(plan.cctv.cameras) if plan.has("cctv") else []
    # a camera covers what it lists in ``sees`` and ``openings`` (not its mount space)
    seen = {s for c in cams for s in c.sees}
    seen_open = {o for c in cams for o in c.openings}
    perim = {s for c in cams if c.perimeter for s in c.sees}
    rem: list[str] = []
    notes: list[str] = []
    miss_s: list[str] = []
    miss_o: list[str] = []
    rooms = places.cctv_rooms(layout, plan)
    if not rooms:
        rem.append("set up a video monitoring room (cctv.room)")
    ops = plan.cctv.operators if plan.has("cctv") else 0
    if ops < opt.min_operators:
        rem.append(f"put {opt.min_operators - ops} more operators on duty in the CCTV room")
    if not plan.cctv.gb50395:
        rem.append("bring the video system up to GB 50395")
    parts: list[tuple[str, list[str], set[str], bool]] = [
        ("perimeter", places.outdoor_spaces(layout), perim, False),
        ("main entrances", places.main_entrances(layout)[0], seen_open, True),
        ("passages", places.spaces_of(layout, *places.PASSAGE_KINDS), seen, False),
        ("entrances/exits", places.entrances(layout), seen_open, True),
        ("car parks", places.spaces_of(layout, "parking"), seen, False),
        ("finance rooms", places.spaces_of(layout, "finance_room"), seen, False),
    ]
    have: list[str] = []
    for name, targets, covered, is_open in parts:
        if not targets:
            notes.append(f"{name}: none in the layout")
            continue
        lack = [t for t in targets if t not in covered]
        have.append(f"{name} {len(targets) - len(lack)}/{len(targets)}")
        if lack:
            (miss_o if is_open else miss_s).extend(lack)
            what = "perimeter cameras watching" if name == "perimeter" else "cameras covering"
            rem.append(f"add {what} {name}: {_list(lack)}")
    miss_o = list(dict.fromkeys(miss_o))
    counts = {name: [len(t) - len([x for x in t if x not in cov]), len(t)]
              for name, t, cov, _ in parts if t}
    return _r("SM-1.4c", "fail" if rem else "pass",
              facts={"cameras": len(cams), "operators": ops, "parts": counts,
                     "room": bool(rooms)},
              required="all 6 kinds of place covered; room on duty",
              actual=f"{len(cams)} cameras, {ops} operator{'s' if ops != 1 else ''}"
                     + (f"; short: {', '.join(h for h in have if _short(h))}" if any(
                         _short(h) for h in have) else ""),
              evidence=Evidence(spaces=tuple(rooms), devices=tuple(c.id for c in cams),
                                notes=tuple(notes)),
              missing=Evidence(spaces=tuple(miss_s), openings=tuple(miss_o)),
              remedies=tuple(rem))


def _coverage(cov_all: bool, spaces: Sequence[str]) -> Callable[[str], bool]:
    have = set(spaces)
    return lambda s: cov_all or s in have


def check_sm14d(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.4d: emergency lighting, PA and fire systems (and detectors) everywhere public."""
    public = places.spaces_of(layout, *places.PUBLIC_KINDS)
    pa_all = any(z.all for z in plan.pa.zones)
    pa_spaces = [s for z in plan.pa.zones for s in z.spaces]
    det = {d.space for d in plan.alarm.detectors}
    systems: list[tuple[str, str, Callable[[str], bool], Sequence[str]]] = [
        ("emergency lighting", "lighting",
         _coverage(plan.emergency_lighting.all, plan.emergency_lighting.spaces), public),
        ("PA", "pa", _coverage(pa_all, pa_spaces), public),
        ("fire systems", "fire", _coverage(plan.fire_systems.all, plan.fire_systems.spaces),
         public),
        ("fire detectors", "detectors", lambda s: s in det,
         places.spaces_of(layout, *places.DETECTOR_KINDS)),
    ]
    rem, acts, miss = [], [], []
    for name, key, covers, targets in systems:
        off = key in ("lighting", "pa", "detectors") and not plan.has(key)
        lack = list(targets) if off else [s for s in targets if not covers(s)]
        acts.append(f"{name} {len(targets) - len(lack)}/{len(targets)}")
        if lack:
            miss += lack
            rem.append(f"{'restore' if off else 'extend'} {name} to: {_list(lack)}")
    return _r("SM-1.4d", "fail" if rem else "pass",
              facts={"public": len(public), "systems": {
                  key: [len(t) - len([x for x in t if not c(x) or (
                      key in ("lighting", "pa", "detectors") and not plan.has(key))]), len(t)]
                  for _, key, c, t in systems}},
              required=f"lighting, PA, fire in {len(public)} public spaces",
              actual="; ".join(a for a in acts if _short(a)) or "all covered",
              evidence=Evidence(devices=tuple(z.id for z in plan.pa.zones)
                                + tuple(d.id for d in plan.alarm.detectors)),
              missing=Evidence(spaces=tuple(dict.fromkeys(miss))), remedies=tuple(rem))


def equipment_sets(guards: int, per_set: int = 3) -> int:
    """Anti-riot sets needed for ``guards`` (one per ``per_set``, at least one if any)."""
    return math.ceil(guards / per_set) if guards > 0 else 0


def check_sm14e(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.4e: anti-riot equipment against the norm of :class:`CheckOptions`."""
    total = plan.guards.total if plan.has("guards") else 0
    sets = equipment_sets(total, opt.guards_per_set)
    eq = plan.equipment
    have = {k: getattr(eq, k) for k in EQUIPMENT_ITEMS}
    short = {k: sets - v for k, v in have.items() if v < sets}
    rem = tuple(f"add {n} {k.replace('_', ' ')}" for k, n in short.items())
    return _r("SM-1.4e", "fail" if short else "pass",
              facts={"guards": total, "per_set": opt.guards_per_set, "sets": sets,
                     "have": have, "full_sets": min(have.values())},
              required=f"{sets} sets (1 per {opt.guards_per_set} guards)",
              actual=f"{min(have.values())} full sets",
              evidence=Evidence(notes=(f"{total} guards",)), remedies=rem)


def check_sm14f(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.4f: isolation, a fence or a hard barrier at every main entrance."""
    mains, tagged = places.main_entrances(layout)
    notes = () if tagged else ("no opening or space tagged main_entrance: every exterior "
                               "door at grade of a shop, corridor or atrium counts",)
    if not mains:
        return _r("SM-1.4f", "not_applicable", required="isolation at main entrances",
                  actual="no main entrance found", evidence=Evidence(notes=notes))
    iso = [b for b in plan.barriers if b.kind in ISOLATION_KINDS]
    lack, found = [], []
    for oid in mains:
        o = layout.openings[oid]
        hit = [b.id for b in iso if b.opening == oid or b.space in (o.a, o.b)]
        (found.extend(hit) if hit else lack.append(oid))
    return _r("SM-1.4f", "fail" if lack else "pass",
              facts={"mains": len(mains), "isolated": len(mains) - len(lack),
                     "missing": list(lack)},
              required=f"isolation at {len(mains)} main entrances",
              actual=f"{len(mains) - len(lack)}/{len(mains)} isolated",
              evidence=Evidence(openings=tuple(o for o in mains if o not in lack),
                                devices=tuple(dict.fromkeys(found)), notes=notes),
              missing=Evidence(openings=tuple(lack)),
              remedies=(f"install isolation barriers at: {_list(lack)}",) if lack else ())


def check_sm14g(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.4g: the monitoring centre is linked to the police alarm platform."""
    link = plan.alarm.police_link and plan.has("police_link")
    rooms = places.cctv_rooms(layout, plan)
    rem = []
    if not rooms:
        rem.append("set up a video monitoring room")
    if not link:
        rem.append("link the monitoring centre to the police alarm platform")
    return _r("SM-1.4g", "fail" if rem else "pass", required="police alarm link",
              facts={"link": bool(link), "room": bool(rooms)},
              actual=f"link {'yes' if link else 'no'}; room {_list(rooms) or 'none'}",
              evidence=Evidence(spaces=tuple(rooms)), remedies=tuple(rem))


def check_sm15(layout: Layout, plan: SecurityPlan, opt: CheckOptions) -> ClauseResult:
    """SM-1.5: vehicle barriers at every door reachable by road; bumps and signs."""
    doors = road_doors(layout)
    roads = places.road_spaces(layout)
    if not doors and not roads:
        return _r("SM-1.5", "not_specified", required="barriers at doors reachable by road",
                  actual="the layout tags no road access",
                  remedies=("tag the exits and plazas vehicles can reach with 'road'",))
    veh = [b for b in plan.barriers if b.kind in VEHICLE_KINDS]
    lack, found = [], []
    for oid in doors:
        out = outdoor_side(layout, oid)
        hit = [b.id for b in veh if b.opening == oid or (out is not None and b.space == out)]
        (found.extend(hit) if hit else lack.append(oid))
    rem = [f"install bollards or barriers at: {_list(lack)}"] if lack else []
    no_app: list[str] = []
    for s in roads:
        ops = set(layout.openings_of.get(s, ()))
        apps = [a for a in plan.approaches if a.to in ops]
        if not any(a.speed_bumps >= 1 and a.warning_signs for a in apps):
            no_app.append(s)
    weak = [a.id for a in plan.approaches if a.speed_bumps < 1 or not a.warning_signs]
    if no_app:
        rem.append(f"add an approach with speed bumps and warning signs to: {_list(no_app)}")
    if weak:
        rem.append(f"add speed bumps and warning signs on approaches: {_list(weak)}")
    n_ok = len(plan.approaches) - len(weak)
    return _r("SM-1.5", "fail" if rem else "pass",
              facts={"doors": len(doors), "protected": len(doors) - len(lack),
                     "missing": list(lack), "approaches": len(plan.approaches),
                     "approaches_ok": n_ok, "roads_without_approach": list(no_app)},
              required="barriers at road doors; bumps, signs",
              actual=f"doors {len(doors) - len(lack)}/{len(doors)}; approaches {n_ok}/"
                     f"{len(plan.approaches)}",
              evidence=Evidence(openings=tuple(d for d in doors if d not in lack),
                                devices=tuple(dict.fromkeys(found))
                                + tuple(a.id for a in plan.approaches)),
              missing=Evidence(openings=tuple(lack), spaces=tuple(no_app),
                               devices=tuple(weak)),
              remedies=tuple(rem))


def check_sm5b(layout: Layout, plan: SecurityPlan, opt: CheckOptions,
               log: DrillLog | None = None) -> ClauseResult:
    """SM-5b: the alarm devices are linked to the police platform (online patrol: review)."""
    link = plan.alarm.police_link and plan.has("police_link")
    buttons = list(plan.alarm.buttons) if plan.has("buttons") else []
    rem = []
    if not link:
        rem.append("link the alarm devices to the police alarm platform")
    if not buttons:
        rem.append("fit emergency alarm devices to link")
    notes = ["online patrol system: needs a document review"]
    if log is not None:
        notes += [f"document review: {d.status} — {d.evidence}" for d in log.documents
                  if d.clause == "SM-5b"]
        if any(d.clause == "SM-5b" and d.status == "fail" for d in log.documents):
            rem.append("fix what the SM-5b document review found")
    return _r("SM-5b", "fail" if rem else "pass", required="alarm devices linked to police",
              facts={"link": bool(link), "buttons": len(buttons)},
              actual=f"link {'yes' if link else 'no'}; {len(buttons)} alarm buttons",
              evidence=Evidence(devices=tuple(b.id for b in buttons), notes=tuple(notes)),
              remedies=tuple(rem))


def check_document(cid: str, log: DrillLog | None) -> ClauseResult:
    """A documents-only clause: ``not_specified`` unless the log records a review."""
    reviews = [d for d in log.documents if d.clause == cid] if log is not None else []
    if not reviews:
        extra = " (and --dynamic attack scenarios)" if cid == "SM-1.4b" else ""
        return _r(cid, "not_specified", required="document review", source="document",
                  actual="needs a document review" + extra,
                  remedies=(f"record a document review of {cid} in the drill log "
                            f"([[documents]])",))
    status = "fail" if any(d.status == "fail" for d in reviews) else "pass"
    notes = tuple(f"{d.date or ''} {d.reviewer}: {d.status} — {d.evidence}".strip()
                  for d in reviews)
    return _r(cid, status, required="document review", source="document",
              actual=f"reviewed ({len(reviews)} record{'s' if len(reviews) > 1 else ''})",
              evidence=Evidence(notes=notes),
              remedies=(f"fix what the {cid} document review found",) if status == "fail" else ())


_PLAN_CHECKS: Final[dict[str, Callable[[Layout, SecurityPlan, CheckOptions], ClauseResult]]] = {
    "SM-1.3a": check_sm13a, "SM-1.3b": check_sm13b, "SM-1.3c": check_sm13c,
    "SM-1.3d": check_sm13d, "SM-1.4a": check_sm14a, "SM-1.4c": check_sm14c,
    "SM-1.4d": check_sm14d, "SM-1.4e": check_sm14e, "SM-1.4f": check_sm14f,
    "SM-1.4g": check_sm14g, "SM-1.5": check_sm15,
}


def check_static(layout: Layout, plan: SecurityPlan, log: DrillLog | None = None,
                 options: CheckOptions | None = None, *,
                 network: Network | None = None) -> list[ClauseResult]:
    """Every clause the files can show, in the order of :data:`CLAUSES`."""
    opt = options or CheckOptions()
    net = network or build_network(layout)
    wanted = set(opt.clauses) if opt.clauses else None
    out: list[ClauseResult] = []
    egress: dict[str, ClauseResult] = {}
    for c in CLAUSES:
        if wanted is not None and c.id not in wanted:
            continue
        if c.id in _PLAN_CHECKS:
            out.append(_PLAN_CHECKS[c.id](layout, plan, opt))
        elif c.id == "SM-1.3e":
            out.append(check_sm13e(layout, plan, opt, net))
        elif c.id == "SM-5b":
            out.append(check_sm5b(layout, plan, opt, log))
        elif c.id == "SM-1.2b":
            out.append(check_training(log, opt.period))
        elif c.id == "SM-1.2c":
            out.append(check_drills(log, opt.period))
        elif c.id in DOCUMENT_CLAUSES:
            out.append(check_document(c.id, log))
        elif c.kind == "egress":
            if not egress:
                egress = {r.id: r for r in check_egress(layout, net)}
            out.append(egress[c.id])
    return out
