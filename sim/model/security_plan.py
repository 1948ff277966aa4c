"""Security plans (``schema = "safemall/security/1"``): people, devices and barriers.

Documented in ``docs/security-format.md``. A plan is validated against its layout:
every space, opening and shop it names must exist. Clause IDs (``SM-…``) refer to
``docs/standards.md`` (the Zhengzhou "Safe Mall" plan).

Scenario overrides
------------------
A scenario's ``[security]`` table (or ``--set security.KEY=VALUE``) changes a plan for
one run, e.g. in staffing sweeps:

* ``guards = N`` — total guards, placed by the deployment rule
  (``guards.deployment = "rule"``, :mod:`sim.security.deployment`): posts first in the
  order of :data:`POST_PRIORITY` (gate, entrance, cctv, duty, finance, post), then the
  plan's pinned patrols, then beats placed to minimise the walking time to the design
  occupants, every sales level covered. The order of entries in the plan never matters.
* ``kits = N`` — responder kits (``equipment.kits``).
* ``team = N`` — internal defence team members.
* ``operators = N`` — CCTV operators on duty (0: nobody watches the screens).
* ``barriers = {bollards = [opening ids], fences = [...], rising_bollards = [...]}`` —
  replaces the plan's barriers of those kinds; an item may be a table
  ``{opening = "main-door-1", rating = "M50-P1"}`` to give the barrier a crash rating.
* ``disable = ["pa", "police_link", "cctv", "buttons", "detectors", "lighting",
  "shop_officers", "groups", "guards", "team", "sprinklers", "exhaust", "vents",
  "shutters", "curtains", "screens"]`` — devices or people taken out (the last six are the
  fire and smoke-control devices of ``[fire_systems]`` and ``[smoke_control]``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.errors import SecurityPlanError
from sim.model import limits
from sim.model.crash_rating import DEFAULT_RATINGS, CrashRating, parse_rating
from sim.model.layout import Layout
from sim.model.validation import (
    Coordinate,
    Number,
    PositiveLength,
    Seconds,
    Share,
    Speed,
    Staff,
    UniqueIds,
    Whole,
    first_error,
)

SCHEMA = "safemall/security/1"
PostRole = Literal["gate", "entrance", "cctv", "duty", "finance", "post"]
POST_PRIORITY: tuple[str, ...] = ("gate", "entrance", "cctv", "duty", "finance", "post")
BarrierKind = Literal["bollard", "rising_bollard", "fence", "isolation", "hard_barrier"]
DISABLE_KEYS = ("pa", "police_link", "cctv", "buttons", "detectors", "lighting",
                "shop_officers", "groups", "guards", "team", "sprinklers", "exhaust", "vents",
                "shutters", "curtains", "screens")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Post(_Strict):
    """A fixed guard post (SM-1.3b/c); its guards stand at ``opening`` of ``space``."""

    id: str
    space: str
    count: Staff = 1
    role: PostRole = "post"
    opening: str | None = None
    """The opening of ``space`` the guards stand at (default: :func:`post_opening`)."""


class Patrol(_Strict):
    """A patrol team walking a loop of spaces, dwelling at each (SM-1.3c)."""

    id: str
    route: list[str] = Field(min_length=1, max_length=limits.MAX_ITEMS)
    count: Staff = 2
    dwell_s: Seconds = 60.0
    points: list[tuple[Coordinate, Coordinate]] = Field(default_factory=list,
                                                        max_length=limits.MAX_ITEMS)
    """Optional waypoint (x, y) in each route space (default: the space's central cell)."""
    pinned: bool = False
    """Staffed before any guard is placed by the deployment rule (``guards.deployment``)."""


class Shift(_Strict):
    """A shift: hours and guards on duty."""

    name: str
    start_h: Number = Field(ge=0, le=24)
    end_h: Number = Field(ge=0, le=24)
    guards: Staff


class Guards(_Strict):
    """Full-time guards (SM-1.3a–c)."""

    total: Staff
    posts: UniqueIds(Post) = Field(default_factory=list)  # type: ignore[valid-type]
    patrols: UniqueIds(Patrol) = Field(default_factory=list)  # type: ignore[valid-type]
    shifts: list[Shift] = Field(default_factory=list, max_length=100)
    uniformed: bool = True
    armbands: bool = True
    security_department: bool = True
    equipped: bool = True
    """Guards carry batons and protective equipment (SM-1.3c)."""
    speed_mps: Speed = 1.5
    """Brisk walking / jogging speed when dispatched (m/s)."""
    deployment: Literal["plan", "rule"] = "plan"
    """``plan``: posts and patrols as written, guards beyond them placed by the rule;
    ``rule``: ``total`` guards placed by the deployment rule (posts, pinned patrols,
    then beats), :mod:`sim.security.deployment`. ``--set security.guards=N`` sets it."""

    @model_validator(mode="after")
    def _staffed(self) -> Guards:
        if sum(p.count for p in self.posts) + sum(p.count for p in self.patrols) \
                > limits.MAX_STAFF:
            raise ValueError(f"posts and patrols hold more than {limits.MAX_STAFF:,} guards")
        return self


class Team(_Strict):
    """Internal defence organisation of 5–10 persons (SM-1.3d)."""

    members: Staff
    base: str
    leader: str = ""
    deputy: str = ""
    liaison: str = ""
    equipped: bool = True


class ShopOfficers(_Strict):
    """One security officer per shop by default (SM-1.3e)."""

    per_shop: Whole = Field(default=1, ge=0, le=100)
    missing: list[str] = Field(default_factory=list, max_length=limits.MAX_ITEMS)
    """Shops that have named no officer."""


class Group(_Strict):
    """A joint-defence group of 5–10 adjacent shops (SM-1.3e)."""

    id: str
    shops: list[str] = Field(min_length=1, max_length=limits.MAX_ITEMS)
    leader: str = ""
    deputy: str = ""
    liaison: str = ""


class Camera(_Strict):
    """A CCTV camera and what it sees (SM-1.4c)."""

    id: str
    space: str
    sees: list[str] = Field(default_factory=list)
    openings: list[str] = Field(default_factory=list)
    perimeter: bool = False


class Cctv(_Strict):
    """The video monitoring centre (SM-1.4c)."""

    room: str | None = None
    operators: Staff = 1
    cameras: UniqueIds(Camera) = Field(default_factory=list)  # type: ignore[valid-type]
    gb50395: bool = True
    """The system meets GB 50395."""
    watch_probability: Share = 0.5
    """Chance an operator notices an incident on a screen in a given minute."""


class Button(_Strict):
    """An emergency alarm button (SM-1.4a)."""

    id: str
    space: str


class Detector(_Strict):
    """A fire detector in a space."""

    id: str
    space: str
    kind: Literal["smoke", "heat"] = "smoke"


class PaZone(_Strict):
    """A public-address zone (SM-1.4d)."""

    id: str
    spaces: list[str] = Field(default_factory=list)
    all: bool = False


class Alarm(_Strict):
    """Alarm devices, procedure and police link (SM-1.4a, SM-1.4g, SM-5b)."""

    buttons: UniqueIds(Button) = Field(default_factory=list)  # type: ignore[valid-type]
    detectors: UniqueIds(Detector) = Field(default_factory=list)  # type: ignore[valid-type]
    police_link: bool = True
    verify_s: Seconds | None = None
    """Mean time the duty room takes to verify a report (s); unset: the run's
    ``alarm.verify_mean_s`` assumption."""
    mode: Literal["general", "zoned"] = "general"
    police_travel_s: Number | None = Field(default=None, gt=0, le=limits.MAX_TIME_S)
    """Median police response time after the call (s); unset: the run's
    ``police.travel_time_s`` assumption (:mod:`sim.security.police`)."""


class Pa(_Strict):
    """Public address (SM-1.4d); ``guided`` messages name exits."""

    zones: UniqueIds(PaZone) = Field(default_factory=list)  # type: ignore[valid-type]
    guided: bool = True


class Coverage(_Strict):
    """A device present in a list of spaces, or everywhere."""

    all: bool = False
    spaces: list[str] = Field(default_factory=list)


class Equipment(_Strict):
    """Anti-riot equipment (SM-1.4e)."""

    forks: Staff = 0
    shields: Staff = 0
    batons: Staff = 0
    helmets: Staff = 0
    stab_vests: Staff = 0
    tear_gas: Staff = 0
    kits: Staff | None = None
    """Responder kits: a fork or a shield with its helmet and stab vest, what a responder
    needs to help pin a knife attacker (default ``forks + shields``)."""

    @property
    def responder_kits(self) -> int:
        """Kits available to responders (``kits``, else ``forks + shields``)."""
        return self.kits if self.kits is not None else self.forks + self.shields


class Exhaust(_Strict):
    """A mechanical smoke-exhaust system serving one smoke zone (GB 51251-2017 §4.6).

    ``rate_m3_h`` omitted: the GB 51251 design rate (§4.6.3 zones: 60 m³/(h·m²), at least
    15 000 m³/h; §4.6.5 atria: twice the largest surrounding zone, at least 107 000 m³/h;
    × 1.2 design factor, §4.6.1). ``inlets`` omitted: enough inlets per space not to
    plug-hole at the design layer (§4.6.14). Starts on detection in one of its spaces.
    """

    id: str
    spaces: list[str] = Field(min_length=1, max_length=limits.MAX_ITEMS)
    kind: Literal["zone", "atrium"] = "zone"
    rate_m3_h: Number | None = Field(default=None, gt=0, le=1e8)
    """Volume flow (m³/h); bounded at 10⁸, some 900 times the GB 51251 atrium minimum."""
    inlets: Whole | None = Field(default=None, ge=1, le=limits.MAX_ITEMS)


class Vent(_Strict):
    """A natural smoke vent (roof or high-level window) opening on detection."""

    id: str
    space: str
    area_m2: Number = Field(gt=0, le=limits.MAX_EXTENT_M ** 2)
    cd: Number = Field(default=0.6, gt=0, le=1)


class FireShutter(_Strict):
    """A fire shutter (防火卷帘) over an opening, closing on detection (GB 50116 §4.6.3).

    On an evacuation route it stops at 1.8 m on smoke detection (people pass beneath, smoke
    above 1.8 m is held back) and closes on heat detection; elsewhere it closes at once.
    """

    id: str
    opening: str
    evacuation_route: bool = True


class SmokeCurtain(_Strict):
    """A smoke curtain or downstand (挡烟垂壁) above an opening: smoke passes only below
    ``depth_m`` under the ceiling. ``automatic`` curtains drop on detection; fixed ones are
    always in place. It hangs above head height and does not stop people."""

    id: str
    opening: str
    depth_m: PositiveLength = 0.5
    automatic: bool = False


class ChannellingScreen(_Strict):
    """Channelling screens at a spill edge: the smoke spills over ``spill_width_m``."""

    id: str
    opening: str
    spill_width_m: PositiveLength


class SmokeControl(_Strict):
    """Smoke control and compartmentation devices (GB 51251-2017, GB 50016 §6.5)."""

    exhaust: list[Exhaust] = Field(default_factory=list)
    vents: list[Vent] = Field(default_factory=list)
    shutters: list[FireShutter] = Field(default_factory=list)
    curtains: list[SmokeCurtain] = Field(default_factory=list)
    screens: list[ChannellingScreen] = Field(default_factory=list)


class Barrier(_Strict):
    """A vehicle barrier or isolation on an opening or a plaza (SM-1.4f, SM-1.5)."""

    id: str
    kind: BarrierKind
    opening: str | None = None
    space: str | None = None
    rating: str | None = None
    """Crash rating as its standard writes it (``M50-P1``, ``K12``,
    ``V/7200[N3C]/80/90:1.1``; :mod:`sim.model.crash_rating`); ``None``: the kind's
    default."""

    @field_validator("rating")
    @classmethod
    def _rating(cls, v: str | None) -> str | None:
        if v is not None:
            parse_rating(v)
        return v

    @property
    def crash_rating(self) -> CrashRating:
        """The stated rating, or the default of the barrier's kind."""
        return parse_rating(self.rating) if self.rating is not None \
            else DEFAULT_RATINGS[self.kind]


class Approach(_Strict):
    """A road approach to an entrance (SM-1.5)."""

    id: str
    to: str
    """The opening (door) the approach ends at."""
    length_m: PositiveLength = 60.0
    speed_bumps: Staff = 0
    chicanes: Staff = 0
    chicane_radius_m: PositiveLength = 10.0
    """Radius of the turn each chicane forces (m)."""
    warning_signs: bool = False


class SecurityPlan(_Strict):
    """A validated security plan."""

    schema_: Literal["safemall/security/1"] = Field(alias="schema")
    name: str = ""
    layout: str = "layout.toml"
    duty_room: str | None = None
    gate: str | None = None
    guards: Guards = Field(default_factory=lambda: Guards(total=0))
    team: Team | None = None
    shop_officers: ShopOfficers = Field(default_factory=ShopOfficers)
    groups: UniqueIds(Group) = Field(default_factory=list)  # type: ignore[valid-type]
    cctv: Cctv = Field(default_factory=Cctv)
    alarm: Alarm = Field(default_factory=Alarm)
    pa: Pa = Field(default_factory=Pa)
    emergency_lighting: Coverage = Field(default_factory=Coverage)
    fire_systems: Coverage = Field(default_factory=Coverage)
    smoke_control: SmokeControl = Field(default_factory=SmokeControl)
    equipment: Equipment = Field(default_factory=Equipment)
    barriers: UniqueIds(Barrier) = Field(default_factory=list)  # type: ignore[valid-type]
    approaches: UniqueIds(Approach) = Field(default_factory=list)  # type: ignore[valid-type]
    disabled: list[str] = Field(default_factory=list)
    source: str = "<memory>"

    def has(self, what: str) -> bool:
        """False when ``what`` (a :data:`DISABLE_KEYS` item) is disabled."""
        return what not in self.disabled


def plan_from_dict(raw: Mapping[str, Any], layout: Layout | None = None, *,
                   source: str = "<memory>") -> SecurityPlan:
    """Validate a plan mapping; check references against ``layout`` if given."""
    data = {**raw, "source": source}
    try:
        plan = SecurityPlan.model_validate(data)
    except ValidationError as exc:
        fld, reason = first_error(exc, data)
        raise SecurityPlanError(reason, field=fld, source=source) from None
    if layout is not None:
        check_references(plan, layout)
    return plan


def check_references(plan: SecurityPlan, layout: Layout) -> None:
    """Raise :class:`SecurityPlanError` for the first unknown space, opening or shop."""
    spaces, openings = layout.spaces, layout.openings
    src = plan.source

    def need_space(sid: str | None, fld: str) -> None:
        if sid is not None and sid not in spaces:
            raise SecurityPlanError(f"unknown space {sid!r}", field=fld, source=src)

    def need_opening(oid: str | None, fld: str) -> None:
        if oid is not None and oid not in openings:
            raise SecurityPlanError(f"unknown opening {oid!r}", field=fld, source=src)

    def need_shop(sid: str, fld: str) -> None:
        need_space(sid, fld)
        if spaces[sid].kind != "shop":
            raise SecurityPlanError(f"{sid!r} is a {spaces[sid].kind}, not a shop", field=fld,
                                    source=src)

    need_space(plan.duty_room, "duty_room")
    need_space(plan.gate, "gate")
    for x in plan.guards.posts:
        need_space(x.space, f"guards.posts[{x.id!r}].space")
        if x.opening is not None:
            need_opening(x.opening, f"guards.posts[{x.id!r}].opening")
            if x.opening not in layout.openings_of.get(x.space, ()):
                raise SecurityPlanError(f"opening {x.opening!r} is not an opening of "
                                        f"{x.space!r}", field=f"guards.posts[{x.id!r}].opening",
                                        source=src)
    for pt in plan.guards.patrols:
        for s in pt.route:
            need_space(s, f"guards.patrols[{pt.id!r}].route")
        if pt.points and len(pt.points) != len(pt.route):
            raise SecurityPlanError(f"{len(pt.points)} points for {len(pt.route)} route "
                                    "spaces; give one per space or none",
                                    field=f"guards.patrols[{pt.id!r}].points", source=src)
    if plan.team is not None:
        need_space(plan.team.base, "team.base")
    for s in plan.shop_officers.missing:
        need_shop(s, "shop_officers.missing")
    seen: dict[str, str] = {}
    for g in plan.groups:
        for s in g.shops:
            need_shop(s, f"groups[{g.id!r}].shops")
            if s in seen:
                raise SecurityPlanError(f"shop {s!r} is already in group {seen[s]!r}",
                                        field=f"groups[{g.id!r}].shops", source=src)
            seen[s] = g.id
        if g.leader and g.leader not in g.shops:
            raise SecurityPlanError(f"leader {g.leader!r} is not one of the group's shops",
                                    field=f"groups[{g.id!r}].leader", source=src)
    need_space(plan.cctv.room, "cctv.room")
    for c in plan.cctv.cameras:
        need_space(c.space, f"cctv.cameras[{c.id!r}].space")
        for s in c.sees:
            need_space(s, f"cctv.cameras[{c.id!r}].sees")
        for o in c.openings:
            need_opening(o, f"cctv.cameras[{c.id!r}].openings")
    for b in plan.alarm.buttons:
        need_space(b.space, f"alarm.buttons[{b.id!r}].space")
    for d in plan.alarm.detectors:
        need_space(d.space, f"alarm.detectors[{d.id!r}].space")
    for z in plan.pa.zones:
        for s in z.spaces:
            need_space(s, f"pa.zones[{z.id!r}].spaces")
    for s in plan.emergency_lighting.spaces:
        need_space(s, "emergency_lighting.spaces")
    for s in plan.fire_systems.spaces:
        need_space(s, "fire_systems.spaces")
    sc = plan.smoke_control
    for ex in sc.exhaust:
        for s in ex.spaces:
            need_space(s, f"smoke_control.exhaust[{ex.id!r}].spaces")
    for v in sc.vents:
        need_space(v.space, f"smoke_control.vents[{v.id!r}].space")
    devices: list[tuple[str, str, str]] = [
        *(("shutters", x.id, x.opening) for x in sc.shutters),
        *(("curtains", x.id, x.opening) for x in sc.curtains),
        *(("screens", x.id, x.opening) for x in sc.screens)]
    for name, did, opening in devices:
        need_opening(opening, f"smoke_control.{name}[{did!r}].opening")
    for bar in plan.barriers:
        if (bar.opening is None) == (bar.space is None):
            raise SecurityPlanError("give exactly one of opening or space",
                                    field=f"barriers[{bar.id!r}]", source=src)
        need_opening(bar.opening, f"barriers[{bar.id!r}].opening")
        need_space(bar.space, f"barriers[{bar.id!r}].space")
    for a in plan.approaches:
        need_opening(a.to, f"approaches[{a.id!r}].to")
    for key in plan.disabled:
        if key not in DISABLE_KEYS:
            raise SecurityPlanError(f"unknown item {key!r}; expected one of "
                                    f"{', '.join(DISABLE_KEYS)}", field="disabled", source=src)


def _barrier_item(item: Any) -> bool:
    """Whether ``item`` is an opening id or an ``{opening, rating}`` table of strings."""
    if isinstance(item, str):
        return True
    return (isinstance(item, Mapping) and isinstance(item.get("opening"), str)
            and set(item) <= {"opening", "rating"}
            and isinstance(item.get("rating", ""), str))


def apply_overrides(plan: SecurityPlan, overrides: Mapping[str, Any], layout: Layout, *,
                    source: str = "<scenario>") -> SecurityPlan:
    """The plan with a scenario's ``[security]`` overrides applied (see module doc)."""
    upd: dict[str, Any] = {}
    known = {"plan", "guards", "team", "operators", "barriers", "disable", "kits"}
    for key in overrides:
        if key not in known:
            raise SecurityPlanError(f"unknown key; expected one of {', '.join(sorted(known))}",
                                    field=f"security.{key}", source=source)
    if "guards" in overrides:
        n = _staff_override(overrides, "guards", source)
        upd["guards"] = plan.guards.model_copy(update={"total": n, "deployment": "rule"})
    if "kits" in overrides:
        k = _staff_override(overrides, "kits", source)
        upd["equipment"] = plan.equipment.model_copy(update={"kits": k})
    if "team" in overrides:
        m = _staff_override(overrides, "team", source)
        base = plan.team.base if plan.team else (plan.duty_room or next(iter(layout.spaces)))
        upd["team"] = (plan.team.model_copy(update={"members": m}) if plan.team
                       else Team(members=m, base=base))
    if "operators" in overrides:
        upd["cctv"] = plan.cctv.model_copy(
            update={"operators": _staff_override(overrides, "operators", source)})
    if "barriers" in overrides:
        spec = overrides["barriers"]
        if not isinstance(spec, Mapping):
            raise SecurityPlanError("must be a table like {bollards = [opening ids]}",
                                    field="security.barriers", source=source)
        kinds = {"bollards": "bollard", "rising_bollards": "rising_bollard",
                 "fences": "fence", "isolation": "isolation", "hard_barriers": "hard_barrier"}
        replaced = {kinds[k] for k in spec if k in kinds}
        for k in spec:
            if k not in kinds:
                raise SecurityPlanError(f"unknown barrier list {k!r}",
                                        field=f"security.barriers.{k}", source=source)
        kept = [b for b in plan.barriers if b.kind not in replaced]
        for k, items in spec.items():
            if not isinstance(items, list) or not all(_barrier_item(x) for x in items):
                raise SecurityPlanError(
                    "must be a list of opening ids or {opening = id, rating = text} tables",
                    field=f"security.barriers.{k}", source=source)
            for item in items:
                oid, rating = (item.get("opening"), item.get("rating")) \
                    if isinstance(item, Mapping) else (item, None)
                if oid not in layout.openings:
                    raise SecurityPlanError(f"unknown opening {oid!r}",
                                            field=f"security.barriers.{k}", source=source)
                try:
                    kept.append(Barrier(id=f"{kinds[k]}@{oid}", kind=kinds[k],  # type: ignore[arg-type]
                                        opening=oid, rating=rating))
                except ValidationError as exc:
                    raise SecurityPlanError(first_error(exc, {})[1],
                                            field=f"security.barriers.{k}",
                                            source=source) from None
        upd["barriers"] = kept
    if "disable" in overrides:
        items = overrides["disable"]
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise SecurityPlanError(f"must be a list of names from {', '.join(DISABLE_KEYS)}",
                                    field="security.disable", source=source)
        for it in items:
            if it not in DISABLE_KEYS:
                raise SecurityPlanError(f"unknown item {it!r}", field="security.disable",
                                        source=source)
        upd["disabled"] = sorted(set(plan.disabled) | set(items))
    return plan.model_copy(update=upd) if upd else plan


def _staff_override(overrides: Mapping[str, Any], key: str, source: str) -> int:
    """A whole number of staff from a scenario override (no booleans, floats, NaN)."""
    n = overrides[key]
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= limits.MAX_STAFF:
        raise SecurityPlanError(f"must be a whole number from 0 to {limits.MAX_STAFF:,}, "
                                f"got {n!r}", field=f"security.{key}", source=source)
    return n


def required_guards(sales_area_m2: float, *, reading: Literal["strict", "lenient"] = "strict"
                    ) -> int | None:
    """Minimum full-time guards by sales area, clause SM-1.3b (``None`` below 10,000 m²).

    The strict reading (default) puts a band edge in the stricter band (exactly
    20,000 m² needs 30) and counts a partial 1,000 m² above 30,000 m²:
    ``30 + ceil((A - 30000) / 1000)``. The lenient reading puts an edge in the lower band
    (exactly 20,000 m² needs 20) and counts whole 1,000 m² only (``floor``).
    """
    a = sales_area_m2
    if a < 10_000:
        return None
    if a < 20_000 or (reading == "lenient" and a == 20_000):
        return 20
    if a <= 30_000:
        return 30
    extra = (a - 30_000) / 1000.0
    return 30 + (math.ceil(extra - 1e-9) if reading == "strict" else math.floor(extra + 1e-9))
