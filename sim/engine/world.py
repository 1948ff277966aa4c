"""The state of one replication, and the movement of occupants through it.

Model (mesoscopic, queue-based; see ``docs/design.md``)
-------------------------------------------------------
Every occupant is a SimPy process: cue → pre-movement delay → for each hop: walk across
the current cell to the chosen opening at a speed set by the cell's density when they
enter it (SFPE or Weidmann, times the person's free speed, stair factors on stairs), then
pass the opening through a FIFO queue whose service headway is ``1 / (F_s · W_eff)``
(capped flow; a door onto a flight passes the smaller of the door's and the flight's
flow), stretched by ``J(D_c) / J(D)`` when the next cell is denser than the density of
maximum flow ``D_c`` (receiving side of the cell transmission model), entering the next
cell only while it is below jam density (blocking).

Openings are :class:`Door` objects with one queue per direction and no server process:
the head of a queue is woken at its turn (one SimPy event per queued passage) with a
place reserved for it in the next cell. A person who finds a door idle and the next cell
free passes at once (no extra event). When the next cell is full the door waits for a
departure from that cell. Deadlock (a cycle of full cells whose queue heads
each wait on the next) is detected by a watchdog and resolved by moving the heads of
the cycle simultaneously, which keeps every occupancy unchanged; each resolution is
counted in ``deadlocks_resolved``.

All state lives on the :class:`World`; nothing is global. The core never prints, draws
or opens files.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any

import networkx as nx
import numpy as np
import simpy
from simpy.events import NORMAL

from sim.engine import movement as mv
from sim.engine.collaborators import AlarmService, HazardRun, Signals
from sim.engine.graphs import Network
from sim.engine.metrics import MetricCollector
from sim.engine.process import OccupantProcess
from sim.engine.replay import State
from sim.engine.rng import Streams
from sim.engine.routing import Router
from sim.errors import ScenarioError
from sim.model import assumptions
from sim.model.layout import Layout
from sim.model.scenario import PremovementDist, Scenario

INF = math.inf
_UNAWARE, _MOVING, _QUEUING, _SHELTERING, _SAFE = (
    int(State.UNAWARE), int(State.MOVING), int(State.QUEUING), int(State.SHELTERING),
    int(State.SAFE))
_REL_STEPS = 20_000
"""Entries of the relative-speed table (0.001 persons/m² apart)."""
class Wake(Enum):
    """What a queued person learns when woken (their event's value, or
    :meth:`Door.head_wake`'s answer)."""

    GO = "go"
    """Their turn at the door has come (the head then calls :meth:`Door.head_wake`)."""
    PASSED = "passed"
    """They are through the door (by their turn, or moved by the deadlock watchdog)."""
    WAIT = "wait"
    """Not yet (the next cell is full): they wait on a new event."""
    BLOCKED = "blocked"
    """The door was closed: they choose another way."""


_GO, _PASSED, _WAIT, _BLOCKED = Wake.GO, Wake.PASSED, Wake.WAIT, Wake.BLOCKED
COUNTERFLOW_FACTOR = 0.7
"""Speed factor of staff, attackers and police walking against a moving crowd
(assumption, see :meth:`World.hop_time_s`)."""


@dataclass(slots=True)
class Mark:
    """A timeline event of the run (alarm, first responder, ...)."""

    t: float
    kind: str
    label: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class QueueEntry:
    """One person waiting at a door, toward one side.

    ``event`` is what the person waits on; it succeeds with a :class:`Wake` value. A head
    whose turn has come is woken with :data:`GO` and then calls :meth:`Door.head_wake`;
    ``forced`` marks a head the deadlock watchdog moved through while its wake-up was
    already scheduled (that wake-up then finds it passed).
    """

    __slots__ = ("event", "forced", "frm", "person", "t", "to")

    def __init__(self, t: float, person: int, frm: int, to: int, event: simpy.Event) -> None:
        self.t = t
        """Time (s) the person joined the queue."""
        self.person, self.frm, self.to = person, frm, to
        self.event = event
        self.forced = False


class Door:
    """A portal between cells ``a`` and ``b`` with a capped flow and two FIFO queues.

    There is no server process: the person at the head of a queue is woken at the time
    the door can next serve (``next_free``), passes, and wakes the next head. A queued
    passage therefore costs one SimPy event. A head is scheduled only when the next cell
    has room, and that room is reserved for it (``World.incoming``) until it wakes, so the
    wake-up is not wasted on a cell that another door filled in the meantime (the person
    is already stepping through; the reservation lasts at most one headway). When no head
    can go (every target cell is full) the door waits on those cells; a departure there
    kicks it.
    """

    __slots__ = ("a", "at", "b", "base_headway", "blocked", "headway", "idx", "level",
                 "max_queue", "next_free", "passes", "pending", "queues", "waiting", "width_m",
                 "world")

    def __init__(self, world: World, idx: int, a: int, b: int, headway_to_b: float,
                 headway_to_a: float, at: tuple[float, float], level: int,
                 width_m: float) -> None:
        self.world = world
        self.idx, self.a, self.b = idx, a, b
        self.headway = (headway_to_b, headway_to_a)
        self.base_headway = self.headway
        """Headways from the geometry alone (hazards and guards change ``headway``)."""
        self.at, self.level, self.width_m = at, level, width_m
        self.next_free = 0.0
        self.queues: tuple[deque[QueueEntry], deque[QueueEntry]] = (deque(), deque())
        self.pending: QueueEntry | None = None
        """The queue entry whose wake-up is scheduled (at most one at a time)."""
        self.waiting = False
        """True while every queue head waits for room in a full cell."""
        self.blocked = False
        self.passes = 0
        self.max_queue = 0

    def queue_length(self) -> int:
        """Persons waiting in both directions."""
        return len(self.queues[0]) + len(self.queues[1])

    def _room(self, to: int) -> bool:
        return self.world.has_room(to)

    def try_pass(self, person: int, frm: int, to: int) -> bool:
        """Pass at once if nobody queues, the door is free and ``to`` has room."""
        w = self.world
        now = w.env._now
        if (self.queues[0] or self.queues[1] or now < self.next_free or self.blocked
                or not self._room(to)):
            return False
        d = 0 if to == self.b else 1
        self.next_free = now + self.headway[d] * w.supply_headway_factor(to)
        self.passes += 1
        w.move(person, frm, to, self.idx)
        return True

    def enqueue(self, person: int, frm: int, to: int) -> QueueEntry:
        """Join the queue toward ``to``; returns the entry (wait on ``entry.event``)."""
        w = self.world
        d = 0 if to == self.b else 1
        entry = QueueEntry(w.env._now, person, frm, to, simpy.Event(w.env))
        self.queues[d].append(entry)
        w.queued[frm] += 1
        if w.waiters[frm]:
            w.wake_waiters(frm)  # one walker fewer in frm: room for another to walk in
        n = len(self.queues[0]) + len(self.queues[1])
        if n > self.max_queue:
            self.max_queue = n
        if self.pending is None:
            self.kick()
        return entry

    def kick(self) -> None:
        """Schedule the next head that can go, or wait for room in the full cells."""
        if self.pending is not None or self.blocked:
            return
        q0, q1 = self.queues
        w = self.world
        # World.has_room, inlined: this runs a quarter of a million times in the grand drill
        count, incoming, cap, wcap, queued = w.count, w.incoming, w.cap, w.wcap, w.queued
        best = None
        if q0:
            to = q0[0].to
            n = count[to] + incoming[to]
            if n < cap[to] and n - queued[to] < wcap[to]:
                best = q0
        if q1:
            to = q1[0].to
            n = count[to] + incoming[to]
            if n < cap[to] and n - queued[to] < wcap[to] and (
                    best is None or q1[0].t < q0[0].t):
                best = q1
        if best is None:
            for q in (q0, q1):
                if q:
                    self.waiting = True
                    ws = w.waiters[q[0].to]
                    if self not in ws:
                        ws.append(self)
            return
        entry = best[0]
        self.pending = entry
        incoming[entry.to] += 1
        ev = entry.event
        # schedule the head's own event for the time the door is free (as Timeout does)
        ev._ok = True
        ev._value = _GO
        w.env.schedule(ev, NORMAL, max(0.0, self.next_free - w.env._now))

    def head_wake(self, entry: QueueEntry) -> Wake:
        """The head woke at its turn: :data:`PASSED <Wake.PASSED>`, :data:`WAIT
        <Wake.WAIT>` (on a new event) or :data:`BLOCKED <Wake.BLOCKED>`."""
        w = self.world
        if self.pending is entry:
            self.pending = None
            w.incoming[entry.to] -= 1
        if self.blocked:
            return _BLOCKED
        d = 0 if entry.to == self.b else 1
        q = self.queues[d]
        now = w.env._now
        if q and q[0] is entry and self._room(entry.to) and now >= self.next_free - 1e-12:
            q.popleft()
            w.queued[entry.frm] -= 1
            self.next_free = now + self.headway[d] * w.supply_headway_factor(entry.to)
            self.passes += 1
            w.move(entry.person, entry.frm, entry.to, self.idx)
            self.kick()
            return _PASSED
        entry.event = w.env.event()
        self.kick()
        return _WAIT

    def close(self) -> None:
        """Block the door: every queued person is sent back to choose another way."""
        self.blocked = True
        for q in self.queues:
            while q:
                entry = q.popleft()
                self.world.queued[entry.frm] -= 1
                if entry is self.pending:
                    self.world.incoming[entry.to] -= 1
                    continue  # its wake-up is scheduled; head_wake will say BLOCKED
                entry.event.succeed(_BLOCKED)
        self.pending = None

    def drop(self, person: int) -> None:
        """Take a person out of the queue (a casualty)."""
        for q in self.queues:
            for entry in q:
                if entry.person == person:
                    q.remove(entry)
                    self.world.queued[entry.frm] -= 1
                    if entry is self.pending:
                        self.pending = None
                        self.world.incoming[entry.to] -= 1
                        self.kick()
                    return

    def force_pass_head(self, d: int) -> None:
        """Let the head of direction ``d`` through regardless of room (deadlock rotation)."""
        entry = self.queues[d].popleft()
        self.world.queued[entry.frm] -= 1
        self.passes += 1
        if entry is self.pending:
            self.world.incoming[entry.to] -= 1
        self.world.move(entry.person, entry.frm, entry.to, self.idx)
        if entry is self.pending:
            self.pending = None
            entry.forced = True  # its scheduled wake-up will find it passed
        else:
            entry.event.succeed(_PASSED)
        self.waiting = False
        self.kick()


class World:
    """Everything one replication needs; many Worlds may run side by side.

    Parameters
    ----------
    scenario : Scenario
        Validated scenario.
    layout : Layout
        Validated layout.
    network : Network
        Cells, portals and graphs of ``layout``.
    streams : Streams
        Named random streams from the run's seed.
    record_tracks : bool
        Keep waypoints for a replay file (costs memory; off for batches).
    """

    def __init__(self, scenario: Scenario, layout: Layout, network: Network, streams: Streams,
                 *, record_tracks: bool = False) -> None:
        self.env = simpy.Environment()
        self.scenario, self.layout, self.net, self.streams = scenario, layout, network, streams
        self.params: dict[str, float] = assumptions.resolve(scenario.assumptions)
        """This run's assumptions (register defaults with the scenario's overrides)."""
        self.record_tracks = record_tracks
        mvs = scenario.movement
        self.speed_model: mv.SpeedModel = scenario.population.speed_model
        self.marks: list[Mark] = []
        self.metrics = MetricCollector()
        self.deadlocks_resolved = 0
        self.on_move: list[Callable[[int, int, int, int], None]] = []

        # ---- cells
        self.cell_ids: list[str] = list(network.cells)
        self.cell_index = {c: i for i, c in enumerate(self.cell_ids)}
        cells = [network.cells[c] for c in self.cell_ids]
        self.level_ids = layout.level_ids()
        lvl_index = {lv: i for i, lv in enumerate(self.level_ids)}
        self.level_elev = [layout.level(lv).elevation_m for lv in self.level_ids]
        self.area = [_walking_area_m2(c, layout) for c in cells]
        """Floor area people stand on (m²): plan area, or a flight's sloped surface."""
        self.is_exit = [c.is_exit for c in cells]
        self.is_stair = [c.is_stair for c in cells]
        self.cell_kind = [c.kind for c in cells]
        self.cell_space = [c.space for c in cells]
        self.cell_level = [lvl_index[c.level] for c in cells]
        self.jam_pm2 = [mvs.jam_density_pm2] * len(cells)
        self.cap = [10**9 if c.is_exit else max(1, int(a * mvs.jam_density_pm2))
                    for c, a in zip(cells, self.area, strict=True)]
        d_flow = mv.max_flow_density_pm2(self.speed_model)
        d_walk = min(d_flow, mvs.jam_density_pm2)
        self.wcap = [10**9 if c.is_exit else max(1, int(a * d_walk))
                     for c, a in zip(cells, self.area, strict=True)]
        """Most people that may be *walking* in a cell: area × the density of maximum flow.

        Admission into a cell needs both room below jam density (``cap``, everyone counts)
        and fewer walkers than this (people standing in the cell's door queues do not count).
        This is the hydraulic model's rule that the flow entering an element cannot exceed
        what the element carries: without it a stair fills with walkers at jam density and
        carries a fraction of its capacity (the capacity drop of pure speed–density models).
        """
        self.base_cap = list(self.cap)
        self.base_wcap = list(self.wcap)
        """Jam capacities from the geometry alone (pushing crowds change ``cap``)."""
        self.count = [0] * len(cells)
        self.queued = [0] * len(cells)
        """People of each cell standing in a door queue (they do not slow the walkers)."""
        self.incoming = [0] * len(cells)
        """Places in each cell reserved for a queue head whose passage is scheduled."""
        self.waiters: list[list[Door]] = [[] for _ in cells]
        self.cell_centroid = [c.centroid for c in cells]
        self.inv_area_milli = [1000.0 / a if a > 0 else 0.0 for a in self.area]
        # relative walking speed tabulated every 0.001 persons/m² (0–20 p/m²)
        self.rel_table = _relative_speed_table(self.speed_model)
        self.rel_floor = mv.relative_speed(_REL_STEPS / 1000.0, self.speed_model)
        self.supply_table = _supply_factor_table(self.speed_model)
        self.supply_floor = self.supply_table[-1]
        self.speed_factor = [1.0] * len(cells)
        """Extra multiplier on walking speed per cell (smoke sets it below 1)."""
        self.avoid = [False] * len(cells)
        """Cells people avoid when another way exists (smoke-logged)."""
        self.turned_back: set[int] = set()
        """People who reached an opening into an avoided cell and took another way."""
        self._turned_at: set[tuple[int, int]] = set()
        """(person, portal) pairs already turned back from: a person turns back from an
        opening once; if every other way leads back to it, they go through."""
        self.kept: set[int] = set()
        """People staff keep where they are (shop officers during a crush): cues do not
        move them until staff let them go."""

        # ---- portals
        self.portal_ids: list[str] = list(network.portals)
        self.portal_index = {p: i for i, p in enumerate(self.portal_ids)}
        self.doors: list[Door] = []
        self.portals_of: list[list[int]] = [[] for _ in cells]
        for i, pid in enumerate(self.portal_ids):
            p = network.portals[pid]
            a, b = self.cell_index[p.a], self.cell_index[p.b]
            h_ab, h_ba = self._headways(p.width_m, a, b, lvl_index[p.level], p.virtual)
            self.doors.append(Door(self, i, a, b, h_ab, h_ba, p.at, lvl_index[p.level],
                                   p.width_m))
            self.portals_of[a].append(i)
            self.portals_of[b].append(i)
        self.portal_opening = [network.portals[p].opening for p in self.portal_ids]
        self.exit_portals = [self.portal_index[p] for p in network.exit_portals]
        self.within = network.within_by_index
        """Walking distance (m) between portals ``x`` and ``y`` of cell ``c``, keyed
        ``(c, x, y)`` (shared by every world of the network: read-only)."""
        self._stair_dir_factor_cache: dict[tuple[int, int, int], float] = {}

        # ---- routing
        self.router = Router(self)

        # ---- occupants (filled by sim.engine.population)
        self.n = 0
        self.cell_of: list[int] = []
        self.xy: list[tuple[float, float]] = []
        self.v0: list[float] = []
        self.stair_up: list[float] = []
        self.stair_down: list[float] = []
        self.state: list[int] = []
        self.gen: list[int] = []
        self.start_at: list[float] = []
        self.target: list[int] = []
        self.t_start: list[float] = []
        self.t_safe: list[float] = []
        self.exit_used: list[int] = []
        self.cue_kind: list[str] = []
        self.harm: list[int] = []
        self.start_cell: list[int] = []
        self.queued_at: list[int] = []
        self.proc: list[OccupantProcess | None] = []
        """Each person's process while it waits to start (``None`` before the first cue and
        once moving), so that an earlier cue can cancel it."""
        # move log, flat: t, person, portal, from, to per passage (columns after the run);
        # a flat list of numbers is cheaper to fill than a list of tuples, and holds
        # nothing the garbage collector has to track
        self.log: list[float] = []
        # waypoints for the replay: (entity, t, x, y, level, state)
        self.tracks: list[tuple[int, float, float, float, int, int]] = []
        self.extra_entities: list[tuple[str, str]] = []
        self.removed_t: list[float] = []
        self.removed_cell: list[int] = []
        self.hazards_active = 0
        """Hazards and responses still unfolding; the run ends only when this is 0."""
        self.signals = Signals(self.env)
        """Events processes wait for (alarm sounded, police arrived, attack stopped)."""
        self.alarm_chain: AlarmService | None = None
        """The alarm chain (:class:`sim.security.alarm.AlarmChain`), set when security
        starts (with or without a plan)."""
        self.hazards: list[HazardRun] = []
        """The hazards acting in this world, in start order (metrics, replay series)."""
        self.harmed_by: dict[int, tuple[str, float]] = {}
        """Person → (hazard kind, time) for everyone a hazard harmed, once each."""
        self.directed: dict[int, int] = {}
        """Cell → exit portal named by a guard directing evacuees there."""
        self.replay_meta: dict[str, Any] = {}
        self.closed_from_start: set[int] = set()
        """Portals closed for the whole run (not part of the building's capacity)."""
        self.unaware_by_cell: list[list[int]] = []
        self.compliance = 1.0
        """Share of people who follow a guard's or PA's directions (panic lowers it)."""
        self.obey_u: list[float] = []
        self.moves = 0
        self.evacuated = 0
        self.casualties = 0
        self._premove_fn: dict[tuple[str, str], Callable[[int], float]] = {}
        self._cue_z: dict[str, np.ndarray] = {}
        self._explicit = scenario.premovement.explicit

    # ------------------------------------------------------------------ assumptions
    def param(self, key: str) -> float:
        """This run's value of assumption ``key`` (the override, else the default).

        Read it once when a hazard or subsystem starts, not in inner loops.
        """
        try:
            return self.params[key]
        except KeyError:
            raise KeyError(assumptions.unknown_key_message(key)) from None

    def fill(self, spec: Any, fields: dict[str, Any]) -> Any:
        """``spec`` (a frozen pydantic model) with each field in ``fields`` that is
        ``None`` set to this run's value of its assumption (field → key or
        :class:`~sim.model.assumptions.Assumption`)."""
        upd = {f: self.param(getattr(k, "key", k)) for f, k in fields.items()
               if getattr(spec, f) is None}
        return spec.model_copy(update=upd) if upd else spec

    # ------------------------------------------------------------------ flows
    def _headways(self, width_m: float, a: int, b: int, level: int,
                  virtual: bool) -> tuple[float, float]:
        """Service headway (s/person) of a portal toward ``b`` and toward ``a``."""
        mvs = self.scenario.movement
        out = []
        for frm, to in ((a, b), (b, a)):
            if mvs.flow == "empirical":
                flow = mv.EMPIRICAL_FS * width_m
            else:
                weff = mv.effective_width_m(width_m, "corridor" if virtual else "door")
                flow = mv.SFPE_FS_MAX_LEVEL * weff
            stair = to if self.is_stair[to] else frm if self.is_stair[frm] else None
            if stair is not None:
                # SFPE transition rule F = min(F_door, F_stair): the opening and the flight
                # are two elements, each with its own boundary layer and specific flow; the
                # flight's capacity scales with the flight's own clear width
                space = self.layout.spaces[self.cell_space[stair]]
                if mvs.stairs == "imo":
                    going_up = self._stair_going_up(stair, level, entering=(to == stair))
                    fs = mv.IMO_FS_STAIR_UP if going_up else mv.IMO_FS_STAIR_DOWN
                else:
                    fs = mv.sfpe_stair_constants(space.riser_mm, space.tread_mm)[1]
                flow = min(flow, fs * mv.effective_width_m(space.clear_width_m, "stair"))
            out.append(1.0 / max(flow, 1e-6))
        return out[0], out[1]

    def _stair_going_up(self, stair: int, level: int, *, entering: bool) -> bool:
        space = self.layout.spaces[self.cell_space[stair]]
        elev = [self.layout.level(lv).elevation_m for lv in space.levels]
        here = self.level_elev[level]
        other = max(elev) if abs(here - min(elev)) < abs(here - max(elev)) else min(elev)
        return (other > here) if entering else (other < here)

    # ------------------------------------------------------------------ state changes
    def move(self, person: int, frm: int, to: int, portal: int) -> None:
        """Move a person across ``portal`` from cell ``frm`` to cell ``to`` (now)."""
        count = self.count
        count[frm] -= 1
        count[to] += 1
        self.cell_of[person] = to
        self.moves += 1
        self.log.extend((self.env._now, person, portal, frm, to))
        if self.waiters[frm]:
            self.wake_waiters(frm)
        if self.on_move:
            for hook in self.on_move:
                hook(person, frm, to, portal)

    def log_columns(self) -> dict[str, np.ndarray]:
        """The move log as columns: t (s), person, portal, from and to (cell indices)."""
        if not self.log:
            z = np.zeros(0, np.int32)
            return {"t": np.zeros(0), "person": z, "portal": z, "from": z, "to": z}
        a = np.array(self.log, dtype=np.float64).reshape(-1, 5)
        return {"t": a[:, 0], "person": a[:, 1].astype(np.int32),
                "portal": a[:, 2].astype(np.int32), "from": a[:, 3].astype(np.int32),
                "to": a[:, 4].astype(np.int32)}

    def close_openings(self, opening_ids: Iterable[str], *, field: str) -> None:
        """Close layout openings for the whole run (locked exits, geometry sweeps).

        Raises
        ------
        ScenarioError
            When an opening is unknown, or closing them strands a space with people
            able to be in it (a space that can no longer reach any exit).
        """
        qs = []
        for oid in opening_ids:
            if oid not in self.portal_index:
                raise ScenarioError(f"unknown opening {oid!r}", field=field,
                                    source=self.scenario.source)
            qs.append(self.portal_index[oid])
        for q in qs:
            self.doors[q].close()
        self.router.block_many(qs)
        self.closed_from_start.update(qs)
        stranded = [self.cell_space[c] for c in range(len(self.cell_ids))
                    if not self.is_exit[c] and self.area[c] > 0
                    and not any(self.router.Dmin_list[q] < INF for q in self.portals_of[c]
                                if q not in self.router.blocked)]
        if stranded:
            raise ScenarioError(f"closing {', '.join(opening_ids)} leaves "
                                f"{stranded[0]!r} with no way to an exit", field=field,
                                source=self.scenario.source)

    def cells_and_exposed(self, *, injured_exposed: bool = True
                          ) -> tuple[np.ndarray, np.ndarray]:
        """Everyone's cell index, and a mask of those still inside and unharmed.

        ``injured_exposed=False`` also leaves out people already marked injured.
        """
        cell_of = np.fromiter(self.cell_of, dtype=np.int64, count=self.n)
        state = np.fromiter(self.state, dtype=np.int64, count=self.n)
        out = (state == State.SAFE) | (state == State.INCAPACITATED) | (state == State.DEAD)
        if not injured_exposed:
            out |= state == State.INJURED
        return cell_of, ~out

    def hop_time_s(self, u: int, v: int, speed_mps: float) -> float:
        """Time (s) for a walker who is not an occupant to go from cell ``u`` into ``v``.

        Staff, attackers and police do not queue at doors and do not count toward a
        cell's jam capacity (they are few and squeeze past); they are slowed by the crowd
        instead: in a cell of density ``D`` they move at ``v · relative_speed(D)`` (SFPE),
        and at :data:`COUNTERFLOW_FACTOR` of that when people there are moving (walking
        against the evacuating crowd). The distance is the cell graph's link
        (:attr:`sim.engine.graphs.Network.cell_graph`).
        """
        d = self.net.cell_graph.edge_len.get((u, v), 1.0)
        dens = self.count[v] / self.area[v] if self.area[v] > 0 else 0.0
        f = mv.relative_speed(dens, "sfpe")
        if dens > 0.5 and self.evacuated < self.n:
            f *= COUNTERFLOW_FACTOR
        return d / max(speed_mps * f * self.speed_factor[v], 0.05)
    def supply_headway_factor(self, cell: int) -> float:
        """Headway multiplier (≥ 1) of a passage into ``cell`` at its present density.

        The receiving side of the cell transmission model (Daganzo 1994): a cell denser
        than the density of maximum flow ``D_c`` accepts only the flow its crowd carries,
        ``J(D) = D·v(D)``, so an opening into it passes ``J(D_c) / J(D)`` times slower.
        A queue upstream of a bottleneck therefore settles on the congested branch of the
        fundamental diagram (the upper root of ``J(D)·W = F``) instead of packing at jam
        density, and a dense crowd in a corridor moves at ``J(D)``. Below ``D_c`` the
        factor is 1, and so it is in a cell without orderly admission (``wcap`` raised to
        ``cap``: a pushing crowd, :mod:`sim.hazards.crush`), where people force their way
        in regardless of the flow the crowd carries.
        """
        if self.wcap[cell] >= self.cap[cell]:
            return 1.0
        k = int(self.count[cell] * self.inv_area_milli[cell])
        return self.supply_table[k] if k < _REL_STEPS else self.supply_floor

    def has_room(self, cell: int) -> bool:
        """Whether one more person may enter ``cell`` now.

        Below jam density counting everyone and the places reserved for scheduled queue
        heads, and fewer walkers than the density of maximum flow allows (``wcap``).
        """
        n = self.count[cell] + self.incoming[cell]
        return n < self.cap[cell] and n - self.queued[cell] < self.wcap[cell]

    def wake_waiters(self, cell: int) -> None:
        """Wake the doors waiting for room in ``cell``, in the order they began to wait.

        Waking stops once ``cell`` is full again (a woken door reserved the place): the
        doors not yet woken keep waiting, in order, behind those that found no room.
        """
        ws = self.waiters[cell]
        if ws:
            self.waiters[cell] = []
            for k, d in enumerate(ws):
                d.waiting = False
                d.kick()
                if k + 1 < len(ws) and not self.has_room(cell):
                    waiting = self.waiters[cell]  # those woken in vain, then the rest
                    for r in ws[k + 1:]:
                        r.waiting = True
                        if r not in waiting:
                            waiting.append(r)
                    return

    def remove(self, person: int, state: State) -> None:
        """Take a person out of circulation where they stand (casualty)."""
        c = self.cell_of[person]
        if self.state[person] in (State.SAFE, State.DEAD, State.INCAPACITATED):
            return
        self.state[person] = int(state)
        self.gen[person] += 1
        self.casualties += 1
        qd = self.queued_at[person]
        if qd >= 0:
            self.doors[qd].drop(person)
            self.queued_at[person] = -1
        self.count[c] -= 1
        self.removed_t.append(self.env.now)
        self.removed_cell.append(c)
        self.wake_waiters(c)
        if self.record_tracks:
            x, y = self.position_of(person)
            self.tracks.append((person, self.env.now, x, y, self.cell_level[c], int(state)))

    def position_of(self, person: int) -> tuple[float, float]:
        """Best known position of a person (their last waypoint or cell centroid)."""
        c = self.cell_of[person]
        if c == self.start_cell[person]:
            return self.xy[person]
        cx, cy = self.cell_centroid[c]
        return (cx, cy) if not math.isnan(cx) else self.xy[person]

    def mark(self, kind: str, label: str = "", **data: Any) -> None:
        """Record a timeline event at the current time."""
        self.marks.append(Mark(self.env.now, kind, label, dict(data)))

    # ------------------------------------------------------------------ cues
    def _premove_sampler(self, cue: str, kind: str) -> Callable[[int], float]:
        key = (cue, kind)
        fn = self._premove_fn.get(key)
        if fn is None:
            z = self._cue_z.get(cue)
            if z is None:
                # one standard normal per person and cue, from the cue's own stream:
                # person i's delay after cue c depends only on the seed, i and c, so a
                # device that cues other people (or cues in another order) leaves it alone
                z = self.streams.child("person", "premovement", cue).standard_normal(self.n)
                self._cue_z[cue] = z
            fn = _sampler(self.scenario.cue_dist(cue, kind, self.params), z.tolist())
            self._premove_fn[key] = fn
        return fn

    def cue(self, person: int, cue: str, *, delay_s: float | None = None) -> None:
        """Give ``person`` a cue now; they start after that cue's pre-movement delay.

        A cue that would start the person earlier than an earlier cue did replaces it;
        people already moving, safe or harmed are not affected.
        """
        st = self.state[person]
        if st != _UNAWARE and st != _SHELTERING:
            return
        if self.kept and person in self.kept:
            return
        if delay_s is None:
            explicit = self._explicit.get(str(person)) if self._explicit else None
            if explicit is not None:
                delay_s = explicit
            else:
                delay_s = self._premove_sampler(cue, self.cell_kind[self.cell_of[person]])(person)
        start = self.env._now + delay_s
        if start >= self.start_at[person]:
            return
        self.start_at[person] = start
        self.cue_kind[person] = cue
        old = self.proc[person]
        if old is not None and old.restart_in(delay_s):
            return  # not started yet: the same process, an earlier start
        self.gen[person] += 1
        if st == _SHELTERING:
            self.state[person] = _UNAWARE
        if old is not None:
            old.cancel()
        self.proc[person] = OccupantProcess(self.env, self._occupant(person, self.gen[person]),
                                            delay_s)

    def cue_all(self, cue: str, people: Iterable[int] | None = None) -> int:
        """Cue many people; returns how many were still unaware."""
        n = 0
        st = self.state
        for i in range(self.n) if people is None else people:
            if st[i] == _UNAWARE:
                n += 1
                self.cue(i, cue)
        return n

    def unaware_in(self, cells: Iterable[int]) -> list[int]:
        """People still unaware (so still where they started) in any of ``cells``."""
        out: list[int] = []
        st = self.state
        by_cell = self.unaware_by_cell
        for c in cells:
            if by_cell[c]:
                # people who have started never return to where they started: drop them
                by_cell[c] = [i for i in by_cell[c] if st[i] == _UNAWARE]
                out.extend(by_cell[c])
        return out

    def avoid_cell(self, cell: int) -> None:
        """Route people around ``cell`` when another way exists (smoke, a threat)."""
        if not self.avoid[cell]:
            self.avoid[cell] = True
            self.router.recompute()

    def people_in_cells(self, cells: Iterable[int]) -> list[int]:
        """Indices of people now in any of ``cells`` (not safe, not removed)."""
        wanted = set(cells)
        return [i for i in range(self.n) if self.cell_of[i] in wanted
                and self.state[i] not in (State.SAFE, State.DEAD, State.INCAPACITATED)]

    # ------------------------------------------------------------------ occupant process
    def _occupant(self, i: int, gen: int) -> Any:
        """The movement of person ``i`` from the end of their pre-movement delay."""
        env = self.env
        gens, state = self.gen, self.state
        if gens[i] != gen:
            return
        self.proc[i] = None  # nothing cancels a started process: let it be freed when done
        state[i] = _MOVING
        self.t_start[i] = env._now
        router = self.router
        doors = self.doors
        rec = self.record_tracks
        timeout = env.timeout
        count, queued, inv_area = self.count, self.queued, self.inv_area_milli
        rel_table, rel_floor, speed_factor = self.rel_table, self.rel_floor, self.speed_factor
        avoid = self.avoid
        is_stair, is_exit, level_elev = self.is_stair, self.is_exit, self.level_elev
        v0 = self.v0[i]
        cell = self.cell_of[i]
        x, y = self.position_of(i)
        if rec:
            self.tracks.append((i, env.now, x, y, self.cell_level[cell], _MOVING))
        q, dist = router.first_hop(i, cell, x, y, -1)
        p_in = -1
        while True:
            if q < 0:  # no way out: wait where they are, retry later
                state[i] = _SHELTERING
                yield timeout(30.0)
                if gens[i] != gen:
                    return
                state[i] = _MOVING
                x, y = self.position_of(i)
                q, dist = router.first_hop(i, cell, x, y, -1)
                continue
            # walk across the cell at the speed its density allows; walkers are slowed by
            # the people walking with them, not by those already queued at the cell's
            # doors (the queue throttles them at the door instead)
            k = int((count[cell] - queued[cell]) * inv_area[cell])
            v = (rel_table[k] if k < _REL_STEPS else rel_floor) * speed_factor[cell]
            if is_stair[cell]:
                up = p_in >= 0 and level_elev[doors[q].level] > level_elev[doors[p_in].level]
                v *= self.stair_up[i] if up else self.stair_down[i]
            else:
                v *= v0
            yield timeout(dist / (v if v > 1e-3 else 1e-3))
            if gens[i] != gen:
                return
            door = doors[q]
            to = door.b if cell == door.a else door.a
            if door.blocked:
                q, dist = router.first_hop(i, cell, door.at[0], door.at[1], q)
                continue
            if avoid[to] and not avoid[cell] and (i, q) not in self._turned_at:
                # facing dense smoke (or a threat) at the opening: turn back when another
                # way out crosses no avoided cell (once per opening; with no such way, on)
                q2, d2 = router.clear_way(cell, door.at[0], door.at[1], q)
                if q2 >= 0:
                    self.turned_back.add(i)
                    self._turned_at.add((i, q))
                    q, dist = q2, d2
                    continue
            if not door.try_pass(i, cell, to):
                if rec:
                    qx, qy = self._queue_xy(door, cell)
                    self.tracks.append((i, env._now, qx, qy, door.level, _QUEUING))
                state[i] = _QUEUING
                self.queued_at[i] = q
                entry = door.enqueue(i, cell, to)
                while True:
                    res = yield entry.event
                    if gens[i] != gen:
                        return
                    if res is _GO and not entry.forced:
                        res = door.head_wake(entry)
                        if res is _WAIT:
                            continue
                    break
                self.queued_at[i] = -1
                state[i] = _MOVING
                if res is _BLOCKED:
                    q, dist = router.first_hop(i, cell, door.at[0], door.at[1], q)
                    continue
            if rec:
                self.tracks.append((i, env.now, door.at[0], door.at[1], door.level,
                                    _MOVING))
            if is_exit[to]:
                state[i] = _SAFE
                self.t_safe[i] = env._now
                self.exit_used[i] = q
                self.evacuated += 1
                if rec:
                    self.tracks.append((i, env.now, door.at[0], door.at[1], door.level,
                                        _SAFE))
                return
            p_in, cell = q, to
            q, dist = router.next_hop(i, cell, p_in)

    def _queue_xy(self, door: Door, cell: int) -> tuple[float, float]:
        """A place in the queue in front of ``door`` on the side of ``cell`` (for replay)."""
        cx, cy = self.cell_centroid[cell]
        ax, ay = door.at
        if math.isnan(cx):
            return door.at
        dx, dy = cx - ax, cy - ay
        n = math.hypot(dx, dy) or 1.0
        depth = min(0.35 + 0.45 * math.sqrt(door.queue_length() / max(door.width_m, 0.5)), n)
        rng = self.streams["misc"]
        lat = (float(rng.random()) - 0.5) * door.width_m
        return (ax + dx / n * depth - dy / n * lat, ay + dy / n * depth + dx / n * lat)

    # ------------------------------------------------------------------ deadlock watchdog
    def watchdog(self) -> Any:
        """Resolve gridlock: rotate the queue heads of a cycle of full cells."""
        env = self.env
        period = self.scenario.movement.deadlock_check_s
        last = -1
        while True:
            yield env.timeout(period)
            if self.moves != last:
                last = self.moves
                continue
            g: nx.DiGraph = nx.DiGraph()
            for door in self.doors:
                if door.waiting:
                    for d, q in enumerate(door.queues):
                        if q and self.count[q[0].to] >= self.cap[q[0].to]:
                            g.add_edge(q[0].frm, q[0].to, door=door, d=d)
            if g.number_of_edges() == 0:
                continue
            try:
                cycle = nx.find_cycle(g)
            except nx.NetworkXNoCycle:
                continue
            for u, v in cycle:
                e = g.edges[u, v]
                if e["door"].queues[e["d"]]:
                    e["door"].force_pass_head(e["d"])
            self.deadlocks_resolved += 1
            self.mark("deadlock_resolved", f"gridlock of {len(cycle)} cells rotated")


def _walking_area_m2(cell: Any, layout: Layout) -> float:
    """Area (m²) over which a cell's density is counted.

    A flight of stairs is walked along its slope: its density (and so its speed, jam
    and walking capacity) is counted over clear width × slope length, the surface the
    people stand on, not over its smaller plan projection. SFPE's stair law
    ``F_s = k(1 - aD)·D`` relates the flow along the line of travel to that density.
    """
    area = float(cell.area_m2)
    if cell.is_stair and cell.length_m:
        width = layout.spaces[cell.space].clear_width_m
        if math.isfinite(width):
            return max(area, width * float(cell.length_m))
    return area


@lru_cache(maxsize=4)
def _relative_speed_table(model: mv.SpeedModel) -> list[float]:
    """Relative walking speed every 0.001 persons/m² from 0 to 20 (shared, read-only)."""
    return [mv.relative_speed(k / 1000.0, model) for k in range(_REL_STEPS)]


@lru_cache(maxsize=4)
def _supply_factor_table(model: mv.SpeedModel) -> list[float]:
    """``max(1, J(D_c) / J(D))`` every 0.001 persons/m² from 0 to 20 (shared, read-only)."""
    d_c = mv.max_flow_density_pm2(model)
    j_c = d_c * mv.relative_speed(d_c, model)
    out = []
    for k in range(_REL_STEPS):
        d = k / 1000.0
        out.append(1.0 if d <= d_c else j_c / (d * mv.relative_speed(d, model)))
    return out


def _sampler(dist: PremovementDist, z: list[float]) -> Callable[[int], float]:
    """A function giving person ``i`` a pre-movement delay (s) from ``dist``.

    ``z[i]`` is person ``i``'s standard normal draw for this cue (common random numbers
    per person): normal and log-normal delays are ``mean + sd·z`` and ``exp(mu + sigma·z)``,
    uniform ones ``min + (max − min)·Φ(z)``, each clipped to ``[min_s, max_s]``.
    """
    lo, hi = dist.min_s, max(dist.max_s, dist.min_s)
    if dist.model == "none":
        return lambda i: 0.0
    if dist.model == "fixed":
        return lambda i: dist.fixed_s
    if dist.model == "uniform":
        def uniform(i: int) -> float:
            return lo + (hi - lo) * 0.5 * (1.0 + math.erf(z[i] / math.sqrt(2.0)))
        return uniform
    if dist.model == "normal":
        mean, sd = dist.mean_s, dist.sd_s

        def normal(i: int) -> float:
            return min(max(mean + sd * z[i], lo), hi)
        return normal
    m, s = max(dist.mean_s, 1e-6), dist.sd_s
    sigma2 = math.log(1.0 + (s / m) ** 2)
    mu = math.log(m) - sigma2 / 2.0
    sig = math.sqrt(sigma2)

    def lognormal(i: int) -> float:
        return min(max(math.exp(mu + sig * z[i]), lo), hi)
    return lognormal
