"""Write a layout out for other tools: GeoJSON (GIS, web maps), GraphML (Gephi,
networkx) and DXF (CAD; the input of :mod:`sim.io.importers.dxf`, for round trips).

Coordinates are always the layout's local metres (x east, y north on each level's
plane), never WGS84: GeoJSON says so in its top-level ``properties``.
"""

from __future__ import annotations

import itertools
import math
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import unary_union

from sim.engine.graphs import build_network
from sim.model.layout import Layout, Opening, Space

GEOJSON_SCHEMA = "safemall/geojson/1"
COORDINATES_NOTE = ("local metres of the layout (x east, y north, origin of the drawing); "
                    "not WGS84 longitude/latitude")


# ----------------------------------------------------------------------------- GeoJSON

def _ring(poly: tuple[tuple[float, float], ...]) -> list[list[float]]:
    pts = [[float(x), float(y)] for x, y in poly]
    return [*pts, pts[0]]


def _exit_point(layout: Layout, s: Space) -> list[float] | None:
    ats = [layout.openings[o].at for o in layout.openings_of.get(s.id, ())]
    if not ats:
        return None
    return [sum(a[0] for a in ats) / len(ats), sum(a[1] for a in ats) / len(ats)]


def layout_to_geojson(layout: Layout) -> dict[str, Any]:
    """A FeatureCollection: spaces as Polygons, openings as Points (local metres).

    Space properties: ``feature`` ("space"), ``id``, ``kind``, ``level`` (the lower
    level), ``levels`` (list), ``area_m2``, ``tags``, ``name`` and, when set,
    ``source_id``, ``length_m``, ``width_m``. An exit without polygon is a Point at the
    mean of its openings' midpoints (``geometry_note``). Opening properties:
    ``feature`` ("opening"), ``id``, ``kind``, ``level``, ``levels`` ([level]),
    ``between``, ``width_m``, ``tags``, ``is_exit``.
    """
    feats: list[dict[str, Any]] = []
    for s in layout.spaces.values():
        props: dict[str, Any] = {
            "feature": "space", "id": s.id, "kind": s.kind, "level": s.level,
            "levels": list(s.levels), "area_m2": round(s.area_m2, 3), "name": s.name,
            "tags": [t for t in s.tags if not t.startswith("source:")],
        }
        src = [t[7:] for t in s.tags if t.startswith("source:")]
        if src:
            props["source_id"] = src[0]
        if s.is_vertical:
            props["length_m"] = round(s.walk_length_m, 3)
        if s.width_m is not None:
            props["width_m"] = s.width_m
        if s.polygon is not None:
            geom: dict[str, Any] | None = {"type": "Polygon", "coordinates": [_ring(s.polygon)]}
        else:
            pt = _exit_point(layout, s)
            geom = {"type": "Point", "coordinates": pt} if pt else None
            props["geometry_note"] = "exit without polygon: point at its openings"
        feats.append({"type": "Feature", "id": f"space:{s.id}", "geometry": geom,
                      "properties": props})
    exits = set(layout.exits)
    for o in layout.openings.values():
        props = {"feature": "opening", "id": o.id, "kind": o.kind, "level": o.level,
                 "levels": [o.level], "between": [o.a, o.b], "width_m": o.width_m,
                 "tags": list(o.tags), "is_exit": o.a in exits or o.b in exits}
        feats.append({"type": "Feature", "id": f"opening:{o.id}",
                      "geometry": {"type": "Point", "coordinates": [o.at[0], o.at[1]]},
                      "properties": props})
    return {
        "type": "FeatureCollection",
        "properties": {
            "schema": GEOJSON_SCHEMA, "mall": layout.mall.name,
            "coordinates": COORDINATES_NOTE, "units": "m",
            "levels": [{"id": lv.id, "elevation_m": lv.elevation_m, "name": lv.name}
                       for lv in layout.levels],
            "sales_area_m2": round(layout.sales_area_m2, 1),
        },
        "features": feats,
    }


# ----------------------------------------------------------------------------- GraphML

def _scalar_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """GraphML holds scalars only: tuples become ``<key>_x``/``<key>_y`` (2-tuples) or a
    comma-joined string; ``None`` and NaN are left out."""
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if v is None:
            continue
        if isinstance(v, tuple | list):
            if len(v) == 2 and all(isinstance(c, int | float) for c in v):
                for suffix, c in zip(("x", "y"), v, strict=True):
                    if not math.isnan(float(c)):
                        out[f"{k}_{suffix}"] = float(c)
            else:
                out[k] = ",".join(str(c) for c in v)
        elif isinstance(v, float) and math.isnan(v):
            continue
        elif isinstance(v, bool | int | float | str):
            out[k] = v
        else:
            out[k] = str(v)
    return out


def graphs_for_graphml(layout: Layout) -> tuple[nx.MultiGraph, nx.Graph]:
    """Copies of the space graph and the route graph with scalar attributes only.

    Space-graph nodes gain ``levels`` (comma-joined) and ``name``; route-graph nodes gain
    ``space_a``/``space_b`` (the spaces a portal joins) and ``opening`` (the layout
    opening, empty for virtual portals).
    """
    net = build_network(layout)
    sg: nx.MultiGraph = nx.MultiGraph(name=f"{layout.mall.name} space graph")
    for n, d in net.space_graph.nodes(data=True):
        s = layout.spaces[n]
        sg.add_node(n, **_scalar_attrs({**d, "levels": s.levels, "name": s.name}))
    for a, b, k, d in net.space_graph.edges(keys=True, data=True):
        o = layout.openings[k]
        sg.add_edge(a, b, key=k, **_scalar_attrs({**d, "kind": o.kind, "level": o.level,
                                                   "at": o.at}))
    rg: nx.Graph = nx.Graph(name=f"{layout.mall.name} route graph")
    for n, d in net.route_graph.nodes(data=True):
        p = net.portals[n]
        rg.add_node(n, **_scalar_attrs({
            **d, "kind": p.kind, "opening": p.opening or "",
            "space_a": net.cells[p.a].space, "space_b": net.cells[p.b].space}))
    for a, b, d in net.route_graph.edges(data=True):
        rg.add_edge(a, b, **_scalar_attrs(d))
    return sg, rg


def graphml_paths(out: str | Path) -> tuple[Path, Path]:
    """``plan.graphml`` -> ``plan.space.graphml``, ``plan.route.graphml``."""
    p = Path(out)
    stem = p.name[:-len(".graphml")] if p.name.endswith(".graphml") else p.name
    return p.with_name(f"{stem}.space.graphml"), p.with_name(f"{stem}.route.graphml")


def write_graphml(layout: Layout, out: str | Path) -> tuple[Path, Path]:
    """Write both graphs as GraphML; return the two paths (see :func:`graphml_paths`)."""
    sp, rp = graphml_paths(out)
    sg, rg = graphs_for_graphml(layout)
    nx.write_graphml(sg, sp)
    nx.write_graphml(rg, rp)
    return sp, rp


# ----------------------------------------------------------------------------- DXF

def _layer(level: str, what: str) -> str:
    return f"{level}-{what.upper()}"


def _label_text(s: Space) -> str:
    words = [s.kind.upper(), s.id]
    if s.is_vertical and len(s.levels) == 2:
        words.append(f"{s.levels[0]}-{s.levels[1]}")
    words += [f"#{t}" for t in s.tags if not t.startswith("source:")]
    if s.is_vertical:  # the walking length the simulator uses, declared or not
        words.append(f"length_m={round(s.walk_length_m, 4):g}")
    for key in ("riser_mm", "tread_mm", "width_m"):
        val = getattr(s, key)
        if val is not None:
            words.append(f"{key}={val:g}")
    if s.height_m != 4.0:
        words.append(f"height_m={s.height_m:g}")
    if s.name:
        words += s.name.split()
    return shlex.join(words)


def _door_line(layout: Layout, o: Opening) -> LineString:
    """The opening as a line of its width through ``at``, along the nearest wall."""
    pt = Point(o.at)
    best: tuple[float, tuple[float, float]] | None = None
    for sid in (o.a, o.b):
        s = layout.spaces[sid]
        if s.polygon is None:
            continue
        ring = [*s.polygon, s.polygon[0]]
        for p, q in itertools.pairwise(ring):
            seg = LineString([p, q])
            if seg.length <= 0:
                continue
            d = float(seg.distance(pt))
            if best is None or d < best[0] - 1e-9:
                best = (d, ((q[0] - p[0]) / seg.length, (q[1] - p[1]) / seg.length))
    ux, uy = best[1] if best else (1.0, 0.0)
    h = o.width_m / 2
    return LineString([(o.at[0] - ux * h, o.at[1] - uy * h), (o.at[0] + ux * h, o.at[1] + uy * h)])


_OPENING_WORDS = {"door": "DOOR", "opening": "OPENING", "shutter": "SHUTTER",
                  "fire_door": "FIRE_DOOR"}


def layer_map_toml(layout: Layout, *, tolerance_m: float = 0.5, label_tolerance_m: float = 0.25
                   ) -> str:
    """The layer map that reads back what :func:`write_dxf` writes."""
    import tomli_w

    kinds = sorted({s.kind for s in layout.spaces.values() if not s.is_exit})
    layers: dict[str, str] = {k.upper(): k for k in kinds}
    layers.update({"DOOR": "door", "EXIT": "exit_door", "TEXT": "label",
                   "OUTLINE": "outline"})
    data = {
        "schema": "safemall/dxf-map/1", "name": layout.mall.name,
        "tolerance_m": round(tolerance_m, 3), "label_tolerance_m": label_tolerance_m,
        "stair_levels": "none",
        "levels": [{"id": lv.id, "elevation_m": lv.elevation_m, "prefix": f"{lv.id}-",
                    **({"name": lv.name} if lv.name else {})} for lv in layout.levels],
        "layers": layers,
    }
    head = ("# Layer map written by tools/export_dxf.py: layers are <LEVEL>-<ROLE>; "
            "see docs/import-export.md\n")
    return head + tomli_w.dumps(data)


def write_dxf(layout: Layout, out: str | Path, *, units: str = "m",
              map_out: str | Path | None = None) -> Path:
    """Write the layout as a DXF the DXF importer reads back (round trip).

    * every space but exits: a closed LWPOLYLINE on ``<LEVEL>-<KIND>`` (a stair on its
      lower level) and a TEXT label ``KIND id [L1-L2] [#tag] [key=value] [name]`` at a
      point inside it, on ``<LEVEL>-TEXT``;
    * every opening: a LINE of its width through its midpoint along the nearest wall,
      on ``<LEVEL>-DOOR`` (``<LEVEL>-EXIT`` into an exit), with a label ``DOOR id`` (or
      ``OPENING``/``SHUTTER``/``FIRE_DOOR``; ``EXIT exit-id opening-id`` for exits) at
      its midpoint;
    * each level's outline: the outer rings of the union of its spaces, on
      ``<LEVEL>-OUTLINE``.

    ``units`` is ``m`` or ``mm`` (sets ``$INSUNITS``). With ``map_out`` the matching
    layer map is written too; its tolerance covers the farthest opening midpoint.
    """
    import ezdxf
    from ezdxf.enums import TextEntityAlignment

    scale = {"m": 1.0, "mm": 1000.0}[units]
    doc = ezdxf.new("R2018")
    doc.units = ezdxf.units.MM if units == "mm" else ezdxf.units.M
    msp = doc.modelspace()
    th = 0.3 * scale

    def xy(p: tuple[float, float]) -> tuple[float, float]:
        return (p[0] * scale, p[1] * scale)

    def text(layer: str, s: str, at: tuple[float, float]) -> None:
        t = msp.add_text(s, height=th, dxfattribs={"layer": layer})
        t.set_placement(xy(at), align=TextEntityAlignment.MIDDLE_CENTER)

    for s in layout.spaces.values():
        if s.polygon is None or s.is_exit:
            continue
        msp.add_lwpolyline([xy(p) for p in s.polygon], close=True,
                           dxfattribs={"layer": _layer(s.level, s.kind)})
        shape = Polygon(s.polygon)
        c = shape.centroid if shape.contains(shape.centroid) else shape.representative_point()
        text(_layer(s.level, "text"), _label_text(s), (c.x, c.y))
    exits = set(layout.exits)
    need = 0.0
    for o in layout.openings.values():
        line = _door_line(layout, o)
        is_exit = o.a in exits or o.b in exits
        (p0, p1) = list(line.coords)
        msp.add_line(xy(p0), xy(p1), dxfattribs={
            "layer": _layer(o.level, "exit" if is_exit else "door")})
        tags = [f"#{t}" for t in o.tags if not t.startswith("source:")]
        if is_exit:
            ex = o.b if o.b in exits else o.a
            words = ["EXIT", ex, o.id] + ([f"kind={o.kind}"] if o.kind != "door" else [])
        else:
            words = [_OPENING_WORDS.get(o.kind, "DOOR"), o.id]
            # a door into a stair or escalator names it: stacked flights share a plan
            vert = [sid for sid in (o.a, o.b) if layout.spaces[sid].is_vertical]
            if vert:
                words.append(f"to={vert[-1] if len(vert) == 2 else vert[0]}")
        text(_layer(o.level, "text"), shlex.join(words + tags), o.at)
        for sid in (o.a, o.b):
            sp = layout.spaces[sid]
            if sp.polygon is not None:
                need = max(need, sp.distance_to_m(o.at))
    for lv in layout.levels:
        polys = [Polygon(s.polygon) for s in layout.spaces.values()
                 if s.polygon is not None and lv.id in s.levels and not s.is_exit]
        if not polys:
            continue
        merged = unary_union(polys)
        for part in getattr(merged, "geoms", [merged]):
            if isinstance(part, Polygon):
                msp.add_lwpolyline([xy(p) for p in list(part.exterior.coords)[:-1]],
                                   close=True, dxfattribs={"layer": _layer(lv.id, "outline")})
    p = Path(out)
    doc.saveas(p)
    if map_out is not None:
        Path(map_out).write_text(layer_map_toml(layout, tolerance_m=max(0.5, need + 0.05)),
                                 encoding="utf-8")
    return p
