"""Import OpenStreetMap indoor data (Simple Indoor Tagging) into a SafeMall layout.

Reads ``.osm`` / ``.osm.pbf`` (and the other formats libosmium knows) with **pyosmium**
(``osmium.FileProcessor`` with node locations and assembled areas), or a GeoJSON
FeatureCollection as exported by overpass-turbo / osmtogeojson (tags as properties, or
under ``tags``). What is read (``docs/import-export.md`` has the tables):

* **Levels**: ``level=*`` as published: ``0``, ``-1``, ``0;1``, ``1-3``, ``0.5``
  (:func:`~sim.io.importers.infer.parse_levels`); level *n* is ``L{n+1}`` (``B{-n}`` below
  0) at elevation *n* x storey height. ``repeat_on`` adds levels.
* **Spaces**: areas tagged ``indoor=room|area|corridor`` (and the older
  ``indoor=yes`` + ``highway=footway|pedestrian``): corridors and areas are corridors;
  rooms are shops when ``shop=*`` (or a sales ``amenity``), service rooms when
  ``room`` / ``amenity`` says toilets, storage, ...; ``room=stairs`` / ``stairs=yes``
  areas on two levels are stairs (``conveying=*``: escalators), ``highway=steps`` lines
  on two levels become stairs as wide as ``width`` (default 1.2 m).
* **Doors**: nodes with ``door=*`` or ``entrance=*`` join the two spaces they touch, as
  wide as ``width`` (default 1.0 m for a door, 1.8 m for an entrance); an entrance on one
  space at grade is an exit. Rooms without any door get one into the corridor they share
  the longest edge with (``room-door-assumed``; ``--no-infer room-doors``).
* **Outline**: ``building=*`` / ``shop=mall`` areas and ``indoor=level`` areas at grade.
* ``shop=*`` / ``amenity=*`` nodes inside a room name it (``poi-named``).

Coordinates are projected like IMDF: a local transverse Mercator centred on the data.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, unary_union

from sim.errors import LayoutError
from sim.io.importers._draft import (
    Draft,
    DraftDoor,
    DraftLevel,
    DraftOpening,
    DraftSpace,
    ImportResult,
    check_connectivity,
    check_overlaps,
    clean_ring,
    finish,
    join_adjacent,
    long_side,
    match_doors,
    polygon_problem,
    shared_segments,
)
from sim.io.importers.imdf import projection_for, slug
from sim.io.importers.infer import (
    add_exit_door,
    apply_drops,
    carve_rooms,
    level_id,
    link_verticals,
    matches,
    merge_overlapping,
    parse_levels,
    report_single_level_stairs,
    short_side,
)
from sim.io.importers.options import ImportOptions
from sim.io.importers.repair import suggest_repairs
from sim.io.importers.report import ImportReport, capture_warnings, malformed_data
from sim.io.input_file import check_input_file, read_json_file
from sim.model.layout import SPACE_KINDS, VERTICAL_KINDS
from sim.model.limits import MAX_DRAWING_BYTES

STOREY_HEIGHT_M = 5.0
#: Default clear widths (m) when a node has no ``width`` tag: a single door leaf and a
#: double entrance door (the GB 55037 0.9 m public-building minimum, rounded up / doubled).
DOOR_WIDTH_M = 1.0
ENTRANCE_WIDTH_M = 1.8
#: Width (m) of a ``highway=steps`` line without ``width``: a 1.2 m flight, the GB 50016-2014
#: §5.5.18 minimum stair width of high-rise public buildings (1.10 m in other public buildings).
STEPS_WIDTH_M = 1.2
#: Width (m) of the door assumed for a room mapped without one (a shop front opening is
#: wider; 1.8 m counts one double door).
ROOM_DOOR_WIDTH_M = 1.8
#: ``amenity`` values whose rooms are sales area.
SALES_AMENITIES = frozenset({"restaurant", "cafe", "fast_food", "food_court", "bar", "pub",
                             "ice_cream", "cinema", "pharmacy", "bank", "marketplace",
                             "nightclub", "theatre"})
#: ``room`` / ``amenity`` values of back-of-house rooms.
SERVICE_ROOMS = frozenset({"toilets", "toilet", "storage", "technical", "office",
                           "kitchen", "security", "shower", "utility", "server",
                           "waiting", "bathroom", "cloakroom", "administration"})
OPEN_KINDS = frozenset({"corridor", "atrium", "plaza", "parking", "stair", "escalator"})
_META = {"timestamp", "version", "changeset", "user", "uid", "id", "@id", "@type",
         "@relations", "@timestamp", "@version", "@changeset", "@user", "@uid"}


@dataclass
class OsmFeature:
    """One tagged OSM element with its geometry in lon/lat."""

    id: str
    tags: dict[str, str]
    geom: BaseGeometry


# ----------------------------------------------------------------------------- reading

def read_osm(path: str | Path) -> list[OsmFeature]:
    """Tagged nodes, open ways and areas of an OSM file (pyosmium) or GeoJSON export."""
    p = Path(path)
    if p.suffix.lower() in (".geojson", ".json"):
        return _read_geojson(p)
    return _read_osmium(p)


def _read_osmium(p: Path) -> list[OsmFeature]:
    import osmium
    import shapely.wkb

    check_input_file(p, LayoutError, "OSM file", limit=MAX_DRAWING_BYTES)
    fab = osmium.geom.WKBFactory()
    out: list[OsmFeature] = []
    from osmium.osm import Area, Node, Way

    try:
        for o in osmium.FileProcessor(str(p)).with_locations().with_areas():
            if not isinstance(o, Node | Way | Area):
                continue
            tags = {t.k: t.v for t in o.tags}
            if not tags:
                continue
            if isinstance(o, Node):
                if o.location.valid():
                    out.append(OsmFeature(f"node/{o.id}", tags,
                                          Point(o.location.lon, o.location.lat)))
            elif isinstance(o, Way):
                if o.is_closed() and tags.get("highway") != "steps":
                    continue  # its area follows
                try:
                    line = shapely.wkb.loads(fab.create_linestring(o), hex=True)
                except (RuntimeError, osmium.InvalidLocationError):
                    continue
                out.append(OsmFeature(f"way/{o.id}", tags, line))
            else:
                try:
                    g = shapely.wkb.loads(fab.create_multipolygon(o), hex=True)
                except RuntimeError:
                    continue
                kind = "way" if o.from_way() else "relation"
                if len(g.geoms) == 1:
                    g = g.geoms[0]
                out.append(OsmFeature(f"{kind}/{o.orig_id()}", tags, g))
    except RuntimeError as exc:
        raise LayoutError(f"not a readable OSM file ({exc})", source=str(p)) from None
    return out


def _read_geojson(p: Path) -> list[OsmFeature]:
    data = read_json_file(p, LayoutError, "GeoJSON file")
    feats = data.get("features") if isinstance(data, dict) else None
    if not isinstance(feats, list):
        raise LayoutError("not a GeoJSON FeatureCollection", field="features", source=str(p))
    out: list[OsmFeature] = []
    for k, f in enumerate(feats):
        if not isinstance(f, dict) or not f.get("geometry"):
            continue
        props = f.get("properties") or {}
        raw: dict[str, Any] = props["tags"] if isinstance(props.get("tags"), dict) else props
        tags = {str(a): str(b) for a, b in raw.items() if a not in _META and b is not None
                and not isinstance(b, dict | list)}
        fid = str(f.get("id") or props.get("@id") or props.get("id") or f"feature/{k}")
        if "/" not in fid and props.get("type") in ("node", "way", "relation"):
            fid = f"{props['type']}/{fid}"
        try:
            g = shape(f["geometry"])
        except (ValueError, TypeError, AttributeError, KeyError):
            continue
        if tags:
            out.append(OsmFeature(fid, tags, g))
    return out


# ----------------------------------------------------------------------------- classify

def osm_category(tags: Mapping[str, str]) -> str:
    """The category an indoor area is imported by (and ``--category`` overrides):
    ``stairs``, ``escalator``, ``elevator``, ``corridor``, ``area``, ``room``,
    ``room.shop``, ``room.<room or amenity value>``."""
    t = {k: v.lower() for k, v in tags.items()}
    if t.get("conveying") and (t.get("highway") == "steps" or t.get("stairs") == "yes"
                               or t.get("room") == "stairs" or t.get("highway") == "footway"):
        return "escalator"
    if t.get("room") == "stairs" or t.get("stairs") == "yes" or t.get("highway") == "steps":
        return "stairs"
    if t.get("room") == "elevator" or t.get("highway") == "elevator" \
            or t.get("elevator") == "yes":
        return "elevator"
    indoor = t.get("indoor", "")
    if indoor in ("corridor", "area"):
        return indoor
    if indoor == "yes":
        return "corridor"
    if "shop" in t or t.get("room") in ("shop", "retail"):
        return "room.shop"
    for key in ("room", "amenity"):
        if t.get(key):
            return f"room.{t[key]}"
    return "room"


def category_kind(cat: str, overrides: Mapping[str, str]) -> tuple[str, bool]:
    """``(kind, assumed)``: the space kind of a category; ``assumed`` for a room that
    says nothing about its use (imported as a shop)."""
    base = cat.split(".")[0]
    for key in (cat, base):
        if key in overrides:
            return overrides[key], False
    if cat in ("corridor", "area"):
        return "corridor", False
    if cat == "stairs":
        return "stair", False
    if cat == "escalator":
        return "escalator", False
    if cat == "elevator":
        return "service", False
    sub = cat.split(".", 1)[1] if "." in cat else ""
    if sub == "shop" or sub in SALES_AMENITIES:
        return "shop", False
    if sub in SERVICE_ROOMS:
        return "service", False
    return "shop", True


def _width(tags: Mapping[str, str], default: float) -> float:
    m = re.match(r"^\s*(\d+(?:[.,]\d+)?)\s*(m|cm|mm)?\s*$", tags.get("width", ""))
    if not m:
        return default
    v = float(m.group(1).replace(",", "."))
    v /= {"cm": 100.0, "mm": 1000.0}.get(m.group(2) or "m", 1.0)
    return v if 0.3 <= v <= 50 else default


# ----------------------------------------------------------------------------- import

@capture_warnings
@malformed_data("OSM")
def import_osm(path: str | Path, *, storey_height_m: float = STOREY_HEIGHT_M,
               tolerance_m: float = 0.5, name: str | None = None,
               options: ImportOptions | None = None) -> ImportResult:
    """Import an OSM / GeoJSON indoor extract. See the module doc for what is read."""
    p = Path(path)
    opts = options or ImportOptions()
    if not 0 < storey_height_m <= 50:
        raise LayoutError(f"must be a height in metres above 0 and at most 50, got "
                          f"{storey_height_m}", field="--storey-height")
    for cat, kind in opts.category.items():
        if kind not in SPACE_KINDS or kind == "exit":
            raise LayoutError(f"unknown space kind {kind!r} for category {cat!r}",
                              field="--category")
    feats = read_osm(p)
    rep = ImportReport(str(p), "OSM")
    indoor = [f for f in feats if f.tags.get("indoor") not in (None, "no")
              or f.tags.get("highway") in ("steps", "elevator")
              or "door" in f.tags or "entrance" in f.tags]
    if not any(f.tags.get("indoor") for f in feats):
        raise LayoutError("no indoor=* feature found (Simple Indoor Tagging)", source=str(p))
    allg = unary_union([f.geom for f in indoor if f.tags.get("indoor")])
    c = allg.centroid
    crs = projection_for(c.x, c.y)
    to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def proj(g: BaseGeometry) -> BaseGeometry:
        return shapely.transform(g, to_m.transform, interleaved=False)

    rep.info("projection", f"lon/lat projected with {crs} (origin {c.x:.6f} E, "
             f"{c.y:.6f} N = x 0, y 0)")
    rep.info("licence", "OpenStreetMap data (c) OpenStreetMap contributors, ODbL 1.0")
    mall = next((f for f in feats if f.tags.get("shop") == "mall"), None)
    draft = Draft(name or (mall.tags.get("name", "") if mall else "") or p.stem.split(".")[0],
                  rep)
    if mall is not None:
        draft.city = mall.tags.get("addr:city", "")

    # levels
    levels_of: dict[str, list[float]] = {}
    bad_level = 0
    for f in feats:
        if "level" not in f.tags and "repeat_on" not in f.tags:
            continue
        try:
            lv = parse_levels(f.tags["level"], field=f"{f.id}.level") \
                if "level" in f.tags else []
            if "repeat_on" in f.tags:
                lv = sorted(set(lv) | set(parse_levels(f.tags["repeat_on"],
                                                       field=f"{f.id}.repeat_on")))
        except LayoutError as exc:
            if f in indoor:
                rep.error("level-value", f"{exc.reason}; skipped", source_id=f.id,
                          layer=f"level={f.tags.get('level')}")
                bad_level += 1
            continue
        levels_of[f.id] = lv
    nums = sorted({v for f in indoor if f.tags.get("indoor") for v in levels_of.get(f.id, [])})
    if not nums:
        raise LayoutError("no indoor feature has a level=* tag", source=str(p))
    for v in nums:
        draft.levels.append(DraftLevel(level_id(v), v * storey_height_m,
                                       f"level {v:g}"))
    grade_num = 0.0 if 0.0 in nums else min(nums, key=abs)
    grade = {level_id(grade_num)}
    ent_levels = {level_id(v) for f in feats if isinstance(f.geom, Point)
                  and f.tags.get("entrance", "no") != "no" for v in levels_of.get(f.id, [])
                  if v in nums}
    if ent_levels - grade:
        rep.info("grade", f"entrances are mapped on {', '.join(sorted(ent_levels - grade))} "
                 "too (a building on a slope): exterior doors are taken there as well")
    grade |= ent_levels
    odd = [v for v in nums if v != int(v)]
    rep.info("levels", f"levels {', '.join(f'{v:g}' for v in nums)} -> "
             f"{', '.join(level_id(v) for v in nums)}, elevation = level x "
             f"{storey_height_m:g} m; grade is level {grade_num:g}"
             + (f"; {len(odd)} decimal level(s) (mezzanines)" if odd else ""))

    # outline at grade: buildings, the mall, indoor=level areas at grade
    outl = [proj(f.geom).boundary for f in feats
            if isinstance(f.geom, Polygon | MultiPolygon)
            and (f.tags.get("building") not in (None, "no") or f.tags.get("shop") == "mall"
                 or (f.tags.get("indoor") == "level"
                     and grade_num in levels_of.get(f.id, [grade_num])))]

    # spaces
    skipped: Counter[str] = Counter()
    assumed: list[str] = []
    no_level = 0
    for f in feats:
        t = f.tags
        ind = t.get("indoor")
        is_area = isinstance(f.geom, Polygon | MultiPolygon)
        walk_yes = ind == "yes" and t.get("highway") in ("footway", "pedestrian") and is_area
        if not is_area or not (ind in ("room", "area", "corridor") or walk_yes):
            if is_area and ind in ("wall", "column", "level", "door"):
                skipped[ind] += 1
            continue
        lvls = levels_of.get(f.id)
        if not lvls:
            no_level += 1
            continue
        cat = osm_category(t)
        kind, was_assumed = category_kind(cat, opts.category)
        if was_assumed:
            assumed.append(f.id)
        _add_area(draft, f, proj(f.geom), [level_id(v) for v in lvls], kind, cat)
    for what, n in sorted(skipped.items()):
        rep.info("unit-skipped", f"{n} indoor={what} areas are not spaces", layer=f"indoor={what}")
    if no_level:
        rep.warning("no-level", f"{no_level} indoor areas have no level=* tag; skipped")
    if assumed:
        rep.info("room-kind-assumed", f"{len(assumed)} room(s) without shop/room/amenity "
                 f"tags imported as shops (first: {', '.join(assumed[:3])}; "
                 "--category room=service says otherwise)")
    walk_yes_n = sum(1 for s in draft.spaces.values() if "osm:indoor=yes" in s.tags)
    if walk_yes_n:
        rep.info("indoor-yes", f"{walk_yes_n} indoor=yes footway areas (older indoor "
                 "tagging) imported as corridors")
    merge_overlapping(draft, ("corridor",))
    carve_rooms(draft, ("corridor",), opts.walkway_rooms)
    if opts.link_stairs:
        n = link_verticals(draft, opts.link_tolerance_m, elevator_tag="osm:elevator")
        rep.info("link-stairs", f"--link-stairs: {n} flight(s) made from stair/escalator "
                 f"areas overlapping on consecutive levels (tolerance "
                 f"{opts.link_tolerance_m:g} m)")
    _named_by_pois(draft, feats, levels_of, proj)

    # stairs drawn as lines, doors and entrances
    _steps_lines(draft, feats, levels_of, proj)
    used = apply_drops(draft, opts.drop)
    doors = _doors(draft, feats, levels_of, proj, grade, opts)
    for d in doors:
        if d.source_id in opts.exit:
            d.exit_hint = True
            used.add(d.source_id)
    outlines = {lv: unary_union([*outl, _spaces_outline(draft, lv)]) for lv in grade}
    match_doors(draft, doors, outlines if opts.infer_exits else {}, tolerance_m,
                outline_tol=opts.outline_tolerance_m)
    n = join_adjacent(draft, OPEN_KINDS, tag="osm:adjacent")
    if n:
        rep.info("adjacent", f"{n} openings added between open-plan neighbours (corridors, "
                 "areas, stairs) that share an edge")
    if opts.room_doors:
        _room_doors(draft)
    for ref in opts.exit:
        for s in [s for s in draft.spaces.values() if matches(s, ref) and s.kind != "exit"]:
            at = s.levels[0]
            add_exit_door(draft, s, at, outlines.get(at), opts.exit_width_m,
                          tol=opts.outline_tolerance_m, why=f"--exit {ref}", tag="fix:exit")
            used.add(ref)
    for ref in [*opts.exit, *opts.drop]:
        if ref not in used:
            rep.warning("fix-unused", f"{ref!r} names no door, entrance or space in this "
                        "data (renamed or removed since the fix was written?)",
                        layer=opts.fixes_source or "command line")
    report_single_level_stairs(draft, "is tagged on one level")
    check_overlaps(draft)
    suggest_repairs(draft, opts, outlines, grade, Counter())
    check_connectivity(draft, drop_unreachable=opts.drop_unreachable)
    return finish(draft, str(p))


def _add_area(draft: Draft, f: OsmFeature, g: BaseGeometry, lvls: list[str], kind: str,
              cat: str) -> None:
    rep = draft.report
    where = {"source_id": f.id, "layer": f"osm:{cat}", "level": lvls[0]}
    parts = [x for x in getattr(g, "geoms", [g]) if isinstance(x, Polygon)]
    tags = [f"osm:{cat}"]
    if f.tags.get("indoor") == "yes":
        tags.append("osm:indoor=yes")
    if cat == "elevator":
        tags.append("osm:elevator")
    name = f.tags.get("name") or f.tags.get("ref") or ""
    for k, part in enumerate(parts):
        ring = clean_ring(part.exterior.coords)
        problem = polygon_problem(ring)
        if problem:
            rep.error("bad-polygon", f"area unusable: {problem}; skipped", **where)
            continue
        poly = Polygon(ring)
        base = f"{lvls[0]}-{slug(name) or kind}" + (f".{k + 1}" if len(parts) > 1 else "")
        if kind in VERTICAL_KINDS and len(lvls) >= 2:
            prev: DraftSpace | None = None
            for lo, hi in pairwise(lvls):
                s = draft.add_space(DraftSpace(f"{lo}-{slug(name) or kind}", kind,
                                               [lo, hi], poly, source_id=f.id,
                                               where=f"osm:{cat}", name=name, tags=list(tags)))
                rise = abs(draft.elevation(hi) - draft.elevation(lo))
                s.extra["length_m"] = math.hypot(long_side(poly), rise)
                if prev is not None:
                    c = poly.representative_point()
                    draft.add_opening(DraftOpening(f"{prev.id}~{s.id}", prev.id, s.id,
                                                   short_side(poly), (c.x, c.y), lo, "opening",
                                                   ["osm:landing"]))
                prev = s
            if len(lvls) > 2:
                rep.info("stair-levels", f"{kind} on levels {'/'.join(lvls)}: "
                         f"{len(lvls) - 1} flights joined at the landings", **where)
            continue
        if len(lvls) > 1:
            rep.info("multi-level", f"{kind} area tagged on {len(lvls)} levels; "
                     f"imported on {lvls[0]} (a double-height room)", **where)
        draft.add_space(DraftSpace(base, kind, [lvls[0]], poly, source_id=f.id,
                                   where=f"osm:{cat}", name=name, tags=list(tags)))


def _spaces_outline(draft: Draft, level: str) -> BaseGeometry:
    gs = [g for s in draft.spaces.values() if (g := s.geom_on(level)) is not None]
    return unary_union(gs).boundary if gs else Point()


def _named_by_pois(draft: Draft, feats: list[OsmFeature], levels_of: Mapping[str, list[float]],
                   proj: Any) -> None:
    n = 0
    for f in feats:
        if not isinstance(f.geom, Point) or not f.tags.get("name") \
                or not ({"shop", "amenity"} & set(f.tags)):
            continue
        pt = proj(f.geom)
        for v in levels_of.get(f.id, []):
            lv = level_id(v)
            for s in draft.spaces.values():
                g = s.geom_on(lv)
                if g is not None and s.kind not in ("corridor", *VERTICAL_KINDS) \
                        and g.contains(pt) and not s.name:
                    s.name = f.tags["name"]
                    if "shop" in f.tags and s.kind == "service":
                        continue
                    if "shop" in f.tags:
                        s.kind = "shop"
                        s.tags.append(f"shop:{f.tags['shop']}")
                    n += 1
    if n:
        draft.report.info("poi-named", f"{n} room(s) named by the shop/amenity node inside")


def _steps_lines(draft: Draft, feats: list[OsmFeature], levels_of: Mapping[str, list[float]],
                 proj: Any) -> None:
    """``highway=steps`` (and conveying footways) drawn as lines between two levels."""
    rep = draft.report
    for f in feats:
        t = f.tags
        if not isinstance(f.geom, LineString):
            continue
        cat = osm_category(t)
        if cat not in ("stairs", "escalator"):
            continue
        lv = levels_of.get(f.id, [])
        where = {"source_id": f.id, "layer": f"osm:{cat}"}
        if len(lv) < 2:
            rep.warning("steps-one-level", f"{cat} line without two levels "
                        f"(level={t.get('level', '')!r}); skipped", **where)
            continue
        lo, hi = level_id(lv[0]), level_id(lv[-1])
        line = proj(f.geom)
        if t.get("incline", "").lower() in ("down", "-"):
            line = LineString(list(line.coords)[::-1])
        elif t.get("incline", "").lower() not in ("up",):
            rep.info("steps-direction", "no incline=up/down: the first node is taken as "
                     "the lower end", **where)
        w = _width(t, STEPS_WIDTH_M)
        poly = line.buffer(w / 2, cap_style="flat")
        if not isinstance(poly, Polygon) or poly.area <= 0:
            continue
        kind = "stair" if cat == "stairs" else "escalator"
        s = draft.add_space(DraftSpace(f"{lo}-{slug(t.get('name', '')) or kind}", kind,
                                       [lo, hi], Polygon(poly.exterior.coords),
                                       source_id=f.id, where=f"osm:{cat}",
                                       name=t.get("name", ""), tags=[f"osm:{cat}",
                                                                     "osm:line"]))
        s.extra["length_m"] = math.hypot(line.length, abs(draft.elevation(hi)
                                                          - draft.elevation(lo)))
        ends = [(Point(line.coords[0]), lo), (Point(line.coords[-1]), hi)]
        joined = 0
        for pt, lvl in ends:
            best = _space_at(draft, pt, lvl, exclude=s.id)
            if best is None:
                continue
            draft.add_opening(DraftOpening(f"{s.id}~{best.id}", s.id, best.id, w,
                                           (pt.x, pt.y), lvl, "opening", ["osm:steps-end"]))
            joined += 1
        rep.info("steps-line", f"{kind} drawn as a line: {w:.1f} m wide between {lo} and "
                 f"{hi}; {joined} of 2 ends inside a space", **where)


def _space_at(draft: Draft, pt: Point, level: str, exclude: str = "",
              tol: float = 1.0) -> DraftSpace | None:
    best: tuple[float, str] | None = None
    for s in draft.spaces.values():
        g = s.geom_on(level)
        if g is None or s.id == exclude or s.kind == "exit" or s.kind in VERTICAL_KINDS:
            continue
        d = float(g.distance(pt))
        if d <= tol and (best is None or (d, s.id) < best):
            best = (d, s.id)
    return draft.spaces[best[1]] if best else None


def _doors(draft: Draft, feats: list[OsmFeature], levels_of: Mapping[str, list[float]],
           proj: Any, grade: set[str], opts: ImportOptions) -> list[DraftDoor]:
    """Door and entrance nodes as door lines along the nearest space edge."""
    rep = draft.report
    out: list[DraftDoor] = []
    no_level = 0
    no_level_ent = 0
    lifts = 0
    far = 0
    for f in feats:
        t = f.tags
        if not isinstance(f.geom, Point):
            continue
        if t.get("highway") == "elevator":
            lifts += 1
            continue
        ent = t.get("entrance", "no") != "no"
        door = t.get("door", "no") != "no"
        if not (ent or door):
            continue
        lv = levels_of.get(f.id)
        pt = proj(f.geom)
        if not lv:
            if not ent:
                no_level += 1
                continue
            # an entrance without level=*: the grade level whose spaces it is nearest to
            near = [(d, lvl) for lvl in sorted(grade)
                    if (d := _edge_distance(draft, pt, lvl)) is not None]
            lv_ids = [min(near)[1]] if near else sorted(grade)
            no_level_ent += 1
        else:
            lv_ids = [level_id(v) for v in lv]
        width = _width(t, ENTRANCE_WIDTH_M if ent else DOOR_WIDTH_M)
        for lvl in lv_ids:
            line = _door_line(draft, pt, lvl, width, 4.0)
            if line is None:
                far += 1
                continue
            outside = ent and opts.infer_exits and \
                _spaces_outline(draft, lvl).distance(pt) <= opts.outline_tolerance_m
            if outside and _entrance_exit(draft, f, pt, lvl, width, t["entrance"]):
                continue
            out.append(DraftDoor(f.id, "osm:entrance" if ent else "osm:door", lvl, line,
                                 kind="door", id=f"{lvl}-door-{f.id.split('/')[-1]}",
                                 exit_hint=False, exit_id=f"exit-{f.id.replace('/', '-')}",
                                 tags=[f"osm:entrance={t['entrance']}" if ent else "osm:door"]))
    if no_level:
        rep.warning("door-no-level", f"{no_level} door node(s) without level=*; skipped")
    if far:
        rep.warning("door-far", f"{far} door/entrance node(s) more than 4 m from any space "
                    "on their level; skipped")
    if no_level_ent:
        rep.info("entrance-level", f"{no_level_ent} entrance node(s) without level=* placed "
                 "on the grade level whose spaces they are nearest to")
    if lifts:
        rep.info("elevator-ignored", f"{lifts} elevator node(s) not used (elevators are not "
                 "used in evacuation)")
    return out


def _edge_distance(draft: Draft, pt: Point, level: str) -> float | None:
    ds = [float(g.exterior.distance(pt)) for s in draft.spaces.values()
          if (g := s.geom_on(level)) is not None]
    return min(ds) if ds else None


#: Kinds preferred as the inside of an entrance on the outline, best first.
_ENTRANCE_SIDE = ("corridor", "atrium", "plaza", "shop", "service", "stair", "escalator")


def _entrance_exit(draft: Draft, f: OsmFeature, pt: Point, level: str, width: float,
                   value: str) -> bool:
    """An entrance node on the outer boundary of its level's spaces: an exit from the
    space it touches (a walkway before a shop when it stands where both meet)."""
    near = [(s, g) for s in draft.spaces.values() if s.kind != "exit"
            and (g := s.geom_on(level)) is not None and g.distance(pt) <= 1.0]
    if not near:
        return False
    s, g = min(near, key=lambda x: (_ENTRANCE_SIDE.index(x[0].kind)
                                    if x[0].kind in _ENTRANCE_SIDE else 99,
                                    x[1].distance(pt), x[0].id))
    q, _ = nearest_points(g.exterior, pt)
    ex = draft.add_space(DraftSpace(f"exit-{f.id.replace('/', '-')}", "exit", [level], None,
                                    source_id=f.id, where="osm:entrance"))
    draft.add_opening(DraftOpening(f"{level}-door-{f.id.split('/')[-1]}", s.id, ex.id, width,
                                   (float(q.x), float(q.y)), level, "door",
                                   [f"osm:entrance={value}", f"source:{f.id}"]))
    draft.report.info("entrance-exit", f"entrance={value} on the outline of {level}: exit "
                      f"from {s.id}, {width:.1f} m", source_id=f.id, layer="osm:entrance",
                      level=level)
    return True


def _door_line(draft: Draft, pt: Point, level: str, width: float, reach: float
               ) -> LineString | None:
    """A line of ``width`` centred on the point of the nearest space edge to ``pt``,
    along that edge."""
    best: tuple[float, LineString] | None = None
    for s in draft.spaces.values():
        g = s.geom_on(level)
        if g is None:
            continue
        d = float(g.exterior.distance(pt))
        if d > reach or (best is not None and d >= best[0]):
            continue
        coords = list(g.exterior.coords)
        seg = min((LineString([a, b]) for a, b in pairwise(coords)),
                  key=lambda e: e.distance(pt))
        best = (d, seg)
    if best is None:
        return None
    seg = best[1]
    q, _ = nearest_points(seg, pt)
    (x0, y0), (x1, y1) = seg.coords[0], seg.coords[-1]
    n = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / n, (y1 - y0) / n
    h = width / 2
    return LineString([(q.x - ux * h, q.y - uy * h), (q.x + ux * h, q.y + uy * h)])


def _room_doors(draft: Draft) -> None:
    """Rooms mapped without a door: one into the corridor they share most edge with."""
    joined = {x for o in draft.openings.values() for x in (o.a, o.b)}
    made: list[str] = []
    for s in list(draft.spaces.values()):
        if s.id in joined or s.kind in ("exit", "corridor", *VERTICAL_KINDS) \
                or s.polygon is None:
            continue
        lv = s.levels[0]
        best: tuple[float, DraftSpace, LineString] | None = None
        for c in draft.spaces.values():
            g = c.geom_on(lv)
            if c.kind != "corridor" or g is None:
                continue
            for seg in shared_segments(s.polygon, g, tol=0.3):
                if best is None or seg.length > best[0]:
                    best = (float(seg.length), c, seg)
        if best is None:
            continue
        length, c, seg = best
        mid = seg.interpolate(0.5, normalized=True)
        draft.add_opening(DraftOpening(f"{s.id}~{c.id}", s.id, c.id,
                                       min(length, ROOM_DOOR_WIDTH_M), (mid.x, mid.y), lv,
                                       "door", ["inferred:room-door"]))
        made.append(s.id)
    if made:
        draft.report.info("room-door-assumed", f"{len(made)} room(s) mapped without a door "
                          f"given one ({ROOM_DOOR_WIDTH_M:g} m or the shared edge if "
                          f"shorter) into the corridor they share most edge with (first: "
                          f"{', '.join(made[:3])}; --no-infer room-doors)")
