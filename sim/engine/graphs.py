"""Two graphs from one layout, and the cells that make local density meaningful.

Cells
-----
A space whose area exceeds ``max_cell_area_m2`` or whose bounding box is longer than
``max_cell_length_m`` is cut by an axis-aligned grid into cells (each grid rectangle
clipped to the polygon; a clip that falls apart into pieces gives one cell per piece).
Neighbouring cells of one space are joined by *virtual openings* as wide as the edge
they share. Stairs, escalators and exits are never split. The cells of a space
partition it exactly: their areas add up to the space's area (tested).

Why a grid: malls are drawn in orthogonal plans, corridors are long rectangles, and a
grid keeps cells convex there, so the straight-line distance between two openings of a
cell is a walkable distance. For a non-convex piece the straight line is a slight
underestimate (documented in ``docs/design.md``).

Graphs
------
* **Space graph** (:attr:`Network.space_graph`, ``nx.MultiGraph``): one node per space
  (attributes ``area``, ``level``, ``kind``, ``centroid``), one edge per opening (key =
  opening id; attributes ``width``, ``opening``). For topology: shop adjacency,
  smoke spread, alarm zones, compliance and drawing.
* **Route graph** (:attr:`Network.route_graph`, ``nx.Graph``): one node per opening,
  real or virtual (exits included); an edge joins two openings of the same cell, with
  the walking distance inside it (``length_m``) and the cell and its space as
  attributes (``cell``, ``space``). For movement and routing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import shapely
from shapely import STRtree
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from sim.engine.cellgraph import CellGraph
from sim.errors import LayoutError
from sim.model.layout import STAIR_KINDS, Footprint, Layout, Space
from sim.model.limits import MAX_CELLS, MAX_CELLS_PER_SPACE

#: Default largest cell area (m²) before a space is split.
MAX_CELL_AREA_M2 = 300.0
#: Default largest cell extent (m) along either axis before a space is split.
MAX_CELL_LENGTH_M = 20.0
#: Shared edges shorter than this (m) do not make a virtual opening.
MIN_SHARED_EDGE_M = 0.3


@dataclass(frozen=True)
class Cell(Footprint):
    """A walkable piece of one space; the unit of density and of queueing."""

    id: str
    space: str
    kind: str
    levels: tuple[str, ...]
    shape: Polygon | None
    length_m: float | None = None

    @property
    def is_stair(self) -> bool:
        """True for stairs and escalators."""
        return self.kind in STAIR_KINDS


@dataclass(frozen=True)
class Portal:
    """An opening between two cells: a real door or a virtual cut inside a space."""

    id: str
    a: str
    b: str
    width_m: float
    at: tuple[float, float]
    level: str
    kind: str
    opening: str | None
    """The layout opening this portal stands for (``None`` when virtual)."""

    @property
    def virtual(self) -> bool:
        """True when the portal joins two cells of one space."""
        return self.opening is None

    def other(self, cell_id: str) -> str:
        """The cell on the other side of ``cell_id``."""
        return self.b if cell_id == self.a else self.a


@dataclass(frozen=True)
class Network:
    """Cells, portals and both graphs of one layout. Build with :func:`build_network`."""

    layout: Layout
    cells: Mapping[str, Cell]
    portals: Mapping[str, Portal]
    portals_of: Mapping[str, tuple[str, ...]]
    cells_of_space: Mapping[str, tuple[str, ...]]
    space_graph: nx.MultiGraph
    route_graph: nx.Graph
    max_cell_area_m2: float = MAX_CELL_AREA_M2
    max_cell_length_m: float = MAX_CELL_LENGTH_M
    _portal_of_opening: Mapping[str, str] = field(default_factory=dict, repr=False)

    def portal_of_opening(self, opening_id: str) -> Portal:
        """The portal that stands for a layout opening."""
        return self.portals[self._portal_of_opening[opening_id]]

    @cached_property
    def exit_portals(self) -> tuple[str, ...]:
        """Portals that lead into an exit cell."""
        return tuple(p.id for p in self.portals.values()
                     if self.cells[p.a].is_exit or self.cells[p.b].is_exit)

    def cell_at(self, space_id: str, xy: tuple[float, float]) -> str:
        """The cell of ``space_id`` that contains (or is nearest to) the point ``xy``."""
        ids = self.cells_of_space[space_id]
        if len(ids) == 1:
            return ids[0]
        pt = Point(xy)
        best = min(ids, key=lambda c: self.cells[c].shape.distance(pt)  # type: ignore[union-attr]
                   if self.cells[c].shape is not None else math.inf)
        return best

    @cached_property
    def cell_graph(self) -> CellGraph:
        """The network's cell-graph service (:mod:`sim.engine.cellgraph`), built once."""
        return CellGraph(self)

    @cached_property
    def within_by_index(self) -> dict[tuple[int, int, int], float]:
        """Walking distance (m) between every two portals of every non-exit cell.

        Keyed ``(cell, p, q)`` by position in ``cells`` and ``portals`` (the order every
        :class:`~sim.engine.world.World` uses); computed once per network and shared (read-only).
        """
        cell_ids = list(self.cells)
        portal_ids = list(self.portals)
        plists: list[list[int]] = [[] for _ in cell_ids]
        cpos = {c: k for k, c in enumerate(cell_ids)}
        for k, pid in enumerate(portal_ids):
            pt = self.portals[pid]
            plists[cpos[pt.a]].append(k)
            plists[cpos[pt.b]].append(k)
        out: dict[tuple[int, int, int], float] = {}
        for c, plist in enumerate(plists):
            cell = self.cells[cell_ids[c]]
            if cell.is_exit:
                continue
            for x in plist:
                for y in plist:
                    if x != y:
                        out[(c, x, y)] = _within(cell, self.portals[portal_ids[x]],
                                                 self.portals[portal_ids[y]], self.layout)
        return out

    def within_distance_m(self, cell_id: str, p: str, q: str) -> float:
        """Walking distance (m) between portals ``p`` and ``q`` inside ``cell_id``."""
        return _within(self.cells[cell_id], self.portals[p], self.portals[q], self.layout)


def grid_size(space: Space, max_area: float, max_len: float) -> tuple[int, int]:
    """Columns and rows of the grid that cuts ``space`` (``(1, 1)``: not split).

    Raises
    ------
    LayoutError
        The grid would have more than :data:`sim.model.limits.MAX_CELLS_PER_SPACE` tiles (refused
        before any tile is cut).
    """
    shape = space.shape
    assert shape is not None
    minx, miny, maxx, maxy = shape.bounds
    w, h = maxx - minx, maxy - miny
    if shape.area <= max_area and w <= max_len and h <= max_len:
        return (1, 1)
    nx_, ny = max(1, math.ceil(w / max_len - 1e-9)), max(1, math.ceil(h / max_len - 1e-9))
    lower = max(nx_ * ny, math.ceil(w * h / max_area - 1e-9))
    if lower > MAX_CELLS_PER_SPACE:
        raise _too_many(space, lower)
    while (w / nx_) * (h / ny) > max_area:
        if w / nx_ >= h / ny:
            nx_ += 1
        else:
            ny += 1
    if nx_ * ny > MAX_CELLS_PER_SPACE:
        raise _too_many(space, nx_ * ny)
    return (nx_, ny)


def _too_many(space: Space, n: int) -> LayoutError:
    return LayoutError(f"would be cut into {n:,} cells, more than the {MAX_CELLS_PER_SPACE:,} "
                       "accepted per space (raise movement.max_cell_area_m2 and "
                       "max_cell_length_m, or draw the space smaller)",
                       field=f"spaces[{space.id!r}]")


def _split(space: Space, max_area: float, max_len: float
           ) -> list[tuple[Polygon, tuple[int, int]]]:
    """Cut a polygon into grid cells no larger than the limits (see module doc).

    Returns each piece with its grid tile ``(column, row)``: pieces of one tile never
    share an edge, so only pieces of side-by-side tiles can be neighbours.
    """
    shape = space.shape
    assert shape is not None
    nx_, ny = grid_size(space, max_area, max_len)
    if (nx_, ny) == (1, 1):
        return [(shape, (0, 0))]
    minx, miny, maxx, maxy = shape.bounds
    w, h = maxx - minx, maxy - miny
    out: list[tuple[Polygon, tuple[int, int]]] = []
    for i in range(nx_):
        for j in range(ny):
            tile = box(minx + w * i / nx_, miny + h * j / ny,
                       minx + w * (i + 1) / nx_, miny + h * (j + 1) / ny)
            piece: BaseGeometry = shape.intersection(tile)
            if piece.is_empty:
                continue
            # a clip may fall apart into polygons, and may come as a collection of a
            # polygon and the line where the tile grazes a notch: keep every polygon
            parts = [g for part in shapely.get_parts(piece)
                     for g in (part.geoms if isinstance(part, MultiPolygon) else [part])]
            out.extend((p, (i, j)) for p in parts if isinstance(p, Polygon) and p.area > 1e-9)
    return out


def _neighbour_pairs(tiles: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Index pairs ``(a, b)``, ``a < b``, of pieces in side-by-side tiles, in order.

    Linear in the number of pieces (a dictionary of tiles), where comparing every pair
    was quadratic; the pairs come out in the order the pairwise loop visited them.
    """
    by_tile: dict[tuple[int, int], list[int]] = {}
    for k, t in enumerate(tiles):
        by_tile.setdefault(t, []).append(k)
    pairs: list[tuple[int, int]] = []
    for k, (i, j) in enumerate(tiles):
        for nb in ((i + 1, j), (i, j + 1), (i - 1, j), (i, j - 1)):
            pairs.extend((k, m) for m in by_tile.get(nb, ()) if m > k)
    pairs.sort()
    return pairs


def _within(cell: Cell, p: Portal, q: Portal, layout: Layout) -> float:
    if cell.is_stair:
        # a flight between two levels is walked along its slope length
        if p.level != q.level:
            return float(cell.length_m or math.dist(p.at, q.at))
        return max(math.dist(p.at, q.at), 0.1)
    return max(math.dist(p.at, q.at), 0.1)


def build_network(layout: Layout, *, max_cell_area_m2: float = MAX_CELL_AREA_M2,
                  max_cell_length_m: float = MAX_CELL_LENGTH_M) -> Network:
    """Split spaces into cells and build the space graph and the route graph."""
    cells: dict[str, Cell] = {}
    cells_of_space: dict[str, list[str]] = {}
    portals: dict[str, Portal] = {}
    try:
        splits = _check_cell_counts(layout, max_cell_area_m2, max_cell_length_m)
    except LayoutError as exc:
        raise exc.with_source(layout.source) from None
    for s in layout.spaces.values():
        tiles: list[tuple[int, int]] = []
        if not splits[s.id]:
            pieces: list[Polygon | None] = [s.shape]
        else:
            cut = _split(s, max_cell_area_m2, max_cell_length_m)
            pieces = [p for p, _ in cut]
            tiles = [t for _, t in cut]
        ids: list[str] = []
        for i, poly in enumerate(pieces):
            cid = s.id if len(pieces) == 1 else f"{s.id}#{i}"
            cells[cid] = Cell(cid, s.id, s.kind, s.levels, poly,
                              s.walk_length_m if s.is_vertical else None)
            ids.append(cid)
        cells_of_space[s.id] = ids
        if len(ids) > 1:
            for ia, ib in _neighbour_pairs(tiles):
                ca, cb = ids[ia], ids[ib]
                sa, sb = cells[ca].shape, cells[cb].shape
                assert sa is not None and sb is not None
                shared = sa.boundary.intersection(sb.boundary)
                if shared.is_empty or shared.length < MIN_SHARED_EDGE_M:
                    continue
                mid = shared.interpolate(0.5, normalized=True)
                pid = f"{ca}|{cb}"
                portals[pid] = Portal(pid, ca, cb, float(shared.length),
                                      (float(mid.x), float(mid.y)), s.level, "virtual", None)
    net_stub = {k: tuple(v) for k, v in cells_of_space.items()}
    portal_of_opening: dict[str, str] = {}
    trees: dict[tuple[str, ...], STRtree] = {}
    for o in layout.openings.values():
        ca = _attach(cells, net_stub[o.a], o.at, trees)
        cb = _attach(cells, net_stub[o.b], o.at, trees)
        portals[o.id] = Portal(o.id, ca, cb, o.width_m, o.at, o.level, o.kind, o.id)
        portal_of_opening[o.id] = o.id
    portals_of: dict[str, list[str]] = {c: [] for c in cells}
    for p in portals.values():
        portals_of[p.a].append(p.id)
        portals_of[p.b].append(p.id)

    sg: nx.MultiGraph = nx.MultiGraph()
    for s in layout.spaces.values():
        sg.add_node(s.id, area=s.area_m2, level=s.level, kind=s.kind, centroid=s.centroid)
    for o in layout.openings.values():
        sg.add_edge(o.a, o.b, key=o.id, width=o.width_m, opening=o.id)

    rg: nx.Graph = nx.Graph()
    for p in portals.values():
        rg.add_node(p.id, at=p.at, level=p.level, width=p.width_m, virtual=p.virtual)
    for cid, pids in portals_of.items():
        cell = cells[cid]
        if cell.is_exit:
            continue
        for i, pa in enumerate(pids):
            for pb in pids[i + 1:]:
                d = _within(cell, portals[pa], portals[pb], layout)
                if rg.has_edge(pa, pb) and rg.edges[pa, pb]["length_m"] <= d:
                    continue
                rg.add_edge(pa, pb, length_m=d, cell=cid, space=cell.space)
    return Network(layout=layout, cells=cells, portals=portals,
                   portals_of={k: tuple(v) for k, v in portals_of.items()},
                   cells_of_space=net_stub, space_graph=sg, route_graph=rg,
                   max_cell_area_m2=max_cell_area_m2, max_cell_length_m=max_cell_length_m,
                   _portal_of_opening=portal_of_opening)


def _check_cell_counts(layout: Layout, max_area: float, max_len: float) -> dict[str, bool]:
    """Which spaces are split; refuse a network above :data:`sim.model.limits.MAX_CELLS` cells
    (counted from the grids, before any tile is cut)."""
    split: dict[str, bool] = {}
    total = 0
    for s in layout.spaces.values():
        if s.shape is None or s.is_exit or s.is_vertical:
            split[s.id] = False
            total += 1
            continue
        nx_, ny = grid_size(s, max_area, max_len)
        split[s.id] = (nx_, ny) != (1, 1)
        total += nx_ * ny
        if total > MAX_CELLS:
            raise LayoutError(f"the network would have more than {MAX_CELLS:,} cells (at "
                              f"space {s.id!r}); raise movement.max_cell_area_m2 and "
                              "max_cell_length_m", field="spaces")
    return split


#: Above this many cells in a space, openings find their cell with a spatial index.
_INDEX_FROM = 32


def _attach(cells: Mapping[str, Cell], ids: tuple[str, ...], at: tuple[float, float],
            trees: dict[tuple[str, ...], STRtree] | None = None) -> str:
    """The cell among ``ids`` nearest to an opening's midpoint (the first one on a tie)."""
    if len(ids) == 1:
        return ids[0]
    pt = Point(at)
    if len(ids) > _INDEX_FROM and all(cells[c].shape is not None for c in ids):
        cache = trees if trees is not None else {}
        tree = cache.get(ids)
        if tree is None:
            tree = cache[ids] = STRtree([cells[c].shape for c in ids])
        hits = tree.query_nearest(pt, all_matches=True)
        return ids[int(min(hits))]
    return min(ids, key=lambda c: cells[c].shape.distance(pt)  # type: ignore[union-attr]
               if cells[c].shape is not None else math.inf)
