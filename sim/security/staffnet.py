"""Walking for staff, attackers and police: shortest paths over the cell graph.

Staff do not queue at doors and do not count toward a cell's jam capacity (they are few
and squeeze past); they are slowed by the crowd instead: in a cell of density ``D`` a
walker moves at ``v · relative_speed(D)``, and at 0.7 of that when people there are
moving (walking against the evacuating crowd). Distances are centroid → opening →
centroid, so a path's length is a walkable estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.engine import movement as mv
from sim.engine.graphs import Network

if TYPE_CHECKING:
    from sim.engine.world import World

#: Speed factor when walking against a moving crowd (assumption; documented above).
COUNTERFLOW_FACTOR = 0.7


@dataclass
class StaticGraph:
    """The walking graph of one network: edge lengths (m), the portal of each edge, the
    sparse matrix, neighbour lists and a cache of shortest-path trees (read-only once
    built; shared by every world of the network and by the deployment optimiser)."""

    edge_len: dict[tuple[int, int], float]
    edge_portal: dict[tuple[int, int], int]
    g: csr_matrix
    nbrs: list[list[int]]
    pred: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def static_graph(net: Network) -> StaticGraph:
    """The network's walking graph (cell and portal indices in the network's order, the
    order every :class:`~sim.engine.world.World` uses); built once per network."""
    hit: StaticGraph | None = net.__dict__.get("_staff_cell_graph")
    if hit is not None:
        return hit
    cell_ids = list(net.cells)
    index = {c: i for i, c in enumerate(cell_ids)}
    cells = [net.cells[c] for c in cell_ids]

    def half(cell: int, at: tuple[float, float]) -> float:
        c = cells[cell]
        if c.is_stair:
            return float(c.length_m or 4.0) / 2.0
        cx, cy = c.centroid
        if math.isnan(cx):
            return 0.0
        return math.hypot(cx - at[0], cy - at[1])

    edge_len: dict[tuple[int, int], float] = {}
    edge_portal: dict[tuple[int, int], int] = {}
    for k, pid in enumerate(net.portals):
        p = net.portals[pid]
        a, b = index[p.a], index[p.b]
        if cells[a].is_exit or cells[b].is_exit:
            continue
        d = half(a, p.at) + half(b, p.at)
        for u, v in ((a, b), (b, a)):
            if (u, v) not in edge_len or d < edge_len[(u, v)]:
                edge_len[(u, v)] = d
                edge_portal[(u, v)] = k
    n = len(cell_ids)
    rows = [u for u, _ in edge_len]
    cols = [v for _, v in edge_len]
    vals = [max(d, 0.1) for d in edge_len.values()]
    g = csr_matrix((vals, (rows, cols)), shape=(n, n))
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for u, v in sorted(edge_len):
        nbrs[u].append(v)
    out = StaticGraph(edge_len, edge_portal, g, nbrs)
    net.__dict__["_staff_cell_graph"] = out
    return out


class CellGraph:
    """Cell-to-cell distances for walkers that are not occupants."""

    def __init__(self, world: World) -> None:
        self.w = world
        # the graph depends on the geometry only: built once per network and shared by
        # every world of it, with its shortest-path trees (read-only)
        static = static_graph(world.net)
        self.edge_len: dict[tuple[int, int], float] = static.edge_len
        self.edge_portal: dict[tuple[int, int], int] = static.edge_portal
        self.g: csr_matrix = static.g
        self._nbrs: list[list[int]] = static.nbrs
        self._pred: dict[int, tuple[np.ndarray, np.ndarray]] = static.pred

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
