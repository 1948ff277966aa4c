"""The alarm chain: detection → report → verification → alarm, PA, police, dispatch.

Every incident (a drill, a fire, an attacker, a crush, a blast, a robbery, a hostage
taking) enters the chain through :meth:`AlarmChain.incident`. Detection channels race;
the first one to fire reports to the duty room over its own link; the duty room
verifies, then sounds the alarm (general or zoned), starts PA messages (guided ones name
exits), calls the police and dispatches staff by radio.

Default delays (seconds; documented in ``docs/security-format.md``; engineering
assumptions unless a source is named):

=====================  ==========================================================
detector → panel        5 s (automatic fire alarm panel in the duty room)
camera                  operator notices: exponential, rate = watch_probability per
                        minute per operator (max 2 operators), then 10 s internal call
guard on the spot       perceive 5–15 s, radio report 10 ± 5 s
shop officer            perceive 10–30 s, phone/button report 20 ± 10 s
occupant                perceive 5–20 s, phone report to the mall 90 ± 45 s
                        (``alarm.occupant_report_mean_s``; no button), or to 110
                        directly when no duty room is staffed
verification            ``alarm.verify_s`` mean, else ``alarm.verify_mean_s`` (30 s),
                        log-normal; a detector-only report is verified by a camera
                        (if one sees it) or by the nearest guard walking there;
                        drills start verified
alarm after verify      5 s with alarm devices (SM-1.4a); without them the duty room
                        falls back to PA (if any) else to guards spreading the word
PA                      first message 30 s after the alarm (SM-1.4d)
police called           10 s over the platform link, which needs the alarm devices
                        (buttons, SM-1.4a) and the link (SM-1.4g / SM-5b); 60 s by
                        phone without either (:mod:`sim.security.police`)
police response         log-normal, median 180 s (``alarm.police_travel_s`` if set),
                        log-sd 0.60: FBI response times and the 3-minute circle
                        (:mod:`sim.security.police`)
=====================  ==========================================================

A device that is missing or disabled (``disable = [...]`` or sabotage) breaks its link
and the chain falls back to the next slower channel. Without alarm buttons nobody
sounds the bell, drills included: the duty room falls back to the PA, else to guards
spreading the word.

Randomness: every channel of every incident draws from its own keyed stream
(:meth:`sim.engine.rng.Streams.child`): each camera operator, the occupants' report,
each reporter, the verification and the police of an incident. Removing a camera
operator, a guard or the PA changes only the draws that depend on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.engine.replay import State
from sim.model.assumptions import declare
from sim.security import police
from sim.security.engagement import lognormal
from sim.security.staff import police_without_staff

if TYPE_CHECKING:
    from sim.engine.world import World
    from sim.model.security_plan import SecurityPlan
    from sim.security.staff import Staff


OCCUPANT_REPORT = declare(
    "alarm.occupant_report_mean_s", default=90.0, unit="s", low=45.0, high=240.0,
    dist="loguniform", valid_min=0.0, status="assumed", used_by=("security",),
    source="assumed: finding a phone number or a staff member to tell",
    name="Mean time for an occupant to report an incident (log-normal, sd half the mean)")
VERIFY = declare(
    "alarm.verify_mean_s", default=30.0, unit="s", low=10.0, high=120.0, dist="loguniform",
    valid_min=0.0, status="assumed", used_by=("security",),
    source="assumed: the duty room checks a report on CCTV or by radio",
    name="Mean time the duty room takes to verify a report (log-normal, sd 10 s)")


@dataclass
class Incident:
    """Something the chain must notice and respond to.

    ``cell_fn`` gives the incident's current cell (an attacker moves); ``visible`` means
    people in the same or neighbouring cells perceive it; ``threat`` means responders
    converge and must neutralise it.
    """

    id: int
    kind: str
    cell_fn: Callable[[], int]
    t_start: float
    key: str = ""
    """Stable id (``attack#0``, ``fire#0``): keys the incident's random streams."""
    visible: bool = True
    threat: bool = False
    responders_needed: int = 2
    detected_by: str = ""
    t_detected: float | None = None
    t_reported: float | None = None
    t_verified: float | None = None
    resolved: bool = False
    responders: list[int] = field(default_factory=list)
    """Staff ids at the incident."""
    arrivals: list[tuple[float, int]] = field(default_factory=list)
    detected: simpy.Event | None = None
    changed: simpy.Event | None = None
    """Succeeds when the incident moves (an attacker enters another cell) or ends."""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def cell(self) -> int:
        """The incident's current cell."""
        return self.cell_fn()


class AlarmChain:
    """Detection, reporting, verification and the duty room's actions for one world."""

    def __init__(self, world: World, plan: SecurityPlan | None) -> None:
        self.w = world
        self.plan = plan
        self.streams = world.streams
        given = plan.alarm.police_travel_s if plan is not None else None
        self.police_travel_s = given if given is not None \
            else world.param(police.POLICE_MEDIAN.key)
        self.police_log_sd = world.param(police.POLICE_LOG_SD.key)
        self.occupant_report_s = world.param(OCCUPANT_REPORT.key)
        verify = plan.alarm.verify_s if plan is not None else None
        self.verify_s = verify if verify is not None else world.param(VERIFY.key)
        self.incidents: list[Incident] = []
        self.t_alarm: float | None = None
        self.police_evacuation = False
        """Whether the police, arriving where no plan sounds an alarm, order an evacuation."""
        self.staff: Staff | None = None
        self.failed: set[str] = set(plan.disabled) if plan is not None else set()
        self._first_metrics: dict[str, float] = {}
        self.guided: set[int] = set()
        """People who received a guided cue (PA naming exits, or a guard)."""
        self.zone_alarmed: set[int] = set()
        cam_cells: dict[int, list[str]] = {}
        if plan is not None:
            for cam in plan.cctv.cameras:
                for sid in {cam.space, *cam.sees}:
                    for c in world.net.cells_of_space.get(sid, ()):
                        cam_cells.setdefault(world.cell_index[c], []).append(cam.id)
        self.camera_cells = cam_cells
        det: dict[int, str] = {}
        if plan is not None:
            for d in plan.alarm.detectors:
                for c in world.net.cells_of_space.get(d.space, ()):
                    det[world.cell_index[c]] = d.kind
        self.detector_cells = det

    # ------------------------------------------------------------------ devices
    def works(self, what: str) -> bool:
        """True when device/people ``what`` exists in the plan and has not failed."""
        p = self.plan
        if p is None or what in self.failed:
            return False
        if what == "pa":
            return bool(p.pa.zones)
        if what == "police_link":
            return p.alarm.police_link
        if what == "cctv":
            return bool(p.cctv.cameras) and p.cctv.operators > 0
        if what == "buttons":
            return bool(p.alarm.buttons)
        if what == "detectors":
            return bool(p.alarm.detectors)
        if what == "duty_room":
            return p.duty_room is not None
        return True

    def evacuate_when_police_arrive(self) -> None:
        """Without a security plan nobody sounds an alarm: when the police arrive they order
        a general evacuation (``alarm`` cue for everyone still unaware). Once per run."""
        if self.plan is not None or self.police_evacuation:
            return
        self.police_evacuation = True
        w = self.w

        def _order() -> Any:
            yield w.signals.police_arrived
            w.mark("alarm", "police order a general evacuation")
            w.cue_all("alarm")

        w.env.process(_order())

    def fail(self, what: str) -> None:
        """A device fails now (sabotage)."""
        self.failed.add(what)
        self.w.mark("device_failed", f"{what} failed")

    def _set_first(self, key: str, t: float) -> None:
        if key not in self._first_metrics:
            self._first_metrics[key] = t
            self.w.metrics[key] = t
            t0 = self._first_metrics.get("t_incident_s")
            if key == "t_alarm_s" and t0 is not None:
                self._set_first("t_alarm_after_incident_s", max(0.0, t - t0))

    # ------------------------------------------------------------------ entry points
    def _key(self, kind: str) -> str:
        return f"{kind}#{sum(1 for i in self.incidents if i.kind == kind)}"

    def rng(self, family: str, inc: Incident, *who: str) -> np.random.Generator:
        """The keyed stream of one channel of one incident (see module notes)."""
        return self.streams.child(family, inc.key, *who)

    def incident(self, kind: str, cell_fn: Callable[[], int], *, visible: bool = True,
                 threat: bool = False, responders_needed: int = 2, key: str | None = None,
                 **data: Any) -> Incident:
        """Open an incident now; detection channels start racing.

        ``key`` is its stable id for random streams (default ``kind#n``, the n-th
        incident of that kind).
        """
        inc = Incident(len(self.incidents), kind, cell_fn, self.w.env.now,
                       key=key or self._key(kind), visible=visible,
                       threat=threat, responders_needed=responders_needed, data=dict(data))
        inc.detected = self.w.env.event()
        self.incidents.append(inc)
        self._set_first("t_incident_s", inc.t_start)
        self.w.hazards_active += 1
        self.w.mark("incident", f"{kind} at {self.w.cell_space[inc.cell]}")
        env = self.w.env
        env.process(self._camera_channel(inc))
        env.process(self._staff_channel(inc))
        env.process(self._officer_channel(inc))
        if visible:
            env.process(self._occupant_channel(inc))
        return inc

    def detector_triggered(self, inc: Incident, cell: int) -> None:
        """A fire hazard reports that smoke/heat reached a detector in ``cell``."""
        if not self.works("detectors") or cell not in self.detector_cells:
            return
        self._detect(inc, "detector", report_s=5.0, needs_check=True)

    def staff_perceived(self, inc: Incident, staff_id: int, role: str) -> None:
        """A guard, team member or officer saw the incident themselves."""
        if inc.t_detected is not None:
            return
        who = (self.staff.members[staff_id].key if self.staff is not None and staff_id >= 0
               else role)
        rng = self.rng("report", inc, who)
        if role == "officer":
            report = 20.0 + float(rng.uniform(-10, 10))
        else:
            report = max(2.0, float(rng.normal(10.0, 5.0)))
        self._detect(inc, role, report_s=report)

    def drill(self, spec: Any) -> None:
        """A drill: the duty room raises a verified alarm now."""
        cell = self.w.cell_index[self.w.net.cells_of_space[spec.space][0]] \
            if spec.space is not None else self._duty_cell()
        # a drill at a place sends two responders there; a drill without one sends nobody
        inc = Incident(len(self.incidents), "drill", lambda: cell, self.w.env.now,
                       key=self._key("drill"), visible=False,
                       responders_needed=2 if spec.space is not None else 0)
        inc.detected = self.w.env.event()
        self.incidents.append(inc)
        now = self.w.env.now
        self._set_first("t_incident_s", now)
        inc.t_detected = inc.t_reported = inc.t_verified = now
        inc.detected_by = "drill"
        inc.detected.succeed()
        for key in ("t_detected_s", "t_reported_s", "t_verified_s"):
            self._set_first(key, now)
        self.w.mark("alarm_raised", "drill started by the duty room")
        self.w.hazards_active += 1
        self.w.env.process(self._actions(inc, mode=spec.alarm))

    def resolve(self, inc: Incident) -> None:
        """The incident is over (neutralised, fire out, crowd dispersed)."""
        if not inc.resolved:
            inc.resolved = True
            self.w.hazards_active -= 1
            self.moved(inc)

    def changed(self, inc: Incident) -> simpy.Event:
        """An event that succeeds the next time ``inc`` moves or ends (responders who
        follow a moving threat wait on it instead of polling)."""
        if inc.changed is None or inc.changed.triggered:
            inc.changed = self.w.env.event()
        return inc.changed

    def moved(self, inc: Incident) -> None:
        """``inc`` moved (or ended): wake everyone waiting on :meth:`changed`."""
        ev = inc.changed
        if ev is not None and not ev.triggered:
            ev.succeed(self.w.env.now)

    # ------------------------------------------------------------------ detection
    def _detect(self, inc: Incident, by: str, *, report_s: float,
                needs_check: bool = False) -> None:
        if inc.t_detected is not None:
            return
        now = self.w.env.now
        inc.t_detected = now
        inc.detected_by = by
        assert inc.detected is not None
        inc.detected.succeed()
        self._set_first("t_detected_s", now)
        self.w.metrics.setdefault("detected_by", by)
        self.w.mark("detected", f"{inc.kind} detected by {by}")
        self.w.env.process(self._report(inc, report_s, needs_check))

    def _camera_channel(self, inc: Incident) -> Any:
        p = self.plan
        if p is None:
            return
        ops = min(p.cctv.operators, 2)
        rate_per_min = p.cctv.watch_probability
        rngs = [self.rng("operator", inc, f"operator-{k + 1}") for k in range(ops)]
        env = self.w.env
        while inc.t_detected is None and not inc.resolved:
            if self.works("cctv") and inc.cell in self.camera_cells and rate_per_min > 0:
                # each operator watching notices on their own (exponential, memoryless),
                # checked in windows of 10 s while the incident is on a screen
                wait = min(float(g.exponential(60.0 / rate_per_min)) for g in rngs)
                yield env.timeout(min(wait, 10.0))
                if wait <= 10.0 and self.works("cctv") and inc.cell in self.camera_cells:
                    self._detect(inc, "camera", report_s=10.0)
                    return
            else:
                yield env.timeout(10.0)

    def _staff_channel(self, inc: Incident) -> Any:
        """Guards on post or patrol in or next to the incident perceive it."""
        if self.staff is None:
            return
        yield self.w.env.timeout(0)
        self.staff.notice_incident(inc)

    def _officer_channel(self, inc: Incident) -> Any:
        """A shop officer in the incident's shop (or a neighbouring shop) perceives it."""
        if self.staff is None or not self.staff.officer_near(inc.cell):
            return
        yield self.w.env.timeout(float(self.rng("detect", inc, "officer").uniform(10.0, 30.0)))
        if inc.t_detected is None:
            self.staff_perceived(inc, -1, "officer")

    def _occupant_channel(self, inc: Incident) -> Any:
        """Occupants who see it flee; one of them reports it by phone."""
        w = self.w
        env = w.env
        rng = self.rng("detect", inc, "occupant")
        yield env.timeout(float(rng.uniform(5.0, 20.0)))
        cell = inc.cell
        near = [cell, *self._neighbours(cell)]
        seen = w.unaware_in(near)
        for i in seen:
            w.cue(i, "incident")
        if not seen and w.count[cell] == 0:
            return
        yield env.timeout(lognormal(rng, self.occupant_report_s,
                                    0.5 * self.occupant_report_s))
        if inc.t_detected is None:
            by = "occupant" if self.works("duty_room") else "occupant_110"
            self._detect(inc, by, report_s=0.0)

    def _neighbours(self, cell: int) -> list[int]:
        w = self.w
        out = []
        for q in w.portals_of[cell]:
            d = w.doors[q]
            o = d.b if d.a == cell else d.a
            if not w.is_exit[o]:
                out.append(o)
        return out

    def _duty_cell(self) -> int:
        w = self.w
        p = self.plan
        sid = p.duty_room if p is not None and p.duty_room else None
        if sid is None:
            return 0
        return w.cell_index[w.net.cells_of_space[sid][0]]

    # ------------------------------------------------------------------ report, verify, act
    def _report(self, inc: Incident, report_s: float, needs_check: bool) -> Any:
        env = self.w.env
        yield env.timeout(report_s)
        inc.t_reported = env.now
        self._set_first("t_reported_s", env.now)
        if not self.works("duty_room"):
            # nobody staffs a duty room: the caller phoned 110 directly
            env.process(self._police(inc, linked=False))
            return
        rng = self.rng("incident", inc, "verify")
        if needs_check:
            if self.works("cctv") and inc.cell in self.camera_cells:
                yield env.timeout(lognormal(rng, 30.0, 10.0))
            elif self.staff is not None and self.staff.can_check():
                yield env.process(self.staff.check(inc))
            else:
                yield env.timeout(120.0)
        else:
            yield env.timeout(lognormal(rng, self.verify_s, 10.0))
        inc.t_verified = env.now
        self._set_first("t_verified_s", env.now)
        self.w.mark("verified", f"{inc.kind} verified")
        mode = self.plan.alarm.mode if self.plan is not None else "general"
        yield env.process(self._actions(inc, mode=mode))

    def _actions(self, inc: Incident, *, mode: str) -> Any:
        w = self.w
        env = w.env
        env.process(self._police(inc, linked=self.works("police_link")
                                 and self.works("buttons")))
        if self.staff is not None:
            self.staff.dispatch(inc)
        if self.works("buttons"):
            yield env.timeout(5.0)
            self._sound(inc, mode)
        if self.works("pa"):
            yield env.timeout(30.0 if self.t_alarm is not None else 10.0)
            self._pa(inc)
        elif self.t_alarm is None:
            # no alarm devices and no PA: guards and officers spread the word
            if self.staff is not None:
                self.staff.spread_word(inc)
            self._set_first("t_alarm_s", env.now + 60.0)
            self.w.signals.fire(self.w.signals.alarm_sounded, 60.0)
        if inc.kind == "drill":
            self.resolve(inc)

    def _sound(self, inc: Incident, mode: str) -> None:
        w = self.w
        now = w.env.now
        if self.t_alarm is None:
            self.t_alarm = now
            self._set_first("t_alarm_s", now)
            w.signals.fire(w.signals.alarm_sounded)
        w.mark("alarm", f"{mode} alarm ({inc.kind})")
        if mode == "zoned":
            lvl = w.cell_level[inc.cell]
            elev = w.level_elev
            levels = {k for k in range(len(elev))
                      if abs(elev[k] - elev[lvl]) <= 6.0 or elev[k] < 0}
            w.cue_all("alarm", (i for i in range(w.n) if w.cell_level[w.cell_of[i]] in levels))
            w.env.process(self._general_later(inc, 120.0))
        else:
            w.cue_all("alarm")

    def _general_later(self, inc: Incident, delay: float) -> Any:
        yield self.w.env.timeout(delay)
        self.w.mark("alarm", "zoned alarm extended to the whole mall")
        self.w.cue_all("alarm")

    def _pa(self, inc: Incident) -> None:
        w = self.w
        p = self.plan
        assert p is not None
        now = w.env.now
        self._set_first("t_pa_s", now)
        w.mark("pa", "PA message" + (" naming exits" if p.pa.guided else ""))
        covered: set[int] | None = None
        if not any(z.all for z in p.pa.zones):
            covered = set()
            for z in p.pa.zones:
                for sid in z.spaces:
                    covered.update(w.cell_index[c] for c in w.net.cells_of_space[sid])
        avoid = inc.cell if inc.kind != "drill" else -1
        people = range(w.n) if covered is None else \
            [i for i in range(w.n) if w.cell_of[i] in covered]
        gone = {int(State.SAFE), int(State.DEAD), int(State.INCAPACITATED), int(State.INJURED)}
        waiting = (int(State.UNAWARE), int(State.SHELTERING))
        states = w.state
        for i in people:
            st = states[i]
            if st in gone:
                continue
            if p.pa.guided:
                self.guided.add(i)
            if st in waiting:
                w.cue(i, "pa")
        if p.pa.guided and avoid >= 0:
            w.avoid_cell(avoid)
        w.metrics["guided_cues"] = len(self.guided)

    def _police(self, inc: Incident, *, linked: bool) -> Any:
        env = self.w.env
        yield env.timeout(police.CALL_LINKED_S if linked else police.CALL_PHONE_S)
        self._set_first("t_police_called_s", env.now)
        self.w.mark("police_called", "police called" + (" via platform" if linked else
                                                          " by phone"))
        yield env.timeout(police.response_time_s(self.rng("police", inc), self.police_travel_s,
                                                 self.police_log_sd))
        self._set_first("t_police_arrived_s", env.now)
        self.w.signals.fire(self.w.signals.police_arrived)
        self.w.mark("police_arrived", "police arrived")
        if self.staff is not None:
            self.staff.police_arrived(inc)
        elif inc.threat:
            police_without_staff(self.w, inc)
        if not inc.threat and inc.kind not in ("fire", "crush"):
            self.resolve(inc)
