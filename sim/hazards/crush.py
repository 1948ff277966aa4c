"""``kind = "crush"``: crowd crush (拥挤踩踏) — panic, dense crowds, falls, and defences.

Triggers
--------
* ``panic`` — a bang or a rumour at ``space`` and ``t_s``: everyone within
  ``panic_radius`` openings of it gets a ``panic`` cue (seconds of pre-movement), walks
  ``speed_boost`` times faster and pushes;
* ``gathering`` — a crowd gathered at ``space`` (an atrium event, a sale opening) all
  leaves at ``t_s`` at once (the whole mall is alarmed), pushing;
* ``escalator_stop`` — the stair or escalator ``space`` stops at ``t_s`` (its openings
  close) while the mall evacuates around it.

Pushing lets the crowd in the panic zone (the cells within ``panic_radius`` openings)
pack to ``push_density_pm2`` (7 persons/m², Fruin's static-crowd critical density: 7.1
persons/m² in the Fruin-derived chart of EPJ Data Science, doi 10.1140/epjds17, table 1;
about 7 in Fruin 1993, "The causes and prevention of crowd disasters") instead of the
normal jam density; compliance with guards' directions falls to ``compliance`` everywhere.

Risk, falls and injuries
------------------------
Every second the density of every cell is sampled.

* **Falls** change the flow: in a cell denser than ``fall_density_pm2`` (5 persons/m²)
  people fall at ``fall_rate_per_min`` per person per persons/m² above it (× ``stair_factor``
  on stairs); a fall obstructs the cell's openings for ``fall_block_s`` (headways ×3,
  not compounding: a new fall extends the obstruction), then the person gets up.
* **Injuries** are assessed as a dose: a person in a cell whose density has stayed above
  ``critical_density_pm2`` (5.5 persons/m², Fruin's 5.55 "potentially dangerous crowd
  forces" in EPJ Data Science, doi 10.1140/epjds17, table 1, rounded) for ``sustained_s``
  (30 s) accumulates ``injury_rate_per_min`` per persons/m² above critical
  (× ``stair_factor`` on stairs) and is injured when the dose exceeds the exponential
  resistance they drew once (``crowd`` stream). The injured keep walking out
  (compression injuries rarely stop people leaving) and are counted in ``injured_crush``
  (``injured_on_stairs`` separately), not in ``casualties``.

Because the assessment does not feed back into the crowd, the trajectory of a run does not
depend on the critical density, and a higher critical density never reports more
injuries for the same seed (tested). All rates are modelling assumptions (no published
dose–response exists) and are configurable.

* **Deaths** by compressive asphyxia (:mod:`sim.hazards.crush_harm`): in a cell packed to
  ``asphyxia_density_pm2`` (7 persons/m², Fruin's static-crowd critical density) for more
  than 30 s (Still), people die at ``asphyxia_rate_per_min`` (0.006 per minute of
  compression, from the lethality of Itaewon 2022 and Hillsborough 1989). They are taken
  out where they stand (``crush_deaths``, counted in ``casualties``): the dead no longer
  walk, and their place frees up. Only a pushing crowd reaches that density.

Defences (what staff do changes flows, nothing else)
----------------------------------------------------
With a security plan the crush is an incident in the alarm chain. When a cell first
exceeds the congestion density (4 persons/m², IMO), up to two free guards are sent to
meter the openings feeding it: while the cell is congested they hold the crowd back and
only the people who ignore them pass (``1 − compliance``); below 2 persons/m² they let
people through (:meth:`sim.security.staff.Staff._meter`). Routing avoids the cell where
another way exists (redirecting to other exits); PA messages name exits. Shop officers
keep their customers in their shops while the crowding lasts
(:meth:`sim.security.staff.Staff.hold_shops`; the alarm and the PA do not call them out)
and send them out once no cell has been congested for ``all_clear_s`` (60 s) since the
hold began or the last congestion, whichever is later. Staff never change how densely a
pushing crowd can pack a cell (an earlier version reset a metered cell's cap to the jam
density; that rule alone made the whole staff benefit, and no measurement supports it).

Metrics: ``peak_density_by_space`` (top 10), ``time_above_4pm2_s`` and
``time_above_critical_s`` per space, ``max_time_above_4pm2_s``, ``fruin_los_share``
(time shares of each letter over occupied cells), ``injured_crush``,
``injured_on_stairs``, ``crush_deaths``, ``hotspots``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.engine.replay import State
from sim.engine.world import World
from sim.errors import ScenarioError
from sim.hazards import _common as cm
from sim.hazards import crush_harm as ch
from sim.hazards.crowd_physics import CONGESTION_DENSITY_PM2, LOS_LETTERS
from sim.model.assumptions import declare
from sim.model.hazard_specs import CrushSpec

_C = ("crush",)
_NO_DATA = "assumed: no published dose-response for crowd crush exists"
_SPEC_PARAMS = {
    "speed_boost": declare("crush.speed_boost", default=1.3, unit="×", low=1.0, high=1.6,
                           dist="uniform", valid_min=1.0, status="assumed", used_by=_C,
                           source="assumed: people in panic walk faster and push",
                           name="Walking-speed multiplier in the panic zone"),
    "compliance": declare("crush.compliance", default=0.5, unit="share", low=0.2, high=0.8,
                          dist="uniform", valid_min=0.0, valid_max=1.0, status="assumed",
                          used_by=_C, source="assumed",
                          name="Share of people who follow staff directions in a crush"),
    "push_density_pm2": declare(
        "crush.push_density_pm2", default=7.0, unit="persons/m²", low=6.0, high=8.5,
        dist="uniform", valid_min=1.0, status="sourced", used_by=_C,
        source="Fruin 1993, 'The causes and prevention of crowd disasters': static crowds "
               "reach about 7 persons/m² (critical)",
        name="Density a pushing crowd packs to"),
    "critical_density_pm2": declare(
        "crush.critical_density_pm2", default=5.5, unit="persons/m²", low=4.5, high=7.0,
        dist="uniform", valid_min=1.0, status="sourced", used_by=_C,
        source="Fruin 1993: 'potentially dangerous crowd forces' above about 5.5 persons/m²",
        name="Density above which crush injuries accrue"),
    "sustained_s": declare("crush.sustained_s", default=30.0, unit="s", low=10.0, high=90.0,
                           dist="loguniform", valid_min=0.0, status="assumed", used_by=_C,
                           source=_NO_DATA,
                           name="Time above critical density before injuries accrue"),
    "injury_rate_per_min": declare(
        "crush.injury_rate_per_min", default=0.1, unit="dose/min per persons/m²", low=0.03,
        high=0.3, dist="loguniform", valid_min=0.0, status="assumed", used_by=_C,
        source=_NO_DATA, name="Crush injury dose rate per person/m² above critical"),
    "stair_factor": declare("crush.stair_factor", default=2.0, unit="×", low=1.0, high=4.0,
                            dist="loguniform", valid_min=1.0, status="assumed", used_by=_C,
                            source="assumed: falls on stairs cascade",
                            name="Fall and injury multiplier on stairs"),
    "fall_density_pm2": declare(
        "crush.fall_density_pm2", default=5.0, unit="persons/m²", low=4.0, high=6.5,
        dist="uniform", valid_min=1.0, status="assumed", used_by=_C, source=_NO_DATA,
        name="Density above which people fall"),
    "fall_rate_per_min": declare(
        "crush.fall_rate_per_min", default=0.02, unit="falls/person-min per persons/m²",
        low=0.005, high=0.08, dist="loguniform", valid_min=0.0, status="assumed",
        used_by=_C, source=_NO_DATA, name="Fall rate per person/m² above the fall density"),
    "fall_block_s": declare("crush.fall_block_s", default=20.0, unit="s", low=5.0, high=60.0,
                            dist="loguniform", valid_min=0.0, status="assumed", used_by=_C,
                            source="assumed: time to get up or be helped up",
                            name="Time a fall obstructs a cell's openings"),
    "asphyxia_density_pm2": ch.DENSITY,
    "asphyxia_onset_s": ch.ONSET,
    "asphyxia_rate_per_min": ch.RATE,
    "all_clear_s": declare(
        "crush.all_clear_s", default=60.0, unit="s", low=30.0, high=180.0,
        dist="loguniform", valid_min=0.0, status="assumed", used_by=_C,
        source="assumed: a minute with no congested cell before shops release customers",
        name="Time without congestion before the crowding is over"),
}
"""Spec field → its register entry (a field left unset takes the run's value)."""

#: Upper density (p/m²) of Fruin letters A–E; above the last is F (walkway scale).
_LOS_EDGES = np.array([1 / 3.25, 1 / 2.32, 1 / 1.39, 1 / 0.93, 1 / 0.46])


def start(world: World, spec: CrushSpec) -> None:
    """Validate and schedule the crush hazard."""
    if spec.space not in world.layout.spaces:
        raise ScenarioError(f"unknown space {spec.space!r}", field="hazards[crush].space",
                            source=world.scenario.source)
    if spec.trigger == "escalator_stop" and not world.layout.spaces[spec.space].is_vertical:
        raise ScenarioError(f"{spec.space!r} is not a stair or escalator",
                            field="hazards[crush].space", source=world.scenario.source)
    CrushProcess(world, spec)


class CrushProcess:
    """Density monitoring, injuries and the crush's trigger for one world."""

    kind = "crush"

    def __init__(self, world: World, spec: CrushSpec) -> None:
        self.w = world
        self.spec: Any = world.fill(spec, _SPEC_PARAMS)
        """The spec with every unset parameter taken from the run's assumptions."""
        n_cells = len(world.cell_ids)
        self.area = np.asarray(world.area, dtype=float)
        self.inside = (self.area > 0) & ~np.asarray(world.is_exit)
        self.is_stair = np.asarray(world.is_stair)
        self.t_above4 = np.zeros(n_cells)
        self.t_above_crit = np.zeros(n_cells)
        self.spell = np.zeros(n_cells)
        self.peak = np.zeros(n_cells)
        self.los = np.zeros((n_cells, len(LOS_LETTERS)))
        self.resistance = world.streams["crowd"].exponential(1.0, world.n)
        self.fall_rng = np.random.default_rng(world.streams["crowd"].integers(2**32))
        self.asphyxia = ch.AsphyxiaDose(world.streams["crowd"].exponential(1.0, world.n),
                                        density_pm2=self.spec.asphyxia_density_pm2,
                                        onset_s=self.spec.asphyxia_onset_s,
                                        rate_per_min=self.spec.asphyxia_rate_per_min)
        self.deaths = 0
        self.t_congested: float | None = None
        self.hazard = np.zeros(world.n)
        self.is_injured = np.zeros(world.n, dtype=bool)
        self.injured = 0
        self.injured_stairs = 0
        self.falls = 0
        self.obstructed_until: dict[int, float] = {}
        self.metered: set[int] = set()
        self.inc: Any = None
        self.space_cells = [world.cell_index[c] for c in world.net.cells_of_space[spec.space]]
        world.hazards.append(self)
        world.env.process(self.monitor())
        world.env.process(self.trigger())

    # ------------------------------------------------------------------ trigger
    def _zone(self, radius: int) -> set[int]:
        w = self.w
        zone = set(self.space_cells)
        frontier = set(zone)
        for _ in range(radius):
            nxt: set[int] = set()
            for c in frontier:
                for q in w.portals_of[c]:
                    d = w.doors[q]
                    o = d.b if d.a == c else d.a
                    if not w.is_exit[o] and o not in zone:
                        nxt.add(o)
            if not nxt:  # the whole reachable building is in the zone already
                break
            zone |= nxt
            frontier = nxt
        return zone

    def _push(self, zone: set[int]) -> None:
        """Pushing in the panic zone: crowds there pack to ``push_density_pm2``."""
        w, spec = self.w, self.spec
        for c in sorted(zone):
            if not w.is_exit[c]:
                w.cap[c] = max(w.cap[c], int(w.area[c] * spec.push_density_pm2))
                w.wcap[c] = w.cap[c]  # pushing: no orderly admission any more
        w.compliance = spec.compliance

    def trigger(self) -> Any:
        w, spec = self.w, self.spec
        yield w.env.timeout(spec.t_s)
        w.mark("crush_trigger", f"{spec.trigger} at {spec.space}")
        cell0 = self.space_cells[0]
        self.inc = cm.chain_of(w).incident("crush", lambda: cell0, visible=True, threat=False,
                                          responders_needed=2)
        if spec.trigger == "panic":
            zone = self._zone(spec.panic_radius)
            self._push(zone)
            for i in range(w.n):
                if w.cell_of[i] in zone and w.state[i] not in (State.SAFE, State.DEAD,
                                                               State.INCAPACITATED):
                    w.v0[i] *= spec.speed_boost
                    w.stair_up[i] *= spec.speed_boost
                    w.stair_down[i] *= spec.speed_boost
                    w.cue(i, "panic")
        elif spec.trigger == "gathering":
            self._push(self._zone(spec.panic_radius))
            for i in w.unaware_in(self.space_cells):
                w.cue(i, "panic")
            w.cue_all("alarm")
        else:
            doors = sorted({q for c in self.space_cells for q in w.portals_of[c]})
            for q in doors:
                w.doors[q].close()
            w.router.block_many(doors)
            w.cue_all("alarm")

    # ------------------------------------------------------------------ monitoring
    def monitor(self) -> Any:
        w, spec = self.w, self.spec
        dt = spec.sample_s
        while True:
            yield w.env.timeout(dt)
            self.sample(dt)
            if w.evacuated + w.casualties >= w.n:
                if self.inc is not None:
                    cm.chain_of(w).resolve(self.inc)
                return

    def sample(self, dt: float) -> None:
        """Charge the last ``dt`` seconds to the current densities; injure; meter."""
        w, spec = self.w, self.spec
        count = np.asarray(w.count, dtype=float)
        dens = np.where(self.inside, count / np.maximum(self.area, 1e-9), 0.0)
        occupied = self.inside & (count > 0)
        self.peak = np.maximum(self.peak, dens)
        above4 = dens > CONGESTION_DENSITY_PM2
        crit = dens > spec.critical_density_pm2
        self.t_above4 += above4 * dt
        self.t_above_crit += crit * dt
        self.spell = np.where(crit, self.spell + dt, 0.0)
        letter = np.searchsorted(_LOS_EDGES, dens, side="left")
        np.add.at(self.los, (np.flatnonzero(occupied), letter[occupied]), dt)
        danger = crit & (self.spell >= spec.sustained_s)
        if danger.any():
            self._injure(dens, danger, dt)
        self._asphyxiate(count, dt)
        if above4.any():
            self.t_congested = w.env.now
        else:
            self._release_shops(spec.all_clear_s)
        if (dens > spec.fall_density_pm2).any() and spec.fall_rate_per_min > 0:
            self._falls(dens, dt)
        staff = cm.staff_of(w)
        if above4.any() and staff is not None:
            for c in np.flatnonzero(above4):
                if int(c) not in self.metered:
                    self.metered.add(int(c))
                    staff.meter_hotspot(int(c), self.inc)

    def _release_shops(self, clear_s: float) -> None:
        """Shop officers send their held customers out once no cell has been congested
        for ``clear_s`` since the later of the last congestion and the hold (a crush that
        never congests a cell releases them ``clear_s`` after the hold)."""
        staff = cm.staff_of(self.w)
        if staff is None or not staff.held or staff.held_at is None:
            return
        since = staff.held_at if self.t_congested is None else max(self.t_congested,
                                                                   staff.held_at)
        if self.w.env.now - since >= clear_s:
            staff.release_shops()

    def _people(self) -> tuple[np.ndarray, np.ndarray]:
        return self.w.cells_and_exposed(injured_exposed=False)

    def _injure(self, dens: np.ndarray, danger: np.ndarray, dt: float) -> None:
        """Accumulate the injury dose of the people in dangerous cells (no feedback)."""
        spec = self.spec
        rate = np.where(danger, (dens - spec.critical_density_pm2) * spec.injury_rate_per_min
                        / 60.0, 0.0)
        rate = np.where(self.is_stair, rate * spec.stair_factor, rate)
        cell_of, inside = self._people()
        self.hazard += rate[cell_of] * dt * inside
        new = np.flatnonzero((self.hazard >= self.resistance) & ~self.is_injured)
        if len(new):
            self.is_injured[new] = True
            self.injured += len(new)
            self.injured_stairs += int(np.sum(self.is_stair[cell_of[new]]))
            self.w.mark("crush_injuries", f"{len(new)} injured")

    def _asphyxiate(self, count: np.ndarray, dt: float) -> None:
        """Deaths by compressive asphyxia in cells packed for more than 30 s."""
        cell_of, present = self.w.cells_and_exposed(injured_exposed=False)
        dead = self.asphyxia.step(np.where(self.inside, count, 0.0), self.area, cell_of,
                                  present, dt)
        for i in dead:
            self.w.remove(int(i), State.DEAD)
        if len(dead):
            self.deaths += len(dead)
            self.w.mark("crush_deaths", f"{len(dead)} died (compressive asphyxia)")

    def _falls(self, dens: np.ndarray, dt: float) -> None:
        """People fall in very dense cells and obstruct its openings for a while."""
        w, spec = self.w, self.spec
        excess = np.maximum(dens - spec.fall_density_pm2, 0.0)
        lam = excess * spec.fall_rate_per_min / 60.0 * dt * np.asarray(w.count)
        lam = np.where(self.is_stair, lam * spec.stair_factor, lam)
        n_falls = self.fall_rng.poisson(lam)
        cells = np.flatnonzero(n_falls)
        if not len(cells):
            return
        self.falls += int(n_falls.sum())
        until = w.env.now + spec.fall_block_s
        for c in cells:
            for q in w.portals_of[int(c)]:
                if q in self.obstructed_until:
                    self.obstructed_until[q] = max(self.obstructed_until[q], until)
                else:
                    self.obstructed_until[q] = until
                    w.env.process(self._obstruct(q))

    def _obstruct(self, q: int) -> Any:
        w = self.w
        d = w.doors[q]
        d.headway = (d.headway[0] * 3.0, d.headway[1] * 3.0)
        while w.env.now < self.obstructed_until[q]:
            yield w.env.timeout(self.obstructed_until[q] - w.env.now)
        d.headway = (d.headway[0] / 3.0, d.headway[1] / 3.0)
        del self.obstructed_until[q]

    # ------------------------------------------------------------------ results
    def series(self, ts: np.ndarray) -> dict[str, np.ndarray]:
        """No per-cell series of its own (densities are in the occupancy series)."""
        return {}

    def finish(self) -> None:
        """Crush metrics per space (max over the space's cells)."""
        w = self.w
        per_space_peak: dict[str, float] = {}
        per_space_4: dict[str, float] = {}
        per_space_crit: dict[str, float] = {}
        for c in range(len(w.cell_ids)):
            if not self.inside[c]:
                continue
            s = w.cell_space[c]
            per_space_peak[s] = max(per_space_peak.get(s, 0.0), float(self.peak[c]))
            if self.t_above4[c] > 0:
                per_space_4[s] = max(per_space_4.get(s, 0.0), float(self.t_above4[c]))
            if self.t_above_crit[c] > 0:
                per_space_crit[s] = max(per_space_crit.get(s, 0.0), float(self.t_above_crit[c]))
        top = sorted(per_space_peak.items(), key=lambda kv: -kv[1])[:10]
        m = w.metrics
        m["peak_density_by_space"] = {k: round(v, 3) for k, v in top}
        m["time_above_4pm2_s"] = dict(sorted(per_space_4.items()))
        m["time_above_critical_s"] = dict(sorted(per_space_crit.items()))
        m["max_time_above_4pm2_s"] = max(per_space_4.values(), default=0.0)
        m["max_time_above_critical_s"] = max(per_space_crit.values(), default=0.0)
        tot = self.los.sum()
        m["fruin_los_share"] = {k: round(float(v / tot), 4) if tot else 0.0
                                for k, v in zip(LOS_LETTERS, self.los.sum(axis=0), strict=True)}
        m["injured_crush"] = self.injured
        m["injured_on_stairs"] = self.injured_stairs
        m["crush_falls"] = self.falls
        m["crush_deaths"] = self.deaths
        m["hotspots"] = [s for s, _ in sorted(per_space_4.items(), key=lambda kv: -kv[1])][:10]


