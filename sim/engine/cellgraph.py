"""The one cell-graph service of a network: walking distances and paths, with views.

Owned by the :class:`~sim.engine.graphs.Network` (``network.cell_graph``), built once from
its geometry and shared read-only by every world of that network. Cells and portals are
numbered as every :class:`~sim.engine.world.World` numbers them (their order in
``network.cells`` and ``network.portals``). Exits are not part of the cell graph.

Views
-----
*All openings* (:meth:`CellGraph.distance_m`, :meth:`CellGraph.distances_from_m`,
:meth:`CellGraph.path`)
    Every opening is passable: the view of staff and police, who have keys and squeeze
    past closures. Shortest-path trees are cached per target.
*Currently open* (:meth:`CellGraph.open_distances_from_m`, :meth:`CellGraph.open_path`)
    Openings in ``closed`` (portal indices: a shop in lockdown, a lost or chained door)
    are not passable: the view of threats (attackers, robbers).
*Avoiding* (:meth:`CellGraph.route_matrix`)
    The portal-to-portal graph occupants route on, without closed portals and with the
    cells to avoid (smoke, a threat) made longer; :class:`sim.engine.routing.Router` runs
    its distance fields on it.

A cell-to-cell link is centroid → opening → centroid (half a stair's length on a stair);
parallel openings keep the shortest. One path reconstruction serves every view.
"""

from __future__ import annotations

import math
from collections.abc import Sequence, Set
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

if TYPE_CHECKING:
    from sim.engine.graphs import Cell, Network

#: Walking-distance multiplier for cells to avoid (smoke-logged) when another way exists.
AVOID_PENALTY = 8.0
#: Open views kept per network (one per set of closed portals seen most recently).
_OPEN_VIEWS = 8


def path_from_tree(dist: np.ndarray, pred: np.ndarray, src: int, target: int) -> list[int]:
    """Cells from ``src`` to ``target`` inclusive along a shortest-path tree rooted at
    ``target`` (``[]`` when ``target`` cannot be reached)."""
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


class CellGraph:
    """Cell-to-cell walking distances of one network (see the module docstring)."""

    def __init__(self, network: Network) -> None:
        self.network = network
        cells = list(network.cells.values())
        cpos = {c: k for k, c in enumerate(network.cells)}
        n = len(cells)
        self.n_cells = n
        is_exit = [c.is_exit for c in cells]
        self.edge_len: dict[tuple[int, int], float] = {}
        """Link length (m) from cell ``u`` to cell ``v`` (the shortest opening's)."""
        self.edge_portal: dict[tuple[int, int], int] = {}
        """The portal of that link."""
        self._portal_cells: list[tuple[int, int]] = []
        for i, p in enumerate(network.portals.values()):
            a, b = cpos[p.a], cpos[p.b]
            self._portal_cells.append((a, b))
            if is_exit[a] or is_exit[b]:
                continue
            d = _half(cells[a], p.at) + _half(cells[b], p.at)
            for u, v in ((a, b), (b, a)):
                if (u, v) not in self.edge_len or d < self.edge_len[(u, v)]:
                    self.edge_len[(u, v)] = d
                    self.edge_portal[(u, v)] = i
        self._is_exit = is_exit
        rows = [u for u, _ in self.edge_len]
        cols = [v for _, v in self.edge_len]
        vals = [max(d, 0.1) for d in self.edge_len.values()]
        self._all = csr_matrix((vals, (rows, cols)), shape=(n, n))
        self._nbrs: list[list[int]] = [[] for _ in range(n)]
        for u, v in sorted(self.edge_len):
            self._nbrs[u].append(v)
        self._trees: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._open: dict[frozenset[int], csr_matrix] = {}

    # ---------------------------------------------------------------- all openings
    def _tree(self, target: int) -> tuple[np.ndarray, np.ndarray]:
        hit = self._trees.get(target)
        if hit is None:
            dist, pred = dijkstra(self._all.T, directed=True, indices=target,
                                  return_predecessors=True)
            hit = (dist, pred)
            self._trees[target] = hit
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
        """Cells from ``src`` to ``target`` inclusive through any opening ([] if none)."""
        dist, pred = self._tree(target)
        return path_from_tree(dist, pred, src, target)

    @property
    def matrix(self) -> csr_matrix:
        """The all-openings view as a sparse matrix of link lengths (m), cell to cell (for
        many-source searches such as the guard deployment's)."""
        return self._all

    def neighbours(self, cell: int) -> list[int]:
        """Cells sharing an opening with ``cell`` (not exits)."""
        return list(self._nbrs[cell])

    # ---------------------------------------------------------------- currently open
    def _open_matrix(self, closed: frozenset[int]) -> csr_matrix:
        m = self._open.get(closed)
        if m is not None:
            return m
        best: dict[tuple[int, int], float] = {}
        for q, (a, b) in enumerate(self._portal_cells):
            if q in closed or self._is_exit[a] or self._is_exit[b]:
                continue
            ln = max(self.edge_len.get((a, b), 1.0), 0.1)
            for uv in ((a, b), (b, a)):
                if uv not in best or ln < best[uv]:
                    best[uv] = ln
        rows = [u for u, _ in best]
        cols = [v for _, v in best]
        n = self.n_cells
        m = csr_matrix((list(best.values()), (rows, cols)), shape=(n, n))
        if len(self._open) >= _OPEN_VIEWS:
            self._open.pop(next(iter(self._open)))
        self._open[closed] = m
        return m

    def open_distances_from_m(self, src: int, closed: frozenset[int]) -> np.ndarray:
        """Walking distances (m) from ``src`` through openings not in ``closed``."""
        return dijkstra(self._open_matrix(closed), directed=True, indices=src)

    def open_path(self, src: int, dst: int, closed: frozenset[int]) -> list[int]:
        """Cells from ``src`` to ``dst`` through openings not in ``closed`` ([] if none)."""
        if src == dst:
            return [src]
        # the graph is symmetric: the tree rooted at dst gives each cell's next step to dst
        dist, pred = dijkstra(self._open_matrix(closed), directed=True, indices=dst,
                              return_predecessors=True)
        return path_from_tree(dist, pred, src, dst)

    # ---------------------------------------------------------------- avoiding
    def route_matrix(self, blocked: Set[int], avoid: Sequence[bool], *,
                     clear_only: bool = False) -> csr_matrix:
        """Portal-to-portal walking graph (m) for occupants' routing.

        An arc ``x → y`` crosses the cell the two portals share; portals in ``blocked``
        are left out and crossing a cell to ``avoid`` costs :data:`AVOID_PENALTY` times
        its length (``clear_only``: such arcs are left out, only ways that cross no
        avoided cell remain).
        """
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for (c, x, y), d in self.network.within_by_index.items():
            if x in blocked or y in blocked or (clear_only and avoid[c]):
                continue
            rows.append(x)
            cols.append(y)
            vals.append(d * (AVOID_PENALTY if avoid[c] else 1.0) + 1e-6)
        n = len(self._portal_cells)
        return csr_matrix((vals, (rows, cols)), shape=(n, n))


def _half(cell: Cell, at: tuple[float, float]) -> float:
    """Distance (m) from a cell's centre to an opening (half its length on a stair)."""
    if cell.is_stair:
        return float(cell.length_m or 4.0) / 2.0
    cx, cy = cell.centroid
    if math.isnan(cx):
        return 0.0
    return math.hypot(cx - at[0], cy - at[1])
