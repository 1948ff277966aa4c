"""Start a world's security: the alarm chain and the staff of the scenario's plan."""

from __future__ import annotations

from sim.engine.world import World
from sim.security.alarm import AlarmChain
from sim.security.staff import Staff


def start_security(world: World) -> None:
    """Start the alarm chain, and the staff when the scenario has a security plan.

    The plan is the scenario's, with its ``[security]`` changes already applied
    (:attr:`sim.model.scenario.Scenario.security`); without one the alarm chain has no
    devices and nobody is on duty.
    """
    plan = world.scenario.security
    chain = AlarmChain(world, plan)
    world.alarm_chain = chain
    if plan is None:
        return
    staff = Staff(world, chain, plan)
    chain.staff = staff
    world.replay_meta["security"] = {
        "cameras": [{"id": c.id, "space": c.space} for c in plan.cctv.cameras],
        "barriers": [{"id": b.id, "kind": b.kind, "opening": b.opening, "space": b.space}
                     for b in plan.barriers],
        "guards": plan.guards.total,
    }
