"""Speed–density and flow laws (pure functions; units in the names).

Sources (keys as in ``docs/verification.md``):

* SFPE hydraulic model (Nelson & MacLennan; Gwynne & Rosenbaum, SFPE Handbook):
  ``S = k(1 - a D)``, ``a = 0.266`` m²/person, ``k = 1.40`` m/s on the level, ``1.08``
  on 7/11-inch stairs; specific flow ``F_s = S·D`` capped at 1.3 persons/s/m for
  corridors and doors, 1.01 for 7/11 stairs [H1][H2]. Boundary layers 0.15 m per side
  for doors and stairs, 0.20 m per side for corridors (implied by the worked example
  [H1]).
* Free speed below 0.54 persons/m² (commonly quoted SFPE lower bound, unverified against
  the SFPE Handbook; see ``docs/verification.md``): the model's relative speed is 1 below
  it, so a lone walker keeps their own free speed exactly (RiMEA test 1).
* Weidmann (1993) in Kladek form: ``v = v0 [1 - exp(-γ (1/ρ - 1/ρmax))]``, γ = 1.913,
  ρmax = 5.4 persons/m², v0 = 1.34 m/s [H2].
* IMO MSC.1/Circ.1238 Table 1.1 (corridor) and maximum specific flows: stairs down 1.1,
  up 0.88, corridors and doors 1.3 persons/s/m [I1].
* Empirical bottleneck capacities (laboratory): specific flow about 1.9 persons/s per
  metre of width, growing linearly with width for widths of 0.8–2.5 m (Seyfried et al.
  2009, Transportation Science 44(3); Liao et al. 2014, Physica A 405 / TRP 2;
  Kretz et al. 2006, J. Stat. Mech. P10014 measured 1.6–2.4 persons/s/m for 0.4–1.2 m).
  SafeMall uses 1.9 persons/s/m of full clear width, no boundary layer.
"""

from __future__ import annotations

import itertools
import math
from typing import Final, Literal

SFPE_A: Final = 0.266
"""SFPE density coefficient a (m²/person)."""
SFPE_K_LEVEL: Final = 1.40
"""SFPE speed constant k on the level, ramps and through doors (m/s)."""
SFPE_FREE_DENSITY_PM2: Final = 0.54
"""Below this density people walk at free speed (SFPE, commonly quoted; ⚠ unverified)."""
SFPE_FS_MAX_LEVEL: Final = 1.3
"""SFPE/IMO maximum specific flow of corridors and doors (persons/s/m effective width)."""
EMPIRICAL_FS: Final = 1.9
"""Laboratory bottleneck specific flow (persons/s per m of clear width), see module doc."""
WEIDMANN_GAMMA: Final = 1.913
WEIDMANN_RHO_MAX: Final = 5.4
WEIDMANN_V0: Final = 1.34
IMO_FS_STAIR_DOWN: Final = 1.1
IMO_FS_STAIR_UP: Final = 0.88
MIN_RELATIVE_SPEED: Final = 0.08
"""Floor of the relative speed in a jammed space, so queues drain (IMO: 0.10 m/s at
≥ 3.5 p/m² on a 1.2 m/s base gives 0.083)."""

BOUNDARY_LAYER_M: Final = {"door": 0.15, "stair": 0.15, "corridor": 0.20}
"""Boundary layer per side (m) subtracted from clear width (SFPE worked example)."""

# SFPE stair constants by (riser, tread) in inches -> (k m/s, Fs,max p/s/m); only 7/11 is
# verified [H1]; the others are the commonly quoted table values (⚠).
_SFPE_STAIRS: Final = (
    # tread/riser ratio, k, Fs max
    (10.0 / 7.5, 1.00, 0.94),
    (11.0 / 7.0, 1.08, 1.01),
    (12.0 / 6.5, 1.16, 1.09),
    (13.0 / 6.5, 1.23, 1.16),
)

SpeedModel = Literal["sfpe", "weidmann"]


def sfpe_speed_mps(density_pm2: float, k_mps: float = SFPE_K_LEVEL) -> float:
    """SFPE speed ``k (1 - 0.266 D)`` in m/s (0 at and above 3.76 persons/m²)."""
    return max(0.0, k_mps * (1.0 - SFPE_A * density_pm2))


def sfpe_specific_flow(density_pm2: float, k_mps: float = SFPE_K_LEVEL) -> float:
    """SFPE specific flow ``S·D`` in persons/s per metre of effective width."""
    return sfpe_speed_mps(density_pm2, k_mps) * density_pm2


def weidmann_speed_mps(density_pm2: float, v0_mps: float = WEIDMANN_V0) -> float:
    """Weidmann (Kladek form) speed in m/s; 0 at and above 5.4 persons/m²."""
    if density_pm2 <= 0:
        return v0_mps
    if density_pm2 >= WEIDMANN_RHO_MAX:
        return 0.0
    return v0_mps * (1.0 - math.exp(-WEIDMANN_GAMMA * (1.0 / density_pm2
                                                       - 1.0 / WEIDMANN_RHO_MAX)))


def relative_speed(density_pm2: float, model: SpeedModel) -> float:
    """Speed at ``density_pm2`` as a fraction of a person's free speed (0.08–1).

    SFPE: 1 up to 0.54 persons/m², then ``(1 - aD) / (1 - a·0.54)``. Weidmann: the
    Kladek curve divided by v0.
    """
    if model == "sfpe":
        if density_pm2 <= SFPE_FREE_DENSITY_PM2:
            return 1.0
        g = (1.0 - SFPE_A * density_pm2) / (1.0 - SFPE_A * SFPE_FREE_DENSITY_PM2)
    else:
        g = weidmann_speed_mps(density_pm2, 1.0)
    return max(MIN_RELATIVE_SPEED, min(1.0, g))


def sfpe_stair_constants(riser_mm: float | None, tread_mm: float | None) -> tuple[float, float]:
    """SFPE ``(k m/s, Fs,max persons/s/m)`` for a stair, interpolated on tread/riser.

    Defaults to the verified 7/11-inch stair (k = 1.08, 1.01) when either is unknown.
    """
    if not riser_mm or not tread_mm:
        return (1.08, 1.01)
    ratio = tread_mm / riser_mm
    pts = _SFPE_STAIRS
    for r, k, f in pts:  # a stair drawn in mm is "7/11" when within 1 % of the ratio
        if abs(ratio - r) <= 0.01 * r:
            return (k, f)
    if ratio <= pts[0][0]:
        return (pts[0][1], pts[0][2])
    if ratio >= pts[-1][0]:
        return (pts[-1][1], pts[-1][2])
    for (r0, k0, f0), (r1, k1, f1) in itertools.pairwise(pts):
        if r0 <= ratio <= r1:
            w = (ratio - r0) / (r1 - r0)
            return (k0 + w * (k1 - k0), f0 + w * (f1 - f0))
    return (1.08, 1.01)  # pragma: no cover


def effective_width_m(clear_width_m: float, element: str) -> float:
    """Clear width less the boundary layers of ``element`` (door, stair or corridor)."""
    return max(0.1, clear_width_m - 2.0 * BOUNDARY_LAYER_M.get(element, 0.15))


def max_flow_density_pm2(model: SpeedModel) -> float:
    """Density (persons/m²) at which the specific flow ``D·v(D)`` is largest.

    SFPE: ``1 / (2a) = 1.88``; Weidmann: found numerically (about 1.75).
    """
    if model == "sfpe":
        return 1.0 / (2.0 * SFPE_A)
    best_d, best_j = 1.0, 0.0
    for k in range(1, 540):
        d = k / 100.0
        j = d * weidmann_speed_mps(d, 1.0)
        if j > best_j:
            best_d, best_j = d, j
    return best_d


def imo_corridor(density_pm2: float) -> tuple[float, float]:
    """IMO MSC.1/Circ.1238 Table 1.1 corridor ``(speed m/s, specific flow p/s/m)``.

    Linear between the table points (0, 1.2, 0), (0.5, 1.2, 0.65), (1.9, 0.67, 1.3),
    (3.2, 0.20, 0.65) and constant 0.10 m/s, 0.32 p/s/m at 3.5 p/m² and above.
    """
    pts = ((0.0, 1.2, 0.0), (0.5, 1.2, 0.65), (1.9, 0.67, 1.3), (3.2, 0.20, 0.65),
           (3.5, 0.10, 0.32))
    if density_pm2 >= 3.5:
        return (0.10, 0.32)
    for (d0, s0, f0), (d1, s1, f1) in itertools.pairwise(pts):
        if d0 <= density_pm2 <= d1:
            w = (density_pm2 - d0) / (d1 - d0)
            return (s0 + w * (s1 - s0), f0 + w * (f1 - f0))
    return (1.2, 0.0)  # pragma: no cover


#: IMO MSC.1/Circ.1533 advanced analysis: congestion is a local density above 4 p/m² …
IMO_CONGESTION_PM2 = 4.0
#: … for longer than 10 % of the overall evacuation time.
IMO_CONGESTION_SHARE = 0.10


def imo_congested(density_series_pm2: list[float], dt_s: float, t_total_s: float) -> bool:
    """IMO advanced-analysis congestion flag: density > 4 p/m² for > 10 % of ``t_total_s``."""
    above = sum(dt_s for d in density_series_pm2 if d > IMO_CONGESTION_PM2)
    return t_total_s > 0 and above > IMO_CONGESTION_SHARE * t_total_s
