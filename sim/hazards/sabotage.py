"""``kind = "sabotage"``: devices fail at a time; combine with another hazard or a drill.

At ``t_s`` every item of ``devices`` fails (:meth:`sim.security.alarm.AlarmChain.fail`):

* ``cctv`` — cameras: the operators see nothing, detector alarms need a guard to check;
* ``pa`` — public address: no voice messages, no guided exits;
* ``buttons`` — alarm buttons and sounders: the duty room falls back to PA, else to
  guards spreading the word;
* ``detectors`` — fire detectors;
* ``police_link`` — the alarm platform link: police are called by phone (60 s, not 10 s);
* ``lighting`` — a blackout with the emergency lighting sabotaged: indoor walking speeds
  × ``dark_speed_factor`` (0.6, **assumption**: people walk markedly slower in darkness;
  no value in MALL-DATA);
* ``duty_room`` — nobody answers in the duty room: reports go to 110 directly.

``locked_exits`` (opening ids) are chained shut at ``t_s``: their doors close and routing
avoids them. Several ``[[hazards]]`` run together, so
``sabotage + attack`` or ``sabotage + drill`` shows what a single failure costs.

Metrics: ``sabotaged`` (the failed devices), ``locked_exits``, ``t_sabotage_s``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.engine.world import World
from sim.hazards import _common as cm
from sim.hazards.registry import HazardKind, register
from sim.model import limits
from sim.model.validation import Number, Seconds

Device = Literal["cctv", "pa", "buttons", "detectors", "police_link", "lighting", "duty_room"]


class SabotageSpec(BaseModel):
    """Devices that fail and exits that are locked at ``t_s``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["sabotage"] = "sabotage"
    t_s: Seconds = 0.0
    devices: list[Device] = Field(default_factory=list)
    locked_exits: list[str] = Field(default_factory=list, max_length=limits.MAX_ITEMS)
    dark_speed_factor: Number = Field(default=0.6, gt=0, le=1)


def start(world: World, spec: SabotageSpec) -> None:
    """Validate the openings and schedule the failures."""
    for oid in spec.locked_exits:
        cm.opening_portal(world, oid, "hazards.locked_exits")
    world.hazards_active += 1
    world.env.process(_run(world, spec))


def _run(world: World, spec: SabotageSpec) -> Any:
    w = world
    yield w.env.timeout(spec.t_s)
    chain = w.alarm_chain
    for d in spec.devices:
        chain.fail(d)
        if d == "lighting":
            for c in range(len(w.cell_ids)):
                if not cm.is_outdoor_kind(w.cell_kind[c]):
                    w.speed_factor[c] *= spec.dark_speed_factor
    locked = []
    for oid in spec.locked_exits:
        q = cm.opening_portal(w, oid, "hazards.locked_exits")
        if not w.doors[q].blocked:
            w.doors[q].close()
            locked.append(q)
    if locked:
        w.router.block_many(locked)
    w.metrics["sabotaged"] = sorted({*w.metrics.get("sabotaged", []), *spec.devices})
    w.metrics["locked_exits"] = [*w.metrics.get("locked_exits", []), *spec.locked_exits]
    w.metrics["t_sabotage_s"] = w.env.now
    w.mark("sabotage", ", ".join([*spec.devices, *(f"{o} locked" for o in spec.locked_exits)])
           or "nothing")
    w.hazards_active -= 1


register(HazardKind("sabotage", SabotageSpec, start))
