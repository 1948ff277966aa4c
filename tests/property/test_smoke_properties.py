"""Hypothesis property tests for the smoke model and the FED rate."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.hazards import fire_physics as fp
from sim.hazards.smoke import OUTSIDE, FireSpec, SmokeLink, SmokeModel, SmokeSpace

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def networks(draw: st.DrawFn) -> tuple[list[SmokeSpace], list[SmokeLink], FireSpec, str]:
    """A random connected chain/tree of spaces plus one isolated space, with a random fire."""
    n = draw(st.integers(min_value=1, max_value=6))
    spaces = [
        SmokeSpace(
            f"s{i}",
            draw(st.floats(min_value=20.0, max_value=3000.0)),
            draw(st.floats(min_value=2.5, max_value=12.0)),
        )
        for i in range(n)
    ]
    links: list[SmokeLink] = []
    for i in range(1, n):
        parent = draw(st.integers(min_value=0, max_value=i - 1))
        links.append(
            SmokeLink(f"s{parent}", f"s{i}", draw(st.floats(min_value=0.8, max_value=12.0)))
        )
    for i in range(n):
        if draw(st.booleans()) and draw(st.booleans()):
            links.append(SmokeLink(f"s{i}", OUTSIDE, draw(st.floats(min_value=0.8, max_value=6.0))))
    spaces.append(SmokeSpace("island", 100.0, 3.0))
    fire = FireSpec(
        origin=f"s{draw(st.integers(min_value=0, max_value=n - 1))}",
        alpha_kw_s2=draw(st.sampled_from(sorted(fp.T2_ALPHA_KW_S2.values()))),
        peak_kw=draw(st.floats(min_value=200.0, max_value=20000.0)),
        ignition_s=draw(st.floats(min_value=0.0, max_value=60.0)),
        soot_yield=draw(st.floats(min_value=0.005, max_value=0.2)),
    )
    return spaces, links, fire, "island"


def _growth_end_s(fire: FireSpec) -> float:
    return fire.ignition_s + math.sqrt(fire.peak_kw / fire.alpha_kw_s2)


@SETTINGS
@given(networks(), st.floats(min_value=1.0, max_value=20.0))
def test_origin_layer_never_rises_while_growing(
    net: tuple[list[SmokeSpace], list[SmokeLink], FireSpec, str], step_s: float
) -> None:
    spaces, links, fire, _ = net
    model = SmokeModel(spaces, links, fire)
    t_end = min(_growth_end_s(fire), 900.0)
    prev = math.inf
    t = 0.0
    while t + step_s < t_end:
        t += step_s
        model.advance(t)
        z = model.state(fire.origin).layer_height_m
        assert z <= prev + 1e-9
        prev = z


@SETTINGS
@given(networks())
def test_untenable_is_sticky_while_growing_and_island_stays_clean(
    net: tuple[list[SmokeSpace], list[SmokeLink], FireSpec, str],
) -> None:
    spaces, links, fire, island = net
    model = SmokeModel(spaces, links, fire)
    growth_end = _growth_end_s(fire)
    first: dict[str, float] = {}
    for t in range(5, 1201, 5):
        model.advance(float(t))
        for s in spaces:
            st_ = model.state(s.id)
            assert st_.extinction_per_m >= 0.0
            assert 0.0 <= st_.layer_height_m <= s.height_m
            assert st_.temperature_c >= 20.0 - 1e-9
            if s.id in first and first[s.id] <= growth_end:
                assert model.untenable(s.id)
                assert st_.untenable_since_s == first[s.id]
            if st_.untenable_since_s is not None and s.id not in first:
                first[s.id] = st_.untenable_since_s
    clean = model.state(island)
    assert (clean.layer_height_m, clean.temperature_c, clean.extinction_per_m, clean.co_ppm) == (
        3.0,
        20.0,
        0.0,
        0.0,
    )
    assert not model.untenable(island)


@SETTINGS
@given(networks(), st.floats(min_value=30.0, max_value=400.0))
def test_sprinklers_never_bring_origin_untenability_earlier(
    net: tuple[list[SmokeSpace], list[SmokeLink], FireSpec, str], t_act: float
) -> None:
    spaces, links, fire, _ = net
    spr = FireSpec(
        origin=fire.origin,
        alpha_kw_s2=fire.alpha_kw_s2,
        peak_kw=fire.peak_kw,
        ignition_s=fire.ignition_s,
        soot_yield=fire.soot_yield,
        sprinklered=True,
        sprinkler_activation_s=fire.ignition_s + t_act,
    )
    plain = SmokeModel(spaces, links, fire)
    sprinklered = SmokeModel(spaces, links, spr)
    plain.advance(1200.0)
    sprinklered.advance(1200.0)
    u_plain = plain.state(fire.origin).untenable_since_s
    u_spr = sprinklered.state(fire.origin).untenable_since_s
    if u_spr is not None:
        assert u_plain is not None
        assert u_spr >= u_plain
    assert sprinklered.hrr_kw() <= plain.hrr_kw() + 1e-9


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
