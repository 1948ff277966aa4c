"""``kind = "drill"``: an alarm at a place and a time, with no threat.

Without a security plan the alarm sounds everywhere at ``t_s`` (a general alarm). With a
security plan the drill enters the alarm chain as a verified report at the duty room
(see :mod:`sim.security.alarm`), so PA, zoning and staff act as in a real incident.
"""

from __future__ import annotations

from typing import Any

from sim.engine.world import World
from sim.hazards import _common as cm
from sim.model.hazard_specs import DrillSpec


def start(world: World, spec: DrillSpec) -> None:
    """Schedule the drill's alarm."""
    if spec.space is not None and spec.space not in world.layout.spaces:
        raise cm.fail(world, "hazards[drill].space", f"unknown space {spec.space!r}")
    world.env.process(_drill(world, spec))


def _drill(world: World, spec: DrillSpec) -> Any:
    yield world.env.timeout(spec.t_s)
    chain = cm.chain_of(world)
    if chain.plan is not None:
        chain.drill(spec)
        return
    world.metrics["t_incident_s"] = world.env.now
    world.metrics["t_alarm_s"] = world.env.now
    world.metrics["t_alarm_after_incident_s"] = 0.0
    world.signals.fire(world.signals.alarm_sounded)
    world.mark("alarm", "drill: general alarm")
    world.cue_all("alarm")


