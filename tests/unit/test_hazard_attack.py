"""Attack rules: harm rate, equipped responders, firearms need police, metrics."""

from __future__ import annotations

import math

import pytest

from sim.errors import ScenarioError
from tests.conftest import hazard_runs as _runs
from tests.unit.test_hazard_common import plan_file, run

KNIFE = {"kind": "attack", "weapon": "knife", "t_s": 5.0, "entrance": "main"}


def test_knife_stopped_by_three_equipped_guards(tmp_path):
    res = run([KNIFE], plan=plan_file(tmp_path, guards=6, forks=3, shields=3))
    m = res.metrics
    assert m["attack_stopped_by"] == "guards"
    a = _runs(res.world, "attack")[0].attackers[0]
    assert a.stopped and a.pinned_by == "guards"
    # pinned when 3 equipped responders were with it, stopped after the struggle (20 s)
    assert m["t_neutralised_s"] == pytest.approx(a.t_pinned + 20.0)
    assert m["t_first_responder_s"] <= a.t_pinned
    assert m["attack_victims"] == len(a.harms)


def test_without_kits_only_police_stop_a_knife(tmp_path):
    res = run([KNIFE], plan=plan_file(tmp_path, guards=6, forks=0, shields=0,
                                      police_s=120.0))
    m = res.metrics
    assert m["attack_stopped_by"] == "police"
    assert m["t_neutralised_s"] >= m["t_police_arrived_s"]


def test_firearm_needs_police(tmp_path):
    res = run([{**KNIFE, "weapon": "firearm"}],
              plan=plan_file(tmp_path, guards=10, forks=10, shields=10, police_s=120.0))
    m = res.metrics
    assert m["attack_stopped_by"] == "police"
    assert m["t_neutralised_s"] >= m["t_police_arrived_s"]


def test_harm_rate_scales_with_rate_and_density():
    """No plan, nobody stops it: victims grow with the rate per attacker-minute."""
    low = run([{**KNIFE, "rate_per_min": 0.0}], count=400, duration_s=300)
    high = run([{**KNIFE, "rate_per_min": 30.0}], count=400, duration_s=300)
    assert low.metrics["attack_victims"] == 0
    assert high.metrics["attack_victims"] > 5
    assert high.metrics["casualties"] == high.metrics["attack_victims"]


def test_required_guards_is_a_parameter(tmp_path):
    plan = plan_file(tmp_path, guards=6, forks=6, shields=6)
    few = run([{**KNIFE, "guards_required": 1}], plan=plan)
    many = run([{**KNIFE, "guards_required": 5}], plan=plan)
    assert few.metrics["t_neutralised_s"] <= many.metrics["t_neutralised_s"]


def test_rates_before_and_after_responder(tmp_path):
    res = run([{**KNIFE, "rate_per_min": 20.0}], count=500,
              plan=plan_file(tmp_path, guards=3, forks=3, shields=3))
    m = res.metrics
    assert m["attack_victims_per_min_before_responder"] is not None
    runs = _runs(res.world, "attack")[0]
    t0, t_fr = runs.t_first_enter, runs.t_first_responder
    before = sum(1 for t, _ in runs.victims if t < t_fr)
    assert m["attack_victims_per_min_before_responder"] == pytest.approx(
        before / ((t_fr - t0) / 60.0), rel=1e-3)


def test_several_attackers_each_stopped(tmp_path):
    res = run([{**KNIFE, "attackers": 2, "interval_s": 10.0}],
              plan=plan_file(tmp_path, guards=8, forks=6, shields=6))
    atk = _runs(res.world, "attack")[0].attackers
    assert all(a.stopped for a in atk)
    assert res.metrics["t_neutralised_s"] == pytest.approx(max(a.t_stopped for a in atk))
    assert res.metrics["attackers_neutralised"] == 2


def test_route_target_and_bad_space():
    res = run([{**KNIFE, "target": "route", "route": ["s3", "s0"], "rate_per_min": 0.0}],
              count=50, duration_s=200)
    assert not math.isnan(_runs(res.world, "attack")[0].attackers[0].t_enter)
    with pytest.raises(ScenarioError, match="unknown space"):
        run([{**KNIFE, "target": "space", "space": "nowhere"}], count=5)


def test_people_shelter_in_locked_shops(tmp_path):
    res = run([KNIFE], plan=plan_file(tmp_path, guards=2, forks=0, shields=0,
                                      police_s=200.0))
    assert any(mk.kind == "lockdown" for mk in res.marks)
    assert any(mk.kind == "lockdown_end" for mk in res.marks)
    assert res.metrics["inside"] == 0
