"""``kind = "vehicle"``: a vehicle rams an entrance from its road approach.

Rules (each with its source, or flagged as an **assumption**; the physics and harm laws
are in :mod:`sim.hazards.vehicle_harm`, calibrated in ``docs/harm-calibration.md``)
------------------------------------------------------------------------------------
* **Where.** ``entrance`` is an exterior opening (indoor ↔ exit or plaza), or a plaza's
  road-side opening (plaza ↔ exit: the vehicle crosses the plaza to its main door);
  ``approach`` names one of the plan's approaches instead (its ``to`` opening). The
  approach's ``length_m``, ``speed_bumps``, ``chicanes`` and ``chicane_radius_m`` come
  from the plan (``[[approaches]]``), else 60 m and none; the hazard's ``length_m`` /
  ``speed_bumps`` / ``chicanes`` override them. ``t_s`` is the moment the vehicle
  reaches the end of its approach.
* **Vehicle.** ``vehicle`` = ``car`` (1,500 kg), ``van`` (3,500 kg) or ``truck``
  (7,200 kg), with the widths, accelerations and cornering limits of
  :data:`sim.hazards.vehicle_harm.VEHICLES`; ``width_m`` / ``accel_mps2`` override them.
  ``speed_mps`` is the speed the driver wants (50 km/h by default).
* **Calming.** Speed humps cap the speed at ``bump_speed_mps`` (25 mph: the City of
  Eugene, OR, measured average speeds of ~25 mph over series of 14-ft humps, on
  compliant traffic, see ``docs/harm-calibration.md``; no source gives a hostile
  driver's speed over humps, so for one it is an **assumption**), chicanes at the
  vehicle's cornering limit; the vehicle accelerates again after the last one
  (:func:`~sim.hazards.vehicle_harm.approach_speed`). Warning signs do nothing to a
  determined driver. The result is ``impact_speed_mps``.
* **Barriers.** Barriers on the plaza (``space = plaza``) or its road-side opening stand
  where the road meets the plaza; barriers on the entrance opening stand at the door.
  Every barrier kind has a crash rating (stated in the plan, else its kind's default,
  :mod:`sim.model.crash_rating`); a vehicle whose kinetic energy is within the rating is
  stopped after travelling at most the rated penetration past the barrier (harming only
  people within that distance); a vehicle with more energy breaches the barrier and
  drives on with the energy left (:func:`~sim.hazards.vehicle_harm.meet_barrier`).
  An ``isolation`` railing is such a barrier with a low rating: it keeps a slow vehicle
  off the pedestrian line it lines, not one driven at it.
* **Another entrance.** A driver stopped at a barrier before reaching the door turns and
  drives to the nearest road entrance with no visible barrier (none of bollard, rising
  bollard, fence, hard barrier on it or its plaza; railings do not deter), by road
  (``retargets`` times at most, default 1). Road entrances are the plan's approaches'
  ends and the exterior openings tagged ``road`` or opening onto a ``road`` space; the
  road distance is taken as the Manhattan distance between the two doors (a street
  grid; **assumption**), driven at ``speed_mps`` after ``turn_s`` (20 s) to turn
  round (**assumption**). The new entrance's approach (or 60 m without calming) sets
  the new impact speed. ``vehicle_retargeted_to`` names it.
* **Strike.** The vehicle crosses the plaza cell at the entrance (when the outdoor side
  is a plaza), then the door and the first indoor cell, decelerating at ``decel_mps2``
  (4 m/s² through people, street furniture and glazing; **assumption**) and entering
  the building at most ``indoor_penetration_m`` (10 m; **assumption**). In a cell of
  area ``A`` the vehicle sweeps ``width · x`` of it; each person there is harmed with
  :func:`~sim.hazards.vehicle_harm.strike_probability` and dies with
  :func:`~sim.hazards.vehicle_harm.fatality_share` at the speed in that cell (both
  calibrated on deliberate rammings).
* **After.** Everyone unaware in the struck cells and next to them gets a ``panic``
  cue; the crash enters the alarm chain as a visible incident (``vehicle``), which the
  police close on arrival; the bang is reported at once (:func:`_common.heard`).

Metrics: ``vehicle_blocked`` (the first attempt was stopped), ``blocked_by``,
``barriers_breached``, ``vehicle_retargeted_to``, ``vehicle_victims``,
``vehicle_deaths``, ``impact_speed_mps``, ``vehicle_energy_kj``, ``vehicle_entrance``,
``vehicle_stopped_at``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.engine.replay import State
from sim.engine.world import World
from sim.hazards import _common as cm
from sim.hazards import vehicle_harm as vh
from sim.model.assumptions import declare
from sim.model.exterior import road_doors
from sim.model.hazard_specs import VehicleSpec

#: Barrier kinds a driver sees as protection (railings do not deter).
DETERRING_KINDS = ("bollard", "rising_bollard", "fence", "hard_barrier")
_V = ("vehicle",)
_SPEC_PARAMS = {
    "bump_speed_mps": vh.HUMP_SPEED,
    "decel_mps2": declare("vehicle.decel_mps2", default=4.0, unit="m/s²", low=2.0, high=8.0,
                          dist="loguniform", valid_min=0.1, status="assumed", used_by=_V,
                          source="assumed: braking by people, street furniture and glazing",
                          name="Vehicle deceleration through a crowd"),
    "indoor_penetration_m": declare(
        "vehicle.indoor_penetration_m", default=10.0, unit="m", low=3.0, high=25.0,
        dist="loguniform", valid_min=0.0, status="assumed", used_by=_V,
        source="assumed: the façade, door frame and first columns stop it",
        name="Furthest a vehicle enters the building"),
    "retargets": declare(
        "vehicle.retargets", default=1, unit="entrances", low=0, high=2, dist="uniform",
        valid_min=0, integer=True, status="assumed", used_by=_V,
        source="assumed: a driver stopped at one entrance tries the next unprotected one",
        name="Other entrances a stopped driver tries"),
    "turn_s": declare("vehicle.turn_s", default=20.0, unit="s", low=10.0, high=60.0,
                      dist="loguniform", valid_min=0.0, status="assumed", used_by=_V,
                      source="assumed: reversing out and turning on the road",
                      name="Time a stopped driver needs to turn round"),
}
"""Spec field → its register entry (a field left unset takes the run's value)."""


def vehicle_type(world: World, spec: VehicleSpec) -> vh.VehicleType:
    """The run's vehicle type (its register values) with the spec's overrides."""
    base = vh.vehicle_type(spec.vehicle, world.param)
    return vh.VehicleType(base.kind, base.mass_kg, spec.width_m or base.width_m,
                          spec.accel_mps2 or base.accel_mps2, base.lateral_g)


def building_door(world: World, opening: str) -> str:
    """The building door a vehicle on ``opening`` rams.

    An exterior opening is its own door; the road-side opening of a plaza (plaza ↔
    exit) leads to the plaza's door into the building (tagged ``main_entrance``, else
    the widest).
    """
    lay = world.layout
    if opening not in lay.openings:
        raise cm.fail(world, "hazards.entrance", f"unknown opening {opening!r}")
    if opening in cm.exterior_openings(world):
        return opening
    o = lay.openings[opening]
    kinds = {lay.spaces[o.a].kind, lay.spaces[o.b].kind}
    if kinds == {"plaza", "exit"}:
        plaza = o.a if lay.spaces[o.a].kind == "plaza" else o.b
        doors = [x for x in lay.openings_of.get(plaza, ()) if x in cm.exterior_openings(world)]
        if doors:
            return max(doors, key=lambda x: ("main_entrance" in lay.openings[x].tags,
                                             lay.openings[x].width_m))
    raise cm.fail(world, "hazards.entrance",
                  f"{opening!r} is not an exterior opening (indoor ↔ outdoors)")


def road_entrances(world: World) -> list[str]:
    """Entrances a driver can reach by road: the plan's approaches' ends, then exterior
    openings tagged ``road`` or whose outdoor side is (file order, unique; the one rule
    of :func:`sim.model.exterior.road_doors`)."""
    plan = cm.plan_of(world)
    out = [a.to for a in (plan.approaches if plan is not None else [])]
    out += road_doors(world.layout)
    exterior = set(cm.exterior_openings(world))
    return [o for o in dict.fromkeys(out) if o in exterior]


@dataclass
class Target:
    """One entrance as the vehicle meets it: geometry, approach and barriers in order."""

    entrance: str
    out_cell: int
    in_cell: int
    plaza: bool
    out_space: str
    length_m: float
    bumps: int
    chicanes: int
    chicane_radius_m: float
    at_plaza: list[Any] = field(default_factory=list)
    at_door: list[Any] = field(default_factory=list)

    def deterred(self) -> bool:
        """A driver sees a barrier here (a bollard, fence, ...; not a railing)."""
        return any(b.kind in DETERRING_KINDS for b in (*self.at_plaza, *self.at_door))


def target(world: World, spec: VehicleSpec, entrance: str | None, *,
           primary: bool = True) -> Target:
    """Entrance, approach geometry and the barriers the vehicle meets there.

    ``primary``: the hazard's own entrance, to which its ``length_m``, ``speed_bumps``
    and ``chicanes`` apply (an entrance the driver turns to has its plan approach).
    """
    plan = cm.plan_of(world)
    approaches = list(plan.approaches) if plan is not None else []
    appr = None
    if spec.approach is not None and entrance is None:
        appr = next((a for a in approaches if a.id == spec.approach), None)
        if appr is None:
            raise cm.fail(world, "hazards.approach",
                          f"unknown approach {spec.approach!r} (the plan's [[approaches]])")
        entrance = appr.to
    if entrance is None:
        entrance = cm.default_entrance(world)
    if appr is None:
        appr = next((a for a in approaches if a.to == entrance), None)
    entrance = building_door(world, entrance)
    if appr is None:
        appr = next((a for a in approaches if a.to == entrance), None)
    out_cell, in_cell = cm.entrance_cells(world, entrance, "hazards.entrance")
    own = primary
    length = spec.length_m if spec.length_m is not None and own else \
        (appr.length_m if appr else 60.0)
    bumps = spec.speed_bumps if spec.speed_bumps is not None and own else \
        (appr.speed_bumps if appr else 0)
    chicanes = spec.chicanes if spec.chicanes is not None and own else \
        (appr.chicanes if appr else 0)
    out_space, _ = cm.sides(world, entrance)
    lay = world.layout
    plaza = lay.spaces[out_space].kind == "plaza"
    road_side: set[str] = set()
    if plaza:
        for oid in lay.openings_of.get(out_space, ()):
            if lay.spaces[lay.openings[oid].other(out_space)].kind == "exit":
                road_side.add(oid)
    t = Target(entrance, out_cell, in_cell, plaza, out_space, length, bumps, chicanes,
               appr.chicane_radius_m if appr else vh.CHICANE_RADIUS_M)
    for b in (plan.barriers if plan is not None else []):
        if plaza and (b.space == out_space or b.opening in road_side):
            t.at_plaza.append(b)
        elif b.opening == entrance:
            t.at_door.append(b)
    # the strongest barrier of a line is met first (a line holds if any of it holds)
    for line in (t.at_plaza, t.at_door):
        line.sort(key=lambda b: -b.crash_rating.energy_kj)
    return t


class VehicleRun:
    """One ramming in one world: who was struck where."""

    kind = "vehicle"

    def __init__(self) -> None:
        self.strikes: list[tuple[int, int]] = []
        """(cell, person) for everyone the vehicle struck, in order."""

    def finish(self) -> None:
        """Its metrics are recorded at impact."""

    def series(self, ts: np.ndarray) -> dict[str, np.ndarray]:
        """No per-cell series (the vehicle is a replay entity)."""
        return {}


def start(world: World, spec: VehicleSpec) -> None:
    """Validate the vehicle's entrance and schedule the ramming."""
    if cm.plan_of(world) is None and spec.approach is not None:
        raise cm.fail(world, "hazards.approach", "approaches need a security plan")
    target(world, spec, spec.entrance)
    world.hazards_active += 1
    world.metrics.setdefault("vehicle_victims", 0)
    world.metrics.setdefault("vehicle_deaths", 0)
    run = VehicleRun()
    world.hazards.append(run)
    world.env.process(_ram(world, spec, run))


@dataclass
class Attempt:
    """What happened at one entrance."""

    speed_mps: float
    stopped_by: Any = None
    breached: list[str] = field(default_factory=list)
    struck: list[int] = field(default_factory=list)
    stop_at: str | None = None


def _strike_cell(w: World, cell: int, v: float, x: float, veh: vh.VehicleType,
                 law: vh.StrikeLaw, strikes: list[tuple[int, int]]) -> None:
    """Harm the people in ``cell`` swept over ``x`` metres at speed ``v``."""
    rng = w.streams["attack"]
    p_hit = law.strike_probability(v, veh.width_m, x, w.area[cell])
    p_die = law.fatality_share(v)
    for i in cm.present_in(w, [cell]):
        if rng.random() < p_hit:
            fatal = bool(rng.random() < p_die)
            if cm.harm(w, i, "vehicle", fatal=fatal):
                strikes.append((cell, i))
                w.metrics.add("vehicle_victims")
                if fatal:
                    w.metrics.add("vehicle_deaths")


def _drive(w: World, spec: Any, t: Target, veh: vh.VehicleType, law: vh.StrikeLaw,
           v: float, strikes: list[tuple[int, int]]) -> Attempt:
    """The vehicle at speed ``v`` meets the barriers and people of entrance ``t``."""
    at = Attempt(v)
    segments: list[tuple[int, float, list[Any], str]] = []
    if t.plaza:
        segments.append((t.out_cell, math.sqrt(max(w.area[t.out_cell], 0.0)), t.at_plaza,
                         t.out_space))
    segments.append((t.in_cell, min(spec.indoor_penetration_m,
                                    math.sqrt(max(w.area[t.in_cell], 0.0))), t.at_door,
                     t.entrance))
    speed = v
    for cell, extent, barriers, where in segments:
        for b in barriers:
            out = vh.meet_barrier(veh, speed, b.crash_rating)
            if out.stopped:
                at.stopped_by, at.stop_at = b, where
                x = min(extent, out.travel_m)
                if x > 0:  # people within the barrier's deflection
                    _strike_cell(w, cell, speed / 2.0, x, veh, law, strikes)
                    at.struck.append(cell)
                return at
            at.breached.append(b.id)
            speed = out.speed_after_mps
        if speed <= 0:
            break
        stop_dist = speed * speed / (2.0 * spec.decel_mps2)
        x = min(extent, stop_dist)
        _strike_cell(w, cell, speed, x, veh, law, strikes)
        at.struck.append(cell)
        speed = math.sqrt(max(0.0, speed * speed - 2.0 * spec.decel_mps2 * x))
        if x < extent:
            at.stop_at = w.cell_space[cell]
            return at
    at.stop_at = w.cell_space[segments[-1][0]]
    return at


def _next_entrance(w: World, spec: VehicleSpec, here: str, tried: set[str]) -> str | None:
    """The nearest road entrance without a visible barrier (None if there is none)."""
    lay = w.layout
    hx, hy = lay.openings[here].at
    best, best_d = None, math.inf
    for e in road_entrances(w):
        if e in tried:
            continue
        t = target(w, spec, e, primary=False)
        if t.deterred() or t.entrance in tried:
            continue
        x, y = lay.openings[t.entrance].at
        d = abs(x - hx) + abs(y - hy)
        if d < best_d:
            best, best_d = e, d
    return best


def _ram(world: World, given: VehicleSpec, run: VehicleRun) -> Any:
    w = world
    spec: Any = w.fill(given, _SPEC_PARAMS)  # unset parameters from the run's assumptions
    law = vh.StrikeLaw.of_run(w.param)
    yield w.env.timeout(spec.t_s)
    veh = vehicle_type(w, spec)
    t = target(w, spec, spec.entrance)
    tried = {t.entrance}
    strikes: list[tuple[int, int]] = []
    first: Attempt | None = None
    breached: list[str] = []
    retargeted: list[str] = []
    ent = cm.add_entity(w, "vehicle", f"{spec.vehicle} at {t.entrance}")
    while True:
        v = vh.approach_speed(spec.speed_mps, t.length_m, veh, humps=t.bumps,
                              chicanes=t.chicanes, hump_speed_mps=spec.bump_speed_mps,
                              chicane_radius_m=t.chicane_radius_m)
        _track_arrival(w, t, ent)
        w.metrics["impact_speed_mps"] = round(v, 3)
        w.metrics["vehicle_energy_kj"] = round(veh.energy_kj(v), 1)
        w.metrics["vehicle_entrance"] = t.entrance
        w.mark("vehicle", f"{spec.vehicle} reaches {t.entrance} at {v:.1f} m/s")
        at = _drive(w, spec, t, veh, law, v, strikes)
        breached += at.breached
        first = first or at
        _after_strike(w, t, at, ent)
        if at.stopped_by is None or len(retargeted) >= spec.retargets:
            break
        nxt = _next_entrance(w, spec, t.entrance, tried)
        if nxt is None:
            break
        old = t
        t = target(w, spec, nxt, primary=False)
        tried.add(t.entrance)
        retargeted.append(t.entrance)
        ox, oy = w.layout.openings[old.entrance].at
        nx, ny = w.layout.openings[t.entrance].at
        drive_s = spec.turn_s + (abs(nx - ox) + abs(ny - oy) + t.length_m) / spec.speed_mps
        w.mark("vehicle_retarget", f"driver turns to {t.entrance} ({drive_s:.0f} s)")
        yield w.env.timeout(drive_s)
    run.strikes += strikes
    assert first is not None
    w.metrics["vehicle_blocked"] = first.stopped_by is not None
    w.metrics["blocked_by"] = first.stopped_by.id if first.stopped_by is not None else None
    w.metrics["barriers_breached"] = breached
    w.metrics["vehicle_retargeted_to"] = retargeted[-1] if retargeted else None
    w.metrics["vehicle_stopped_at"] = at.stop_at
    cm.chain_of(w).evacuate_when_police_arrive()
    w.hazards_active -= 1


def _track_arrival(w: World, t: Target, ent: int) -> None:
    if not w.record_tracks:
        return
    q = cm.opening_portal(w, t.entrance, "hazards.entrance")
    door_xy = w.doors[q].at
    cx, cy = w.cell_centroid[t.in_cell]
    if math.isnan(cx):
        return
    dx, dy = door_xy[0] - cx, door_xy[1] - cy
    norm = math.hypot(dx, dy) or 1.0
    cm.track(w, ent, t.in_cell, State.MOVING,
             (door_xy[0] + dx / norm * 40.0, door_xy[1] + dy / norm * 40.0))


def _after_strike(w: World, t: Target, at: Attempt, ent: int) -> None:
    """Replay waypoint, panic around the strike, the incident and its report."""
    q = cm.opening_portal(w, t.entrance, "hazards.entrance")
    door_xy = w.doors[q].at
    last = at.struck[-1] if at.struck else t.in_cell
    end_xy = w.cell_centroid[last] if at.struck else door_xy
    if at.stopped_by is not None and not at.struck and t.at_plaza \
            and at.stopped_by in t.at_plaza:
        cx, cy = w.cell_centroid[t.in_cell]
        if not math.isnan(cx):
            dx, dy = door_xy[0] - cx, door_xy[1] - cy
            norm = math.hypot(dx, dy) or 1.0
            end_xy = (door_xy[0] + dx / norm * 15.0, door_xy[1] + dy / norm * 15.0)
    if math.isnan(end_xy[0]):
        end_xy = door_xy
    cm.track(w, ent, last if not w.is_exit[last] else t.in_cell, State.NEUTRALISED, end_xy)
    if at.stopped_by is not None:
        w.mark("vehicle_blocked", f"vehicle stopped by {at.stopped_by.kind} "
               f"{at.stopped_by.id}")
    seen = set(at.struck) | {t.in_cell}
    if not w.is_exit[t.out_cell]:
        seen.add(t.out_cell)
    for c in list(seen):
        seen.update(cm.neighbours(w, c))
    cm.alert(w, seen, "panic")
    inc_cell = last
    inc = cm.chain_of(w).incident("vehicle", lambda: inc_cell, visible=True, threat=False)
    cm.heard(w, inc)

