"""Verification cases of mall smoke (NFPA 92, GB 51251, BRE 368 / Law).

``engine`` cases run the zone model the fire hazard uses
(:class:`sim.hazards.smoke.SmokeModel`, built from a layout by
:func:`sim.hazards.smoke_geometry.build_geometry`); the ``formula`` case checks the
correlations and code rules (:mod:`sim.hazards.plumes`, :mod:`sim.hazards.design_fires`).
Yamana–Tanaka filling through the whole engine is AT-14 (:mod:`.cases_fire`). Expected
values are written here from the sources (the worked numbers of ``docs/fire-and-smoke.md``),
never taken from the code under test; hand calculations are written out in the case.

NFPA 92's filling correlations give the height of the *first indication* of smoke (NFPA 92B
§4.4, recalled), which lies below a zone model's interface: the engine must not be lower
than the correlation and, as zone models of atria usually are, not more than 50 % higher;
its own numerics are checked exactly against an independent integration of the same
equations.
"""

from __future__ import annotations

from typing import Any

from sim.analysis.verification.registry import Check, case
from sim.hazards import design_fires as dfs
from sim.hazards import plumes as pl
from sim.hazards.smoke import ExhaustSystem, FireSpec, SmokeModel
from sim.hazards.smoke_geometry import build_geometry
from sim.model.layout_schema import layout_from_dict

_TA = 293.15


def _layout(spaces: list[dict[str, Any]], openings: list[dict[str, Any]],
            levels: tuple[tuple[str, float], ...] = (("L1", 0.0),)) -> Any:
    return layout_from_dict({"schema": "safemall/layout/1", "mall": {"name": "smoke cases"},
                             "levels": [{"id": i, "elevation_m": e} for i, e in levels],
                             "spaces": spaces, "openings": openings}, source="<verification>")


def _single(height: float, side_x: float, side_y: float) -> Any:
    """One room (kind atrium) with an exit behind a fire door (no smoke path)."""
    return _layout([{"id": "room", "kind": "atrium", "level": "L1",
                     "rect": [0, 0, side_x, side_y], "height_m": height},
                    {"id": "out", "kind": "exit", "level": "L1"}],
                   [{"id": "fd", "between": ["room", "out"], "width_m": 1.0,
                     "at": [side_x, 1.0], "kind": "fire_door"}])


def _model(layout: Any, fire: FireSpec, exhaust: tuple[ExhaustSystem, ...] = ()) -> SmokeModel:
    g = build_geometry(layout)
    return SmokeModel(g.zones, g.links, fire, exhaust=exhaust, wall_heat_transfer_kw_m2k=0.0)


def _under_exhaust(layout: Any, fire: FireSpec, zone: str, rate_m3_s: float, t_s: float,
                   ) -> tuple[SmokeModel, Any]:
    """The engine's smoke model with a running exhaust of ``rate_m3_s`` (ample inlets) in
    ``zone``, advanced to ``t_s``; returns the model and the zone's state."""
    mdl = _model(layout, fire, (ExhaustSystem("ex", (zone,), rate_m3_s, inlets_per_zone=20),))
    mdl.start_exhaust("ex")
    mdl.advance(t_s)
    return mdl, mdl.state(zone)


def _nfpa_plume(qc: float, z: float) -> float:
    """NFPA 92 axisymmetric plume, written again here (independent of the code)."""
    if z > 0.166 * qc**0.4:
        return 0.071 * qc ** (1 / 3) * z ** (5 / 3) + 0.0018 * qc
    return 0.032 * qc**0.6 * z


def _filling_reference(q_of_t: Any, height: float, area: float, times: list[float]
                       ) -> list[float]:
    """Interface height of an adiabatic layer filled by the NFPA 92 plume (RK4, 0.02 s).

    dm/dt = m_p(Q_c, z) + Q/20 000, de/dt = 0.7 Q (kJ, c_p = 1), z = H − (m T_a + e)/(353 A).
    """
    def rhs(t: float, m: float, e: float) -> tuple[float, float]:
        q = q_of_t(t)
        z = max(height - (m * _TA + e) / (353.0 * area), 0.0)
        return _nfpa_plume(0.7 * q, z) + q / 20000.0, 0.7 * q

    out, t, m, e, h = [], 0.0, 0.0, 0.0, 0.02
    for target in times:
        while t < target - 1e-9:
            k1 = rhs(t, m, e)
            k2 = rhs(t + h / 2, m + h / 2 * k1[0], e + h / 2 * k1[1])
            k3 = rhs(t + h / 2, m + h / 2 * k2[0], e + h / 2 * k2[1])
            k4 = rhs(t + h, m + h * k3[0], e + h * k3[1])
            m += h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
            e += h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
            t += h
        out.append(height - (m * _TA + e) / (353.0 * area))
    return out


def _filling(fire: FireSpec, expected: list[float], times: list[float],
             q_of_t: Any) -> Check:
    """Run the engine's smoke model in a 20 m high, 1000 m² atrium; compare both ways."""
    mdl = _model(_single(20.0, 40.0, 25.0), fire)
    got = []
    for t in times:
        mdl.advance(t)
        got.append(mdl.state("room").interface_m)
    ref = _filling_reference(q_of_t, 20.0, 1000.0, times)
    ratio = [g / e for g, e in zip(got, expected, strict=True)]
    num_ok = all(abs(g - r) <= 0.02 * r for g, r in zip(got, ref, strict=True))
    band_ok = all(1.0 <= r <= 1.5 for r in ratio)
    return Check(
        "NFPA 92 first indication " + ", ".join(f"{t:.0f} s {e:.2f} m" for t, e in
                                                zip(times, expected, strict=True))
        + "; same-equation integration " + ", ".join(f"{r:.2f}" for r in ref) + " m",
        ", ".join(f"{g:.2f} m (×{r:.2f})" for g, r in zip(got, ratio, strict=True)),
        "engine/NFPA in [1.0, 1.5]; ±2 % of the integration", num_ok and band_ok)


@case("MS-01", "NFPA 92 atrium filling, steady 5 MW (H 20 m, A 1000 m²)", kind="engine",
      source="NFPA 92 filling [E1][E2]; docs/fire-and-smoke.md §7")
def ms01_filling_steady() -> Check:
    """NFPA 92 steady filling: H = 20 m, A = 1000 m², Q = 5 MW, no exhaust.

    Worked (docs/fire-and-smoke.md §7): z = 10.87 m at 60 s, 6.99 m at 120 s, 4.72 m at 180 s.
    """
    fire = FireSpec("room", alpha_kw_s2=1e6, peak_kw=5000.0)
    return _filling(fire, [10.87, 6.99, 4.72], [60.0, 120.0, 180.0],
                    lambda t: min(1e6 * t * t, 5000.0))


@case("MS-02", "NFPA 92 atrium filling, t² fire t_g = 150 s (H 20 m, A 1000 m²)",
      kind="engine", source="NFPA 92 filling [E1][E2]; docs/fire-and-smoke.md §7")
def ms02_filling_t2() -> Check:
    """NFPA 92 t² filling, Q = 1000 (t/150)² kW: 12.81 m at 180 s, 8.44 m at 240 s, 6.11 m
    at 300 s (docs/fire-and-smoke.md §7)."""
    alpha = 1000.0 / 150.0**2
    fire = FireSpec("room", alpha_kw_s2=alpha, peak_kw=1e9)
    return _filling(fire, [12.81, 8.44, 6.11], [180.0, 240.0, 300.0], lambda t: alpha * t * t)


@case("MS-03", "Axisymmetric plume (NFPA 92): steady layer under exhaust", kind="engine",
      source="NFPA 92 / GB 51251 eq 4.6.11 [E4][E5]")
def ms03_plume_exhaust() -> Check:
    """Axisymmetric plume mass flow through the engine: a steady 5 MW fire in a 20 m high,
    1000 m² atrium whose exhaust draws V = 56.7 m³/s.

    Hand calculation (docs/fire-and-smoke.md §4): Q_c = 0.7 × 5000 = 3500 kW; at z = 10 m,
    m = 0.071 · 3500^(1/3) · 10^(5/3) + 0.0018 · 3500 = 56.3 kg/s, ΔT = 3500/56.3 = 62.1 K
    (c_p 1.0), V = m T/353 = 56.3 · 355.3/353 = 56.7 m³/s. An exhaust of exactly that volume
    holds the layer where the plume carries what it removes: z = 10 m, ΔT = 62 K.
    """
    mdl, st = _under_exhaust(_single(20.0, 40.0, 25.0),
                             FireSpec("room", alpha_kw_s2=1e6, peak_kw=5000.0), "room", 56.7,
                             1800.0)
    ok = abs(st.interface_m - 10.0) <= 0.15 and abs(st.temperature_c - 20.0 - 62.1) <= 2.0 \
        and abs(mdl.plume_kg_s - 56.3) <= 0.02 * 56.3
    return Check("z 10.0 m, ΔT 62 K, plume 56.3 kg/s",
                 f"z {st.interface_m:.2f} m, ΔT {st.temperature_c - 20.0:.1f} K, plume "
                 f"{mdl.plume_kg_s:.1f} kg/s", "±0.15 m, ±2 K, ±2 %", ok)


@case("MS-04", "GB 51251 sheet: 3 m room, 1.5 MW, 7.29 m³/s", kind="engine",
      source="GB 51251-2017 §4.6.11–4.6.13 sheet [E5]")
def ms04_gb51251_sheet() -> Check:
    """GB 51251 calculation sheet through the engine: a 3 m high room, Q = 1.5 MW.

    Sheet [E5]: H′ = 3.0 m, reservoir 0.5 m → Z = 2.5 m ≤ Z_1 = 0.166 · 1050^0.4 = 2.68 m
    → M = 0.032 · 1050^0.6 · 2.5 = 5.20 kg/s, ΔT = 1050/(5.20 · 1.01) = 200.0 K,
    V = M T/(ρ0 T0) = 7.29 m³/s. With that exhaust the engine's layer must settle at
    Z = 2.5 m (the flame-zone branch of the plume), ΔT ≈ 200 K (the engine's c_p is 1.0,
    so 202 K).
    """
    _, st = _under_exhaust(_single(3.0, 20.0, 10.0),
                           FireSpec("room", alpha_kw_s2=1e6, peak_kw=1500.0), "room", 7.29,
                           1200.0)
    dtk = st.temperature_c - 20.0
    ok = abs(st.interface_m - 2.5) <= 0.05 and abs(dtk - 200.0) <= 4.0
    return Check("Z 2.50 m, ΔT 200 K", f"Z {st.interface_m:.3f} m, ΔT {dtk:.1f} K",
                 "±0.05 m, ±4 K (c_p 1.0 vs 1.01)", ok)


@case("MS-05", "Balcony spill plume (0.36 (Q W²)^⅓ (z_b + H/4))", kind="engine",
      source="NFPA 92B / GB 51251 eq 4.6.11-3 [E5][E6]")
def ms05_balcony_spill() -> Check:
    """Balcony spill plume through the engine: a steady 1 MW fire in a 10 × 10 m shop,
    4 m high, open over its whole 10 m front (the balcony edge, H = 4 m) to a 24 m high,
    1000 m² void with exhaust.

    Hand calculation (docs/fire-and-smoke.md §4): the shop's layer is adiabatic and steady, so the
    convective flux over the edge is Q_c = 0.7 · 1000 = 700 kW; at z_b = 10 m,
    m = 0.36 (700 · 10²)^(1/3) (10 + 0.25 · 4) = 163.2 kg/s; ΔT = 700/163.2 = 4.29 K,
    V = 163.2 · 297.44/353 = 137.5 m³/s. With that exhaust the void's interface settles
    at 4 + 10 = 14 m, and the engine's spill plume there carries 163.2 kg/s.
    """
    lay = _layout([{"id": "shop", "kind": "shop", "level": "L1", "rect": [0, 0, 10, 10],
                    "height_m": 4.0},
                   {"id": "void", "kind": "atrium", "level": "L1", "rect": [10, -10, 40, 25],
                    "height_m": 24.0},
                   {"id": "out", "kind": "exit", "level": "L1"}],
                  [{"id": "edge", "between": ["shop", "void"], "width_m": 10.0, "at": [10, 5],
                    "kind": "opening"},
                   {"id": "fd", "between": ["void", "out"], "width_m": 1.0, "at": [50, 0],
                    "kind": "fire_door"}])
    mdl, st = _under_exhaust(lay, FireSpec("shop", alpha_kw_s2=1e6, peak_kw=1000.0), "void",
                             137.5, 2400.0)
    k = mdl.link_ids.index("edge")
    spill = float(mdl.spill_total_kg_s[k])
    ok = abs(st.interface_m - 14.0) <= 0.2 and abs(spill - 163.2) <= 0.03 * 163.2
    return Check("void interface 14.0 m (z_b 10 m), spill 163.2 kg/s",
                 f"{st.interface_m:.2f} m, spill {spill:.1f} kg/s "
                 f"(Q_c over the edge {mdl.spill_qc_kw[k]:.0f} kW)", "±0.2 m, ±3 %", ok)


@case("MS-06", "Shop → mall street → atrium, 3 MW, GB minimum atrium exhaust", kind="engine",
      source="hand calculation in the case (NFPA 92 / GB 51251 §4.6.5, §4.6.11)")
def ms06_shop_street_atrium() -> Check:
    """Worked case: a 3 MW shop fire spilling into the mall street and the atrium.

    Geometry: shop 10 × 20 m, 4 m high, 6 m shop front (head 3.0 m) onto a street 60 × 8 m,
    4 m high; the street opens over 14 m (head 4.0 m, the balcony edge, H = 4 m above the
    fire floor) into an atrium void of 25 × 20 = 500 m² rising through three levels
    (floors 0, 5.5, 10.5 m) to a roof at 16 m. The atrium exhaust has the GB 51251 §4.6.5
    minimum, 107 000 m³/h × 1.2 = 128 400 m³/h = 35.67 m³/s (the street's own zone rate,
    60 · 480 = 28 800 m³/h, doubled is less). Adiabatic layers (K = 1).

    Hand calculation at steady state (everything that burns leaves by the exhaust):
    Q_c = 0.7 · 3000 = 2100 kW crosses the balcony edge; the spill plume carries
    m = 0.36 (2100 · 14²)^(1/3) (z_b + 0.25 · 4) = 26.78 (z_b + 1) kg/s. The exhaust takes
    m = 353 V/T with T = 293.15 + 2100/m, so m · 293.15 + 2100 = 353 · 35.67 = 12 591,
    m = 35.79 kg/s, T = 351.8 K (78.7 °C), and z_b = 35.79/26.78 − 1 = 0.336 m: the void's
    interface settles at 4.34 m. The galleries of levels 2 and 3 (floors at 5.5 m and
    10.5 m) are then wholly in smoke at 78.7 °C: the code minimum cannot keep the upper
    galleries clear of a 3 MW spill.
    """
    levels = (("L1", 0.0), ("L2", 5.5), ("L3", 10.5))
    atr = [25.0, 0.0, 50.0, 20.0]
    spaces: list[dict[str, Any]] = [
        {"id": "shop", "kind": "shop", "level": "L1", "rect": [0, 8, 10, 20], "height_m": 4.0},
        {"id": "street", "kind": "corridor", "level": "L1", "rect": [-35, 0, 60, 8],
         "height_m": 4.0},
        {"id": "atrium-L1", "kind": "atrium", "level": "L1", "rect": atr, "height_m": 16.0},
        {"id": "atrium-L2", "kind": "atrium", "level": "L2", "rect": atr, "height_m": 10.5},
        {"id": "atrium-L3", "kind": "atrium", "level": "L3", "rect": atr, "height_m": 5.5},
        {"id": "out", "kind": "exit", "level": "L1"},
        {"id": "out2", "kind": "exit", "level": "L2"},
        {"id": "out3", "kind": "exit", "level": "L3"}]
    openings = [
        {"id": "front", "between": ["shop", "street"], "width_m": 6.0, "at": [5, 8],
         "kind": "shutter"},
        {"id": "edge", "between": ["street", "atrium-L1"], "width_m": 14.0, "at": [25, 4],
         "kind": "opening"},
        {"id": "fd", "between": ["street", "out"], "width_m": 1.0, "at": [-35, 4],
         "kind": "fire_door"},
        {"id": "fd2", "between": ["atrium-L2", "out2"], "width_m": 1.0, "at": [50, 10],
         "kind": "fire_door"},
        {"id": "fd3", "between": ["atrium-L3", "out3"], "width_m": 1.0, "at": [50, 10],
         "kind": "fire_door"}]
    lay = _layout(spaces, openings, levels)
    g = build_geometry(lay)
    void = g.zone_of_space["atrium-L1"]
    fire = FireSpec("shop", alpha_kw_s2=1e6, peak_kw=3000.0)
    mdl = SmokeModel(g.zones, g.links, fire, wall_heat_transfer_kw_m2k=0.0,
                     exhaust=(ExhaustSystem("ex", (void,), 35.67, inlets_per_zone=10),))
    mdl.start_exhaust("ex")
    mdl.advance(3000.0)
    st = mdl.state(void)
    tk = st.temperature_c + 273.15
    gal = [min(max(st.interface_m - f, 0.0), h) for f, h in ((5.5, 10.5), (10.5, 5.5))]
    ok = abs(st.interface_m - 4.34) <= 0.15 and abs(tk - 351.8) <= 3.0 and gal == [0.0, 0.0] \
        and len(g.voids) == 1
    return Check("void interface 4.34 m, 351.8 K; L2, L3 galleries in smoke (layer 0 m "
                 "above their floors)", f"{st.interface_m:.2f} m, {tk:.1f} K; galleries "
                 f"{gal[0]:.2f}, {gal[1]:.2f} m", "±0.15 m, ±3 K", ok)


@case("MS-07", "Plume, spill, vent and GB 51251 rules (18 worked numbers)", kind="formula",
      source="[E2][E4][E5][E6][E8][E10]")
def ms07_formulas() -> Check:
    """The correlations and code rules against their published worked numbers."""
    checks = [
        ("axisym z10", pl.axisymmetric_plume_kg_s(3500, 10), 56.3, 0.05),
        ("axisym z15", pl.axisymmetric_plume_kg_s(3500, 15), 104.7, 0.06),
        ("GB M", pl.axisymmetric_plume_kg_s(1050, 2.5), 5.20, 0.005),
        ("GB ΔT", pl.layer_temperature_rise_k(1050, 5.20), 200.0, 0.1),
        ("GB V", pl.smoke_volume_flow_m3_s(5.20, 493.17), 7.29, 0.005),
        ("GB Vmax", pl.plugholing_limit_m3_s(0.40, 493.15, 293.15, 0.5), 0.174, 0.0005),
        ("CIBSE Vmax", pl.plugholing_limit_m3_s(1.5, 300, 290, 0.5), 1.0644, 0.0001),
        ("CIBSE V", pl.smoke_volume_flow_m3_s(2.0, 473.0, 1.2, 293.0), 2.6906, 0.0001),
        ("spill Qc", pl.balcony_spill_plume_kg_s(700, 10, 10, 4), 163.2, 0.05),
        ("spill Q", pl.balcony_spill_plume_kg_s(1000, 10, 10, 4), 183.8, 0.05),
        ("Law", pl.law_spill_plume_kg_s(1000, 10, 10, 4), 158.3, 0.05),
        ("window", pl.window_plume_kg_s(4, 2, 10), 62.0, 0.05),
        ("NFPA 60 s", pl.nfpa92_filling_steady_m(60, 5000, 20, 1000), 10.87, 0.005),
        ("NFPA t² 240 s", pl.nfpa92_filling_t2_m(240, 150, 20, 1000), 8.44, 0.005),
        ("H_q 3 m", dfs.clear_height_m(3.0), 1.9, 1e-9),
        ("zone 880 m²", dfs.zone_exhaust_m3_h(880, 4, design=False), 52800.0, 1e-6),
        ("zone 200 m²", dfs.zone_exhaust_m3_h(200, 4, design=False), 15000.0, 1e-6),
        ("atrium", dfs.atrium_exhaust_m3_h(52800, design=False), 107000.0, 1e-6),
    ]
    bad = [f"{n} {v:.4g} ≠ {e}" for n, v, e, tol in checks if abs(v - e) > tol]
    return Check("worked numbers of docs/fire-and-smoke.md §4–5",
                 "all match" if not bad else "; ".join(bad), "as published (rounding)",
                 not bad)
