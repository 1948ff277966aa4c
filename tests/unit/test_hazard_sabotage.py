"""Sabotage: devices fail, exits lock, combined with another hazard."""

from __future__ import annotations

from tests.unit.test_hazard_common import plan_file, run

DRILL = {"kind": "drill", "t_s": 10.0}


def test_pa_and_police_link_fail(tmp_path):
    plan = plan_file(tmp_path)
    base = run([DRILL], plan=plan, count=100)
    sab = run([{"kind": "sabotage", "devices": ["pa", "buttons"]}, DRILL], plan=plan,
              count=100)
    assert base.metrics.get("t_pa_s") is not None
    assert sab.metrics.get("t_pa_s") is None
    assert sab.metrics["sabotaged"] == ["buttons", "pa"]


def test_police_link_slows_the_call(tmp_path):
    plan = plan_file(tmp_path)
    knife = {"kind": "attack", "t_s": 5.0, "entrance": "main"}
    a = run([knife], plan=plan, count=100)
    b = run([{"kind": "sabotage", "devices": ["police_link"]}, knife], plan=plan, count=100)
    assert b.metrics["t_police_called_s"] - b.metrics["t_verified_s"] > \
        a.metrics["t_police_called_s"] - a.metrics["t_verified_s"]


def test_locked_exit_unused():
    res = run([{"kind": "sabotage", "locked_exits": ["west"]},
               {"kind": "explosion", "space": "s3", "charge_kg": 0.1}], count=200)
    assert "west" not in res.metrics["exit_counts"]
    assert res.metrics["locked_exits"] == ["west"]


def test_lighting_slows_walking():
    res = run([{"kind": "sabotage", "devices": ["lighting"]}], count=10)
    w = res.world
    corr = w.cell_index[w.net.cells_of_space["corr"][0]]
    plaza = w.cell_index[w.net.cells_of_space["plaza"][0]]
    assert w.speed_factor[corr] == 0.6 and w.speed_factor[plaza] == 1.0
