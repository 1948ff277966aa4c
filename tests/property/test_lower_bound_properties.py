"""Property tests of the quickest-evacuation lower bound on small random networks.

The reference upper bound is a greedy *feasible* evacuation simulated here in 1 s rounds
of fluid: in each round at most ``cap_ps`` persons enter an arc (spread evenly over the
second), they are fully at the head ``transit_s + 1`` seconds after the round starts,
and a node's store is reserved from the moment flow is sent towards it until the round
after it has left.  Flow only moves to nodes of lower rank (distance to the exits, then
hops), so nothing deadlocks.  Every such schedule is a feasible evacuation, hence the
lower bound may never exceed its finishing time.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.lower_bound import cut_bound_s, quickest_evacuation_time_s

CAPS_PS = (0.5, 1.0, 1.5, 2.0, 3.0, 1 / 3, 0.91)
TRANSITS_S = (0.0, 0.5, 1.0, 2.0, 2.5, 4.0, 6.0)
TOL = 1e-9


@dataclass
class Case:
    graph: nx.DiGraph
    supply: dict[int, int]
    exits: list[int]
    release_s: dict[int, list[float]] | None


@st.composite
def cases(draw: st.DrawFn, with_release: bool | None = None) -> Case:
    n = draw(st.integers(2, 8))
    n_exits = draw(st.integers(1, min(2, n - 1)))
    exits = list(range(n - n_exits, n))
    g = nx.DiGraph()
    for v in range(n):
        store = draw(st.one_of(st.none(), st.integers(10, 30)))
        if store is None:
            g.add_node(v)
        else:
            g.add_node(v, store=store)
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=3 * n, unique=True))
    for u, v in chosen:
        cap_ps = draw(st.sampled_from(CAPS_PS))
        g.add_edge(u, v, cap_ps=cap_ps, transit_s=draw(st.sampled_from(TRANSITS_S)))
    if not any(nx.has_path(g, 0, x) for x in exits):
        g.add_edge(0, exits[0], cap_ps=draw(st.sampled_from(CAPS_PS)), transit_s=1.0)
    reach = set(exits)
    for x in exits:
        reach |= nx.ancestors(g, x)
    # "Shops": two-way leaves hanging off a reachable node (exercises the leaf reduction).
    anchors = sorted(reach)
    for shop in range(n, n + draw(st.integers(0, min(2, 8 - n)))):
        c = draw(st.sampled_from(anchors))
        store = draw(st.one_of(st.none(), st.integers(10, 30)))
        g.add_node(shop, **({} if store is None else {"store": store}))
        cap_ps, transit_s = draw(st.sampled_from(CAPS_PS)), draw(st.sampled_from(TRANSITS_S))
        g.add_edge(shop, c, cap_ps=cap_ps, transit_s=transit_s)
        if c not in exits:
            g.add_edge(c, shop, cap_ps=cap_ps, transit_s=transit_s)
        reach.add(shop)
    supply = {
        v: (draw(st.integers(0, 5)) if v in reach and v not in exits else 0)
        for v in sorted(g.nodes)
    }
    if sum(supply.values()) == 0:
        supply[0] = 1
    use_release = draw(st.booleans()) if with_release is None else with_release
    release = None
    if use_release:
        release = {
            v: draw(st.lists(st.sampled_from((0.0, 1.0, 2.5, 4.0, 8.0)), min_size=k, max_size=k))
            for v, k in supply.items()
            if k > 0
        }
    return Case(g, supply, exits, release)


def greedy_evacuation_s(
    g: nx.DiGraph,
    supply: Mapping[int, int],
    exits: Sequence[int],
    release_s: Mapping[int, Sequence[float]] | None,
) -> float:
    """Finishing time of a feasible (not optimal) fluid evacuation."""
    exit_set = set(exits)
    rev = nx.DiGraph()
    rev.add_nodes_from(g.nodes)
    for u, v, d in g.edges(data=True):
        if u not in exit_set:
            rev.add_edge(v, u, transit_s=d["transit_s"])
    dist = nx.multi_source_dijkstra_path_length(rev, exit_set, weight="transit_s")
    hops: dict[Hashable, int] = dict.fromkeys(exit_set, 0)
    frontier = list(exit_set)
    while frontier:  # hops along tight (shortest-route) arcs
        nxt = []
        for v in frontier:
            for u in rev.successors(v):
                if u not in hops and math.isclose(dist[u], dist[v] + g.edges[u, v]["transit_s"]):
                    hops[u] = hops[v] + 1
                    nxt.append(u)
        frontier = nxt
    rank = {v: (dist[v], hops[v]) for v in hops}
    moves = {
        u: sorted(
            (w for w in g.successors(u) if w in rank and rank[w] < rank[u]),
            key=lambda w: (g.edges[u, w]["transit_s"] + dist[w], rank[w]),
        )
        for u in rank
        if u not in exit_set
    }
    store = {v: g.nodes[v].get("store", math.inf) for v in g.nodes}
    committed: dict[Hashable, float] = defaultdict(float)
    avail: dict[Hashable, float] = defaultdict(float)
    pending: list[tuple[float, Hashable, float]] = []  # (ready step, node, amount)
    left = 0.0
    for v, n in supply.items():
        if n == 0 or v in exit_set:
            continue
        committed[v] += n
        left += n
        times = list(release_s[v]) if release_s and v in release_s else [0.0] * n
        for r in times:
            pending.append((math.ceil(r), v, 1.0))
    finish = 0.0
    t = 0
    while left > TOL:
        assert t < 100_000, "greedy schedule did not finish"
        still = []
        for ready, v, amount in pending:
            if ready <= t:
                avail[v] += amount
            else:
                still.append((ready, v, amount))
        pending = still
        leaving: dict[Hashable, float] = defaultdict(float)
        for u in sorted(moves, key=lambda v: rank[v]):
            for w in moves[u]:
                if avail[u] <= TOL:
                    break
                room = math.inf if w in exit_set else store[w] - committed[w]
                a = min(avail[u], g.edges[u, w]["cap_ps"], room)
                if a <= TOL:
                    continue
                tau = g.edges[u, w]["transit_s"]
                avail[u] -= a
                leaving[u] += a
                if w in exit_set:
                    left -= a
                    finish = max(finish, t + tau + 1.0)
                else:
                    committed[w] += a
                    pending.append((math.ceil(t + tau + 1.0), w, a))
        for u, a in leaving.items():
            committed[u] -= a
        t += 1
    return finish


def upper_ten_s(
    g: nx.DiGraph,
    supply: Mapping[int, int],
    exits: Sequence[int],
    release_s: Mapping[int, Sequence[float]] | None,
    step_s: float = 0.05,
    units: int = 1000,
) -> float:
    """Upper bound from a time-expanded network rounded the *safe* way (no stores).

    Flow sent in step ``k`` enters the arc during ``[k h, (k + 1) h)`` at rate at most
    ``cap_ps`` (capacity floored), is fully at the head by ``(k + 1) h + transit_s`` and
    may move on at step ``k + 1 + ceil(transit_s / h)``; persons start at step
    ``ceil(release / h)``.  Every such flow is a feasible evacuation of a network
    without stores, so its quickest horizon ``K h`` is an upper bound on T*, within
    about ``h`` per arc of it.
    """
    csr_array = pytest.importorskip("scipy.sparse").csr_array
    maximum_flow = pytest.importorskip("scipy.sparse.csgraph").maximum_flow
    exit_set = set(exits)
    nodes = sorted(g.nodes)
    idx = {v: i for i, v in enumerate(nodes)}
    starts: dict[tuple[int, int], int] = defaultdict(int)
    for v, n in supply.items():
        if n == 0 or v in exit_set:
            continue
        times = list(release_s[v]) if release_s and v in release_s else [0.0] * n
        for r in times:
            starts[idx[v], math.ceil(r / step_s - 1e-9)] += units
    total = sum(starts.values())
    if total == 0:
        return 0.0
    arc_list = [
        (
            idx[u],
            -1 if v in exit_set else idx[v],
            1 + math.ceil(d["transit_s"] / step_s - 1e-9),
            math.floor(d["cap_ps"] * step_s * units + 1e-9),
        )
        for u, v, d in g.edges(data=True)
        if u not in exit_set
    ]
    a_tail, a_head, a_sigma, a_cap = (
        np.array(col, dtype=np.int64) for col in zip(*arc_list, strict=True)
    )
    s_node = np.array([i for i, _ in starts], dtype=np.int64)
    s_step = np.array([k for _, k in starts], dtype=np.int64)
    s_units = np.array(list(starts.values()), dtype=np.int64)
    n_nodes = len(nodes)

    def feasible(horizon: int) -> bool:
        if s_step.max() > horizon:
            return False
        layers = horizon + 1
        src, snk = n_nodes * layers, n_nodes * layers + 1
        k = np.arange(layers, dtype=np.int64)
        hold_t = (np.arange(n_nodes)[:, None] * layers + k[None, :-1]).ravel()
        tails, heads, caps = (
            [np.full(s_node.size, src), hold_t],
            [s_node * layers + s_step, hold_t + 1],
            [s_units, np.full(hold_t.size, total)],
        )
        for i, j, sigma, cap in zip(a_tail, a_head, a_sigma, a_cap, strict=True):
            ks = k[: max(0, layers - sigma)]
            tails.append(i * layers + ks)
            heads.append(np.full(ks.size, snk) if j < 0 else j * layers + ks + sigma)
            caps.append(np.full(ks.size, cap))
        m = csr_array(
            (np.concatenate(caps), (np.concatenate(tails), np.concatenate(heads))),
            shape=(snk + 1, snk + 1),
        )
        m.sum_duplicates()
        m.data = np.minimum(m.data, total).astype(np.int32)
        return bool(maximum_flow(m, src, snk).flow_value >= total)

    lo, hi = -1, 64
    while not feasible(hi):
        lo, hi = hi, 2 * hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if feasible(mid):
            hi = mid
        else:
            lo = mid
    return hi * step_s


def bound(case: Case, **kwargs: object) -> float:
    return quickest_evacuation_time_s(
        case.graph,
        case.supply,
        case.exits,
        release_s=case.release_s,
        **kwargs,  # type: ignore[arg-type]
    ).t_s


STEPS_S = st.sampled_from((1.0, 0.5, 2.0, 5.0))


@settings(max_examples=150, deadline=None)
@given(cases(), STEPS_S)
def test_bound_never_above_a_feasible_evacuation(case: Case, dt_s: float) -> None:
    lower = bound(case, dt_s=dt_s)
    upper = greedy_evacuation_s(case.graph, case.supply, case.exits, case.release_s)
    assert lower <= upper + TOL
    assert cut_bound_s(case.graph, case.supply, case.exits) <= lower + TOL


@settings(max_examples=100, deadline=None)
@given(cases(), STEPS_S)
def test_bound_never_above_a_near_optimal_evacuation(case: Case, dt_s: float) -> None:
    for v in case.graph.nodes:
        case.graph.nodes[v].pop("store", None)
    lower = bound(case, dt_s=dt_s)
    upper = upper_ten_s(case.graph, case.supply, case.exits, case.release_s)
    assert lower <= upper + TOL


@settings(max_examples=120, deadline=None)
@given(cases(), st.data())
def test_more_capacity_never_raises_the_bound(case: Case, data: st.DataObject) -> None:
    before = bound(case)
    u, v = data.draw(st.sampled_from(sorted(case.graph.edges)))
    case.graph.edges[u, v]["cap_ps"] += data.draw(st.sampled_from((0.5, 1.0, 4.0)))
    assert bound(case) <= before + TOL


@settings(max_examples=120, deadline=None)
@given(cases(with_release=False), st.data())
def test_more_supply_never_lowers_the_bound(case: Case, data: st.DataObject) -> None:
    before = bound(case)
    reach = set(case.exits)
    for x in case.exits:
        reach |= nx.ancestors(case.graph, x)
    v = data.draw(st.sampled_from(sorted(reach)))
    case.supply[v] += data.draw(st.integers(1, 5))
    assert bound(case) >= before - TOL


@settings(max_examples=120, deadline=None)
@given(cases(with_release=True), st.data())
def test_later_release_never_lowers_the_bound(case: Case, data: st.DataObject) -> None:
    before = bound(case)
    assert case.release_s is not None
    v = data.draw(st.sampled_from(sorted(case.release_s)))
    delay = data.draw(st.sampled_from((0.5, 1.0, 3.0, 20.0)))
    case.release_s[v] = [r + delay for r in case.release_s[v]]
    assert bound(case) >= before - TOL


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(8, 300))
def test_coarse_mode_never_above_fine_mode(case: Case, max_arcs: int) -> None:
    fine = quickest_evacuation_time_s(case.graph, case.supply, case.exits, release_s=case.release_s)
    coarse = quickest_evacuation_time_s(
        case.graph, case.supply, case.exits, release_s=case.release_s, max_arcs=max_arcs
    )
    assert coarse.t_s <= fine.t_s + TOL
    if coarse.exact:
        assert coarse.t_s == fine.t_s


def parallel_routes_optimum_s(routes: Sequence[tuple[float, float]], n_persons: int) -> float:
    """Fluid optimum of disjoint routes (cap_ps, transit_s) from one source.

    Route ``i`` can deliver ``c_i (T - tau_i)`` persons by ``T``, so T* solves
    ``sum_i c_i max(0, T - tau_i) = N`` (piecewise linear; solved exactly).
    """
    ordered = sorted(routes, key=lambda r: r[1])
    cap_sum = weighted = 0.0
    for i, (cap_ps, transit_s) in enumerate(ordered):
        cap_sum += cap_ps
        weighted += cap_ps * transit_s
        t_s = (n_persons + weighted) / cap_sum
        if i + 1 == len(ordered) or t_s <= ordered[i + 1][1]:
            return t_s
    raise AssertionError("unreachable")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from((0.5, 1.0, 1.3, 2.0, 3.0, 10.0)),
            st.sampled_from((0.0, 0.5, 1.7, 3.5, 10.0, 12.7, 29.5)),
            st.sampled_from((0.0, 0.3, 0.5, 1.0)),
        ),
        min_size=1,
        max_size=3,
    ),
    st.integers(1, 300),
    STEPS_S,
)
def test_parallel_routes_between_optimum_and_three_steps_below(
    routes: list[tuple[float, float, float]], n_persons: int, dt_s: float
) -> None:
    """Exact T* known by hand: the bound is valid and loses at most three steps.

    Loss budget: release step, one rounded detour arc per route and the final step each
    lose less than one step (capacities here are whole units per step, no rounding).
    """
    g = nx.DiGraph()
    exits = []
    for i, (cap_ps, transit_s, split) in enumerate(routes):
        g.add_edge("s", ("m", i), cap_ps=cap_ps, transit_s=transit_s * split)
        g.add_edge(("m", i), ("x", i), cap_ps=cap_ps, transit_s=transit_s * (1 - split))
        exits.append(("x", i))
    optimum_s = parallel_routes_optimum_s([(c, t) for c, t, _ in routes], n_persons)
    res = quickest_evacuation_time_s(g, {"s": n_persons}, exits, dt_s=dt_s)
    assert res.t_s <= optimum_s + TOL
    assert res.t_s >= optimum_s - 3 * dt_s - TOL
