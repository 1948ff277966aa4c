"""Import an Apple / OGC IMDF archive (Indoor Mapping Data Format, OGC CS 20-094).

The archive is a ``.zip`` or a folder with ``manifest.json`` and one GeoJSON
FeatureCollection per feature type (``venue.geojson``, ``level.geojson``,
``unit.geojson``, ``opening.geojson``, ``relationship.geojson``, ...). What is read
(``docs/import-export.md`` has the tables):

* **Projection**: WGS84 lon/lat to metres with pyproj, a local transverse Mercator
  (``+proj=tmerc +k=1``) centred on the venue polygon's centroid, so x is east and y is
  north in metres from that centroid (scale error below 1e-8 within 1 km).
* **Levels**: one layout level per ``ordinal`` (0 -> ``L1``, 1 -> ``L2``, -1 -> ``B1``),
  elevation = ordinal x storey height (5 m unless given).
* **Units** -> spaces by :data:`CATEGORY_KINDS`; voids and structure are skipped.
  A unit with holes (a walkway round an atrium void) is cut into hole-free pieces
  joined by openings.
* **Openings** (LineStrings) -> openings between the two units they touch, as wide as
  the projected line; on the level outline (or of category ``emergencyexit``) with one
  unit -> an exit. Open-plan neighbours (walkways, stairs, escalators) that share an
  edge but no opening feature are joined by an ``opening`` as wide as the shared edge.
* **Relationships** of category ``traversal`` whose units include stairs or escalators
  give those their two levels; elevator traversals are ignored (not used in
  evacuation).
* **Amenities** tag the space(s) in their ``unit_ids`` (``amenity:<category>``);
  occupant names (via anchors) name unnamed units.
"""

from __future__ import annotations

import itertools
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.errors
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, nearest_points, unary_union

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
    split_holes,
)
from sim.io.importers.infer import (
    add_exit_door,
    apply_drops,
    carve_rooms,
    link_verticals,
    matches,
    outline_edge,
    report_single_level_stairs,
)
from sim.io.importers.options import ImportOptions
from sim.io.importers.repair import suggest_repairs
from sim.io.importers.report import ImportReport, capture_warnings, malformed_data
from sim.io.input_file import check_input_file, is_dir, parse_json_text, read_input_bytes
from sim.model.layout import SPACE_KINDS, VERTICAL_KINDS
from sim.model.limits import MAX_DRAWING_BYTES, MAX_INPUT_BYTES

#: Default storey height (m): elevation = ordinal x this.
STOREY_HEIGHT_M = 5.0
#: Unit category -> space kind; ``None`` means "not a space" (skipped, reported).
CATEGORY_KINDS: dict[str, str | None] = {
    # circulation
    "walkway": "corridor", "walkway.island": "corridor", "footbridge": "corridor",
    "lobby": "corridor", "ramp": "corridor", "platform": "corridor",
    "movingwalkway": "corridor", "unenclosedarea": "corridor",
    # vertical
    "stairs": "stair", "steps": "stair", "escalator": "escalator",
    "elevator": "service",
    # sales and public rooms
    "room": "shop", "retail": "shop", "foodservice": "shop", "fitnessroom": "shop",
    "movietheater": "shop", "theater": "shop", "auditorium": "shop", "recreation": "shop",
    "lounge": "shop", "privatelounge": "shop", "library": "shop", "classroom": "shop",
    "conferenceroom": "shop", "huddleroom": "shop", "laboratory": "shop",
    "waitingroom": "shop",
    # back of house and amenities
    "restroom": "service", "nonpublic": "service", "storage": "service",
    "serverroom": "service", "mailroom": "service", "office": "service",
    "kitchen": "service", "shower": "service", "phoneroom": "service",
    "mothersroom": "service", "firstaid": "service", "smokingarea": "service",
    # outside and parking
    "parking": "parking", "terrace": "plaza", "fieldofplay": "plaza",
    # not spaces
    "opentobelow": None, "structure": None, "column": None, "brick": None,
    "concrete": None, "drywall": None, "glass": None, "wood": None,
    "vegetation": None, "road": None,
}
#: Kinds joined to their open-plan neighbours without an opening feature.
OPEN_KINDS = frozenset({"corridor", "atrium", "plaza", "parking", "stair", "escalator"})
FEATURE_FILES = ("venue", "level", "unit", "opening", "amenity", "fixture", "relationship",
                 "address", "building", "footprint", "section", "anchor", "occupant",
                 "kiosk", "geofence", "detail")


#: Largest absolute level ordinal: 200 storeys is taller than any building.
MAX_ORDINAL = 200


def category_kind(category: str, overrides: Mapping[str, str] | None = None
                  ) -> tuple[str | None, bool]:
    """``(kind, known)`` for a unit category; ``base.sub`` variants (``restroom.female``,
    ``foodservice.coffee``) count as their base category."""
    cat = (category or "unspecified").lower()
    if overrides and cat in overrides:
        return overrides[cat], True
    if cat in CATEGORY_KINDS:
        return CATEGORY_KINDS[cat], True
    base = cat.split(".")[0]
    if overrides and base in overrides:
        return overrides[base], True
    if base in CATEGORY_KINDS:  # restroom.female, foodservice.coffee, ...
        return CATEGORY_KINDS[base], True
    return "service", False


def _read_archive(path: Path) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    texts: dict[str, bytes] = {}
    total = 0
    try:
        if is_dir(path):
            for f in path.iterdir():
                if f.suffix in (".geojson", ".json"):
                    texts[f.name] = read_input_bytes(f, LayoutError, "GeoJSON file")
                    total += len(texts[f.name])
        else:
            check_input_file(path, LayoutError, "IMDF archive", limit=MAX_DRAWING_BYTES)
            with zipfile.ZipFile(path) as z:
                for info in z.infolist():
                    base = info.filename.rsplit("/", 1)[-1]
                    if base.endswith((".geojson", ".json")) and not base.startswith("."):
                        total += info.file_size
                        if info.file_size > MAX_INPUT_BYTES or total > MAX_DRAWING_BYTES:
                            raise LayoutError(
                                f"unpacks to more than the {MAX_INPUT_BYTES:,} bytes accepted "
                                f"per file or {MAX_DRAWING_BYTES:,} in all",
                                field=info.filename, source=str(path))
                        texts[base] = z.read(info)
    except OSError as exc:
        raise LayoutError(f"cannot read IMDF archive ({exc.strerror or exc})",
                          source=str(path)) from None
    except (zipfile.BadZipFile, EOFError, zlib.error, ValueError) as exc:
        raise LayoutError(f"not a zip file or folder ({exc})", source=str(path)) from None
    if total > MAX_DRAWING_BYTES:
        raise LayoutError(f"more than the {MAX_DRAWING_BYTES:,} bytes accepted",
                          source=str(path))
    manifest: dict[str, Any] = {}
    feats: dict[str, list[dict[str, Any]]] = {}
    for name, raw in texts.items():
        data = parse_json_text(raw, LayoutError, "JSON", source=str(path), field=name)
        if name == "manifest.json":
            manifest = data if isinstance(data, dict) else {}
        elif name.endswith(".geojson"):
            fs = data.get("features") if isinstance(data, dict) else None
            if not isinstance(fs, list):
                raise LayoutError("not a GeoJSON FeatureCollection", field=name,
                                  source=str(path))
            feats[name[:-len(".geojson")]] = [f for f in fs if isinstance(f, dict)]
    if "unit" not in feats or "level" not in feats:
        raise LayoutError("an IMDF archive needs level.geojson and unit.geojson",
                          source=str(path))
    return manifest, feats


def _label(v: Any, lang: str) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, dict) and v:
        for key in (lang, lang.split("-")[0], "en", "en-US"):
            if v.get(key):
                return str(v[key])
        return str(next(iter(v.values())))
    return ""


def slug(text: str) -> str:
    """A name as an id part: lower case, runs of non-word characters as ``-``."""
    return re.sub(r"[^\w]+", "-", text.strip().lower()).strip("-")


def _coordinates_problem(f: Mapping[str, Any]) -> str | None:
    """Why a feature's coordinates are not plausible lon/lat (``None``: they are, or it
    has no geometry at all)."""
    g = f.get("geometry")
    if not g:
        return None
    try:
        xy = shapely.get_coordinates(shape(g))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError,
            shapely.errors.GEOSException):
        return "malformed geometry"
    if not np.isfinite(xy).all():
        return "a coordinate is not a finite number"
    if (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        return "a coordinate is not a longitude/latitude (beyond ±180/±90)"
    return None


def _report_implausible(feats: Mapping[str, list[dict[str, Any]]], rep: ImportReport) -> None:
    """One ``implausible-geometry`` error per feature whose coordinates are unusable (the
    feature is then read as having no geometry)."""
    for ft, fs in sorted(feats.items()):
        for f in fs:
            problem = _coordinates_problem(f)
            if problem is not None:
                rep.error("implausible-geometry", f"{ft} feature: {problem}; its geometry "
                          "is ignored", source_id=str(f.get("id")), layer=ft)


def _geom(f: Mapping[str, Any]) -> BaseGeometry | None:
    """The feature's geometry (lon/lat); ``None`` when missing, malformed, or with a
    coordinate that is not a finite longitude/latitude (NaN, inf, beyond ±180/±90)."""
    g = f.get("geometry")
    if not g or _coordinates_problem(f) is not None:
        return None
    try:
        geom = shape(g)
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    return geom if not geom.is_empty else None


def projection_for(lon: float, lat: float) -> str:
    """The local transverse Mercator centred on ``lon, lat`` (metres, x east, y north)."""
    return (f"+proj=tmerc +lat_0={lat:.9f} +lon_0={lon:.9f} +k=1 +x_0=0 +y_0=0 "
            "+ellps=WGS84 +units=m +no_defs")


#: Opening categories of vehicle doors: not pedestrian routes unless their geometry says so.
VEHICLE_OPENINGS = frozenset({"automobile", "bicycle"})
#: A vehicle door is at least this wide (m); a narrower "automobile" opening is a door.
VEHICLE_MIN_WIDTH_M = 2.0
#: Unit categories whose units at grade are entrances: given an exterior door when no
#: opening leads outside from them.
ENTRANCE_CATEGORIES = frozenset({"lobby", "entrance", "vestibule"})


@capture_warnings
@malformed_data("IMDF")
def import_imdf(path: str | Path, *, storey_height_m: float = STOREY_HEIGHT_M,
                categories: Mapping[str, str] | None = None, drop_unreachable: bool = False,
                tolerance_m: float = 0.5, name: str | None = None,
                options: ImportOptions | None = None) -> ImportResult:
    """Import an IMDF archive (zip or folder). See the module doc for what is read.

    ``options`` holds the inference switches and the user's repairs (``--exit``,
    ``--drop``, ``--link-stairs``, ...); ``categories`` and ``drop_unreachable`` add to
    it.
    """
    p = Path(path)
    opts = (options or ImportOptions()).with_cli(
        category=categories, drop_unreachable=drop_unreachable or None)
    categories = opts.category
    if not 0 < storey_height_m <= 50:
        raise LayoutError(f"must be a height in metres above 0 and at most 50, got "
                          f"{storey_height_m}", field="--storey-height")
    for cat, kind in (categories or {}).items():
        if kind not in SPACE_KINDS or kind == "exit":
            raise LayoutError(f"unknown space kind {kind!r} for category {cat!r}",
                              field="--category")
    manifest, feats = _read_archive(p)
    lang = str(manifest.get("language") or "en")
    rep = ImportReport(str(p), "IMDF")
    _report_implausible(feats, rep)
    for ft, fs in sorted(feats.items()):
        if ft not in FEATURE_FILES:
            rep.info("feature-ignored", f"{len(fs)} features in {ft}.geojson (unknown type) "
                     "not read")
    venues = feats.get("venue", [])
    venue_geom = unary_union([g for f in venues if (g := _geom(f)) is not None]) \
        if venues else None
    if venue_geom is None or venue_geom.is_empty:
        allg = [g for f in feats["unit"] + feats["level"] if (g := _geom(f)) is not None]
        if not allg:
            raise LayoutError("no unit or level has a geometry", source=str(p))
        venue_geom = unary_union(allg).envelope
        rep.warning("no-venue", "no venue polygon; projection centred on the units' extent")
    c = venue_geom.centroid
    crs = projection_for(c.x, c.y)
    to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def proj(g: BaseGeometry) -> BaseGeometry:
        return shapely.transform(g, to_m.transform, interleaved=False)

    rep.info("projection", f"lon/lat projected with {crs} (origin {c.x:.6f} E, "
             f"{c.y:.6f} N = x 0, y 0)")
    vname = _label(venues[0].get("properties", {}).get("name"), lang) if venues else ""
    draft = Draft(name or vname or p.stem.split(".")[0], rep)
    draft.city = _city(feats, venues, lang)

    # levels: one per ordinal
    level_of: dict[str, str] = {}
    outlines_raw: dict[str, list[BaseGeometry]] = {}
    building_ordinals: dict[str, list[int]] = {}
    for f in feats["level"]:
        props = f.get("properties") or {}
        try:
            ordinal = int(props["ordinal"])
        except (KeyError, TypeError, ValueError, OverflowError):
            rep.error("level-ordinal", "level has no integer ordinal; its units are skipped",
                      source_id=str(f.get("id")), layer="level")
            continue
        if abs(ordinal) > MAX_ORDINAL:
            rep.error("implausible-level", f"ordinal {ordinal} is beyond ±{MAX_ORDINAL} "
                      "storeys; the level and its units are skipped",
                      source_id=str(f.get("id")), layer="level")
            continue
        lid = f"L{ordinal + 1}" if ordinal >= 0 else f"B{-ordinal}"
        level_of[str(f.get("id"))] = lid
        for b in props.get("building_ids") or []:
            building_ordinals.setdefault(str(b), []).append(ordinal)
        if all(lv.id != lid for lv in draft.levels):
            draft.levels.append(DraftLevel(lid, ordinal * storey_height_m,
                                           _label(props.get("name"), lang)))
        g = _geom(f)
        if g is not None:
            outlines_raw.setdefault(lid, []).append(proj(g).boundary)
        if ordinal == 0:
            outlines_raw.setdefault(lid, []).append(proj(venue_geom).boundary)
    if not draft.levels:
        raise LayoutError("no usable level features", source=str(p))
    rep.info("levels", "levels by ordinal (0 -> L1, -1 -> B1), elevation = ordinal x "
             f"{storey_height_m:g} m")
    grade, at_grade = _grade_outlines(draft, feats, building_ordinals, proj)
    if opts.infer_exits:
        for lv, g in at_grade.items():
            outlines_raw.setdefault(lv, []).append(g)
    outlines = {lv: unary_union(gs) for lv, gs in outlines_raw.items()}
    if not at_grade:  # no footprints or buildings: the level outlines at grade
        at_grade = {lv: g for lv, g in outlines.items() if lv in grade}

    doors = _openings(draft, feats.get("opening", []), level_of, proj, lang)
    avoid: dict[str, list[tuple[float, float]]] = {}
    for d in doors:
        x0, _, x1, _ = d.line.bounds
        avoid.setdefault(d.level, []).append((x0, x1))
    unit_spaces, unit_levels = _units(draft, feats["unit"], level_of, proj, lang, categories,
                                      avoid)
    used = apply_drops(draft, opts.drop)
    carve_rooms(draft, ("corridor",), opts.walkway_rooms, avoid)
    _occupant_names(draft, feats, unit_spaces, lang)
    rel_pairs = _relationships(draft, feats.get("relationship", []), unit_spaces,
                               unit_levels, level_of, feats.get("opening", []))
    if opts.link_stairs:
        n = link_verticals(draft, opts.link_tolerance_m, elevator_tag="imdf:elevator")
        rep.info("link-stairs", f"--link-stairs: {n} flight(s) made from stair/escalator "
                 f"units overlapping on consecutive levels (tolerance "
                 f"{opts.link_tolerance_m:g} m)")
    report_single_level_stairs(draft, "is in no traversal relationship")
    for d in doors:
        if d.source_id in opts.exit or (d.id and d.id in opts.exit):
            d.exit_hint = True
            used.add(d.source_id if d.source_id in opts.exit else str(d.id))
    match_doors(draft, doors, outlines if opts.infer_exits else {}, tolerance_m,
                outline_tol=opts.outline_tolerance_m)
    _vehicle_openings(draft, opts.fix_categories)
    n = join_adjacent(draft, OPEN_KINDS, tag="imdf:adjacent")
    if n:
        rep.info("adjacent", f"{n} openings added between open-plan neighbours (walkways, "
                 "stairs, escalators) that share an edge but no opening feature")
    _link_relationships(draft, rel_pairs)
    used |= _space_exits(draft, opts, at_grade, grade)
    for ref in [*opts.exit, *opts.drop]:
        if ref not in used:
            rep.warning("fix-unused", f"{ref!r} names no opening or space in this data "
                        "(renamed or removed since the fix was written?)",
                        layer=opts.fixes_source or "command line")
    _amenities(draft, feats.get("amenity", []), unit_spaces)
    for ft in ("fixture", "kiosk", "section", "geofence", "detail"):
        if feats.get(ft):
            why = " (obstacles are not modelled)" if ft in ("fixture", "kiosk") else ""
            rep.info("feature-ignored", f"{len(feats[ft])} {ft} features not imported{why}")
    check_overlaps(draft)
    unknown = Counter(f.layer.split(":", 1)[1] for f in rep.by_code("unit-category"))
    suggest_repairs(draft, opts, at_grade, grade, unknown)
    check_connectivity(draft, drop_unreachable=opts.drop_unreachable)
    return finish(draft, str(p))


def _grade_outlines(draft: Draft, feats: Mapping[str, list[dict[str, Any]]],
                    building_ordinals: Mapping[str, list[int]], proj: Any
                    ) -> tuple[set[str], dict[str, BaseGeometry]]:
    """The grade levels and, per grade level, the outline of the buildings standing on it:
    their ground footprints, building polygons and level polygons at grade.

    A building's grade is ordinal 0 when it has a level there, else its lowest ordinal
    (a building on a slope whose first floor is ordinal 1); reported (``grade``).
    """
    rep = draft.report
    shapes: dict[str, list[BaseGeometry]] = {}
    for f in feats.get("footprint", []):
        props = f.get("properties") or {}
        if str(props.get("category") or "ground") != "ground":
            continue
        g = _geom(f)
        if g is not None:
            for b in props.get("building_ids") or []:
                shapes.setdefault(str(b), []).append(proj(g).boundary)
    for f in feats.get("building", []):
        g = _geom(f)
        if g is not None and isinstance(g, Polygon | MultiPolygon):
            shapes.setdefault(str(f.get("id")), []).append(proj(g).boundary)
    grade_of = {b: (0 if 0 in ords else min(ords)) for b, ords in building_ordinals.items()}
    for f in feats.get("level", []):
        props = f.get("properties") or {}
        g = _geom(f)
        for b in props.get("building_ids") or []:
            if g is not None and props.get("ordinal") == grade_of.get(str(b)):
                shapes.setdefault(str(b), []).append(proj(g).boundary)
    raw: dict[str, list[BaseGeometry]] = {}
    for b, lo in sorted(grade_of.items()):
        lid = f"L{lo + 1}" if lo >= 0 else f"B{-lo}"
        raw.setdefault(lid, []).extend(shapes.get(b, []))
        if lo != 0:
            rep.info("grade", f"building {b} has no level at ordinal 0; its grade is its "
                     f"lowest level, {lid}", source_id=b, layer="building", level=lid)
    grade = set(raw) or {lv.id for lv in draft.levels if lv.elevation_m == 0} or \
        {draft.level_ids()[0]}
    n_fp = len(feats.get("footprint", [])) + len(feats.get("building", []))
    if n_fp:
        rep.info("outline", f"ground footprints and building polygons of {len(grade_of)} "
                 f"building(s) with levels taken as the outline at grade "
                 f"({', '.join(sorted(grade))}) for exterior doors; {n_fp} footprint and "
                 "building features in the archive")
    return grade, {lv: unary_union(gs) for lv, gs in raw.items() if gs}


def _vehicle_openings(draft: Draft, fix: bool) -> None:
    """Openings whose category says vehicles (``automobile``, ``bicycle``).

    Between two indoor spaces that are not parking, or narrower than a vehicle door, the
    category contradicts the geometry: flagged, and (``fix``) kept as a pedestrian
    door, else removed. Vehicle doors that fit their geometry stay, reported.
    """
    rep = draft.report
    wrong: list[str] = []
    fits: list[str] = []
    for o in list(draft.openings.values()):
        cats = [t.split(":", 1)[1] for t in o.tags if t.startswith("imdf:")]
        if not cats or cats[0] not in VEHICLE_OPENINGS:
            continue
        ka, kb = draft.spaces[o.a].kind, draft.spaces[o.b].kind
        outdoorish = {"parking", "plaza", "exit"}
        if (ka not in outdoorish and kb not in outdoorish) or o.width_m < VEHICLE_MIN_WIDTH_M:
            wrong.append(o.id)
            if fix:
                o.tags = [t for t in o.tags if not t.startswith("imdf:")] + \
                    ["imdf:pedestrian", f"imdf-category:{cats[0]}"]
            else:
                del draft.openings[o.id]
        else:
            fits.append(o.id)
    if wrong:
        what = ("treated as pedestrian doors" if fix else
                "not walkable: removed (--no-infer categories)")
        rep.warning("category-contradiction",
                    f"{len(wrong)} opening(s) of a vehicle category join indoor rooms or "
                    f"are narrower than {VEHICLE_MIN_WIDTH_M:g} m; {what} (first: "
                    f"{', '.join(wrong[:3])})", layer="opening")
    if fits:
        rep.info("opening-vehicle", f"{len(fits)} vehicle opening(s) between parking or "
                 "outside spaces kept as they are", layer="opening")


def _space_exits(draft: Draft, opts: ImportOptions, outlines: Mapping[str, BaseGeometry],
                 grade: set[str]) -> set[str]:
    """``--exit SPACE`` and lobby / entrance units at grade: an exterior door each."""
    used: set[str] = set()
    exits_from = {o.a for o in draft.openings.values()
                  if draft.spaces[o.b].kind == "exit"} | \
        {o.b for o in draft.openings.values() if draft.spaces[o.a].kind == "exit"}
    for ref in opts.exit:
        for s in [s for s in draft.spaces.values() if matches(s, ref) and s.kind != "exit"]:
            lv = s.levels[0]
            add_exit_door(draft, s, lv, outlines.get(lv), opts.exit_width_m,
                          tol=opts.outline_tolerance_m, why=f"--exit {ref}",
                          tag="fix:exit")
            used.add(ref)
    if not opts.infer_exits:
        return used
    for s in list(draft.spaces.values()):
        cats = {t.split(":", 1)[1] for t in s.tags if t.startswith("imdf:")}
        lv = s.levels[0]
        if cats & ENTRANCE_CATEGORIES and lv in grade and s.id not in exits_from:
            g = s.geom_on(lv)
            on = outline_edge(g, outlines.get(lv), opts.outline_tolerance_m)[0] if g else 0
            if on > 0:
                add_exit_door(draft, s, lv, outlines.get(lv), opts.exit_width_m,
                              tol=opts.outline_tolerance_m,
                              why=f"{'/'.join(sorted(cats))} unit at grade with {on:.0f} m "
                              "of edge on the outline", tag="inferred:entrance")
    return used


def _city(feats: Mapping[str, list[dict[str, Any]]], venues: list[dict[str, Any]],
          lang: str) -> str:
    addr_id = (venues[0].get("properties") or {}).get("address_id") if venues else None
    for a in feats.get("address", []):
        if a.get("id") == addr_id or addr_id is None:
            return str((a.get("properties") or {}).get("locality") or "")
    return ""


def _units(draft: Draft, units: list[dict[str, Any]], level_of: Mapping[str, str],
           proj: Any, lang: str, overrides: Mapping[str, str] | None,
           avoid: Mapping[str, list[tuple[float, float]]]
           ) -> tuple[dict[str, list[str]], dict[str, str]]:
    rep = draft.report
    unit_spaces: dict[str, list[str]] = {}
    unit_levels: dict[str, str] = {}
    skipped: Counter[str] = Counter()
    for f in units:
        uid = str(f.get("id"))
        props = f.get("properties") or {}
        cat = str(props.get("category") or "unspecified")
        where = {"source_id": uid, "layer": f"unit:{cat}"}
        lid = level_of.get(str(props.get("level_id")))
        if lid is None:
            rep.error("unit-level", f"unit's level_id {props.get('level_id')!r} is not a "
                      "level; skipped", **where)
            continue
        where["level"] = lid
        unit_levels[uid] = lid
        kind, known = category_kind(cat, overrides)
        if kind is None:
            skipped[cat] += 1
            continue
        if not known:
            rep.warning("unit-category", f"unknown unit category {cat!r}; imported as "
                        f"{kind} (use --category {cat}=KIND)", **where)
        g = _geom(f)
        if g is None or not isinstance(g, Polygon | MultiPolygon):
            rep.error("unit-geometry", "unit has no Polygon geometry; skipped", **where)
            continue
        g = proj(g)
        parts = list(g.geoms) if isinstance(g, MultiPolygon) else [g]
        if len(parts) > 1:
            rep.warning("multipolygon", f"unit is a MultiPolygon; imported as {len(parts)} "
                        "spaces (rooms among them need their own openings)", **where)
        pieces: list[Polygon] = []
        for part in parts:
            if part.interiors:
                cut = split_holes(part, avoid.get(lid, []))
                rep.info("holes-split", f"unit has {len(part.interiors)} hole(s); cut into "
                         f"{len(cut)} pieces joined by openings", **where)
                pieces += cut
            else:
                pieces.append(part)
        uname = _label(props.get("name"), lang)
        base = f"{lid}-{slug(uname) or kind}"
        ids: list[str] = []
        for k, piece in enumerate(pieces):
            ring = clean_ring(piece.exterior.coords)
            problem = polygon_problem(ring)
            if problem:
                rep.error("bad-polygon", f"unit polygon unusable: {problem}; skipped", **where)
                continue
            sid = base if len(pieces) == 1 else f"{base}.{k + 1}"
            s = draft.add_space(DraftSpace(sid, kind, [lid], Polygon(ring), source_id=uid,
                                           where=f"unit:{cat}", name=uname,
                                           tags=[f"imdf:{cat}"]))
            ids.append(s.id)
        unit_spaces[uid] = ids
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                pa, pb = draft.spaces[a].polygon, draft.spaces[b].polygon
                if pa is None or pb is None:
                    continue
                for seg in shared_segments(pa, pb):
                    c = seg.interpolate(0.5, normalized=True)
                    draft.add_opening(DraftOpening(f"{a}~{b}", a, b, float(seg.length),
                                                   (float(c.x), float(c.y)), lid, "opening",
                                                   ["split", f"source:{uid}"]))
    for cat, n in sorted(skipped.items()):
        rep.info("unit-skipped", f"{n} units of category {cat!r} are not spaces (voids and "
                 "structure); skipped", layer=f"unit:{cat}")
    return unit_spaces, unit_levels


def _occupant_names(draft: Draft, feats: Mapping[str, list[dict[str, Any]]],
                    unit_spaces: Mapping[str, list[str]], lang: str) -> None:
    anchor_unit = {str(a.get("id")): str((a.get("properties") or {}).get("unit_id"))
                   for a in feats.get("anchor", [])}
    for o in feats.get("occupant", []):
        props = o.get("properties") or {}
        uid = anchor_unit.get(str(props.get("anchor_id")))
        oname = _label(props.get("name"), lang)
        for sid in unit_spaces.get(uid or "", []):
            s = draft.spaces.get(sid)
            if s is not None and oname and not s.name:
                s.name = oname
                cat = props.get("category")
                if cat:
                    s.tags.append(f"occupant:{cat}")


def _ref_level(ref: Any, unit_levels: Mapping[str, str],
               opening_levels: Mapping[str, str]) -> str | None:
    if not isinstance(ref, dict):
        return None
    rid = str(ref.get("id"))
    return unit_levels.get(rid) or opening_levels.get(rid)


def _relationships(draft: Draft, rels: list[dict[str, Any]],
                   unit_spaces: Mapping[str, list[str]], unit_levels: Mapping[str, str],
                   level_of: Mapping[str, str], openings: list[dict[str, Any]]
                   ) -> list[tuple[str, str, str]]:
    """Give stairs and escalators their levels; return ``(vertical, unit space, level)``
    pairs that must be joined (origin and destination units)."""
    rep = draft.report
    order = draft.level_ids()
    opening_levels = {str(o.get("id")): lid for o in openings
                      if (lid := level_of.get(str((o.get("properties") or {}).get("level_id"))))}
    done: dict[str, str] = {}
    pairs: list[tuple[str, str, str]] = []
    other: Counter[str] = Counter()
    for r in rels:
        props = r.get("properties") or {}
        rid = str(r.get("id"))
        cat = str(props.get("category") or "")
        where = {"source_id": rid, "layer": f"relationship:{cat}"}
        if cat != "traversal":
            other[cat] += 1
            continue
        ends = [props.get("origin"), props.get("destination")]
        inter = props.get("intermediary") or []
        refs = [x for x in [*ends, *inter] if isinstance(x, dict)]
        vert: list[tuple[str, str]] = []  # (unit id, space id) of vertical units
        elevator = False
        for ref in refs:
            uid = str(ref.get("id"))
            for sid in unit_spaces.get(uid, []):
                s = draft.spaces.get(sid)
                if s is None:
                    continue
                if s.kind in VERTICAL_KINDS:
                    vert.append((uid, sid))
                elif "imdf:elevator" in s.tags:
                    elevator = True
        if not vert:
            if elevator:
                rep.info("elevator-ignored", "elevator traversal ignored (elevators are not "
                         "used in evacuation)", **where)
            else:
                rep.warning("relationship-no-stair", "traversal names no stairs or escalator "
                            "unit; ignored", **where)
            continue
        levels = sorted({lv for ref in refs
                         if (lv := _ref_level(ref, unit_levels, opening_levels))},
                        key=order.index)
        if len(levels) < 2:
            rep.warning("relationship-one-level", "traversal stays on one level; its stairs "
                        "keep one level", **where)
            continue
        by_level: dict[str, str] = {}
        for _uid, sid in vert:
            s = draft.spaces.get(sid)
            if s is not None:
                by_level.setdefault(s.levels[0], sid)
        for lo, hi in itertools.pairwise(levels):
            base_id = by_level.get(lo) or by_level.get(hi)
            if base_id is None or base_id not in draft.spaces:
                continue
            base = draft.spaces[base_id]
            if done.get(base_id) == f"{lo}-{hi}":
                continue
            if base_id in done:
                rep.warning("relationship-conflict", f"{base_id} already joins "
                            f"{done[base_id]}; traversal {lo}-{hi} ignored", **where)
                continue
            upper_id = by_level.get(hi)
            upper = draft.spaces.get(upper_id) if upper_id else None
            lower_poly = base.polygon
            if lower_poly is None:
                continue
            base.geoms = {lo: lower_poly if base.levels[0] == lo else
                          (upper.polygon if upper and upper.polygon is not None else lower_poly),
                          hi: upper.polygon if upper is not None and upper.polygon is not None
                          else lower_poly}
            base.polygon = base.geoms[lo]
            base.levels = [lo, hi]
            done[base_id] = f"{lo}-{hi}"
            if upper is not None and upper.id != base.id and upper_id not in done \
                    and hi == levels[-1]:
                # the top flight's unit is the same stair seen from the upper level
                del draft.spaces[upper.id]
                base.source_id = f"{base.source_id}+{upper.source_id}"
                rep.info("stair-merged", f"{upper.id} is the upper end of {base.id}", **where)
            elif upper is not None and upper.id != base.id:
                pairs.append((base.id, upper.id, hi))
            rise = abs(draft.elevation(hi) - draft.elevation(lo))
            run = long_side(base.polygon)
            base.extra.setdefault("length_m", (run ** 2 + rise ** 2) ** 0.5)
            rep.info("stair-levels", f"{base.id} joins {lo}-{hi} (walking length "
                     f"{base.extra['length_m']:.1f} m from run {run:.1f} m and rise "
                     f"{rise:.1f} m)", **where)
            for end in ends:
                if not isinstance(end, dict):
                    continue
                sids = [sid for sid in unit_spaces.get(str(end.get("id")), [])
                        if sid in draft.spaces and draft.spaces[sid].kind not in VERTICAL_KINDS
                        and draft.spaces[sid].levels[0] in (lo, hi)]
                if sids:
                    pairs.append((base.id, ",".join(sids), draft.spaces[sids[0]].levels[0]))
    for cat, n in sorted(other.items()):
        rep.info("relationship-ignored", f"{n} relationships of category {cat!r} not read")
    return pairs


def _dist(a: BaseGeometry, b: BaseGeometry | None) -> float:
    return float(a.distance(b)) if b is not None else float("inf")


def _link_relationships(draft: Draft, pairs: Sequence[tuple[str, str, str]]) -> None:
    """Join a stair to the units its traversal names when no opening does yet."""
    joined = {frozenset((o.a, o.b)) for o in draft.openings.values()}
    for a, bs, lv in pairs:
        # ``bs``: the pieces of one unit (comma-joined); join the nearest one
        cands = [b for b in bs.split(",") if b in draft.spaces]
        if a not in draft.spaces or not cands \
                or any(frozenset((a, b)) in joined for b in cands):
            continue
        sa = draft.spaces[a]
        ga = sa.geom_on(lv)
        if ga is None:
            continue
        b = min(cands, key=lambda c: _dist(ga, draft.spaces[c].geom_on(lv)))
        sb = draft.spaces[b]
        gb = sb.geom_on(lv)
        if gb is None:
            continue
        pa, pb = nearest_points(ga, gb)
        at = ((pa.x + pb.x) / 2, (pa.y + pb.y) / 2)
        rect = ga.minimum_rotated_rectangle
        xs, ys = rect.exterior.coords.xy
        width = min(((xs[i + 1] - xs[i]) ** 2 + (ys[i + 1] - ys[i]) ** 2) ** 0.5
                    for i in range(2))
        draft.add_opening(DraftOpening(f"{a}~{b}", a, b, float(width), at, lv, "opening",
                                       ["imdf:relationship"]))
        joined.add(frozenset((a, b)))
        draft.report.info("relationship-link", f"{a} joined to {b} on {lv} as its traversal "
                          f"says (no opening feature; width {width:.1f} m, the flight's)",
                          source_id=sa.source_id, level=lv)


def _openings(draft: Draft, openings: list[dict[str, Any]], level_of: Mapping[str, str],
              proj: Any, lang: str) -> list[DraftDoor]:
    rep = draft.report
    out: list[DraftDoor] = []
    for f in openings:
        oid = str(f.get("id"))
        props = f.get("properties") or {}
        cat = str(props.get("category") or "pedestrian")
        where = {"source_id": oid, "layer": f"opening:{cat}"}
        lid = level_of.get(str(props.get("level_id")))
        if lid is None:
            rep.error("opening-level", f"opening's level_id {props.get('level_id')!r} is not "
                      "a level; skipped", **where)
            continue
        g = _geom(f)
        if isinstance(g, MultiLineString):
            g = linemerge(g)
            if isinstance(g, MultiLineString):
                g = max(g.geoms, key=lambda x: x.length)
        if not isinstance(g, LineString):
            rep.error("opening-geometry", "opening is not a LineString; skipped", level=lid,
                      **where)
            continue
        line = proj(g)
        oname = _label(props.get("name"), lang)
        oslug = slug(oname)
        exit_hint = cat == "emergencyexit"
        ename = f"exit-{oslug or oid[:8]}"
        kind = "door" if props.get("door") else "opening"
        out.append(DraftDoor(oid, f"opening:{cat}", lid, line, kind=kind,
                             id=f"{lid}-{oslug or 'door'}", exit_hint=exit_hint,
                             exit_id=ename, tags=[f"imdf:{cat}"]))
    return out


def _amenities(draft: Draft, amenities: list[dict[str, Any]],
               unit_spaces: Mapping[str, list[str]]) -> None:
    n = 0
    for a in amenities:
        props = a.get("properties") or {}
        cat = str(props.get("category") or "")
        hit = False
        for uid in props.get("unit_ids") or []:
            for sid in unit_spaces.get(str(uid), []):
                if sid in draft.spaces and cat:
                    draft.spaces[sid].tags.append(f"amenity:{cat}")
                    hit = True
        if hit:
            n += 1
        else:
            draft.report.info("amenity-unplaced", f"amenity {cat!r} names no imported unit; "
                              "not imported", source_id=str(a.get("id")), layer="amenity")
    if n:
        draft.report.info("amenities", f"{n} amenities tagged on their units "
                          "(amenity:<category>)")
