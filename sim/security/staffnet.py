"""Walking for staff, attackers and police: shortest paths over the cell graph.

Staff do not queue at doors and do not count toward a cell's jam capacity (they are few
and squeeze past); they are slowed by the crowd instead: in a cell of density ``D`` a
walker moves at ``v · relative_speed(D)``, and at 0.7 of that when people there are
moving (walking against the evacuating crowd). Distances are centroid → opening →
centroid, so a path's length is a walkable estimate.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.engine import movement as mv

if TYPE_CHECKING:
    from sim.engine.world import World

#: Speed factor when walking against a moving crowd (assumption; documented above).
COUNTERFLOW_FACTOR = 0.7


_Static = tuple[dict[tuple[int, int], float], dict[tuple[int, int], int], csr_matrix,
                list[list[int]], dict[int, tuple[np.ndarray, np.ndarray]]]
"""Edge lengths (m), edge portals, the sparse graph, neighbours, shortest-path trees."""


class CellGraph:
    """Cell-to-cell distances for walkers that are not occupants."""

    def __init__(self, world: World) -> None:
        self.w = world
        # the graph depends on the geometry only: built once per network and shared by
        # every world of it, with its shortest-path trees (read-only)
        static: _Static | None = world.net.__dict__.get("_staff_cell_graph")
        if static is None:
            static = self._build(world)
            world.net.__dict__["_staff_cell_graph"] = static
        self.edge_len: dict[tuple[int, int], float] = static[0]
        self.edge_portal: dict[tuple[int, int], int] = static[1]
        self.g: csr_matrix = static[2]
        self._nbrs: list[list[int]] = static[3]
        self._pred: dict[int, tuple[np.ndarray, np.ndarray]] = static[4]

    def _build(self, world: World) -> _Static:
        n = len(world.cell_ids)
        edge_len: dict[tuple[int, int], float] = {}
        edge_portal: dict[tuple[int, int], int] = {}
        for door in world.doors:
            a, b = door.a, door.b
            if world.is_exit[a] or world.is_exit[b]:
                continue
            d = self._half(a, door) + self._half(b, door)
            for u, v in ((a, b), (b, a)):
                if (u, v) not in edge_len or d < edge_len[(u, v)]:
                    edge_len[(u, v)] = d
                    edge_portal[(u, v)] = door.idx
        rows = [u for u, _ in edge_len]
        cols = [v for _, v in edge_len]
        vals = [max(d, 0.1) for d in edge_len.values()]
        g = csr_matrix((vals, (rows, cols)), shape=(n, n))
        nbrs: list[list[int]] = [[] for _ in range(n)]
        for u, v in sorted(edge_len):
            nbrs[u].append(v)
        return edge_len, edge_portal, g, nbrs, {}

    def _half(self, cell: int, door: object) -> float:
        w = self.w
        cx, cy = w.cell_centroid[cell]
        at = door.at  # type: ignore[attr-defined]
        if w.is_stair[cell]:
            return float(w.net.cells[w.cell_ids[cell]].length_m or 4.0) / 2.0
        if math.isnan(cx):
            return 0.0
        return math.hypot(cx - at[0], cy - at[1])

    def _tree(self, target: int) -> tuple[np.ndarray, np.ndarray]:
        hit = self._pred.get(target)
        if hit is None:
            dist, pred = dijkstra(self.g.T, directed=True, indices=target,
                                  return_predecessors=True)
            hit = (dist, pred)
            self._pred[target] = hit
        return hit

    def distance_m(self, src: int, target: int) -> float:
        """Walking distance (m) from cell ``src`` to cell ``target`` (inf if none)."""
        return float(self._tree(target)[0][src])

    def distances_from_m(self, src: int) -> np.ndarray:
        """Walking distance (m) from cell ``src`` to every cell (inf where unreachable).

        Every link has the same length both ways, so this is the tree toward ``src``:
        one shortest-path tree serves all targets of a sweeper standing in ``src``.
        """
        return self._tree(src)[0]

    def path(self, src: int, target: int) -> list[int]:
        """Cells from ``src`` to ``target`` inclusive ([] when unreachable)."""
        dist, pred = self._tree(target)
        if not np.isfinite(dist[src]):
            return []
        out = [src]
        c = src
        while c != target:
            c = int(pred[c])
            if c < 0:
                return []
            out.append(c)
        return out

    def hop_time_s(self, u: int, v: int, speed_mps: float) -> float:
        """Time (s) to walk from cell ``u`` into cell ``v``, slowed by the crowd in ``v``."""
        w = self.w
        d = self.edge_len.get((u, v), 1.0)
        dens = w.count[v] / w.area[v] if w.area[v] > 0 else 0.0
        f = mv.relative_speed(dens, "sfpe")
        if dens > 0.5 and w.evacuated < w.n:
            f *= COUNTERFLOW_FACTOR
        return d / max(speed_mps * f * w.speed_factor[v], 0.05)

    def neighbours(self, cell: int) -> list[int]:
        """Cells sharing an opening with ``cell`` (not exits)."""
        return list(self._nbrs[cell])
