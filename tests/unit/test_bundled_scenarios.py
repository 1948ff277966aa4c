"""Every bundled scenario runs (small crowd, shortened), through the one loader, in memory.

Each ``scenarios/*.toml`` is read with :func:`sim.io.scenario_files.load_scenario` (one
cache for all) at a tenth of its crowd and at most ten simulated minutes, for two seeds:
every run ends, accounts for every person and reports only declared metrics.
(Reproducibility from a seed, and the full-size metrics before and after a refactor, are
checked by ``tools/scenario_fingerprints.py``.)
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sim.engine.metrics import METRICS
from sim.io.scenario_files import InputCache
from sim.run.runner import run_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
SHORT = ("occupants.scale=0.1", "duration_s=600", "output.lower_bound=false")
INPUTS = InputCache()


def test_there_are_bundled_scenarios() -> None:
    assert len(SCENARIOS) >= 20


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_scenario_runs(path: Path) -> None:
    scn = INPUTS.scenario(path, SHORT)
    net = INPUTS.network(scn)
    runs = [run_scenario(scn, seed=s, network=net).to_json() for s in (1, 2)]
    for m in runs:
        assert set(m) <= set(METRICS), set(m) - set(METRICS)
        assert m["evacuated"] + m["inside"] + m["casualties"] == m["occupants"] > 0
        assert 0.0 < m["t_end_s"] <= 600.0 + 1e-9
        json.dumps(m, allow_nan=False, default=lambda o: None if isinstance(o, float)
                   and not math.isfinite(o) else str(o))
