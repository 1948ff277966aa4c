"""``kind = "attack"``: one or several attackers with knives or firearms.

Rules (each with its source, or flagged as an **assumption**)
------------------------------------------------------------
* **Entry.** Attacker ``k`` enters at ``t_s + k · interval_s`` through ``entrance`` (an
  exterior opening; default the main entrance) and starts in the cell on its indoor side.
* **Movement.** The attacker moves over the cell graph at ``speed_mps`` (default
  2.2 m/s, a jog: fitted with the harm law, :mod:`sim.hazards.attack_harm`), slowed by
  the crowd like staff (:meth:`sim.engine.world.World.hop_time_s`), and cannot pass closed
  doors (shops in lockdown, lost openings). Every ``tick_s`` it picks a target cell:

  - ``target = "densest"``: the reachable cell with the largest
    ``density / (1 + distance_m / 30)`` within ``search_radius_m`` (anywhere when nothing
    is in reach). Kunming attackers "mostly stabbed each person once and moved on"
    (witnesses quoted by The Nation, Bangkok, "Witnesses recall fear, chaos after Kunming
    train station attack", on the attack of 1 March 2014): the attacker stays while its
    cell is the best, and moves on when its cell empties. The 30 m distance scale is an
    **assumption**.
  - ``target = "space"``: the cells of ``space`` while anyone is there, then densest.
  - ``target = "route"``: the spaces of ``route`` in order (each until empty), then densest.

* **Harm.** Over every interval ``dt`` it is active (walking into a cell, or ``tick_s``
  spent in it) an attacker harms ``Poisson(rate(D) · dt / 60)`` people of the cell it is
  in (drawn uniformly from those present), ``D`` the cell's density now and
  ``rate(D) = min(rate_per_min · (D / 0.5)^density_exponent, rate_max_per_min)``
  (:mod:`sim.hazards.attack_harm`): knife 9.09 per minute at 0.5 p/m², exponent 1.82,
  at most 76 per minute, calibrated in the simulator on five recorded knife attacks
  (``docs/harm-calibration.md``); firearm 10, 1 and 20 (**assumptions**). A victim is
  killed with probability ``fatality`` (knife 0.20, fitted on 19 knife attacks; firearm
  0.35, **assumption**), else injured; both are taken out of the evacuation where they
  stand (``World.remove``), each person at most once. ``ended_after_s`` (for
  reconstructions of recorded incidents) stops every attacker that long after it
  entered, by the record's responders (``attack_stopped_by = "record"``); modelled police
  reaching it earlier make contact but do not stop it (the record's responders stand for
  them: police arrive after a median 180 s, sooner than some recorded ends).
* **Perception.** Unaware people in the attacker's cell get a ``panic`` cue (they see it),
  those in neighbouring cells an ``incident`` cue (the scream); a firearm is heard one
  cell further (``incident``). The attacker's cell is avoided by routing while it is
  there (``World.avoid``). The incident enters the alarm chain
  (:meth:`sim.security.alarm.AlarmChain.incident`, ``threat=True``): detection, alarm,
  PA, police; staff converge and follow the attacker; shop officers lock their shops
  down and the people inside shelter until the all-clear.
* **Confrontation.** While at least one responder is in its cell, a knife attacker stops
  walking and harms at ``confronted_factor`` (0.5, **assumption**: busy fighting) of its
  rate. It is **pinned** once ``guards_required`` *equipped* responders are with it
  (default 3: the "minimum combat unit" of shield, fork and baton is Chinese police folk
  doctrine with no normative source, so 3 is an **assumption**; the mall drills at
  Changping, Beijing, 2020 (bj148.org, September 2020) and Fuzhou Wanda, 2022, boxed
  suspects in with groups of guards with shields and catchers); pinned, it harms
  nobody, and after ``struggle_s`` (20 s, **assumption**) it is **stopped**.
* **Equipment.** A responder is equipped when its plan says so (``guards.equipped``,
  ``team.equipped``; shop officers never) **and** it holds a fork or a shield: the
  plan's ``equipment.forks + equipment.shields`` kits go to the first equipped
  responders to reach an attacker (kits carried from posts; an optimistic
  **assumption**). Batons alone do not count (the commentary to GB 55029-2022 §3.3
  lists helmet, baton, steel fork, shield and stab vest; forks and shields are taken as
  the counter-equipment that pins, an **assumption**).
* **Firearm.** Guards cannot stop a gunman: only police can (Bondi: a single armed
  officer ended the attack: one police inspector, one shot, per the 2025 coroner's
  inquest reported by ABC News, record A8 of ``docs/harm-calibration.md``).
* **Police.** When police reach the attacker (alarm chain; response from the FBI median
  and China's 1-3-5-minute rapid-response circles, :mod:`sim.security.police` and
  ``docs/security-format.md``, "Police response")
  it is pinned and stopped after ``police_struggle_s`` (10 s, **assumption**).
* **End.** When every attacker is stopped (``t_neutralised_s``), the lockdown ends after
  ``all_clear_s`` and sheltering people leave; without a security plan the police order
  a general evacuation at that moment.

Metrics: ``t_neutralised_s`` (last attacker stopped; ``None`` if not by the end),
``attack_victims``, ``attack_deaths``, ``attackers_neutralised``, ``attack_stopped_by``
(``guards``/``police``), ``attack_victims_per_min_before_responder`` and
``attack_victims_per_min_after_responder`` (split at ``t_first_responder_s``, the first
staff member with an attacker), ``attack_equipped_kits``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.replay import State
from sim.engine.world import World
from sim.hazards import _common as cm
from sim.hazards import attack_harm as ah
from sim.model.assumptions import declare
from sim.model.hazard_specs import AttackSpec
from sim.security.engagement import responder_hits

if TYPE_CHECKING:
    from sim.security.alarm import Incident
    from sim.security.staff import Member

_A = ("attack",)
_KNIFE = ("attack:knife",)
TARGET_DISTANCE_M = declare(
    "attack.target_distance_m", default=30.0, unit="m", low=15.0, high=60.0,
    dist="loguniform", valid_min=1e-3, status="assumed", used_by=_A,
    source="assumed: attackers go for crowds nearby (Kunming: 'stabbed each person once "
           "and moved on')", name="Distance scale of the attacker's choice of target")
_SPEC_PARAMS = {
    "speed_mps": ah.SPEED,
    "guards_required": declare(
        "attack.guards_required", default=3, unit="responders", low=2, high=4,
        dist="uniform", valid_min=1, integer=True, status="assumed", used_by=_KNIFE,
        source="assumed: the folk 'minimum combat unit' of shield, fork and baton; Fuzhou "
               "and Changping drills boxed suspects in with shields and catchers",
        name="Equipped responders needed to pin a knife attacker"),
    "struggle_s": declare("attack.struggle_s", default=20.0, unit="s", low=10.0, high=60.0,
                          dist="loguniform", valid_min=0.0, status="assumed", used_by=_KNIFE,
                          source="assumed", name="Time from pinning to stopping (guards)"),
    "police_struggle_s": declare(
        "attack.police_struggle_s", default=10.0, unit="s", low=5.0, high=30.0,
        dist="loguniform", valid_min=0.0, status="assumed", used_by=_A, source="assumed",
        name="Time from pinning to stopping (police)"),
    "confronted_factor": declare(
        "attack.confronted_factor", default=0.5, unit="×", low=0.2, high=0.8,
        dist="uniform", valid_min=0.0, valid_max=1.0, status="assumed", used_by=_KNIFE,
        source="assumed: an attacker fighting responders harms less",
        name="Harm rate multiplier while responders confront a knife attacker"),
    "search_radius_m": declare(
        "attack.search_radius_m", default=80.0, unit="m", low=40.0, high=160.0,
        dist="loguniform", valid_min=1e-3, status="assumed", used_by=_A, source="assumed",
        name="Radius within which the attacker looks for the densest crowd"),
    "all_clear_s": declare("attack.all_clear_s", default=60.0, unit="s", low=30.0,
                           high=300.0, dist="loguniform", valid_min=0.0, status="assumed",
                           used_by=_A, source="assumed",
                           name="Lockdown held after the last attacker is stopped"),
}
"""Spec field → its register entry (a field left unset takes the run's value)."""


@dataclass
class Attacker:
    """One attacker's state (kept on its :class:`AttackRun`, in ``world.hazards``)."""

    k: int
    entity: int
    rng: np.random.Generator
    """This attacker's own stream (keyed ``attacker``/``attack#k``)."""
    cell: int = -1
    t_enter: float = math.nan
    pinned: bool = False
    pinned_by: str = ""
    t_pinned: float = math.nan
    stopped: bool = False
    t_stopped: float = math.nan
    harms: list[tuple[float, int]] = field(default_factory=list)
    inc: Incident | None = None
    route_left: list[str] = field(default_factory=list)
    t_contact: float = math.nan
    """First time a responder (staff or police) was in its cell."""


class AttackRun:
    """All attackers of one attack hazard in one world."""

    kind = "attack"

    def __init__(self, world: World, spec: AttackSpec) -> None:
        spec = world.fill(spec, {f: a.key for f, a in _SPEC_PARAMS.items()}
                          | {"rate_per_min": ah.RATE[spec.weapon],
                             "density_exponent": ah.EXPONENT[spec.weapon],
                             "rate_max_per_min": ah.RATE_MAX[spec.weapon],
                             "fatality": ah.FATALITY[spec.weapon]})
        if spec.density_ref_pm2 is None:
            spec = spec.model_copy(update={"density_ref_pm2": ah.DENSITY_REF_PM2})
        self.w = world
        self.spec: Any = spec
        """The spec with every unset parameter taken from the run's assumptions."""
        full: Any = spec
        self.harm = ah.HarmRate(full.rate_per_min, full.density_ref_pm2,
                                full.density_exponent, full.rate_max_per_min)
        self.p_fatal: float = full.fatality
        self.target_distance_m = world.param(TARGET_DISTANCE_M.key)
        entrance = spec.entrance or cm.default_entrance(world)
        _, self.entry_cell = cm.entrance_cells(world, entrance, "hazards.entrance")
        self.entrance = entrance
        if spec.target == "space":
            if spec.space is None:
                raise cm.fail(world, "hazards.space", "target = 'space' needs a space")
            cm.space_cells(world, spec.space, "hazards.space")
        if spec.target == "route":
            if not spec.route:
                raise cm.fail(world, "hazards.route", "target = 'route' needs a route")
            for s in spec.route:
                cm.space_cells(world, s, "hazards.route")
        plan = cm.plan_of(world)
        self.kits = plan.equipment.responder_kits if plan is not None else 0
        self.attackers: list[Attacker] = []
        self.avoided: dict[int, int] = {}
        self.victims: list[tuple[float, int]] = []
        self.t_first_enter: float | None = None
        self.t_first_responder: float | None = None
        """First contact of a responder with any attacker (splits the victim rates)."""
        self.stopped_by: list[str] = []
        self.lockdown_held = False
        world.metrics.setdefault("attack_victims", 0)
        world.metrics.setdefault("attack_deaths", 0)
        world.metrics["attack_equipped_kits"] = self.kits
        world.metrics.setdefault("t_neutralised_s", None)
        world.hazards.append(self)
        for k in range(spec.attackers):
            a = Attacker(k=k, entity=cm.add_entity(world, "attacker", f"attacker {k + 1}"),
                         route_left=list(spec.route) if spec.target == "route" else [],
                         rng=world.streams.child("attacker", f"attack#{k}"))
            self.attackers.append(a)
            world.env.process(self._attacker(a, spec.t_s + k * spec.interval_s))
        world.hazards_active += 1  # held until the attackers have entered

    # ------------------------------------------------------------------ the attacker
    def _attacker(self, a: Attacker, t_enter: float) -> Any:
        w, spec = self.w, self.spec
        env = w.env
        yield env.timeout(t_enter)
        a.cell = self.entry_cell
        a.t_enter = env.now
        if self.t_first_enter is None:
            self.t_first_enter = env.now
        if a.k == len(self.attackers) - 1:
            w.hazards_active -= 1  # from now on the incidents hold the run open
        w.mark("attacker_entered", f"attacker {a.k + 1} ({spec.weapon}) at {self.entrance}")
        cm.track(w, a.entity, a.cell, State.ATTACKING)
        a.inc = cm.chain_of(w).incident(
            "attack", lambda: a.cell, visible=True, threat=True, key=f"attack#{a.k}",
            responders_needed=spec.guards_required, follow=True,
            on_arrival=lambda m, a=a: self._on_arrival(a, m),
            on_police=lambda a=a: self._on_police(a), weapon=spec.weapon)
        self._enter_cell(a, -1)
        if spec.ended_after_s is not None:
            env.process(self._ended(a, spec.ended_after_s))
        while not a.stopped:
            if a.pinned:
                yield env.timeout(spec.tick_s)
                continue
            if self._engage(a):
                continue
            here = self._responders_here(a)
            confronted = spec.weapon == "knife" and bool(here)
            if not confronted:
                nxt = self._next_cell(a)
                if nxt is not None and nxt != a.cell:
                    dt = w.hop_time_s(a.cell, nxt, spec.speed_mps)
                    yield env.timeout(dt)
                    if a.stopped or a.pinned:
                        continue
                    old = a.cell
                    a.cell = nxt
                    cm.track(w, a.entity, a.cell, State.ATTACKING)
                    self._strike(a, False, dt)
                    self._enter_cell(a, old)
                    continue
            yield env.timeout(spec.tick_s)
            if a.stopped or a.pinned:
                continue
            self._strike(a, confronted, spec.tick_s)
            if confronted:
                self._fight(a, spec.tick_s)

    def _enter_cell(self, a: Attacker, old: int) -> None:
        w = self.w
        if old >= 0:
            self.avoided[old] -= 1
        self.avoided[a.cell] = self.avoided.get(a.cell, 0) + 1
        drop = [old] if old >= 0 and self.avoided[old] == 0 else []
        cm.set_avoid(w, add=[a.cell], drop=drop)
        self._perceive(a)
        chain = cm.chain_of(w)
        if a.inc is not None:
            chain.moved(a.inc)  # followers go after it now
            st = cm.staff_of(w)
            if st is not None:
                st.threat_seen(a.inc, a.cell)
            self._engage(a)

    def _perceive(self, a: Attacker) -> None:
        w = self.w
        cm.alert(w, [a.cell], "panic")
        near = cm.neighbours(w, a.cell)
        cm.alert(w, near, "incident")
        if self.spec.weapon == "firearm":
            far = {c for n in near for c in cm.neighbours(w, n)} - set(near) - {a.cell}
            cm.alert(w, far, "incident")

    def _strike(self, a: Attacker, confronted: bool, dt: float) -> None:
        w, spec = self.w, self.spec
        c = a.cell
        if w.count[c] <= 0 or w.area[c] <= 0:
            return
        rate = self.harm.per_min(w.count[c] / w.area[c])
        lam = rate * dt / 60.0 * (spec.confronted_factor if confronted else 1)
        rng = a.rng
        k = int(rng.poisson(lam)) if lam > 0 else 0
        if k <= 0:
            return
        people = cm.present_in(w, [c])
        if not people:
            return
        k = min(k, len(people))
        chosen = rng.choice(len(people), size=k, replace=False)
        for j in sorted(int(x) for x in chosen):
            i = people[j]
            fatal = bool(rng.random() < self.p_fatal)
            if cm.harm(w, i, "attack", fatal=fatal):
                now = w.env.now
                a.harms.append((now, i))
                self.victims.append((now, i))
                w.metrics.add("attack_victims")
                if fatal:
                    w.metrics.add("attack_deaths")
        self._perceive(a)

    # ------------------------------------------------------------------ targeting
    def _next_cell(self, a: Attacker) -> int | None:
        w, spec = self.w, self.spec
        dist = cm.open_distances(w, a.cell)
        target = None
        while a.route_left:
            cells = cm.space_cells(w, a.route_left[0], "hazards.route")
            if a.cell in cells and w.count[a.cell] > 0:
                return a.cell
            live = [c for c in cells if w.count[c] > 0 and np.isfinite(dist[c])]
            if live or a.cell not in cells:
                target = min(live or cells, key=lambda c: dist[c])
                if not np.isfinite(dist[target]):
                    a.route_left.pop(0)
                    continue
                break
            a.route_left.pop(0)
        if target is None and spec.target == "space" and spec.space is not None:
            cells = cm.space_cells(w, spec.space, "hazards.space")
            live = [c for c in cells if w.count[c] > 0 and np.isfinite(dist[c])]
            if live:
                target = a.cell if a.cell in live else min(live, key=lambda c: dist[c])
        if target is None:
            target = self._densest(a, dist)
        if target is None or target == a.cell:
            return target
        path = cm.open_path(w, a.cell, target)
        return path[1] if len(path) > 1 else None

    def _densest(self, a: Attacker, dist: np.ndarray) -> int | None:
        w = self.w
        count = np.asarray(w.count, dtype=float)
        area = np.asarray(w.area, dtype=float)
        ok = np.isfinite(dist) & (area > 0) & (count > 0) & ~np.asarray(w.is_exit)
        if not ok.any():
            return None
        dens = np.where(ok, count / np.maximum(area, 1e-9), 0.0)
        near = ok & (dist <= self.spec.search_radius_m)
        pool = near if near.any() else ok
        score = np.where(pool, dens / (1.0 + np.where(pool, dist, 0.0) / self.target_distance_m),
                         -1.0)
        best = int(np.argmax(score))
        if ok[a.cell] and score[a.cell] >= score[best]:
            return a.cell
        return best

    # ------------------------------------------------------------------ responders
    # (contact, pinning and harm to responders: sim.security.engagement documents them)
    def _responders_here(self, a: Attacker) -> list[Member]:
        st = cm.staff_of(self.w)
        if st is None or a.inc is None:
            return []
        return [st.members[j] for j in dict.fromkeys(a.inc.responders)
                if st.members[j].cell == a.cell and st.members[j].task == "converge"
                and not st.members[j].harmed]

    def _equipped(self, members: list[Member]) -> int:
        st = cm.staff_of(self.w)
        return sum(1 for m in members if st is not None and m.id in st.kit_holders)

    def _contact(self, a: Attacker) -> None:
        """A responder is in the attacker's cell: record the first contact."""
        w = self.w
        now = w.env.now
        if math.isnan(a.t_contact):
            a.t_contact = now
        if self.t_first_responder is None:
            self.t_first_responder = now
            w.metrics["t_contact_s"] = now
            if self.t_first_enter is not None:
                w.metrics["t_contact_after_incident_s"] = now - self.t_first_enter
            w.mark("contact", f"a responder reached attacker {a.k + 1}")

    def _engage(self, a: Attacker) -> bool:
        """Check the responders in the attacker's cell now: contact, and pin it when
        enough of them carry kits. True when it was pinned now."""
        if a.stopped or a.pinned:
            return False
        here = self._responders_here(a)
        if not here:
            return False
        self._contact(a)
        if self.spec.weapon == "knife" and self._equipped(here) >= self.spec.guards_required:
            self._pin(a, "guards", self.spec.struggle_s)
            return True
        return False

    def _fight(self, a: Attacker, dt: float) -> None:
        """An unpinned knife attacker in contact strikes at responders (engagement notes)."""

        st = cm.staff_of(self.w)
        if st is None:
            return
        rng = self.w.streams.child("attacker", f"attack#{a.k}", "responders")
        for m in responder_hits(rng, self._responders_here(a), st.kit_holders, dt,
                                st.eng.hit_per_min, st.eng.kit_protection):
            st.harm(m, fatal=bool(rng.random() < self.p_fatal))

    def _on_arrival(self, a: Attacker, m: Member) -> None:
        self._engage(a)

    def _on_police(self, a: Attacker) -> None:
        if not a.stopped and a.pinned_by != "police":
            self._contact(a)
            if a.pinned or self.spec.ended_after_s is not None:
                return  # a reconstruction ends when the record says, by its own responders
            self._pin(a, "police", self.spec.police_struggle_s)

    def _ended(self, a: Attacker, after_s: float) -> Any:
        """A reconstruction's recorded end: the attacker is stopped ``after_s`` after it
        entered, by the responders of the record (not modelled)."""
        yield self.w.env.timeout(after_s)
        if not a.stopped and not a.pinned:
            self._pin(a, "record", 0.0)

    def _pin(self, a: Attacker, by: str, struggle_s: float) -> None:
        a.pinned = True
        a.pinned_by = by
        a.t_pinned = self.w.env.now
        self.w.mark("attacker_pinned", f"attacker {a.k + 1} pinned by {by}")
        self.w.env.process(self._struggle(a, struggle_s))

    def _struggle(self, a: Attacker, struggle_s: float) -> Any:
        w = self.w
        yield w.env.timeout(struggle_s)
        if a.stopped:
            return
        a.stopped = True
        a.t_stopped = w.env.now
        self.stopped_by.append(a.pinned_by)
        cm.track(w, a.entity, a.cell, State.NEUTRALISED)
        w.mark("attacker_neutralised", f"attacker {a.k + 1} stopped by {a.pinned_by}")
        w.metrics.add("attackers_neutralised")
        self.avoided[a.cell] -= 1
        if self.avoided[a.cell] == 0:
            cm.set_avoid(w, drop=[a.cell])
        if a.inc is not None:
            cm.chain_of(w).resolve(a.inc)
        if all(x.stopped for x in self.attackers):
            w.metrics["t_neutralised_s"] = w.env.now
            if self.t_first_enter is not None:
                w.metrics["t_neutralised_after_incident_s"] = w.env.now - self.t_first_enter
            w.metrics["attack_stopped_by"] = next(
                (b for b in ("police", "record") if b in self.stopped_by), "guards")
            w.signals.fire(w.signals.attack_stopped)
            w.env.process(self._all_clear())

    def _all_clear(self) -> Any:
        w = self.w
        st = cm.staff_of(w)
        if st is None:
            w.mark("alarm", "police order a general evacuation")
            w.cue_all("alarm")
            return
        w.hazards_active += 1
        yield w.env.timeout(self.spec.all_clear_s)
        st.end_lockdown()
        w.hazards_active -= 1

    # ------------------------------------------------------------------ metrics
    def series(self, ts: np.ndarray) -> dict[str, np.ndarray]:
        """No per-cell series (attackers are replay entities)."""
        return {}

    def finish(self) -> None:
        """Victim rates before and after the first responder (per minute)."""
        w = self.w
        t0 = self.t_first_enter
        if t0 is None:
            return
        t_end = w.metrics.get("t_neutralised_s") or w.env.now
        t_fr = self.t_first_responder
        split = t_fr if t_fr is not None else t_end
        before = sum(1 for t, _ in self.victims if t < split)
        after = len(self.victims) - before
        w.metrics["attack_victims_per_min_before_responder"] = (
            round(before / ((split - t0) / 60.0), 3) if split > t0 else None)
        w.metrics["attack_victims_per_min_after_responder"] = (
            round(after / ((t_end - split) / 60.0), 3)
            if t_fr is not None and t_end > split else None)
        w.metrics.setdefault("attackers_neutralised", 0)


def start(world: World, spec: AttackSpec) -> None:
    """Validate the attack against the layout and schedule the attackers."""
    AttackRun(world, spec)


