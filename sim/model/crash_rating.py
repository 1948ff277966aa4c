"""Vehicle-barrier crash ratings: ASTM F2656, US DoS K-ratings, IWA 14-1 and PAS 68.

A rating says which test vehicle (mass), at which speed, the barrier stopped, and how far
the vehicle got past it (penetration). It is written in the plan exactly as the standard
writes it (``[[barriers]] rating = "M50-P1"``) and parsed here into
:class:`CrashRating` (mass kg, speed km/h, penetration m, kinetic energy kJ).

Formats (sources: docs/hazards-attacks.md "Crash ratings", keys [D1]-[D10])

* **ASTM F2656** ``<vehicle><speed>[-P<n>]``: vehicles C 1,100 kg, FS 2,100 kg, PU
  2,300 kg, M 6,800 kg, C7 7,200 kg, H 29,500 kg; speed in mph (M30/M40/M50 = 30/40/50
  mph); penetration P1 ≤ 1 m, P2 ≤ 7 m, P3 ≤ 30 m, P4 > 30 m (P4 **UNVERIFIED**; taken
  as 60 m). No ``-P`` suffix: P1. M-rating energies 612 / 1,088 / 1,700 kJ [D1].
* **DoS SD-STD-02.01** ``K4`` / ``K8`` / ``K12``: 6,800 kg at 30/40/50 mph; Rev A keeps
  only penetration ≤ 3 ft (0.91 m) [D3][D4].
* **IWA 14-1** ``V/7200[N3C]/80/90:1.1`` and **PAS 68** ``V/7500[N3C]/80/90.0/1.1/0``
  (also the older ``V/7500(N3)/80/90:1.1``): test vehicle mass kg [class] / speed km/h /
  impact angle ° / penetration m [/ debris] [D6]-[D10].
* ``none``: an unrated barrier, stops nothing.

A barrier whose plan states no rating gets its kind's default (:data:`DEFAULT_RATINGS`,
**assumptions**): a fixed ``bollard`` or a ``fence`` the lightest PAS 68 car test
(1,500 kg at 48 km/h, 133 kJ, 1 m); a ``rising_bollard`` ASTM M30-P1 (the lowest truck
rating; GA/T 1343-2016, the Chinese standard for rising road blockers, was not read for
its test energies); a ``hard_barrier`` M50-P1; an ``isolation`` railing (a pedestrian
guardrail, not a hostile-vehicle barrier) a car at 16 km/h (15 kJ) with 2 m of travel: it
keeps a slow or calmed vehicle off the pedestrian line it lines, and is breached by a
vehicle driven at it.

Ratings of different standards are not interchangeable in their details (vehicle
structure, how penetration is measured; the maker quoted in [D6] warns of this); the
model compares only the kinetic energy ½·m·v² and the penetration, the two quantities
every format states.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["ASTM_PENETRATION_M", "ASTM_VEHICLES_KG", "DEFAULT_RATINGS", "CrashRating",
           "parse_rating"]

MPH = 0.44704
"""Metres per second in one mile per hour."""

ASTM_VEHICLES_KG = {"C": 1100.0, "FS": 2100.0, "PU": 2300.0, "M": 6800.0, "C7": 7200.0,
                    "H": 29500.0}
"""ASTM F2656 test vehicles (kg) [D1][D2][D5]."""
ASTM_PENETRATION_M = {1: 1.0, 2: 7.0, 3: 30.0, 4: 60.0}
"""Upper penetration (m) of ASTM classes P1-P4 (P4 is open-ended: 60 m, UNVERIFIED)."""
DOS_SPEED_MPH = {4: 30.0, 8: 40.0, 12: 50.0}
"""DoS K-rating speeds (mph) with the 6,800 kg medium-duty truck [D3][D4]."""
DOS_PENETRATION_M = 0.91
"""DoS SD-STD-02.01 Rev A: penetration at most 3 ft."""

_ASTM = re.compile(r"^(C7|FS|PU|C|M|H)(\d{2,3})(?:-?P([1-4]))?$")
_DOS = re.compile(r"^K(4|8|12)(?:-?L([1-3]))?$")
_ISO = re.compile(r"^V/(\d+(?:\.\d+)?)\s*[\[(]\s*([A-Z0-9]+)\s*[\])]\s*/(\d+(?:\.\d+)?)"
                  r"/(\d+(?:\.\d+)?)\s*[:/]\s*(\d+(?:\.\d+)?)(?:/.*)?$")


@dataclass(frozen=True)
class CrashRating:
    """A barrier's rated test: vehicle mass, impact speed and penetration."""

    label: str
    standard: str
    """``ASTM F2656``, ``DoS SD-STD-02.01``, ``IWA 14-1 / PAS 68`` or ``none``."""
    mass_kg: float
    speed_kmh: float
    penetration_m: float

    @property
    def speed_mps(self) -> float:
        """Rated impact speed (m/s)."""
        return self.speed_kmh / 3.6

    @property
    def energy_kj(self) -> float:
        """Kinetic energy of the rated test (kJ)."""
        return 0.5 * self.mass_kg * self.speed_mps ** 2 / 1000.0

    def __str__(self) -> str:
        if self.standard == "none":
            return "none"
        return (f"{self.label} ({self.mass_kg:,.0f} kg at {self.speed_kmh:.0f} km/h, "
                f"{self.energy_kj:,.0f} kJ, penetration ≤ {self.penetration_m:g} m)")


NONE = CrashRating("none", "none", 0.0, 0.0, math.inf)


def parse_rating(text: str) -> CrashRating:
    """Parse a rating as written by its standard (see module doc).

    Raises
    ------
    ValueError
        Not a rating this module knows (the message lists the accepted forms).
    """
    s = text.strip()
    if s.lower() in ("none", "unrated", ""):
        return NONE
    u = s.upper().replace(" ", "")
    m = _ASTM.match(u)
    if m:
        veh, mph, p = m.group(1), float(m.group(2)), int(m.group(3) or 1)
        return CrashRating(s, "ASTM F2656", ASTM_VEHICLES_KG[veh], mph * MPH * 3.6,
                           ASTM_PENETRATION_M[p])
    m = _DOS.match(u)
    if m:
        return CrashRating(s, "DoS SD-STD-02.01", ASTM_VEHICLES_KG["M"],
                           DOS_SPEED_MPH[int(m.group(1))] * MPH * 3.6, DOS_PENETRATION_M)
    m = _ISO.match(s.replace(" ", ""))
    if m:
        mass, speed, pen = float(m.group(1)), float(m.group(3)), float(m.group(5))
        if mass <= 0 or speed <= 0:
            raise ValueError(f"rating {text!r}: mass and speed must be > 0")
        return CrashRating(s, "IWA 14-1 / PAS 68", mass, speed, pen)
    raise ValueError(
        f"unknown crash rating {text!r}; expected ASTM F2656 (e.g. 'M50-P1', 'C40', "
        "'PU60-P2'), DoS ('K12'), IWA 14-1 / PAS 68 ('V/7200[N3C]/80/90:1.1') or 'none'")


DEFAULT_RATINGS: dict[str, CrashRating] = {
    "bollard": parse_rating("V/1500[M1]/48/90:1.0"),
    "fence": parse_rating("V/1500[M1]/48/90:1.0"),
    "rising_bollard": parse_rating("M30-P1"),
    "hard_barrier": parse_rating("M50-P1"),
    "isolation": parse_rating("V/1500[M1]/16/90:2.0"),
}
"""Rating assumed for a barrier of each kind when its plan states none (assumptions)."""
