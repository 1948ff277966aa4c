"""What the DXF and IMDF importers share: a draft layout, door matching and checks.

An importer fills a :class:`Draft` with levels and spaces (shapely polygons in metres),
hands its doors (lines in metres) to :func:`match_doors`, runs :func:`check_overlaps`
and :func:`check_connectivity`, and calls :func:`finish`, which turns the draft into the
layout mapping and validates it with :func:`sim.model.layout_schema.layout_from_dict`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, split, substring
from shapely.strtree import STRtree

from sim.errors import LayoutError
from sim.io.importers.report import ImportReport, Repair
from sim.model import limits
from sim.model.layout import VERTICAL_KINDS, Layout
from sim.model.layout_schema import SCHEMA, layout_from_dict

#: Overlaps smaller than this (m²) or than 1 % of the smaller space are not reported.
MIN_OVERLAP_M2 = 0.05
#: Shared edges shorter than this (m) are not joined.
MIN_SHARED_M = 0.3
#: Vertical spaces drawn on two levels are the same flight when their plans overlap this much.
SAME_FLIGHT_OVERLAP = 0.5

SPACE_EXTRA_KEYS = ("length_m", "riser_mm", "tread_mm", "height_m", "width_m")


@dataclass
class DraftSpace:
    """A space before validation; ``geoms`` holds per-level plans of a vertical space."""

    id: str
    kind: str
    levels: list[str]
    polygon: Polygon | None
    source_id: str = ""
    where: str = ""
    name: str = ""
    tags: list[str] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)
    geoms: dict[str, Polygon] = field(default_factory=dict)

    def geom_on(self, level: str) -> Polygon | None:
        """The plan of this space on ``level`` (``None`` when it is not there)."""
        if level not in self.levels:
            return None
        return self.geoms.get(level, self.polygon)


@dataclass
class DraftDoor:
    """A door or opening before it is matched to the spaces it touches."""

    source_id: str
    where: str
    level: str
    line: LineString
    kind: str = "door"
    id: str | None = None
    exit_hint: bool = False
    exit_id: str | None = None
    tags: list[str] = field(default_factory=list)
    #: The space the door opens into, when the plan alone is ambiguous (stacked flights).
    to: str | None = None


@dataclass
class DraftOpening:
    """A matched opening."""

    id: str
    a: str
    b: str
    width_m: float
    at: tuple[float, float]
    level: str
    kind: str = "door"
    tags: list[str] = field(default_factory=list)


@dataclass
class DraftLevel:
    """A level: id, elevation and a display name."""

    id: str
    elevation_m: float
    name: str = ""


@dataclass
class Draft:
    """A layout under construction, and the report of how it was made."""

    name: str
    report: ImportReport
    levels: list[DraftLevel] = field(default_factory=list)
    spaces: dict[str, DraftSpace] = field(default_factory=dict)
    openings: dict[str, DraftOpening] = field(default_factory=dict)
    city: str = ""

    def level_ids(self) -> list[str]:
        """Level ids by elevation."""
        return [lv.id for lv in sorted(self.levels, key=lambda lv: lv.elevation_m)]

    def elevation(self, level: str) -> float:
        """Elevation (m) of a level."""
        return next(lv.elevation_m for lv in self.levels if lv.id == level)

    def unique_id(self, base: str, taken: Iterable[str] = ()) -> str:
        """``base``, or ``base-2``, ``base-3``... so that it is not a space or opening id."""
        used = set(self.spaces) | set(self.openings) | set(taken)
        if base not in used:
            return base
        k = 2
        while f"{base}-{k}" in used:
            k += 1
        return f"{base}-{k}"

    def add_space(self, s: DraftSpace) -> DraftSpace:
        """Add a space under a unique id."""
        s.id = self.unique_id(s.id)
        self.spaces[s.id] = s
        return s

    def add_opening(self, o: DraftOpening) -> DraftOpening:
        """Add an opening under a unique id."""
        o.id = self.unique_id(o.id)
        self.openings[o.id] = o
        return o


# ----------------------------------------------------------------------------- geometry

def clean_ring(points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and the closing point of a ring."""
    out: list[tuple[float, float]] = []
    for x, y in points:
        p = (float(x), float(y))
        if not out or math.dist(out[-1], p) > 1e-9:
            out.append(p)
    if len(out) > 1 and math.dist(out[0], out[-1]) <= 1e-9:
        out.pop()
    return out


def geometry_problem(pts: Sequence[tuple[float, float]]) -> str | None:
    """Why coordinates (m) are not a plausible plan, by :mod:`sim.model.limits`."""
    if not all(math.isfinite(c) for p in pts for c in p):
        return "a coordinate is not a finite number"
    if any(abs(c) > limits.MAX_COORD_M for p in pts for c in p):
        return (f"a coordinate is more than {limits.MAX_COORD_M:,.0f} m from the origin "
                "(check the units)")
    if pts:
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        span = max(max(xs) - min(xs), max(ys) - min(ys))
        if span > limits.MAX_EXTENT_M:
            return (f"spans {span:,.0f} m, more than the {limits.MAX_EXTENT_M:,.0f} m one "
                    "space may span (check the units)")
    return None


def plausible_points(pts: Sequence[tuple[float, float]], rep: ImportReport, what: str,
                     where: Mapping[str, str], *, report: bool = True) -> bool:
    """True if the points are a plausible plan; else an ``implausible-geometry`` error."""
    problem = geometry_problem(pts)
    if problem is None:
        return True
    if report:
        rep.error("implausible-geometry", f"{what}: {problem}; skipped", **where)
    return False


def plausible_line(line: LineString, rep: ImportReport, what: str,
                   where: Mapping[str, str]) -> bool:
    """True if a door line is plausible (finite, at most ``MAX_OPENING_WIDTH_M`` long)."""
    pts = [(float(x), float(y)) for x, y in line.coords]
    problem = geometry_problem(pts)
    if problem is None:
        width = math.dist(pts[0], pts[-1])
        if width > limits.MAX_OPENING_WIDTH_M:
            problem = (f"{width:,.1f} m wide, more than the {limits.MAX_OPENING_WIDTH_M:g} m "
                       "an opening may be (check the units)")
    if problem is None:
        return True
    rep.error("implausible-geometry", f"{what}: {problem}; skipped", **where)
    return False


def check_plausible(draft: Draft) -> None:
    """Drop what no building has (reported as errors): levels beyond ±1,000 m, spaces
    with non-finite or far-flung coordinates, openings wider than 50 m."""
    rep = draft.report
    for lv in list(draft.levels):
        if not (math.isfinite(lv.elevation_m)
                and abs(lv.elevation_m) <= limits.MAX_ELEVATION_M):
            rep.error("implausible-level", f"elevation {lv.elevation_m:g} m is beyond "
                      f"±{limits.MAX_ELEVATION_M:,.0f} m; the level and its spaces are "
                      "skipped", level=lv.id)
            draft.levels.remove(lv)
            for sid in [s.id for s in draft.spaces.values() if lv.id in s.levels]:
                del draft.spaces[sid]
    for s in list(draft.spaces.values()):
        for g in [s.polygon, *s.geoms.values()]:
            if g is None:
                continue
            problem = geometry_problem([(float(x), float(y)) for x, y in g.exterior.coords])
            if problem is not None:
                rep.error("implausible-geometry", f"space {s.id}: {problem}; skipped",
                          source_id=s.source_id, layer=s.where)
                del draft.spaces[s.id]
                break
    for o in list(draft.openings.values()):
        bad = o.a not in draft.spaces or o.b not in draft.spaces
        if not bad and not (math.isfinite(o.width_m)
                            and 0 < o.width_m <= limits.MAX_OPENING_WIDTH_M):
            rep.error("implausible-geometry", f"opening {o.id}: {o.width_m:g} m wide, outside "
                      f"(0, {limits.MAX_OPENING_WIDTH_M:g}] m; skipped", level=o.level)
            bad = True
        if bad:
            del draft.openings[o.id]


def polygon_problem(pts: list[tuple[float, float]]) -> str | None:
    """Why ``pts`` is not a usable simple polygon (``None`` when it is)."""
    if len(pts) < 3:
        return f"only {len(pts)} distinct points"
    poly = Polygon(pts)
    if not poly.exterior.is_simple:
        return "the outline crosses itself"
    if poly.area <= 1e-6:
        return "zero area"
    return None


def split_holes(poly: Polygon, avoid: Sequence[tuple[float, float]] = (),
                depth: int = 0) -> list[Polygon]:
    """Cut a polygon with holes into hole-free pieces by vertical cuts through each hole.

    The cut runs through the hole at the x farthest from the x-ranges in ``avoid``
    (doors, given as ``(xmin, xmax)``), so that no door is cut in two.
    """
    if not poly.interiors or depth > 16:
        return [poly]
    hole = Polygon(poly.interiors[0])
    hx0, _, hx1, _ = hole.bounds
    _, miny, _, maxy = poly.bounds
    best: tuple[float, float] | None = None
    for k in range(1, 40):
        x = hx0 + (hx1 - hx0) * k / 40
        if not hole.intersects(LineString([(x, miny - 1.0), (x, maxy + 1.0)])):
            continue
        clear = min((max(a - x, x - b, 0.0) for a, b in avoid), default=0.0)
        clear -= 1e-6 * abs(x - (hx0 + hx1) / 2)  # prefer the middle on ties
        if best is None or clear > best[0]:
            best = (clear, x)
    x = best[1] if best else hole.representative_point().x
    cutter = LineString([(x, miny - 1.0), (x, maxy + 1.0)])
    pieces = [g for g in split(poly, cutter).geoms if isinstance(g, Polygon) and g.area > 1e-6]
    out: list[Polygon] = []
    for p in pieces:
        out.extend(split_holes(p, avoid, depth + 1))
    return out


def shared_segments(a: Polygon, b: Polygon, tol: float = 0.05) -> list[LineString]:
    """Pieces of ``b``'s outline that lie on ``a``'s outline (within ``tol``)."""
    inter = b.exterior.intersection(a.exterior.buffer(tol))
    lines: list[LineString] = []
    if inter.is_empty:
        return lines
    geoms = getattr(inter, "geoms", [inter])
    parts = [g for g in geoms if isinstance(g, LineString)]
    if not parts:
        return lines
    merged = linemerge(MultiLineString(parts)) if len(parts) > 1 else parts[0]
    for g in getattr(merged, "geoms", [merged]):
        # the buffer adds ``tol`` at each end (round a corner or past a's end): trim it
        if isinstance(g, LineString) and g.length - 2 * tol >= MIN_SHARED_M:
            trimmed = substring(g, tol, g.length - tol)
            if isinstance(trimmed, LineString):
                lines.append(trimmed)
    return lines


def midpoint(line: LineString) -> tuple[float, float]:
    """Point halfway along a line."""
    p = line.interpolate(0.5, normalized=True)
    return (float(p.x), float(p.y))


def long_side(poly: Polygon) -> float:
    """Long side (m) of the minimum rotated rectangle."""
    rect = poly.minimum_rotated_rectangle
    xs, ys = rect.exterior.coords.xy
    return float(max(math.dist((xs[i], ys[i]), (xs[i + 1], ys[i + 1])) for i in range(2)))


def same_flight(a: Polygon, b: Polygon) -> bool:
    """True when two plans of a stair overlap by half the smaller one or more."""
    small = min(a.area, b.area)
    return small > 0 and a.intersection(b).area >= SAME_FLIGHT_OVERLAP * small


# ----------------------------------------------------------------------------- matching

def match_doors(draft: Draft, doors: Iterable[DraftDoor],
                outlines: Mapping[str, BaseGeometry], tol: float,
                outline_tol: float | None = None) -> None:
    """Turn doors into openings between the spaces their midpoints touch.

    A door touches a space when its midpoint is within ``tol`` of the space's plan on the
    door's level. With three or more, the two along whose outline the door runs furthest
    are joined (``door-many-spaces``). A door touching one space is an exit when it is
    flagged as one (exit layer, emergency-exit category) or lies on the level's outline;
    otherwise it is reported (``door-one-space``). A door touching none is reported too.
    ``outline_tol`` (default ``tol``) is how far from the outline a door still lies on it.
    """
    otol = tol if outline_tol is None else outline_tol
    rep = draft.report
    per_level: dict[str, list[tuple[DraftSpace, Polygon]]] = {}
    for s in draft.spaces.values():
        for lv in s.levels:
            g = s.geom_on(lv)
            if g is not None:
                per_level.setdefault(lv, []).append((s, g))
    trees = {lv: STRtree([g for _, g in items]) for lv, items in per_level.items()}
    exits_by_name: dict[str, str] = {}
    resolved: Counter[str] = Counter()
    joined: set[frozenset[str]] = set()
    for door in doors:
        where = {"source_id": door.source_id, "layer": door.where, "level": door.level}
        width = float(door.line.length)
        if width <= 1e-6:
            rep.error("door-zero-width", "door has zero width; skipped", **where)
            continue
        mid = midpoint(door.line)
        pt = Point(mid)
        items = per_level.get(door.level, [])
        cands: list[tuple[float, float, DraftSpace]] = []
        if items:
            for idx in trees[door.level].query(pt.buffer(tol)):
                s, g = items[int(idx)]
                d = float(g.distance(pt))
                if d > tol:
                    continue
                along = float(door.line.intersection(g.exterior.buffer(tol)).length)
                cands.append((-round(along, 3), round(d, 4), s))
        cands.sort(key=lambda c: (c[0], c[1], c[2].id))
        oid = door.id or f"door-{door.source_id}"
        if len(cands) >= 2:
            a, b = cands[0][2], cands[1][2]
            picked = _disambiguate(door, [c[2] for c in cands], joined)
            if picked is not None:
                a, b, how = picked
                resolved[how] += 1
            elif len(cands) > 2:
                rep.warning("door-many-spaces",
                            f"door touches {len(cands)} spaces "
                            f"({', '.join(c[2].id for c in cands)}); joined {a.id} and {b.id}",
                            **where)
            if door.exit_hint:
                rep.warning("exit-door-two-spaces",
                            f"exit door joins two spaces ({a.id}, {b.id}); made an ordinary door",
                            **where)
            draft.add_opening(DraftOpening(oid, a.id, b.id, width, mid, door.level, door.kind,
                                           _src_tags(door)))
            joined.add(frozenset((a.id, b.id)))
        elif len(cands) == 1:
            s = cands[0][2]
            outline = outlines.get(door.level)
            on_outline = outline is not None and not outline.is_empty \
                and float(outline.distance(pt)) <= otol
            if not (door.exit_hint or on_outline):
                hint = "" if outline is not None else " (no outline drawn on this level)"
                rep.error("door-one-space",
                          f"door touches only {s.id}{hint}; not an exit, skipped", **where)
                continue
            ename = door.exit_id or ""
            if ename and ename in exits_by_name:
                ex_id = exits_by_name[ename]
            else:
                ex = draft.add_space(DraftSpace(ename or f"exit-{door.source_id}", "exit",
                                                [door.level], None, source_id=door.source_id,
                                                where=door.where))
                ex_id = ex.id
                if ename:
                    exits_by_name[ename] = ex_id
            draft.add_opening(DraftOpening(oid, s.id, ex_id, width, mid, door.level, door.kind,
                                           _src_tags(door)))
        else:
            rep.error("door-no-space",
                      f"door at ({mid[0]:.2f}, {mid[1]:.2f}) touches no space within "
                      f"{tol} m; skipped", **where)
    for how, n in sorted(resolved.items()):
        rep.info("door-resolved", f"{n} door(s) touching several spaces (stacked stairs or "
                 f"escalators) matched by {how}")


def _disambiguate(door: DraftDoor, cands: list[DraftSpace], joined: set[frozenset[str]]
                  ) -> tuple[DraftSpace, DraftSpace, str] | None:
    """Pick the pair for a door touching 3+ spaces, or one with a ``to`` hint.

    * ``to`` names one of the spaces: it is one side, the best other candidate the other;
    * one ordinary space and several stacked flights (stairs or escalators drawn on the
      same plan): the flight going down from the door's level (its upper level is the
      door's), else the one going up from it.
    """
    if door.to is not None:
        hit = next((c for c in cands if c.id == door.to), None)
        if hit is not None:
            other = next(c for c in cands if c is not hit)
            return hit, other, "a 'to=' label"
    if len(cands) < 3:
        return None
    flat = [c for c in cands if c.kind not in VERTICAL_KINDS]
    flights = [c for c in cands if c.kind in VERTICAL_KINDS]
    if len(flat) != 1 or len(flights) < 2:
        return None
    down = [f for f in flights if f.levels[-1] == door.level and len(f.levels) > 1]
    up = [f for f in flights if f.levels[0] == door.level and f not in down]
    # a second door on the same spot (criss-cross escalators) takes the next flight
    free = [f for f in down + up if frozenset((flat[0].id, f.id)) not in joined]
    options = free or down or up
    if not options:
        return None
    return flat[0], options[0], "the stacked-flight rule (the flight going down first)"


def _src_tags(door: DraftDoor) -> list[str]:
    return [*door.tags, f"source:{door.source_id}"] if door.source_id else list(door.tags)


def join_adjacent(draft: Draft, kinds: frozenset[str], *, tag: str) -> int:
    """Join open-plan neighbours (``kinds``) that share an edge but no opening.

    One opening of kind ``opening`` per shared edge piece, as wide as the piece.
    Returns the number of openings added.
    """
    joined = {frozenset((o.a, o.b)) for o in draft.openings.values()}
    added = 0
    for lv in draft.level_ids():
        items = [(s, g) for s in draft.spaces.values() if s.kind in kinds
                 for g in [s.geom_on(lv)] if g is not None]
        if len(items) < 2:
            continue
        tree = STRtree([g for _, g in items])
        for i, (sa, ga) in enumerate(items):
            for j in tree.query(ga.buffer(0.05)):
                j = int(j)
                if j <= i:
                    continue
                sb, gb = items[j]
                if sa.id == sb.id or frozenset((sa.id, sb.id)) in joined:
                    continue
                if sa.kind in VERTICAL_KINDS and sb.kind in VERTICAL_KINDS:
                    continue  # neighbouring flights are not walked into each other
                if ga.intersection(gb).area > 0.01 * min(ga.area, gb.area):
                    continue  # overlapping plans are not neighbours (see check_overlaps)
                for seg in shared_segments(ga, gb):
                    draft.add_opening(DraftOpening(f"{sa.id}~{sb.id}", sa.id, sb.id,
                                                   float(seg.length), midpoint(seg), lv,
                                                   "opening", [tag]))
                    added += 1
                joined.add(frozenset((sa.id, sb.id)))
    return added


# ----------------------------------------------------------------------------- checks

def check_overlaps(draft: Draft) -> None:
    """Report spaces on one level whose plans overlap (``overlap``)."""
    for lv in draft.level_ids():
        items = [(s, g) for s in draft.spaces.values()
                 for g in [s.geom_on(lv)] if g is not None]
        if len(items) < 2:
            continue
        tree = STRtree([g for _, g in items])
        for i, (sa, ga) in enumerate(items):
            for j in tree.query(ga):
                j = int(j)
                if j <= i:
                    continue
                sb, gb = items[j]
                if sa.kind in VERTICAL_KINDS and sb.kind in VERTICAL_KINDS \
                        and sa.levels != sb.levels:
                    continue  # stacked flights share their plan by design
                area = float(ga.intersection(gb).area)
                small = min(ga.area, gb.area)
                if area > max(MIN_OVERLAP_M2, 0.01 * small):
                    draft.report.warning(
                        "overlap",
                        f"{sa.id} and {sb.id} overlap by {area:.1f} m² "
                        f"({100 * area / small:.0f} % of the smaller); both kept, "
                        f"sales area counts the overlap twice",
                        source_id=f"{sa.source_id},{sb.source_id}", layer=sa.where, level=lv)


def check_connectivity(draft: Draft, *, drop_unreachable: bool) -> None:
    """Report spaces without an opening and spaces that cannot reach an exit.

    With ``drop_unreachable`` the latter are removed (and reported as dropped);
    otherwise they stay and the layout will not validate.
    """
    rep = draft.report
    g: nx.Graph[str] = nx.Graph()
    g.add_nodes_from(draft.spaces)
    g.add_edges_from((o.a, o.b) for o in draft.openings.values())
    for s in draft.spaces.values():
        if g.degree(s.id) == 0 and s.kind != "exit":
            rep.warning("no-opening", f"{s.id} ({s.kind}) has no opening",
                        source_id=s.source_id, layer=s.where, level=s.levels[0])
    reach: set[str] = set()
    for s in draft.spaces.values():
        if s.kind == "exit":
            reach |= nx.node_connected_component(g, s.id)
    stranded = [s for s in draft.spaces.values() if s.id not in reach]
    for s in stranded:
        what = "dropped" if drop_unreachable else "kept (the layout will not validate)"
        rep.error("unreachable", f"{s.id} ({s.kind}) cannot reach an exit; {what}",
                  source_id=s.source_id, layer=s.where, level=s.levels[0])
    if drop_unreachable and stranded:
        gone = {s.id for s in stranded}
        for sid in gone:
            del draft.spaces[sid]
        for oid in [o.id for o in draft.openings.values() if o.a in gone or o.b in gone]:
            del draft.openings[oid]


# ----------------------------------------------------------------------------- output

def _coords(poly: Polygon) -> list[list[float]]:
    """Exterior ring rounded to 0.1 mm; when rounding would make it cross itself (two
    vertices closer than that), the polygon is snapped to the 0.1 mm grid as a whole
    (``shapely.set_precision`` keeps it valid)."""
    pts = clean_ring((round(x, 4), round(y, 4)) for x, y in poly.exterior.coords)
    if polygon_problem(pts):
        snapped = shapely.set_precision(poly, 1e-4)
        parts = [g for g in getattr(snapped, "geoms", [snapped]) if isinstance(g, Polygon)]
        if parts:
            big = max(parts, key=lambda g: g.area)
            pts = clean_ring((round(x, 4), round(y, 4)) for x, y in big.exterior.coords)
    return [[x, y] for x, y in pts]


def to_dict(draft: Draft) -> dict[str, Any]:
    """The draft as a layout mapping (``schema = "safemall/layout/1"``)."""
    mall: dict[str, Any] = {"name": draft.name or "Imported mall"}
    if draft.city:
        mall["city"] = draft.city
    levels = [{"id": lv.id, "elevation_m": round(lv.elevation_m, 4),
               **({"name": lv.name} if lv.name else {})}
              for lv in sorted(draft.levels, key=lambda lv: lv.elevation_m)]
    spaces: list[dict[str, Any]] = []
    for s in draft.spaces.values():
        d: dict[str, Any] = {"id": s.id, "kind": s.kind}
        if len(s.levels) == 1:
            d["level"] = s.levels[0]
        else:
            d["levels"] = list(s.levels)
        if s.polygon is not None:
            d["polygon"] = _coords(s.polygon)
        if s.name:
            d["name"] = s.name
        if s.tags:
            d["tags"] = list(dict.fromkeys(s.tags))
        for key in SPACE_EXTRA_KEYS:
            if key in s.extra:
                d[key] = round(float(s.extra[key]), 4)
        if s.source_id:
            d["source_id"] = s.source_id
        spaces.append(d)
    openings = [{"id": o.id, "between": [o.a, o.b], "width_m": round(o.width_m, 4),
                 "at": [round(o.at[0], 4), round(o.at[1], 4)], "kind": o.kind,
                 "level": o.level, **({"tags": list(dict.fromkeys(o.tags))} if o.tags else {})}
                for o in draft.openings.values()]
    return {"schema": SCHEMA, "mall": mall, "levels": levels, "spaces": spaces,
            "openings": openings}


def _repair_for(draft: Draft, exc: LayoutError) -> None:
    """Rank a validation error first, with ``--drop`` when it names one space."""
    rep = draft.report
    m = re.search(r"spaces\[['\"]([^'\"]+)['\"]\]", exc.field or "")
    sid = m.group(1) if m else None
    s = draft.spaces.get(sid or "")
    if s is not None and s.source_id and "+" not in s.source_id:
        sid = s.source_id
    opt = f"--drop {sid}" if sid else "(edit the data: see the message)"
    if any(opt in r.option.split("  ") or r.option == opt for r in rep.repairs) \
            or (rep.repairs and exc.reason.startswith("cannot reach")):
        return  # already ranked with its fix
    line = f'drop = ["{sid}"]' if sid else "-"
    rep.repairs.insert(0, Repair(1, f"the layout does not validate: {exc.reason}"
                                 + (f" ({exc.field})" if exc.field else ""), opt, line))


@dataclass
class ImportResult:
    """What an importer hands back: the mapping, the layout (when valid) and the report.

    ``error`` is the one-line reason the mapping does not validate (``layout`` is then
    ``None``); the report is complete either way.
    """

    data: dict[str, Any]
    report: ImportReport
    layout: Layout | None = None
    error: LayoutError | None = None


def finish(draft: Draft, source: str) -> ImportResult:
    """Validate the draft with :func:`layout_from_dict`; never raises for bad content."""
    rep = draft.report
    check_plausible(draft)
    used = {lv for s in draft.spaces.values() for lv in s.levels}
    for lv in list(draft.levels):
        if lv.id not in used and used:
            rep.info("empty-level", f"level {lv.id} has no spaces; left out", level=lv.id)
            draft.levels.remove(lv)
    data = to_dict(draft)
    spaces = [s for s in draft.spaces.values() if s.kind != "exit"]
    rep.stats.update({
        "levels": len(draft.levels), "spaces": len(spaces),
        "exits": sum(1 for s in draft.spaces.values() if s.kind == "exit"),
        "openings": len(draft.openings),
    })
    if not spaces:
        return ImportResult(data, rep, None, LayoutError(
            "no spaces found (check the layer map / unit categories)", source=source))
    if not any(s.kind == "exit" for s in draft.spaces.values()):
        return ImportResult(data, rep, None, LayoutError(
            "no exit found: no door touches the outline or an exit layer (see the report)",
            source=source))
    try:
        layout = layout_from_dict(data, source=source)
    except LayoutError as exc:
        _repair_for(draft, exc)
        return ImportResult(data, rep, None, exc)
    rep.stats["sales_area_m2"] = round(layout.derived_sales_area_m2, 1)
    return ImportResult(data, rep, layout, None)
