"""Invariants of the engine over random layouts and scenarios (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from sim.analysis.verification.bound import published_bound_and_slack
from sim.errors import ScenarioError
from sim.run.runner import peak_density
from tests.conftest import run_dict
from tests.strategies import grid_mall

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

scenarios = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "occupants": st.fixed_dictionaries({"count": st.integers(1, 250)}),
    "routing": st.fixed_dictionaries({"policy": st.sampled_from(
        ["nearest", "quickest", "familiar"])}),
    "population": st.fixed_dictionaries({"speed_model": st.sampled_from(["sfpe", "weidmann"])}),
    "movement": st.fixed_dictionaries({"jam_density_pm2": st.sampled_from([1.5, 3.0, 5.4]),
                                       "flow": st.sampled_from(["sfpe", "empirical"])}),
    "duration_s": st.just(3600.0),
})


@SETTINGS
@given(grid_mall(), scenarios)
def test_invariants(layout, scn):
    try:
        res = run_dict(layout, scn, keep_world=True)
    except ScenarioError as exc:  # more people than fit below jam density: not a scenario
        assert "do not fit" in str(exc)
        reject()
    m = res.metrics
    w = res.world
    # everyone is accounted for, and with nothing harmful everyone gets out (no stall)
    assert m["evacuated"] + m["inside"] + m["casualties"] == m["occupants"]
    assert m["evacuated"] == m["occupants"], m
    # clocks never go backwards
    assert np.all(np.diff(res.moves["t"]) >= 0)
    # no cell ever above its jam capacity
    _, _, peak = peak_density(w, res.moves)
    caps = np.array(w.cap)
    assert np.all(peak <= caps)
    # no run beats the quickest-flow lower bound, neither the one built from the engine's
    # own headways nor the one built from published capacities (independent of them)
    assert m["t_evacuation_s"] >= m["t_lower_bound_s"] - 1.0
    bound, slack = published_bound_and_slack(w.layout, res.scenario, res)
    assert m["t_evacuation_s"] >= bound - slack - 1e-6, (m["t_evacuation_s"], bound)


crowds = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "occupants": st.fixed_dictionaries({"count": st.integers(50, 250)}),
    "premovement": st.just({"model": "none"}),
    "population": st.fixed_dictionaries({"speed_model": st.sampled_from(["sfpe", "weidmann"])}),
    "movement": st.fixed_dictionaries({"flow": st.sampled_from(["sfpe", "empirical"])}),
})


@SETTINGS
@given(grid_mall(), crowds)
def test_crowds_never_beat_the_published_capacity_bound(layout, scn):
    """Everyone sets off at once, so the doors and stairs bind: the run may not finish
    before the quickest flow through the published capacities (SFPE 1.3 p/s per m of door
    width less 0.3 m, stairs per type; laboratory 2.4 p/s/m for ``empirical``)."""
    try:
        res = run_dict(layout, scn, keep_world=True)
    except ScenarioError as exc:
        assert "do not fit" in str(exc)
        reject()
    bound, slack = published_bound_and_slack(res.world.layout, res.scenario, res)
    assert res.metrics["t_evacuation_s"] >= bound - slack - 1e-6, (
        res.metrics["t_evacuation_s"], bound)


@SETTINGS
@given(grid_mall(max_rooms=4), st.integers(0, 1000))
def test_seed_determinism(layout, seed):
    scn = {"seed": seed, "occupants": {"count": 40}}
    a = run_dict(layout, scn)
    b = run_dict(layout, scn)
    c = run_dict(layout, {**scn, "seed": seed + 1})
    assert np.array_equal(a.moves["t"], b.moves["t"])
    assert np.array_equal(a.moves["person"], b.moves["person"])
    assert not np.array_equal(a.moves["t"], c.moves["t"])


@SETTINGS
@given(st.integers(10, 400), st.floats(0.8, 3.0), st.floats(0.1, 2.0), st.integers(0, 100))
def test_wider_exit_never_slower(n, width, extra, seed):
    def lay(w):
        return {"schema": "safemall/layout/1", "mall": {"name": "one room"},
                "levels": [{"id": "L1", "elevation_m": 0.0}],
                "spaces": [{"id": "room", "kind": "shop", "level": "L1", "rect": [0, 0, 15, 15]},
                           {"id": "out", "kind": "exit", "level": "L1"}],
                "openings": [{"id": "door", "between": ["room", "out"], "width_m": w,
                              "at": [15, 7.5]}]}

    scn = {"seed": seed, "occupants": {"count": n}}
    narrow = run_dict(lay(width), scn).metrics["t_evacuation_s"]
    wide = run_dict(lay(width + extra), scn).metrics["t_evacuation_s"]
    assert wide <= narrow + 1e-9
