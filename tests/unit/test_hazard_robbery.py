"""Robbery rules: target, flight to an exit, interception by alerted guards."""

from __future__ import annotations

from tests.unit.test_hazard_common import plan_file, run

ROB = {"kind": "robbery", "t_s": 5.0, "dwell_s": 60.0}


def test_default_target_is_the_jewellery_shop():
    res = run([ROB], count=50)
    assert res.metrics["robbery_target"] == "s1"


def test_without_guards_the_robber_escapes():
    res = run([ROB], count=50)
    m = res.metrics
    assert m["robber_escaped"] and not m["intercepted"]
    assert m["t_robber_out_s"] > 65.0
    assert m["robbery_exit"] in ("main", "west", "east")


def test_alerted_guards_intercept(tmp_path):
    plan = plan_file(tmp_path, guards=8)
    res = run([{**ROB, "dwell_s": 240.0, "intercept_p": 1.0}], count=50, plan=plan)
    m = res.metrics
    assert m["intercepted"] and not m["robber_escaped"]
    assert m["t_alarm_s"] is not None and m["t_police_arrived_s"] is not None


def test_interception_probability_zero_lets_it_escape(tmp_path):
    plan = plan_file(tmp_path, guards=8)
    res = run([{**ROB, "intercept_p": 0.0}], count=50, plan=plan)
    assert res.metrics["robber_escaped"]
