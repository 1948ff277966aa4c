"""How fast an attacker harms people, and how many of them die: the attack hazard's harm law.

An attacker active in a cell of crowd density ``D`` (persons/m²) harms people there at

    rate(D) = min(rate_ref · (D / D_ref)^exponent, rate_max)      victims per minute,

drawn as a Poisson count over each interval it is active (see :mod:`sim.hazards.attack`);
each victim dies with probability ``fatality``.

Knife (calibrated, ``docs/harm-calibration.md``)
    ``rate_ref`` and ``exponent`` are fitted by ``tools/calibrate_harm.py`` so that the
    simulator, reconstructing the five knife attacks whose duration is recorded (Bondi
    Junction 2024, LynnMall 2021, Turku 2017, Akihabara 2008, Kawasaki 2019) at their
    settings' densities and times to stop, gives their recorded casualties. The fit is
    made *in the simulator* because ``D`` is the density of the attacker's own cell,
    which falls as people flee and the attacker walks to the next crowd: the attacker's
    movement and the crowd's flight are part of what is fitted, not a separate factor (no
    record gives an attacker's speed). ``rate_max`` = 76 per minute: Kawasaki, 19
    stabbed in "less than 20 seconds" [KW1] (15 s taken; 57-114 per minute for 10-20 s)
    in a packed queue, the highest rate on record (no extrapolation beyond it).
    ``fatality`` is the share killed pooled over 19 knife attacks with complete counts
    (beta-binomial fit, :func:`sim.analysis.harm_fit.fit_share`).

Firearm (**assumption**, unchanged): 10 victims per minute at 0.5 p/m², proportional to
density up to 20 per minute; 35 % killed. No firearm record in the reference data gives a
duration per incident.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["DENSITY_REF_PM2", "FATALITY", "HarmRate"]

DENSITY_REF_PM2 = 0.5
"""Reference density (persons/m²) at which ``rate_ref`` is quoted (a busy hall)."""

KNIFE_RATE_REF_PER_MIN = 9.09
"""Knife victims per attacker-minute in a cell at 0.5 p/m² (fitted, adopted value; the
maximum-likelihood value is 8.94; see module doc)."""
KNIFE_RATE_REF_CI = (6.32, 15.6)
"""95 % interval of :data:`KNIFE_RATE_REF_PER_MIN` (profile likelihood of the fit)."""
KNIFE_EXPONENT = 1.82
"""Exponent of the knife rate's density dependence (fitted, adopted value; maximum
likelihood 1.94)."""
KNIFE_EXPONENT_CI = (1.22, 2.5)
"""95 % profile interval (the upper bound is the grid's edge: at least 2.5)."""
"""95 % interval of :data:`KNIFE_EXPONENT`."""
KNIFE_SPEED_MPS = 2.2
"""The attacker's speed between crowds (m/s): of 1.4 (a brisk walk) and 2.2 (a jog), the
reconstructions fit 2.2 better (log-likelihood −14.1 against −15.7)."""
KNIFE_RATE_MAX_PER_MIN = 76.0
"""Highest knife rate on record: Kawasaki 2019, 19 stabbed in under 20 s [KW1] (15 s)."""
KNIFE_FATALITY = 0.2
"""Share of knife victims killed (fitted, beta-binomial over 19 incidents)."""
KNIFE_FATALITY_CI = (0.14, 0.273)
"""95 % interval of :data:`KNIFE_FATALITY`."""

FATALITY = {"knife": KNIFE_FATALITY, "firearm": 0.35}
"""Share of victims killed, by weapon (firearm: assumption)."""


@dataclass(frozen=True)
class HarmRate:
    """``rate(D) = min(rate_ref · (D/D_ref)^exponent, rate_max)``, victims per minute."""

    rate_ref_per_min: float
    density_ref_pm2: float
    exponent: float
    rate_max_per_min: float

    @classmethod
    def for_weapon(cls, weapon: str) -> HarmRate:
        """The default law of ``weapon`` (``knife`` calibrated, ``firearm`` assumed)."""
        if weapon == "knife":
            return cls(KNIFE_RATE_REF_PER_MIN, DENSITY_REF_PM2, KNIFE_EXPONENT,
                       KNIFE_RATE_MAX_PER_MIN)
        if weapon == "firearm":
            return cls(10.0, DENSITY_REF_PM2, 1.0, 20.0)
        raise ValueError(f"unknown weapon {weapon!r}")

    def with_overrides(self, *, rate_ref_per_min: float | None = None,
                       density_ref_pm2: float | None = None, exponent: float | None = None,
                       rate_max_per_min: float | None = None) -> HarmRate:
        """A copy with the given (non-``None``) parameters replaced."""
        new = {k: v for k, v in (("rate_ref_per_min", rate_ref_per_min),
                                 ("density_ref_pm2", density_ref_pm2),
                                 ("exponent", exponent),
                                 ("rate_max_per_min", rate_max_per_min)) if v is not None}
        return replace(self, **new)

    def per_min(self, density_pm2: float) -> float:
        """Victims per minute at ``density_pm2`` persons/m² (0 for an empty cell)."""
        if density_pm2 <= 0:
            return 0.0
        r = self.rate_ref_per_min * (density_pm2 / self.density_ref_pm2) ** self.exponent
        return min(r, self.rate_max_per_min)
