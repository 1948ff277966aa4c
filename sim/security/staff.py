"""Guards, the internal defence team and shop officers as SimPy processes.

Each staff member is on a post, on patrol or in their shop. When they perceive an
incident themselves, or are dispatched by radio from the duty room, they walk the cell
graph (:mod:`sim.engine.cellgraph`, all openings passable) and take a task:

* ``converge`` — go to the incident (an attacker is followed as it moves); arrivals are
  the responders at the incident (``t_first_responder_s``, ``responders_at_incident``);
* ``direct`` — stand at the exit opening nearest their post and direct evacuees: unaware
  people within one cell start on a ``guard`` cue, and everyone passing through takes
  the exit the guard names;
* ``sweep`` — walk a zone (a patrol's route, or a level for the team) cueing everyone
  still unaware, so nobody is left behind (``sweep_complete_s`` per zone);
* ``meter`` — hold back the inflow to a crowded cell at the opening feeding it (only
  the people who ignore the guard pass while the cell is congested);
* ``hold`` — keep a door or stair closed to the public (cordons, fire floors);
* ``lockdown`` — shop officers close their shop: people inside shelter until it ends.

Where guards stand is the plan's deployment (:mod:`sim.security.deployment`: posts at
their openings, patrols, beats). Dispatch rules (documented choices): the joint-defence
group of the incident's shop (or of the shops next to it) responds first; then for a
threat every patrol and beat guard, the team and the guards of plain ``post`` posts
converge (gate, entrance, CCTV, duty and finance posts hold theirs,
:data:`~sim.security.deployment.HOLDING_ROLES`, unless fewer than
``responders_needed`` others exist; then the nearest of them go), for anything else
the ``responders_needed`` nearest free guards; guards on gate and entrance posts direct
evacuees at their exits; the remaining patrol guards sweep their route's zone; team
members not converging sweep the sales levels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.cellgraph import CellGraph
from sim.engine.replay import ENTITY_KINDS, State
from sim.model.assumptions import declare
from sim.model.security_plan import Post
from sim.security.deployment import HOLDING_ROLES, deploy, patrol_start, post_cell
from sim.security.engagement import EngagementParams, allot_kits, lognormal

if TYPE_CHECKING:
    from sim.engine.world import World
    from sim.model.security_plan import SecurityPlan
    from sim.security.alarm import AlarmChain, Incident

_M = ("crush",)
HOLD_DENSITY = declare(
    "staff.hold_density_pm2", default=4.0, unit="persons/m²", low=3.0, high=5.0,
    dist="uniform", valid_min=0.5, status="sourced", used_by=_M,
    source="IMO MSC/Circ.1238: congestion above 4 persons/m²",
    name="Density at which a metering guard holds the crowd back")
RELEASE_DENSITY = declare(
    "staff.release_density_pm2", default=2.0, unit="persons/m²", low=1.5, high=3.0,
    dist="uniform", valid_min=0.1, status="sourced", used_by=_M,
    source="UK event guidance (Stockton-on-Tees BC, crowd dynamics): use 2 persons/m² for "
           "holding capacity", name="Density below which a metering guard lets people on")
METER_CLEAR = declare(
    "staff.meter_clear_s", default=60.0, unit="s", low=30.0, high=180.0,
    dist="loguniform", valid_min=0.0, status="assumed", used_by=_M,
    source="assumed: a guard leaves a door once the cell beyond has stayed clear a minute",
    name="Time below the release density before a metering guard leaves")
HELD_HEADWAY_MAX_S = 60.0
"""Longest gap between two people let through a held door (s): a door everyone obeys
is as good as closed."""


@dataclass
class Member:
    """One staff member: a guard, a team member or a shop officer."""

    id: int
    role: str
    """``guard``, ``team`` or ``officer``."""
    key: str
    """Stable id (``guard:beat-L1-03#0``, ``team#2``, ``officer:L2-S05#0``): keys the
    member's random stream; never a position in a list."""
    post: str
    """Post role (gate, entrance, cctv, duty, finance, post), ``patrol`` (patrols and
    beats), ``team``, or the shop of an officer."""
    home: int
    cell: int
    entity: int
    route: list[int] = field(default_factory=list)
    dwell_s: float = 60.0
    equipped: bool = True
    task: str = "post"
    distance_m: float = 0.0
    zone: str = ""
    group: str = ""
    interrupt: Any = None
    harmed: str = ""
    """``injured`` or ``killed`` when an attacker hit them (out of action)."""


class Staff:
    """All staff of one world and their behaviour."""

    def __init__(self, world: World, chain: AlarmChain, plan: SecurityPlan) -> None:
        self.w = world
        self.chain = chain
        self.plan = plan
        self.graph: CellGraph = world.net.cell_graph
        self.members: list[Member] = []
        self.eng = EngagementParams.of(world)
        self.hold_pm2 = world.param(HOLD_DENSITY.key)
        self.release_pm2 = world.param(RELEASE_DENSITY.key)
        self.meter_clear_s = world.param(METER_CLEAR.key)
        self.speed = plan.guards.speed_mps
        self.sweeps: dict[str, float] = {}
        self.responders_series: list[tuple[float, int]] = []
        self.directed: dict[int, int] = {}
        self.locked: list[int] = []
        self.locking: set[int] = set()
        """Officers who have been told (or decided) to lock their shop."""
        self._pending_locks: list[tuple[list[int], str]] = []
        self.group_alerted: set[str] = set()
        self.dispatched: dict[str, float] = {}
        """Incident key → when the first staff member set out for it."""
        self.held: list[int] = []
        """Customers shop officers keep inside during a crush."""
        self.held_at: float | None = None
        """When shop officers last began holding customers (s)."""
        self._build()
        responds = {m.id: m.role == "guard" and m.post not in HOLDING_ROLES
                    for m in self.members}
        kits = plan.equipment.responder_kits
        self.kit_holders, self.kit_store = allot_kits(
            self.members, kits, guards_equipped=plan.guards.equipped,
            team_equipped=plan.team is not None and plan.team.equipped, responds=responds)
        world.metrics["staff_kits"] = kits
        world.metrics["responders_injured"] = 0
        world.metrics["responders_killed"] = 0
        world.directed = self.directed
        for m in self.members:
            if m.role == "guard" and m.post == "patrol" and m.route:
                m.interrupt = world.env.process(self._patrol(m))

    # ------------------------------------------------------------------ building
    def _cell(self, space: str) -> int:
        w = self.w
        return w.cell_index[w.net.cells_of_space[space][0]]

    def _add(self, role: str, post: str, cell: int, key: str, **kw: Any) -> Member:
        w = self.w
        entity = w.n + len(w.extra_entities)
        kind = {"guard": "guard", "team": "team", "officer": "officer"}[role]
        w.extra_entities.append((kind, f"{role} {len(self.members) + 1} ({post})"))
        m = Member(id=len(self.members), role=role, post=post, home=cell, cell=cell,
                   entity=entity, key=key, **kw)
        self.members.append(m)
        self._track(m, State.ON_POST if post != "patrol" else State.PATROLLING)
        return m

    def rng(self, m: Member) -> np.random.Generator:
        """The staff member's own random stream (keyed by ``m.key``, see
        :mod:`sim.engine.rng`): adding or removing others never changes its draws."""
        return self.w.streams.child("staff", m.key)

    def _build(self) -> None:
        p, w = self.plan, self.w
        self.deployment = deploy(p, w.net)
        for st in self.deployment.stations:
            cells = [w.cell_index[c] for c in st.cells]
            for k in range(st.count):
                key = f"guard:{st.id}#{k}"
                if st.kind == "post":
                    self._add("guard", st.role, cells[0], key, zone=st.id,
                              equipped=p.guards.equipped)
                else:
                    start = cells[patrol_start(k, st.count, len(cells))]
                    self._add("guard", "patrol", start, key, route=cells, dwell_s=st.dwell_s,
                              zone=st.id, equipped=p.guards.equipped)
        if p.team is not None and p.has("team"):
            base = w.cell_index[post_cell(w.net, Post(id="team", space=p.team.base,
                                                      role="duty"))]
            for k in range(p.team.members):
                self._add("team", "team", base, f"team#{k}", equipped=p.team.equipped)
        if p.has("shop_officers") and p.shop_officers.per_shop > 0:
            missing = set(p.shop_officers.missing)
            group_of = {s: g.id for g in p.groups for s in g.shops} if p.has("groups") else {}
            for s in w.layout.spaces.values():
                if s.kind == "shop" and s.id not in missing:
                    for k in range(p.shop_officers.per_shop):
                        self._add("officer", s.id, self._cell(s.id), f"officer:{s.id}#{k}",
                                  equipped=False, group=group_of.get(s.id, ""))
        w.metrics["staff_guards"] = sum(m.role == "guard" for m in self.members)
        w.metrics["staff_team"] = sum(m.role == "team" for m in self.members)
        w.metrics["staff_officers"] = sum(m.role == "officer" for m in self.members)
        _ = ENTITY_KINDS

    def _track(self, m: Member, state: State) -> None:
        w = self.w
        if not w.record_tracks:
            return
        cx, cy = w.cell_centroid[m.cell]
        if math.isnan(cx):
            cx, cy = 0.0, 0.0
        jx, jy = (m.id * 0.37) % 1.5 - 0.75, (m.id * 0.61) % 1.5 - 0.75
        w.tracks.append((m.entity, w.env.now, cx + jx, cy + jy, w.cell_level[m.cell],
                         int(state)))

    # ------------------------------------------------------------------ walking
    def _walk_to(self, m: Member, target_fn: Any, state: State,
                 task: str | None = None) -> Any:
        """Walk toward ``target_fn()`` (re-read at every hop); return True on arrival.

        With ``task``, stop (False) as soon as the member has another task, so a new
        order never leaves two processes moving one person.
        """
        env = self.w.env
        while True:
            if (task is not None and m.task != task) or m.harmed:
                return False
            target = target_fn()
            if m.cell == target:
                return True
            path = self.graph.path(m.cell, target)
            if len(path) < 2:
                return False
            nxt = path[1]
            yield env.timeout(self.w.hop_time_s(m.cell, nxt, self.speed))
            m.distance_m += self.graph.edge_len.get((m.cell, nxt), 0.0)
            m.cell = nxt
            self._track(m, state)
            self._look_around(m)

    def _patrol(self, m: Member) -> Any:
        env = self.w.env
        k = m.route.index(m.cell) if m.cell in m.route else 0
        while m.task == "post":
            target = m.route[k % len(m.route)]
            yield from self._walk_to(m, lambda t=target: t, State.PATROLLING, task="post")
            if m.task != "post":
                return
            yield env.timeout(m.dwell_s)
            k += 1

    # ------------------------------------------------------------------ perception
    def _look_around(self, m: Member) -> None:
        """A walking staff member notices any undetected incident in or next to their cell."""
        if m.role == "officer":
            return
        for inc in self.chain.incidents:
            if inc.t_detected is None and not inc.resolved and inc.visible:
                c = inc.cell
                if c == m.cell or c in self.graph.neighbours(m.cell):
                    self.chain.staff_perceived(inc, m.id, m.role)
                    if m.task in ("post", "sweep", "direct"):
                        self._start(m, "converge", inc)

    def notice_incident(self, inc: Incident) -> None:
        """Guards and team members in or next to the incident perceive it (5–15 s)."""
        c = inc.cell
        near = {c, *self.graph.neighbours(c)}
        for m in self.members:
            if m.role != "officer" and m.cell in near:
                self.w.env.process(self._perceive(m, inc))

    def _perceive(self, m: Member, inc: Incident) -> Any:
        yield self.w.env.timeout(float(self.rng(m).uniform(5.0, 15.0)))
        self.chain.staff_perceived(inc, m.id, m.role)
        if m.task in ("post", "direct", "sweep"):
            self._start(m, "converge", inc)

    def officer_near(self, cell: int) -> bool:
        """True when a shop officer is in ``cell`` or a neighbouring cell."""
        near = {cell, *self.graph.neighbours(cell)}
        return any(m.role == "officer" and m.cell in near for m in self.members)

    # ------------------------------------------------------------------ tasks
    def _start(self, m: Member, task: str, inc: Incident | None = None, **kw: Any) -> None:
        if (task == "converge" and m.role == "team" and inc is not None and inc.threat
                and m.cell == m.home and m.id not in self.kit_holders):
            task = "mobilise"  # from the duty room to an armed threat: gear up first
        if m.task == task or m.harmed:
            return
        m.task = task
        env = self.w.env
        if task in ("converge", "mobilise"):
            assert inc is not None
            self._set_out(inc)
            env.process(self._converge(m, inc) if task == "converge"
                        else self._mobilise(m, inc))
        elif task == "direct":
            env.process(self._direct(m))
        elif task == "sweep":
            env.process(self._sweep(m, kw["cells"], kw["zone"]))

    def _set_out(self, inc: Incident) -> None:
        """The first staff member sets out for ``inc``: ``t_dispatched_s``."""
        if inc.key in self.dispatched:
            return
        now = self.w.env.now
        self.dispatched[inc.key] = now
        if "t_dispatched_s" not in self.w.metrics:
            self.w.metrics["t_dispatched_s"] = now
            self.w.metrics["t_dispatched_after_incident_s"] = now - inc.t_start

    def _mobilise(self, m: Member, inc: Incident) -> Any:
        """A team member gears up in the duty room (a kit from the store), then goes."""
        mean, sd = self.eng.mobilise_s
        yield self.w.env.timeout(lognormal(self.rng(m), mean, sd))
        if m.task != "mobilise" or m.harmed:
            return
        if m.equipped and self.kit_store > 0 and m.id not in self.kit_holders:
            self.kit_store -= 1
            self.kit_holders.add(m.id)
        m.task = "converge"
        yield from self._converge(m, inc, acknowledged=True)

    def _converge(self, m: Member, inc: Incident, *, acknowledged: bool = False) -> Any:
        if not acknowledged:
            # acknowledging the order (or one's own alarm) and leaving the post takes time
            # (staff.acknowledge_mean_s; the plan's drills are where to measure it)
            yield self.w.env.timeout(float(self.rng(m).uniform(*self.eng.acknowledge_s)))
        cb = inc.data.get("on_arrival")
        while not inc.resolved and m.task == "converge":
            ok = yield from self._walk_to(m, lambda: inc.cell, State.RESPONDING,
                                          task="converge")
            if not ok or inc.resolved or m.task != "converge":
                return
            now = self.w.env.now
            if m.id not in inc.responders:
                inc.responders.append(m.id)
                inc.arrivals.append((now, m.id))
                self.responders_series.append((now, len(inc.responders)))
            if "t_first_responder_s" not in self.w.metrics:
                self.w.metrics["t_first_responder_s"] = now
                self.w.metrics["t_first_responder_after_incident_s"] = now - inc.t_start
                self.w.mark("first_responder", f"{m.role} {m.id + 1} at the incident")
            self._track(m, State.ENGAGED)
            if cb is not None:
                cb(m)
            if not inc.data.get("follow"):
                return
            # stay with the incident; go after it the moment it moves (no polling)
            yield self.chain.changed(inc)

    def exit_portal_near(self, cell: int) -> int:
        """The exit portal nearest to ``cell`` by walking distance (-1 if none)."""
        w = self.w
        best, bq = math.inf, -1
        for e in w.router.exits:
            if e in w.router.blocked:
                continue
            d = w.doors[e]
            inner = d.a if w.is_exit[d.b] else d.b
            dist = self.graph.distance_m(cell, inner)
            if dist < best:
                best, bq = dist, e
        return bq

    def _direct(self, m: Member) -> Any:
        w = self.w
        e = self.exit_portal_near(m.cell)
        if e < 0:
            return
        d = w.doors[e]
        inner = d.a if w.is_exit[d.b] else d.b
        ok = yield from self._walk_to(m, lambda: inner, State.DIRECTING, task="direct")
        if not ok:
            return
        cells = [inner, *self.graph.neighbours(inner)]
        for c in cells:
            self.directed.setdefault(c, e)
        self._track(m, State.DIRECTING)
        while m.task == "direct" and w.evacuated + w.casualties < w.n:
            for i in w.unaware_in(cells):
                w.target[i] = e
                w.cue(i, "guard")
                self.chain.guided.add(i)
            w.metrics["guided_cues"] = len(self.chain.guided)
            yield w.env.timeout(10.0)

    def _sweep(self, m: Member, cells: list[int], zone: str) -> Any:
        w = self.w
        todo = list(dict.fromkeys(cells))
        while todo and m.task == "sweep":
            dist = self.graph.distances_from_m(m.cell)
            nxt = min(todo, key=lambda c: dist[c])
            todo.remove(nxt)
            ok = yield from self._walk_to(m, lambda n=nxt: n, State.SWEEPING, task="sweep")
            if not ok:
                continue
            for c in [nxt, *self._shops_off(nxt)]:
                for i in w.unaware_in([c]):
                    w.cue(i, "guard")
                    self.chain.guided.add(i)
            w.metrics["guided_cues"] = len(self.chain.guided)
        if m.task == "sweep":
            self.sweeps[zone] = max(self.sweeps.get(zone, 0.0), w.env.now)
            w.metrics["sweep_complete_s"] = dict(sorted(self.sweeps.items()))
            self._start(m, "direct")

    def _shops_off(self, cell: int) -> list[int]:
        """Shops opening onto ``cell`` (a sweeper calls into them from the door)."""
        w = self.w
        return [c for c in self.graph.neighbours(cell) if w.cell_kind[c] == "shop"]

    # ------------------------------------------------------------------ duty-room orders
    def can_check(self) -> bool:
        """True when some guard can be sent to check a detector alarm."""
        return any(m.role == "guard" and m.task == "post" for m in self.members)

    def check(self, inc: Incident) -> Any:
        """Send the nearest free guard to confirm a detector alarm (process)."""
        free = [m for m in self.members if m.role == "guard" and m.task == "post"]
        m = min(free, key=lambda x: self.graph.distance_m(x.cell, inc.cell))
        m.task = "check"
        yield from self._walk_to(m, lambda: inc.cell, State.RESPONDING, task="check")
        yield self.w.env.timeout(10.0)
        if m.task != "check":
            return
        m.task = "post"
        self._start(m, "converge", inc)

    def dispatch(self, inc: Incident) -> None:
        """Radio orders after verification (see module docstring for the rules)."""
        w = self.w
        c = inc.cell
        if not inc.threat:
            # joint-defence group of the incident's shop, or of shops next to it, responds
            # first (SM-1.3e); against an armed threat officers lock down instead
            near = {c, *self.graph.neighbours(c)}
            groups = {m.group for m in self.members if m.role == "officer" and m.cell in near
                      and m.group}
            for m in self.members:
                if m.role == "officer" and m.group in groups and m.task == "post":
                    self._start(m, "converge", inc)
        guards = [m for m in self.members if m.role in ("guard", "team")
                  and m.task in ("post", "check")]
        guards.sort(key=lambda m: (self.graph.distance_m(m.cell, c), m.id))
        need = inc.responders_needed
        if inc.threat:
            # patrols, beats, the team and plain posts converge; the gate, entrance,
            # CCTV, duty and finance posts hold (HOLDING_ROLES) unless too few others
            chosen = [m for m in guards if m.post not in HOLDING_ROLES]
            if len(chosen) < need:
                chosen += [m for m in guards if m not in chosen][: need - len(chosen)]
        else:
            chosen = guards[:need]
        for m in chosen:
            self._start(m, "converge", inc)  # the team gears up first (see _start)
        levels: dict[int, list[int]] = {}
        for cell in range(len(w.cell_ids)):
            if w.cell_kind[cell] in ("corridor", "atrium"):
                levels.setdefault(w.cell_level[cell], []).append(cell)
        team_levels = sorted(levels)
        k = 0
        held: list[int] = []
        for m in self.members:
            if m in chosen or m.task != "post":
                continue
            if m.role == "guard" and m.post in ("gate", "entrance"):
                self._start(m, "direct")
            elif m.role == "guard" and m.post == "patrol":
                self._start(m, "sweep", cells=list(m.route), zone=m.zone)
            elif m.role == "team" and team_levels:
                lvl = team_levels[k % len(team_levels)]
                k += 1
                self._start(m, "sweep", cells=levels[lvl],
                            zone=f"level {w.level_ids[lvl]}")
            elif m.role == "officer" and not inc.threat and inc.kind == "crush":
                held.append(m.cell)
            elif m.role == "officer" and not inc.threat:
                # officers send their own shop's customers out
                for i in w.unaware_in([m.cell]):
                    w.cue(i, "guard")
                    self.chain.guided.add(i)
        if held:
            self.hold_shops(held)
        if inc.threat and inc.data.get("lockdown", True):
            self.lockdown(inc)
        w.metrics["guided_cues"] = len(self.chain.guided)

    def meter_hotspot(self, cell: int, inc: Incident | None) -> None:
        """Send up to two free guards to meter the openings that feed a crowded cell.

        Metering changes flows only: a guard at the opening holds the crowd back while
        the cell is congested, and only the people who do not follow staff directions
        (``1 − world.compliance`` of them; a crush lowers compliance) keep passing, at
        the opening's normal rate (:meth:`_meter`). Routing also avoids the cell where
        another way exists (redirecting people). Nothing changes how densely a pushing
        crowd can pack the cell.
        """
        w = self.w
        feeds = [q for q in w.portals_of[cell]
                 if not w.is_exit[w.doors[q].a] and not w.is_exit[w.doors[q].b]]
        if not feeds:
            return
        free = [m for m in self.members if m.role in ("guard", "team")
                and m.task in ("post", "direct", "sweep")]
        free.sort(key=lambda m: (self.graph.distance_m(m.cell, cell), m.id))
        feeds.sort(key=lambda q: -w.doors[q].width_m)
        for m, q in zip(free[:2], feeds, strict=False):
            m.task = "meter"
            w.env.process(self._meter(m, q, cell))
        w.avoid_cell(cell)

    def _meter(self, m: Member, q: int, into: int) -> Any:
        """Hold and release the flow through door ``q`` into cell ``into`` (process).

        Held (the cell at or above :data:`HOLD_DENSITY`): the door's headway into the
        cell is divided by ``1 − compliance`` (only those ignoring the guard pass;
        closed when everyone complies). Released (below :data:`RELEASE_DENSITY`):
        the normal headway. In between the guard keeps what they were doing.
        """
        w = self.w
        d = w.doors[q]
        upstream = d.a if d.b == into else d.b
        ok = yield from self._walk_to(m, lambda: upstream, State.DIRECTING)
        if not ok:
            return
        k = 0 if d.b == into else 1
        normal = d.headway[k]
        held = False
        clear_since: float | None = None
        w.mark("metering", f"{m.role} {m.id + 1} meters {w.portal_ids[q]}")
        while w.evacuated + w.casualties < w.n:
            dens = w.count[into] / max(w.area[into], 1e-9)
            if not held and dens >= self.hold_pm2:
                held = True
                h = list(d.headway)
                h[k] = min(normal / max(1.0 - w.compliance, 1e-9), HELD_HEADWAY_MAX_S)
                d.headway = (h[0], h[1])
            elif held and dens < self.release_pm2:
                held = False
                self._release(d, k, normal)
            clear_since = (clear_since if clear_since is not None else w.env.now) \
                if dens < self.release_pm2 else None
            if clear_since is not None and w.env.now - clear_since >= self.meter_clear_s:
                break
            yield w.env.timeout(5.0)
        if held:
            self._release(d, k, normal)
        m.task = "post"
        self._start(m, "direct")

    def _release(self, d: Any, k: int, normal: float) -> None:
        """Back to the normal flow at once (a passage held back is not waited out)."""
        h = list(d.headway)
        h[k] = normal
        d.headway = (h[0], h[1])
        d.next_free = min(d.next_free, self.w.env.now + normal)
        d.kick()

    def spread_word(self, inc: Incident) -> None:
        """No alarm devices and no PA: every free guard sweeps to spread the word."""
        for m in self.members:
            if m.role in ("guard", "team") and m.task in ("post", "direct"):
                m.task = "post"
                self._start(m, "sweep", cells=m.route or [m.cell, *self.graph.neighbours(m.cell)],
                            zone=m.zone or f"post {m.id + 1}")

    def lockdown(self, inc: Incident) -> None:
        """The duty room orders every shop officer to lock their shop down."""
        for m in self.members:
            if m.role == "officer":
                self._order_lock(m, inc)

    def threat_seen(self, inc: Incident, cell: int) -> None:
        """The threat entered ``cell``: officers of the shops there or next door see it,
        lock their own shop and call their joint-defence group (engagement notes)."""
        near = {cell, *self.graph.neighbours(cell)}
        for m in self.members:
            if m.role != "officer" or m.home not in near or m.harmed:
                continue
            self._order_lock(m, inc)
            if m.group and m.group not in self.group_alerted:
                self.group_alerted.add(m.group)
                self.w.env.process(self._group_alert(m.group, inc))

    def _group_alert(self, group: str, inc: Incident) -> Any:
        """A member's call reaches the group: every member locks down, and shops of the
        group without an officer are locked by the nearest member (reinforcement)."""
        yield self.w.env.timeout(self.eng.group_alert_s)
        w = self.w
        self.w.mark("group_alert", f"joint-defence group {group} alerted")
        members = [m for m in self.members if m.role == "officer" and m.group == group
                   and not m.harmed]
        for m in members:
            self._order_lock(m, inc)
        g = next((x for x in self.plan.groups if x.id == group), None)
        staffed = {m.post for m in members}
        orphans = [s for s in (g.shops if g else []) if s not in staffed]
        free = list(members)
        for shop in orphans:
            cell = w.cell_index[w.net.cells_of_space[shop][0]]
            if not free:
                break
            helper = min(free, key=lambda m: (self.graph.distance_m(m.home, cell), m.key))
            free.remove(helper)
            w.env.process(self._reinforce(helper, shop, cell, inc))

    def _reinforce(self, m: Member, shop: str, cell: int, inc: Incident) -> Any:
        """Lock one's own shop, then walk to a neighbour shop of the group and lock it."""
        # own shutter first (it is down within the longest lockdown time, or cannot come
        # down because the attacker is inside), then the neighbour's
        yield self.w.env.timeout(self.eng.lockdown_s[1] + 5.0)
        if m.harmed or inc.resolved:
            return
        m.task = "reinforce"
        ok = yield from self._walk_to(m, lambda: cell, State.RESPONDING, task="reinforce")
        if ok:
            self.w.mark("reinforce", f"officer of {m.post} reinforces {shop}")
            yield self.w.env.timeout(float(self.rng(m).uniform(*self.eng.lockdown_s)))
            self._lock_cells([cell], shop, inc)

    def _locked_shop(self, cell: int) -> bool:
        return any(q in self.locked for q in self.w.portals_of[cell])

    def _order_lock(self, m: Member, inc: Incident) -> None:
        if m.id in self.locking or m.harmed:
            return
        self.locking.add(m.id)
        self.w.env.process(self._lock(m, inc))

    def _lock(self, m: Member, inc: Incident) -> Any:
        """Pull the shutter (``shop.lockdown_mean_s``); shutters close on a 5 s clock so the
        routing is recomputed a few times, not once per shop."""
        env = self.w.env
        t = env.now + float(self.rng(m).uniform(*self.eng.lockdown_s))
        yield env.timeout(math.ceil(t / 5.0) * 5.0 - env.now)
        if m.harmed or inc.resolved:
            return
        self._lock_cells([m.home], m.post, inc)

    def _lock_cells(self, cells: list[int], shop: str, inc: Incident) -> None:
        first = not self._pending_locks
        self._pending_locks.append((cells, shop))
        if first:
            self.w.env.process(self._flush_locks(inc))

    def _flush_locks(self, inc: Incident) -> Any:
        yield self.w.env.timeout(0)
        w = self.w
        batch, self._pending_locks = self._pending_locks, []
        doors, shops = [], []
        for cells, _ in batch:
            if inc.cell in cells:  # the attacker is inside: the shutter cannot come down
                continue
            for c in cells:
                shops.append(c)
                for q in w.portals_of[c]:
                    d = w.doors[q]
                    other = d.b if d.a == c else d.a
                    if not w.is_exit[other] and not d.blocked and q not in self.locked:
                        doors.append(q)
        if not doors:
            return
        for q in doors:
            w.doors[q].close()
        w.router.block_many(doors)
        self.locked += doors
        for i in w.unaware_in(shops):
            w.state[i] = int(State.SHELTERING)
        w.metrics["shops_locked"] = len({c for c in range(len(w.cell_ids))
                                         if self._locked_shop(c)
                                         and w.cell_kind[c] == "shop"})
        if "t_first_lockdown_s" not in w.metrics:
            w.metrics["t_first_lockdown_s"] = w.env.now
        w.mark("lockdown", f"{len(shops)} shops locked down")

    def harm(self, m: Member, *, fatal: bool) -> None:
        """An attacker hit staff member ``m``: out of action from now on."""
        m.harmed = "killed" if fatal else "injured"
        m.task = "down"
        self.kit_holders.discard(m.id)
        self._track(m, State.DEAD if fatal else State.INJURED)
        key = "responders_killed" if fatal else "responders_injured"
        self.w.metrics[key] = int(self.w.metrics.get(key, 0)) + 1
        self.w.mark("responder_harmed", f"{m.role} {m.id + 1} {m.harmed}")

    def hold_shops(self, shops: list[int]) -> None:
        """During a crush, shop officers keep their customers in the shop.

        Sending every shop's customers out at once adds them to the crowd at the stairs
        (measured on the riverside atrium crush: shop officers alone gave 464 crush
        injuries against 220 without staff, their customers leaving on the officers' cue
        20 ± 10 s after the alarm instead of the bell's 60 ± 40 s). Shop doors stay open
        (people may step in off the crowded corridor); the held customers shelter, deaf
        to later cues (the alarm, the PA), until :meth:`release_shops` (the crowding is
        over).
        """
        w = self.w
        people = w.unaware_in(shops)
        for i in people:  # a cue already heard (the bell) is overruled by the officer
            old = w.proc[i]
            if old is not None:
                old.cancel()
                w.proc[i] = None
            w.gen[i] += 1
            w.start_at[i] = math.inf
            w.state[i] = int(State.SHELTERING)
        self.held.extend(people)
        w.kept.update(people)
        self.held_at = w.env.now
        w.mark("shops_hold", f"{len(shops)} shops hold {len(people)} customers")

    def release_shops(self) -> None:
        """The crowding is over: held customers are sent out (a ``guard`` cue)."""
        w = self.w
        people = [i for i in self.held if w.state[i] == State.SHELTERING]
        w.kept.difference_update(self.held)
        self.held = []
        for i in people:
            w.cue(i, "guard")
            self.chain.guided.add(i)
        if people:
            w.mark("shops_release", f"{len(people)} customers sent out")

    def end_lockdown(self) -> None:
        """Reopen locked shops; sheltering people are cued to leave."""
        w = self.w
        if not self.locked:
            return
        for q in self.locked:
            w.doors[q].blocked = False
        w.router.unblock_many(self.locked)
        self.locked = []
        for i in range(w.n):
            if w.state[i] == State.SHELTERING:
                w.cue(i, "guard")
        w.mark("lockdown_end", "shops reopened")

    def police_arrived(self, inc: Incident) -> None:
        """Police enter at the main entrance and converge on a threat."""
        if not inc.threat or inc.resolved:
            return
        police_without_staff(self.w, inc, staff=self)

    def finish(self) -> None:
        """Record staff metrics at the end of the run."""
        w = self.w
        dist = np.array([m.distance_m for m in self.members if m.role != "officer"])
        if len(dist):
            w.metrics["guard_distance_m_mean"] = round(float(dist.mean()), 1)
            w.metrics["guard_distance_m_max"] = round(float(dist.max()), 1)
        if self.responders_series:
            w.metrics["responders_at_incident"] = [[round(t, 1), n]
                                                   for t, n in self.responders_series]


def police_without_staff(world: World, inc: Incident, staff: Staff | None = None) -> None:
    """Police officers (a team of 4) walk from the nearest entrance to the incident."""
    graph = world.net.cell_graph
    w = world
    exits = [e for e in w.router.exits if e not in w.router.blocked]
    if not exits:
        return
    best, start = math.inf, -1
    for e in exits:
        d = w.doors[e]
        inner = d.a if w.is_exit[d.b] else d.b
        dist = graph.distance_m(inner, inc.cell)
        if dist < best:
            best, start = dist, inner
    if start < 0:
        return
    for k in range(4):
        entity = w.n + len(w.extra_entities)
        w.extra_entities.append(("police", f"police {k + 1}"))
        w.env.process(_police_walk(w, graph, inc, start, entity))


def _police_walk(w: World, graph: CellGraph, inc: Incident, start: int, entity: int) -> Any:
    cell = start
    speed = 2.5  # running (m/s), an assumption
    while not inc.resolved:
        target = inc.cell
        if cell == target:
            cb = inc.data.get("on_police")
            if cb is not None:
                cb()
            return
        path = graph.path(cell, target)
        if len(path) < 2:
            return
        yield w.env.timeout(w.hop_time_s(cell, path[1], speed))
        cell = path[1]
        if w.record_tracks:
            cx, cy = w.cell_centroid[cell]
            w.tracks.append((entity, w.env.now, cx, cy, w.cell_level[cell],
                             int(State.RESPONDING)))
