"""Fire, smoke-filling and tenability physics (pure functions, SI units, no state).

Every constant names its source key ([T1], [C1], [J2], [A1], [V1], ...), listed with the full
references at the end of ``docs/fire-and-smoke.md``. Values that
are **not** backed by a number read in those sources are marked ``assumption`` in the comment or
docstring next to them; they are engineering choices to be checked against the primary documents
(SFPE Handbook ch. 63, ISO 13571, NUREG-1805) before they are used to sign off a design.

Contents
--------
* t-squared design fire with a peak and a sprinkler cap or decay (:func:`hrr_kw`).
* Yamana-Tanaka smoke filling, closed and integral forms (NUREG-1805 FDT eq 2.10-2.13).
* Alpert ceiling jet and the DETACT-QS sprinkler link lag (used by the smoke model).
* Walking speed in smoke (Frantzich-Nilsson 2003, Fridolf 2018) and visibility V = C/K.
* Tenability limits and Purser's fractional effective dose rate (:func:`fed_rate_per_s`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from sim.model.assumptions import declare

__all__ = [
    "AMBIENT_TEMP_K",
    "CLEAR_LAYER_HEIGHT_M",
    "COHB_INCAPACITATION_PCT",
    "CP_AIR_KJ_KG_K",
    "FED_INCAPACITATION",
    "FED_LETHAL",
    "HEAT_FED_THRESHOLD_C",
    "HOT_LAYER_TEMP_LIMIT_C",
    "KELVIN",
    "PLUME_ENTRAINMENT_KG_S",
    "RADIANT_TENABILITY_KW_M2",
    "RADIANT_THRESHOLD_KW_M2",
    "RHO_T_KG_K_M3",
    "RMV_L_MIN",
    "SMOKE_SPEED_FLOOR_MPS",
    "SMOKE_TEMP_LIMIT_C",
    "SPRINKLER_DECAY_TAU_S",
    "STEFAN_BOLTZMANN_KW_M2_K4",
    "T2_ALPHA_KW_S2",
    "T2_REFERENCE_HRR_KW",
    "VISIBILITY_C_LIGHT_EMITTING",
    "VISIBILITY_C_REFLECTING",
    "VISIBILITY_LIMIT_M",
    "SmokeSpeedModel",
    "SprinklerMode",
    "alpert_ceiling_jet",
    "fed_rate_per_s",
    "hrr_kw",
    "layer_radiant_flux_kw_m2",
    "link_temperature_c",
    "radiant_tolerance_min",
    "speed_in_smoke_mps",
    "t2_growth_time_s",
    "visibility_m",
    "yamana_tanaka_height_from_integral_m",
    "yamana_tanaka_height_m",
    "yamana_tanaka_k",
    "yamana_tanaka_series_m",
]

# --------------------------------------------------------------------------------------------
# General constants
# --------------------------------------------------------------------------------------------
KELVIN = 273.15
"""Offset between degrees Celsius and kelvin."""
AMBIENT_TEMP_K = 293.15
"""Default ambient temperature, 20 degrees C."""
CP_AIR_KJ_KG_K = 1.0
"""Specific heat of air/smoke, kJ/(kg K); the value used throughout NUREG-1805 FDT hand calcs."""
RHO_T_KG_K_M3 = 353.0
"""Ideal-gas product rho*T for air at 1 atm, kg K/m^3 (FDT eq 2.13: rho_g = 353/T_g) [C1]."""
PLUME_ENTRAINMENT_KG_S = 0.076
"""Plume mass-entrainment coefficient in m_p = 0.076 Q^(1/3) z^(5/3) kg/s, Q in kW, z in m; it is
the numerator of FDT eq 2.12 (k = 0.076/rho_g) [C1]."""

# --------------------------------------------------------------------------------------------
# Design fire
# --------------------------------------------------------------------------------------------
T2_REFERENCE_HRR_KW = 1055.0
"""NFPA 204 growth classes are defined by the time to reach 1055 kW (1000 BTU/s) [T1]."""
T2_ALPHA_KW_S2: dict[str, float] = {
    "slow": 0.00293,  # 600 s to 1055 kW [T1]
    "medium": 0.01172,  # 300 s [T1]
    "fast": 0.0469,  # 150 s [T1]
    "ultrafast": 0.1876,  # 75 s [T1]
}
"""NFPA 204 t-squared growth coefficients alpha in kW/s^2 [T1] (docs/fire-and-smoke.md §2)."""

SPRINKLER_DECAY_TAU_S = 410.0
"""Exponential decay time constant of a sprinkler-controlled fire, s. Evans, *Sprinkler fire
suppression algorithm for HAZARD*, NISTIR 5254 (1993), abstract (fire.nist.gov/bfrlpubs/fire94/
art159.html): tau = 410 s at a spray density of 0.07 mm/s, from 0.61 m wood-crib tests. The
correlation tau = 3.0 * w^-1.85 s (w in mm/s) that CFAST quotes reproduces it (3.0 * 0.07^-1.85 =
411 s) but that form was not read here: **assumption** for any other spray density. Crib data,
not retail stock: treat ``sprinkler_mode="decay"`` as optimistic and ``"cap"`` as the design
default (the usual assumption for sprinklered design fires)."""

SprinklerMode = Literal["cap", "decay"]


def t2_growth_time_s(alpha_kw_s2: float, hrr_kw_target: float = T2_REFERENCE_HRR_KW) -> float:
    """Time after ignition for a t-squared fire to reach ``hrr_kw_target``.

    Parameters
    ----------
    alpha_kw_s2 : float
        Growth coefficient, kW/s^2 (> 0).
    hrr_kw_target : float
        Target heat release rate, kW (>= 0).

    Returns
    -------
    float
        sqrt(Q / alpha), s.
    """
    if alpha_kw_s2 <= 0.0 or hrr_kw_target < 0.0:
        raise ValueError("alpha_kw_s2 must be > 0 and hrr_kw_target >= 0")
    return math.sqrt(hrr_kw_target / alpha_kw_s2)


def _free_hrr_kw(te_s: float, alpha_kw_s2: float, peak_kw: float) -> float:
    if te_s <= 0.0:
        return 0.0
    return min(alpha_kw_s2 * te_s * te_s, peak_kw)


def hrr_kw(
    t_s: float,
    *,
    alpha_kw_s2: float,
    peak_kw: float,
    ignition_s: float = 0.0,
    sprinkler_activation_s: float | None = None,
    sprinkler_mode: SprinklerMode = "cap",
    decay_tau_s: float = SPRINKLER_DECAY_TAU_S,
) -> float:
    """Heat release rate of a t-squared design fire, Q = alpha (t - t_ign)^2 capped at the peak.

    Parameters
    ----------
    t_s : float
        Absolute time, s.
    alpha_kw_s2 : float
        Growth coefficient, kW/s^2 (see :data:`T2_ALPHA_KW_S2`) [T1].
    peak_kw : float
        Peak (fuel- or ventilation-controlled) HRR, kW. No verified retail value exists
        (docs/fire-and-smoke.md §2 gives the code tables): the caller must choose it.
    ignition_s : float
        Ignition time, s; Q = 0 before it.
    sprinkler_activation_s : float or None
        Absolute time the first sprinkler operates; None for an unsprinklered fire.
    sprinkler_mode : {"cap", "decay"}
        ``"cap"``: Q stays at its value at activation (the common design assumption that
        sprinklers control but do not extinguish). ``"decay"``: Q decays exponentially from that
        value with ``decay_tau_s`` (Evans 1993, see :data:`SPRINKLER_DECAY_TAU_S`).
    decay_tau_s : float
        Decay time constant, s, for ``"decay"``.

    Returns
    -------
    float
        HRR, kW (>= 0).

    Notes
    -----
    AT-13: alpha = 0.0469 at 150 s gives 1055.25 kW; alpha = 0.01172 at 300 s gives 1054.8 kW.
    """
    if alpha_kw_s2 < 0.0 or peak_kw < 0.0:
        raise ValueError("alpha_kw_s2 and peak_kw must be >= 0")
    if sprinkler_mode not in ("cap", "decay"):
        raise ValueError(f"unknown sprinkler_mode {sprinkler_mode!r}")
    if sprinkler_activation_s is None or t_s <= sprinkler_activation_s:
        return _free_hrr_kw(t_s - ignition_s, alpha_kw_s2, peak_kw)
    q_act = _free_hrr_kw(sprinkler_activation_s - ignition_s, alpha_kw_s2, peak_kw)
    if sprinkler_mode == "cap":
        return q_act
    if decay_tau_s <= 0.0:
        raise ValueError("decay_tau_s must be > 0")
    return q_act * math.exp(-(t_s - sprinkler_activation_s) / decay_tau_s)


# --------------------------------------------------------------------------------------------
# Yamana-Tanaka smoke filling (NUREG-1805 FDT chapter 2, eq 2.10-2.13) [C1]
# --------------------------------------------------------------------------------------------
def yamana_tanaka_k(gas_temp_k: float) -> float:
    """Yamana-Tanaka constant k = 0.076 / rho_g with rho_g = 353 / T_g (FDT eq 2.12-2.13) [C1].

    Parameters
    ----------
    gas_temp_k : float
        Hot-gas (smoke layer) temperature, K (> 0).

    Returns
    -------
    float
        k in m^(4/3) kW^(-1/3) s^(-1) (the unit that makes z in m with Q in kW, t in s).
    """
    if gas_temp_k <= 0.0:
        raise ValueError("gas_temp_k must be > 0 K")
    return PLUME_ENTRAINMENT_KG_S * gas_temp_k / RHO_T_KG_K_M3


def _resolve_k(k: float | None, gas_temp_k: float | None) -> float:
    if k is not None and gas_temp_k is not None:
        raise ValueError("give either k or gas_temp_k, not both")
    if k is None:
        if gas_temp_k is None:
            raise ValueError("give k or gas_temp_k (FDT eq 2.12: k = 0.076 / rho_g)")
        return yamana_tanaka_k(gas_temp_k)
    if k <= 0.0:
        raise ValueError("k must be > 0")
    return k


def _check_room(area_m2: float, height_m: float) -> None:
    if area_m2 <= 0.0 or height_m <= 0.0:
        raise ValueError("area_m2 and height_m must be > 0")


def yamana_tanaka_height_from_integral_m(
    q13_integral: float,
    area_m2: float,
    height_m: float,
    k: float | None = None,
    gas_temp_k: float | None = None,
) -> float:
    """Smoke-layer interface height for a time-varying fire (integral form of FDT eq 2.10).

    z(t) = [ (2k / (3A)) * integral_0^t Q^(1/3) dt + H^(-2/3) ]^(-3/2)

    Parameters
    ----------
    q13_integral : float
        integral of Q(t)^(1/3) dt from ignition to t, kW^(1/3) s (>= 0).
    area_m2, height_m : float
        Floor area (m^2) and ceiling height above the fire base (m) of the space.
    k : float, optional
        Yamana-Tanaka constant; give this **or** ``gas_temp_k`` (k = 0.076 T_g / 353).
    gas_temp_k : float, optional
        Smoke-layer temperature, K.

    Returns
    -------
    float
        Interface height above the fire base, m (0 < z <= H).
    """
    _check_room(area_m2, height_m)
    if q13_integral < 0.0:
        raise ValueError("q13_integral must be >= 0")
    kk = _resolve_k(k, gas_temp_k)
    inner = 2.0 * kk * q13_integral / (3.0 * area_m2) + height_m ** (-2.0 / 3.0)
    return float(inner ** (-1.5))


def yamana_tanaka_height_m(
    t_s: float,
    q_kw: float,
    area_m2: float,
    height_m: float,
    k: float | None = None,
    gas_temp_k: float | None = None,
) -> float:
    """Closed-form Yamana-Tanaka filling of a closed space by a steady fire (FDT eq 2.10) [C1].

    z = [ 2 k Q^(1/3) t / (3 A) + H^(-2/3) ]^(-3/2)

    Parameters
    ----------
    t_s : float
        Time since the (steady) fire started, s (>= 0).
    q_kw : float
        Heat release rate, kW (>= 0).
    area_m2, height_m, k, gas_temp_k
        See :func:`yamana_tanaka_height_from_integral_m`.

    Returns
    -------
    float
        Interface height, m. AT-14: k = 0.12, Q = 1000 kW, A = 250 m^2, H = 4.5 m, t = 90 s
        gives 1.887 m.
    """
    if t_s < 0.0 or q_kw < 0.0:
        raise ValueError("t_s and q_kw must be >= 0")
    return yamana_tanaka_height_from_integral_m(
        q_kw ** (1.0 / 3.0) * t_s, area_m2, height_m, k=k, gas_temp_k=gas_temp_k
    )


def yamana_tanaka_series_m(
    times_s: Sequence[float],
    q_kw: Sequence[float],
    area_m2: float,
    height_m: float,
    k: float | None = None,
    gas_temp_k: float | None = None,
) -> list[float]:
    """Integral-form Yamana-Tanaka heights for a sampled HRR curve (trapezoidal rule on Q^(1/3)).

    Parameters
    ----------
    times_s : sequence of float
        Strictly increasing sample times, s; the integral starts at ``times_s[0]``.
    q_kw : sequence of float
        HRR at each time, kW (>= 0).
    area_m2, height_m, k, gas_temp_k
        See :func:`yamana_tanaka_height_from_integral_m`.

    Returns
    -------
    list of float
        Interface height at each sample time, m.
    """
    if len(times_s) != len(q_kw):
        raise ValueError("times_s and q_kw must have the same length")
    out: list[float] = []
    acc = 0.0
    prev_t = prev_c = 0.0
    for i, (t, q) in enumerate(zip(times_s, q_kw, strict=True)):
        if q < 0.0:
            raise ValueError("q_kw must be >= 0")
        c = q ** (1.0 / 3.0)
        if i > 0:
            if t <= prev_t:
                raise ValueError("times_s must be strictly increasing")
            acc += 0.5 * (c + prev_c) * (t - prev_t)
        out.append(yamana_tanaka_height_from_integral_m(acc, area_m2, height_m, k, gas_temp_k))
        prev_t, prev_c = t, c
    return out


# --------------------------------------------------------------------------------------------
# Ceiling jet and sprinkler link (used by the smoke model for activation)
# --------------------------------------------------------------------------------------------
def alpert_ceiling_jet(q_kw: float, height_m: float, radius_m: float) -> tuple[float, float]:
    """Alpert (1972) steady ceiling-jet maximum excess temperature and velocity.

    dT = 16.9 Q^(2/3) / H^(5/3)              for r/H <= 0.18
    dT = 5.38 (Q/r)^(2/3) / H                for r/H >  0.18
    u  = 0.96 (Q/H)^(1/3)                    for r/H <= 0.15
    u  = 0.195 Q^(1/3) H^(1/2) / r^(5/6)     for r/H >  0.15

    SFPE Handbook ch. 14 eq 14.2-14.3 / CIBSE Guide E eq 11.1-11.4 (read in open code
    implementations, not in the handbook itself; the correlations are textbook-standard).

    Parameters
    ----------
    q_kw : float
        Total HRR, kW (>= 0).
    height_m : float
        Ceiling height above the fuel, m (> 0).
    radius_m : float
        Radial distance from the plume axis, m (>= 0).

    Returns
    -------
    tuple of float
        (excess gas temperature in K, gas velocity in m/s).
    """
    if height_m <= 0.0 or radius_m < 0.0 or q_kw < 0.0:
        raise ValueError("height_m > 0, radius_m >= 0 and q_kw >= 0 required")
    if q_kw == 0.0:
        return 0.0, 0.0
    ratio = radius_m / height_m
    if ratio <= 0.18:
        dt_k = 16.9 * q_kw ** (2.0 / 3.0) / height_m ** (5.0 / 3.0)
    else:
        dt_k = 5.38 * (q_kw / radius_m) ** (2.0 / 3.0) / height_m
    if ratio <= 0.15:
        u_mps = 0.96 * (q_kw / height_m) ** (1.0 / 3.0)
    else:
        u_mps = 0.195 * q_kw ** (1.0 / 3.0) * math.sqrt(height_m) / radius_m ** (5.0 / 6.0)
    return dt_k, u_mps


def link_temperature_c(
    link_c: float, gas_c: float, gas_velocity_mps: float, rti: float, dt_s: float
) -> float:
    """Advance a sprinkler/heat-detector link temperature by ``dt_s`` (DETACT-QS lag).

    dT_link/dt = sqrt(u) / RTI * (T_gas - T_link), integrated exactly over the step with the
    gas state held constant (conduction to the pipe, the C-factor, is ignored).

    Parameters
    ----------
    link_c, gas_c : float
        Link and surrounding gas temperatures, degrees C.
    gas_velocity_mps : float
        Gas velocity past the link, m/s (>= 0).
    rti : float
        Response time index, (m s)^(1/2) (> 0); quick response < 50 [S11].
    dt_s : float
        Step, s (>= 0).

    Returns
    -------
    float
        Link temperature after the step, degrees C.
    """
    if rti <= 0.0 or dt_s < 0.0 or gas_velocity_mps < 0.0:
        raise ValueError("rti > 0, dt_s >= 0 and gas_velocity_mps >= 0 required")
    rate = math.sqrt(gas_velocity_mps) / rti
    return gas_c + (link_c - gas_c) * math.exp(-rate * dt_s)


# --------------------------------------------------------------------------------------------
# Visibility and walking speed in smoke
# --------------------------------------------------------------------------------------------
VISIBILITY_C_REFLECTING = 3.0
"""Visibility constant C in V = C/K for light-reflecting signs; FDSVisMap example value [V1]."""
VISIBILITY_C_LIGHT_EMITTING = 8.0
"""C for light-emitting signs (Jin's commonly quoted value). **Assumption**: not read in the
reference files."""

SMOKE_SPEED_FLOOR_MPS = 0.3
"""Absolute floor of walking speed in smoke, m/s, as implemented in JuPedSim JPSfire [J2]."""
_FN_V_AT_K0_MPS = 0.706  # Frantzich & Nilsson 2003: v = 0.706 - 0.057 K m/s [J2][S13]
_FN_SLOPE_MPS_PER_K = 0.057
_FRIDOLF_SLOPE = 0.34  # Fridolf et al. 2018, as implemented in JPSfire [J2]
_FRIDOLF_FLOOR = 0.2
_FRIDOLF_LAMBDA = 2.0  # lambda = 2 (visibility form) [J2]

SmokeSpeedModel = Literal["frantzich_nilsson", "fridolf"]


def visibility_m(extinction_per_m: float, c: float = VISIBILITY_C_REFLECTING) -> float:
    """Visibility V = C / K, m (infinite in clean air).

    Parameters
    ----------
    extinction_per_m : float
        Extinction coefficient K, 1/m (>= 0).
    c : float
        Visibility constant: 3 for reflecting signs (default) [V1], 8 for light-emitting signs
        (assumption, see :data:`VISIBILITY_C_LIGHT_EMITTING`).

    Returns
    -------
    float
        Visibility, m (``math.inf`` for K = 0).
    """
    if extinction_per_m < 0.0 or c <= 0.0:
        raise ValueError("extinction_per_m must be >= 0 and c > 0")
    if extinction_per_m == 0.0:
        return math.inf
    return c / extinction_per_m


def speed_in_smoke_mps(
    v0_mps: float, extinction_per_m: float, model: SmokeSpeedModel = "frantzich_nilsson"
) -> float:
    """Walking speed in smoke of extinction coefficient K (docs/fire-and-smoke.md §6) [J2].

    * ``"frantzich_nilsson"`` (2003): v = max(0.3, v0 (1 - (0.057/0.706) K)). The 0.3 m/s floor is
      absolute (m/s), as in JPSfire.
    * ``"fridolf"`` (2018, lambda = 2): v = v0 min(1, max(0.2, 1 - 0.34 (3 - 2/K))); K <= 0 gives
      v0 (the limit K -> 0+).

    Both results are additionally capped at ``v0_mps`` (deviation from JPSfire: the absolute floor
    would otherwise *speed up* an occupant whose free speed is below 0.3 m/s).

    Parameters
    ----------
    v0_mps : float
        Unimpeded walking speed, m/s (>= 0).
    extinction_per_m : float
        K, 1/m (>= 0).
    model : {"frantzich_nilsson", "fridolf"}
        Relation to use.

    Returns
    -------
    float
        Speed, m/s. AT-15: v0 = 1.2, K = 1, 2, 10 gives 1.103, 1.006, 0.300.
    """
    if v0_mps < 0.0 or extinction_per_m < 0.0:
        raise ValueError("v0_mps and extinction_per_m must be >= 0")
    k = extinction_per_m
    if model == "frantzich_nilsson":
        v = max(SMOKE_SPEED_FLOOR_MPS, v0_mps * (1.0 - (_FN_SLOPE_MPS_PER_K / _FN_V_AT_K0_MPS) * k))
    elif model == "fridolf":
        if k == 0.0:
            return v0_mps
        factor = 1.0 - _FRIDOLF_SLOPE * (3.0 - _FRIDOLF_LAMBDA / k)
        v = v0_mps * min(1.0, max(_FRIDOLF_FLOOR, factor))
    else:
        raise ValueError(f"unknown smoke speed model {model!r}")
    return min(v, v0_mps)


# --------------------------------------------------------------------------------------------
# Tenability limits (docs/fire-and-smoke.md §6)
# --------------------------------------------------------------------------------------------
CLEAR_LAYER_HEIGHT_M = 2.0
"""Clear-layer design target above the floor, m [A1]."""
SMOKE_TEMP_LIMIT_C = 60.0
"""Gas temperature limit when smoke is below 2 m, degrees C [A1] (some references accept 100)."""
HOT_LAYER_TEMP_LIMIT_C = 200.0
"""Hot-layer temperature above 2 m (radiation to occupants), degrees C ("most references") [A1]."""
VISIBILITY_LIMIT_M = 10.0
"""Minimum visibility, m; commonly used value and FDSVisMap example [V1] (a tool default, not a
code requirement)."""
FED_INCAPACITATION = 0.3
"""FED at which incapacitation of sensitive occupants is assumed [C1] (0.3-0.5 range)."""
FED_LETHAL = 1.0
"""FED = 1: the median lethal / incapacitating dose by construction [C1]."""

# --------------------------------------------------------------------------------------------
# Fractional effective dose (Purser, SFPE Handbook ch. 63 via JPSfire [J2])
# --------------------------------------------------------------------------------------------
_CO_COHB_COEFF = 3.317e-5
"""%COHb per minute = 3.317e-5 [CO ppm]^1.036 RMV (Stewart et al. 1973, used by Purser) [J2]."""
_CO_EXPONENT = 1.036  # [J2]
RMV_L_MIN = declare(
    "fed.rmv_l_min", default=25.0, unit="L/min", low=20.0, high=50.0, dist="uniform",
    valid_min=1.0, status="assumed", used_by=("fire",),
    source="assumed: Purser's light-work value for people walking out (not read here); "
           "JuPedSim JPSfire codes 50 L/min", name="Respiratory minute volume").default
"""Respiratory minute volume V_E, L/min, light activity (register default)."""
COHB_INCAPACITATION_PCT = declare(
    "fed.cohb_incapacitation_pct", default=30.0, unit="%COHb", low=20.0, high=40.0,
    dist="uniform", valid_min=1.0, status="assumed", used_by=("fire",),
    source="assumed: Purser, light activity (not read here); JuPedSim JPSfire codes 20 %",
    name="Carboxyhaemoglobin at incapacitation").default
"""%COHb at incapacitation D for light activity (register default)."""
_HCN_EXPONENT = 2.36  # [J2]
_HCN_DENOMINATOR = 2.43e7  # [J2]; JPSfire then multiplies by V_E (see fed_rate_per_s)
_O2_A = 8.13  # FED_O2 per min = 1 / exp(8.13 - 0.54 (20.9 - O2 %)) [J2]
_O2_B = 0.54
_O2_NORMAL_PCT = 20.9
_CO2_DIVISOR_PCT = 5.0  # hyperventilation multiplier V_CO2 = exp(CO2 % / 5) [J2]
HEAT_FED_THRESHOLD_C = 35.0
"""Convective heat dose counts only above this gas temperature, degrees C. **Assumption** (below
it the tolerance time exceeds 10^5 min, so the cut-off changes FED by < 1e-5 per minute)."""


STEFAN_BOLTZMANN_KW_M2_K4 = 5.670e-11
"""Stefan–Boltzmann constant, kW/(m²·K⁴)."""
RADIANT_TENABILITY_KW_M2 = 2.5
"""Radiant flux at head height above which a space is untenable, kW/m² (NFPA Journal 2008
atrium-CFD checklist [E12]; the value used with the 180–200 °C hot-layer rule in Chinese
performance-based design, that attribution UNVERIFIED)."""
RADIANT_THRESHOLD_KW_M2 = 1.7
"""Radiant flux below which no radiant dose accrues, kW/m² (ISO 13571; recalled, UNVERIFIED:
the standard was not read here)."""


def layer_radiant_flux_kw_m2(layer_temp_c: Any, extinction_per_m: Any, depth_m: Any,
                             ambient_c: float = 20.0) -> Any:
    """Radiant flux from a hot smoke layer to a person below it, kW/m² (floats or arrays).

    q = ε σ (T_l⁴ − T_a⁴), ε = 1 − exp(−K d): a grey layer of depth d whose absorption
    coefficient is taken equal to the soot extinction coefficient K (**assumption**: soot
    absorbs most of what it extinguishes in the infrared), seen with a view factor of 1 (a
    layer much wider than its distance to the head: conservative); 0 for a layer no hotter
    than ambient. 200 °C, thick layer → 2.43 kW/m² (the 200 °C hot-layer rule and the
    2.5 kW/m² limit agree).
    """
    t = np.asarray(layer_temp_c, dtype=float)
    d = np.clip(np.asarray(depth_m, dtype=float), 0.0, None)
    eps = 1.0 - np.exp(-np.clip(np.asarray(extinction_per_m, dtype=float), 0.0, None) * d)
    tl = t + KELVIN
    ta = ambient_c + KELVIN
    q = np.where(t > ambient_c, eps * STEFAN_BOLTZMANN_KW_M2_K4 * (tl**4 - ta**4), 0.0)
    return float(q) if q.ndim == 0 else q


def radiant_tolerance_min(flux_kw_m2: float) -> float:
    """Time to the radiant-heat tolerance limit, min: t = 6.9 q^(−1.56) for q above
    :data:`RADIANT_THRESHOLD_KW_M2`, else infinite (ISO 13571 radiant-heat FED term,
    recalled, UNVERIFIED). 2.5 kW/m² → 1.65 min; 5 kW/m² → 0.56 min."""
    if flux_kw_m2 <= RADIANT_THRESHOLD_KW_M2:
        return math.inf
    return 6.9 * flux_kw_m2**-1.56


def _heat_tolerance_min(temp_c: float) -> float:
    """Purser two-term convective-heat tolerance time t = 2e31 T^-16.963 + 4e8 T^-3.7561 (min, T
    in degrees C), as coded in JPSfire [J2]; units per Purser (not stated in the code)."""
    return 2.0e31 * temp_c**-16.963 + 4.0e8 * temp_c**-3.7561


def fed_rate_per_s(
    *,
    co_ppm: float,
    hcn_ppm: float = 0.0,
    co2_pct: float = 0.04,
    o2_pct: float = 20.9,
    temp_c: float = 20.0,
    smoke_below_head: bool = True,
    radiant_kw_m2: float = 0.0,
    rmv_l_min: float = RMV_L_MIN,
    cohb_pct: float = COHB_INCAPACITATION_PCT,
) -> float:
    """Rate of fractional effective dose for incapacitation, 1/s (Purser, SFPE ch. 63).

    FED rate (per minute) = (FED_CO + FED_HCN) * V_CO2 + FED_O2 + FED_heat, divided by 60:

    * FED_CO = 3.317e-5 [CO]^1.036 V_E / D with V_E = 25 L/min (light activity) and D = 30 %COHb
      (incapacitation). Constants 3.317e-5 and 1.036 [J2] (also Stewart et al. 1973 via
      coheadquarters.com); V_E = 25 and D = 30 are **assumptions** (JPSfire codes 50 and 20 [J2],
      which is 3.3x more severe).
    * FED_HCN = V_E [HCN]^2.36 / 2.43e7 [J2]. Scaling by V_E follows the JPSfire code and is
      flagged there as "compare with Purser before reuse": **assumption**.
    * V_CO2 = exp(CO2 % / 5) [J2] multiplies the asphyxiant terms.
    * FED_O2 = 1/exp(8.13 - 0.54 (20.9 - O2 %)) [J2] minus its value at 20.9 % (so clean air gives
      exactly 0; the raw fit gives 2.9e-4 per minute at 20.9 %): the baseline subtraction is an
      **assumption**.
    * FED_heat = 1 / t_tol with Purser's two-term convective tolerance time
      t_tol = 2e31 T^-16.963 + 4e8 T^-3.7561 (min, T in degrees C) as coded in JPSfire [J2]
      (the fully-clothed form; ISO 13571's single-term 5e7 T^-3.4 for light clothing is more
      severe and is not used). Counted only for T > 35 degrees C (**assumption**,
      :data:`HEAT_FED_THRESHOLD_C`).

    * FED_rad = 1 / t_rad with t_rad = 6.9 q^-1.56 min above 1.7 kW/m² (ISO 13571, recalled,
      :func:`radiant_tolerance_min`): the radiant flux from a hot layer, counted whether or
      not the person stands in the smoke (heat doses add, ISO 13571).

    Irritants are not included.

    Parameters
    ----------
    co_ppm, hcn_ppm : float
        Carbon monoxide and hydrogen cyanide, ppm by volume (>= 0).
    co2_pct, o2_pct : float
        Carbon dioxide and oxygen, % by volume.
    temp_c : float
        Gas temperature at head height, degrees C.
    smoke_below_head : bool
        False when the smoke layer is above the occupant's head: the occupant breathes clear
        lower-layer air; only the radiant term remains.
    radiant_kw_m2 : float
        Radiant flux from the hot layer at head height, kW/m² (>= 0).
    rmv_l_min, cohb_pct : float
        V_E and D of the CO term (the run's ``fed.*`` assumptions).

    Returns
    -------
    float
        FED per second (>= 0; exactly 0 in clean ambient air).
    """
    if co_ppm < 0.0 or hcn_ppm < 0.0 or co2_pct < 0.0 or not 0.0 <= o2_pct <= 100.0:
        raise ValueError("gas concentrations must be >= 0 (and O2 within 0-100 %)")
    t_rad = radiant_tolerance_min(radiant_kw_m2)
    fed_rad = 0.0 if math.isinf(t_rad) else 1.0 / t_rad
    if not smoke_below_head:
        return fed_rad / 60.0
    fed_co = _CO_COHB_COEFF * co_ppm**_CO_EXPONENT * rmv_l_min / cohb_pct
    fed_hcn = rmv_l_min * hcn_ppm**_HCN_EXPONENT / _HCN_DENOMINATOR
    v_co2 = math.exp(co2_pct / _CO2_DIVISOR_PCT)
    o2 = min(o2_pct, _O2_NORMAL_PCT)
    fed_o2 = 1.0 / math.exp(_O2_A - _O2_B * (_O2_NORMAL_PCT - o2)) - 1.0 / math.exp(_O2_A)
    fed_heat = 1.0 / _heat_tolerance_min(temp_c) if temp_c > HEAT_FED_THRESHOLD_C else 0.0
    per_min = (fed_co + fed_hcn) * v_co2 + max(0.0, fed_o2) + fed_heat + fed_rad
    return per_min / 60.0
