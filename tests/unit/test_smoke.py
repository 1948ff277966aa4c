"""Unit tests of the mall zone model sim.hazards.smoke (expected values from the sources)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.hazards.smoke import (
    OUTSIDE,
    SOOT_MASS_EXTINCTION_M2_KG,
    ExhaustSystem,
    FireSpec,
    NaturalVent,
    SmokeLink,
    SmokeModel,
    SmokeZone,
)

ROOM = SmokeZone("room", 250.0, 0.0, 4.5)


def _steady(q_kw: float, origin: str = "room", **kw: object) -> FireSpec:
    """A fire at its steady HRR within a fraction of a second."""
    return FireSpec(origin, 1e6, q_kw, **kw)  # type: ignore[arg-type]


def _shop_street_void() -> tuple[list[SmokeZone], list[SmokeLink]]:
    zones = [SmokeZone("shop", 200.0, 0.0, 4.0), SmokeZone("street", 800.0, 0.0, 4.0),
             SmokeZone("void", 500.0, 0.0, 16.0), SmokeZone("gallery2", 800.0, 5.5, 9.5),
             SmokeZone("closed", 80.0, 0.0, 4.0)]
    links = [SmokeLink("shop", "street", 6.0, 0.0, 3.0, id="front"),
             SmokeLink("street", "void", 14.0, 0.0, 4.0, id="edge"),
             SmokeLink("gallery2", "void", 14.0, 5.5, 9.5, id="edge2")]
    return zones, links


def test_closed_room_heats_and_conserves_soot_and_co() -> None:
    fire = FireSpec("room", 0.0469, 5000.0, soot_yield=0.05, co_yield=0.04,
                    heat_of_combustion_kj_kg=20000.0)
    m = SmokeModel([ROOM], [], fire, wall_heat_transfer_kw_m2k=0.0)
    m.advance(150.0)
    # fuel burnt: ∫ α t² dt / ΔH_c = 0.0469 · 150³/3 / 20000 kg
    fuel = 0.0469 * 150.0**3 / 3.0 / 20000.0
    st = m.state("room")
    vol = 250.0 * (4.5 - st.interface_m)
    assert st.extinction_per_m * vol / SOOT_MASS_EXTINCTION_M2_KG == pytest.approx(
        0.05 * fuel, rel=0.01)
    assert m.co[0] == pytest.approx(0.04 * fuel, rel=0.01)
    # adiabatic: all the convective heat 0.7 ∫Q dt is in the layer (c_p = 1 kJ/kg/K)
    assert m.e[0] == pytest.approx(0.7 * 0.0469 * 150.0**3 / 3.0, rel=0.01)


def test_wall_losses_cool_a_small_room_more_than_an_atrium() -> None:
    small = SmokeModel([ROOM], [], _steady(1000.0))
    big = SmokeModel([SmokeZone("room", 2000.0, 0.0, 20.0)], [], _steady(1000.0))
    small.advance(120.0)
    big.advance(120.0)
    lost_small = 1 - small.e[0] / (0.7 * 1000.0 * 120.0)
    lost_big = 1 - big.e[0] / (0.7 * 1000.0 * 120.0)
    assert 0.3 < lost_small < 0.9  # Karlsson & Quintiere λ_c 0.6–0.9 of Q (0.7 Q convective)
    assert lost_big < lost_small


def test_origin_layer_bounded_by_the_air_the_fire_needs() -> None:
    # a 10 MW fire in a 50 m² shop with one 1 m × 2 m door: at most 1500 A √h = 4243 kW
    # burns inside (PD 7974-1 eq 33), and the air drawn in is at least Q/3000 kg/s (Huggett),
    # so ΔT ≤ 0.7 · 3000 / c_p = 2100 K even adiabatic; with wall losses the layer stays in
    # the range of post-flashover rooms, far from the 1,550 °C of a model without the limit
    zones = [SmokeZone("r", 50.0, 0.0, 3.0), SmokeZone("mall", 3000.0, 0.0, 6.0)]
    links = [SmokeLink("r", "mall", 1.0, 0.0, 2.0, id="door")]
    fire = FireSpec("r", 1e6, 10000.0, vent_limit_kw=1500.0 * 2.0 * math.sqrt(2.0))
    adiabatic = SmokeModel(zones, links, fire, wall_heat_transfer_kw_m2k=0.0)
    real = SmokeModel(zones, links, fire)
    adiabatic.advance(600.0)
    real.advance(600.0)
    assert adiabatic.layer_max_c[0] < 20.0 + 2100.0 + 1.0
    assert 400.0 < real.layer_max_c[0] < 1100.0


def test_ventilation_limit_burns_the_rest_outside() -> None:
    zones = [SmokeZone("shop", 100.0, 0.0, 3.0), SmokeZone("mall", 2000.0, 0.0, 6.0)]
    links = [SmokeLink("shop", "mall", 1.0, 0.0, 2.0, id="door")]
    limit = 1500.0 * 1.0 * 2.0 * math.sqrt(2.0)  # PD 7974-1 eq 33: 1500 A √h = 4243 kW
    fire = FireSpec("shop", 1e6, 8000.0, vent_limit_kw=limit)
    m = SmokeModel(zones, links, fire)
    m.advance(300.0)
    assert m.hrr_kw() == 8000.0
    assert m.hrr_inside_kw == pytest.approx(limit)
    # the heat of the fuel burning in the doorway went into the mall's layer
    assert m.state("mall").temperature_c > 40.0


def test_spill_goes_up_the_void_to_the_upper_gallery() -> None:
    zones, links = _shop_street_void()
    m = SmokeModel(zones, links, _steady(3000.0, "shop"))
    m.advance(40.0)
    assert m.state("gallery2").reached_s is None
    # the spill at the edge entrains while it rises to the void's layer far above it
    k = m.link_ids.index("edge")
    assert m.state("void").interface_m > 4.0
    assert m.spill_total_kg_s[k] > 2.0 * m.spill_in_kg_s[k] > 0.0
    m.advance(900.0)
    # the void's layer fell below the level-2 opening's head (9.5 m): the gallery has smoke
    assert m.state("void").interface_m < 9.5
    assert m.state("gallery2").reached_s is not None
    assert m.state("closed").reached_s is None


def test_shutter_at_1_8_m_holds_back_a_layer_above_it_and_closing_stops_it() -> None:
    zones, links = _shop_street_void()
    a = SmokeModel(zones, links, _steady(3000.0, "shop"))
    b = SmokeModel(zones, links, _steady(3000.0, "shop"))
    b.set_link_top("edge", 1.8)
    c = SmokeModel(zones, links, _steady(3000.0, "shop"))
    c.close_link("edge")
    for m in (a, b, c):
        m.advance(300.0)
    assert a.state("void").reached_s is not None
    assert c.state("void").reached_s is None
    # the street layer is deeper behind a held-back edge
    assert b.state("street").interface_m < a.state("street").interface_m


def test_exhaust_and_vent_raise_the_layer() -> None:
    zones, links = _shop_street_void()
    plain = SmokeModel(zones, links, _steady(3000.0, "shop"))
    ex = SmokeModel(zones, links, _steady(3000.0, "shop"),
                    exhaust=[ExhaustSystem("x", ("void",), 40.0, inlets_per_zone=4)])
    ex.start_exhaust("x")
    vent = SmokeModel(zones, links, _steady(3000.0, "shop"),
                      vents=[NaturalVent("v", "void", 20.0)])
    vent.open_vent("v")
    for m in (plain, ex, vent):
        m.advance(900.0)
    z = [m.state("void").interface_m for m in (plain, ex, vent)]
    assert z[1] > z[0] and z[2] > z[0]
    assert ex.exhaust_started_s == {"x": 0.0}
    assert ex.exhaust_kg_s[0] > 0.0 and vent.vent_kg_s[0] > 0.0


def test_plugholing_limits_a_thin_layer() -> None:
    # V_max = 4.16 γ d^(5/2) (ΔT/T0)^(1/2) per inlet (GB 51251 §4.6.14): a 100 m³/s fan on
    # one inlet above a thin warm layer draws far less than its rating
    m = SmokeModel([SmokeZone("r", 1000.0, 0.0, 10.0)], [], _steady(500.0, "r"),
                   exhaust=[ExhaustSystem("x", ("r",), 100.0, inlets_per_zone=1)],
                   wall_heat_transfer_kw_m2k=0.0)
    m.start_exhaust("x")
    m.advance(60.0)
    st = m.state("r")
    t_k = st.temperature_c + 273.15
    vmax = 4.16 * st.depth_m**2.5 * math.sqrt((t_k - 293.15) / 293.15)
    assert m.exhaust_kg_s[0] * t_k / 353.0 == pytest.approx(vmax, rel=0.1)
    assert vmax < 100.0


def test_front_delay_holds_smoke_in_the_source_zone() -> None:
    zones = [SmokeZone("a", 100.0, 0.0, 3.0), SmokeZone("b", 100.0, 0.0, 3.0)]
    fast = SmokeModel(zones, [SmokeLink("a", "b", 2.0, 0.0, 2.1)], _steady(1000.0, "a"))
    slow = SmokeModel(zones, [SmokeLink("a", "b", 2.0, 0.0, 2.1, delay_s=(100.0, 0.0))],
                      _steady(1000.0, "a"))
    fast.advance(90.0)
    slow.advance(90.0)
    assert fast.state("b").reached_s is not None
    assert slow.state("b").reached_s is None
    slow.advance(130.0)
    assert slow.state("b").reached_s is not None and slow.state("b").reached_s >= 100.0


def test_sprinklers_hold_at_the_larger_of_activation_and_code_value() -> None:
    fire = FireSpec("room", 0.0469, 10000.0, sprinklered=True, sprinklered_kw=3000.0,
                    sprinkler_activation_s=100.0)
    m = SmokeModel([ROOM], [], fire)
    # at 100 s the fire is 469 kW; GB 51251 §4.6.7: it holds at max(469, 3000) = 3000 kW
    assert m.hrr_kw(200.0) == pytest.approx(0.0469 * 200.0**2)
    assert m.hrr_kw(400.0) == 3000.0
    late = FireSpec("room", 0.0469, 10000.0, sprinklered=True, sprinklered_kw=3000.0,
                    sprinkler_activation_s=300.0)
    assert SmokeModel([ROOM], [], late).hrr_kw(600.0) == pytest.approx(0.0469 * 300.0**2)
    bare = FireSpec("room", 0.0469, 10000.0, sprinklered=True, sprinkler_activation_s=100.0)
    assert SmokeModel([ROOM], [], bare).hrr_kw(600.0) == pytest.approx(469.0)


def test_sprinkler_activation_from_the_ceiling_jet() -> None:
    fire = FireSpec("room", 0.0469, 5000.0, sprinklered=True)
    m = SmokeModel([ROOM], [], fire)
    m.advance(400.0)
    t = m.sprinkler_activated_s
    assert t is not None and 60.0 < t < 300.0
    tall = SmokeModel([SmokeZone("room", 1000.0, 0.0, 25.0)], [], fire)
    tall.advance(400.0)
    assert tall.sprinkler_activated_s is None or tall.sprinkler_activated_s > t


def test_outside_link_vents_and_mass_otherwise_conserved() -> None:
    zones = [SmokeZone("a", 200.0, 0.0, 4.0), SmokeZone("b", 300.0, 0.0, 4.0)]
    closed = SmokeModel(zones, [SmokeLink("a", "b", 3.0, 0.0, 2.1)], _steady(2000.0, "a"),
                        wall_heat_transfer_kw_m2k=0.0)
    vented = SmokeModel(zones, [SmokeLink("a", "b", 3.0, 0.0, 2.1),
                                SmokeLink("b", OUTSIDE, 2.0, 0.0, 2.1)], _steady(2000.0, "a"),
                        wall_heat_transfer_kw_m2k=0.0)
    closed.advance(600.0)
    vented.advance(600.0)
    # with no way out every kW of convective heat stays in the layers
    assert closed.e.sum() == pytest.approx(0.7 * 2000.0 * 600.0, rel=0.005)
    assert vented.e.sum() < closed.e.sum()


def test_state_time_and_validation() -> None:
    m = SmokeModel([ROOM], [], _steady(1000.0))
    m.advance(10.0)
    m.advance(10.0)
    with pytest.raises(ValueError):
        m.advance(5.0)
    with pytest.raises(ValueError):
        m.advance(math.inf)
    with pytest.raises(KeyError):
        m.state("nowhere")
    with pytest.raises(ValueError):
        SmokeModel([ROOM], [SmokeLink("room", "x", 1.0, 0.0, 2.0)], _steady(1.0))
    with pytest.raises(ValueError):
        SmokeModel([ROOM], [SmokeLink("room", OUTSIDE, 1.0, 2.0, 2.0)], _steady(1.0))
    with pytest.raises(ValueError):
        SmokeModel([SmokeZone("z", 10.0, 3.0, 3.0)], [], _steady(1.0, "z"))
    with pytest.raises(ValueError):
        SmokeModel([ROOM], [], _steady(1.0), exhaust=[ExhaustSystem("x", ("nowhere",), 1.0)])


def test_substep_pattern_does_not_matter() -> None:
    zones, links = _shop_street_void()
    a = SmokeModel(zones, links, _steady(3000.0, "shop"))
    b = SmokeModel(zones, links, _steady(3000.0, "shop"))
    a.advance(300.0)
    for t in np.arange(5.0, 300.1, 5.0):
        b.advance(float(t))
    assert a.state("void").interface_m == pytest.approx(b.state("void").interface_m, abs=0.05)
