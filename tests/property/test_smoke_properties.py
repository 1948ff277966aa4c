"""Hypothesis property tests for the zone smoke model and the FED rate."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.hazards import fire_physics as fp
from sim.hazards.smoke import OUTSIDE, FireSpec, SmokeLink, SmokeModel, SmokeZone

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def networks(draw: st.DrawFn) -> tuple[list[SmokeZone], list[SmokeLink], FireSpec]:
    """A random tree of zones on up to three levels, some exterior openings, an island
    zone nothing connects to, and a random fire."""
    n = draw(st.integers(min_value=1, max_value=6))
    zones = []
    for i in range(n):
        floor = draw(st.sampled_from([0.0, 0.0, 5.5, 10.5]))
        zones.append(SmokeZone(f"z{i}", draw(st.floats(min_value=20.0, max_value=3000.0)),
                               floor, floor + draw(st.floats(min_value=2.5, max_value=16.0))))
    links: list[SmokeLink] = []
    for i in range(1, n):
        p = draw(st.integers(min_value=0, max_value=i - 1))
        lo = max(zones[p].floor_m, zones[i].floor_m)
        hi = min(zones[p].ceiling_m, zones[i].ceiling_m)
        if hi - lo > 0.5:
            top = lo + draw(st.floats(min_value=0.3, max_value=1.0)) * (hi - lo)
            links.append(SmokeLink(f"z{p}", f"z{i}", draw(st.floats(min_value=0.8,
                                                                     max_value=15.0)),
                                   lo, max(top, lo + 0.3)))
    for i in range(n):
        if draw(st.booleans()) and draw(st.booleans()):
            f = zones[i].floor_m
            links.append(SmokeLink(f"z{i}", OUTSIDE, draw(st.floats(min_value=0.8,
                                                                     max_value=6.0)),
                                   f, f + min(2.1, zones[i].ceiling_m - f)))
    zones.append(SmokeZone("island", 100.0, 0.0, 3.0))
    fire = FireSpec(
        origin=f"z{draw(st.integers(min_value=0, max_value=n - 1))}",
        alpha_kw_s2=draw(st.sampled_from(sorted(fp.T2_ALPHA_KW_S2.values()))),
        peak_kw=draw(st.floats(min_value=200.0, max_value=20000.0)),
        ignition_s=draw(st.floats(min_value=0.0, max_value=60.0)),
        soot_yield=draw(st.floats(min_value=0.005, max_value=0.2)),
    )
    return zones, links, fire


@SETTINGS
@given(networks(), st.floats(min_value=1.0, max_value=30.0))
def test_state_stays_physical_and_the_island_clean(
    net: tuple[list[SmokeZone], list[SmokeLink], FireSpec], step_s: float
) -> None:
    zones, links, fire = net
    m = SmokeModel(zones, links, fire)
    t = 0.0
    while t < 900.0:
        t += step_s
        m.advance(t)
        assert np.all(m.content >= -1e-9) and np.all(np.isfinite(m.content))
        y = m.interfaces()
        assert np.all(y >= m.floor - 1e-9) and np.all(y <= m.ceiling + 1e-9)
    assert m.state("island").reached_s is None
    assert m.state("island").extinction_per_m == 0.0


@SETTINGS
@given(networks())
def test_adiabatic_closed_network_keeps_every_kilojoule(
    net: tuple[list[SmokeZone], list[SmokeLink], FireSpec]
) -> None:
    zones, links, fire = net
    inside = [ln for ln in links if OUTSIDE not in (ln.a, ln.b)]
    m = SmokeModel(zones, inside, fire, wall_heat_transfer_kw_m2k=0.0)
    m.advance(600.0)
    # exact ∫ Q dt of the t² fire capped at its peak, times the convective fraction 0.7
    te = 600.0 - fire.ignition_s
    tp = math.sqrt(fire.peak_kw / fire.alpha_kw_s2)
    heat = fire.alpha_kw_s2 * min(te, tp) ** 3 / 3.0 + fire.peak_kw * max(te - tp, 0.0)
    assert math.isclose(float(m.e.sum()), 0.7 * heat, rel_tol=0.02)


@SETTINGS
@given(networks(), st.floats(min_value=30.0, max_value=600.0))
def test_sprinklers_never_make_the_fire_bigger(
    net: tuple[list[SmokeZone], list[SmokeLink], FireSpec], t_act: float
) -> None:
    zones, links, fire = net
    spr = FireSpec(fire.origin, fire.alpha_kw_s2, fire.peak_kw, fire.ignition_s,
                   sprinklered=True, sprinklered_kw=min(3000.0, fire.peak_kw),
                   sprinkler_activation_s=t_act)
    a = SmokeModel(zones, links, fire)
    b = SmokeModel(zones, links, spr)
    for t in np.linspace(0.0, 1800.0, 60):
        assert b.hrr_kw(float(t)) <= a.hrr_kw(float(t)) + 1e-9


@settings(max_examples=200, deadline=None)
@given(
    co=st.floats(min_value=0.0, max_value=1e5),
    hcn=st.floats(min_value=0.0, max_value=2000.0),
    co2=st.floats(min_value=0.0, max_value=20.0),
    o2=st.floats(min_value=0.0, max_value=25.0),
    temp=st.floats(min_value=-20.0, max_value=1200.0),
    below=st.booleans(),
)
def test_fed_rate_non_negative(
    co: float, hcn: float, co2: float, o2: float, temp: float, below: bool
) -> None:
    rate = fp.fed_rate_per_s(
        co_ppm=co, hcn_ppm=hcn, co2_pct=co2, o2_pct=o2, temp_c=temp, smoke_below_head=below
    )
    assert rate >= 0.0
    assert math.isfinite(rate)
    # integrated FED over any sequence of exposures therefore never decreases
    assert fp.fed_rate_per_s(co_ppm=0.0, hcn_ppm=0.0, co2_pct=0.04, o2_pct=20.9) == 0.0


@settings(max_examples=200, deadline=None)
@given(
    q=st.floats(min_value=1.0, max_value=1e5),
    t=st.floats(min_value=0.0, max_value=3600.0),
    area=st.floats(min_value=1.0, max_value=1e4),
    height=st.floats(min_value=1.0, max_value=30.0),
    k=st.floats(min_value=0.01, max_value=0.5),
)
def test_yamana_tanaka_integral_equals_closed_form(
    q: float, t: float, area: float, height: float, k: float
) -> None:
    closed = fp.yamana_tanaka_height_m(t, q, area, height, k=k)
    integral = fp.yamana_tanaka_height_from_integral_m(q ** (1 / 3) * t, area, height, k=k)
    assert math.isclose(closed, integral, rel_tol=1e-12)
    assert 0.0 < closed <= height * (1 + 1e-12)


@settings(max_examples=200, deadline=None)
@given(
    alpha=st.floats(min_value=1e-4, max_value=1.0),
    peak=st.floats(min_value=1.0, max_value=1e5),
    t1=st.floats(min_value=0.0, max_value=3000.0),
    dt=st.floats(min_value=0.0, max_value=3000.0),
)
def test_hrr_monotone_and_capped(alpha: float, peak: float, t1: float, dt: float) -> None:
    q1 = fp.hrr_kw(t1, alpha_kw_s2=alpha, peak_kw=peak)
    q2 = fp.hrr_kw(t1 + dt, alpha_kw_s2=alpha, peak_kw=peak)
    assert q1 <= q2 <= peak
    capped = fp.hrr_kw(t1 + dt, alpha_kw_s2=alpha, peak_kw=peak, sprinkler_activation_s=t1)
    assert capped <= q2
