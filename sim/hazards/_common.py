"""Helpers shared by the attack-type hazards (attack, vehicle, explosion, robbery, hostage,
sabotage): looking places up, harming people exactly once, walking threats over the
cell graph, perception and the replay entities.

Nothing here draws from global randomness: callers pass ``world.streams["attack"]`` or
``world.streams["hazard"]``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.engine.replay import State
from sim.errors import ScenarioError

if TYPE_CHECKING:
    from sim.engine.world import World
    from sim.security.staff import Member, Staff
    from sim.security.staffnet import CellGraph

#: States of people who are out of circulation (safe or already harmed).
GONE = (int(State.SAFE), int(State.DEAD), int(State.INCAPACITATED), int(State.INJURED))


# ---------------------------------------------------------------------- look-ups
def fail(world: World, field: str, reason: str) -> ScenarioError:
    """A one-line scenario error naming the hazard field."""
    return ScenarioError(reason, field=field, source=world.scenario.source)


def space_cells(world: World, space: str, field: str) -> list[int]:
    """Cell indices of ``space`` (raises a ScenarioError naming ``field`` if unknown)."""
    ids = world.net.cells_of_space.get(space)
    if not ids or space not in world.layout.spaces:
        raise fail(world, field, f"unknown space {space!r}")
    return [world.cell_index[c] for c in ids]


def opening_portal(world: World, opening: str, field: str) -> int:
    """The portal index of a layout opening."""
    if opening not in world.layout.openings:
        raise fail(world, field, f"unknown opening {opening!r}")
    pid = world.net.portal_of_opening(opening).id
    return world.portal_index[pid]


def is_outdoor_kind(kind: str) -> bool:
    """Exits and plazas are outdoors."""
    return kind in ("exit", "plaza")


def exterior_openings(world: World) -> list[str]:
    """Openings between an indoor space and the outdoors (file order)."""
    sp = world.layout.spaces
    return [o.id for o in world.layout.openings.values()
            if is_outdoor_kind(sp[o.a].kind) != is_outdoor_kind(sp[o.b].kind)]


def sides(world: World, opening: str) -> tuple[str, str]:
    """``(outdoor space, indoor space)`` of an exterior opening."""
    o = world.layout.openings[opening]
    sp = world.layout.spaces
    return (o.a, o.b) if is_outdoor_kind(sp[o.a].kind) else (o.b, o.a)


def default_entrance(world: World) -> str:
    """A main entrance (tagged ``main_entrance``), else the first exterior opening."""
    ext = exterior_openings(world)
    if not ext:
        raise fail(world, "hazards.entrance", "the layout has no exterior opening")
    sp = world.layout.spaces
    for oid in ext:
        o = world.layout.openings[oid]
        if "main_entrance" in o.tags:
            return oid
    for oid in ext:
        o = world.layout.openings[oid]
        if any("main_entrance" in sp[s].tags for s in (o.a, o.b)):
            return oid
    return ext[0]


def entrance_cells(world: World, opening: str, field: str) -> tuple[int, int]:
    """``(outdoor cell, indoor cell)`` on each side of an exterior opening's portal."""
    if opening not in world.layout.openings:
        raise fail(world, field, f"unknown opening {opening!r}")
    if opening not in exterior_openings(world):
        raise fail(world, field, f"{opening!r} is not an exterior opening (indoor ↔ outdoors)")
    q = opening_portal(world, opening, field)
    d = world.doors[q]
    out_space, _ = sides(world, opening)
    if world.cell_space[d.a] == out_space:
        return d.a, d.b
    return d.b, d.a


def neighbours(world: World, cell: int) -> list[int]:
    """Non-exit cells sharing an opening with ``cell``."""
    out = []
    for q in world.portals_of[cell]:
        d = world.doors[q]
        o = d.b if d.a == cell else d.a
        if not world.is_exit[o] and o not in out:
            out.append(o)
    return out


def staff_of(world: World) -> Staff | None:
    """The world's staff (``None`` without a security plan)."""
    chain = world.alarm_chain
    return getattr(chain, "staff", None) if chain is not None else None


def plan_of(world: World) -> Any:
    """The world's security plan (``None`` without one)."""
    chain = world.alarm_chain
    return chain.plan if chain is not None else None


# ---------------------------------------------------------------------- harm ledger
def ledger(world: World) -> dict[int, tuple[str, float]]:
    """Person → (hazard, time) for everyone a hazard of this module family harmed."""
    led = getattr(world, "_hazard_victims", None)
    if led is None:
        led = {}
        world._hazard_victims = led  # type: ignore[attr-defined]
    return led


def present_in(world: World, cells: Iterable[int]) -> list[int]:
    """People now in any of ``cells`` and still in circulation (not safe, not harmed)."""
    want = set(cells)
    if not any(world.count[c] > 0 for c in want):
        return []
    st, cell_of = world.state, world.cell_of
    return [i for i in range(world.n) if cell_of[i] in want and st[i] not in GONE]


def harm(world: World, person: int, hazard: str, *, fatal: bool) -> bool:
    """Take ``person`` out as a casualty once; False if already safe or harmed."""
    if world.state[person] in GONE:
        return False
    led = ledger(world)
    if person in led:
        return False
    world.remove(person, State.DEAD if fatal else State.INJURED)
    led[person] = (hazard, world.env.now)
    return True


def count_metric(world: World, key: str, k: int = 1) -> None:
    """Add ``k`` to an integer metric."""
    world.metrics[key] = int(world.metrics.get(key, 0)) + k


# ---------------------------------------------------------------------- perception
def alert(world: World, cells: Iterable[int], cue: str = "panic") -> int:
    """Cue the unaware people in ``cells`` (``panic``: they saw or heard it)."""
    people = world.unaware_in(list(cells))
    for i in people:
        world.cue(i, cue)
    return len(people)


def set_avoid(world: World, add: Iterable[int] = (), drop: Iterable[int] = ()) -> None:
    """Mark cells to avoid / no longer avoid with one routing recomputation."""
    changed = False
    for c in drop:
        if world.avoid[c]:
            world.avoid[c] = False
            changed = True
    for c in add:
        if not world.avoid[c]:
            world.avoid[c] = True
            changed = True
    if changed:
        world.router.recompute()


# ---------------------------------------------------------------------- walking
def cell_graph(world: World) -> CellGraph:
    """The staff's cell graph, or a fresh one without a security plan (cached)."""
    st = staff_of(world)
    if st is not None:
        return st.graph
    g = getattr(world, "_hazard_graph", None)
    if g is None:
        from sim.security.staffnet import CellGraph

        g = CellGraph(world)
        world._hazard_graph = g  # type: ignore[attr-defined]
    return g


def _open_matrix(world: World) -> csr_matrix:
    """The cell graph without blocked openings (cached per set of blocked doors)."""
    key = frozenset(d.idx for d in world.doors if d.blocked)
    cache = getattr(world, "_hazard_open", None)
    if cache is not None and cache[0] == key:
        return cache[1]
    g = cell_graph(world)
    n = len(world.cell_ids)
    best: dict[tuple[int, int], float] = {}
    for d in world.doors:
        if d.blocked or world.is_exit[d.a] or world.is_exit[d.b]:
            continue
        ln = max(g.edge_len.get((d.a, d.b), 1.0), 0.1)
        for uv in ((d.a, d.b), (d.b, d.a)):
            if uv not in best or ln < best[uv]:
                best[uv] = ln
    rows = [u for u, _ in best]
    cols = [v for _, v in best]
    m = csr_matrix((list(best.values()), (rows, cols)), shape=(n, n))
    world._hazard_open = (key, m)  # type: ignore[attr-defined]
    return m


def open_distances(world: World, src: int) -> np.ndarray:
    """Walking distances (m) from ``src`` over openings that are not blocked.

    Threats cannot pass a closed door: a shop in lockdown or a lost opening is out of
    their reach (staff and police still use :class:`CellGraph`, which ignores closures).
    """
    return dijkstra(_open_matrix(world), directed=True, indices=src)


def open_path(world: World, src: int, dst: int) -> list[int]:
    """Cells from ``src`` to ``dst`` over unblocked openings ([] if unreachable)."""
    if src == dst:
        return [src]
    # the graph is symmetric: the tree rooted at dst gives each cell's next step to dst
    dist, pred = dijkstra(_open_matrix(world), directed=True, indices=dst,
                          return_predecessors=True)
    if not np.isfinite(dist[src]):
        return []
    out = [src]
    c = src
    while c != dst:
        c = int(pred[c])
        if c < 0:
            return []
        out.append(c)
    return out


def hop_time(world: World, u: int, v: int, speed_mps: float) -> float:
    """Seconds to walk from cell ``u`` into ``v`` (slowed by the crowd in ``v``)."""
    return cell_graph(world).hop_time_s(u, v, speed_mps)


# ---------------------------------------------------------------------- replay
def add_entity(world: World, kind: str, label: str) -> int:
    """Register a replay entity (attacker, vehicle, robber, police...); its index."""
    idx = world.n + len(world.extra_entities)
    world.extra_entities.append((kind, label))
    return idx


def track(world: World, entity: int, cell: int, state: State,
          xy: tuple[float, float] | None = None) -> None:
    """Add a waypoint for a non-occupant entity (when the run records tracks)."""
    if not world.record_tracks:
        return
    x, y = xy if xy is not None else world.cell_centroid[cell]
    if math.isnan(x):
        x, y = 0.0, 0.0
    world.tracks.append((entity, world.env.now, x, y, world.cell_level[cell], int(state)))


# ---------------------------------------------------------------------- staff helpers
def free_responders(staff: Staff) -> list[Member]:
    """Guards and team members with no task (on post), patrols excluded.

    These have no SimPy process of their own, so a hazard can give them a task without
    two processes moving one person.
    """
    return [m for m in staff.members if m.role in ("guard", "team") and m.task == "post"
            and m.post != "patrol"]


def walk_member(world: World, staff: Staff, m: Member, target: int, state: State) -> Any:
    """Process body: walk staff member ``m`` to cell ``target`` (True on arrival)."""
    ok = yield from staff._walk_to(m, lambda: target, state)
    return ok


# ---------------------------------------------------------------------- alarm helpers
def heard(world: World, inc: Any) -> None:
    """A loud event (blast, crash) is reported at once: guards on the radio, or (without
    a security plan) a bystander's phone call; report delay as for a guard, 10 ± 5 s."""
    chain = world.alarm_chain
    role = "guard" if chain.staff is not None else "occupant"
    chain.staff_perceived(inc, -1, role)


def police_evacuation(world: World) -> None:
    """Without a security plan nobody sounds an alarm: when the police arrive they order
    a general evacuation (``alarm`` cue for everyone still unaware). Once per world."""
    if plan_of(world) is not None or getattr(world, "_police_evacuation", False):
        return
    world._police_evacuation = True  # type: ignore[attr-defined]

    def _wait() -> Any:
        while world.metrics.get("t_police_arrived_s") is None:
            yield world.env.timeout(5.0)
        world.mark("alarm", "police order a general evacuation")
        world.cue_all("alarm")

    world.env.process(_wait())
