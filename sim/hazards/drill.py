"""``kind = "drill"``: an alarm at a place and a time, with no threat.

Without a security plan the alarm sounds everywhere at ``t_s`` (a general alarm). With a
security plan the drill enters the alarm chain as a verified report at the duty room
(see :mod:`sim.security.alarm`), so PA, zoning and staff act as in a real incident.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from sim.engine.world import World
from sim.hazards.registry import HazardKind, register
from sim.model.validation import Seconds


class DrillSpec(BaseModel):
    """An alarm raised at ``t_s`` (s), optionally at a ``space``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["drill"] = "drill"
    t_s: Seconds = 0.0
    space: str | None = None
    alarm: Literal["general", "zoned"] = "general"


def start(world: World, spec: DrillSpec) -> None:
    """Schedule the drill's alarm."""
    if spec.space is not None and spec.space not in world.layout.spaces:
        from sim.errors import ScenarioError

        raise ScenarioError(f"unknown space {spec.space!r}", field="hazards[drill].space",
                            source=world.scenario.source)
    world.env.process(_drill(world, spec))


def _drill(world: World, spec: DrillSpec) -> Any:
    yield world.env.timeout(spec.t_s)
    chain = world.alarm_chain
    if chain is not None and chain.plan is not None:
        chain.drill(spec)
        return
    world.metrics["t_alarm_s"] = world.env.now
    world.mark("alarm", "drill: general alarm")
    world.cue_all("alarm")


register(HazardKind("drill", DrillSpec, start))
