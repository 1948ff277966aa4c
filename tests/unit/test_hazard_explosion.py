"""Explosion rules: scaled distance, casualties in the space, neighbours, lost openings."""

from __future__ import annotations

import math

import pytest

from sim.errors import ScenarioError
from sim.hazards.explosion import scaled_distance
from tests.unit.test_hazard_common import run


def test_scaled_distance():
    assert scaled_distance(10.0, 8.0) == pytest.approx(5.0)


def test_casualties_follow_the_scaled_distance_rule():
    res = run([{"kind": "explosion", "space": "corr", "t_s": 5.0, "charge_kg": 5.0,
                "at": [30.0, 3.0]}], count=400, plaza=False, duration_s=120)
    w = res.world
    r_fatal = 2.5 * 5.0 ** (1 / 3)
    r_inj = 8.0 * 5.0 ** (1 / 3)

    led = w.harmed_by
    assert res.metrics["explosion_victims"] == len(led) > 0
    for i in led:
        x, y = w.position_of(i)
        d = math.hypot(x - 30.0, y - 3.0)
        assert d <= r_inj + 1e-6
        if w.state[i] == 7:  # DEAD
            assert d <= r_fatal + 1e-6


def test_openings_near_the_seat_are_lost():
    res = run([{"kind": "explosion", "space": "corr", "t_s": 5.0, "charge_kg": 20.0,
                "at": [30.0, 1.0], "lose_openings": ["east"]}], count=100, duration_s=200)
    lost = res.metrics["openings_lost"]
    assert "main" in lost and "east" in lost
    assert "west" not in lost


def test_second_device_and_panic():
    res = run([{"kind": "explosion", "space": "s0", "t_s": 5.0,
                "second": {"space": "plaza", "delay_s": 20.0}}], count=200, duration_s=300)
    assert "second_device_victims" in res.metrics
    assert sum(mk.kind == "explosion" for mk in res.marks) == 2
    assert res.metrics["mean_premovement_s"] is not None


def test_unknown_space():
    with pytest.raises(ScenarioError, match="unknown space"):
        run([{"kind": "explosion", "space": "nowhere"}], count=5)
