"""Read, validate and write layouts (``schema = "safemall/layout/1"``, TOML).

The format is documented in ``docs/layout-format.md``. :func:`load_layout` is the only
entry point that touches files; :func:`layout_from_dict` validates an already parsed
mapping (importers and generators use it). Every problem is a :class:`LayoutError`
whose message is one line naming the file, the entry and the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from shapely.errors import GEOSException
from shapely.geometry import Polygon

from sim.errors import LayoutError
from sim.model import limits
from sim.model.layout import Layout, Level, MallInfo, Opening, OpeningKind, Space, SpaceKind
from sim.model.validation import Coordinate, Number, PositiveLength, Whole, Width, first_error

SCHEMA = "safemall/layout/1"
#: An opening's midpoint may lie this far (m) from the polygons it joins.
OPENING_TOLERANCE_M = 2.0

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _MallModel(_Strict):
    name: str
    sales_area_m2: Number | None = Field(default=None, gt=0, le=limits.MAX_EXTENT_M ** 2)
    sprinklered: bool = True
    fire_resistance_grade: Literal[1, 2, 3, 4] = 1
    city: str = ""


class _LevelModel(_Strict):
    id: str = Field(min_length=1)
    elevation_m: Number = Field(ge=-limits.MAX_ELEVATION_M, le=limits.MAX_ELEVATION_M)
    name: str = ""
    storey: Whole | None = Field(default=None, ge=-200, le=200)


class _SpaceModel(_Strict):
    id: str = Field(min_length=1)
    kind: SpaceKind
    level: str | None = None
    levels: list[str] | None = None
    polygon: list[tuple[Coordinate, Coordinate]] | None = Field(default=None,
                                                                  max_length=limits.MAX_ITEMS)
    rect: tuple[Coordinate, Coordinate, Coordinate, Coordinate] | None = None
    tags: list[str] = Field(default_factory=list)
    name: str = ""
    length_m: PositiveLength | None = None
    riser_mm: Number | None = Field(default=None, gt=0, le=limits.MAX_STEP_MM)
    tread_mm: Number | None = Field(default=None, gt=0, le=limits.MAX_STEP_MM)
    height_m: Number = Field(default=4.0, gt=0, le=limits.MAX_HEIGHT_M)
    width_m: Width | None = None
    sprinklered: bool | None = None
    source_id: str | None = None


class _OpeningModel(_Strict):
    id: str = Field(min_length=1)
    between: tuple[str, str]
    width_m: Width
    at: tuple[Coordinate, Coordinate] | None = None
    kind: OpeningKind = "door"
    tags: list[str] = Field(default_factory=list)
    level: str | None = None


class _LayoutModel(_Strict):
    schema_: Literal["safemall/layout/1"] = Field(alias="schema")
    mall: _MallModel
    levels: list[_LevelModel] = Field(min_length=1, max_length=1000)
    spaces: list[_SpaceModel] = Field(min_length=1, max_length=limits.MAX_ITEMS)
    openings: list[_OpeningModel] = Field(default_factory=list, max_length=limits.MAX_ITEMS)


@dataclass(frozen=True, slots=True)
class LayoutWarning:
    """A code concern that does not stop a run (GB 50016 minimum widths, distances)."""

    field: str
    message: str
    clause: str = ""

    def __str__(self) -> str:
        tag = f" [{self.clause}]" if self.clause else ""
        return f"{self.field}: {self.message}{tag}"


def layout_from_dict(raw: Mapping[str, Any], *, source: str = "<memory>") -> Layout:
    """Validate a parsed layout mapping and build a :class:`Layout`."""
    try:
        model = _LayoutModel.model_validate(raw)
    except ValidationError as exc:
        fld, reason = first_error(exc, raw)
        raise LayoutError(reason, field=fld, source=source) from None
    try:
        return _build(model, raw, source)
    except LayoutError as exc:
        raise exc.with_source(source) from None
    except (GEOSException, ValueError, ArithmeticError) as exc:  # geometry GEOS refused
        raise LayoutError(f"invalid geometry ({type(exc).__name__}: {exc})",
                          source=source) from None


def _err(reason: str, fld: str) -> LayoutError:
    return LayoutError(reason, field=fld)


def _storeys(levels: list[_LevelModel]) -> dict[str, int]:
    """GB 50016 floor numbers: 1, 2, ... from grade upwards; -1, -2 ... below."""
    out: dict[str, int] = {}
    above = sorted((lv for lv in levels if lv.elevation_m >= 0), key=lambda lv: lv.elevation_m)
    below = sorted((lv for lv in levels if lv.elevation_m < 0), key=lambda lv: -lv.elevation_m)
    for i, lv in enumerate(above):
        out[lv.id] = lv.storey if lv.storey is not None else i + 1
    for i, lv in enumerate(below):
        out[lv.id] = lv.storey if lv.storey is not None else -(i + 1)
    return out


def check_extent(pts: Sequence[tuple[float, ...]], fld: str) -> None:
    """Refuse a polygon wider or deeper than :data:`sim.model.limits.MAX_EXTENT_M`."""
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    w, d = max(xs) - min(xs), max(ys) - min(ys)
    if max(w, d) > limits.MAX_EXTENT_M:
        raise _err(f"spans {w:,.0f} m x {d:,.0f} m; one space may span at most "
                   f"{limits.MAX_EXTENT_M:,.0f} m", fld)


def _polygon(sm: _SpaceModel, fld: str) -> tuple[tuple[float, float], ...] | None:
    if sm.polygon is not None and sm.rect is not None:
        raise _err("give either polygon or rect, not both", f"{fld}.rect")
    if sm.rect is not None:
        x, y, w, d = sm.rect
        if not (w > 0 and d > 0):
            raise _err(f"width and depth must be > 0, got {w!r} x {d!r}", f"{fld}.rect")
        check_extent([(x, y), (x + w, y + d)], f"{fld}.rect")
        return ((x, y), (x + w, y), (x + w, y + d), (x, y + d))
    if sm.polygon is None:
        if sm.kind != "exit":
            raise _err("required for every space but an exit (or give rect)", f"{fld}.polygon")
        return None
    pts = [tuple(map(float, p)) for p in sm.polygon]
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    if len(pts) < 3:
        raise _err(f"needs at least 3 points, got {len(pts)}", f"{fld}.polygon")
    if not all(math.isfinite(c) for p in pts for c in p):
        raise _err("coordinates must be finite numbers", f"{fld}.polygon")
    check_extent(pts, f"{fld}.polygon")
    poly = Polygon(pts)
    if not poly.exterior.is_simple:
        raise _err("polygon intersects itself", f"{fld}.polygon")
    if not poly.area > 0:
        raise _err("polygon has zero area", f"{fld}.polygon")
    return tuple((float(x), float(y)) for x, y in pts)


def _build(model: _LayoutModel, raw: Mapping[str, Any], source: str) -> Layout:
    seen: set[str] = set()
    for lv in model.levels:
        if lv.id in seen:
            raise _err("duplicate level id", f"levels[{lv.id!r}].id")
        seen.add(lv.id)
    storeys = _storeys(model.levels)
    levels = tuple(
        Level(lv.id, lv.elevation_m, lv.name, storeys[lv.id])
        for lv in sorted(model.levels, key=lambda lv: lv.elevation_m)
    )
    level_ids = {lv.id for lv in levels}

    spaces: dict[str, Space] = {}
    for sm in model.spaces:
        fld = f"spaces[{sm.id!r}]"
        if sm.id in spaces:
            raise _err("duplicate space id", f"{fld}.id")
        if sm.kind in ("stair", "escalator"):
            lvls = sm.levels or ([sm.level] if sm.level else [])
            if len(lvls) != 2 and not (len(lvls) == 1 and sm.levels is None):
                raise _err(f"a {sm.kind} joins two levels, got {len(lvls)}", f"{fld}.levels")
        else:
            if sm.levels is not None and len(sm.levels) != 1:
                raise _err(f"a {sm.kind} lies on one level; use level", f"{fld}.levels")
            lvls = sm.levels or ([sm.level] if sm.level else [])
        if not lvls:
            raise _err("required (the level this space is on)", f"{fld}.level")
        for lid in lvls:
            if lid not in level_ids:
                key = "levels" if sm.levels else "level"
                raise _err(f"unknown level {lid!r}", f"{fld}.{key}")
        poly = _polygon(sm, fld)
        tags = tuple(sm.tags) + ((f"source:{sm.source_id}",) if sm.source_id else ())
        spaces[sm.id] = Space(
            id=sm.id, kind=sm.kind, levels=tuple(lvls), polygon=poly, tags=tags,
            name=sm.name, length_m=sm.length_m, riser_mm=sm.riser_mm, tread_mm=sm.tread_mm,
            height_m=sm.height_m, width_m=sm.width_m, sprinklered=sm.sprinklered,
        )
    if not any(s.is_exit for s in spaces.values()):
        raise _err("layout has no exit (a space of kind 'exit')", "spaces")

    openings: dict[str, Opening] = {}
    for om in model.openings:
        fld = f"openings[{om.id!r}]"
        if om.id in openings:
            raise _err("duplicate opening id", f"{fld}.id")
        a, b = om.between
        for s in (a, b):
            if s not in spaces:
                raise _err(f"unknown space {s!r}", f"{fld}.between")
        if a == b:
            raise _err("an opening joins two different spaces", f"{fld}.between")
        sa, sb = spaces[a], spaces[b]
        shared = [lv for lv in sa.levels if lv in sb.levels]
        if om.level is not None:
            if om.level not in shared:
                raise _err(f"level {om.level!r} is not shared by {a!r} and {b!r}", f"{fld}.level")
            level = om.level
        elif shared:
            level = shared[0] if len(shared) == 1 or sa.kind not in ("stair", "escalator") \
                else sb.levels[0] if sb.levels[0] in shared else shared[0]
        else:
            raise _err(f"{a!r} and {b!r} share no level", f"{fld}.between")
        at = om.at if om.at is not None else _shared_midpoint(sa, sb)
        if at is None:
            raise _err("required when the two spaces do not touch", f"{fld}.at")
        near = [s.distance_to_m(at) for s in (sa, sb) if s.shape is not None]
        if near and min(near) > OPENING_TOLERANCE_M:
            raise _err(
                f"midpoint {tuple(at)} is {min(near):.1f} m from both spaces "
                f"(tolerance {OPENING_TOLERANCE_M} m)", f"{fld}.at")
        openings[om.id] = Opening(
            id=om.id, a=a, b=b, width_m=om.width_m, at=(float(at[0]), float(at[1])),
            level=level, kind=om.kind, tags=tuple(om.tags))

    _check_reachability(spaces, openings)
    mall = MallInfo(
        name=model.mall.name, sales_area_m2=model.mall.sales_area_m2,
        sprinklered=model.mall.sprinklered,
        fire_resistance_grade=model.mall.fire_resistance_grade, city=model.mall.city)
    return Layout(mall=mall, levels=levels, spaces=spaces, openings=openings, source=source,
                  raw=dict(raw))


def _shared_midpoint(sa: Space, sb: Space) -> tuple[float, float] | None:
    if sa.shape is None or sb.shape is None:
        return None
    inter = sa.shape.boundary.intersection(sb.shape.boundary)
    if inter.is_empty or inter.length <= 0:
        return None
    c = inter.centroid
    return (float(c.x), float(c.y))


def _check_reachability(spaces: Mapping[str, Space], openings: Mapping[str, Opening]) -> None:
    g: nx.Graph[str] = nx.Graph()
    g.add_nodes_from(spaces)
    g.add_edges_from((o.a, o.b) for o in openings.values())
    exits = [s for s in spaces.values() if s.is_exit]
    reach: set[str] = set()
    for e in exits:
        if not g.degree(e.id):
            raise _err("exit has no opening", f"spaces[{e.id!r}]")
        reach |= nx.node_connected_component(g, e.id)
    stranded = [s for s in spaces if s not in reach]
    if stranded:
        more = f" (also {', '.join(stranded[1:5])}{'...' if len(stranded) > 5 else ''})" \
            if len(stranded) > 1 else ""
        raise _err(f"cannot reach any exit{more}", f"spaces[{stranded[0]!r}]")


def layout_to_dict(layout: Layout) -> dict[str, Any]:
    """The layout as a plain mapping in the TOML schema (polygons, no rects)."""
    mall: dict[str, Any] = {"name": layout.mall.name}
    if layout.mall.sales_area_m2 is not None:
        mall["sales_area_m2"] = layout.mall.sales_area_m2
    mall["sprinklered"] = layout.mall.sprinklered
    mall["fire_resistance_grade"] = layout.mall.fire_resistance_grade
    if layout.mall.city:
        mall["city"] = layout.mall.city
    out: dict[str, Any] = {"schema": SCHEMA, "mall": mall, "levels": [], "spaces": [],
                           "openings": []}
    derived = _storeys([_LevelModel(id=lv.id, elevation_m=lv.elevation_m)
                        for lv in layout.levels])
    for lv in layout.levels:
        d: dict[str, Any] = {"id": lv.id, "elevation_m": lv.elevation_m}
        if lv.name:
            d["name"] = lv.name
        if lv.storey != derived[lv.id]:
            d["storey"] = lv.storey
        out["levels"].append(d)
    for s in layout.spaces.values():
        d = {"id": s.id, "kind": s.kind}
        if len(s.levels) == 1:
            d["level"] = s.levels[0]
        else:
            d["levels"] = list(s.levels)
        if s.polygon is not None:
            d["polygon"] = [[round(x, 4), round(y, 4)] for x, y in s.polygon]
        tags = [t for t in s.tags if not t.startswith("source:")]
        src = [t[7:] for t in s.tags if t.startswith("source:")]
        if tags:
            d["tags"] = tags
        if src:
            d["source_id"] = src[0]
        for key in ("name", "length_m", "riser_mm", "tread_mm", "width_m", "sprinklered"):
            val = getattr(s, key)
            if val not in (None, ""):
                d[key] = val
        if s.height_m != 4.0:
            d["height_m"] = s.height_m
        out["spaces"].append(d)
    for o in layout.openings.values():
        d = {"id": o.id, "between": [o.a, o.b], "width_m": o.width_m,
             "at": [round(o.at[0], 4), round(o.at[1], 4)], "kind": o.kind}
        if o.tags:
            d["tags"] = list(o.tags)
        shared = [lv for lv in layout.spaces[o.a].levels if lv in layout.spaces[o.b].levels]
        if len(shared) > 1:
            d["level"] = o.level
        out["openings"].append(d)
    return out


