"""Scenario files: read ``*.toml``, apply ``--set`` overrides, validate."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sim.errors import ScenarioError
from sim.io.toml import read_toml
from sim.model.scenario import Scenario, apply_overrides, scenario_from_dict


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read a scenario file, apply ``--set`` overrides, validate.

    Raises
    ------
    ScenarioError
        One line naming the file and the field.
    """
    p = Path(path)
    raw = read_toml(p, ScenarioError)
    raw = apply_overrides(raw, overrides, source=str(p))
    return scenario_from_dict(raw, base_dir=p.parent, source=str(p))
