"""Shared fixtures: small in-memory runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("MPLBACKEND", "Agg")

FIXTURES = ROOT / "tests" / "fixtures"


def run_dict(layout: dict[str, Any], scenario: dict[str, Any], **kw: Any) -> Any:
    """Run a scenario given as a mapping against a layout given as a mapping.

    A ``security`` entry names a plan file (as in a scenario file); it is read here.
    """
    from sim.io.security_files import load_security_plan
    from sim.model.layout_schema import layout_from_dict
    from sim.model.scenario import scenario_from_dict, split_security
    from sim.run.runner import run_scenario

    lay = layout_from_dict(layout)
    sec = split_security(scenario)
    plan = load_security_plan(sec[0], lay) if sec is not None and sec[0] else None
    scn = scenario_from_dict({"schema": "safemall/scenario/1", **scenario}, layout=lay,
                             plan=plan)
    return run_scenario(scn, **kw)


def hazard_runs(world: Any, kind: str) -> list[Any]:
    """The hazards of ``kind`` acting in ``world``, in start order."""
    return [h for h in world.hazards if h.kind == kind]


@pytest.fixture
def example_layout_path() -> Path:
    return FIXTURES / "example_layout.toml"
