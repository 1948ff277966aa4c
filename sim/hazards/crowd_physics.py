"""Crowd-density thresholds: Fruin level of service and exposure to dangerous densities.

Sources:

* Fruin walkway level of service in ft^2/person A > 35, B 25-35, C 15-25, D 10-15, E 5-10, F < 5
  (J.J. Fruin, *Pedestrian Planning and Design*, 1971, walkway LoS table, as reproduced in
  civil-engineering study material); the m^2/person bands (x 0.0929) A > 3.25, B 2.32-3.25,
  C 1.39-2.32, D 0.93-1.39, E 0.46-0.93, F < 0.46 are derived.
* "Potentially dangerous crowd forces" at 5.55 p/m^2 (a chart of Fruin's densities in EPJ Data
  Science, doi 10.1140/epjds17, table 1); :data:`CRITICAL_DENSITY_PM2` rounds it to 5.5 p/m^2
  as the project asked. Sources disagree on where danger starts (4-5 p/m^2 is the "danger
  zone, intervene" band of crowd-management practitioner guidance).
* IMO MSC.1/Circ.1238 (advanced analysis) flags congestion where the local density exceeds
  4 p/m^2 for more than 10 % of the assembly time ([I3] of ``docs/verification.md``;
  :data:`CONGESTION_DENSITY_PM2`).

Band edges (area per person a = 1/density): A is a > 3.25 and F is a < 0.46 exactly as written;
E includes a = 0.46 (so a density above 1/0.46 p/m^2 is F). Each inner edge (2.32, 1.39, 0.93) and
3.25 belongs to the *worse* band, i.e. bands B-D are (lower, upper] in m^2/person.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "CONGESTION_DENSITY_PM2",
    "CRITICAL_DENSITY_PM2",
    "FRUIN_WALKWAY_AREA_M2_PER_P",
    "LOS_LETTERS",
    "DensityExposure",
    "ExposureReport",
    "fruin_los",
]

CRITICAL_DENSITY_PM2 = 5.5
"""Critical density, persons/m^2: Fruin's 5.55 p/m^2 'potentially dangerous crowd forces'
(EPJ Data Science, doi 10.1140/epjds17, table 1), rounded to 5.5 as required by the project."""
CONGESTION_DENSITY_PM2 = 4.0
"""Congestion density, persons/m^2 (IMO MSC.1/Circ.1238 / MSC.1/Circ.1533; [I3] of
docs/verification.md)."""
LOS_LETTERS: tuple[str, ...] = ("A", "B", "C", "D", "E", "F")
FRUIN_WALKWAY_AREA_M2_PER_P: dict[str, float] = {
    "A": 3.25,  # lower bound of A (exclusive): Fruin's 35 ft^2/p x 0.0929
    "B": 2.32,
    "C": 1.39,
    "D": 0.93,
    "E": 0.46,  # lower bound of E (inclusive); below is F
}
"""Lower area-per-person bound (m^2/p) of each walkway band A-E (Fruin 1971, converted)."""

_D_A = 1.0 / 3.25
_D_B = 1.0 / 2.32
_D_C = 1.0 / 1.39
_D_D = 1.0 / 0.93
_D_E = 1.0 / 0.46


def fruin_los(density_pm2: float) -> str:
    """Fruin walkway level of service for a crowd density.

    Parameters
    ----------
    density_pm2 : float
        Persons per m^2 (>= 0).

    Returns
    -------
    str
        One of ``"A"`` ... ``"F"``.
    """
    if not density_pm2 >= 0.0 or math.isinf(density_pm2):
        raise ValueError(f"density_pm2 must be finite and >= 0, got {density_pm2!r}")
    d = density_pm2
    if d < _D_A:
        return "A"
    if d < _D_B:
        return "B"
    if d < _D_C:
        return "C"
    if d < _D_D:
        return "D"
    if d <= _D_E:
        return "E"
    return "F"


@dataclass(frozen=True, slots=True)
class ExposureReport:
    """Accumulated density exposure of one space.

    Attributes
    ----------
    observed_s : float
        Total time covered by the samples, s.
    time_above_congestion_s : float
        Time with density > ``congestion_pm2``, s.
    time_above_critical_s : float
        Time with density > ``critical_pm2``, s.
    longest_critical_spell_s : float
        Longest uninterrupted period above ``critical_pm2``, s.
    los_time_s : dict
        Time per Fruin letter, s.
    los_share : dict
        ``los_time_s`` divided by ``observed_s`` (all 0 when nothing was observed).
    peak_density_pm2 : float
        Highest sampled density, p/m^2.
    """

    observed_s: float
    time_above_congestion_s: float
    time_above_critical_s: float
    longest_critical_spell_s: float
    los_time_s: dict[str, float]
    los_share: dict[str, float]
    peak_density_pm2: float


@dataclass(slots=True)
class _Track:
    last_t: float
    last_d: float
    observed: float = 0.0
    above_cong: float = 0.0
    above_crit: float = 0.0
    spell: float = 0.0
    longest: float = 0.0
    peak: float = 0.0
    los: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LOS_LETTERS, 0.0))


class DensityExposure:
    """Accumulates, per space, how long the crowd density stayed above thresholds.

    Samples are held constant until the next sample of the same space (zero-order hold): the
    interval [t_k, t_{k+1}) is charged to the density sampled at t_k. The last sample of a space
    covers nothing until a later sample arrives or :meth:`report` is asked for ``until_s``.

    Parameters
    ----------
    congestion_pm2 : float
        Congestion threshold, p/m^2 (default 4.0, IMO MSC.1/Circ.1238).
    critical_pm2 : float
        Critical threshold, p/m^2 (default 5.5, Fruin's 5.55 rounded).
    """

    def __init__(
        self,
        *,
        congestion_pm2: float = CONGESTION_DENSITY_PM2,
        critical_pm2: float = CRITICAL_DENSITY_PM2,
    ) -> None:
        if not 0.0 <= congestion_pm2 <= critical_pm2:
            raise ValueError("need 0 <= congestion_pm2 <= critical_pm2")
        self._cong = congestion_pm2
        self._crit = critical_pm2
        self._tracks: dict[str, _Track] = {}

    @property
    def spaces(self) -> list[str]:
        """Ids of the spaces sampled so far, in first-sample order."""
        return list(self._tracks)

    def record(self, space_id: str, t_s: float, density_pm2: float) -> None:
        """Add one sample.

        Parameters
        ----------
        space_id : str
            Space id.
        t_s : float
            Sample time, s; non-decreasing per space (ValueError otherwise).
        density_pm2 : float
            Density at ``t_s``, p/m^2 (>= 0).
        """
        fruin_los(density_pm2)  # validates the density
        if not math.isfinite(t_s):
            raise ValueError(f"t_s must be finite, got {t_s!r}")
        tr = self._tracks.get(space_id)
        if tr is None:
            self._tracks[space_id] = _Track(last_t=t_s, last_d=density_pm2, peak=density_pm2)
            return
        if t_s < tr.last_t:
            raise ValueError(f"{space_id}: sample time {t_s} is before {tr.last_t}")
        self._charge(tr, t_s - tr.last_t)
        tr.last_t, tr.last_d = t_s, density_pm2
        tr.peak = max(tr.peak, density_pm2)

    def record_many(self, t_s: float, densities_pm2: Mapping[str, float]) -> None:
        """Record one sample per space at the same time ``t_s``."""
        for sid, d in densities_pm2.items():
            self.record(sid, t_s, d)

    def report(self, space_id: str, *, until_s: float | None = None) -> ExposureReport:
        """Exposure of ``space_id`` (KeyError if never sampled).

        Parameters
        ----------
        space_id : str
            Space id.
        until_s : float, optional
            Extend the last sample up to this time (not stored; must not precede it).
        """
        tr = self._tracks[space_id]
        view = _Track(
            last_t=tr.last_t,
            last_d=tr.last_d,
            observed=tr.observed,
            above_cong=tr.above_cong,
            above_crit=tr.above_crit,
            spell=tr.spell,
            longest=tr.longest,
            peak=tr.peak,
            los=dict(tr.los),
        )
        if until_s is not None:
            if until_s < tr.last_t:
                raise ValueError(f"until_s {until_s} is before the last sample {tr.last_t}")
            self._charge(view, until_s - tr.last_t)
        obs = view.observed
        share = {k: (v / obs if obs > 0.0 else 0.0) for k, v in view.los.items()}
        return ExposureReport(
            observed_s=obs,
            time_above_congestion_s=view.above_cong,
            time_above_critical_s=view.above_crit,
            longest_critical_spell_s=view.longest,
            los_time_s=view.los,
            los_share=share,
            peak_density_pm2=view.peak,
        )

    def _charge(self, tr: _Track, dt_s: float) -> None:
        d = tr.last_d
        tr.observed += dt_s
        tr.los[fruin_los(d)] += dt_s
        if d > self._cong:
            tr.above_cong += dt_s
        if d > self._crit:
            tr.above_crit += dt_s
            tr.spell += dt_s
            tr.longest = max(tr.longest, tr.spell)
        elif dt_s > 0.0:
            tr.spell = 0.0
