"""Unit tests for sim.hazards.crowd_physics (Fruin 1971 walkway LoS, IMO congestion)."""

from __future__ import annotations

import pytest

from sim.hazards.crowd_physics import (
    CONGESTION_DENSITY_PM2,
    CRITICAL_DENSITY_PM2,
    DensityExposure,
    fruin_los,
)


def test_constants() -> None:
    assert CRITICAL_DENSITY_PM2 == 5.5
    assert CONGESTION_DENSITY_PM2 == 4.0


@pytest.mark.parametrize(
    ("area_m2_per_p", "letter"),
    [
        (10.0, "A"),
        (3.26, "A"),
        (3.25, "B"),  # A is > 3.25
        (2.33, "B"),
        (2.32, "C"),
        (1.40, "C"),
        (1.39, "D"),
        (0.94, "D"),
        (0.93, "E"),
        (0.47, "E"),
        (0.46, "E"),  # F is < 0.46: density exactly 1/0.46 is still E
        (0.4599, "F"),
        (0.2, "F"),
    ],
)
def test_fruin_band_edges(area_m2_per_p: float, letter: str) -> None:
    assert fruin_los(1.0 / area_m2_per_p) == letter


def test_fruin_zero_and_high_density() -> None:
    assert fruin_los(0.0) == "A"
    assert fruin_los(1.0 / 0.46 + 1e-9) == "F"
    assert fruin_los(9.0) == "F"


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_fruin_rejects_bad_density(bad: float) -> None:
    with pytest.raises(ValueError):
        fruin_los(bad)


def test_exposure_accumulates_zero_order_hold() -> None:
    ex = DensityExposure()
    samples = [(0.0, 1.0), (10.0, 4.5), (20.0, 6.0), (35.0, 6.5), (40.0, 3.0), (50.0, 5.6)]
    for t, d in samples:
        ex.record("corridor", t, d)
    rep = ex.report("corridor", until_s=62.0)
    assert rep.observed_s == pytest.approx(62.0)
    # > 4: [10,40) and [50,62)
    assert rep.time_above_congestion_s == pytest.approx(42.0)
    # > 5.5: [20,40) and [50,62)
    assert rep.time_above_critical_s == pytest.approx(32.0)
    assert rep.longest_critical_spell_s == pytest.approx(20.0)
    assert rep.peak_density_pm2 == 6.5
    assert rep.los_time_s["D"] == pytest.approx(10.0)  # 1 p/m^2 = 1 m^2/p -> D
    assert rep.los_time_s["F"] == pytest.approx(52.0)  # 3.0 p/m^2 and above -> F
    assert sum(rep.los_share.values()) == pytest.approx(1.0)


def test_exposure_los_letters() -> None:
    ex = DensityExposure()
    ex.record("s", 0.0, 0.2)  # 5 m^2/p -> A
    ex.record("s", 30.0, 1.0)  # 1 m^2/p -> D
    ex.record("s", 40.0, 3.0)  # F
    rep = ex.report("s", until_s=100.0)
    assert rep.los_time_s["A"] == pytest.approx(30.0)
    assert rep.los_time_s["D"] == pytest.approx(10.0)
    assert rep.los_time_s["F"] == pytest.approx(60.0)
    assert rep.los_share["F"] == pytest.approx(0.6)


def test_exposure_report_does_not_mutate_and_rejects_backwards() -> None:
    ex = DensityExposure()
    ex.record("s", 0.0, 6.0)
    assert ex.report("s", until_s=100.0).longest_critical_spell_s == pytest.approx(100.0)
    assert ex.report("s").observed_s == 0.0
    with pytest.raises(ValueError):
        ex.record("s", -1.0, 1.0)
    with pytest.raises(KeyError):
        ex.report("nope")
    ex.record_many(5.0, {"s": 1.0, "t": 7.0})
    assert ex.spaces == ["s", "t"]
    assert ex.report("s").time_above_critical_s == pytest.approx(5.0)
