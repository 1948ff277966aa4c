"""Smoke per space from a replay: layer height and visibility over time (for plots and the
viewer).

A fire run's replay holds, per cell and sample, ``smoke_layer_m`` (the layer's lower surface
above the space's own floor; NaN where there is no smoke) and ``smoke_extinction_per_m``
(K). All cells of a space share its zone's layer, so one cell per space is read. Visibility
is V = 3/K (a light-reflecting sign; ``sim.hazards.fire_physics.visibility_m``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.replay import Replay
from sim.hazards.fire_physics import VISIBILITY_C_REFLECTING
from viz.geometry import PlanGeometry

__all__ = ["SpaceSmoke", "space_smoke"]


@dataclass(frozen=True)
class SpaceSmoke:
    """Per-space smoke series of a replay.

    Attributes
    ----------
    spaces, levels : list of str
        Space ids that had smoke at some time, and the level each is drawn on.
    heights : numpy.ndarray
        Clear height of each space, m.
    t : numpy.ndarray
        Sample times, s.
    layer_m : numpy.ndarray
        ``(len(t), len(spaces))`` layer height above the space's floor, m (NaN: no smoke).
    visibility_m : numpy.ndarray
        Same shape, visibility 3/K in m (inf: no smoke).
    """

    spaces: list[str]
    levels: list[str]
    heights: np.ndarray
    t: np.ndarray
    layer_m: np.ndarray
    visibility_m: np.ndarray

    def at(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """(layer, visibility) of every space at time ``t`` (the sample in effect)."""
        i = int(np.searchsorted(self.t, t, side="right")) - 1
        if i < 0:
            n = len(self.spaces)
            return np.full(n, np.nan), np.full(n, np.inf)
        return self.layer_m[i], self.visibility_m[i]

    def worst(self, n: int) -> list[int]:
        """Indices of the ``n`` spaces whose layer came lowest (ties: lower visibility),
        keeping at least one space of every level that had smoke."""
        low = np.nanmin(np.where(np.isnan(self.layer_m), np.inf, self.layer_m), axis=0)
        vis = np.min(self.visibility_m, axis=0)
        order = sorted(range(len(self.spaces)), key=lambda k: (low[k], vis[k]))
        chosen: list[int] = []
        for lv in dict.fromkeys(self.levels[k] for k in order):
            chosen.append(next(k for k in order if self.levels[k] == lv))
        for k in order:
            if len(chosen) >= n:
                break
            if k not in chosen:
                chosen.append(k)
        return sorted(chosen, key=lambda k: (self.levels[k], low[k]))


def space_smoke(replay: Replay, geom: PlanGeometry) -> SpaceSmoke | None:
    """The per-space smoke of ``replay`` (None when the replay has no smoke series)."""
    layer = replay.series.get("smoke_layer_m")
    ext = replay.series.get("smoke_extinction_per_m")
    if layer is None or ext is None or not len(replay.series_t):
        return None
    col = {c: i for i, c in enumerate(replay.cell_ids)}
    spaces, levels, heights, cols = [], [], [], []
    for sid, cells in geom.network.cells_of_space.items():
        if geom.layout.spaces[sid].is_vertical:
            continue  # stairs and escalators: their floors are the galleries'
        k = next((col[c] for c in cells if c in col), None)
        if k is None or not np.isfinite(layer[:, k]).any():
            continue
        sp = geom.layout.spaces[sid]
        spaces.append(sid)
        levels.append(sp.level)
        heights.append(sp.height_m)
        cols.append(k)
    idx = np.asarray(cols, dtype=np.int64)
    lay = layer[:, idx].astype(float) if len(idx) else np.zeros((len(replay.series_t), 0))
    kk = ext[:, idx].astype(float) if len(idx) else np.zeros((len(replay.series_t), 0))
    with np.errstate(divide="ignore"):
        vis = np.where(kk > 0, VISIBILITY_C_REFLECTING / np.maximum(kk, 1e-12), np.inf)
    return SpaceSmoke(spaces, levels, np.asarray(heights, dtype=float),
                      np.asarray(replay.series_t, dtype=float), lay, vis)
