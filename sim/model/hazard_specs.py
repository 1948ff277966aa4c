"""Typed hazard specifications: one pydantic model per ``kind`` of ``[[hazards]]`` table.

A scenario holds a tuple of these (:attr:`sim.model.scenario.Scenario.hazards`), parsed once
when the scenario is read. What each field means, with sources and units, is in the module
of the hazard that acts on it (:mod:`sim.hazards.fire`, :mod:`sim.hazards.attack`, ...) and in
``docs/scenario-format.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.model import limits
from sim.model.validation import (
    Coordinate,
    Density,
    Length,
    Number,
    PositiveLength,
    PositiveSeconds,
    Rate,
    Seconds,
    Share,
    Speed,
    TimeStep,
    Whole,
)


class DrillSpec(BaseModel):
    """An alarm raised at ``t_s`` (s), optionally at a ``space``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["drill"] = "drill"
    t_s: Seconds = 0.0
    space: str | None = None
    alarm: Literal["general", "zoned"] = "general"


class FireHazardSpec(BaseModel):
    """A fire in ``space`` igniting at ``t_s`` (see the module docstring and
    ``docs/fire-and-smoke.md``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["fire"] = "fire"
    space: str
    t_s: Seconds = 0.0
    growth: Literal["slow", "medium", "fast", "ultrafast"] = "medium"
    alpha_kw_s2: Number | None = Field(default=None, gt=0, le=1e5)
    """t² growth (kW/s²): ultra-fast is 0.1876; 1e4 and more is a fire at full size at once
    (verification cases use it)."""
    peak_kw: Number | None = Field(default=None, gt=0, le=limits.MAX_FIRE_KW)
    sprinklered_kw: Number | None = Field(default=None, gt=0, le=limits.MAX_FIRE_KW)
    design_fire: Literal["gb51251", "bre368"] = "gb51251"
    sprinklered: bool | None = None
    sprinkler_hold: Literal["code", "activation"] = "code"
    sprinkler_activation_s: Seconds | None = None
    soot_yield: Number | None = Field(default=None, gt=0, le=1)
    co_yield: Number | None = Field(default=None, ge=0, le=1)
    co2_yield: Number | None = Field(default=None, ge=0, le=5)
    radiative_fraction: Number | None = Field(default=None, ge=0, lt=1)
    plume: Literal["nfpa92", "zukoski"] = "nfpa92"
    wall_heat_transfer_kw_m2k: Number | None = Field(default=None, ge=0, le=1e3)
    fed_incapacitation: Number | None = Field(default=None, gt=0, le=100)
    speed_model: Literal["frantzich_nilsson", "fridolf"] = "frantzich_nilsson"
    turn_back_visibility_m: Number | None = Field(default=None, ge=0, le=1e3)
    front_speed_mps: Number | None = Field(default=None, gt=0, le=1e3)
    openings_lost_after_s: Seconds | None = None
    aset_horizon_s: Seconds = 1800.0
    step_s: TimeStep = 5.0


class CrushSpec(BaseModel):
    """A crowd-crush hazard (see module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["crush"] = "crush"
    trigger: Literal["panic", "gathering", "escalator_stop"] = "panic"
    space: str
    t_s: Seconds = 0.0
    panic_radius: Whole = Field(default=2, ge=0, le=limits.MAX_PANIC_RADIUS)
    speed_boost: Number | None = Field(default=None, ge=1.0, le=10.0)
    compliance: Share | None = None
    push_density_pm2: Density | None = None
    critical_density_pm2: Density | None = None
    sustained_s: Seconds | None = None
    injury_rate_per_min: Rate | None = None
    stair_factor: Number | None = Field(default=None, ge=1, le=limits.MAX_RATE)
    fall_density_pm2: Density | None = None
    fall_rate_per_min: Rate | None = None
    fall_block_s: Seconds | None = None
    asphyxia_density_pm2: Density | None = None
    asphyxia_onset_s: Seconds | None = None
    asphyxia_rate_per_min: Rate | None = None
    all_clear_s: Seconds | None = None
    sample_s: TimeStep = 1.0


class AttackSpec(BaseModel):
    """An attack: weapon, attackers, entrance, targeting and the rules' parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["attack"] = "attack"
    weapon: Literal["knife", "firearm"] = "knife"
    attackers: Whole = Field(default=1, ge=1, le=50)
    t_s: Seconds = 0.0
    interval_s: Seconds = 0.0
    entrance: str | None = None
    target: Literal["densest", "space", "route"] = "densest"
    space: str | None = None
    route: list[str] = Field(default_factory=list, max_length=limits.MAX_ITEMS)
    speed_mps: Speed | None = None
    rate_per_min: Rate | None = None
    density_ref_pm2: Density | None = None
    """Reference density of ``rate_per_min`` (default 0.5 p/m², see
    :data:`sim.hazards.attack_harm.DENSITY_REF_PM2`)."""
    density_exponent: Number | None = Field(default=None, ge=0, le=10.0)
    rate_max_per_min: Number | None = Field(default=None, gt=0, le=limits.MAX_RATE)
    fatality: Share | None = None
    ended_after_s: PositiveSeconds | None = None
    guards_required: Whole | None = Field(default=None, ge=1, le=limits.MAX_STAFF)
    struggle_s: Seconds | None = None
    police_struggle_s: Seconds | None = None
    confronted_factor: Share | None = None
    search_radius_m: PositiveLength | None = None
    tick_s: TimeStep = 2.0
    all_clear_s: Seconds | None = None


class VehicleSpec(BaseModel):
    """A ramming vehicle: entrance or approach, vehicle, speed and the rules' parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["vehicle"] = "vehicle"
    t_s: Seconds = 0.0
    entrance: str | None = None
    approach: str | None = None
    vehicle: Literal["car", "van", "truck"] = "car"
    speed_mps: Number = Field(default=13.9, gt=0, le=limits.MAX_VEHICLE_SPEED_MPS)
    length_m: PositiveLength | None = None
    speed_bumps: Whole | None = Field(default=None, ge=0, le=1000)
    chicanes: Whole | None = Field(default=None, ge=0, le=1000)
    bump_speed_mps: Number | None = Field(default=None, gt=0,
                                          le=limits.MAX_VEHICLE_SPEED_MPS)
    accel_mps2: Number | None = Field(default=None, gt=0, le=limits.MAX_ACCEL_MPS2)
    decel_mps2: Number | None = Field(default=None, gt=0, le=limits.MAX_ACCEL_MPS2)
    width_m: Number | None = Field(default=None, gt=0, le=20)
    indoor_penetration_m: Length | None = None
    retargets: Whole | None = Field(default=None, ge=0, le=1000)
    turn_s: Seconds | None = None


class SecondDevice(BaseModel):
    """A second device, ``delay_s`` after the first."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    space: str
    delay_s: Seconds = 300.0
    charge_kg: Number = Field(default=5.0, gt=0, le=limits.MAX_CHARGE_KG)
    at: tuple[Coordinate, Coordinate] | None = None


class ExplosionSpec(BaseModel):
    """A blast: where, when, how big, and the rules' thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["explosion"] = "explosion"
    space: str
    t_s: Seconds = 0.0
    charge_kg: Number = Field(default=5.0, gt=0, le=limits.MAX_CHARGE_KG)
    at: tuple[Coordinate, Coordinate] | None = None
    fatal_z: Number = Field(default=2.5, ge=0, le=1000)
    injury_z: Number = Field(default=8.0, ge=0, le=1000)
    neighbour_injury_p: Share = 0.5
    lose_z: Number = Field(default=2.0, ge=0, le=1000)
    lose_openings: list[str] = Field(default_factory=list, max_length=limits.MAX_ITEMS)
    second: SecondDevice | None = None


class RobberySpec(BaseModel):
    """A robbery: target, timing, the robber's flight and interception."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["robbery"] = "robbery"
    target: str | None = None
    t_s: Seconds = 0.0
    dwell_s: Seconds = 60.0
    speed_mps: Speed = 2.5
    exit: str | None = None
    intercept_p: Share = 0.5


class HostageSpec(BaseModel):
    """A hostage-taking in a shop."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["hostage"] = "hostage"
    space: str | None = None
    t_s: Seconds = 0.0
    zone_radius_m: Length = 30.0
    cordon_per_cell: Whole = Field(default=1, ge=1, le=100)
    siege_s: Seconds = 1200.0


Device = Literal["cctv", "pa", "buttons", "detectors", "police_link", "lighting", "duty_room"]


class SabotageSpec(BaseModel):
    """Devices that fail and exits that are locked at ``t_s``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["sabotage"] = "sabotage"
    t_s: Seconds = 0.0
    devices: list[Device] = Field(default_factory=list)
    locked_exits: list[str] = Field(default_factory=list, max_length=limits.MAX_ITEMS)
    dark_speed_factor: Number = Field(default=0.6, gt=0, le=1)


HazardSpec = Annotated[
    DrillSpec | FireHazardSpec | CrushSpec | AttackSpec | VehicleSpec | ExplosionSpec
    | RobberySpec | HostageSpec | SabotageSpec,
    Field(discriminator="kind")]
"""Any hazard specification, told apart by its ``kind``."""

#: Hazard kind → its specification model.
SPECS: dict[str, type[BaseModel]] = {
    "drill": DrillSpec, "fire": FireHazardSpec, "crush": CrushSpec, "attack": AttackSpec,
    "vehicle": VehicleSpec, "explosion": ExplosionSpec, "robbery": RobberySpec,
    "hostage": HostageSpec, "sabotage": SabotageSpec,
}
