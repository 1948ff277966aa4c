"""Generate a realistic security plan for a layout (``safemall security generate``).

The **full** plan meets every static clause the checker tests (``docs/compliance.md``):

* **Guards** (SM-1.3b/c): :func:`sim.model.security_plan.required_guards` of the sales area
  (below 10,000 m², where the plan sets no number: the posts plus two patrollers per
  sales level). Posts: the gate (1), every main entrance (2 each, on its indoor side,
  at the door), the CCTV room (2, the operators), the duty room (2), every finance room
  (1). The rest walk one-guard beats placed by the deployment rule
  (:mod:`sim.security.deployment`: p-median on the design occupants, every sales level
  covered), written as patrols with waypoints. If the posts and two guards per sales
  level need more than the required number, the plan has more.
* **Internal defence team** (SM-1.3d): 7 members based in the duty room, with a leader,
  a deputy and a liaison.
* **Shop officers and joint-defence groups** (SM-1.3e): one officer per shop; groups of
  5–10 adjacent shops (:mod:`sim.analysis.compliance.adjacency`, door-to-door walk ≤ 60 m along
  corridors, atria and plazas on one level): each level's adjacency components are
  ordered by a depth-first walk from the westernmost shop and cut into
  ``ceil(n / 10)`` nearly equal runs. A component of fewer than 5 shops joins the nearest
  group on its level if that keeps it ≤ 10 (else it stays a small group and the checker
  reports it).
* **Devices**: a camera on every passage, every exterior opening (its indoor side),
  every car park, finance room, gate and the CCTV and duty rooms; a perimeter camera on
  every plaza and exit; 2 operators; alarm buttons at the gate, the CCTV room, the duty
  room, every finance room and main-entrance hall; a smoke detector in every indoor room
  but stairs, escalators and car parks (heat detectors there); one guided PA zone per
  level; emergency lighting and fire systems everywhere; the police link.
* **Smoke control** (GB 51251-2017, GB 50016 §5.3.2 / §8.5; ``docs/fire-and-smoke.md``):
  mechanical exhaust in every mall street (one smoke zone each), every shop of more than
  100 m² (GB 50016 §8.5.3, recalled) and every car park (30 000 m³/h, GB 50067 Table 8.2.5
  for ≤ 3 m, recalled), at the GB 51251 design rates the fire hazard computes; one atrium
  system per void (§4.6.5); fire shutters (防火卷帘, on evacuation routes: two-stage) on every
  opening between a street and an atrium, separating the atrium from the floors around it
  (GB 50016 §5.3.2); fixed 0.5 m smoke curtains on the joins between streets (reservoirs of
  at least 10 % of the height and 0.5 m, GB 51251 §4.6.2, recalled). No natural vents or
  channelling screens (both available in the format).
* **Equipment** (SM-1.4e): one set (fork, shield, helmet, stab vest, tear gas) per 3
  guards — the 3-person "minimum combat unit" (Chinese police folk doctrine, no
  normative source) with the items of the commentary to GB 55029-2022 §3.3 (helmet,
  baton, steel fork, shield, stab vest); an **assumption**, no standard sets the
  number — and a baton for every guard (SM-1.3c).
* **Barriers** (SM-1.4f, SM-1.5): isolation at every main entrance; a bollard at every
  door reachable by road (a rising bollard at car-park doors, which vehicles use);
  an approach with 2 speed bumps and warning signs to every road space.

The **under-staffed** variant (``understaffed=True``) deliberately fails: 60 % of the
required guards (SM-1.3b), a team of 3 (SM-1.3d), every 4th shop without an officer and
the first group cut to 3 shops (SM-1.3e), no cameras on car parks and finance rooms
(SM-1.4c), no police link (SM-1.4g, SM-5b), no bollard at the first road door that is not
a car-park door (SM-1.5). Everything else is as in the full plan.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from sim.analysis.compliance import places
from sim.analysis.compliance.adjacency import GROUP_DISTANCE_M, adjacency_graph, shop_distances
from sim.engine.graphs import Network, build_network
from sim.hazards.smoke_geometry import find_voids
from sim.io.toml import dumps_readable
from sim.model.exterior import road_doors
from sim.model.layout import Layout
from sim.model.security_plan import SCHEMA, plan_from_dict, required_guards
from sim.security.deployment import beat_patrols, deploy

#: Guards on each post role in the full plan.
POST_COUNTS = {"gate": 1, "entrance": 2, "cctv": 2, "duty": 2, "finance": 1}
#: Fraction of the required guards in the under-staffed variant.
UNDERSTAFFED_FRACTION = 0.6
GROUP_MIN, GROUP_MAX = 5, 10
GUARDS_PER_SET = 3


def _induced(g: nx.Graph, nodes: Sequence[str]) -> nx.Graph:
    """The induced subgraph on ``nodes``, built in a fixed order.

    ``Graph.subgraph`` views iterate their nodes through a ``set`` when that is shorter,
    so their order changes with ``PYTHONHASHSEED``; generated plans must not.
    """
    keep = set(nodes)
    h = nx.Graph()
    h.add_nodes_from(nodes)
    for u in nodes:
        for v in g.adj[u]:
            if v in keep:
                h.add_edge(u, v)
    return h


def _west_first(layout: Layout, ids: Sequence[str]) -> list[str]:
    return sorted(ids, key=lambda s: (layout.spaces[s].centroid[0], layout.spaces[s].centroid[1],
                                      s))


def _chunks(seq: list[str], k: int) -> list[list[str]]:
    n = len(seq)
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    out, i = [], 0
    for sz in sizes:
        out.append(seq[i:i + sz])
        i += sz
    return out


def joint_defence_groups(layout: Layout, network: Network, *,
                         max_m: float = GROUP_DISTANCE_M) -> list[list[str]]:
    """Shops cut into groups of 5–10 adjacent shops (see module doc)."""
    groups: list[list[str]] = []
    shops = [s.id for s in layout.iter_kind("shop")]
    dist = shop_distances(network, shops, max_m=max_m)
    for lv in layout.levels:
        mine = [s for s in shops if layout.spaces[s].level == lv.id]
        if not mine:
            continue
        g = adjacency_graph(network, mine, max_m=max_m, distances=dist)
        level_groups: list[list[str]] = []
        small: list[list[str]] = []
        comps = sorted((list(c) for c in nx.connected_components(g)),
                       key=lambda c: mine.index(_west_first(layout, c)[0]))
        for comp in comps:
            start = _west_first(layout, comp)[0]
            comp = [s for s in mine if s in comp]
            order = list(nx.dfs_preorder_nodes(_induced(g, comp), start))
            if len(order) < GROUP_MIN:
                small.append(order)
                continue
            k = math.ceil(len(order) / GROUP_MAX)
            chunks = _chunks(order, k)
            # a chunk of a DFS order may fall apart; re-cut greedily when it does
            if any(not nx.is_connected(g.subgraph(c)) for c in chunks):
                chunks = _greedy_chunks(g, order, k)
            level_groups += chunks
        for s in small:
            best = None
            for grp in level_groups:
                if len(grp) + len(s) <= GROUP_MAX and nx.is_connected(g.subgraph(grp + s)):
                    best = grp
                    break
            if best is None:
                level_groups.append(s)
            else:
                best.extend(s)
        groups += level_groups
    return groups


def _greedy_chunks(g: nx.Graph, order: list[str], k: int) -> list[list[str]]:
    """Grow groups by breadth-first search, each up to ceil(n / k) shops."""
    size = math.ceil(len(order) / k)
    left = list(order)
    out: list[list[str]] = []
    while left:
        grp = [left[0]]
        frontier = [left[0]]
        while frontier and len(grp) < size:
            nxt = []
            for u in frontier:
                for v in sorted(g.neighbors(u), key=order.index):
                    if v in left and v not in grp and len(grp) < size:
                        grp.append(v)
                        nxt.append(v)
            frontier = nxt
        out.append(grp)
        left = [s for s in left if s not in grp]
    return out


def generate_plan(layout: Layout, *, understaffed: bool = False, network: Network | None = None,
                  layout_ref: str = "layout.toml") -> dict[str, Any]:
    """A security plan mapping for ``layout`` (see module doc); valid for ``load_security_plan``.

    Examples
    --------
    >>> from sim.io.layout_files import load_layout
    >>> plan = generate_plan(load_layout("tests/fixtures/compliance/small"))
    >>> plan["guards"]["total"], plan["team"]["members"]
    (20, 7)
    """
    net = network or build_network(layout)
    sp = layout.spaces
    mains, _ = places.main_entrances(layout)
    gate_ids = places.spaces_of(layout, "gate")
    gate = gate_ids[0] if gate_ids else (places.indoor_side(layout, mains[0]) if mains else None)
    cctv_ids = places.spaces_of(layout, "cctv_room")
    duty_ids = places.spaces_of(layout, "duty_room")
    cctv_room = cctv_ids[0] if cctv_ids else None
    duty = duty_ids[0] if duty_ids else (cctv_room or gate)
    finance = places.spaces_of(layout, "finance_room")
    parking = places.spaces_of(layout, "parking")

    # ---- posts
    posts: list[dict[str, Any]] = []
    count = dict(POST_COUNTS)
    if understaffed:
        count = dict.fromkeys(count, 1)
    if gate:
        posts.append({"id": "post-gate", "space": gate, "role": "gate", "count": count["gate"]})
    for oid in mains:
        posts.append({"id": f"post-{oid}", "space": places.indoor_side(layout, oid),
                      "role": "entrance", "count": count["entrance"], "opening": oid})
    if cctv_room:
        posts.append({"id": "post-cctv", "space": cctv_room, "role": "cctv",
                      "count": count["cctv"]})
    if duty:
        posts.append({"id": "post-duty", "space": duty, "role": "duty", "count": count["duty"]})
    for f in finance:
        posts.append({"id": f"post-{f}", "space": f, "role": "finance", "count": count["finance"]})
    on_posts = sum(p["count"] for p in posts)
    req = required_guards(layout.sales_area_m2)
    full_total = max(req or 0, on_posts + 2 * len(layout.sales_levels()))
    total = math.floor(UNDERSTAFFED_FRACTION * full_total) if understaffed else full_total
    if understaffed and on_posts > total:  # trim the lowest-priority posts
        for p in reversed(posts):
            while p["count"] > 0 and sum(q["count"] for q in posts) > total:
                p["count"] -= 1
    # the rest walk beats placed by the deployment rule (p-median on design occupants)
    bare = plan_from_dict({"schema": SCHEMA, "guards": {"total": total, "posts": posts}},
                          layout, source="<generator>")
    patrols = beat_patrols(deploy(bare, net, total), net)

    # ---- people
    shops = [s.id for s in layout.iter_kind("shop")]
    groups = joint_defence_groups(layout, net)
    missing_officers = sorted(shops)[::4] if understaffed else []
    if understaffed and groups:
        groups[0] = groups[0][:3]
    group_tables = []
    for k, g in enumerate(groups):
        lead = g[:3] + [g[0]] * (3 - len(g[:3]))
        group_tables.append({"id": f"group-{k + 1:02d}", "shops": g, "leader": lead[0],
                             "deputy": lead[1], "liaison": lead[2]})

    # ---- cameras
    cams: list[dict[str, Any]] = []
    for s in places.spaces_of(layout, *places.PASSAGE_KINDS):
        cams.append({"id": f"cam-{s}", "space": s, "sees": [s]})
    for oid in places.entrances(layout):
        inside = places.indoor_side(layout, oid)
        cams.append({"id": f"cam-door-{oid}", "space": inside, "sees": [inside],
                     "openings": [oid]})
    watched = [*gate_ids, *([cctv_room] if cctv_room else []), *duty_ids]
    if not understaffed:
        watched = [*parking, *finance, *watched]
    for s in dict.fromkeys(watched):
        cams.append({"id": f"cam-{s}", "space": s, "sees": [s]})
    for s in places.outdoor_spaces(layout):
        if sp[s].polygon is not None:
            cams.append({"id": f"cam-perimeter-{s}", "space": s, "sees": [s], "perimeter": True})
        else:  # an exit has no polygon: watch it from the indoor side of one of its doors
            doors = list(layout.openings_of.get(s, ()))
            mount = places.indoor_side(layout, doors[0]) if doors else s
            if places.is_outdoor(sp[mount]):
                mount = s
            cams.append({"id": f"cam-perimeter-{s}", "space": mount, "sees": [s],
                         "perimeter": True})
    if understaffed:  # nobody watches the car parks and finance rooms
        blind = set(parking) | set(finance)
        for cam in cams:
            cam["sees"] = [x for x in cam["sees"] if x not in blind]

    # ---- alarm devices
    btn_spaces = [*([gate] if gate else []), *([cctv_room] if cctv_room else []),
                  *([duty] if duty else []), *finance,
                  *(places.indoor_side(layout, o) for o in mains)]
    buttons = [{"id": f"button-{s}", "space": s} for s in dict.fromkeys(btn_spaces)]
    detectors = []
    for space in layout.spaces.values():
        if places.is_outdoor(space):
            continue
        kind = "heat" if space.kind in ("stair", "escalator", "parking") else "smoke"
        detectors.append({"id": f"det-{space.id}", "space": space.id, "kind": kind})
    zones = []
    for level in layout.levels:
        ids = [x.id for x in layout.spaces.values()
               if x.level == level.id and not places.is_outdoor(x)]
        if ids:
            zones.append({"id": f"pa-{level.id}", "spaces": ids})

    # ---- equipment and barriers
    sets = math.ceil(total / GUARDS_PER_SET) if total else 0
    equipment = {"forks": sets, "shields": sets, "batons": total, "helmets": sets,
                 "stab_vests": sets, "tear_gas": sets}
    barriers = [{"id": f"isolation-{o}", "kind": "isolation", "opening": o} for o in mains]
    road = road_doors(layout)
    skip = None
    if understaffed:
        skip = next((o for o in road if sp[places.indoor_side(layout, o)].kind != "parking"),
                    road[0] if road else None)
    for o in road:
        if o == skip:
            continue
        kind = "rising_bollard" if sp[places.indoor_side(layout, o)].kind == "parking" \
            else "bollard"
        barriers.append({"id": f"{kind.replace('_', '-')}-{o}", "kind": kind, "opening": o})
    approaches = []
    for s in places.road_spaces(layout):
        ops = list(layout.openings_of.get(s, ()))
        to = next((o for o in ops if o in mains), None) or next(
            (o for o in ops if o in road), None) or (ops[0] if ops else None)
        if to is not None:
            approaches.append({"id": f"approach-{s}", "to": to, "length_m": 80.0,
                               "speed_bumps": 2, "warning_signs": True})

    variant = "under-staffed variant (deliberately non-compliant)" if understaffed \
        else "full plan"
    plan: dict[str, Any] = {
        "schema": SCHEMA,
        "name": f"{layout.mall.name}: {variant}",
        "layout": layout_ref,
    }
    if duty:
        plan["duty_room"] = duty
    if gate:
        plan["gate"] = gate
    plan["guards"] = {"total": total, "uniformed": True, "armbands": True,
                      "security_department": True, "equipped": True,
                      "posts": posts, "patrols": patrols}
    if duty:
        plan["team"] = {"members": 3 if understaffed else 7, "base": duty,
                        "leader": "security manager", "deputy": "deputy security manager",
                        "liaison": "duty-room liaison officer"}
    plan["shop_officers"] = {"per_shop": 1, "missing": missing_officers}
    plan["groups"] = group_tables
    cctv: dict[str, Any] = {"room": cctv_room} if cctv_room else {}
    cctv.update({"operators": 1 if understaffed else 2, "gb50395": True, "cameras": cams})
    plan["cctv"] = cctv
    plan["alarm"] = {"police_link": not understaffed, "buttons": buttons,
                     "detectors": detectors}
    plan["pa"] = {"guided": True, "zones": zones}
    plan["emergency_lighting"] = {"all": True}
    plan["fire_systems"] = {"all": True}
    plan["smoke_control"] = smoke_control(layout)
    plan["equipment"] = equipment
    plan["barriers"] = barriers
    plan["approaches"] = approaches
    return plan


SHOP_EXHAUST_M2 = 100.0
"""Shops larger than this get mechanical exhaust (GB 50016-2014 §8.5.3: above-ground rooms
over 100 m² where people stay; recalled, UNVERIFIED)."""
CAR_PARK_EXHAUST_M3_H = 30000.0
"""Car-park smoke zone exhaust for a clear height of 3 m or less (GB 50067-2014 Table 8.2.5,
recalled, UNVERIFIED)."""


def smoke_control(layout: Layout) -> dict[str, Any]:
    """The ``[smoke_control]`` table of a full plan (module docstring)."""
    sp = layout.spaces
    exhaust: list[dict[str, Any]] = []
    for s in sp.values():
        if s.kind == "corridor" or (s.kind == "shop" and s.area_m2 > SHOP_EXHAUST_M2):
            exhaust.append({"id": f"exhaust-{s.id}", "spaces": [s.id]})
        elif s.kind == "parking":
            exhaust.append({"id": f"exhaust-{s.id}", "spaces": [s.id],
                            "rate_m3_h": CAR_PARK_EXHAUST_M3_H})
    voids = find_voids(layout)
    members = {m for g in voids for m in g}
    for k, group in enumerate(voids, start=1):
        # any member space stands for the whole void (one smoke zone)
        exhaust.append({"id": f"exhaust-atrium-{k}", "spaces": [group[0]], "kind": "atrium"})
    shutters, curtains = [], []
    for o in layout.openings.values():
        ka, kb = sp[o.a].kind, sp[o.b].kind
        if (o.a in members and kb == "corridor") or (o.b in members and ka == "corridor"):
            shutters.append({"id": f"shutter-{o.id}", "opening": o.id})
        elif ka == "corridor" and kb == "corridor":
            curtains.append({"id": f"curtain-{o.id}", "opening": o.id, "depth_m": 0.5})
    return {"exhaust": exhaust, "shutters": shutters, "curtains": curtains}


HEADER = """\
# Security plan for {mall} ({variant}).
# Generated by `safemall security generate{flag}` from {layout}; format: docs/security-format.md.
# Sales area {area:,.0f} m2: SM-1.3b requires {req}; this plan has {total} full-time guards.
# Rules of the generator: sim/generate/security_plan.py (module docstring).
"""


def plan_to_toml(plan: dict[str, Any], layout: Layout, *, understaffed: bool = False) -> str:
    """The plan as TOML text with a header comment."""
    req = required_guards(layout.sales_area_m2)
    head = HEADER.format(
        mall=layout.mall.name,
        variant="under-staffed, deliberately non-compliant" if understaffed else "full plan",
        flag=" --understaffed" if understaffed else "", layout=plan.get("layout", ""),
        area=layout.sales_area_m2, req=f"{req} guards" if req else "no number (< 10,000 m2)",
        total=plan["guards"]["total"])
    return head + "\n" + dumps_toml(plan)


def dumps_toml(data: dict[str, Any]) -> str:
    """Readable TOML (:func:`sim.io.toml.dumps_readable`)."""
    return dumps_readable(data)


def write_plan(layout: Layout, out: str | Path, *, understaffed: bool = False) -> dict[str, Any]:
    """Generate a plan for ``layout`` and write it to ``out``; return the mapping."""
    import os

    out = Path(out)
    ref = os.path.relpath(Path(layout.source).resolve(), out.resolve().parent) \
        if layout.source and layout.source != "<memory>" else "layout.toml"
    plan = generate_plan(layout, understaffed=understaffed, layout_ref=ref)
    out.write_text(plan_to_toml(plan, layout, understaffed=understaffed), encoding="utf-8")
    return plan
