"""Exit choice and next-hop routing over the route graph.

Distances to every exit are one Dijkstra per exit over the route graph (scipy's compiled
``csgraph.dijkstra``), computed once and again only when an opening is blocked or a
space becomes one to avoid (smoke). A person in cell ``c`` who entered through portal
``p`` takes the portal ``q`` of ``c`` that minimises ``within(c, p, q) + D[q]``, where
``D`` is the distance field of their target exit (or the nearest exit). By the triangle
inequality inside a convex cell this is the first step of a shortest path, so the
choice per ``(cell, p, target)`` is cached.

Policies: ``nearest`` (distance), ``quickest`` (walking time plus the queue at the
target exit, re-decided at each opening when the best exit is better by
``switch_margin``), ``familiar`` (a share heads for a main entrance, the way they came
in), ``assigned`` (space or level → exit opening). Guards and PA messages set a
person's target exit the same way (``World.target``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse.csgraph import dijkstra

if TYPE_CHECKING:
    from sim.engine.world import World



class Router:
    """Distance fields and cached next-hop choices for one world."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.exits = list(world.exit_portals)
        self.exit_pos = {p: k for k, p in enumerate(self.exits)}
        self.blocked: set[int] = set()
        self.policy = world.scenario.routing.policy
        self.margin = world.scenario.routing.switch_margin
        self.version = 0
        self.exit_headway = [d.headway[0] if world.is_exit[d.b] else d.headway[1]
                             for d in (world.doors[e] for e in self.exits)]
        self.recompute()

    # ---------------------------------------------------------------- fields
    def recompute(self) -> None:
        """Rebuild every distance field (after blocking an opening or avoiding a cell)."""
        w = self.w
        n = len(w.doors)
        g = w.net.cell_graph.route_matrix(self.blocked, w.avoid)
        live = [e for e in self.exits if e not in self.blocked]
        dist = np.full((len(self.exits), n), np.inf)
        if live:
            sub = dijkstra(g, directed=True, indices=live, min_only=False)
            for k, e in enumerate(live):
                dist[self.exit_pos[e]] = sub[k]
        self.D = dist
        self.Dmin = dist.min(axis=0) if len(self.exits) else np.full(n, np.inf)
        self.Dmin_list: list[float] = self.Dmin.tolist()
        self.D_lists: list[list[float]] = [row.tolist() for row in dist]
        self._cache: dict[tuple[int, int, int], tuple[int, float]] = {}
        self._vec_cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._first_cache: dict[tuple[int, int, int],
                                list[tuple[int, float, float, float]]] = {}
        self._clear: list[float] | None = None
        self.version += 1

    def clear_field(self) -> list[float]:
        """Distance field (m) to the nearest exit through cells nobody avoids (inf where
        every way crosses an avoided cell); built when first asked after a change."""
        if self._clear is None:
            w = self.w
            n = len(w.doors)
            live = [e for e in self.exits if e not in self.blocked]
            if live:
                g = w.net.cell_graph.route_matrix(self.blocked, w.avoid, clear_only=True)
                self._clear = dijkstra(g, directed=True, indices=live,
                                       min_only=True).tolist()
            else:
                self._clear = [math.inf] * n
        return self._clear

    def clear_way(self, cell: int, x: float, y: float, exclude: int) -> tuple[int, float]:
        """Best portal of ``cell`` from point (x, y) onto a way out that crosses no avoided
        cell, other than ``exclude``; ``(-1, 0)`` when there is none."""
        f = self.clear_field()
        best, bq, bd = math.inf, -1, 0.0
        for q in self.w.portals_of[cell]:
            if q == exclude or q in self.blocked:
                continue
            at = self.w.doors[q].at
            d = math.hypot(at[0] - x, at[1] - y)
            if d + f[q] < best:
                best, bq, bd = d + f[q], q, d
        return (bq, max(bd, 0.1)) if best < math.inf else (-1, 0.0)

    def block(self, portal: int) -> None:
        """Close a portal for routing (its door must be closed by the caller)."""
        if portal not in self.blocked:
            self.blocked.add(portal)
            self.recompute()

    def block_many(self, portals: list[int]) -> None:
        """Close several portals with one recomputation."""
        new = [p for p in portals if p not in self.blocked]
        if new:
            self.blocked.update(new)
            self.recompute()

    def unblock_many(self, portals: list[int]) -> None:
        """Reopen portals."""
        if any(p in self.blocked for p in portals):
            self.blocked.difference_update(portals)
            self.recompute()

    def field(self, target: int) -> list[float]:
        """Distance field (m) toward exit portal ``target`` (-1: the nearest exit)."""
        return self.Dmin_list if target < 0 else self.D_lists[self.exit_pos[target]]

    def distance_to_exit_m(self, cell: int, xy: tuple[float, float], target: int = -1) -> float:
        """Walking distance (m) from a point in ``cell`` to the (target) exit."""
        f = self.field(target)
        best = math.inf
        for q in self.w.portals_of[cell]:
            if q in self.blocked:
                continue
            at = self.w.doors[q].at
            best = min(best, math.hypot(at[0] - xy[0], at[1] - xy[1]) + f[q])
        return best

    # ---------------------------------------------------------------- choices
    def first_hop(self, i: int, cell: int, x: float, y: float, exclude: int) -> tuple[int, float]:
        """Best portal of ``cell`` from point (x, y); ``(-1, 0)`` when no exit is reachable."""
        w = self.w
        if self.policy == "quickest":
            self._requickest(i, cell, None, (x, y))
        key = (cell, w.target[i], exclude)
        options = self._first_cache.get(key)
        if options is None:  # open portals of the cell: (portal, x, y, distance to go)
            f = self.field(w.target[i])
            options = [(q, w.doors[q].at[0], w.doors[q].at[1], f[q])
                       for q in w.portals_of[cell] if q != exclude and q not in self.blocked]
            self._first_cache[key] = options
        best, bq, bd = math.inf, -1, 0.0
        for q, ax, ay, fq in options:
            d = math.hypot(ax - x, ay - y)
            cost = d + fq
            if cost < best:
                best, bq, bd = cost, q, d
        if bq < 0 and w.target[i] >= 0:  # target unreachable: fall back to nearest
            w.target[i] = -1
            return self.first_hop(i, cell, x, y, exclude)
        return (bq, max(bd, 0.1)) if best < math.inf else (-1, 0.0)

    def next_hop(self, i: int, cell: int, p_in: int, *,
                 obey: bool = True) -> tuple[int, float]:
        """Best portal out of ``cell`` for person ``i`` who entered through ``p_in``.

        ``obey = False`` ignores a guard's directions here (used once the directed exit
        proved unreachable from this cell, so the fallback cannot loop).
        """
        w = self.w
        if self.policy == "quickest":
            self._requickest(i, cell, p_in, None)
        directed = w.directed.get(cell) if obey else None
        if directed is not None and directed not in self.blocked and (
                w.compliance >= 1.0 or w.obey_u[i] < w.compliance):
            w.target[i] = directed
        key = (cell, p_in, w.target[i])
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        f = self.field(w.target[i])
        within = w.within
        best, bq, bd = math.inf, -1, 0.0
        for q in w.portals_of[cell]:
            if q == p_in or q in self.blocked:
                continue
            d = within[(cell, p_in, q)]
            cost = d + f[q]
            if cost < best:
                best, bq, bd = cost, q, d
        if best == math.inf:
            if w.target[i] >= 0:
                w.target[i] = -1
                return self.next_hop(i, cell, p_in, obey=False)
            door = w.doors[p_in]
            res = self.first_hop(i, cell, door.at[0], door.at[1], -1)
            if res[0] == p_in:
                self._cache[key] = res
            return res
        res = (bq, bd)
        self._cache[key] = res
        return res

    def _exit_vectors(self, cell: int, p_in: int | None,
                      xy: tuple[float, float] | None) -> tuple[np.ndarray, np.ndarray]:
        """Per exit: the shortest distance (m) from here and the first portal to take."""
        w = self.w
        qs = [q for q in w.portals_of[cell] if q not in self.blocked and q != p_in]
        if not qs:
            return np.full(len(self.exits), np.inf), np.full(len(self.exits), -1)
        if p_in is not None:
            key = (cell, p_in)
            hit = self._vec_cache.get(key)
            if hit is not None:
                return hit
            wv = np.array([w.within[(cell, p_in, q)] for q in qs])
        else:
            assert xy is not None
            wv = np.array([math.hypot(w.doors[q].at[0] - xy[0], w.doors[q].at[1] - xy[1])
                           for q in qs])
        m = self.D[:, qs] + wv[None, :]
        arg = m.argmin(axis=1)
        out = (m[np.arange(len(self.exits)), arg], np.asarray(qs)[arg])
        if p_in is not None:
            self._vec_cache[(cell, p_in)] = out
        return out

    def _requickest(self, i: int, cell: int, p_in: int | None,
                    xy: tuple[float, float] | None) -> None:
        """Quickest policy: re-pick the target exit when another is better by the margin."""
        w = self.w
        if not self.exits:
            return
        dist, _ = self._exit_vectors(cell, p_in, xy)
        v = max(w.v0[i], 0.1)
        qwait = np.array([w.doors[e].queue_length() * h
                          for e, h in zip(self.exits, self.exit_headway, strict=True)])
        est = dist / v + qwait
        k = int(np.argmin(est))
        cur = w.target[i]
        if cur < 0:
            w.target[i] = self.exits[k]
            return
        ck = self.exit_pos[cur]
        if est[k] < est[ck] * (1.0 - self.margin) and math.isfinite(est[k]):
            w.target[i] = self.exits[k]
