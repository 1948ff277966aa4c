"""How fast an attacker harms people, and how many of them die: the attack hazard's harm law.

An attacker active in a cell of crowd density ``D`` (persons/m²) harms people there at

    rate(D) = min(rate_ref · (D / D_ref)^exponent, rate_max)      victims per minute,

drawn as a Poisson count over each interval it is active (see :mod:`sim.hazards.attack`);
each victim dies with probability ``fatality``. ``D_ref`` = 0.5 p/m² is only the density
at which ``rate_ref`` is quoted.

Knife (calibrated, ``docs/harm-calibration.md``)
    ``rate_ref``, ``exponent`` and the attacker's speed are fitted by
    ``tools/calibrate_harm.py`` so that the simulator, reconstructing the five knife
    attacks whose duration is recorded (Bondi Junction 2024, LynnMall 2021, Turku 2017,
    Akihabara 2008, Kawasaki 2019) at their settings' densities and times to stop, gives
    their recorded casualties. The fit is made *in the simulator* because ``D`` is the
    density of the attacker's own cell, which falls as people flee and the attacker moves
    on to the next crowd: the attacker's movement (its speed between crowds) and the
    crowd's flight are part of what is fitted. Of the two speeds tried, a jog (2.2 m/s)
    fits the records better than a brisk walk (1.4 m/s). ``rate_max`` = 76 per minute:
    Kawasaki, 19 stabbed in "less than 20 seconds" [KW1] (15 s taken; 57-114 per minute
    for 10-20 s) in a packed queue, the highest rate on record (no extrapolation beyond
    it). ``fatality`` is the share killed pooled over the 19 knife attacks with complete
    counts (beta-binomial fit, :func:`sim.analysis.harm_fit.fit_share`).

Firearm (**assumptions**): 10 victims per minute at 0.5 p/m², proportional to density up
to 20 per minute; 35 % killed. No firearm record in the reference data gives a duration
per incident.

Every parameter is declared in the assumptions register (keys ``knife.*``,
``firearm.*``, ``attack.speed_mps``); a run reads its own values through the world.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.assumptions import declare

__all__ = ["DENSITY_REF_PM2", "FATALITY", "RATE", "HarmRate"]

DENSITY_REF_PM2 = 0.5
"""Reference density (persons/m²) at which ``rate_ref`` is quoted (a busy hall)."""

_KNIFE, _GUN = ("attack:knife",), ("attack:firearm",)
_FIT = ("fitted in the simulator to the 5 recorded knife attacks with a known duration "
        "(Bondi Junction 2024, LynnMall 2021, Turku 2017, Akihabara 2008 knife phase, "
        "Kawasaki 2019): tools/calibrate_harm.py, docs/harm-calibration.md")

RATE = {
    "knife": declare(
        "knife.harm_rate_per_min", default=9.09, unit="victims/attacker-min", low=6.32,
        high=15.6, dist="loguniform", valid_min=0.0, status="fitted",
        source=_FIT + "; 95 % profile interval 6.3-15.6 (maximum likelihood 8.94)",
        used_by=_KNIFE, name="Knife victims per attacker-minute in a cell at 0.5 persons/m²"),
    "firearm": declare(
        "firearm.harm_rate_per_min", default=10.0, unit="victims/attacker-min", low=3.0,
        high=30.0, dist="loguniform", valid_min=0.0, status="assumed", used_by=_GUN,
        source="assumed: 'much higher' than knives; no per-minute rate found",
        name="Firearm victims per attacker-minute in a cell at 0.5 persons/m²"),
}
"""Victims per attacker-minute at :data:`DENSITY_REF_PM2`, by weapon."""
EXPONENT = {
    "knife": declare(
        "knife.density_exponent", default=1.82, unit="1", low=1.22, high=2.5,
        dist="uniform", valid_min=0.0, status="fitted",
        source=_FIT + "; 95 % profile interval 1.22 to at least 2.5 (maximum likelihood "
        "1.94)", used_by=_KNIFE, name="Exponent of the knife harm rate's density dependence"),
    "firearm": declare(
        "firearm.density_exponent", default=1.0, unit="1", low=0.5, high=1.5,
        dist="uniform", valid_min=0.0, status="assumed", used_by=_GUN,
        source="assumed: victims in reach grow with density",
        name="Exponent of the firearm harm rate's density dependence"),
}
"""Exponent of the density dependence, by weapon."""
RATE_MAX = {
    "knife": declare(
        "knife.rate_max_per_min", default=76.0, unit="victims/attacker-min", low=57.0,
        high=114.0, dist="uniform", valid_min=1e-3, status="sourced", used_by=_KNIFE,
        source="Kawasaki Noborito 2019: 19 stabbed in 'less than 20 seconds' in a school-bus "
               "queue (NHK World); 15 s taken, 57-114 per minute for 10-20 s",
        name="Highest knife harm rate (a packed crowd)"),
    "firearm": declare(
        "firearm.rate_max_per_min", default=20.0, unit="victims/attacker-min", low=10.0,
        high=40.0, dist="loguniform", valid_min=1e-3, status="assumed", used_by=_GUN,
        source="assumed: twice the reference rate", name="Highest firearm harm rate"),
}
"""Highest rate, by weapon."""
FATALITY = {
    "knife": declare(
        "knife.fatality", default=0.20, unit="share", low=0.14, high=0.273, dist="uniform",
        valid_min=0.0, valid_max=1.0, status="fitted", used_by=_KNIFE,
        source="beta-binomial fit over the 19 knife attacks with complete counts (70 killed "
               "of 362 victims; 95 % profile interval 0.14-0.27): docs/harm-calibration.md",
        name="Share of knife victims killed"),
    "firearm": declare(
        "firearm.fatality", default=0.35, unit="share", low=0.2, high=0.5, dist="uniform",
        valid_min=0.0, valid_max=1.0, status="assumed", source="assumed", used_by=_GUN,
        name="Share of firearm victims killed"),
}
"""Share of victims killed, by weapon."""
SPEED = declare(
    "attack.speed_mps", default=2.2, unit="m/s", low=1.4, high=3.0, dist="uniform",
    valid_min=0.1, status="fitted", used_by=("attack",),
    source="of 1.4 m/s (a brisk walk) and 2.2 m/s (a jog), the reconstructions of the 5 "
           "knife attacks fit 2.2 better (log-likelihood -14.1 against -15.7): "
           "tools/calibrate_harm.py", name="Attacker's speed between crowds")


@dataclass(frozen=True)
class HarmRate:
    """``rate(D) = min(rate_ref · (D/D_ref)^exponent, rate_max)``, victims per minute."""

    rate_ref_per_min: float
    density_ref_pm2: float
    exponent: float
    rate_max_per_min: float

    def per_min(self, density_pm2: float) -> float:
        """Victims per minute at ``density_pm2`` persons/m² (0 for an empty cell)."""
        if density_pm2 <= 0:
            return 0.0
        r = self.rate_ref_per_min * (density_pm2 / self.density_ref_pm2) ** self.exponent
        return min(r, self.rate_max_per_min)
