"""Where the guards stand: a guard count mapped to posts, patrols and beats by a stated rule.

A plan lists fixed posts and patrols; a staffing question ("are N guards enough?") needs
every N mapped to a deployment that does not depend on the order of the plan's entries.
:func:`deploy` does that; ``safemall deploy MALL --guards N`` prints it.

The rule (``guards.deployment = "rule"``, which ``--set security.guards=N`` selects)
---------------------------------------------------------------------------------
1. **Fixed posts** by role, in the order of :data:`POST_PRIORITY`: gate, entrance, CCTV
   room, duty room, finance room, other posts (SM-1.4a names the gate, the monitoring
   room and the duty room; SM-1.4c the finance room). Within a role the posts are
   served one guard at a time in turn, most design occupants within 60 s walking of the
   post first (ties by id), until each has its ``count``.
2. **Pinned patrols** (``pinned = true``), the same way, most design occupants along the
   route first.
3. **Beats**: every remaining guard gets a beat, a short loop through a corridor or
   atrium cell and up to two neighbouring ones. Beat centres solve the **p-median
   problem** on the cell graph: minimise the design occupants' mean walking time to
   the nearest guard who responds (beats, patrols and plain ``post`` posts; gate,
   entrance, CCTV, duty and finance posts hold their posts, see
   :data:`HOLDING_ROLES`). Every sales level first gets one beat (levels by design
   occupancy, largest first); then beats are added greedily (Kuehn–Hamburger "add"),
   and improved by vertex substitution (Teitz–Bart) while a swap lowers the mean time
   and keeps every level covered. Ties go to the smaller cell id. When every candidate
   cell holds a beat, further guards double up on the beats serving most occupants.

Demand is the **design occupancy** of each cell: its sales-hall floor area (shops,
corridors, atria; furniture, building-material and lighting showrooms at 30 %) times
the GB 50016 table 5.5.21-2 density of its storey (:mod:`sim.model.design_density`).

``guards.deployment = "plan"`` (the default, a plan run as written): every post and
patrol as listed (entries sorted by id, so file order never matters), and the guards of
``total`` beyond them get beats by step 3.

Guards on a post stand in the post's space at its opening (``Post.opening``, default
:func:`post_opening`), not in the space's first cell. Patrols walk their route's
waypoints (``Patrol.points``, default the cell of each space nearest its centroid).

Coverage (:func:`coverage`): per level, the share of sales-hall area and of design
occupants within 30, 60, 120 and 180 s walking (at ``guards.speed_mps``, uncrowded) of the
nearest responding guard at their starting position, and the occupants' mean time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy.sparse.csgraph import dijkstra

from sim.model.design_density import SHOWROOM_FACTOR, SHOWROOM_TAGS, design_density
from sim.model.layout import SALES_KINDS, Layout
from sim.model.security_plan import POST_PRIORITY, Patrol, Post, SecurityPlan

if TYPE_CHECKING:
    from sim.engine.graphs import Network

#: Post roles whose guards hold their post when a threat is reported (they do not
#: converge): the gate and entrances direct evacuees, the CCTV room watches and guides
#: responders, the duty room runs the alarm chain (SM-1.4a), the finance room is guarded.
HOLDING_ROLES = frozenset({"gate", "entrance", "cctv", "duty", "finance"})
#: Kinds of cell a beat may be centred on.
BEAT_KINDS = frozenset({"corridor", "atrium"})
#: Walking-time thresholds (s) of the coverage table.
COVERAGE_S = (30.0, 60.0, 120.0, 180.0)
#: Radius (s walking) within which design occupants rank a post or patrol (rule steps 1-2).
RANK_RADIUS_S = 60.0
#: Most vertex-substitution passes (each pass tries every beat once).
MAX_SWAP_PASSES = 3

Kind = Literal["post", "patrol", "beat"]


@dataclass(frozen=True)
class Station:
    """One staffed entry of a deployment: a post, a patrol or a beat."""

    id: str
    kind: Kind
    role: str
    """Post role, ``patrol`` or ``beat``."""
    count: int
    level: str
    cells: tuple[str, ...]
    """Cell ids: the post's cell at its opening, or a loop's waypoints."""
    opening: str | None = None
    dwell_s: float = 60.0
    rank: int = 0
    """Order in which the rule staffed it (0 first)."""

    @property
    def responds(self) -> bool:
        """Its guards converge on a threat (see :data:`HOLDING_ROLES`)."""
        return self.role not in HOLDING_ROLES

    def start_cells(self) -> list[str]:
        """Where each of its guards starts (patrol guards at staggered waypoints)."""
        n = len(self.cells)
        return [self.cells[patrol_start(k, self.count, n)] for k in range(self.count)]


@dataclass(frozen=True)
class Deployment:
    """Guards placed on posts, patrols and beats."""

    guards: int
    rule: str
    """``plan`` (as written, extra guards on beats) or ``rule``."""
    stations: tuple[Station, ...]
    unstaffed: tuple[str, ...] = ()
    """Posts and pinned patrols of the plan left without (all their) guards."""
    notes: tuple[str, ...] = ()

    @property
    def placed(self) -> int:
        """Guards placed (less than ``guards`` only when nowhere is left to place them)."""
        return sum(s.count for s in self.stations)

    def by_level(self) -> dict[str, dict[str, int]]:
        """Level → guards on posts / patrols / beats (levels in first-seen order)."""
        out: dict[str, dict[str, int]] = {}
        for s in self.stations:
            d = out.setdefault(s.level, {"post": 0, "patrol": 0, "beat": 0})
            d[s.kind] += s.count
        return out

    def summary(self) -> str:
        """One line: guards per level and kind, e.g. ``L1 10 posts + 6 beats; L2 5 beats``."""
        parts = []
        for lv, d in self.by_level().items():
            bits = [f"{n} {k}s" if n != 1 else f"1 {k}" for k, n in d.items() if n]
            parts.append(f"{lv} " + " + ".join(bits))
        return "; ".join(parts)


def patrol_start(k: int, count: int, n: int) -> int:
    """Waypoint index where guard ``k`` of a ``count``-guard patrol of ``n`` waypoints starts."""
    return (k * max(1, n // max(count, 1))) % n


# ---------------------------------------------------------------------- geometry
@dataclass
class _Geo:
    """The network's cells, walking distances and design occupants (cached per network)."""

    net: Network
    ids: list[str]
    index: dict[str, int]
    level: list[str]
    kind: list[str]
    area: np.ndarray
    """Sales-hall area of each cell (m²)."""
    demand: np.ndarray
    """Design occupants of each cell (persons, fractional)."""
    sites: np.ndarray
    """Candidate beat centres (cell indices, sorted by cell id)."""
    site_dist: np.ndarray
    """Walking distance (m) from every site to every cell."""
    nbrs: list[list[int]]
    _dist_cache: dict[int, np.ndarray] = field(default_factory=dict)

    def dist_from(self, cell: int) -> np.ndarray:
        """Walking distance (m) from ``cell`` to every cell."""
        hit = self._dist_cache.get(cell)
        if hit is None:
            hit = dijkstra(self.net.cell_graph.matrix, directed=True, indices=cell)
            self._dist_cache[cell] = hit
        return hit


#: Geometries kept (one per network seen most recently; a batch worker runs few buildings).
_GEO_KEPT = 4
_GEO: dict[int, _Geo] = {}


def geometry(net: Network) -> _Geo:
    """Cells, distances and design occupants of ``net`` (built once per network)."""
    hit = _GEO.get(id(net))
    if hit is not None and hit.net is net:
        return hit
    layout = net.layout
    ids = list(net.cells)
    index = {c: i for i, c in enumerate(ids)}
    storey = {lv.id: lv.storey for lv in layout.levels}
    area = np.zeros(len(ids))
    demand = np.zeros(len(ids))
    for i, cid in enumerate(ids):
        c = net.cells[cid]
        if c.kind not in SALES_KINDS:
            continue
        sp = layout.spaces[c.space]
        f = SHOWROOM_FACTOR if c.kind == "shop" and SHOWROOM_TAGS.intersection(sp.tags) else 1.0
        area[i] = c.area_m2 * f
        demand[i] = area[i] * design_density(storey[c.level])
    sites = np.array(sorted((index[c] for c in ids if net.cells[c].kind in BEAT_KINDS
                             and demand[index[c]] > 0), key=lambda i: ids[i]), dtype=int)
    cg = net.cell_graph
    site_dist = dijkstra(cg.matrix, directed=True, indices=sites) if len(sites) else \
        np.zeros((0, len(ids)))
    geo = _Geo(net, ids, index, [net.cells[c].level for c in ids],
               [net.cells[c].kind for c in ids], area, demand, sites,
               np.asarray(site_dist), [cg.neighbours(i) for i in range(len(ids))])
    if len(_GEO) >= _GEO_KEPT:
        _GEO.pop(next(iter(_GEO)))
    _GEO[id(net)] = geo
    return geo


def post_opening(layout: Layout, post: Post) -> str | None:
    """The opening a post's guards stand at: ``post.opening``, else the space's widest
    opening to the outdoors (entrance posts) or to another space (ties by id)."""
    if post.opening is not None:
        return post.opening
    ops = [layout.openings[o] for o in layout.openings_of.get(post.space, ())]
    if not ops:
        return None
    sp = layout.spaces
    outdoor = [o for o in ops if sp[o.b if o.a == post.space else o.a].kind in ("exit", "plaza")]
    pool = outdoor if post.role == "entrance" and outdoor else ops
    return min(pool, key=lambda o: (-o.width_m, o.id)).id


def post_cell(net: Network, post: Post) -> str:
    """The cell of the post's space at its opening (the space's first cell if none)."""
    op = post_opening(net.layout, post)
    if op is None:
        return net.cells_of_space[post.space][0]
    p = net.portal_of_opening(op)
    return p.a if net.cells[p.a].space == post.space else p.b


def waypoint_cells(net: Network, patrol: Patrol) -> list[str]:
    """The cells a patrol walks through: its points, else each space's central cell."""
    out = []
    for k, s in enumerate(patrol.route):
        xy = patrol.points[k] if patrol.points else net.layout.spaces[s].centroid
        if math.isnan(xy[0]):
            out.append(net.cells_of_space[s][0])
        else:
            out.append(net.cell_at(s, (float(xy[0]), float(xy[1]))))
    return out


# ---------------------------------------------------------------------- the rule
def _round_robin(items: list[tuple[Any, int]], n: int) -> tuple[list[int], int]:
    """Give ``n`` guards one at a time in turn to items of (key, capacity); counts, rest."""
    counts = [0] * len(items)
    left = n
    while left > 0:
        gave = False
        for i, (_, cap) in enumerate(items):
            if left > 0 and counts[i] < cap:
                counts[i] += 1
                left -= 1
                gave = True
        if not gave:
            break
    return counts, left


def _nearby_occupants(geo: _Geo, cells: Sequence[str], speed: float) -> float:
    reach = RANK_RADIUS_S * speed
    best = np.full(len(geo.ids), np.inf)
    for c in cells:
        best = np.minimum(best, geo.dist_from(geo.index[c]))
    return float(geo.demand[best <= reach].sum())


def deploy(plan: SecurityPlan, net: Network, guards: int | None = None) -> Deployment:
    """The deployment of ``guards`` (default ``plan.guards.total``) under the plan's rule.

    ``guards`` given, or ``plan.guards.deployment == "rule"``: the rule of the module
    doc. Otherwise the plan as written plus beats for the guards beyond it.
    """
    if not plan.has("guards"):
        return Deployment(0, "plan", ())
    n = plan.guards.total if guards is None else guards
    rule = "rule" if guards is not None or plan.guards.deployment == "rule" else "plan"
    key = (rule, n, plan.guards.model_dump_json(), plan.source)
    cache: dict[Any, Deployment] = net.__dict__.setdefault("_deployments", {})
    hit = cache.get(key)
    if hit is not None:
        return hit
    dep = _deploy(plan, net, n, rule)
    cache[key] = dep
    return dep


def _deploy(plan: SecurityPlan, net: Network, n: int, rule: str) -> Deployment:
    geo = geometry(net)
    speed = plan.guards.speed_mps
    posts = sorted(plan.guards.posts, key=lambda p: p.id)
    patrols = sorted(plan.guards.patrols, key=lambda p: p.id)
    stations: list[Station] = []
    unstaffed: list[str] = []
    notes: list[str] = []

    def post_station(p: Post, count: int, rank: int) -> Station:
        cell = post_cell(net, p)
        return Station(p.id, "post", p.role, count, net.cells[cell].level, (cell,),
                       post_opening(net.layout, p), rank=rank)

    def patrol_station(p: Patrol, count: int, rank: int) -> Station:
        cells = tuple(waypoint_cells(net, p))
        return Station(p.id, "patrol", "patrol", count, net.cells[cells[0]].level, cells,
                       dwell_s=p.dwell_s, rank=rank)

    if rule == "plan":
        for p in posts:
            if p.count > 0:
                stations.append(post_station(p, p.count, len(stations)))
        for pt in patrols:
            if pt.count > 0:
                stations.append(patrol_station(pt, pt.count, len(stations)))
        left = n - sum(s.count for s in stations)
    else:
        left = n

        def in_turn(items: list[Any], cells_of: Any, make: Any) -> int:
            # most design occupants nearby first (ties by id), one guard each in turn
            items.sort(key=lambda x: (-_nearby_occupants(geo, cells_of(x), speed), x.id))
            counts, rest = _round_robin([(x, x.count) for x in items], left)
            for x, c in zip(items, counts, strict=True):
                if c > 0:
                    stations.append(make(x, c, len(stations)))
                if c < x.count:
                    unstaffed.append(x.id)
            return rest

        for role in POST_PRIORITY:
            left = in_turn([p for p in posts if p.role == role],
                           lambda p: [post_cell(net, p)], post_station)
        left = in_turn([pt for pt in patrols if pt.pinned],
                       lambda pt: waypoint_cells(net, pt), patrol_station)
    if left > 0:
        beats = _beats(geo, stations, left)
        if not beats:
            notes.append(f"{left} guards not placed: no corridor or atrium cell on a "
                         "sales level")
        for b in beats:
            stations.append(Station(b[0], "beat", "beat", b[2], geo.level[b[1][0]],
                                    tuple(geo.ids[c] for c in b[1]), rank=len(stations)))
    # one canonical order (posts by role priority, then patrols, then beats; by id), so
    # the same stations staffed as written or by the rule build the same staff
    kinds = ("post", "patrol", "beat")
    stations.sort(key=lambda s: (kinds.index(s.kind),
                                 POST_PRIORITY.index(s.role) if s.kind == "post" else 0, s.id))
    return Deployment(n, rule, tuple(stations), tuple(unstaffed), tuple(notes))


def _beats(geo: _Geo, fixed: Sequence[Station], k: int) -> list[tuple[str, list[int], int]]:
    """``k`` guards on beats: (id, waypoint cells, guards) in the order they were added."""
    sites, D, w = geo.sites, geo.site_dist, geo.demand
    if len(sites) == 0 or k <= 0:
        return []
    cur = np.full(len(geo.ids), np.inf)
    covered: set[str] = set()
    for s in fixed:
        if s.responds:
            for c in s.start_cells():
                cur = np.minimum(cur, geo.dist_from(geo.index[c]))
                covered.add(s.level)
    site_level = [geo.level[c] for c in sites]
    level_demand: dict[str, float] = {}
    for i, lv in enumerate(geo.level):
        level_demand[lv] = level_demand.get(lv, 0.0) + float(w[i])
    levels = sorted(set(site_level), key=lambda lv: (-level_demand[lv], lv))

    def cost_with(base: np.ndarray, rows: np.ndarray) -> np.ndarray:
        # Σ_i w_i · min(base_i, D[s, i]) for every site row s (inf distances weigh 0
        # demand only where w = 0; unreachable demand counts a large penalty)
        m = np.minimum(base[None, :], D[rows])
        m = np.where(np.isfinite(m), m, 1e7)
        return (m * w[None, :]).sum(axis=1)

    chosen: list[int] = []  # positions in ``sites``
    for lv in levels:
        if len(chosen) >= k:
            break
        if lv in covered:
            continue
        rows = np.array([i for i, sl in enumerate(site_level) if sl == lv])
        j = int(rows[int(np.argmin(cost_with(cur, rows)))])
        chosen.append(j)
        cur = np.minimum(cur, D[j])
    all_rows = np.arange(len(sites))
    while len(chosen) < min(k, len(sites)):
        cost = cost_with(cur, all_rows)
        cost[chosen] = np.inf
        j = int(np.argmin(cost))
        chosen.append(j)
        cur = np.minimum(cur, D[j])
    chosen = _swap(geo, fixed, chosen, site_level, covered)
    guards = [1] * len(chosen)
    # more guards than cells: double up where a beat serves the most occupants
    if k > len(chosen):
        near = np.argmin(D[chosen], axis=0)
        served = np.array([w[near == i].sum() for i in range(len(chosen))])
        order = sorted(range(len(chosen)), key=lambda i: (-served[i], geo.ids[sites[chosen[i]]]))
        extra = k - len(chosen)
        t = 0
        while extra > 0:
            guards[order[t % len(order)]] += 1
            extra -= 1
            t += 1
    out = []
    for r, (j, g) in enumerate(zip(chosen, guards, strict=True)):
        centre = int(sites[j])
        lv = geo.level[centre]
        out.append((f"beat-{lv}-{r + 1:02d}", _beat_cells(geo, centre), g))
    return out


def _swap(geo: _Geo, fixed: Sequence[Station], chosen: list[int], site_level: list[str],
          covered_by_fixed: set[str]) -> list[int]:
    """Teitz–Bart vertex substitution: swap a beat to another site while it helps."""
    D, w = geo.site_dist, geo.demand
    base_fixed = np.full(len(geo.ids), np.inf)
    for s in fixed:
        if s.responds:
            for c in s.start_cells():
                base_fixed = np.minimum(base_fixed, geo.dist_from(geo.index[c]))

    def total(rows: list[int]) -> float:
        m = base_fixed.copy()
        for r in rows:
            m = np.minimum(m, D[r])
        m = np.where(np.isfinite(m), m, 1e7)
        return float((m * w).sum())

    best = total(chosen)
    for _ in range(MAX_SWAP_PASSES):
        improved = False
        for pos in range(len(chosen)):
            others = chosen[:pos] + chosen[pos + 1:]
            base = base_fixed.copy()
            for r in others:
                base = np.minimum(base, D[r])
            lv_out = site_level[chosen[pos]]
            keeps_level = lv_out in covered_by_fixed or any(site_level[r] == lv_out
                                                            for r in others)
            m = np.minimum(base[None, :], D)
            m = np.where(np.isfinite(m), m, 1e7)
            c = (m * w[None, :]).sum(axis=1)
            c[chosen] = np.inf
            if not keeps_level:  # the level must stay covered: swap within it
                c[[i for i, sl in enumerate(site_level) if sl != lv_out]] = np.inf
            j = int(np.argmin(c))
            if c[j] < best * (1 - 1e-9):
                chosen[pos] = j
                best = float(c[j])
                improved = True
        if not improved:
            break
    return chosen


def _beat_cells(geo: _Geo, centre: int) -> list[int]:
    """A beat: its centre and up to two neighbouring corridor/atrium cells on its level,
    those with the most design occupants within 30 m first (ties by cell id)."""
    lv = geo.level[centre]
    cand = [c for c in geo.nbrs[centre] if geo.level[c] == lv and geo.kind[c] in BEAT_KINDS]

    def near(c: int) -> float:
        d = geo.dist_from(c)
        return float(geo.demand[d <= 30.0].sum())

    cand.sort(key=lambda c: (-near(c), geo.ids[c]))
    return [centre, *cand[:2]]


# ---------------------------------------------------------------------- coverage
@dataclass(frozen=True)
class LevelCoverage:
    """How close the responding guards of one level's occupants are."""

    level: str
    sales_area_m2: float
    occupants: float
    """Design occupants of the level."""
    guards: dict[str, int]
    """Guards on the level by kind (post, patrol, beat)."""
    area_share: dict[float, float]
    """Threshold (s) → share of sales-hall area within it of a responding guard."""
    occupant_share: dict[float, float]
    mean_time_s: float
    """Design occupants' mean walking time to the nearest responding guard (s)."""


def coverage(dep: Deployment, net: Network, speed_mps: float,
             thresholds: Sequence[float] = COVERAGE_S) -> list[LevelCoverage]:
    """Coverage per sales level, then one row ``"all"`` for the whole mall."""
    geo = geometry(net)
    best = np.full(len(geo.ids), np.inf)
    for s in dep.stations:
        if s.responds:
            for c in s.start_cells():
                best = np.minimum(best, geo.dist_from(geo.index[c]))
    t = best / speed_mps
    by_level = dep.by_level()
    levels = [lv.id for lv in net.layout.levels]
    rows = []
    for lv in [*levels, "all"]:
        mask = np.array([lv == "all" or x == lv for x in geo.level]) & (geo.area > 0)
        a, d = geo.area[mask], geo.demand[mask]
        if a.sum() <= 0:
            continue
        tt = t[mask]
        g = ({k: sum(v[k] for v in by_level.values()) for k in ("post", "patrol", "beat")}
             if lv == "all" else by_level.get(lv, {"post": 0, "patrol": 0, "beat": 0}))
        finite = np.isfinite(tt)
        mean_t = float((tt * d).sum() / d.sum()) if finite.all() and d.sum() > 0 \
            else math.inf
        rows.append(LevelCoverage(
            lv, float(a.sum()), float(d.sum()), dict(g),
            {x: float(a[tt <= x].sum() / a.sum()) for x in thresholds},
            {x: float(d[tt <= x].sum() / d.sum()) if d.sum() > 0 else 0.0
             for x in thresholds},
            mean_t))
    return rows


# ---------------------------------------------------------------------- as a plan
def deployment_plan(plan: SecurityPlan, dep: Deployment, net: Network) -> dict[str, Any]:
    """The plan's mapping with its guards replaced by ``dep`` (posts with their openings
    and counts, patrols and beats as patrols with waypoints; ``deployment = "plan"``)."""
    raw = plan.model_dump(mode="json", by_alias=True, exclude={"source"},
                          exclude_none=True)
    by_id = {p.id: p for p in plan.guards.posts}
    posts = []
    for p in sorted(plan.guards.posts, key=lambda p: p.id):
        st = next((s for s in dep.stations if s.kind == "post" and s.id == p.id), None)
        posts.append({"id": p.id, "space": p.space, "role": p.role,
                      "count": st.count if st else 0,
                      **({"opening": st.opening} if st and st.opening else
                         ({"opening": by_id[p.id].opening} if by_id[p.id].opening else {}))})
    patrols = []
    for s in sorted((s for s in dep.stations if s.kind == "patrol"), key=lambda s: s.rank):
        src = next(p for p in plan.guards.patrols if p.id == s.id)
        d = src.model_dump(mode="json", exclude_defaults=True)
        d.update(id=src.id, route=list(src.route), count=s.count)
        patrols.append(d)
    patrols += beat_patrols(dep, net)
    g = dict(raw["guards"])
    g.update(total=dep.guards, deployment="plan", posts=posts, patrols=patrols)
    raw["guards"] = g
    return raw


def beat_patrols(dep: Deployment, net: Network) -> list[dict[str, Any]]:
    """The deployment's beats as ``[[guards.patrols]]`` tables (route spaces and the
    waypoint of each, so the loop is walked through the same cells)."""
    out = []
    for s in sorted((s for s in dep.stations if s.kind == "beat"), key=lambda s: s.rank):
        cells = [net.cells[c] for c in s.cells]
        out.append({"id": s.id, "route": [c.space for c in cells], "count": s.count,
                    "dwell_s": s.dwell_s,
                    "points": [[round(c.centroid[0], 2), round(c.centroid[1], 2)]
                               for c in cells]})
    return out
