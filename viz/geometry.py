"""Plan geometry prepared once for drawing: levels, spaces, openings, cells.

:class:`PlanGeometry` turns a :class:`sim.model.layout.Layout` (and its cells from
:func:`sim.engine.graphs.build_network`) into plain numpy coordinates grouped by level, so that
the pygame viewer and the matplotlib plots draw the same thing without touching shapely
in their inner loops. It also maps the replay's ``cell_ids`` (the columns of the space
series) onto cell polygons and areas, and rasterises cells per level for fast
point-to-cell lookups.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.engine.graphs import Network, build_network
from sim.model.layout import Layout
from sim.model.layout_schema import layout_from_dict


@dataclass
class SpaceGeom:
    """One space as drawn on one level."""

    id: str
    kind: str
    name: str
    coords: np.ndarray  # (k, 2) float64, metres
    levels: tuple[str, ...]
    centroid: tuple[float, float]
    area_m2: float


@dataclass
class OpeningGeom:
    """An opening drawn as a segment along the wall it pierces."""

    id: str
    kind: str
    a: str
    b: str
    at: tuple[float, float]
    p0: tuple[float, float]
    p1: tuple[float, float]
    width_m: float
    is_exit: bool
    level: str


@dataclass
class LevelGeom:
    """Everything drawn on one level."""

    id: str
    index: int
    name: str
    elevation_m: float
    storey: int = 1
    spaces: list[SpaceGeom] = field(default_factory=list)
    openings: list[OpeningGeom] = field(default_factory=list)
    cells: list[int] = field(default_factory=list)  # indices into PlanGeometry cells
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}".strip() if self.name and self.name != self.id \
            else self.id


def _bbox(arrays: Sequence[np.ndarray]) -> tuple[float, float, float, float]:
    if not arrays:
        return (0.0, 0.0, 1.0, 1.0)
    pts = np.concatenate(arrays)
    return (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()),
            float(pts[:, 1].max()))


def _opening_segment(coords: np.ndarray | None, at: tuple[float, float],
                     width: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Endpoints of an opening of ``width`` centred at ``at`` along the nearest edge."""
    ax, ay = at
    if coords is None or len(coords) < 2:
        return ((ax - width / 2, ay), (ax + width / 2, ay))
    p = coords
    q = np.roll(coords, -1, axis=0)
    d = q - p
    seg_len2 = np.maximum((d ** 2).sum(axis=1), 1e-12)
    u = np.clip(((ax - p[:, 0]) * d[:, 0] + (ay - p[:, 1]) * d[:, 1]) / seg_len2, 0, 1)
    cx, cy = p[:, 0] + u * d[:, 0], p[:, 1] + u * d[:, 1]
    k = int(np.argmin((cx - ax) ** 2 + (cy - ay) ** 2))
    dx, dy = d[k] / math.sqrt(seg_len2[k])
    h = width / 2
    return ((ax - dx * h, ay - dy * h), (ax + dx * h, ay + dy * h))


def network_params(meta: Mapping[str, Any]) -> dict[str, float]:
    """Cell-splitting parameters a replay was made with (``meta["network"]``, or the
    scenario's ``movement`` section), for :func:`sim.engine.graphs.build_network`."""
    keys = ("max_cell_area_m2", "max_cell_length_m")
    for src in (meta.get("network"), (meta.get("scenario") or {}).get("movement")
                if isinstance(meta.get("scenario"), Mapping) else None):
        if isinstance(src, Mapping):
            out = {k: float(src[k]) for k in keys if isinstance(src.get(k), int | float)}
            if out:
                return out
    return {}


class PlanGeometry:
    """Drawing-ready geometry of a layout and its cells.

    Parameters
    ----------
    layout : Layout or mapping
        The layout, or its mapping (``Replay.layout``).
    network : Network, optional
        Cells; built with ``build_network`` (using ``network_params``) when omitted.
    network_params : mapping, optional
        Keyword arguments for ``build_network`` (``max_cell_area_m2``,
        ``max_cell_length_m``), e.g. from ``Replay.meta["network"]``.
    """

    def __init__(self, layout: Layout | Mapping[str, Any], network: Network | None = None,
                 network_params: Mapping[str, Any] | None = None) -> None:
        if not isinstance(layout, Layout):
            layout = layout_from_dict(layout, source="<replay layout>")
        self.layout = layout
        if network is None:
            params = {k: float(v) for k, v in (network_params or {}).items()
                      if k in ("max_cell_area_m2", "max_cell_length_m")}
            network = build_network(layout, **params)
        self.network = network
        self.levels: list[LevelGeom] = [
            LevelGeom(lv.id, i, lv.name, lv.elevation_m, lv.storey)
            for i, lv in enumerate(layout.levels)]
        self.level_index = {lv.id: lv.index for lv in self.levels}
        coords_of: dict[str, np.ndarray] = {}
        for s in layout.spaces.values():
            if s.polygon is None:
                continue
            arr = np.asarray(s.polygon, dtype=np.float64)
            coords_of[s.id] = arr
            for lid in s.levels:
                self.levels[self.level_index[lid]].spaces.append(
                    SpaceGeom(s.id, s.kind, s.name, arr, s.levels, s.centroid, s.area_m2))
        exits = set(layout.exits)
        for o in layout.openings.values():
            base = coords_of.get(o.a) if o.a not in exits else coords_of.get(o.b)
            if base is None:
                base = coords_of.get(o.b)
            p0, p1 = _opening_segment(base, o.at, o.width_m)
            self.levels[self.level_index[o.level]].openings.append(OpeningGeom(
                o.id, o.kind, o.a, o.b, o.at, p0, p1, o.width_m,
                o.a in exits or o.b in exits, o.level))
        # cells
        self.cell_ids: list[str] = []
        self.cell_coords: list[np.ndarray | None] = []
        areas: list[float] = []
        levels_of: list[tuple[int, ...]] = []
        for cid, cell in network.cells.items():
            idx = len(self.cell_ids)
            self.cell_ids.append(cid)
            if cell.shape is not None and not cell.shape.is_empty:
                self.cell_coords.append(np.asarray(cell.shape.exterior.coords, np.float64)[:-1])
            else:
                self.cell_coords.append(None)
            areas.append(cell.area_m2)
            lv = tuple(self.level_index[x] for x in cell.levels)
            levels_of.append(lv)
            if cell.shape is not None:
                for li in lv:
                    self.levels[li].cells.append(idx)
        self.cell_area = np.asarray(areas, dtype=np.float64)
        self.cell_levels = levels_of
        self.cell_index = {c: i for i, c in enumerate(self.cell_ids)}
        for lv in self.levels:
            lv.bbox = _bbox([s.coords for s in lv.spaces])
        self.bbox = _bbox([s.coords for lv in self.levels for s in lv.spaces])
        self._rasters: dict[int, tuple[np.ndarray, float, float, float]] = {}

    @property
    def ground_level(self) -> int:
        """Index of storey 1 (the ground floor), else of the lowest level."""
        return next((lv.index for lv in self.levels if lv.storey == 1), 0)

    def find_level(self, key: str) -> int:
        """Level index from an id (``L2``) or a 1-based position from the bottom (``3``)."""
        if key in self.level_index:
            return self.level_index[key]
        if key.isdigit() and 1 <= int(key) <= len(self.levels):
            return int(key) - 1
        raise KeyError(key)

    # -- replay mapping ----------------------------------------------------------------

    def replay_level_map(self, replay_level_ids: Sequence[str]) -> np.ndarray:
        """Map a replay level index to this geometry's level index (``-1`` if unknown)."""
        if not replay_level_ids:
            return np.arange(max(len(self.levels), 1), dtype=np.int32)
        return np.asarray([self.level_index.get(lid, -1) for lid in replay_level_ids],
                          dtype=np.int32)

    def series_cell_map(self, replay_cell_ids: Sequence[str]) -> np.ndarray:
        """For every replay cell id, the geometry cell index (``-1`` when unknown)."""
        return np.asarray([self.cell_index.get(c, -1) for c in replay_cell_ids],
                          dtype=np.int64)

    # -- rasters -----------------------------------------------------------------------

    def cell_raster(self, level: int, res_m: float = 0.5
                    ) -> tuple[np.ndarray, float, float, float]:
        """``(grid, x0, y0, res)``: ``grid[j, i]`` is the cell at ``(x0+i*res, y0+j*res)``.

        ``-1`` where no cell is. Used to bin positions into cells quickly.
        """
        if level in self._rasters:
            return self._rasters[level]
        from PIL import Image, ImageDraw

        x0, y0, x1, y1 = self.levels[level].bbox
        w = max(1, math.ceil((x1 - x0) / res_m) + 1)
        h = max(1, math.ceil((y1 - y0) / res_m) + 1)
        img = Image.new("I", (w, h), -1)
        draw = ImageDraw.Draw(img)
        for ci in self.levels[level].cells:
            co = self.cell_coords[ci]
            if co is None:
                continue
            pts = [((x - x0) / res_m, (y - y0) / res_m) for x, y in co]
            draw.polygon(pts, fill=ci)
        grid = np.asarray(img, dtype=np.int32)
        out = (grid, x0, y0, res_m)
        self._rasters[level] = out
        return out

    def cells_at(self, x: np.ndarray, y: np.ndarray, level: np.ndarray) -> np.ndarray:
        """Geometry cell index of each point (``-1`` outside every cell)."""
        out = np.full(len(x), -1, dtype=np.int64)
        for li in np.unique(level):
            if li < 0 or li >= len(self.levels):
                continue
            m = level == li
            grid, x0, y0, res = self.cell_raster(int(li))
            i = np.clip(((x[m] - x0) / res).round().astype(np.int64), 0, grid.shape[1] - 1)
            j = np.clip(((y[m] - y0) / res).round().astype(np.int64), 0, grid.shape[0] - 1)
            out[m] = grid[j, i]
        return out
