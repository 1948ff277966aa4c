"""Published values the verification cases compare against, each with its source.

These numbers are written here from the publications (keys as in
``docs/verification.md``), never imported from the engine: a case that took its
expected value from the code under test could not fail when that code is wrong. Where
the engine uses the same published value, it keeps its own copy in
:mod:`sim.movement`; the mutation harness changes the engine's copy and the cases must
notice.
"""

from __future__ import annotations

from typing import Final

# ---------------------------------------------------------------- SFPE hydraulic model
# Nelson & MacLennan; Gwynne & Rosenbaum, SFPE Handbook (5th ed., ch. 59), as tabulated
# in the Imperial College hydraulic-model notes [H1] and code citing them [H2].
SFPE_A: Final = 0.266
"""Density coefficient a of S = k(1 - aD) (m²/person) [H1][H2]."""
SFPE_K_LEVEL: Final = 1.40
"""Speed constant k for corridors, ramps and doorways (m/s) [H1][H2]."""
SFPE_FS_MAX_LEVEL: Final = 1.3
"""Maximum specific flow of corridors and doorways (persons/s/m effective width) [H1][I1]."""
SFPE_FREE_DENSITY: Final = 0.54
"""Density (persons/m²) below which people walk at free speed (SFPE, commonly quoted)."""
SFPE_STAIRS: Final = {
    # (riser, tread) in inches -> (k m/s, Fs,max persons/s/m effective width).
    # 7/11 read in [H1]; the other rows are the SFPE Handbook tables of k and maximum
    # specific flow (Nelson & Mowrer, 3rd ed. tables 3-13.5 and 3-13.6; Gwynne &
    # Rosenbaum, 5th ed. ch. 59); each Fs,max is k / (4a), the peak of k(1 - aD)·D.
    (7.5, 10.0): (1.00, 0.94),
    (7.0, 11.0): (1.08, 1.01),
    (6.5, 12.0): (1.16, 1.09),
    (6.5, 13.0): (1.23, 1.16),
}
BOUNDARY_LAYER_M: Final = {"stair": 0.15, "door": 0.15, "corridor": 0.20}
"""Boundary layer per side (m): stair 1.8 → 1.5, corridor 1.8 → 1.4, door 1.3 → 1.0 m
in the SFPE worked example [H1]."""

# ---------------------------------------------------------------- IMO MSC.1/Circ.1238
IMO_TABLE_1_1: Final = ((0.5, 1.2, 0.65), (1.9, 0.67, 1.3), (3.2, 0.20, 0.65),
                        (3.5, 0.10, 0.32))
"""Corridor (density p/m², speed m/s, specific flow p/s/m) points of Table 1.1 [I1]."""

# ---------------------------------------------------------------- Weidmann (1993)
WEIDMANN_V0: Final = 1.34
WEIDMANN_GAMMA: Final = 1.913
WEIDMANN_RHO_MAX: Final = 5.4
"""Kladek form v = v0[1 - exp(-γ(1/ρ - 1/ρmax))]; v0 m/s, γ and ρmax persons/m² [H2][W1]."""

# ---------------------------------------------------------------- RiMEA test 7
RIMEA7_RANGES_MPS: Final = {"under30": (0.58, 1.61), "age30_50": (1.41, 1.54),
                            "over50": (0.68, 1.41), "limited": (0.46, 0.76)}
"""Walking-speed ranges per Weidmann age group as used by RiMEA test 7 [Z][J1]."""

# ---------------------------------------------------------------- laboratory bottlenecks
BOTTLENECK_FS_BAND: Final = (1.6, 2.4)
"""Specific flow (persons/s per m of clear width) measured through laboratory
bottlenecks: Kretz et al. 2006 (J. Stat. Mech. P10014, 0.4–1.2 m wide) and Seyfried et
al. 2009 (Transportation Science 43(3), 0.8–1.2 m) measured 1.6–2.4; Seyfried et al.
and Liao et al. 2014 (Physica A 405) found the flow growing linearly with the width,
i.e. a specific flow independent of width, near 1.9."""

# ---------------------------------------------------------------- queue density
QUEUE_DENSITY_BAND: Final = (3.5, 5.4)
"""Density (persons/m²) of a crowd standing in front of a narrow bottleneck: from the
IMO density at which a corridor is congested and walking has stopped to 0.10 m/s
(3.5, MSC.1/Circ.1238 Table 1.1 [I1]) to Weidmann's density of zero speed (5.4 [H2])."""

# ---------------------------------------------------------------- walking in smoke
FRANTZICH_NILSSON_SLOPE: Final = 0.057 / 0.706
"""Relative speed loss per unit extinction coefficient (m): v = v0(1 - 0.0807 K)
(Frantzich & Nilsson 2003, absolute form 0.706 - 0.057 K) [J2][S13]."""
FRANTZICH_NILSSON_FLOOR_MPS: Final = 0.3
"""Slowest walking speed in dense smoke (m/s) [J2]."""


def sfpe_speed(d: float, k: float = SFPE_K_LEVEL) -> float:
    """SFPE speed (m/s) at density ``d`` (persons/m²), free below 0.54."""
    return k * (1.0 - SFPE_A * max(d, SFPE_FREE_DENSITY))


def weidmann_speed(d: float, v0: float = WEIDMANN_V0) -> float:
    """Weidmann (Kladek) speed (m/s) at density ``d`` (persons/m²)."""
    import math

    if d <= 0:
        return v0
    if d >= WEIDMANN_RHO_MAX:
        return 0.0
    return v0 * (1.0 - math.exp(-WEIDMANN_GAMMA * (1.0 / d - 1.0 / WEIDMANN_RHO_MAX)))


def effective_width(clear_m: float, element: str) -> float:
    """Clear width less both SFPE boundary layers of ``element`` (m)."""
    return clear_m - 2.0 * BOUNDARY_LAYER_M[element]


def door_flow_ps(width_m: float) -> float:
    """SFPE capacity of a doorway (persons/s): 1.3 × (width − 0.30 m)."""
    return SFPE_FS_MAX_LEVEL * effective_width(width_m, "door")


def stair_flow_ps(width_m: float, riser_in: float, tread_in: float) -> float:
    """SFPE capacity of a flight (persons/s): Fs,max of its type × (width − 0.30 m)."""
    return SFPE_STAIRS[(riser_in, tread_in)][1] * effective_width(width_m, "stair")
