"""SFPE hydraulic hand calculation (Nelson & MacLennan), written out for the cases.

The method [H1]: each element (door, corridor, flight) carries at most
``F_max = Fs,max × W_eff`` persons/s; a flow ``F`` entering an element settles at the
*lower* root ``D`` of ``k(1 - aD)·D·W_eff = F`` and moves at ``S = k(1 - aD)`` (free
speed below 0.54 p/m²); the flow passing the next element is
``min(F, F_max,next)`` and a queue forms where it drops. The evacuation time of a route
whose controlling element passes ``F_c`` is::

    t = t_to_control + N / F_c + t_from_control

with the travel times walked at the speeds of the densities the flow takes downstream.
Only the published constants of :mod:`sim.analysis.verification.published` are used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.analysis.verification import published as pub


def lower_root_density(flow_ps: float, k: float, w_eff: float) -> float:
    """Density (p/m²) at which ``k(1 - aD)·D·W_eff`` equals ``flow_ps`` (lower root).

    At or above the element's peak flow the density of maximum flow ``1/(2a)`` is returned.
    """
    a = pub.SFPE_A
    fs = flow_ps / w_eff
    disc = k * k - 4.0 * a * k * fs
    if disc <= 0:
        return 1.0 / (2.0 * a)
    return (k - math.sqrt(disc)) / (2.0 * a * k)


def speed_at_flow(flow_ps: float, k: float, w_eff: float) -> float:
    """Walking speed (m/s) of a flow ``flow_ps`` through an element (SFPE)."""
    return pub.sfpe_speed(lower_root_density(flow_ps, k, w_eff), k)


@dataclass(frozen=True)
class Leg:
    """A stretch walked after the controlling element: length, speed constant, width."""

    name: str
    length_m: float
    k: float
    w_eff_m: float


def evacuation_time_s(n: int, control_ps: float, t_to_control_s: float,
                      legs: list[Leg]) -> tuple[float, str]:
    """Hand-calculated evacuation time (s) and the calculation as one line of text."""
    t_flow = n / control_ps
    parts = [f"{t_to_control_s:.1f}", f"{n}/{control_ps:.3f} = {t_flow:.1f}"]
    total = t_to_control_s + t_flow
    for leg in legs:
        v = speed_at_flow(control_ps, leg.k, leg.w_eff_m)
        t = leg.length_m / v
        parts.append(f"{leg.name} {leg.length_m:g} m / {v:.2f} = {t:.1f}")
        total += t
    return total, " + ".join(parts) + f" = {total:.1f} s"
