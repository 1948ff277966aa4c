"""Lower bound on the quickest evacuation time (network flows over time).

The evacuation is relaxed to a *fluid* flow over time on a directed graph: arc ``e``
admits at most ``cap_ps`` persons per second and delays them by ``transit_s``; a node
holds at most ``store`` persons at any instant; persons leave their node no earlier than
their release (pre-movement) time and are done on reaching an exit node.  Every real
evacuation is such a flow, so the quickest fluid evacuation time ``T*`` bounds every
simulated evacuation from below (dynamic flows: Ford & Fulkerson 1958, "Constructing
maximal dynamic flows from static flows", Operations Research 6, 419-433; case AT-12 of
``docs/verification.md``).

Method
------
1. Cheap bounds (closed form):

   * exit cut with release times: for the ``k`` persons with the latest earliest
     possible exit arrival ``a_p = release_p + d(node_p)`` (``d`` = shortest transit to
     an exit), ``T* >= k / C + min a_p`` where ``C`` is the total capacity of the arcs
     into the exits.  The maximum over ``k`` is taken; ``k = N`` gives
     :func:`cut_bound_s` and ``k = 1`` contains the longest minimum travel time.

2. Max-flow on a time-expanded network (Ford & Fulkerson), searched over the horizon
   (upward probes guessed from the max-flow shortfall, then bisection).
   Time is measured in *reduced* time ``t + d(v)`` at node ``v`` (the earliest moment
   a person standing at ``v`` could be out); the reduced transit of arc ``(u, v)`` is
   ``transit_s + d(v) - d(u) >= 0`` and is zero on every shortest route, so rounding
   loses nothing along those routes.  With base step ``dt`` and coarsening factor
   ``m`` (step ``m * dt``), every rounding is a relaxation:

   * reduced transits and release steps are rounded *down* to whole steps;
   * the per-step arc capacity is ``m * ceil(cap_ps * dt * S)`` flow units with
     ``S`` units per person (fluid scaling, so ``ceil`` costs at most ``1/S`` person);
   * a node's holdover capacity is its store plus, for each entering arc, the flow that
     rounding moved onto the node early (at most ``cap_ps`` times the rounded-off part
     of the transit, plus ``(sigma mod m)`` fine steps of capacity);
   * a leaf source (e.g. a shop whose only door leads to one corridor cell) is not
     expanded: its persons leave from one vertex onto the copies of its door arc, and
     the round trip corridor -> shop -> corridor, useful only as storage, becomes extra
     holdover capacity at the corridor cell (about a third fewer arcs in a mall);
   * zero-step arcs stay inside one time layer (they are *not* stretched to one step,
     as textbook time-expanded recipes do to avoid cycles within a layer: that would
     over-estimate).

   A continuous feasible evacuation finishing by ``T`` maps onto a feasible flow of the
   discrete network with horizon ``floor(T / step)``; hence the smallest feasible
   horizon ``K*`` satisfies ``K* * step <= T*``.  The same mapping sends a solution
   at step ``dt`` to one at step ``m * dt``, so a coarsened result never exceeds the
   result at the requested step.  The step is coarsened (``m > 1``) only when the
   network reaching the horizon estimate (1.2 x the larger of the cut bound and
   ``N`` / static max-flow) would exceed ``max_arcs``; a horizon found too short is
   still a proven bound and is enlarged.  Network aggregation is not used.

3. The persons the network cannot deliver by step ``K* - 1`` (max-flow shortfall) must
   still pass the exits after ``K* * step``:
   ``T* >= K* * step + min(dt, shortfall / C)`` (capped at one requested step so the
   bound stays monotone in supply and capacity).

The returned bound is the largest of these.  Convention for the single path
``N = 100``, ``c = 1 p/s``, ``tau = 10 s``: the continuous optimum is 110 s, the 1 s
discretisation alone gives 109 s; the returned value is 110 s (both the exit cut and
the shortfall term are exact there).

Modelling notes: a two-way passage is two arcs whose capacities are not shared, and
initial occupants must fit the node's store; both are as in the simulator or looser.
Values within a relative ``1e-9`` of a whole number of steps (or flow units) are
snapped to it before rounding, so floating-point noise such as ``0.91 * 1000`` does not
cost a unit.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

__all__ = ["LowerBound", "cut_bound_s", "quickest_evacuation_time_s"]

# Node-keyed mappings are typed Mapping[Any, ...]: Mapping is invariant in its key type,
# so Mapping[Hashable, int] would reject a caller's dict[str, int].
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

_SNAP_REL = 1e-9
_UNITS_PER_PERSON_MAX = 1000
_INT_LIMIT = 2**30
_HORIZON_MARGIN = 1.2
_HORIZON_GROWTH = 1.6
_MAX_ATTEMPTS = 40


@dataclass(frozen=True)
class LowerBound:
    """Result of :func:`quickest_evacuation_time_s`.

    Attributes
    ----------
    t_s : float
        Lower bound on the quickest evacuation time, seconds.
    dt_s : float
        Time step of the time-expanded network that was solved, seconds.
    exact : bool
        True when the time-expanded network was solved to optimality at the requested
        step (no coarsening); ``t_s`` is then the larger of the cheap bounds and the
        optimum of that discretisation.  False when the step was coarsened or the
        network did not fit ``max_arcs`` at all.
    method : str
        Which bound produced ``t_s``: ``"trivial"`` (nobody to evacuate), ``"cut"``
        (the closed-form exit-cut bound), ``"time_expanded"`` (max-flow over time at the
        requested step) or ``"time_expanded_coarse"`` (at a coarsened step).
    """

    t_s: float
    dt_s: float
    exact: bool
    method: str


@dataclass(frozen=True)
class _Network:
    """Validated, pruned network in array form (exit nodes are not indexed)."""

    n_nodes: int
    dist_s: FloatArray  # shortest transit from each node to an exit
    store_persons: FloatArray  # inf = unbounded
    arc_tail: IntArray
    arc_head: IntArray  # -1 = an exit
    arc_cap_ps: FloatArray  # may be inf
    arc_reduced_transit_s: FloatArray
    group_node: IntArray  # person groups: node, release, count
    group_release_s: FloatArray
    group_count: IntArray
    n_persons: int
    exit_cap_ps: float  # total capacity of the arcs into the exits (whole graph)


@dataclass(frozen=True)
class _Expanded:
    """A time-expanded network up to horizon ``horizon``, arcs tagged by head step."""

    n_vertices: int
    source: int
    sink: int
    tail: IntArray
    head: IntArray
    cap_units: IntArray
    head_step: IntArray
    total_units: int
    last_release_step: int
    exit_units_per_step: int
    horizon: int


def _snap(x: FloatArray) -> FloatArray:
    """Snap values within a relative 1e-9 of an integer onto that integer."""
    with np.errstate(invalid="ignore"):
        r = np.rint(x)
        close = np.abs(x - r) <= _SNAP_REL * np.maximum(1.0, np.abs(x))
    return np.where(close, r, x)


def _snap_scalar(x: float) -> float:
    """Scalar version of :func:`_snap`."""
    r = round(x)
    return float(r) if abs(x - r) <= _SNAP_REL * max(1.0, abs(x)) else x


def _as_float(value: object, what: str) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    return out


def _validated_count(node: Hashable, value: object) -> int:
    v = _as_float(value, f"supply[{node!r}]")
    if not math.isfinite(v) or v != int(v):
        raise ValueError(f"supply[{node!r}] must be a whole number of persons, got {value!r}")
    if v < 0:
        raise ValueError(f"supply[{node!r}] must be >= 0, got {value!r}")
    return int(v)


def _validate_arcs(graph: nx.DiGraph) -> None:
    for u, v, data in graph.edges(data=True):
        for name in ("cap_ps", "transit_s"):
            if name not in data:
                raise ValueError(f"arc ({u!r}, {v!r}): missing attribute {name}")
        cap = _as_float(data["cap_ps"], f"arc ({u!r}, {v!r}): cap_ps")
        if math.isnan(cap) or cap <= 0:
            raise ValueError(f"arc ({u!r}, {v!r}): cap_ps must be > 0, got {data['cap_ps']!r}")
        tau = _as_float(data["transit_s"], f"arc ({u!r}, {v!r}): transit_s")
        if not math.isfinite(tau) or tau < 0:
            raise ValueError(
                f"arc ({u!r}, {v!r}): transit_s must be finite and >= 0, got {data['transit_s']!r}"
            )


def _store_of(graph: nx.DiGraph, node: Hashable) -> float:
    raw = graph.nodes[node].get("store")
    if raw is None:
        return math.inf
    store = _as_float(raw, f"node {node!r}: store")
    if math.isnan(store) or store < 0:
        raise ValueError(f"node {node!r}: store must be >= 0, got {raw!r}")
    return store


def _dist_to_exits_s(graph: nx.DiGraph, exit_set: set[Hashable]) -> dict[Hashable, float]:
    """Shortest transit time from every node to the nearest exit (reverse Dijkstra)."""
    dist: dict[Hashable, float] = dict.fromkeys(exit_set, 0.0)
    tie = itertools.count()
    heap: list[tuple[float, int, Hashable]] = [(0.0, next(tie), x) for x in exit_set]
    while heap:
        d_u, _, u = heapq.heappop(heap)
        if d_u > dist[u]:
            continue
        for p in graph.predecessors(u):
            if p in exit_set:
                continue
            d_p = d_u + float(graph.edges[p, u]["transit_s"])
            if d_p < dist.get(p, math.inf):
                dist[p] = d_p
                heapq.heappush(heap, (d_p, next(tie), p))
    return dist


def _prepare(
    graph: nx.DiGraph,
    supply: Mapping[Any, int],
    exits: Collection[Hashable],
    release_s: Mapping[Any, Sequence[float]] | None,
) -> _Network:
    """Validate the inputs and convert the relevant part of the network to arrays."""
    exit_set = set(exits)
    if not exit_set:
        raise ValueError("exits: at least one exit node is required")
    for x in exit_set:
        if x not in graph:
            raise ValueError(f"exit {x!r} is not a node of the graph")
    _validate_arcs(graph)
    stores = {v: _store_of(graph, v) for v in graph.nodes}

    counts: dict[Hashable, int] = {}
    for node, raw in supply.items():
        if node not in graph:
            raise ValueError(f"supply[{node!r}]: node is not in the graph")
        n = _validated_count(node, raw)
        if n > stores[node]:
            raise ValueError(f"supply[{node!r}] = {n} exceeds the node's store {stores[node]:g}")
        counts[node] = n
    releases: dict[Hashable, FloatArray] = {}
    for node, times in (release_s or {}).items():
        if node not in counts:
            raise ValueError(f"release_s[{node!r}]: node has no supply entry")
        arr = np.asarray(list(times), dtype=np.float64)
        if arr.shape != (counts[node],):
            raise ValueError(
                f"release_s[{node!r}]: expected {counts[node]} release times "
                f"(one per person), got {arr.size}"
            )
        if arr.size and (not np.all(np.isfinite(arr)) or np.any(arr < 0)):
            raise ValueError(f"release_s[{node!r}]: release times must be finite and >= 0")
        releases[node] = arr

    dist = _dist_to_exits_s(graph, exit_set)
    sources = [v for v, n in counts.items() if n > 0 and v not in exit_set]
    for v in sources:
        if v not in dist:
            raise ValueError(f"supply[{v!r}] = {counts[v]} but node {v!r} has no path to an exit")

    exit_cap_ps = math.fsum(
        float(d["cap_ps"])
        for u, x, d in graph.edges(data=True)
        if x in exit_set and u not in exit_set
    )

    # Nodes reachable from a source without passing through an exit, able to reach one.
    relevant: list[Hashable] = []
    seen = set(sources)
    stack = list(sources)
    while stack:
        u = stack.pop()
        relevant.append(u)
        for w in graph.successors(u):
            if w not in seen and w not in exit_set and w in dist:
                seen.add(w)
                stack.append(w)
    index = {v: i for i, v in enumerate(relevant)}

    tails: list[int] = []
    heads: list[int] = []
    caps: list[float] = []
    reduced: list[float] = []
    for u in relevant:
        for w, data in graph.adj[u].items():
            if w == u or (w not in index and w not in exit_set):
                continue
            tails.append(index[u])
            heads.append(index.get(w, -1))
            caps.append(float(data["cap_ps"]))
            reduced.append(max(0.0, float(data["transit_s"]) + dist[w] - dist[u]))

    g_node: list[int] = []
    g_rel: list[float] = []
    g_cnt: list[int] = []
    for v in sources:
        if v in releases:
            uniq, cnt = np.unique(releases[v], return_counts=True)
            g_node.extend([index[v]] * uniq.size)
            g_rel.extend(uniq.tolist())
            g_cnt.extend(cnt.tolist())
        else:
            g_node.append(index[v])
            g_rel.append(0.0)
            g_cnt.append(counts[v])

    return _Network(
        n_nodes=len(relevant),
        dist_s=np.array([dist[v] for v in relevant], dtype=np.float64),
        store_persons=np.array([stores[v] for v in relevant], dtype=np.float64),
        arc_tail=np.array(tails, dtype=np.int64),
        arc_head=np.array(heads, dtype=np.int64),
        arc_cap_ps=np.array(caps, dtype=np.float64),
        arc_reduced_transit_s=np.array(reduced, dtype=np.float64),
        group_node=np.array(g_node, dtype=np.int64),
        group_release_s=np.array(g_rel, dtype=np.float64),
        group_count=np.array(g_cnt, dtype=np.int64),
        n_persons=int(sum(g_cnt)),
        exit_cap_ps=exit_cap_ps,
    )


def _earliest_exit_s(net: _Network) -> FloatArray:
    """Earliest possible exit arrival of each person group, seconds."""
    return net.group_release_s + net.dist_s[net.group_node]


def _exit_cut_bound_s(net: _Network) -> float:
    """max over k of (k / C + a_(k)) with a sorted in decreasing order."""
    if net.n_persons == 0:
        return 0.0
    a = _earliest_exit_s(net)
    order = np.argsort(-a, kind="stable")
    cum = np.cumsum(net.group_count[order]).astype(np.float64)
    return float(np.max(cum / net.exit_cap_ps + a[order]))


def cut_bound_s(
    graph: nx.DiGraph,
    supply: Mapping[Any, int],
    exits: Collection[Hashable],
    *,
    release_s: Mapping[Any, Sequence[float]] | None = None,
) -> float:
    """Closed-form exit-cut bound: total supply over exit capacity plus minimum transit.

    Parameters
    ----------
    graph, supply, exits, release_s
        As for :func:`quickest_evacuation_time_s` (validated the same way).

    Returns
    -------
    float
        ``N / C + min_p (release_p + d(node_p))`` seconds, where ``N`` is the number of
        persons not already at an exit, ``C`` the total ``cap_ps`` of the arcs entering
        the exits and ``d`` the shortest transit time to an exit; 0 when ``N == 0``.
        Always a lower bound on the quickest evacuation time and never above
        ``quickest_evacuation_time_s(...).t_s``.
    """
    net = _prepare(graph, supply, exits, release_s)
    if net.n_persons == 0:
        return 0.0
    return float(net.n_persons / net.exit_cap_ps + np.min(_earliest_exit_s(net)))


class _Discretisation:
    """Integer data of the time-expanded network at step ``coarsen * base_dt_s``.

    Leaf sources (a node whose persons all start together, with a single exit arc to a
    node ``c`` and no entering arc except one from ``c``, e.g. a shop off a corridor)
    are not expanded: their persons go from one vertex straight onto the copies of the
    leaving arc.  Waiting in the leaf is unlimited for its own persons (store >= supply
    anyway) and the round trip ``c -> leaf -> c``, useful only as storage, is replaced
    by extra holdover capacity at ``c`` (the leaf's holdover plus what fits on the two
    arcs), so the reduction is a relaxation.
    """

    def __init__(self, net: _Network, base_dt_s: float, coarsen: int, units: int) -> None:
        self.net = net
        self.coarsen = coarsen
        self.units = units
        self.total_units = net.n_persons * units
        big = self.total_units
        m = coarsen

        fine_sigma = np.floor(_snap(net.arc_reduced_transit_s / base_dt_s)).astype(np.int64)
        frac_s = np.maximum(0.0, net.arc_reduced_transit_s - fine_sigma * base_dt_s)
        self.arc_sigma = fine_sigma // m
        rho = fine_sigma % m
        cap = net.arc_cap_ps
        finite = np.isfinite(cap)
        safe_cap = np.where(finite, cap, 0.0)
        fine_cap = np.ceil(_snap(safe_cap * base_dt_s * units))
        fine_cap = np.where(finite, np.minimum(fine_cap, big), big).astype(np.int64)
        self.arc_cap_units = np.minimum(fine_cap * m, big)

        early = np.ceil(_snap(safe_cap * frac_s * units))
        early = np.where(finite | (frac_s == 0.0), np.minimum(early, big), big).astype(np.int64)
        early = np.minimum(early + rho * fine_cap, big)
        into_node = net.arc_head >= 0
        extra = np.zeros(net.n_nodes, dtype=np.int64)
        np.add.at(extra, net.arc_head[into_node], early[into_node])
        store = net.store_persons
        bounded = np.isfinite(store)
        store_units = np.ceil(_snap(np.where(bounded, store, 0.0) * units))
        hold = np.where(bounded, np.minimum(store_units + extra, big), big).astype(np.int64)

        fine_release = np.floor(_snap(_earliest_exit_s(net) / base_dt_s)).astype(np.int64)
        self.group_step = fine_release // m
        self.group_units = net.group_count * units

        self._find_leaves()
        for leaf, out_arc, in_arc in zip(
            self.leaf_node.tolist(), self.leaf_arc.tolist(), self.leaf_in_arc.tolist(), strict=True
        ):
            if in_arc >= 0:  # round trips through the leaf become holdover at its neighbour
                c = int(net.arc_head[out_arc])
                boost = int(hold[leaf]) + sum(
                    int(self.arc_sigma[a]) * int(self.arc_cap_units[a]) for a in (out_arc, in_arc)
                )
                hold[c] = min(big, int(hold[c]) + boost)
        self.hold_units = hold
        self.earliest_step = self._earliest_steps()

    def _find_leaves(self) -> None:
        """Mark leaf sources (see the class docstring) and the arcs that stay expanded."""
        net = self.net
        n = net.n_nodes
        out_arcs: list[list[int]] = [[] for _ in range(n)]
        in_arcs: list[list[int]] = [[] for _ in range(n)]
        for a, (t, h) in enumerate(zip(net.arc_tail.tolist(), net.arc_head.tolist(), strict=True)):
            out_arcs[t].append(a)
            if h >= 0:
                in_arcs[h].append(a)
        groups = np.bincount(net.group_node, minlength=n)
        leaf_node: list[int] = []
        leaf_arc: list[int] = []
        leaf_in_arc: list[int] = []
        for v in range(n):
            if groups[v] != 1 or len(out_arcs[v]) != 1 or len(in_arcs[v]) > 1:
                continue
            out_arc = out_arcs[v][0]
            c = int(net.arc_head[out_arc])
            if in_arcs[v] and int(net.arc_tail[in_arcs[v][0]]) != c:
                continue
            leaf_node.append(v)
            leaf_arc.append(out_arc)
            leaf_in_arc.append(in_arcs[v][0] if in_arcs[v] else -1)
        self.leaf_node = np.array(leaf_node, dtype=np.int64)
        self.leaf_arc = np.array(leaf_arc, dtype=np.int64)
        self.leaf_in_arc = np.array(leaf_in_arc, dtype=np.int64)
        is_leaf = np.zeros(n, dtype=bool)
        is_leaf[self.leaf_node] = True
        self.is_leaf = is_leaf
        head_leaf = np.where(net.arc_head >= 0, is_leaf[np.maximum(net.arc_head, 0)], False)
        self.move_arcs = np.flatnonzero(~is_leaf[net.arc_tail] & ~head_leaf)
        group_of = np.full(n, -1, dtype=np.int64)
        group_of[net.group_node] = np.arange(net.group_node.size)
        self.leaf_group = group_of[self.leaf_node]

    def _earliest_steps(self) -> IntArray:
        """Earliest step at which flow can be present at each expanded node (Dijkstra)."""
        net = self.net
        never = np.iinfo(np.int64).max
        earliest = np.full(net.n_nodes, never, dtype=np.int64)
        plain = ~self.is_leaf[net.group_node]
        np.minimum.at(earliest, net.group_node[plain], self.group_step[plain])
        leaf_head = net.arc_head[self.leaf_arc]
        into = leaf_head >= 0
        np.minimum.at(
            earliest,
            leaf_head[into],
            (self.group_step[self.leaf_group] + self.arc_sigma[self.leaf_arc])[into],
        )
        adj: list[list[tuple[int, int]]] = [[] for _ in range(net.n_nodes)]
        for a in self.move_arcs.tolist():
            h = int(net.arc_head[a])
            if h >= 0:
                adj[int(net.arc_tail[a])].append((h, int(self.arc_sigma[a])))
        best = earliest.tolist()
        heap = [(k, i) for i, k in enumerate(best) if k < never]
        heapq.heapify(heap)
        while heap:
            k, u = heapq.heappop(heap)
            if k > best[u]:
                continue
            for w, s in adj[u]:
                if k + s < best[w]:
                    best[w] = k + s
                    heapq.heappush(heap, (k + s, w))
        return np.array(best, dtype=np.int64)

    @property
    def last_release_step(self) -> int:
        return int(self.group_step.max())

    def n_arcs(self, horizon: int) -> int:
        """Number of arcs of the time-expanded network with the given horizon."""
        e = self.earliest_step
        arcs = self.move_arcs
        moves = np.maximum(0, horizon - self.arc_sigma[arcs] - e[self.net.arc_tail[arcs]] + 1)
        holdovers = np.maximum(0, horizon - e)
        leaf_start = self.group_step[self.leaf_group]
        leaves = np.maximum(0, horizon - self.arc_sigma[self.leaf_arc] - leaf_start + 1)
        return int(moves.sum() + holdovers.sum() + leaves.sum() + self.group_step.size)

    def max_horizon(self, max_arcs: int, cap: int) -> int:
        """Largest horizon <= cap whose network has at most max_arcs arcs (-1 if none)."""
        lo = self.last_release_step
        if self.n_arcs(lo) > max_arcs:
            return -1
        hi = lo + 1
        while hi <= cap and self.n_arcs(hi) <= max_arcs:
            lo, hi = hi, 2 * hi
        hi = min(hi, cap + 1)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.n_arcs(mid) <= max_arcs:
                lo = mid
            else:
                hi = mid
        return min(lo, cap)

    def expand(self, horizon: int) -> _Expanded:
        """Build the time-expanded network with node copies ``earliest .. horizon``."""
        net = self.net
        e = self.earliest_step
        copies = np.maximum(0, horizon - e + 1)
        base = np.concatenate(([0], np.cumsum(copies)[:-1])).astype(np.int64)
        n_copy = int(copies.sum())
        n_leaf = self.leaf_node.size
        leaf_vertex = n_copy + np.arange(n_leaf, dtype=np.int64)
        source, sink = n_copy + n_leaf, n_copy + n_leaf + 1

        def ranges(start: IntArray, count: IntArray) -> tuple[IntArray, IntArray]:
            """Owner index and value of every element of the ranges start + [0, count)."""
            count = np.maximum(count, 0)
            owner = np.repeat(np.arange(count.size, dtype=np.int64), count)
            first = np.concatenate(([0], np.cumsum(count)[:-1])).astype(np.int64)
            offset = np.arange(int(count.sum()), dtype=np.int64) - first[owner]
            return owner, start[owner] + offset

        def vertex(node: IntArray, step: IntArray) -> IntArray:
            return base[node] + step - e[node]

        def head_vertex(arcs: IntArray, step: IntArray) -> IntArray:
            head = net.arc_head[arcs]
            return np.where(head < 0, sink, vertex(np.maximum(head, 0), step))

        # Movement arcs between expanded nodes (and into exits).
        move = self.move_arcs
        m_tail_node = net.arc_tail[move]
        m_own, m_step = ranges(e[m_tail_node], horizon - self.arc_sigma[move] - e[m_tail_node] + 1)
        m_arc = move[m_own]
        m_head_step = m_step + self.arc_sigma[m_arc]
        m_tail = vertex(net.arc_tail[m_arc], m_step)
        m_head = head_vertex(m_arc, m_head_step)
        # Leaf sources: one vertex each, onto every copy of the leaving arc.
        leaf_start = self.group_step[self.leaf_group]
        l_own, l_step = ranges(leaf_start, horizon - self.arc_sigma[self.leaf_arc] - leaf_start + 1)
        l_arc = self.leaf_arc[l_own]
        l_head_step = l_step + self.arc_sigma[l_arc]
        l_head = head_vertex(l_arc, l_head_step)
        # Holdover arcs.
        nodes = np.arange(net.n_nodes, dtype=np.int64)
        w_idx, w_step = ranges(e, horizon - e)
        w_tail = vertex(nodes[w_idx], w_step)
        # Supply arcs (to the node copy at the release step, or to the leaf vertex).
        s_ok = self.group_step <= horizon
        s_node = net.group_node[s_ok]
        s_step = self.group_step[s_ok]
        leaf_rank = np.full(net.n_nodes, -1, dtype=np.int64)
        leaf_rank[self.leaf_node] = np.arange(n_leaf)
        s_leaf = self.is_leaf[s_node]
        s_head = np.where(
            s_leaf,
            leaf_vertex[np.maximum(leaf_rank[s_node], 0)] if n_leaf else 0,
            vertex(s_node, s_step),
        )

        return _Expanded(
            n_vertices=n_copy + n_leaf + 2,
            source=source,
            sink=sink,
            tail=np.concatenate(
                (m_tail, leaf_vertex[l_own], w_tail, np.full(s_head.size, source, dtype=np.int64))
            ),
            head=np.concatenate((m_head, l_head, w_tail + 1, s_head)),
            cap_units=np.concatenate(
                (
                    self.arc_cap_units[m_arc],
                    self.arc_cap_units[l_arc],
                    self.hold_units[w_idx],
                    self.group_units[s_ok],
                )
            ),
            head_step=np.concatenate((m_head_step, l_head_step, w_step + 1, s_step)),
            total_units=self.total_units,
            last_release_step=self.last_release_step,
            exit_units_per_step=int(self.arc_cap_units[net.arc_head < 0].sum()),
            horizon=horizon,
        )


def _max_flow_scipy(
    n: int, tail: IntArray, head: IntArray, cap: IntArray, source: int, sink: int
) -> int:
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_flow

    matrix = csr_array(
        (cap.astype(np.int64), (tail.astype(np.int32), head.astype(np.int32))), shape=(n, n)
    )
    matrix.sum_duplicates()  # parallel copies (e.g. several exits) are summed in int64
    matrix.data = np.minimum(matrix.data, _INT_LIMIT).astype(np.int32)
    return int(maximum_flow(matrix, source, sink).flow_value)


def _max_flow_networkx(
    n: int, tail: IntArray, head: IntArray, cap: IntArray, source: int, sink: int
) -> int:
    del n
    from networkx.algorithms.flow import preflow_push

    h = nx.DiGraph()
    for t, w, c in zip(tail.tolist(), head.tolist(), cap.tolist(), strict=True):
        if h.has_edge(t, w):
            h.edges[t, w]["capacity"] += c
        else:
            h.add_edge(t, w, capacity=c)
    if source not in h or sink not in h:
        return 0
    return int(nx.maximum_flow_value(h, source, sink, flow_func=preflow_push))


MaxFlowFn = Callable[[int, IntArray, IntArray, IntArray, int, int], int]


def _default_max_flow() -> MaxFlowFn:
    try:
        import scipy.sparse.csgraph  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        return _max_flow_networkx
    return _max_flow_scipy


def _flow_value(ten: _Expanded, horizon: int, max_flow: MaxFlowFn) -> int:
    """Flow units that can reach an exit by step ``horizon`` (persons released later wait)."""
    if horizon < 0:
        return 0
    if horizon > ten.horizon:
        raise AssertionError("horizon beyond the expanded network")
    keep = ten.head_step <= horizon
    return max_flow(
        ten.n_vertices, ten.tail[keep], ten.head[keep], ten.cap_units[keep], ten.source, ten.sink
    )


@dataclass(frozen=True)
class _Search:
    """Outcome of :func:`_search_horizon`.

    ``k_star`` is the smallest feasible horizon when it is ``>= lo`` (None otherwise);
    ``bad`` the horizon just below it, or ``last`` when even ``last`` is infeasible
    (None when ``k_star < lo``); ``bad_units`` the max-flow value at ``bad``.
    """

    k_star: int | None
    bad: int | None
    bad_units: int


class _OutOfTime(Exception):
    """The wall-time budget of one bound computation ran out."""


def _search_horizon(ten: _Expanded, lo: int, last: int, max_flow: MaxFlowFn,
                    deadline: float = math.inf) -> _Search:
    """Smallest feasible horizon, if it is in ``[lo, last]``.

    ``lo`` and then ``lo - 1`` are tried first (the cheap bound is often tight).  Above
    ``lo`` horizons are probed upwards, each jump guessed from the shortfall of the
    last max-flow divided by a flow rate per step (the exit capacity first, then the
    secant through the last two probes); a feasible probe is then refined by bisection
    against the last infeasible one.  The guesses only affect speed, never the result.
    """
    values: dict[int, int] = {}

    def flow(k: int) -> int:
        if k not in values:
            if time.perf_counter() > deadline:
                raise _OutOfTime
            values[k] = _flow_value(ten, k, max_flow)
        return values[k]

    def feasible(k: int) -> bool:
        return k >= ten.last_release_step and flow(k) >= ten.total_units

    if feasible(lo):
        if lo == 0 or not feasible(lo - 1):
            return _Search(k_star=lo, bad=lo - 1, bad_units=flow(lo - 1))
        return _Search(k_star=None, bad=None, bad_units=0)
    bad = max(lo, ten.last_release_step - 1)
    rate = float(max(ten.exit_units_per_step, 1))  # flow gained per extra step, guessed
    previous = (lo, values[lo]) if lo in values else None
    jump = 1 if previous is None else math.ceil((ten.total_units - previous[1]) / rate)
    k = last + 1 if bad >= last else min(last, bad + max(1, jump))
    good: int | None = None
    while k <= last:
        value = flow(k)
        if value >= ten.total_units:
            good = k
            break
        bad = k
        if previous is not None and value > previous[1]:
            rate = (value - previous[1]) / (k - previous[0])  # secant
        previous = (k, value)
        jump = max(1, math.ceil((ten.total_units - value) / rate))
        k = last + 1 if k == last else min(last, k + jump)
    while good is not None and good - bad > 1:
        mid = (bad + good) // 2
        if feasible(mid):
            good = mid
        else:
            bad = mid
    bad = min(bad, last)
    return _Search(k_star=good, bad=bad, bad_units=flow(bad))


def _static_throughput_ps(net: _Network, units: int, max_flow: MaxFlowFn) -> float:
    """Static max flow from the sources to the exits (persons/s), ignoring transit."""
    big = net.n_persons * units
    n = net.n_nodes
    source, sink = n, n + 1
    finite = np.isfinite(net.arc_cap_ps)
    cap = np.where(finite, np.ceil(np.where(finite, net.arc_cap_ps, 0.0) * units), big)
    cap = np.minimum(cap, big).astype(np.int64)
    head = np.where(net.arc_head < 0, sink, net.arc_head)
    src_nodes = np.unique(net.group_node)
    value = max_flow(
        n + 2,
        np.concatenate((net.arc_tail, np.full(src_nodes.size, source, dtype=np.int64))),
        np.concatenate((head, src_nodes)),
        np.concatenate((cap, np.full(src_nodes.size, big, dtype=np.int64))),
        source,
        sink,
    )
    return max(value, 1) / units


def quickest_evacuation_time_s(
    graph: nx.DiGraph,
    supply: Mapping[Any, int],
    exits: Collection[Hashable],
    *,
    release_s: Mapping[Any, Sequence[float]] | None = None,
    max_arcs: int = 400_000,
    dt_s: float = 1.0,
    max_flow: MaxFlowFn | None = None,
    time_budget_s: float = 10.0,
) -> LowerBound:
    """Lower bound on the time any feasible evacuation needs to bring everyone out.

    Parameters
    ----------
    graph : networkx.DiGraph
        Nodes are cells and exits; optional node attribute ``store`` (max persons
        present at once; absent or None = unbounded).  Arcs carry ``cap_ps``
        (persons/s, > 0, may be inf) and ``transit_s`` (minimum traversal time, >= 0).
        A two-way passage is two arcs; their capacities are not shared (a relaxation).
    supply : Mapping
        Persons initially at each node (whole numbers >= 0, at most the node's store).
        Persons at an exit node count as already evacuated.
    exits : Collection
        Sink nodes.
    release_s : Mapping, optional
        Per-node release (pre-movement) times in seconds, one per person
        (``len == supply[node]``); a person may not move before release.  Nodes not
        listed release everyone at 0 s.
    max_arcs : int, default 400_000
        Size budget of the time-expanded network; the step is coarsened to fit.
    dt_s : float, default 1.0
        Requested (finest) time step in seconds.
    max_flow : callable, optional
        Max-flow solver ``(n, tail, head, cap, source, sink) -> value`` on integer
        capacities; defaults to scipy's Dinic (networkx preflow-push if scipy is absent).

    Returns
    -------
    LowerBound
        ``t_s`` never exceeds the quickest continuous (fluid) evacuation time.

    Raises
    ------
    ValueError
        On invalid input (one line naming the node or arc and the field): negative or
        fractional supply, supply above the store, ``cap_ps <= 0``, ``transit_s < 0``,
        an exit not in the graph, a supplied node with no path to an exit, release
        lists of the wrong length.
    """
    if not (math.isfinite(dt_s) and dt_s > 0):
        raise ValueError(f"dt_s must be finite and > 0, got {dt_s!r}")
    if max_arcs < 1:
        raise ValueError(f"max_arcs must be >= 1, got {max_arcs!r}")
    net = _prepare(graph, supply, exits, release_s)
    if net.n_persons == 0:
        return LowerBound(t_s=0.0, dt_s=dt_s, exact=True, method="trivial")
    if net.n_persons > _INT_LIMIT:
        raise ValueError(f"supply: total of {net.n_persons} persons is too large")
    solve = max_flow or _default_max_flow()
    units = max(1, min(_UNITS_PER_PERSON_MAX, _INT_LIMIT // net.n_persons))

    deadline = time.perf_counter() + time_budget_s
    best_s = _exit_cut_bound_s(net)
    method = "cut"
    estimate_s = max(best_s, net.n_persons / _static_throughput_ps(net, units, solve))
    target_s = _HORIZON_MARGIN * estimate_s + 2 * dt_s
    coarsen = 1
    for _ in range(_MAX_ATTEMPTS):
        disc = _Discretisation(net, dt_s, coarsen, units)
        step_s = coarsen * dt_s
        needed = max(disc.last_release_step, math.ceil(target_s / step_s), 1)
        fits = disc.max_horizon(max_arcs, needed)
        if fits < needed:
            if needed <= 1:
                break  # not even one step of the network fits the budget
            growth = disc.n_arcs(needed) / max_arcs
            coarsen = max(coarsen + 1, math.ceil(coarsen * growth))
            continue
        tag = "time_expanded" if coarsen == 1 else "time_expanded_coarse"
        ten = disc.expand(needed)
        lo = min(math.floor(_snap_scalar(best_s / step_s)), needed)
        try:
            found = _search_horizon(ten, lo, needed, solve, deadline)
        except _OutOfTime:
            # the budget ran out: the best bound so far (the cut bound at least) is valid
            return LowerBound(t_s=best_s, dt_s=step_s, exact=False, method=method)
        if found.bad is not None:
            # Everyone out needs more than `bad` steps, and what the network could not
            # deliver by then still has to pass the exits: T* >= (bad + 1) step + rest / C
            # (the rest term is capped at one requested step to keep the bound monotone).
            rest_persons = (ten.total_units - found.bad_units) / units
            refined_s = (found.bad + 1) * step_s + min(dt_s, rest_persons / net.exit_cap_ps)
            if refined_s > best_s:
                best_s, method = refined_s, tag
        if found.k_star is None and found.bad is not None:
            target_s = _HORIZON_GROWTH * needed * step_s  # horizon too short: look further
            continue
        return LowerBound(t_s=best_s, dt_s=step_s, exact=coarsen == 1, method=method)
    return LowerBound(t_s=best_s, dt_s=coarsen * dt_s, exact=False, method=method)
