"""Plume, smoke-filling and smoke-vent correlations of smoke-control design (pure, SI units).

These are the hand-calculation laws of NFPA 92, GB 51251-2017 §4.6 and CIBSE Guide E /
BRE 368 that the zone model (:mod:`sim.hazards.smoke`) uses, written once so that the
verification suite can check the engine against them. Units: Q in kW, heights in m,
mass flows in kg/s, volume flows in m³/s, temperatures in K unless a name says °C.
``docs/fire-and-smoke.md`` gives every equation with its source and worked numbers.

Sources (the keys used in the docs):

* **NFPA 92** (2012) / NFPA 92B (2005), *Smoke control systems*: axisymmetric plume,
  balcony spill plume, window plume, atrium filling. Coefficients as found in public code
  implementations and in the GB 51251 calculation sheet; the NFPA text itself was not
  read (the filling equations' coefficients and range are therefore **unverified** against
  the standard).
* **GB 51251-2017** 《建筑防烟排烟系统技术标准》 §4.6.11–4.6.14: the same axisymmetric and
  balcony spill plume forms, Q_c = 0.7 Q, ΔT = K Q_c/(M c_p), V = M T/(ρ0 T0), the
  plug-holing limit; read in a published calculation sheet that reproduces the standard's
  worked example (H′ = 3 m, Q = 1.5 MW → M = 5.20 kg/s, ΔT = 200 K, V = 7.29 m³/s).
* **Law (1986)** spill plume m = 0.31 (Q W²)^(1/3) (z_b + 0.25 H) with total Q; **Thomas,
  Morgan & Marshall (1998)**, Fire Safety Journal 30:21–46 (spill-plume entrainment);
  **Morgan et al., BRE 368** (1999), *Design methodologies for smoke and heat exhaust
  ventilation*.
* **CIBSE Guide E** (2019) ch. 10 eq 10.1–10.11 (plug-holing, natural vents), as coded in
  ``fire-library/openfire``; **PD 7974-1** eq 33 (ventilation-controlled burning rate).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = [
    "CONVECTIVE_FRACTION",
    "G_MPS2",
    "HUGGETT_KJ_PER_KG_AIR",
    "RHO0_KG_M3",
    "T0_K",
    "axisymmetric_plume_kg_s",
    "balcony_spill_plume_kg_s",
    "flame_limit_height_m",
    "law_spill_plume_kg_s",
    "layer_temperature_rise_k",
    "natural_vent_kg_s",
    "nfpa92_filling_steady_m",
    "nfpa92_filling_t2_m",
    "plugholing_limit_m3_s",
    "smoke_volume_flow_m3_s",
    "ventilation_limit_kw",
    "window_plume_kg_s",
    "zukoski_plume_kg_s",
]

CONVECTIVE_FRACTION = 0.7
"""Convective share of the heat release rate, Q_c = 0.7 Q (GB 51251 §4.6.11 calculation
sheet [E5]; NFPA 92 uses the same 0.7)."""
G_MPS2 = 9.81
"""Acceleration of gravity, m/s²."""
RHO0_KG_M3 = 1.2
"""Ambient air density ρ0 of the GB 51251 volume-flow formula, kg/m³ [E5]."""
T0_K = 293.15
"""Ambient temperature T0 of the GB 51251 volume-flow formula, K [E5]."""
HUGGETT_KJ_PER_KG_AIR = 3000.0
"""Heat released per kg of air consumed, kJ/kg (Huggett 1980: 3.0 MJ per kg of air for
most fuels; the 1500 A√h ventilation limit of PD 7974-1 eq 33 is this times Kawagoe's
0.5 A√h kg/s of inflowing air)."""


def flame_limit_height_m(qc_kw: float) -> float:
    """Limiting flame height z_l = 0.166 Q_c^(2/5), m (NFPA 92; GB 51251 eq 4.6.11-2 [E5]).

    Worked: Q_c = 3500 kW → 4.34 m; Q_c = 1050 kW → 2.68 m.
    """
    if qc_kw < 0.0:
        raise ValueError("qc_kw must be >= 0")
    return 0.166 * qc_kw**0.4


def axisymmetric_plume_kg_s(qc_kw: float, z_m: float) -> float:
    """Mass flow of an axisymmetric plume at height ``z_m`` above the fuel, kg/s.

    m = 0.071 Q_c^(1/3) z^(5/3) + 0.0018 Q_c   for z > z_l
    m = 0.032 Q_c^(3/5) z                      for z ≤ z_l (within the flames)

    NFPA 92; GB 51251 eq 4.6.11-1 [E4][E5]. Worked (docs/fire-and-smoke.md §4): Q_c = 3500 kW,
    z = 10 m → 56.3 kg/s; z = 15 m → 104.7 kg/s; Q_c = 1050 kW, z = 2.5 m (≤ z_l 2.68 m)
    → 5.20 kg/s.
    """
    if qc_kw < 0.0 or z_m < 0.0:
        raise ValueError("qc_kw and z_m must be >= 0")
    if qc_kw == 0.0:
        return 0.0
    if z_m > flame_limit_height_m(qc_kw):
        return 0.071 * qc_kw ** (1.0 / 3.0) * z_m ** (5.0 / 3.0) + 0.0018 * qc_kw
    return 0.032 * qc_kw**0.6 * z_m


def zukoski_plume_kg_s(q_kw: float, z_m: float) -> float:
    """Zukoski plume m = 0.076 Q^(1/3) z^(5/3) with total Q, kg/s: the entrainment behind
    Yamana–Tanaka filling (NUREG-1805 FDT eq 2.10–2.12: k = 0.076/ρ_g) [C1]."""
    if q_kw < 0.0 or z_m < 0.0:
        raise ValueError("q_kw and z_m must be >= 0")
    return 0.076 * q_kw ** (1.0 / 3.0) * z_m ** (5.0 / 3.0)


def balcony_spill_plume_kg_s(q_kw: float, width_m: float, rise_m: float,
                             balcony_height_m: float, coefficient: float = 0.36) -> float:
    """Mass flow of a balcony spill plume ``rise_m`` above the spill edge, kg/s.

    m = 0.36 (Q W²)^(1/3) (z_b + 0.25 H)

    NFPA 92B / CIBSE; GB 51251 eq 4.6.11-3 [E5][E6]. W is the spill width (the opening,
    or the gap between channelling screens), H the height of the balcony (spill edge)
    above the base of the fire, z_b the rise above the edge. Sources differ on whether Q is
    total or convective (docs/fire-and-smoke.md §4); the engine passes the convective heat flux
    that actually crosses the edge. Worked: Q = 700 kW, W = 10 m, H = 4 m, z_b = 10 m →
    163.2 kg/s (total Q = 1000 kW: 183.8 kg/s).
    """
    if q_kw < 0.0 or width_m <= 0.0 or rise_m < 0.0 or balcony_height_m < 0.0:
        raise ValueError("q_kw >= 0, width_m > 0, rise_m >= 0, balcony_height_m >= 0 required")
    return coefficient * (q_kw * width_m**2) ** (1.0 / 3.0) * (rise_m + 0.25 * balcony_height_m)


def law_spill_plume_kg_s(q_total_kw: float, width_m: float, rise_m: float,
                         balcony_height_m: float) -> float:
    """Law (1986) spill plume m = 0.31 (Q_T W²)^(1/3) (z_b + 0.25 H), total Q, kg/s [E6].

    Worked: Q_T = 1000 kW, W = 10 m, H = 4 m, z_b = 10 m → 158.3 kg/s.
    """
    return balcony_spill_plume_kg_s(q_total_kw, width_m, rise_m, balcony_height_m,
                                    coefficient=0.31)


def window_plume_kg_s(area_m2: float, height_m: float, rise_m: float) -> float:
    """Window plume (NFPA 92), first term only, kg/s [E2].

    a = 2.40 A_w^(2/5) H_w^(1/5) − 2.1 H_w;  m = 0.68 (A_w H_w^(1/2))^(1/3) (z_w + a)^(5/3).
    (A second term + 1.59 A_w H_w^(1/2) is quoted from memory and **unverified**; it is
    left out.) Worked: A_w = 4 m², H_w = 2 m, z_w = 10 m → a = 0.60 m, 62.0 kg/s.
    """
    if area_m2 <= 0.0 or height_m <= 0.0 or rise_m < 0.0:
        raise ValueError("area_m2 > 0, height_m > 0, rise_m >= 0 required")
    a = 2.40 * area_m2**0.4 * height_m**0.2 - 2.1 * height_m
    base = (area_m2 * math.sqrt(height_m)) ** (1.0 / 3.0)
    return 0.68 * base * max(rise_m + a, 0.0) ** (5.0 / 3.0)


def nfpa92_filling_steady_m(t_s: float, q_kw: float, height_m: float, area_m2: float) -> float:
    """First indication of smoke above the floor, steady fire, no exhaust (NFPA 92), m.

    z/H = 1.11 − 0.28 ln[(t Q^(1/3) H^(−4/3)) / (A/H²)]; stated range A/H² 0.9–14,
    z/H ≥ 0.2 [E1][E2] (coefficients unverified against the standard text). The result is
    clipped to [0, H]. Worked: H = 20 m, A = 1000 m², Q = 5 MW → 14.75 m at 30 s, 10.87 m at
    60 s, 6.99 m at 120 s.
    """
    if t_s <= 0.0:
        return height_m
    if q_kw <= 0.0 or height_m <= 0.0 or area_m2 <= 0.0:
        raise ValueError("q_kw, height_m and area_m2 must be > 0")
    x = (t_s * q_kw ** (1.0 / 3.0) * height_m ** (-4.0 / 3.0)) / (area_m2 / height_m**2)
    return min(height_m, max(0.0, height_m * (1.11 - 0.28 * math.log(x))))


def nfpa92_filling_t2_m(t_s: float, growth_time_s: float, height_m: float,
                        area_m2: float) -> float:
    """First indication of smoke, t² fire Q = 1000 (t/t_g)² kW, no exhaust (NFPA 92), m.

    z/H = 0.91 [t t_g^(−2/5) H^(−4/5) (A/H²)^(−3/5)]^(−1.45) [E2], clipped to [0, H].
    Worked: H = 20 m, A = 1000 m², t_g = 150 s → 12.81 m at 180 s, 8.44 m at 240 s.
    """
    if t_s <= 0.0:
        return height_m
    if growth_time_s <= 0.0 or height_m <= 0.0 or area_m2 <= 0.0:
        raise ValueError("growth_time_s, height_m and area_m2 must be > 0")
    x = t_s * growth_time_s**-0.4 * height_m**-0.8 * (area_m2 / height_m**2) ** -0.6
    return min(height_m, max(0.0, height_m * 0.91 * x**-1.45))


def layer_temperature_rise_k(qc_kw: float, mass_kg_s: float, k: float = 1.0,
                             cp_kj_kg_k: float = 1.01) -> float:
    """Smoke temperature rise ΔT = K Q_c / (M c_p), K (GB 51251 eq 4.6.13-1; K = 1.0 with
    mechanical exhaust, 0.5 with natural venting; c_p = 1.01 kJ/(kg·K) [E5])."""
    if mass_kg_s <= 0.0:
        raise ValueError("mass_kg_s must be > 0")
    return k * qc_kw / (mass_kg_s * cp_kj_kg_k)


def smoke_volume_flow_m3_s(mass_kg_s: float, layer_temp_k: float, rho0: float = RHO0_KG_M3,
                           t0_k: float = T0_K) -> float:
    """Smoke volume flow V = M T / (ρ0 T0), m³/s (GB 51251 eq 4.6.13-2 [E5]; CIBSE eq 10.7:
    (2 kg/s, 473 K, 1.2, 293 K) → 2.6906 m³/s [E8])."""
    return mass_kg_s * layer_temp_k / (rho0 * t0_k)


def plugholing_limit_m3_s(depth_m: float, layer_temp_k: float, ambient_k: float,
                          gamma: float = 1.0) -> float:
    """Most smoke one exhaust inlet draws before it pulls in clear air, m³/s.

    V_max = 4.16 γ d_b^(5/2) ((T_s − T_0)/T_0)^(1/2); γ = 1 for an inlet at least 2 d_b
    from a wall, else 0.5 (GB 51251 eq 4.6.14; CIBSE Guide E eq 10.2 [E5][E8]). Worked:
    (γ 0.5, d 1.5 m, 300 K, 290 K) → 1.0644 m³/s; GB sheet (γ 0.5, d 0.40 m, ΔT 200 K)
    → 0.174 m³/s.
    """
    if depth_m <= 0.0 or layer_temp_k <= ambient_k:
        return 0.0
    return 4.16 * gamma * depth_m**2.5 * math.sqrt((layer_temp_k - ambient_k) / ambient_k)


def natural_vent_kg_s(area_m2: float, cd: float, depth_m: float, layer_temp_k: float,
                      ambient_k: float) -> float:
    """Smoke mass flow out of a roof vent with ample make-up air below the layer, kg/s.

    m = C_d A_v ρ_a (2 g d θ T_a)^(1/2) / T_s, θ = T_s − T_a: the buoyancy head of a layer
    d deep drives the flow (CIBSE Guide E ch. 10 / BRE 368 natural-vent equation with an
    inlet much larger than the vent; ρ = 353/T).
    """
    if area_m2 <= 0.0 or depth_m <= 0.0 or layer_temp_k <= ambient_k:
        return 0.0
    rho_a = 353.0 / ambient_k
    theta = layer_temp_k - ambient_k
    return cd * area_m2 * rho_a * math.sqrt(2.0 * G_MPS2 * depth_m * theta * ambient_k) \
        / layer_temp_k


def ventilation_limit_kw(openings: Iterable[tuple[float, float]]) -> float:
    """Largest HRR that can burn inside a room through its openings, kW.

    Q_max = 1500 A_v √h_v (PD 7974-1 eq 33 [C1]) with A_v the total opening area and h_v
    the area-weighted opening height; ``openings`` are (width m, height m) pairs. Returns
    ``inf`` for no openings (a closed room: the caller decides).
    """
    area = 0.0
    ah = 0.0
    for w, h in openings:
        if w > 0.0 and h > 0.0:
            area += w * h
            ah += w * h * h
    if area <= 0.0:
        return math.inf
    return 1500.0 * area * math.sqrt(ah / area)
