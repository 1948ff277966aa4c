"""Inference that real venue data needs, shared by the IMDF and OSM importers.

Every pass records what it did in the import report (one finding per decision, or a
count with the first ids) and is switched by :class:`~sim.io.importers.options.ImportOptions`:

* :func:`parse_levels`: ``level=*`` values as published (``0``, ``-1``, ``0;1``,
  ``1-3``, ``0.5``) to a sorted list of numbers.
* :func:`link_verticals`: stair / escalator units that overlap in plan on consecutive
  levels become flights between those levels (``stair-linked``).
* :func:`carve_rooms`: walkways that fully contain a room lose the room's plan (or are
  dropped) (``walkway-carved`` / ``walkway-dropped``).
* :func:`add_exit_door`: an exterior door on the edge of a space nearest to the building
  outline (``--exit SPACE`` and lobby / entrance units at grade).
* :func:`apply_drops`: ``--drop ID``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from itertools import pairwise

from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, unary_union

from sim.errors import LayoutError
from sim.io.importers._draft import (
    Draft,
    DraftOpening,
    DraftSpace,
    long_side,
    midpoint,
    shared_segments,
    split_holes,
)
from sim.model.layout import VERTICAL_KINDS

#: Two single-level vertical units are one shaft when their plans (the lower one widened
#: by the link tolerance) overlap by this share of the smaller plan.
LINK_OVERLAP = 0.5
#: A room counts as inside a walkway when this share of its plan lies in the walkway.
CONTAINED = 0.99

_NUM = r"-?\d+(?:\.\d+)?"


def parse_levels(value: object, *, field: str = "level") -> list[float]:
    """Levels named by an OSM / SIT ``level`` value, sorted.

    ``"0"`` -> ``[0]``; ``"0;1"`` (a feature on both) -> ``[0, 1]``; ``"1-3"`` (a
    range, every whole level in it) -> ``[1, 2, 3]``; ``"-2--1"`` -> ``[-2, -1]``;
    ``"0.5"`` (a mezzanine) -> ``[0.5]``; ``"1,5"`` (decimal comma) -> ``[1.5]``.
    Raises :class:`LayoutError` naming ``field`` for anything else.
    """
    text = str(value).strip().replace(" ", "")
    out: set[float] = set()
    if not text:
        raise LayoutError("empty level", field=field)
    for part in text.split(";"):
        part = re.sub(r"^(-?\d+),(\d+)$", r"\1.\2", part)
        m = re.fullmatch(rf"({_NUM})(?:-({_NUM}))?", part)
        if not m:
            raise LayoutError(f"not a level or level range: {value!r}", field=field)
        lo = float(m.group(1))
        if m.group(2) is None:
            out.add(lo)
            continue
        hi = float(m.group(2))
        if hi < lo:
            lo, hi = hi, lo
        if hi - lo > 200:
            raise LayoutError(f"level range too long: {value!r}", field=field)
        out.add(lo)
        k = math.floor(lo) + 1
        while k < hi:
            out.add(float(k))
            k += 1
        out.add(hi)
    if any(not math.isfinite(v) for v in out):
        raise LayoutError(f"not a level: {value!r}", field=field)
    return sorted(out)


def level_id(number: float) -> str:
    """Layout level id of a level number: 0 -> ``L1``, 1 -> ``L2``, 0.5 -> ``L1.5``,
    -1 -> ``B1``, -0.5 -> ``B0.5``."""
    def fmt(x: float) -> str:
        return f"{x:g}"
    return f"L{fmt(number + 1)}" if number >= 0 else f"B{fmt(-number)}"


# ----------------------------------------------------------------------------- resolve

def matches(s: DraftSpace, ref: str) -> bool:
    """True when ``ref`` names the space: its id, its source id or one of the source ids
    a merged space keeps (``a+b``)."""
    return ref in (s.id, s.source_id) or ref in s.source_id.split("+")


def stable_ref(s: DraftSpace) -> str:
    """The id to quote in a fix: the source feature id when it names this space alone."""
    return s.source_id if s.source_id and "+" not in s.source_id else s.id


def apply_drops(draft: Draft, refs: Sequence[str]) -> set[str]:
    """Remove the spaces named by ``refs`` (and their openings); return the refs used."""
    used: set[str] = set()
    for ref in refs:
        hit = [s for s in draft.spaces.values() if matches(s, ref)]
        for s in hit:
            del draft.spaces[s.id]
            draft.report.info("dropped", f"{s.id} ({s.kind}) dropped as --drop {ref} asks",
                              source_id=s.source_id, layer=s.where, level=s.levels[0])
        if hit:
            used.add(ref)
    gone = [o.id for o in draft.openings.values()
            if o.a not in draft.spaces or o.b not in draft.spaces]
    for oid in gone:
        del draft.openings[oid]
    return used


# ----------------------------------------------------------------------------- exits

def outline_edge(poly: Polygon, outline: BaseGeometry | None, tol: float
                 ) -> tuple[float, tuple[float, float]]:
    """``(length on the outline, midpoint of the longest piece)`` of a plan's edge lying
    within ``tol`` of ``outline`` (``(0, centroid)`` when none)."""
    c = poly.centroid
    if outline is None or outline.is_empty:
        return 0.0, (float(c.x), float(c.y))
    near = poly.exterior.intersection(outline.buffer(tol))
    pieces = [g for g in getattr(near, "geoms", [near])
              if isinstance(g, LineString) and g.length > 1e-6]
    if not pieces:
        return 0.0, (float(c.x), float(c.y))
    best = max(pieces, key=lambda g: g.length)
    return float(sum(g.length for g in pieces)), midpoint(best)


def add_exit_door(draft: Draft, s: DraftSpace, level: str, outline: BaseGeometry | None,
                  width: float, *, tol: float, why: str, tag: str) -> str:
    """Add an exterior door of ``width`` on the edge of ``s`` nearest to ``outline`` (the
    longest piece of its edge on the outline when there is one); return the exit id."""
    poly = s.geom_on(level)
    assert poly is not None
    on, at = outline_edge(poly, outline, tol)
    if on <= 0 and outline is not None and not outline.is_empty:
        p, _ = nearest_points(poly.exterior, outline)
        at = (float(p.x), float(p.y))
    elif on <= 0:
        # no outline at all: the middle of the longest edge
        coords = list(poly.exterior.coords)
        a, b = max(pairwise(coords), key=lambda e: math.dist(*e))
        at = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    ex = draft.add_space(DraftSpace(f"exit-{s.id}", "exit", [level], None,
                                    source_id=s.source_id, where=s.where))
    draft.add_opening(DraftOpening(f"{s.id}~exit", s.id, ex.id, width, at, level, "door",
                                   [tag, f"source:{s.source_id}"] if s.source_id else [tag]))
    draft.report.info("exit-added", f"exterior door {width:.1f} m wide added to {s.id} at "
                      f"({at[0]:.1f}, {at[1]:.1f}) ({why})", source_id=s.source_id,
                      layer=s.where, level=level)
    return ex.id


# ----------------------------------------------------------------------------- stairs

def _overlap(a: Polygon, b: Polygon, tol: float) -> float:
    small = min(a.area, b.area)
    if small <= 0:
        return 0.0
    return float(a.buffer(tol).intersection(b).area) / small


def link_verticals(draft: Draft, tol: float, *, elevator_tag: str = "") -> int:
    """Join single-level stair / escalator units stacked on consecutive levels.

    A unit on level *k* whose plan (widened by ``tol``) overlaps by half or more a unit of
    the same kind on the next level up becomes the flight *k* -> *k+1*: its plan on the
    upper level is the upper unit's. When the upper unit has a unit above it too it is
    the next flight, and the two are joined at the landing by an opening as wide as the
    narrower flight; otherwise it is the top of the shaft and merged into the flight.
    Elevator shafts (units tagged ``elevator_tag``) are found and reported, not linked.
    Returns the number of flights made.
    """
    rep = draft.report
    order = draft.level_ids()
    up_of: dict[str, str] = {}
    for kind in sorted(VERTICAL_KINDS):
        singles = [s for s in draft.spaces.values() if s.kind == kind and len(s.levels) == 1
                   and s.polygon is not None]
        by_level: dict[str, list[DraftSpace]] = {}
        for s in singles:
            by_level.setdefault(s.levels[0], []).append(s)
        for lo, hi in pairwise(order):
            taken: set[str] = set()
            for a in sorted(by_level.get(lo, []), key=lambda s: s.id):
                assert a.polygon is not None
                cands = [(round(_overlap(a.polygon, b.polygon, tol), 3), b)
                         for b in by_level.get(hi, [])
                         if b.id not in taken and b.polygon is not None]
                cands = [c for c in cands if c[0] >= LINK_OVERLAP]
                if not cands:
                    continue
                share, b = max(cands, key=lambda c: (c[0], c[1].id))
                up_of[a.id] = b.id
                taken.add(b.id)
                a.extra["_share"] = share
    made = 0
    for a_id, b_id in up_of.items():
        a, b = draft.spaces[a_id], draft.spaces[b_id]
        lo, hi = a.levels[0], b.levels[0]
        assert a.polygon is not None and b.polygon is not None
        a.geoms = {lo: a.polygon, hi: b.polygon}
        a.levels = [lo, hi]
        rise = abs(draft.elevation(hi) - draft.elevation(lo))
        run = long_side(a.polygon)
        a.extra.pop("length_m", None)
        a.extra["length_m"] = math.hypot(run, rise)
        share = a.extra.pop("_share", 1.0)
        made += 1
        if b_id in up_of:
            w = min(short_side(a.polygon), short_side(b.polygon))
            c = b.polygon.representative_point()
            draft.add_opening(DraftOpening(f"{a.id}~{b.id}", a.id, b.id, w,
                                           (float(c.x), float(c.y)), hi, "opening",
                                           ["inferred:landing"]))
            rep.info("stair-linked", f"{a.id} joins {lo}-{hi} (its plan overlaps "
                     f"{b.id} on {hi} by {100 * share:.0f} %; landing opening "
                     f"{w:.1f} m to the next flight)", source_id=a.source_id,
                     layer=a.where, level=lo)
        else:
            del draft.spaces[b.id]
            a.source_id = f"{a.source_id}+{b.source_id}"
            rep.info("stair-linked", f"{a.id} joins {lo}-{hi} (its plan overlaps "
                     f"{b.id}, the top of the shaft, by {100 * share:.0f} %; merged)",
                     source_id=a.source_id, layer=a.where, level=lo)
    for s in draft.spaces.values():
        s.extra.pop("_share", None)
    if elevator_tag:
        shafts = _elevator_shafts(draft, order, tol, elevator_tag)
        if shafts:
            rep.info("elevator-not-linked", f"{shafts} elevator shaft(s) found across "
                     "levels; not linked (elevators are not used in evacuation)")
    return made


def _elevator_shafts(draft: Draft, order: list[str], tol: float, tag: str) -> int:
    lifts = [s for s in draft.spaces.values() if tag in s.tags and s.polygon is not None]
    n = 0
    for lo, hi in pairwise(order):
        for a in (s for s in lifts if s.levels[0] == lo):
            assert a.polygon is not None
            if any(b.levels[0] == hi and b.polygon is not None
                   and _overlap(a.polygon, b.polygon, tol) >= LINK_OVERLAP for b in lifts):
                n += 1
    return n


def short_side(poly: Polygon) -> float:
    """Short side (m) of the minimum rotated rectangle."""
    rect = poly.minimum_rotated_rectangle
    xs, ys = rect.exterior.coords.xy
    return float(min(math.dist((xs[i], ys[i]), (xs[i + 1], ys[i + 1])) for i in range(2)))


def unlinked_stacks(draft: Draft, tol: float) -> list[tuple[DraftSpace, DraftSpace]]:
    """Pairs (lower, upper) of single-level vertical units that :func:`link_verticals`
    would join: the evidence for suggesting ``--link-stairs``."""
    order = draft.level_ids()
    out: list[tuple[DraftSpace, DraftSpace]] = []
    singles = [s for s in draft.spaces.values() if s.kind in VERTICAL_KINDS
               and len(s.levels) == 1 and s.polygon is not None]
    for lo, hi in pairwise(order):
        for a in (s for s in singles if s.levels[0] == lo):
            for b in (s for s in singles if s.levels[0] == hi and s.kind == a.kind):
                assert a.polygon is not None and b.polygon is not None
                if _overlap(a.polygon, b.polygon, tol) >= LINK_OVERLAP:
                    out.append((a, b))
                    break
    return out


# ----------------------------------------------------------------------------- walkways

def join_pieces(draft: Draft, ids: Sequence[str], level: str, tags: list[str]) -> None:
    """Join pieces of one cut-up space by an opening along each edge they share."""
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            pa, pb = draft.spaces[a].polygon, draft.spaces[b].polygon
            assert pa is not None and pb is not None
            for seg in shared_segments(pa, pb):
                draft.add_opening(DraftOpening(f"{a}~{b}", a, b, float(seg.length),
                                               midpoint(seg), level, "opening", list(tags)))


def carve_rooms(draft: Draft, walk_kinds: Iterable[str], mode: str,
                avoid: dict[str, list[tuple[float, float]]] | None = None) -> None:
    """Handle walkways that fully contain a room (on the same level).

    ``carve``: the rooms' plans are cut out of the walkway (a room in the middle leaves a
    hole; the walkway is then cut into hole-free pieces joined by openings). ``drop``:
    the walkway is removed. ``keep``: nothing (the overlap is reported later).
    """
    if mode == "keep":
        return
    rep = draft.report
    kinds = set(walk_kinds)
    walks = [s for s in draft.spaces.values() if s.kind in kinds and len(s.levels) == 1
             and s.polygon is not None]
    for w in walks:
        assert w.polygon is not None
        lv = w.levels[0]
        inner = [s for s in draft.spaces.values()
                 if s is not w and s.kind not in kinds and s.kind != "exit"
                 and lv in s.levels and (g := s.geom_on(lv)) is not None
                 and g.area < w.polygon.area
                 and w.polygon.intersection(g).area >= CONTAINED * g.area]
        if not inner:
            continue
        names = ", ".join(s.id for s in inner[:5]) + (" ..." if len(inner) > 5 else "")
        where = {"source_id": w.source_id, "layer": w.where, "level": lv}
        if mode == "drop":
            del draft.spaces[w.id]
            for oid in [o.id for o in draft.openings.values() if w.id in (o.a, o.b)]:
                del draft.openings[oid]
            rep.warning("walkway-dropped", f"{w.id} contains {len(inner)} room(s) "
                        f"({names}); walkway dropped (--walkway-rooms drop)", **where)
            continue
        rest: BaseGeometry = w.polygon
        for s in inner:
            g = s.geom_on(lv)
            assert g is not None
            rest = rest.difference(g)
        parts = [p for p in getattr(rest, "geoms", [rest])
                 if isinstance(p, Polygon) and p.area > 0.5]
        pieces: list[Polygon] = []
        for p in parts:
            pieces += split_holes(p, (avoid or {}).get(lv, [])) if p.interiors else [p]
        area0 = w.polygon.area
        del draft.spaces[w.id]
        ids = []
        for k, p in enumerate(pieces):
            sid = w.id if len(pieces) == 1 else f"{w.id}.{k + 1}"
            ns = draft.add_space(DraftSpace(sid, w.kind, [lv], Polygon(p.exterior.coords),
                                            source_id=w.source_id, where=w.where,
                                            name=w.name, tags=list(w.tags),
                                            extra=dict(w.extra)))
            ids.append(ns.id)
        join_pieces(draft, ids, lv, ["split", f"source:{w.source_id}"])
        rep.warning("walkway-carved", f"{w.id} contained {len(inner)} room(s) ({names}); "
                    f"their plans cut out ({area0:.0f} -> "
                    f"{sum(p.area for p in pieces):.0f} m², {len(pieces)} piece(s))",
                    **where)


def point_on_space(draft: Draft, pt: Point, level: str, tol: float
                   ) -> list[tuple[float, DraftSpace]]:
    """Spaces on ``level`` within ``tol`` of ``pt``, nearest first."""
    out = []
    for s in draft.spaces.values():
        g = s.geom_on(level)
        if g is None:
            continue
        d = float(g.exterior.distance(pt)) if g.contains(pt) else float(g.distance(pt))
        if d <= tol or g.contains(pt):
            out.append((0.0 if g.contains(pt) and d > tol else d, s))
    out.sort(key=lambda x: (x[0], x[1].id))
    return out


def merge_overlapping(draft: Draft, kinds: Iterable[str], min_m2: float = 1.0) -> None:
    """Merge walkable areas of one level that overlap (the same walkway mapped twice, e.g.
    an ``indoor=corridor`` area over an older ``indoor=yes`` footway area) into one
    space; a merged plan with holes is cut into hole-free pieces joined by openings
    (``areas-merged``)."""
    import networkx as nx

    kinds = set(kinds)
    for lv in draft.level_ids():
        items = [s for s in draft.spaces.values() if s.kind in kinds and s.levels == [lv]
                 and s.polygon is not None]
        g: nx.Graph[str] = nx.Graph()
        g.add_nodes_from(s.id for s in items)
        for i, a in enumerate(items):
            for b in items[i + 1:]:
                assert a.polygon is not None and b.polygon is not None
                if a.polygon.intersection(b.polygon).area > min_m2:
                    g.add_edge(a.id, b.id)
        for comp in nx.connected_components(g):
            if len(comp) < 2:
                continue
            group = sorted((draft.spaces[x] for x in comp),
                           key=lambda s: -(s.polygon.area if s.polygon is not None else 0))
            keep = group[0]
            union = unary_union([s.polygon for s in group])
            parts = [p for p in getattr(union, "geoms", [union]) if isinstance(p, Polygon)]
            pieces: list[Polygon] = []
            for p in parts:
                pieces += split_holes(p) if p.interiors else [p]
            ids = {s.id for s in group}
            for oid, o in list(draft.openings.items()):
                if o.a in ids and o.b in ids:
                    del draft.openings[oid]
            for s in group:
                del draft.spaces[s.id]
            new_ids = []
            for k, p in enumerate(pieces):
                sid = keep.id if len(pieces) == 1 else f"{keep.id}.{k + 1}"
                ns = draft.add_space(DraftSpace(
                    sid, keep.kind, [lv], Polygon(p.exterior.coords),
                    source_id="+".join(s.source_id for s in group), where=keep.where,
                    name=next((s.name for s in group if s.name), ""),
                    tags=list(dict.fromkeys(t for s in group for t in s.tags))))
                new_ids.append(ns.id)
            for o in draft.openings.values():  # openings to a merged space: the piece
                for end in ("a", "b"):
                    if getattr(o, end) in ids:
                        pt = Point(o.at)
                        near = min((float(poly.distance(pt)), x) for x in new_ids
                                   if (poly := draft.spaces[x].polygon) is not None)
                        setattr(o, end, near[1])
            join_pieces(draft, new_ids, lv, ["split"])
            draft.report.info("areas-merged", f"{len(group)} overlapping walkable areas "
                              f"({', '.join(sorted(ids)[:4])}{' ...' if len(ids) > 4 else ''})"
                              f" merged into {', '.join(new_ids)}", level=lv,
                              source_id=keep.source_id)


def report_single_level_stairs(draft: Draft, why: str) -> None:
    """Warn of each stair / escalator left on one level (``stair-no-levels``); its length
    is its plan's long side."""
    for s in draft.spaces.values():
        if s.kind in VERTICAL_KINDS and len(s.levels) == 1:
            draft.report.warning(
                "stair-no-levels", f"{s.id} ({s.kind}) {why}; kept on one level "
                "(--link-stairs joins units stacked across levels)",
                source_id=s.source_id, layer=s.where, level=s.levels[0])
            s.extra.setdefault("length_m", long_side(s.polygon) if s.polygon else 1.0)
