"""``kind = "explosion"``: a blast in a space at a time, optionally a second device.

Rules (each with its source, or flagged as an **assumption**)
------------------------------------------------------------
* **Seat and scaling.** The charge (``charge_kg`` TNT equivalent, default 5 kg: a
  rucksack device; **assumption**) goes off at ``at`` (x, y in metres on the space's
  level), default the space's centroid. Distance ``R`` to each person (their standing
  point if they have not moved yet, else their cell's centroid) is scaled by
  Hopkinson–Cranz, ``Z = R / W^(1/3)`` (m/kg^(1/3)), the standard blast scaling law.
* **Casualties in the space.** ``Z ≤ fatal_z`` (2.5): killed; ``Z ≤ injury_z`` (8):
  injured. Free-air peak overpressure is roughly 150 kPa at Z = 2.5 (lung damage and
  lethality thresholds) and 15 kPa at Z = 8 (glass and fragment injuries); values read
  from the Kinney–Graham / Kingery–Bulmash curves from memory, **UNVERIFIED**, and
  enclosed spaces reflect blast, so treat them as an order of magnitude.
* **Injuries next door.** People in spaces sharing an opening with the blast space with
  ``Z ≤ injury_z`` are injured with probability ``neighbour_injury_p`` (0.5: shop fronts
  and walls shield part of the blast; **assumption**).
* **Openings lost.** Every opening of the blast space (exits included) whose midpoint
  lies within ``lose_z · W^(1/3)`` (lose_z = 2: debris, fire and structural damage;
  **assumption**) is closed and blocked for routing, plus any listed in
  ``lose_openings``.
* **Panic.** Unaware people in the blast space and its neighbours get a ``panic`` cue at
  once; everyone unaware on the same level hears it (``incident`` cue). The blast enters
  the alarm chain as a visible incident (``explosion``) reported at once by whoever heard
  it (:func:`_common.heard`), which police close on arrival.
* **Second device.** ``second = {space, delay_s, charge_kg, at}`` repeats the rules
  ``delay_s`` after the first blast (a device aimed at evacuees or responders).

Metrics: ``explosion_victims``, ``explosion_deaths``, ``explosion_neighbour_injuries``,
``openings_lost`` (ids), ``second_device_victims``.
"""

from __future__ import annotations

import math
from typing import Any

from sim.engine.world import World
from sim.hazards import _common as cm
from sim.model.hazard_specs import ExplosionSpec


def scaled_distance(r_m: float, charge_kg: float) -> float:
    """Hopkinson–Cranz scaled distance Z = R / W^(1/3) (m/kg^(1/3))."""
    return r_m / charge_kg ** (1.0 / 3.0)


def _seat(world: World, space: str, at: tuple[float, float] | None) -> tuple[float, float]:
    if at is not None:
        return (float(at[0]), float(at[1]))
    poly = world.layout.spaces[space].polygon
    if poly:
        from shapely.geometry import Polygon

        c = Polygon(poly).centroid
        return (float(c.x), float(c.y))
    cells = world.net.cells_of_space[space]
    return world.cell_centroid[world.cell_index[cells[0]]]


def start(world: World, spec: ExplosionSpec) -> None:
    """Validate places and schedule the blast(s)."""
    cm.space_cells(world, spec.space, "hazards.space")
    for oid in spec.lose_openings:
        cm.opening_portal(world, oid, "hazards.lose_openings")
    if spec.second is not None:
        cm.space_cells(world, spec.second.space, "hazards.second.space")
    for k in ("explosion_victims", "explosion_deaths", "explosion_neighbour_injuries"):
        world.metrics.setdefault(k, 0)
    world.metrics.setdefault("openings_lost", [])
    world.hazards_active += 1
    world.env.process(_run(world, spec))


def _run(world: World, spec: ExplosionSpec) -> Any:
    yield world.env.timeout(spec.t_s)
    blast(world, spec.space, spec.charge_kg, spec.at, spec, lose=spec.lose_openings)
    if spec.second is not None:
        yield world.env.timeout(spec.second.delay_s)
        before = world.metrics["explosion_victims"]
        blast(world, spec.second.space, spec.second.charge_kg, spec.second.at, spec, lose=[])
        world.metrics["second_device_victims"] = world.metrics["explosion_victims"] - before
    world.hazards_active -= 1


def blast(world: World, space: str, charge_kg: float, at: tuple[float, float] | None,
          spec: ExplosionSpec, *, lose: list[str]) -> int:
    """One detonation now; returns the number of people harmed."""
    w = world
    rng = w.streams["attack"]
    seat = _seat(w, space, at)
    cells = cm.space_cells(w, space, "hazards.space")
    cell_set = set(cells)
    level = w.cell_level[cells[0]]
    near: set[int] = set()
    for c in cells:
        near.update(x for x in cm.neighbours(w, c) if x not in cell_set)
    harmed = 0

    def z_of(i: int) -> float:
        x, y = w.position_of(i)
        return scaled_distance(math.hypot(x - seat[0], y - seat[1]), charge_kg)

    for i in cm.present_in(w, cells):
        z = z_of(i)
        if z <= max(spec.fatal_z, spec.injury_z):
            fatal = z <= spec.fatal_z
            if cm.harm(w, i, "explosion", fatal=fatal):
                harmed += 1
                w.metrics.add("explosion_victims")
                if fatal:
                    w.metrics.add("explosion_deaths")
    for i in cm.present_in(w, near):
        if w.cell_level[w.cell_of[i]] != level:
            continue
        if (z_of(i) <= spec.injury_z and rng.random() < spec.neighbour_injury_p
                and cm.harm(w, i, "explosion", fatal=False)):
            harmed += 1
            w.metrics.add("explosion_victims")
            w.metrics.add("explosion_neighbour_injuries")
    # openings lost
    radius = spec.lose_z * charge_kg ** (1.0 / 3.0)
    lost: list[int] = []
    for c in cells:
        for q in w.portals_of[c]:
            d = w.doors[q]
            oid = w.portal_opening[q]
            if oid is None or d.blocked or q in lost:
                continue
            if math.hypot(d.at[0] - seat[0], d.at[1] - seat[1]) <= radius:
                lost.append(q)
    for oid in lose:
        q = cm.opening_portal(w, oid, "hazards.lose_openings")
        if not w.doors[q].blocked and q not in lost:
            lost.append(q)
    for q in lost:
        w.doors[q].close()
    if lost:
        w.router.block_many(lost)
        w.metrics["openings_lost"] = [*w.metrics.get("openings_lost", []),
                                      *(w.portal_opening[q] for q in lost)]
    w.mark("explosion", f"{charge_kg:g} kg in {space}: {harmed} harmed, "
                        f"{len(lost)} openings lost")
    cm.alert(w, [*cells, *near], "panic")
    cm.alert(w, [c for c in range(len(w.cell_ids)) if w.cell_level[c] == level], "incident")
    inc_cell = cells[0]
    inc = cm.chain_of(w).incident("explosion", lambda: inc_cell, visible=True, threat=False)
    cm.heard(w, inc)
    cm.chain_of(w).evacuate_when_police_arrive()
    return harmed


