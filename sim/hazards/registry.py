"""Hazard kinds: the function that starts each kind of hazard in a world.

The typed specifications are declared with the scenario model
(:mod:`sim.model.hazard_specs`), so a scenario is parsed and checked once, before any run;
here each kind names the module that acts on it. A hazard talks to the rest of the model
only through the :class:`sim.engine.world.World` (space conditions, blocked openings,
cues, incidents for the alarm chain) and the world's staff and alarm chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.engine.world import World
from sim.hazards import attack, crush, drill, explosion, fire, hostage, robbery, sabotage, vehicle

#: Hazard kind → ``start(world, spec)``, which schedules its SimPy processes.
STARTERS: dict[str, Callable[[World, Any], None]] = {
    "drill": drill.start,
    "fire": fire.start,
    "crush": crush.start,
    "attack": attack.start,
    "vehicle": vehicle.start,
    "explosion": explosion.start,
    "robbery": robbery.start,
    "hostage": hostage.start,
    "sabotage": sabotage.start,
}


def start_hazards(world: World) -> None:
    """Start every hazard of the world's scenario, in file order."""
    for spec in world.scenario.hazards:
        STARTERS[spec.kind](world, spec)
