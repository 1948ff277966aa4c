"""Typed hazard specifications: one pydantic model per ``kind`` of ``[[hazards]]`` table.

A scenario holds a tuple of these (:attr:`sim.model.scenario.Scenario.hazards`), parsed once
when the scenario is read. What each field means, with sources and units, is in the module
of the hazard that acts on it (:mod:`sim.hazards.fire`, :mod:`sim.hazards.attack`, ...) and in
``docs/scenario-format.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class DrillSpec(BaseModel):
    """An alarm raised at ``t_s`` (s), optionally at a ``space``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["drill"] = "drill"
    t_s: float = Field(default=0.0, ge=0)
    space: str | None = None
    alarm: Literal["general", "zoned"] = "general"


class FireHazardSpec(BaseModel):
    """A fire at ``space`` igniting at ``t_s``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["fire"] = "fire"
    space: str
    t_s: float = Field(default=0.0, ge=0)
    growth: Literal["slow", "medium", "fast", "ultrafast"] = "medium"
    alpha_kw_s2: float | None = Field(default=None, gt=0)
    peak_kw: float | None = Field(default=None, gt=0)
    sprinklered: bool | None = None
    sprinkler_activation_s: float | None = Field(default=None, ge=0)
    soot_yield: float | None = Field(default=None, gt=0)
    co_yield: float | None = Field(default=None, ge=0)
    fed_incapacitation: float = Field(default=0.3, gt=0)
    speed_model: Literal["frantzich_nilsson", "fridolf"] = "frantzich_nilsson"
    spread_delay_s: float | None = Field(default=None, ge=0)
    openings_lost_after_s: float | None = Field(default=None, ge=0)
    step_s: float = Field(default=5.0, gt=0)


class CrushSpec(BaseModel):
    """A crowd-crush hazard (see module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["crush"] = "crush"
    trigger: Literal["panic", "gathering", "escalator_stop"] = "panic"
    space: str
    t_s: float = Field(default=0.0, ge=0)
    panic_radius: int = Field(default=2, ge=0)
    speed_boost: float | None = Field(default=None, ge=1.0)
    compliance: float | None = Field(default=None, ge=0, le=1)
    push_density_pm2: float | None = Field(default=None, gt=0)
    critical_density_pm2: float | None = Field(default=None, gt=0)
    sustained_s: float | None = Field(default=None, ge=0)
    injury_rate_per_min: float | None = Field(default=None, ge=0)
    stair_factor: float | None = Field(default=None, ge=1)
    fall_density_pm2: float | None = Field(default=None, gt=0)
    fall_rate_per_min: float | None = Field(default=None, ge=0)
    fall_block_s: float | None = Field(default=None, ge=0)
    sample_s: float = Field(default=1.0, gt=0)


class AttackSpec(BaseModel):
    """An attack: weapon, attackers, entrance, targeting and the rules' parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["attack"] = "attack"
    weapon: Literal["knife", "firearm"] = "knife"
    attackers: int = Field(default=1, ge=1, le=50)
    t_s: float = Field(default=0.0, ge=0)
    interval_s: float = Field(default=0.0, ge=0)
    entrance: str | None = None
    target: Literal["densest", "space", "route"] = "densest"
    space: str | None = None
    route: list[str] = Field(default_factory=list)
    speed_mps: float | None = Field(default=None, gt=0)
    rate_per_min: float | None = Field(default=None, ge=0)
    density_ref_pm2: float | None = Field(default=None, gt=0)
    density_factor_max: float | None = Field(default=None, gt=0)
    fatality: float | None = Field(default=None, ge=0, le=1)
    guards_required: int | None = Field(default=None, ge=1)
    struggle_s: float | None = Field(default=None, ge=0)
    police_struggle_s: float | None = Field(default=None, ge=0)
    confronted_factor: float | None = Field(default=None, ge=0, le=1)
    search_radius_m: float | None = Field(default=None, gt=0)
    tick_s: float = Field(default=2.0, gt=0)
    all_clear_s: float | None = Field(default=None, ge=0)


class VehicleSpec(BaseModel):
    """A ramming vehicle: entrance or approach, speed and the rules' parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["vehicle"] = "vehicle"
    t_s: float = Field(default=0.0, ge=0)
    entrance: str | None = None
    approach: str | None = None
    speed_mps: float = Field(default=13.9, gt=0)
    length_m: float | None = Field(default=None, gt=0)
    speed_bumps: int | None = Field(default=None, ge=0)
    bump_speed_mps: float | None = Field(default=None, gt=0)
    accel_mps2: float | None = Field(default=None, gt=0)
    decel_mps2: float | None = Field(default=None, gt=0)
    width_m: float = Field(default=2.5, gt=0)
    indoor_penetration_m: float | None = Field(default=None, ge=0)


class SecondDevice(BaseModel):
    """A second device, ``delay_s`` after the first."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    space: str
    delay_s: float = Field(default=300.0, ge=0)
    charge_kg: float = Field(default=5.0, gt=0)
    at: tuple[float, float] | None = None


class ExplosionSpec(BaseModel):
    """A blast: where, when, how big, and the rules' thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["explosion"] = "explosion"
    space: str
    t_s: float = Field(default=0.0, ge=0)
    charge_kg: float = Field(default=5.0, gt=0)
    at: tuple[float, float] | None = None
    fatal_z: float = Field(default=2.5, ge=0)
    injury_z: float = Field(default=8.0, ge=0)
    neighbour_injury_p: float = Field(default=0.5, ge=0, le=1)
    lose_z: float = Field(default=2.0, ge=0)
    lose_openings: list[str] = Field(default_factory=list)
    second: SecondDevice | None = None


class RobberySpec(BaseModel):
    """A robbery: target, timing, the robber's flight and interception."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["robbery"] = "robbery"
    target: str | None = None
    t_s: float = Field(default=0.0, ge=0)
    dwell_s: float = Field(default=60.0, ge=0)
    speed_mps: float = Field(default=2.5, gt=0)
    exit: str | None = None
    intercept_p: float = Field(default=0.5, ge=0, le=1)


class HostageSpec(BaseModel):
    """A hostage-taking in a shop."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["hostage"] = "hostage"
    space: str | None = None
    t_s: float = Field(default=0.0, ge=0)
    zone_radius_m: float = Field(default=30.0, ge=0)
    cordon_per_cell: int = Field(default=1, ge=1)
    siege_s: float = Field(default=1200.0, ge=0)


Device = Literal["cctv", "pa", "buttons", "detectors", "police_link", "lighting", "duty_room"]


class SabotageSpec(BaseModel):
    """Devices that fail and exits that are locked at ``t_s``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["sabotage"] = "sabotage"
    t_s: float = Field(default=0.0, ge=0)
    devices: list[Device] = Field(default_factory=list)
    locked_exits: list[str] = Field(default_factory=list)
    dark_speed_factor: float = Field(default=0.6, gt=0, le=1)


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
