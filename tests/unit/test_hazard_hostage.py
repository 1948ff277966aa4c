"""Hostage rules: the shop is closed, the cordon forms, the zone empties, release."""

from __future__ import annotations

from sim.engine.replay import State
from tests.unit.test_hazard_common import plan_file, run

HOST = {"kind": "hostage", "space": "s1", "t_s": 10.0, "siege_s": 200.0}


def test_hostages_held_until_release(tmp_path):
    res = run([HOST], count=300, plan=plan_file(tmp_path, guards=6, police_s=30.0))
    m = res.metrics
    w = res.world
    assert m["hostages"] > 0
    assert m["t_cordon_s"] is not None and m["t_cordon_s"] > HOST["t_s"]
    assert m["zone_evacuated_s"] is not None and m["zone_evacuated_s"] >= m["t_cordon_s"]
    assert m["t_hostages_released_s"] >= m["t_police_arrived_s"] + 200.0 - 1e-6
    s1 = {w.cell_index[c] for c in w.net.cells_of_space["s1"]}
    # nobody left the shop before the release
    for t, frm in zip(res.moves["t"], res.moves["from"], strict=True):
        if frm in s1:
            assert t >= m["t_hostages_released_s"] - 1e-6
    assert m["inside"] == 0 and all(w.state[i] == State.SAFE for i in range(w.n))


def test_no_plan_no_cordon():
    res = run([HOST], count=100)
    assert res.metrics["t_cordon_s"] is None and res.metrics["hostages"] > 0
