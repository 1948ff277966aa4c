"""``kind = "robbery"``: a robbery at the finance room or a jewellery shop; the robber
flees toward an exit and guards may intercept.

Rules (each with its source, or flagged as an **assumption**)
------------------------------------------------------------
* **Where.** ``target`` is a space id; by default the first shop tagged
  ``shop_category:jewellery``, else the first ``finance_room``. Beijing's local standard
  for large and medium malls and supermarkets (《大中型商场超市治安防范规范》, compulsory,
  in force 1 August 2011) puts audio-visual alarms at jewellery and valuables counters and
  face-identifying CCTV on finance rooms; the 2020 anti-robbery drill at a Changping
  (Beijing) mall, reported by the Beijing legal-services portal bj148.org in September
  2020, started with the jewellery shop pressing its alarm.
* **Robbery.** At ``t_s`` the robbery starts in the target's cell and enters the alarm
  chain as a visible threat (``robbery``): people there see it, shop officers and
  cameras can report it, the duty room verifies, sounds the alarm, calls the police
  and radios the guards (no lockdown). After ``dwell_s`` (60 s, **assumption**) the
  robber runs at ``speed_mps`` (2.5 m/s, **assumption**; slowed by crowds like staff)
  to ``exit`` (an exterior opening; default the nearest one by walking distance) and
  cannot pass closed doors.
* **Interception.** Each time the robber enters a cell holding guards or team members,
  and each time a converging responder reaches the robber, every *alerted* one
  (after the duty room's radio call, or dispatched to it) stops the robber with
  probability ``intercept_p`` (0.5, **assumption**). Guards on gate and entrance posts
  direct evacuees at their exits after the radio call (:mod:`sim.security.staff`), so
  they stand where a fleeing robber passes. Without an alerted guard the robber walks
  past. An intercepted robber is held until the police arrive; an escaped one is gone.
* **End.** The incident closes when the police reach the robber (held) or its last
  cell (escaped).

Metrics: ``t_alarm_s`` and ``t_police_arrived_s`` (alarm chain), ``intercepted``,
``t_intercepted_s``, ``robber_escaped``, ``t_robber_out_s``, ``robbery_target``,
``robbery_exit``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.engine.replay import State
from sim.engine.world import World
from sim.hazards import _common as cm
from sim.model.hazard_specs import RobberySpec

if TYPE_CHECKING:
    from sim.security.alarm import Incident
    from sim.security.staff import Member


def default_target(world: World) -> str:
    """The first jewellery shop, else the first finance room."""
    for s in world.layout.spaces.values():
        if s.kind == "shop" and "shop_category:jewellery" in s.tags:
            return s.id
    for s in world.layout.spaces.values():
        if s.kind == "finance_room":
            return s.id
    raise cm.fail(world, "hazards.target",
                  "no jewellery shop (tag shop_category:jewellery) or finance room; "
                  "name a target space")


class Robbery:
    """The robber's process and the interception rule."""

    def __init__(self, world: World, spec: RobberySpec) -> None:
        self.w, self.spec = world, spec
        self.target = spec.target or default_target(world)
        self.cells = cm.space_cells(world, self.target, "hazards.target")
        if spec.exit is not None:
            cm.entrance_cells(world, spec.exit, "hazards.exit")
        self.rng = world.streams["attack"]
        self.cell = self.cells[0]
        self.entity = cm.add_entity(world, "robber", f"robber ({self.target})")
        self.held = False
        self.escaped = False
        self.inc: Incident | None = None
        world.metrics["robbery_target"] = self.target
        world.metrics["intercepted"] = False
        world.metrics["robber_escaped"] = False
        world.metrics.setdefault("t_intercepted_s", None)
        world.metrics.setdefault("t_robber_out_s", None)
        world.hazards_active += 1
        world.env.process(self._run())

    def _pick_exit(self) -> tuple[str, int]:
        w = self.w
        if self.spec.exit is not None:
            return self.spec.exit, cm.entrance_cells(w, self.spec.exit, "hazards.exit")[1]
        dist = cm.open_distances(w, self.cell)
        best = (math.inf, "", -1)
        for oid in cm.exterior_openings(w):
            _, inner = cm.entrance_cells(w, oid, "hazards.exit")
            d = float(dist[inner])
            if d < best[0]:
                best = (d, oid, inner)
        if best[2] < 0:
            raise cm.fail(w, "hazards.exit", "no exterior opening reachable from the target")
        return best[1], best[2]

    def _alerted(self, m: Member) -> bool:
        inc = self.inc
        if m.role not in ("guard", "team") or inc is None:
            return False
        return inc.t_verified is not None or m.id in inc.responders

    def _try_intercept(self, members: list[Member]) -> bool:
        if self.held or self.escaped:
            return self.held
        for m in members:
            if self._alerted(m) and self.rng.random() < self.spec.intercept_p:
                self.held = True
                w = self.w
                w.metrics["intercepted"] = True
                w.metrics["t_intercepted_s"] = w.env.now
                w.mark("robber_intercepted", f"robber stopped by {m.role} {m.id + 1}")
                cm.track(w, self.entity, self.cell, State.NEUTRALISED)
                return True
        return False

    def _on_arrival(self, m: Member) -> None:
        if m.cell == self.cell:
            self._try_intercept([m])

    def _on_police(self) -> None:
        w = self.w
        if self.inc is not None and not self.inc.resolved:
            if not self.escaped and not self.held:
                self.held = True
                w.metrics["intercepted"] = True
                w.metrics["t_intercepted_s"] = w.env.now
                w.mark("robber_arrested", "police arrest the robber")
            cm.chain_of(w).resolve(self.inc)

    def _run(self) -> Any:
        w, spec = self.w, self.spec
        env = w.env
        yield env.timeout(spec.t_s)
        w.mark("robbery", f"robbery at {self.target}")
        cm.track(w, self.entity, self.cell, State.ATTACKING)
        self.inc = cm.chain_of(w).incident(
            "robbery", lambda: self.cell, visible=True, threat=True, responders_needed=2,
            follow=True, lockdown=False, on_arrival=self._on_arrival,
            on_police=self._on_police)
        w.hazards_active -= 1
        cm.chain_of(w).evacuate_when_police_arrive()
        yield env.timeout(spec.dwell_s)
        if self.held:
            return
        exit_id, inner = self._pick_exit()
        w.metrics["robbery_exit"] = exit_id
        staff = cm.staff_of(w)
        while not self.held:
            if self.cell == inner:
                break
            path = cm.open_path(w, self.cell, inner)
            if len(path) < 2:
                yield env.timeout(10.0)
                continue
            yield env.timeout(w.hop_time_s(self.cell, path[1], spec.speed_mps))
            if self.held:
                return
            self.cell = path[1]
            cm.track(w, self.entity, self.cell, State.FLEEING)
            cm.alert(w, [self.cell], "incident")
            if staff is not None:
                here = [m for m in staff.members if m.cell == self.cell]
                if self._try_intercept(here):
                    return
        if self.held:
            return
        self.escaped = True
        w.metrics["robber_escaped"] = True
        w.metrics["t_robber_out_s"] = env.now
        w.mark("robber_escaped", f"robber out through {exit_id}")
        q = cm.opening_portal(w, exit_id, "hazards.exit")
        cm.track(w, self.entity, self.cell, State.SAFE, w.doors[q].at)


def start(world: World, spec: RobberySpec) -> None:
    """Validate the target and schedule the robbery."""
    Robbery(world, spec)


