"""SafeMall: evacuation and security-staffing simulation of shopping malls.

The public API, for scripts and notebooks::

    from sim import load_scenario, run_scenario

    scenario = load_scenario("scenarios/drill_grand.toml", ["security.guards=40"])
    result = run_scenario(scenario, seed=7)
    result.metrics["t_evacuation_s"]

Inputs are read once into typed objects (:class:`Scenario` holds its :class:`Layout`,
:class:`SecurityPlan` and hazard specifications); :func:`run_scenario` reads no file and
returns a :class:`RunResult` whose metrics are declared in :data:`METRICS`. Names are
loaded on first use, so ``import sim`` stays cheap for the command line.
"""

from __future__ import annotations

import importlib
from typing import Any

from sim.version import __version__

#: Public name → the module that defines it.
_API: dict[str, str] = {
    # inputs
    "Layout": "sim.model.layout",
    "Scenario": "sim.model.scenario",
    "SecurityPlan": "sim.model.security_plan",
    "scenario_from_dict": "sim.model.scenario",
    "layout_from_dict": "sim.model.layout_schema",
    "plan_from_dict": "sim.model.security_plan",
    "load_scenario": "sim.io.scenario_files",
    "load_layout": "sim.io.layout_files",
    "load_security_plan": "sim.io.security_files",
    "InputCache": "sim.io.scenario_files",
    # running
    "Network": "sim.engine.graphs",
    "build_network": "sim.engine.graphs",
    "run_scenario": "sim.run.runner",
    "RunResult": "sim.run.runner",
    "Metric": "sim.engine.metrics",
    "METRICS": "sim.engine.metrics",
    # errors
    "SafeMallError": "sim.errors",
    "LayoutError": "sim.errors",
    "ScenarioError": "sim.errors",
    "SecurityPlanError": "sim.errors",
    "ReplayError": "sim.errors",
}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
