"""``kind = "hostage"``: a hostage-taking fixed in a shop; guards cordon the spaces
around it and the zone is evacuated.

Rules (each with its source, or flagged as an **assumption**)
------------------------------------------------------------
* **Seizure.** At ``t_s`` the hostage-taker closes the shop (``space``, default the first
  jewellery shop, else the first shop): its doors are closed and blocked for routing,
  and everyone inside is held (``hostages``); they cannot leave until the release. The
  incident enters the alarm chain as a visible incident (``hostage``, no threat
  dispatch: nobody storms the shop); the duty room verifies, sounds the alarm, calls the
  police and dispatches guards.
* **Cordon.** The cordon is every cell next to the shop (outside it). Dispatched guards
  (as many as there are cordon cells × ``cordon_per_cell``) converge on the cordon cell
  at the shop front, then each takes the nearest unheld cordon cell and holds it.
  ``t_cordon_s`` is when every cordon cell is held (Shenzhen standard SZDB/Z 317-2018
  《大中型商场、超市安全防范规范》: at a raised warning level cordons are set and routes
  for police, ambulance and fire vehicles are cleared).
* **Zone.** The zone is every cell within ``zone_radius_m`` (30 m, **assumption**) of
  the shop by walking distance, outside the shop. When the first cordon guard is in
  place, the zone is avoided by routing and everyone still unaware in it is told to
  leave (``guard`` cue, repeated every 10 s while the cordon stands). ``zone_evacuated_s``
  is the first time after that with nobody left in the zone.
* **Release.** The hostages are released ``siege_s`` (1200 s, **assumption**: negotiation
  time is open-ended; this only bounds the run) after the police arrive (or after
  ``t_s`` + ``siege_s`` when the police never come): the doors reopen and they leave on a
  ``guard`` cue.

Metrics: ``hostages``, ``t_cordon_s``, ``zone_evacuated_s``, ``cordon_cells``,
``zone_cells``, ``t_hostages_released_s``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.engine.replay import State
from sim.engine.world import World
from sim.hazards import _common as cm
from sim.model.hazard_specs import HostageSpec

if TYPE_CHECKING:
    from sim.security.alarm import Incident
    from sim.security.staff import Member


def default_shop(world: World) -> str:
    """The first jewellery shop, else the first shop."""
    shops = [s for s in world.layout.spaces.values() if s.kind == "shop"]
    for s in shops:
        if "shop_category:jewellery" in s.tags:
            return s.id
    if not shops:
        raise cm.fail(world, "hazards.space", "the layout has no shop; name a space")
    return shops[0].id


class Hostage:
    """Seizure, cordon, zone evacuation and release."""

    def __init__(self, world: World, spec: HostageSpec) -> None:
        self.w, self.spec = world, spec
        self.space = spec.space or default_shop(world)
        self.cells = cm.space_cells(world, self.space, "hazards.space")
        shop = set(self.cells)
        cordon: list[int] = []
        for c in self.cells:
            for n in cm.neighbours(world, c):
                if n not in shop and n not in cordon:
                    cordon.append(n)
        self.cordon = cordon or list(self.cells)
        g = world.net.cell_graph
        zone = []
        for c in range(len(world.cell_ids)):
            if c in shop or world.is_exit[c]:
                continue
            d = min(g.distance_m(c, s) for s in self.cells)
            if d <= spec.zone_radius_m or c in self.cordon:
                zone.append(c)
        self.zone = zone
        self.front = self.cordon[0]
        self.held: dict[int, list[int]] = {c: [] for c in self.cordon}
        self.assigned: dict[int, int] = {}
        self.inc: Incident | None = None
        self.doors: list[int] = []
        self.cordon_started = False
        self.released = False
        world.metrics["cordon_cells"] = len(self.cordon)
        world.metrics["zone_cells"] = len(self.zone)
        world.metrics.setdefault("t_cordon_s", None)
        world.metrics.setdefault("zone_evacuated_s", None)
        world.metrics.setdefault("t_hostages_released_s", None)
        world.hazards_active += 1
        world.env.process(self._run())

    # ------------------------------------------------------------------ seizure
    def _run(self) -> Any:
        w, spec = self.w, self.spec
        env = w.env
        yield env.timeout(spec.t_s)
        shop = set(self.cells)
        for c in self.cells:
            for q in w.portals_of[c]:
                d = w.doors[q]
                other = d.b if d.a == c else d.a
                if other not in shop and not d.blocked:
                    self.doors.append(q)
        for q in self.doors:
            w.doors[q].close()
        w.router.block_many(self.doors)
        hostages = cm.present_in(w, self.cells)
        w.metrics["hostages"] = len(hostages)
        ent = cm.add_entity(w, "attacker", f"hostage-taker ({self.space})")
        cm.track(w, ent, self.cells[0], State.ATTACKING)
        w.mark("hostage", f"hostage-taking in {self.space}: {len(hostages)} held")
        need = len(self.cordon) * spec.cordon_per_cell
        self.inc = cm.chain_of(w).incident(
            "hostage", self._inc_cell, visible=True, threat=False,
            responders_needed=need, on_arrival=self._on_arrival)
        cm.alert(w, [c for c in self.zone if c in self.cordon], "incident")
        cm.chain_of(w).evacuate_when_police_arrive()
        env.process(self._release_later())

    def _inc_cell(self) -> int:
        inc = self.inc
        if inc is not None and inc.t_verified is not None:
            return self.front
        return self.cells[0]

    # ------------------------------------------------------------------ cordon
    def _on_arrival(self, m: Member) -> None:
        if m.id in self.assigned:
            return
        staff = cm.staff_of(self.w)
        if staff is None:
            return
        per = self.spec.cordon_per_cell
        free = [c for c in self.cordon if len(self.held[c]) + sum(
            1 for x in self.assigned.values() if x == c) < per]
        if not free:
            return
        c = min(free, key=lambda x: staff.graph.distance_m(m.cell, x))
        self.assigned[m.id] = c
        m.task = "cordon"
        self.w.env.process(self._take_post(staff, m, c))

    def _take_post(self, staff: Any, m: Member, c: int) -> Any:
        ok = yield from cm.walk_member(self.w, staff, m, c, State.ENGAGED)
        if not ok:
            return
        w = self.w
        self.held[c].append(m.id)
        staff._track(m, State.ENGAGED)
        if not self.cordon_started:
            self.cordon_started = True
            w.mark("cordon", "first cordon post held")
            cm.set_avoid(w, add=self.zone)
            w.env.process(self._clear_zone())
        if w.metrics.get("t_cordon_s") is None and all(
                len(self.held[x]) >= self.spec.cordon_per_cell for x in self.cordon):
            w.metrics["t_cordon_s"] = w.env.now
            w.mark("cordon", f"cordon complete ({len(self.cordon)} cells)")

    def _clear_zone(self) -> Any:
        w = self.w
        chain = cm.chain_of(w)
        while not self.released:
            for i in w.unaware_in(self.zone):
                w.cue(i, "guard")
                chain.guided.add(i)
            if w.metrics.get("zone_evacuated_s") is None and \
                    sum(w.count[c] for c in self.zone) == 0:
                w.metrics["zone_evacuated_s"] = w.env.now
                w.mark("zone_evacuated", "nobody left in the cordoned zone")
                return
            yield w.env.timeout(5.0)

    # ------------------------------------------------------------------ release
    def _release_later(self) -> Any:
        w, spec = self.w, self.spec
        env = w.env
        t_give_up = env.now + spec.siege_s
        police = w.signals.police_arrived
        yield police | env.timeout(spec.siege_s)
        # released a siege after the police arrived, or when the siege ends without them
        t_pol = police.value if police.triggered else None  # the time the police arrived
        t_release = t_pol + spec.siege_s if t_pol is not None else t_give_up
        if t_release > env.now:
            yield env.timeout(t_release - env.now)
        self.released = True
        for q in self.doors:
            w.doors[q].blocked = False
        w.router.unblock_many(self.doors)
        cm.set_avoid(w, drop=self.zone)
        for i in cm.present_in(w, self.cells):
            w.cue(i, "guard")
        w.metrics["t_hostages_released_s"] = env.now
        w.mark("hostages_released", f"hostages in {self.space} released")
        if self.inc is not None:
            cm.chain_of(w).resolve(self.inc)
        w.hazards_active -= 1


def start(world: World, spec: HostageSpec) -> None:
    """Validate the shop and schedule the hostage-taking."""
    Hostage(world, spec)


