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
  no published value was found);
* ``duty_room`` — nobody answers in the duty room: reports go to 110 directly.

``locked_exits`` (opening ids) are chained shut at ``t_s``: their doors close and routing
avoids them. Several ``[[hazards]]`` run together, so
``sabotage + attack`` or ``sabotage + drill`` shows what a single failure costs.

Metrics: ``sabotaged`` (the failed devices), ``locked_exits``, ``t_sabotage_s``.
"""

from __future__ import annotations

from typing import Any

from sim.engine.world import World
from sim.hazards import _common as cm
from sim.model.hazard_specs import SabotageSpec


def start(world: World, spec: SabotageSpec) -> None:
    """Validate the openings and schedule the failures."""
    for oid in spec.locked_exits:
        cm.opening_portal(world, oid, "hazards.locked_exits")
    world.hazards_active += 1
    world.env.process(_run(world, spec))


def _run(world: World, spec: SabotageSpec) -> Any:
    w = world
    yield w.env.timeout(spec.t_s)
    chain = cm.chain_of(w)
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


