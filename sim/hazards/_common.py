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

from sim.engine.replay import State
from sim.errors import ScenarioError
from sim.model.exterior import exterior_doors, is_outdoor_kind
from sim.model.security_plan import SecurityPlan
from sim.security.alarm import AlarmChain
from sim.security.staff import Member, Staff

if TYPE_CHECKING:
    from sim.engine.world import World

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


def exterior_openings(world: World) -> list[str]:
    """Openings between an indoor space and the outdoors (file order)."""
    return [o.id for o in exterior_doors(world.layout)]


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


def chain_of(world: World) -> AlarmChain:
    """The world's alarm chain (every run has one, with or without a security plan)."""
    chain = world.alarm_chain
    assert isinstance(chain, AlarmChain), "security starts before the hazards"
    return chain


def staff_of(world: World) -> Staff | None:
    """The world's staff (``None`` without a security plan)."""
    return chain_of(world).staff


def plan_of(world: World) -> SecurityPlan | None:
    """The world's security plan (``None`` without one)."""
    return chain_of(world).plan


# ---------------------------------------------------------------------- harm ledger
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
    led = world.harmed_by
    if person in led:
        return False
    world.remove(person, State.DEAD if fatal else State.INJURED)
    led[person] = (hazard, world.env.now)
    return True


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
def closed_portals(world: World) -> frozenset[int]:
    """Portals whose doors are closed now (lockdown, lost, chained)."""
    return frozenset(d.idx for d in world.doors if d.blocked)


def open_distances(world: World, src: int) -> np.ndarray:
    """Walking distances (m) from ``src`` over openings that are not closed.

    Threats cannot pass a closed door: a shop in lockdown or a lost opening is out of
    their reach (staff and police walk the all-openings view, which ignores closures).
    """
    return world.net.cell_graph.open_distances_from_m(src, closed_portals(world))


def open_path(world: World, src: int, dst: int) -> list[int]:
    """Cells from ``src`` to ``dst`` over openings that are not closed ([] if none)."""
    return world.net.cell_graph.open_path(src, dst, closed_portals(world))


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
    chain = chain_of(world)
    role = "guard" if chain.staff is not None else "occupant"
    chain.staff_perceived(inc, -1, role)
