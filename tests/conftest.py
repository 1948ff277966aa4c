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
    """Run a scenario given as a mapping against a layout given as a mapping."""
    from sim.engine.graphs import build_network
    from sim.model.layout_schema import layout_from_dict
    from sim.model.scenario import scenario_from_dict
    from sim.run.runner import run_scenario

    lay = layout_from_dict(layout)
    scn = scenario_from_dict({"schema": "safemall/scenario/1", "layout": "<memory>", **scenario})
    net = build_network(lay, max_cell_area_m2=scn.movement.max_cell_area_m2,
                        max_cell_length_m=scn.movement.max_cell_length_m)
    return run_scenario(scn, network=net, **kw)


@pytest.fixture
def example_layout_path() -> Path:
    return FIXTURES / "example_layout.toml"
