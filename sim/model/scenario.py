"""Scenarios (``schema = "safemall/scenario/1"``): who is in the mall, how they move,
what happens, for how long, with which seed. Documented in ``docs/scenario-format.md``.

Any field can be overridden with ``--set dotted.key=value`` (the value is read as a TOML
value, else as a string); overrides are applied to the raw mapping *before* validation,
so an override is validated exactly like the file.

Default pre-movement times (seconds, log-normal by mean and standard deviation) are
engineering assumptions, not code values: PD 7974-6 category B (awake, unfamiliar:
shops) percentiles (PD 7974-6:2019 Table E.2, 2004 Annex C) were not available, so they
are unverified against it (``docs/assumptions.md``, ``premovement.*``). They are chosen so that
a bell-only alarm gives totals of a few minutes in a single-storey store, as in the
unannounced M&S evacuation (2 min 45 s, Shields & Boyce 1999), that voice messages and
staff instructions shorten response (staff strongly influenced start times, Shields &
Boyce 2000), and that seeing the incident gives the shortest response.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    InstanceOf,
    PlainSerializer,
    ValidationError,
    model_validator,
)

from sim.errors import ScenarioError
from sim.model import assumptions as asm
from sim.model import limits
from sim.model.hazard_specs import SPECS as HAZARD_SPECS
from sim.model.hazard_specs import HazardSpec
from sim.model.layout import Layout, SpaceKind
from sim.model.security_plan import SecurityPlan
from sim.model.security_plan import apply_overrides as apply_plan_overrides
from sim.model.validation import (
    Count,
    Density,
    Number,
    PositiveSeconds,
    Seconds,
    Seed,
    Share,
    Speed,
    TimeStep,
    Whole,
    Width,
    first_error,
    nesting_depth_exceeds,
)

SCHEMA = "safemall/scenario/1"
#: Most hazards one scenario may list.
MAX_HAZARDS = 1000
CueKind = Literal["incident", "alarm", "pa", "guard", "panic"]
CUE_KINDS: tuple[str, ...] = ("incident", "alarm", "pa", "guard", "panic")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SpeedDist(_Strict):
    """A normal distribution truncated to ``[min, max]`` (m/s)."""

    mean: Speed
    sd: Number = Field(default=0.0, ge=0, le=limits.MAX_PERSON_SPEED_MPS)
    min: Speed = 0.3
    max: Speed = 2.5

    @model_validator(mode="after")
    def _ordered(self) -> SpeedDist:
        if self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self


class PremovementDist(_Strict):
    """A pre-movement delay distribution (s)."""

    model: Literal["none", "fixed", "lognormal", "uniform", "normal"] = "lognormal"
    fixed_s: Seconds = 0.0
    mean_s: Seconds = 60.0
    sd_s: Seconds = 40.0
    min_s: Seconds = 0.0
    max_s: Seconds = 900.0

    @model_validator(mode="after")
    def _ordered(self) -> PremovementDist:
        if self.min_s > self.max_s:
            raise ValueError(f"min_s {self.min_s:g} is above max_s {self.max_s:g}")
        return self


_PREMOVE_SOURCE = ("assumed: PD 7974-6 category B percentiles not available; chosen so a "
                   "bell-only alarm gives totals of a few minutes in a single-storey store "
                   "(unannounced M&S evacuation 2 min 45 s, Shields & Boyce 1999) and "
                   "staff instructions shorten response (Shields & Boyce 2000); "
                   "retail data are log-normal (Forssberg et al. 2019, Fire Technol. 55)")
_CUE_DEFAULTS: dict[str, tuple[float, float, float, str]] = {
    # cue: (mean s, sd s, max s, what the cue is)
    "alarm": (60.0, 40.0, 600.0, "alarm bell or siren"),
    "pa": (40.0, 25.0, 400.0, "voice message on the PA"),
    "guard": (20.0, 10.0, 120.0, "instruction from a guard"),
    "incident": (10.0, 8.0, 90.0, "seeing or hearing the incident nearby"),
    "panic": (3.0, 2.0, 20.0, "seeing the incident in one's own space"),
}
for _cue, (_m, _sd, _mx, _what) in _CUE_DEFAULTS.items():
    asm.declare(f"premovement.{_cue}.mean_s", default=_m, unit="s", low=_m / 2, high=_m * 2.5,
                dist="loguniform", valid_min=0.0, status="assumed", source=_PREMOVE_SOURCE,
                name=f"Mean pre-movement time after a cue: {_what} (log-normal)",
                used_by=("evacuation",))
    asm.declare(f"premovement.{_cue}.sd_s", default=_sd, unit="s", low=_sd / 2, high=_sd * 2,
                dist="loguniform", valid_min=0.0, status="assumed", source=_PREMOVE_SOURCE,
                name=f"Standard deviation of pre-movement time after: {_what}",
                used_by=("evacuation",))

DEFAULT_CUES: dict[str, PremovementDist] = {
    cue: PremovementDist(model="lognormal", mean_s=m, sd_s=sd, max_s=mx)
    for cue, (m, sd, mx, _) in _CUE_DEFAULTS.items()}
"""Register defaults of the cues' distributions (a run uses its resolved parameters)."""


class Occupants(_Strict):
    """Where people are at t = 0: exactly one of count, per_space, density."""

    count: Count | None = None
    per_space: dict[str, Count] | None = None
    density: Literal["gb50016", "gb50016_low", "observed"] | None = None
    in_kinds: list[SpaceKind] = Field(
        default_factory=lambda: ["shop", "corridor", "atrium"])  # type: ignore[arg-type]
    scale: Number = Field(default=1.0, gt=0, le=100)
    extra: dict[str, Count] = Field(default_factory=dict)
    """Extra people gathered in named spaces on top of the load above (an event, a sale)."""

    @model_validator(mode="after")
    def _one_source(self) -> Occupants:
        given = [k for k in ("count", "per_space", "density") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of count, per_space, density (got {', '.join(given)})")
        return self


class Population(_Strict):
    """Walking speeds: model, free-speed distribution, age groups, limited mobility."""

    speed_model: Literal["sfpe", "weidmann"] = "sfpe"
    free_speed_mps: Speed | SpeedDist | None = None
    groups: dict[Literal["under30", "age30_50", "over50"], Share] | None = None
    limited_mobility_share: Share = 0.0
    stair_speed_up_mps: Speed | None = None
    stair_speed_down_mps: Speed | None = None

    @model_validator(mode="after")
    def _shares(self) -> Population:
        if self.groups is not None and not sum(self.groups.values()) > 0:
            raise ValueError("population.groups: the shares must add up to more than 0")
        return self


class Premovement(PremovementDist):
    """Default (alarm-bell) distribution plus per-cue and per-space-kind overrides."""

    cues: dict[CueKind, PremovementDist] = Field(default_factory=dict)
    by_kind: dict[SpaceKind, PremovementDist] = Field(default_factory=dict)
    explicit: dict[str, Seconds] = Field(default_factory=dict)
    """Per-occupant fixed delays by occupant index (``"0" = 10.0``), for verification.
    Every index must name an occupant of the run (checked when people are placed)."""

    @model_validator(mode="after")
    def _indices(self) -> Premovement:
        for key in self.explicit:
            if not (key.isascii() and key.isdigit()) or len(key) > 9:
                raise ValueError(f"explicit: {key!r} is not an occupant index (0, 1, 2, ...)")
        return self


class Routing(_Strict):
    """Exit choice policy."""

    policy: Literal["nearest", "quickest", "familiar", "assigned"] = "nearest"
    switch_margin: Number = Field(default=0.15, ge=0, le=100)
    familiar_share: Share = 0.6
    assigned: dict[str, str] = Field(default_factory=dict)
    use_escalators: bool = True


class Movement(_Strict):
    """Flow calibration and geometry resolution."""

    flow: Literal["sfpe", "empirical"] = "sfpe"
    stairs: Literal["sfpe", "imo"] = "sfpe"
    jam_density_pm2: Density = 4.0
    max_cell_area_m2: Number = Field(default=300.0, ge=limits.MIN_CELL_SIZE,
                                     le=limits.MAX_EXTENT_M ** 2)
    max_cell_length_m: Number = Field(default=20.0, ge=limits.MIN_CELL_SIZE,
                                      le=limits.MAX_EXTENT_M)
    deadlock_check_s: Number = Field(default=15.0, ge=1.0, le=limits.MAX_TIME_S)


class Geometry(_Strict):
    """Changes to the building for this scenario (geometry sweeps in batches)."""

    widths: dict[str, Width] = Field(default_factory=dict)
    """Opening id → clear width (m)."""
    closed: list[str] = Field(default_factory=list)
    """Opening ids that are closed (locked, blocked) for the whole run."""


class Output(_Strict):
    """What the run records."""

    sample_dt_s: TimeStep = 1.0
    lower_bound: bool = True


def _layout_source(layout: Layout) -> str:
    return layout.source


class ScenarioSettings(_Strict):
    """A scenario file's own settings: everything but the building, the plan and hazards."""

    schema_: Literal["safemall/scenario/1"] = Field(alias="schema")
    name: str = ""
    description: str = ""
    seed: Seed = 0
    duration_s: PositiveSeconds = 3600.0
    occupants: Occupants = Field(default_factory=Occupants)
    population: Population = Field(default_factory=Population)
    premovement: Premovement = Field(default_factory=Premovement)
    routing: Routing = Field(default_factory=Routing)
    movement: Movement = Field(default_factory=Movement)
    geometry: Geometry = Field(default_factory=Geometry)
    output: Output = Field(default_factory=Output)
    assumptions: dict[str, Whole | Number] = Field(default_factory=dict)
    """Overrides of the assumptions register (:mod:`sim.model.assumptions`), dotted key →
    value, checked against the register (``[assumptions]`` table, nested tables allowed)."""
    source: str = "<memory>"

    def cue_dist(self, cue: str, kind: str | None = None,
                 params: Mapping[str, float] | None = None) -> PremovementDist:
        """The pre-movement distribution for ``cue`` for a person in a ``kind`` space.

        Means and standard deviations the scenario does not set come from ``params`` (a
        run's resolved assumptions; the register's defaults when ``None``).
        """
        pm = self.premovement
        if pm.model == "none":
            return PremovementDist(model="none")
        if cue in pm.cues:
            return pm.cues[cue]
        p = params if params is not None else asm.resolve(self.assumptions)
        if cue == "alarm":
            if kind is not None and kind in pm.by_kind:
                return pm.by_kind[kind]  # type: ignore[index,unused-ignore]
            base = PremovementDist(**pm.model_dump(include=set(PremovementDist.model_fields)))
            return _fill_premovement(base, "alarm", p, pm.model_fields_set)
        if cue not in DEFAULT_CUES:
            cue = "alarm"
        return _fill_premovement(DEFAULT_CUES[cue], cue, p, set())


def _fill_premovement(d: PremovementDist, cue: str, params: Mapping[str, float],
                      given: set[str]) -> PremovementDist:
    upd = {f: params[f"premovement.{cue}.{f}"] for f in ("mean_s", "sd_s") if f not in given}
    return d.model_copy(update=upd) if upd else d


class Scenario(ScenarioSettings):
    """A validated scenario with everything it refers to, parsed once.

    ``layout`` is the building with the scenario's ``[geometry]`` widths applied;
    ``security`` is the security plan with the scenario's ``[security]`` changes applied
    (``None``: no security plan, nobody on duty); ``hazards`` are typed specifications.
    Build it with :func:`scenario_from_dict` (in memory) or
    :func:`sim.io.scenario_files.load_scenario` (from files).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              arbitrary_types_allowed=True)
    layout: Annotated[InstanceOf[Layout], PlainSerializer(_layout_source, return_type=str)]
    security: SecurityPlan | None = None
    hazards: tuple[HazardSpec, ...] = ()


#: Of ``occupants``, exactly one gives the load; setting one with ``--set`` replaces the
#: others (``--set occupants.count=500`` on a scenario that gives a density).
_OCCUPANT_SOURCES = ("count", "per_space", "density")


def parse_value(text: str, *, key: str = "--set", source: str = "<command line>") -> Any:
    """A ``--set`` value as TOML (numbers, booleans, arrays, inline tables), else a string."""
    if "\n" in text or "\r" in text:
        return text  # TOML values are one line: a string
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        raise ScenarioError("value nests too deeply", field=key, source=source) from None
    if nesting_depth_exceeds(value):
        raise ScenarioError("value nests too deeply", field=key, source=source)
    return value


def apply_overrides(raw: Mapping[str, Any], overrides: Iterable[str],
                    *, source: str = "<command line>") -> dict[str, Any]:
    """Return a deep copy of ``raw`` with each ``dotted.key=value`` applied."""
    out: dict[str, Any] = copy.deepcopy(dict(raw))
    if isinstance(out.get("hazard"), dict) and "hazards" not in out:
        out["hazards"] = [out.pop("hazard")]  # so that hazards.0.t_s reaches it
    for item in overrides:
        if "=" not in item:
            raise ScenarioError(f"expected key=value, got {item!r}", field="--set", source=source)
        key, value = item.split("=", 1)
        parts = [p for p in key.strip().split(".") if p]
        if not parts:
            raise ScenarioError(f"empty key in {item!r}", field="--set", source=source)
        if parts[0] == "hazard" and len(parts) > 1 and isinstance(out.get("hazards"), list) \
                and len(out["hazards"]) == 1:
            parts = ["hazards", "0", *parts[1:]]  # hazard.t_s: the file's one [hazard]
        node: Any = out
        for p in parts[:-1]:
            if isinstance(node, list):  # hazards.0.t_s: an index into an array of tables
                if not p.isdigit() or int(p) >= len(node):
                    raise ScenarioError(f"no entry {p!r} in this array", field=key,
                                        source=source)
                node = node[int(p)]
                if not isinstance(node, dict | list):
                    raise ScenarioError(f"entry {p} is not a table", field=key, source=source)
                continue
            if isinstance(node.get(p), str) and p == "security":
                node[p] = {"plan": node[p]}
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict | list):
                raise ScenarioError(f"{p!r} is not a table", field=key, source=source)
            node = nxt
        last = parts[-1]
        if isinstance(node, list):
            if not last.isdigit() or int(last) >= len(node):
                raise ScenarioError(f"no entry {last!r} in this array", field=key,
                                    source=source)
            node[int(last)] = parse_value(value.strip(), key=key, source=source)
        else:
            node[last] = parse_value(value.strip(), key=key, source=source)
            if parts[:-1] == ["occupants"] and last in _OCCUPANT_SOURCES:
                for other in _OCCUPANT_SOURCES:
                    if other != last:
                        node.pop(other, None)
    return out


def _table(value: Any, fld: str, source: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(f"must be a table, got {value!r}", field=fld, source=source)
    return dict(value)


def split_security(raw: Mapping[str, Any], *, source: str = "<memory>"
                   ) -> tuple[str | None, dict[str, Any]] | None:
    """The ``[security]`` entry of a scenario mapping: ``(plan path or None, changes)``.

    ``None`` when the scenario has no security plan. ``security = "path"`` names the plan
    alone; a table names it with ``plan`` (else the plan beside the layout is meant) and
    lists changes to it (``guards``, ``team``, ``operators``, ``barriers``, ``disable``).
    """
    sec = raw.get("security")
    if sec is None:
        return None
    if isinstance(sec, str):
        return sec, {}
    changes = _table(sec, "security", source)
    plan = changes.pop("plan", None)
    if plan is not None and not isinstance(plan, str):
        raise ScenarioError(f"expected the path of a security plan, got {plan!r}"[:200],
                            field="security.plan", source=source)
    return plan, changes


def _hazard(raw: Any, index: int, source: str) -> HazardSpec:
    fld = f"hazards[{index}]"
    table = _table(raw, fld, source)
    kind = table.get("kind")
    if kind not in HAZARD_SPECS:
        names = ", ".join(sorted(HAZARD_SPECS))
        raise ScenarioError(f"unknown hazard kind {kind!r}; expected one of {names}",
                            field=f"{fld}.kind", source=source)
    try:
        return HAZARD_SPECS[kind].model_validate(table)  # type: ignore[return-value]
    except ValidationError as exc:
        sub, reason = first_error(exc, table)
        raise ScenarioError(reason, field=f"{fld}.{sub}", source=source) from None


def with_geometry(layout: Layout, geometry: Geometry, *, source: str = "<memory>") -> Layout:
    """``layout`` with the ``[geometry]`` widths applied; closures are checked, not applied.

    Closed openings stay in the building (security plans refer to them); the world closes
    them at t = 0 (:meth:`sim.engine.world.World.close_openings`). Checked here: every
    opening named exists, widths are > 0 m, and no space is left without a way out, so a
    batch refuses such a configuration before running it.

    Raises
    ------
    ScenarioError
        An unknown opening, a non-positive width, or a closure that strands a space.
    """
    for oid, width in geometry.widths.items():
        if oid not in layout.openings:
            raise ScenarioError(f"unknown opening {oid!r}", field=f"geometry.widths.{oid}",
                                source=source)
        if not width > 0:
            raise ScenarioError(f"must be > 0 m, got {width!r}",
                                field=f"geometry.widths.{oid}", source=source)
    for oid in geometry.closed:
        if oid not in layout.openings:
            raise ScenarioError(f"unknown opening {oid!r}", field="geometry.closed",
                                source=source)
    if geometry.closed:
        stranded = layout.stranded_without(geometry.closed)
        if stranded:
            raise ScenarioError(f"closing {', '.join(sorted(set(geometry.closed)))} leaves "
                                f"{stranded[0]!r} with no way to an exit",
                                field="geometry.closed", source=source)
    return layout.with_widths(geometry.widths) if geometry.widths else layout


@dataclass(frozen=True)
class ScenarioParts:
    """A scenario mapping checked on its own, before the files it names are read."""

    settings: ScenarioSettings
    hazards: tuple[HazardSpec, ...]
    security: tuple[str | None, dict[str, Any]] | None
    """``(plan file named or None, changes to the plan)``; None: no security plan."""


def parse_scenario(raw: Mapping[str, Any], *, source: str = "<memory>") -> ScenarioParts:
    """Validate a scenario mapping's settings, hazards and ``[security]`` entry.

    ``layout`` (the building's file name) is not looked at here: the reader of the files
    resolves it (:mod:`sim.io.scenario_files`).

    Raises
    ------
    ScenarioError
        One line naming the file and the field.
    """
    data = dict(raw)
    data.pop("layout", None)
    if "hazard" in data:
        if "hazards" in data:
            raise ScenarioError("give [hazard] or [[hazards]], not both", field="hazard",
                                source=source)
        data["hazards"] = [data.pop("hazard")]
    security = split_security(data, source=source)
    data.pop("security", None)
    hazards = data.pop("hazards", [])
    if isinstance(hazards, list) and len(hazards) > MAX_HAZARDS:
        raise ScenarioError(f"{len(hazards):,} hazards, more than the {MAX_HAZARDS:,} accepted",
                            field="hazards", source=source)
    data["source"] = source
    if "assumptions" in data:
        data["assumptions"] = _check_assumptions(data["assumptions"], source)
    try:
        settings = ScenarioSettings.model_validate(data)
    except ValidationError as exc:
        fld, reason = first_error(exc, data)
        raise ScenarioError(reason, field=fld, source=source) from None
    if not isinstance(hazards, list):
        raise ScenarioError(f"must be an array of tables, got {hazards!r}", field="hazards",
                            source=source)
    specs = tuple(_hazard(h, i, source) for i, h in enumerate(hazards))
    return ScenarioParts(settings, specs, security)


def assemble(parts: ScenarioParts, *, layout: Layout,
             plan: SecurityPlan | None = None) -> Scenario:
    """The scenario of ``parts`` in its building, with its security plan.

    The ``[geometry]`` widths are applied to ``layout`` and the ``[security]`` changes
    (``security.guards`` ...) to ``plan``.

    Raises
    ------
    ScenarioError, SecurityPlanError
        One line naming the file and the field.
    """
    source = parts.settings.source
    effective: SecurityPlan | None = None
    if parts.security is not None:
        if plan is None:
            raise ScenarioError("the scenario names a security plan but none was given",
                                field="security", source=source)
        effective = apply_plan_overrides(plan, parts.security[1], layout, source=source)
    fields = {k: getattr(parts.settings, k) for k in ScenarioSettings.model_fields}
    return Scenario.model_construct(
        **fields, layout=with_geometry(layout, parts.settings.geometry, source=source),
        security=effective, hazards=parts.hazards)


def scenario_from_dict(raw: Mapping[str, Any], *, layout: Layout,
                       plan: SecurityPlan | None = None,
                       source: str = "<memory>") -> Scenario:
    """Validate a scenario mapping against its building (and security plan).

    Parameters
    ----------
    raw : mapping
        The scenario as read from TOML (``layout`` and the plan's path, if present, are
        not read here: the building and the plan are given).
    layout : Layout
        The building the scenario runs in.
    plan : SecurityPlan, optional
        The plan named by ``[security]`` (required when the scenario has one); the
        scenario's changes to it (``security.guards`` ...) are applied here.
    source : str
        The scenario's file name, for messages.

    Raises
    ------
    ScenarioError, SecurityPlanError
        One line naming the file and the field.
    """
    return assemble(parse_scenario(raw, source=source), layout=layout, plan=plan)


def _check_assumptions(table: Any, source: str) -> dict[str, float]:
    """The ``[assumptions]`` table flattened to dotted keys and checked, else one-line
    :class:`ScenarioError` naming the key."""
    if not isinstance(table, Mapping):
        raise ScenarioError("expected a table of assumption overrides", field="assumptions",
                            source=source)
    try:
        return asm.validate_overrides(table)
    except KeyError as exc:
        raise ScenarioError(exc.args[0], field=f"assumptions.{exc.args[1]}",
                            source=source) from None
    except ValueError as exc:
        raise ScenarioError(exc.args[0], field=f"assumptions.{exc.args[1]}",
                            source=source) from None
