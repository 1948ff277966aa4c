"""Vehicle physics and harm for the ramming hazard: vehicle types, traffic calming, rated
barriers, who is struck and who dies.

Everything here is a pure function of its arguments (no world, no randomness), so the
same rules serve the simulation (:mod:`sim.hazards.vehicle`), the reconstructions of
recorded rammings (``tools/calibrate_harm.py``) and ``safemall barriers``. Sources and
the calibration are in ``docs/hazards-attacks.md`` and ``docs/harm-calibration.md``.

Vehicles
    ``car`` 1,500 kg (BSI PAS 68 M1 test car [D2][D8]), ``van`` 3,500 kg (PAS 68 N1
    [D2]), ``truck`` 7,200 kg (IWA 14-1 N3C test truck [D6][D7]; ASTM F2656 M is
    6,800 kg [D1]). Widths 1.8 / 2.0 / 2.5 m (2.55 m is the EU legal maximum;
    typical widths, **assumption**). Acceleration 2.5 / 2.0 / 1.0 m/s² from a crawl
    (**assumption**). Cornering limit 0.8 / 0.6 / 0.35 g: a car's tyre grip on dry
    asphalt, a van's and a loaded truck's rollover threshold (**assumption**, textbook
    orders of magnitude).

Traffic calming
    *Speed humps*: crossed at ``hump_speed_mps`` = 11.2 m/s (25 mph): Eugene (OR)
    measured average speeds of ~25 mph over series of 14-ft humps (~35 mph over 22-ft
    humps) (docs/harm-calibration.md [D12]). These are **compliant traffic** data; no
    source quantifies a hostile driver's speed over humps (none of the sources in
    docs/harm-calibration.md §2), so the value is an **assumption** for an attack (a
    determined driver may cross faster).
    *Chicanes*: a chicane whose path needs a turn of radius ``R`` m cannot be driven
    faster than ``sqrt(a_lat · R)``, ``a_lat`` the vehicle's cornering limit: physics,
    which binds a hostile driver too (UK NPSA lists chicanes among HVM streetscape
    measures that "slow vehicles down" [D13][D14], without a number).
    Features are evenly spaced along the approach; after the last one the vehicle
    accelerates again over the remaining ``length / (features + 1)``; with both kinds the
    last feature is taken to be the faster one (the defender's worst case).

Rated barriers (:mod:`sim.model.crash_rating`)
    A barrier stops a vehicle whose kinetic energy ½·m·v² is at most its rated test
    energy; the vehicle then travels past the barrier line a distance that grows with
    its energy, ``penetration · E / E_rated`` (a barrier deforming at a constant force
    absorbs energy in proportion to its deflection; **assumption**), up to the rated
    penetration. A vehicle with more energy **breaches**: the barrier absorbs at most its
    rated energy and the vehicle drives on at ``sqrt(2 (E − E_rated) / m)``.

Strikes (calibrated on rammings, ``docs/harm-calibration.md``)
    A vehicle of width ``w`` travelling ``x`` metres through a cell of area ``A`` sweeps
    the share ``min(1, w·x/A)`` of it; a person in the swept strip becomes a casualty
    with probability ``s(v) = min(1, s_ref · (v / 50 km/h)^k)`` (people step aside, or
    are only grazed): fitted to Nice 2016, Toronto 2018 and Liverpool 2025.
    A casualty dies with probability ``logit⁻¹(logit p50 + b1 · (v − 50 km/h)/10)``:
    the slope from the same three rammings, the level from the pooled study of 46
    rammings (206 of 1,636 casualties killed, 12.6 %, Valiño et al. 2024 [VA1]): the
    curve averages 12.6 % over 40-90 km/h, the span of the speeds on record. Single
    rammings' killed shares scatter far more than speed explains (Toronto 38 % at
    50-70 km/h, Nice 16.5 % at 80-90 km/h, Liverpool 0 % at ~48 km/h): the law gives
    the pooled share, not each incident's. This replaces the pedestrian-crash curve of
    Rosén & Sander (2009), which describes traffic crashes, not attacks into crowds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sim.model.assumptions import declare
from sim.model.crash_rating import CrashRating

__all__ = ["MASSES_KG", "BarrierOutcome", "StrikeLaw", "VehicleType", "approach_speed",
           "chicane_speed", "fatality_share", "meet_barrier", "strike_probability",
           "strike_share", "vehicle_type"]

G = 9.81
"""Gravity (m/s²)."""
VehicleKind = Literal["car", "van", "truck"]
_V = ("vehicle",)


@dataclass(frozen=True)
class VehicleType:
    """Mass (kg), width (m), acceleration (m/s²) and cornering limit (g) of a vehicle."""

    kind: VehicleKind
    mass_kg: float
    width_m: float
    accel_mps2: float
    lateral_g: float

    def energy_kj(self, v_mps: float) -> float:
        """Kinetic energy (kJ) at ``v_mps``."""
        return 0.5 * self.mass_kg * v_mps * v_mps / 1000.0


MASSES_KG: dict[str, float] = {"car": 1500.0, "van": 3500.0, "truck": 7200.0}
"""Test-vehicle masses: PAS 68 M1 car and N1 van [D2][D8], IWA 14-1 N3C truck [D6][D7]."""
_TYPE_PARAMS = {
    "width_m": ({"car": 1.8, "van": 2.0, "truck": 2.5}, 0.9, 1.1, "m", "width",
                "assumed: typical widths (2.55 m is the EU legal maximum)"),
    "accel_mps2": ({"car": 2.5, "van": 2.0, "truck": 1.0}, 0.6, 1.5, "m/s²",
                   "acceleration from a crawl", "assumed: a loaded vehicle at full throttle"),
    "lateral_g": ({"car": 0.8, "van": 0.6, "truck": 0.35}, 0.8, 1.2, "g",
                  "cornering limit (grip or rollover)",
                  "assumed: tyre grip on dry asphalt (car), rollover thresholds (van, truck); "
                  "textbook orders of magnitude"),
}
_TYPE_DECL = {
    (kind, f): declare(f"vehicle.{kind}.{f}", default=vals[kind], unit=unit,
                       low=round(vals[kind] * lo, 3), high=round(vals[kind] * hi, 3),
                       dist="uniform", valid_min=1e-3, status="assumed", used_by=_V,
                       source=src, name=f"{kind.capitalize()} {what}")
    for f, (vals, lo, hi, unit, what, src) in _TYPE_PARAMS.items() for kind in MASSES_KG
}


def vehicle_type(kind: str, param: Callable[[str], float] | None = None) -> VehicleType:
    """The vehicle type ``kind`` with the register's values (or a run's, via ``param``)."""
    get = param or (lambda key: _DEFAULTS[key])
    return VehicleType(kind, MASSES_KG[kind],  # type: ignore[arg-type]
                       *(get(f"vehicle.{kind}.{f}") for f in ("width_m", "accel_mps2",
                                                              "lateral_g")))


HUMP_SPEED = declare(
    "vehicle.bump_speed_mps", default=round(25 * 0.44704, 3), unit="m/s", low=8.0, high=16.0,
    dist="uniform", valid_min=0.1, status="assumed", used_by=_V,
    source="City of Eugene (OR): average speeds of ~25 mph over series of 14-ft humps (~35 "
           "mph over 22-ft humps); compliant traffic - no source gives a hostile driver's "
           "speed over humps", name="Speed over a speed hump")
HUMP_SPEED_MPS = HUMP_SPEED.default
"""Crossing speed over a speed hump, m/s (25 mph, compliant traffic [D12])."""
CHICANE_RADIUS_M = 10.0
"""Turn radius a chicane imposes when the plan gives none (m; the plan's default)."""

STRIKE_REF_KMH = 50.0
"""Reference speed of the strike and fatality laws (km/h)."""
_RAM_FIT = ("fitted on the rammings of Nice 2016, Toronto 2018 and Liverpool 2025 "
            "(casualties over the people in the vehicle's path; densities and paths "
            "assumed where no source gives them): tools/calibrate_harm.py, "
            "docs/harm-calibration.md")
_STRIKE_SHARE = declare(
    "vehicle.strike_share_50kmh", default=0.0974, unit="share", low=0.0484, high=0.167,
    dist="loguniform", valid_min=0.0, valid_max=1.0, status="fitted", used_by=_V,
    source=_RAM_FIT + "; 95 % interval 0.048-0.167",
    name="Share of the people in a vehicle's path who become casualties at 50 km/h")
_STRIKE_EXPONENT = declare(
    "vehicle.strike_speed_exponent", default=1.41, unit="1", low=-0.16, high=3.39,
    dist="uniform", status="fitted", used_by=_V,
    source=_RAM_FIT + "; 95 % interval -0.16 to 3.39",
    name="Exponent of the strike share's speed dependence")
_FATAL_50 = declare(
    "vehicle.fatality_50kmh", default=0.044, unit="share", low=0.0006, high=0.19,
    dist="loguniform", valid_min=1e-6, valid_max=1.0 - 1e-6, status="fitted", used_by=_V,
    source="the fatality curve whose average over 40-90 km/h is the pooled share of 46 "
           "rammings, 206 of 1,636 casualties killed (Valiño et al. 2024, Prehospital "
           "and Disaster Medicine); slope from Nice, Toronto, Liverpool; 95 % interval "
           "0.0006-0.19", name="Share of ramming casualties killed at 50 km/h")
_FATAL_SLOPE = declare(
    "vehicle.fatality_slope_per_10kmh", default=0.588, unit="logit per 10 km/h", low=-0.43,
    high=2.1, dist="uniform", status="fitted", used_by=_V,
    source="beta-binomial profile likelihood over Nice 2016, Toronto 2018, Liverpool 2025 "
           "(speeds as reported by witnesses); 95 % interval -0.43 to 2.1 (includes 0)",
    name="Logit slope of the ramming fatality share per 10 km/h")
STRIKE_SHARE_50 = _STRIKE_SHARE.default
"""Share of the people in the swept strip who become casualties at 50 km/h (fitted)."""
STRIKE_SPEED_EXPONENT = _STRIKE_EXPONENT.default
"""Exponent of the strike share's speed dependence (fitted)."""
FATAL_50 = _FATAL_50.default
"""Share of ramming casualties killed at 50 km/h (fitted)."""
FATAL_SLOPE_PER_10KMH = _FATAL_SLOPE.default
"""Logit slope of the fatality share per 10 km/h (fitted)."""
_DEFAULTS = {a.key: a.default for a in _TYPE_DECL.values()}
VEHICLES: dict[str, VehicleType] = {k: vehicle_type(k) for k in MASSES_KG}
"""The vehicle types with the register's default values."""


def chicane_speed(vehicle: VehicleType, radius_m: float) -> float:
    """Highest speed (m/s) through a chicane of turn radius ``radius_m``."""
    return math.sqrt(vehicle.lateral_g * G * max(radius_m, 0.0))


def approach_speed(speed_mps: float, length_m: float, vehicle: VehicleType, *,
                   humps: int = 0, chicanes: int = 0, hump_speed_mps: float = HUMP_SPEED_MPS,
                   chicane_radius_m: float = CHICANE_RADIUS_M) -> float:
    """Speed (m/s) at the end of an approach with evenly spaced humps and chicanes."""
    n = humps + chicanes
    if n <= 0:
        return speed_mps
    caps = []
    if humps:
        caps.append(hump_speed_mps)
    if chicanes:
        caps.append(chicane_speed(vehicle, chicane_radius_m))
    v = min(speed_mps, max(caps))
    return min(speed_mps, math.sqrt(v * v + 2.0 * vehicle.accel_mps2 * length_m / (n + 1)))


@dataclass(frozen=True)
class BarrierOutcome:
    """What a barrier does to a vehicle: stopped (with its travel past the line) or not."""

    stopped: bool
    travel_m: float
    """Stopped: distance past the barrier line (≤ rated penetration)."""
    speed_after_mps: float
    """Breached: speed past the barrier; stopped: the speed entering the deflection."""
    energy_kj: float
    rated_kj: float


def meet_barrier(vehicle: VehicleType, v_mps: float, rating: CrashRating) -> BarrierOutcome:
    """The vehicle at ``v_mps`` meets a barrier of ``rating`` (see module doc)."""
    e = vehicle.energy_kj(v_mps)
    rated = rating.energy_kj
    if rated > 0 and e <= rated:
        return BarrierOutcome(True, rating.penetration_m * e / rated, v_mps, e, rated)
    residual = max(e - rated, 0.0) * 1000.0
    return BarrierOutcome(False, 0.0, math.sqrt(2.0 * residual / vehicle.mass_kg), e, rated)


def strike_share(v_mps: float, *, share_50: float = STRIKE_SHARE_50,
                 exponent: float = STRIKE_SPEED_EXPONENT) -> float:
    """Chance that a person in the vehicle's path at ``v_mps`` becomes a casualty."""
    if v_mps <= 0:
        return 0.0
    return min(1.0, share_50 * (v_mps * 3.6 / STRIKE_REF_KMH) ** exponent)


def strike_probability(v_mps: float, width_m: float, x_m: float, area_m2: float,
                       **law: float) -> float:
    """Chance a person in a cell of ``area_m2`` is harmed by a vehicle crossing ``x_m``."""
    if area_m2 <= 0 or x_m <= 0:
        return 0.0
    return min(1.0, width_m * x_m / area_m2) * strike_share(v_mps, **law)


def fatality_share(v_mps: float, *, p50: float = FATAL_50,
                   slope: float = FATAL_SLOPE_PER_10KMH) -> float:
    """Chance that a ramming casualty struck at ``v_mps`` dies."""
    z = math.log(p50 / (1.0 - p50)) + slope * (v_mps * 3.6 - STRIKE_REF_KMH) / 10.0
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class StrikeLaw:
    """The strike and fatality laws with one run's parameter values."""

    share_50: float = STRIKE_SHARE_50
    exponent: float = STRIKE_SPEED_EXPONENT
    p50: float = FATAL_50
    slope: float = FATAL_SLOPE_PER_10KMH

    @classmethod
    def of_run(cls, param: Callable[[str], float]) -> StrikeLaw:
        """The law with a run's values (``world.param``)."""
        return cls(param(_STRIKE_SHARE.key), param(_STRIKE_EXPONENT.key),
                   param(_FATAL_50.key), param(_FATAL_SLOPE.key))

    def strike_probability(self, v_mps: float, width_m: float, x_m: float,
                           area_m2: float) -> float:
        """:func:`strike_probability` with this law."""
        return strike_probability(v_mps, width_m, x_m, area_m2, share_50=self.share_50,
                                  exponent=self.exponent)

    def fatality_share(self, v_mps: float) -> float:
        """:func:`fatality_share` with this law."""
        return fatality_share(v_mps, p50=self.p50, slope=self.slope)
