"""``kind = "vehicle"``: a vehicle rams an entrance from its road approach.

Rules (each with its source, or flagged as an **assumption**)
------------------------------------------------------------
* **Where.** ``entrance`` is an exterior opening (indoor ↔ exit or plaza), or a plaza's
  road-side opening (plaza ↔ exit: the vehicle crosses the plaza to its main door);
  ``approach`` names one of the plan's approaches instead (its ``to`` opening). The approach's
  ``length_m`` and ``speed_bumps`` come from the plan (``[[approaches]]``), else 60 m and
  none; ``length_m`` / ``speed_bumps`` in the hazard override them. ``t_s`` is the
  moment the vehicle reaches the end of its approach.
* **Speed bumps.** Each bump caps the speed at ``bump_speed_mps`` (default 8 m/s ≈
  29 km/h): UK round-top road humps are designed to be crossed at about 15–20 mph
  (24–32 km/h) and a driver crossing much faster risks losing control of the vehicle
  (**assumption**, from UK traffic-calming guidance as remembered; not in MALL-DATA).
  Bumps are evenly spaced, so after the last one the vehicle accelerates over
  ``length_m / (bumps + 1)`` at ``accel_mps2`` (2.5 m/s², a loaded car or van;
  **assumption**): ``v = min(speed, sqrt(cap² + 2·a·length/(bumps + 1)))``. Warning
  signs have no effect on a determined driver. This is ``impact_speed_mps``.
* **Barriers.** A ``bollard``, ``rising_bollard`` (assumed raised), ``fence`` or
  ``hard_barrier`` stops the vehicle (assumed rated for the impact: ASTM F2656 M30–M50
  / GA/T 1343-2016, MALL-DATA §2.1 [C14][C15]); ``isolation`` railings do not. A
  stopping barrier on the entrance opening, on its plaza (``space = plaza``) or on the
  plaza's road-side opening protects that entrance and its forecourt: the barrier line
  is taken to be the stand-off line where the road meets the plaza (an interpretation
  of the plan format, which records barriers per entrance). A stopped vehicle harms
  nobody (``vehicle_blocked``, ``blocked_by``).
* **Strike.** The vehicle crosses the plaza cell at the entrance (when the outdoor side
  is a plaza), then the door and the first indoor cell, decelerating at ``decel_mps2``
  (4 m/s² through people, street furniture and glazing; **assumption**) and entering
  the building at most ``indoor_penetration_m`` (10 m: the façade, door frame and first
  columns stop it; **assumption**). In a cell of area ``A`` with ``n`` people the
  vehicle sweeps a strip ``width_m`` (2.5 m) wide over the distance ``x`` it travels
  there (at most ``sqrt(A)``); each person is hit with probability
  ``min(1, width·x/A) · (1 − exp(−v / 3 m/s))``: at walking-pace speeds people step
  aside (**assumption**). A person hit at ``v`` km/h dies with probability
  ``1 / (1 + exp(6.9 − 0.090 v))`` (pedestrian fatality risk, Rosén & Sander 2009,
  coefficients quoted from memory: 8 % at 50 km/h; **UNVERIFIED**), else is injured.
* **After.** Everyone unaware in the struck cells and next to them gets a ``panic``
  cue; the crash enters the alarm chain as a visible incident (``vehicle``), which the
  police close on arrival; the bang is reported at once (:func:`_common.heard`).

Metrics: ``vehicle_blocked``, ``blocked_by``, ``vehicle_victims``, ``vehicle_deaths``,
``impact_speed_mps``, ``vehicle_entrance``, ``vehicle_stopped_at``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.engine.replay import State
from sim.engine.world import World
from sim.hazards import _common as cm
from sim.model.assumptions import declare
from sim.model.hazard_specs import VehicleSpec

#: Barrier kinds that stop a vehicle (``isolation`` railings do not).
STOPPING_KINDS = ("bollard", "rising_bollard", "fence", "hard_barrier")
#: Speed scale (m/s) below which people step aside (assumption).
_V = ("vehicle",)
DODGE_SPEED_MPS = declare(
    "vehicle.dodge_speed_mps", default=3.0, unit="m/s", low=1.5, high=6.0,
    dist="loguniform", valid_min=0.1, status="assumed", used_by=_V,
    source="assumed: people step aside from a slow vehicle",
    name="Speed scale below which people step aside from a vehicle").default
FATALITY_LOGIT = (
    declare("vehicle.fatality_logit_a", default=6.9, unit="1", low=5.5, high=8.0,
            dist="uniform", status="sourced", used_by=_V,
            source="Rosén & Sander 2009, Accid. Anal. Prev. 41: pedestrian fatality risk "
                   "(traffic crashes, not deliberate rammings; coefficients unverified)",
            name="Pedestrian fatality logistic: intercept a in 1/(1+exp(a - b·v km/h))"
            ).default,
    declare("vehicle.fatality_logit_b_per_kmh", default=0.090, unit="h/km", low=0.06,
            high=0.12, dist="uniform", valid_min=0.0, status="sourced", used_by=_V,
            source="Rosén & Sander 2009 (as for the intercept)",
            name="Pedestrian fatality logistic: slope b per km/h").default,
)
_SPEC_PARAMS = {
    "bump_speed_mps": declare(
        "vehicle.bump_speed_mps", default=8.0, unit="m/s", low=6.0, high=12.0,
        dist="uniform", valid_min=0.1, status="assumed", used_by=_V,
        source="assumed: UK round-top humps are designed for 15-20 mph (compliant traffic)",
        name="Speed cap over a speed bump"),
    "accel_mps2": declare("vehicle.accel_mps2", default=2.5, unit="m/s²", low=1.5, high=4.0,
                          dist="uniform", valid_min=0.1, status="assumed", used_by=_V,
                          source="assumed: a loaded car or van",
                          name="Vehicle acceleration after a bump"),
    "decel_mps2": declare("vehicle.decel_mps2", default=4.0, unit="m/s²", low=2.0, high=8.0,
                          dist="loguniform", valid_min=0.1, status="assumed", used_by=_V,
                          source="assumed: braking by people, street furniture and glazing",
                          name="Vehicle deceleration through a crowd"),
    "indoor_penetration_m": declare(
        "vehicle.indoor_penetration_m", default=10.0, unit="m", low=3.0, high=25.0,
        dist="loguniform", valid_min=0.0, status="assumed", used_by=_V,
        source="assumed: the façade, door frame and first columns stop it",
        name="Furthest a vehicle enters the building"),
}
"""Spec field → its register entry (a field left unset takes the run's value)."""


def impact_speed(speed: float, length_m: float, bumps: int, cap: float, accel: float) -> float:
    """Speed (m/s) at the end of an approach with ``bumps`` evenly spaced speed bumps."""
    if bumps <= 0:
        return speed
    v = min(speed, cap)
    return min(speed, math.sqrt(v * v + 2.0 * accel * length_m / (bumps + 1)))


def fatality_risk(v_mps: float, logit: tuple[float, float] = FATALITY_LOGIT) -> float:
    """Probability a pedestrian hit at ``v_mps`` dies (logistic in km/h, see module doc)."""
    return 1.0 / (1.0 + math.exp(logit[0] - logit[1] * v_mps * 3.6))


def hit_probability(v_mps: float, width_m: float, x_m: float, area_m2: float,
                    dodge_mps: float = DODGE_SPEED_MPS) -> float:
    """Chance a person in a cell of ``area_m2`` is struck by a strip ``width × x``."""
    if area_m2 <= 0 or x_m <= 0:
        return 0.0
    return min(1.0, width_m * x_m / area_m2) * (1.0 - math.exp(-v_mps / dodge_mps))


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


def resolve(world: World, spec: VehicleSpec) -> dict[str, Any]:
    """Entrance, approach geometry and the barrier that stops the vehicle (if any)."""
    plan = cm.plan_of(world)
    approaches = list(plan.approaches) if plan is not None else []
    appr = None
    entrance = spec.entrance
    if spec.approach is not None:
        appr = next((a for a in approaches if a.id == spec.approach), None)
        if appr is None:
            raise cm.fail(world, "hazards.approach",
                          f"unknown approach {spec.approach!r} (the plan's [[approaches]])")
        entrance = entrance or appr.to
    if entrance is None:
        entrance = cm.default_entrance(world)
    if appr is None:
        appr = next((a for a in approaches if a.to == entrance), None)
    entrance = building_door(world, entrance)
    out_cell, in_cell = cm.entrance_cells(world, entrance, "hazards.entrance")
    length = spec.length_m if spec.length_m is not None else (appr.length_m if appr else 60.0)
    bumps = spec.speed_bumps if spec.speed_bumps is not None else (appr.speed_bumps
                                                                   if appr else 0)
    out_space, in_space = cm.sides(world, entrance)
    plaza = world.layout.spaces[out_space].kind == "plaza"
    road_side: set[str] = set()
    if plaza:
        for oid in world.layout.openings_of.get(out_space, ()):
            o = world.layout.openings[oid]
            if world.layout.spaces[o.other(out_space)].kind == "exit":
                road_side.add(oid)
    at_plaza = at_door = None
    for b in (plan.barriers if plan is not None else []):
        if b.kind not in STOPPING_KINDS:
            continue
        if plaza and (b.space == out_space or b.opening in road_side):
            at_plaza = at_plaza or b
        elif b.opening == entrance:
            at_door = at_door or b
    return {"entrance": entrance, "out_cell": out_cell, "in_cell": in_cell,
            "plaza": plaza, "length_m": length, "bumps": bumps,
            "at_plaza": at_plaza, "at_door": at_door, "out_space": out_space,
            "in_space": in_space}


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
    entrance = spec.entrance or (None if spec.approach else cm.default_entrance(world))
    if entrance is not None:
        building_door(world, entrance)
    world.hazards_active += 1
    world.metrics.setdefault("vehicle_victims", 0)
    world.metrics.setdefault("vehicle_deaths", 0)
    run = VehicleRun()
    world.hazards.append(run)
    world.env.process(_ram(world, spec, run))


def _ram(world: World, given: VehicleSpec, run: VehicleRun) -> Any:
    w = world
    spec: Any = w.fill(given, _SPEC_PARAMS)  # unset parameters from the run's assumptions
    dodge = w.param("vehicle.dodge_speed_mps")
    logit = (w.param("vehicle.fatality_logit_a"), w.param("vehicle.fatality_logit_b_per_kmh"))
    yield w.env.timeout(spec.t_s)
    r = resolve(w, spec)
    rng = w.streams["attack"]
    v = impact_speed(spec.speed_mps, r["length_m"], r["bumps"], spec.bump_speed_mps,
                     spec.accel_mps2)
    ent = cm.add_entity(w, "vehicle", f"vehicle at {r['entrance']}")
    q = cm.opening_portal(w, r["entrance"], "hazards.entrance")
    door_xy = w.doors[q].at
    cx, cy = w.cell_centroid[r["in_cell"]]
    dx, dy = door_xy[0] - cx, door_xy[1] - cy
    norm = math.hypot(dx, dy) or 1.0
    if w.record_tracks and not math.isnan(cx):
        start_xy = (door_xy[0] + dx / norm * 40.0, door_xy[1] + dy / norm * 40.0)
        cm.track(w, ent, r["in_cell"], State.MOVING, start_xy)
    w.metrics["impact_speed_mps"] = round(v, 3)
    w.metrics["vehicle_entrance"] = r["entrance"]
    w.mark("vehicle", f"vehicle reaches {r['entrance']} at {v:.1f} m/s")
    segments: list[tuple[int, float]] = []
    if r["plaza"]:
        segments.append((r["out_cell"], math.sqrt(max(w.area[r["out_cell"]], 0.0))))
    segments.append((r["in_cell"], min(spec.indoor_penetration_m,
                                       math.sqrt(max(w.area[r["in_cell"]], 0.0)))))
    blocked_by = None
    stop_at = None
    if r["at_plaza"] is not None:
        blocked_by, stop_at, segments = r["at_plaza"], r["out_space"], []
    elif r["at_door"] is not None:
        blocked_by, stop_at, segments = r["at_door"], r["entrance"], []
    struck: list[int] = []
    speed = v
    strikes: list[tuple[int, int]] = []
    for cell, extent in segments:
        if speed <= 0:
            break
        stop_dist = speed * speed / (2.0 * spec.decel_mps2)
        x = min(extent, stop_dist)
        p_hit = hit_probability(speed, spec.width_m, x, w.area[cell], dodge)
        p_die = fatality_risk(speed, logit)
        people = cm.present_in(w, [cell])
        for i in people:
            if rng.random() < p_hit:
                fatal = bool(rng.random() < p_die)
                if cm.harm(w, i, "vehicle", fatal=fatal):
                    strikes.append((cell, i))
                    w.metrics.add("vehicle_victims")
                    if fatal:
                        w.metrics.add("vehicle_deaths")
        struck.append(cell)
        speed = math.sqrt(max(0.0, speed * speed - 2.0 * spec.decel_mps2 * x))
        if x < extent:
            speed = 0.0
            stop_at = stop_at or w.cell_space[cell]
    if stop_at is None:
        stop_at = w.cell_space[segments[-1][0]] if segments else r["entrance"]
    run.strikes += strikes
    w.metrics["vehicle_blocked"] = blocked_by is not None
    w.metrics["blocked_by"] = blocked_by.id if blocked_by is not None else None
    w.metrics["vehicle_stopped_at"] = stop_at
    if blocked_by is not None:
        w.mark("vehicle_blocked", f"vehicle stopped by {blocked_by.kind} {blocked_by.id}")
    last = struck[-1] if struck else r["out_cell"] if not w.is_exit[r["out_cell"]] \
        else r["in_cell"]
    end_xy = w.cell_centroid[last] if struck else door_xy
    if blocked_by is not None and r["at_plaza"] is not None:
        end_xy = (door_xy[0] + dx / norm * 15.0, door_xy[1] + dy / norm * 15.0)
    cm.track(w, ent, last if not w.is_exit[last] else r["in_cell"], State.NEUTRALISED,
             end_xy if not math.isnan(end_xy[0]) else door_xy)
    seen = set(struck) | {r["in_cell"]}
    if not w.is_exit[r["out_cell"]]:
        seen.add(r["out_cell"])
    for c in list(seen):
        seen.update(cm.neighbours(w, c))
    cm.alert(w, seen, "panic")
    inc_cell = struck[-1] if struck else r["in_cell"]
    inc = cm.chain_of(w).incident("vehicle", lambda: inc_cell, visible=True, threat=False)
    cm.heard(w, inc)
    cm.chain_of(w).evacuate_when_police_arrive()
    w.hazards_active -= 1


