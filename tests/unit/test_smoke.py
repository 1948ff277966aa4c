"""Unit tests for the zone smoke-network model sim.hazards.smoke."""

from __future__ import annotations

import math

import pytest

from sim.hazards import fire_physics as fp
from sim.hazards.smoke import (
    OUTSIDE,
    SOOT_MASS_EXTINCTION_M2_KG,
    FireSpec,
    SmokeLink,
    SmokeModel,
    SmokeSpace,
)

ROOM = SmokeSpace("room", 250.0, 4.5)


def _steady_fire(q_kw: float, origin: str = "room", **kw: object) -> FireSpec:
    # alpha so large that the peak is reached within the first millisecond: a steady fire
    return FireSpec(origin, 1e9, q_kw, **kw)  # type: ignore[arg-type]


def _mall() -> tuple[list[SmokeSpace], list[SmokeLink]]:
    spaces = [
        SmokeSpace("shop", 250.0, 4.5),
        SmokeSpace("mall", 2000.0, 6.0),
        SmokeSpace("shop2", 100.0, 4.0),
        SmokeSpace("closed_shop", 80.0, 4.0),  # no open link: unreachable
    ]
    links = [
        SmokeLink("shop", "mall", 2.0),
        SmokeLink("mall", "shop2", 6.0),
        SmokeLink("mall", OUTSIDE, 2.0),
    ]
    return spaces, links


def test_closed_room_follows_yamana_tanaka() -> None:
    model = SmokeModel([ROOM], [], _steady_fire(1000.0))
    model.advance(90.0)
    st = model.state("room")
    # with k evaluated at the model's own layer temperature the closed form is reproduced
    z_yt = fp.yamana_tanaka_height_m(90.0, 1000.0, 250.0, 4.5, gas_temp_k=st.temperature_c + 273.15)
    assert st.layer_height_m == pytest.approx(z_yt, abs=0.03)
    # and the layer is never higher than Yamana-Tanaka with ambient-density k (slowest filling)
    assert st.layer_height_m <= fp.yamana_tanaka_height_m(
        90.0, 1000.0, 250.0, 4.5, gas_temp_k=293.15
    )
    assert 2.3 < st.layer_height_m < 2.6
    assert 60.0 < st.temperature_c < 85.0


def test_closed_room_soot_and_co_conservation() -> None:
    alpha, t_end = 0.0469, 150.0
    fire = FireSpec("room", alpha, 5000.0, soot_yield=0.05, co_yield=0.04)
    model = SmokeModel([ROOM], [], fire)
    model.advance(t_end)
    st = model.state("room")
    fuel_kg = alpha * t_end**3 / 3.0 / 20000.0
    layer_vol = ROOM.area_m2 * (ROOM.height_m - st.layer_height_m)
    assert st.extinction_per_m * layer_vol == pytest.approx(
        SOOT_MASS_EXTINCTION_M2_KG * 0.05 * fuel_kg, rel=1e-3
    )
    double_co = SmokeModel([ROOM], [], FireSpec("room", alpha, 5000.0, co_yield=0.08))
    double_co.advance(t_end)
    assert double_co.state("room").co_ppm == pytest.approx(2.0 * st.co_ppm, rel=1e-9)
    assert st.co_ppm > 0.0


def test_network_soot_mass_conserved_without_vents() -> None:
    spaces, links = _mall()
    links = [ln for ln in links if OUTSIDE not in (ln.a, ln.b)]
    alpha = 0.0469
    model = SmokeModel(spaces, links, FireSpec("shop", alpha, 1e6))
    model.advance(600.0)
    soot_ext = 0.0
    for s in spaces:
        st = model.state(s.id)
        soot_ext += st.extinction_per_m * s.area_m2 * (s.height_m - st.layer_height_m)
    fuel_kg = alpha * 600.0**3 / 3.0 / 20000.0
    assert soot_ext == pytest.approx(SOOT_MASS_EXTINCTION_M2_KG * 0.05 * fuel_kg, rel=1e-3)
    assert model.state("mall").extinction_per_m > 0.0


def test_hrr_matches_fire_physics() -> None:
    spaces, links = _mall()
    model = SmokeModel(spaces, links, FireSpec("shop", 0.0469, 3000.0, ignition_s=20.0))
    for t in (0.0, 10.0, 170.0, 400.0):
        model.advance(t)
        expected = fp.hrr_kw(t, alpha_kw_s2=0.0469, peak_kw=3000.0, ignition_s=20.0)
        assert model.hrr_kw() == pytest.approx(expected)


def test_origin_layer_never_rises_while_growing() -> None:
    spaces, links = _mall()
    fire = FireSpec("shop", 0.0469, 5000.0)  # peak at 326.5 s
    model = SmokeModel(spaces, links, fire)
    prev = math.inf
    for t in range(0, 326, 2):
        model.advance(float(t))
        z = model.state("shop").layer_height_m
        assert z <= prev + 1e-12
        prev = z
    assert prev < 1.5


def test_spill_after_soffit_and_delay() -> None:
    spaces, links = _mall()
    model = SmokeModel(spaces, links, FireSpec("shop", 0.0469, 5000.0), spread_delay_s=30.0)
    t_below = None
    for t in range(1, 400):
        model.advance(float(t))
        if t_below is None and model.state("shop").layer_height_m < 2.1:
            t_below = float(t)
        if t_below is None:
            assert model.arrival_s("mall") is None
            assert model.state("mall").extinction_per_m == 0.0
    assert t_below is not None
    arrival = model.arrival_s("mall")
    assert arrival is not None
    assert arrival == pytest.approx(t_below + 30.0, abs=1.0)
    assert model.state("mall").extinction_per_m > 0.0
    assert model.reached_spaces[:2] == ["shop", "mall"]


def test_open_plan_join_spreads_before_soffit_level() -> None:
    spaces = [SmokeSpace("a", 200.0, 5.0), SmokeSpace("b", 200.0, 5.0)]
    model = SmokeModel(spaces, [SmokeLink("a", "b", 8.0)], FireSpec("a", 0.0469, 5000.0))
    model.advance(60.0)
    assert model.state("a").layer_height_m > 2.1
    assert model.arrival_s("b") is not None
    assert model.arrival_s("b") <= 31.0  # type: ignore[operator]


def test_unreachable_space_stays_clean() -> None:
    spaces, links = _mall()
    model = SmokeModel(spaces, links, FireSpec("shop", 0.1876, 8000.0))
    model.advance(1800.0)
    st = model.state("closed_shop")
    assert st.layer_height_m == 4.0
    assert st.temperature_c == 20.0
    assert st.extinction_per_m == 0.0
    assert st.co_ppm == 0.0
    assert st.untenable_since_s is None
    assert not model.untenable("closed_shop")
    assert model.arrival_s("closed_shop") is None


def test_vent_reduces_descent() -> None:
    closed = SmokeModel([ROOM], [], FireSpec("room", 0.0469, 3000.0))
    vented = SmokeModel([ROOM], [SmokeLink("room", OUTSIDE, 3.0)], FireSpec("room", 0.0469, 3000.0))
    higher_somewhere = False
    for t in range(10, 900, 10):
        closed.advance(float(t))
        vented.advance(float(t))
        zc = closed.state("room").layer_height_m
        zv = vented.state("room").layer_height_m
        assert zv >= zc - 1e-9
        higher_somewhere |= zv > zc + 0.1
    assert higher_somewhere
    # after the fire stops growing the vent can hold the layer near the door soffit
    assert vented.state("room").layer_height_m > 1.0
    assert closed.state("room").layer_height_m < 0.5


def test_untenable_rules_and_stickiness() -> None:
    model = SmokeModel([ROOM], [SmokeLink("room", OUTSIDE, 3.0)], FireSpec("room", 0.0469, 3000.0))
    since = None
    for t in range(1, 1200):
        model.advance(float(t))
        st = model.state("room")
        vis = fp.visibility_m(st.extinction_per_m)
        if since is None and model.untenable("room"):
            since = st.untenable_since_s
            assert since == float(t)
            assert (st.layer_height_m < 2.0 and (st.temperature_c > 60 or vis < 10)) or (
                st.temperature_c > 200
            )
        if since is not None:
            assert model.untenable("room")
            assert st.untenable_since_s == since
        else:
            assert not (st.layer_height_m < 2.0 and vis < 10.0)
    assert since is not None
    assert since < 252.9  # became untenable while growing (peak 3000 kW at 252.9 s)


def test_sprinkler_activation_caps_fire() -> None:
    fire = FireSpec("room", 0.0469, 5000.0, sprinklered=True)
    model = SmokeModel([ROOM], [], fire, sprinkler_activation_temp_c=68.0, rti=50.0)
    model.advance(600.0)
    t_act = model.sprinkler_activated_s
    assert t_act is not None
    assert 100.0 < t_act < 250.0
    assert model.hrr_kw() == pytest.approx(0.0469 * t_act**2)
    slower = SmokeModel([ROOM], [], fire, sprinkler_activation_temp_c=68.0, rti=150.0)
    slower.advance(600.0)
    assert slower.sprinkler_activated_s is not None
    assert slower.sprinkler_activated_s > t_act


def test_fixed_sprinkler_time_and_later_untenability() -> None:
    base = FireSpec("room", 0.0469, 5000.0)
    spr = FireSpec("room", 0.0469, 5000.0, sprinklered=True, sprinkler_activation_s=100.0)
    m1 = SmokeModel([ROOM], [], base)
    m2 = SmokeModel([ROOM], [], spr)
    m1.advance(50.0)
    m2.advance(50.0)
    assert m2.sprinkler_activated_s is None  # not yet
    m1.advance(900.0)
    m2.advance(900.0)
    assert m2.sprinkler_activated_s == 100.0
    assert m2.hrr_kw() == pytest.approx(0.0469 * 100.0**2)
    u1 = m1.state("room").untenable_since_s
    u2 = m2.state("room").untenable_since_s
    assert u1 is not None and u2 is not None
    assert u2 > u1


def test_radiative_fraction_above_loss_fraction_cools_layer() -> None:
    hot = SmokeModel([ROOM], [], FireSpec("room", 0.0469, 5000.0, radiative_fraction=0.35))
    cool = SmokeModel([ROOM], [], FireSpec("room", 0.0469, 5000.0, radiative_fraction=0.85))
    hot.advance(200.0)
    cool.advance(200.0)
    assert cool.state("room").temperature_c < hot.state("room").temperature_c


def test_advance_rejects_backwards_and_is_idempotent() -> None:
    model = SmokeModel([ROOM], [], FireSpec("room", 0.0469, 5000.0))
    model.advance(100.0)
    before = model.state("room")
    model.advance(100.0)
    assert model.state("room") == before
    with pytest.raises(ValueError):
        model.advance(99.0)
    with pytest.raises(ValueError):
        model.advance(math.nan)
    assert model.time_s == 100.0


def test_substep_independence_of_call_pattern() -> None:
    a = SmokeModel([ROOM], [SmokeLink("room", OUTSIDE, 2.0)], FireSpec("room", 0.0469, 5000.0))
    b = SmokeModel([ROOM], [SmokeLink("room", OUTSIDE, 2.0)], FireSpec("room", 0.0469, 5000.0))
    a.advance(300.0)
    for t in range(5, 301, 5):
        b.advance(float(t))
    assert a.state("room").layer_height_m == pytest.approx(b.state("room").layer_height_m, rel=1e-9)


def test_state_is_a_copy() -> None:
    model = SmokeModel([ROOM], [], FireSpec("room", 0.0469, 5000.0))
    model.advance(120.0)
    st = model.state("room")
    st.extinction_per_m = 0.0
    assert model.state("room").extinction_per_m > 0.0


@pytest.mark.parametrize(
    ("spaces", "links", "fire"),
    [
        ([ROOM], [SmokeLink("room", "nowhere", 1.0)], FireSpec("room", 0.1, 100.0)),
        ([ROOM], [], FireSpec("elsewhere", 0.1, 100.0)),
        ([ROOM, ROOM], [], FireSpec("room", 0.1, 100.0)),
        ([ROOM], [SmokeLink("room", OUTSIDE, 0.0)], FireSpec("room", 0.1, 100.0)),
        ([ROOM], [], FireSpec("room", 0.1, 100.0, sprinkler_activation_s=50.0)),
        ([SmokeSpace(OUTSIDE, 1.0, 1.0)], [], FireSpec(OUTSIDE, 0.1, 100.0)),
    ],
)
def test_validation(spaces: list[SmokeSpace], links: list[SmokeLink], fire: FireSpec) -> None:
    with pytest.raises(ValueError):
        SmokeModel(spaces, links, fire)


def test_unknown_space_raises_key_error() -> None:
    model = SmokeModel([ROOM], [], FireSpec("room", 0.1, 100.0))
    with pytest.raises(KeyError):
        model.state("nope")


def test_sticky_rule_white_box() -> None:
    """Clearing the smoke by hand: sticky while growing, recoverable after growth stopped."""
    fire = FireSpec("room", 0.0469, 5000.0)  # grows until 326.5 s
    model = SmokeModel([ROOM], [], fire)
    model.advance(250.0)
    since = model.state("room").untenable_since_s
    assert since is not None and since < 250.0
    model._soot[0] = 0.0  # white-box: pretend the smoke cleared
    model._h[0] = 0.0
    model.advance(260.0)
    assert model.untenable("room")
    assert model.state("room").untenable_since_s == since

    late = SmokeModel([ROOM], [], FireSpec("room", 0.0469, 300.0))  # peak at 80 s
    for t in range(5, 3000, 5):
        late.advance(float(t))
        if late.untenable("room"):
            break
    late_since = late.state("room").untenable_since_s
    assert late_since is not None and late_since > 80.0
    late._soot[0] = 0.0
    late._h[0] = 0.0
    late.advance(late.time_s + 1.0)
    assert not late.untenable("room")
    assert late.state("room").untenable_since_s is None


def test_constants_values() -> None:
    assert SOOT_MASS_EXTINCTION_M2_KG == 8700.0
