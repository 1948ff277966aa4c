"""Start a world's security: load the plan, apply overrides, build chain and staff."""

from __future__ import annotations

from pathlib import Path

from sim.engine.world import World
from sim.io.security_files import load_security_plan
from sim.model.security_plan import apply_overrides
from sim.security.alarm import AlarmChain
from sim.security.staff import Staff

_CACHE: dict[tuple[str, int, str], object] = {}


def plan_path(world: World) -> Path:
    """The plan file: ``security.plan`` or ``security.toml`` beside the layout."""
    sec = world.scenario.security or {}
    if sec.get("plan"):
        return Path(sec["plan"])
    lay = Path(world.layout.source)
    return lay.parent / "security.toml"


def start_security(world: World) -> None:
    """Load the plan named by the scenario and start the alarm chain and the staff."""
    sec = dict(world.scenario.security or {})
    path = plan_path(world)
    try:
        st = path.stat()
    except (OSError, ValueError):  # missing or unusable: loading it says why, in one line
        st = None
    key = (str(path), st.st_mtime_ns if st else 0, world.layout.source)
    plan = _CACHE.get(key)
    if plan is None:
        plan = load_security_plan(path, world.layout)
        _CACHE[key] = plan
    overrides = {k: v for k, v in sec.items() if k != "plan"}
    plan = apply_overrides(plan, overrides, world.layout,  # type: ignore[arg-type]
                           source=world.scenario.source)
    chain = AlarmChain(world, plan)
    world.alarm_chain = chain
    staff = Staff(world, chain, plan)
    chain.staff = staff
    world.finishers.append(staff.finish)
    world.replay_meta["security"] = {
        "cameras": [{"id": c.id, "space": c.space} for c in plan.cctv.cameras],
        "barriers": [{"id": b.id, "kind": b.kind, "opening": b.opening, "space": b.space}
                     for b in plan.barriers],
        "guards": plan.guards.total,
    }
