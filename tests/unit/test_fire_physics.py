"""Unit tests for sim.hazards.fire_physics (AT-13, AT-14, AT-15 of docs/verification.md)."""

from __future__ import annotations

import itertools
import math

import pytest

from sim.hazards import fire_physics as fp


# ------------------------------------------------------------------ AT-13 t-squared fire
@pytest.mark.parametrize(
    ("alpha", "t_s", "expected_kw"),
    [(0.0469, 150.0, 1055.0), (0.01172, 300.0, 1054.8)],
)
def test_at13_t2_fire(alpha: float, t_s: float, expected_kw: float) -> None:
    assert fp.hrr_kw(t_s, alpha_kw_s2=alpha, peak_kw=1e5) == pytest.approx(expected_kw, abs=1.0)


def test_at13_nfpa_classes_reach_1055_kw_at_their_time() -> None:
    times = {"slow": 600.0, "medium": 300.0, "fast": 150.0, "ultrafast": 75.0}
    for name, alpha in fp.T2_ALPHA_KW_S2.items():
        assert fp.hrr_kw(times[name], alpha_kw_s2=alpha, peak_kw=1e5) == pytest.approx(
            1055.0, abs=1.0
        )
        assert fp.t2_growth_time_s(alpha) == pytest.approx(times[name], abs=0.2)


def test_hrr_zero_before_ignition_and_shifted() -> None:
    assert fp.hrr_kw(50.0, alpha_kw_s2=0.0469, peak_kw=5000.0, ignition_s=60.0) == 0.0
    assert fp.hrr_kw(210.0, alpha_kw_s2=0.0469, peak_kw=5000.0, ignition_s=60.0) == pytest.approx(
        1055.25
    )


def test_hrr_monotone_while_growing_and_capped_at_peak() -> None:
    prev = -1.0
    for t in range(0, 1000, 5):
        q = fp.hrr_kw(float(t), alpha_kw_s2=0.0469, peak_kw=2500.0)
        assert q >= prev
        assert q <= 2500.0
        prev = q
    assert fp.hrr_kw(999.0, alpha_kw_s2=0.0469, peak_kw=2500.0) == 2500.0


def test_sprinkler_cap_holds_value_at_activation_and_reduces_q() -> None:
    def q(t: float, act: float | None = None) -> float:
        return fp.hrr_kw(t, alpha_kw_s2=0.0469, peak_kw=5000.0, sprinkler_activation_s=act)

    q_act = q(120.0)
    assert q_act == pytest.approx(0.0469 * 120.0**2)
    for t in (121.0, 200.0, 900.0):
        capped = q(t, 120.0)
        assert capped == pytest.approx(q_act)
        assert capped < q(t)
    # before activation the sprinkler changes nothing
    assert q(100.0, 120.0) == q(100.0)


def test_sprinkler_decay_uses_evans_time_constant() -> None:
    q_act = 0.0469 * 100.0**2
    q = fp.hrr_kw(
        100.0 + 410.0,
        alpha_kw_s2=0.0469,
        peak_kw=5000.0,
        sprinkler_activation_s=100.0,
        sprinkler_mode="decay",
    )
    assert q == pytest.approx(q_act / math.e)
    assert fp.SPRINKLER_DECAY_TAU_S == 410.0


def test_hrr_rejects_bad_mode() -> None:
    with pytest.raises(ValueError, match="sprinkler_mode"):
        fp.hrr_kw(1.0, alpha_kw_s2=0.1, peak_kw=1.0, sprinkler_mode="off")  # type: ignore[arg-type]


# ------------------------------------------------------------------ AT-14 Yamana-Tanaka
def test_at14_yamana_tanaka_closed_form() -> None:
    z = fp.yamana_tanaka_height_m(90.0, 1000.0, 250.0, 4.5, k=0.12)
    assert z == pytest.approx(1.887, abs=0.001)


def test_yamana_tanaka_openfire_check_value() -> None:
    # fire-library/openfire equation_2_10 test: k=0.025, Q=500, A=20, H=2.75, t=25 -> 1.803939505
    assert fp.yamana_tanaka_height_m(25.0, 500.0, 20.0, 2.75, k=0.025) == pytest.approx(
        1.803939505, abs=1e-8
    )


def test_yamana_tanaka_k_from_gas_temperature() -> None:
    assert fp.yamana_tanaka_k(353.0) == pytest.approx(0.076)
    # k = 0.12 corresponds to T_g = 0.12 * 353 / 0.076 = 557.4 K
    z = fp.yamana_tanaka_height_m(90.0, 1000.0, 250.0, 4.5, gas_temp_k=0.12 * 353.0 / 0.076)
    assert z == pytest.approx(1.887, abs=0.001)
    with pytest.raises(ValueError):
        fp.yamana_tanaka_height_m(90.0, 1000.0, 250.0, 4.5)
    with pytest.raises(ValueError):
        fp.yamana_tanaka_height_m(90.0, 1000.0, 250.0, 4.5, k=0.1, gas_temp_k=500.0)


def test_yamana_tanaka_at_time_zero_is_ceiling() -> None:
    assert fp.yamana_tanaka_height_m(0.0, 1000.0, 250.0, 4.5, k=0.12) == pytest.approx(4.5)


@pytest.mark.parametrize("t_s", [10.0, 90.0, 400.0])
def test_integral_form_equals_closed_form_for_constant_q(t_s: float) -> None:
    q = 1000.0
    closed = fp.yamana_tanaka_height_m(t_s, q, 250.0, 4.5, k=0.12)
    integral = fp.yamana_tanaka_height_from_integral_m(q ** (1 / 3) * t_s, 250.0, 4.5, k=0.12)
    assert integral == pytest.approx(closed, rel=1e-12)
    times = [t_s * i / 50 for i in range(51)]
    series = fp.yamana_tanaka_series_m(times, [q] * 51, 250.0, 4.5, k=0.12)
    assert series[-1] == pytest.approx(closed, rel=1e-12)
    assert series[0] == pytest.approx(4.5)


def test_integral_form_for_t2_fire_matches_analytic_integral() -> None:
    alpha, t_end = 0.0469, 120.0
    # integral of (alpha t^2)^(1/3) dt = alpha^(1/3) * 3/5 * t^(5/3)
    exact = fp.yamana_tanaka_height_from_integral_m(
        alpha ** (1 / 3) * 0.6 * t_end ** (5 / 3), 250.0, 4.5, k=0.12
    )
    times = [t_end * i / 2000 for i in range(2001)]
    q = [fp.hrr_kw(t, alpha_kw_s2=alpha, peak_kw=1e5) for t in times]
    series = fp.yamana_tanaka_series_m(times, q, 250.0, 4.5, k=0.12)
    assert series[-1] == pytest.approx(exact, abs=1e-3)
    # a growing fire fills more slowly than a steady fire at the final HRR
    assert series[-1] > fp.yamana_tanaka_height_m(t_end, q[-1], 250.0, 4.5, k=0.12)


# ------------------------------------------------------------------ AT-15 speed in smoke
@pytest.mark.parametrize(("k", "v"), [(1.0, 1.103), (2.0, 1.006), (10.0, 0.300)])
def test_at15_frantzich_nilsson(k: float, v: float) -> None:
    assert fp.speed_in_smoke_mps(1.2, k) == pytest.approx(v, abs=0.001)


def test_frantzich_nilsson_clean_air_and_absolute_floor() -> None:
    assert fp.speed_in_smoke_mps(1.2, 0.0) == 1.2
    assert fp.speed_in_smoke_mps(1.2, 50.0) == pytest.approx(0.3)
    # the floor never speeds up a slow walker
    assert fp.speed_in_smoke_mps(0.25, 5.0) == pytest.approx(0.25)


def test_fridolf() -> None:
    assert fp.speed_in_smoke_mps(1.2, 0.0, "fridolf") == 1.2
    assert fp.speed_in_smoke_mps(1.2, 0.5, "fridolf") == pytest.approx(1.2)  # K <= 2/3: full speed
    assert fp.speed_in_smoke_mps(1.2, 1.0, "fridolf") == pytest.approx(1.2 * (1 - 0.34))
    assert fp.speed_in_smoke_mps(1.2, 2.0, "fridolf") == pytest.approx(1.2 * (1 - 0.34 * 2))
    assert fp.speed_in_smoke_mps(1.2, 10.0, "fridolf") == pytest.approx(1.2 * 0.2)
    with pytest.raises(ValueError):
        fp.speed_in_smoke_mps(1.2, 1.0, "jin")  # type: ignore[arg-type]


def test_speed_decreases_with_extinction() -> None:
    models: tuple[fp.SmokeSpeedModel, ...] = ("frantzich_nilsson", "fridolf")
    for model in models:
        speeds = [fp.speed_in_smoke_mps(1.3, k / 4, model) for k in range(60)]
        assert all(a >= b for a, b in itertools.pairwise(speeds))


# ------------------------------------------------------------------ visibility, limits
def test_visibility() -> None:
    assert fp.visibility_m(0.3) == pytest.approx(10.0)
    assert fp.visibility_m(0.3, fp.VISIBILITY_C_LIGHT_EMITTING) == pytest.approx(26.667, abs=1e-3)
    assert fp.visibility_m(0.0) == math.inf


def test_tenability_constants() -> None:
    assert fp.CLEAR_LAYER_HEIGHT_M == 2.0
    assert fp.SMOKE_TEMP_LIMIT_C == 60.0
    assert fp.HOT_LAYER_TEMP_LIMIT_C == 200.0
    assert fp.VISIBILITY_LIMIT_M == 10.0
    assert fp.FED_INCAPACITATION == 0.3


# ------------------------------------------------------------------ FED
def test_fed_zero_in_clean_air() -> None:
    assert fp.fed_rate_per_s(co_ppm=0.0) == 0.0
    assert fp.fed_rate_per_s(co_ppm=0.0, temp_c=35.0) == 0.0


def test_fed_co_purser_value() -> None:
    # 1000 ppm CO: 3.317e-5 * 1000^1.036 * 25 / 30 per minute
    expected = 3.317e-5 * 1000.0**1.036 * 25.0 / 30.0 / 60.0
    rate = fp.fed_rate_per_s(co_ppm=1000.0, co2_pct=0.0)
    assert rate == pytest.approx(expected, rel=1e-12)
    assert rate * 60.0 == pytest.approx(0.03545, abs=1e-5)  # about 28 min to FED 1


def test_fed_co2_hyperventilation_multiplier() -> None:
    base = fp.fed_rate_per_s(co_ppm=1000.0, co2_pct=0.0)
    assert fp.fed_rate_per_s(co_ppm=1000.0, co2_pct=5.0) == pytest.approx(base * math.e)


def test_fed_heat_two_term_purser() -> None:
    t_tol_min = 2e31 * 100.0**-16.963 + 4e8 * 100.0**-3.7561
    assert t_tol_min == pytest.approx(12.3, abs=0.1)
    assert fp.fed_rate_per_s(co_ppm=0.0, temp_c=100.0) == pytest.approx(1 / t_tol_min / 60)


def test_fed_hypoxia_and_hcn_positive() -> None:
    assert fp.fed_rate_per_s(co_ppm=0.0, o2_pct=12.0) > 0.0
    assert fp.fed_rate_per_s(co_ppm=0.0, hcn_ppm=100.0) > 0.0


def test_fed_zero_when_smoke_above_head() -> None:
    assert fp.fed_rate_per_s(co_ppm=5000.0, temp_c=150.0, smoke_below_head=False) == 0.0


def test_fed_rate_non_negative_and_monotone_in_co() -> None:
    prev = 0.0
    for co in range(0, 20000, 250):
        r = fp.fed_rate_per_s(co_ppm=float(co), temp_c=40.0, o2_pct=18.0)
        assert r >= prev >= 0.0
        prev = r
    with pytest.raises(ValueError):
        fp.fed_rate_per_s(co_ppm=-1.0)


# ------------------------------------------------------------------ ceiling jet, link
def test_alpert_ceiling_jet_regimes() -> None:
    dt_near, u_near = fp.alpert_ceiling_jet(1000.0, 5.0, 0.5)
    assert dt_near == pytest.approx(16.9 * 1000 ** (2 / 3) / 5 ** (5 / 3))
    assert u_near == pytest.approx(0.96 * (1000 / 5) ** (1 / 3))
    dt_far, u_far = fp.alpert_ceiling_jet(1000.0, 5.0, 3.0)
    assert dt_far == pytest.approx(5.38 * (1000 / 3) ** (2 / 3) / 5)
    assert u_far == pytest.approx(0.195 * 1000 ** (1 / 3) * 5**0.5 / 3 ** (5 / 6))


def test_link_temperature_lag() -> None:
    # time constant RTI / sqrt(u): after one time constant 63.2 % of the step is reached
    t = fp.link_temperature_c(20.0, 120.0, 4.0, 50.0, 25.0)
    assert t == pytest.approx(20.0 + 100.0 * (1 - math.exp(-1.0)))


def test_radiant_flux_and_radiant_dose() -> None:
    # a thick layer (ε → 1) at 200 °C: σ (473.15⁴ − 293.15⁴) = 2.43 kW/m²
    assert fp.layer_radiant_flux_kw_m2(200.0, 10.0, 5.0) == pytest.approx(2.43, abs=0.01)
    assert fp.layer_radiant_flux_kw_m2(200.0, 0.0, 5.0) == 0.0  # clear gas does not radiate
    assert fp.layer_radiant_flux_kw_m2(20.0, 5.0, 5.0) == 0.0
    # ISO 13571: t = 6.9 q^-1.56 min; 2.5 kW/m² → 1.652 min; nothing at or below 1.7 kW/m²
    assert fp.radiant_tolerance_min(2.5) == pytest.approx(1.652, abs=0.001)
    assert fp.radiant_tolerance_min(1.7) == math.inf
    rate = fp.fed_rate_per_s(co_ppm=0.0, smoke_below_head=False, radiant_kw_m2=2.5)
    assert rate == pytest.approx(1.0 / (1.652 * 60.0), rel=1e-3)

