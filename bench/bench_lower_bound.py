"""Benchmark of :mod:`sim.engine.lower_bound` on a synthetic three-floor mall network.

Run ``.venv/bin/python bench/bench_lower_bound.py``.  Prints the network size, the
closed-form cut bound and, for several ``max_arcs`` budgets, wall time and bound.
``--solvers`` additionally times one max-flow with scipy (Dinic) against networkx
(preflow-push, shortest augmenting path) on a smaller time-expanded network.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Hashable
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.engine import lower_bound as lb

FLOORS = 3
ROWS, COLS = 12, 20  # corridor grid per floor, 5 m cells
SHOPS_PER_FLOOR = 420
CELL_M = 5.0
WALK_MPS = 1.2
CORRIDOR_CAP_PS = 6.5  # 5 m wide x 1.3 p/s/m
CORRIDOR_STORE = 100  # 25 m2 x 4 p/m2
SHOP_DOOR_CAP_PS = 1.3
SHOP_TRANSIT_S = 8.0
STAIR_CAP_PS = 3.0
STAIR_TRANSIT_S = 20.0
STAIR_STORE = 60
EXIT_CAP_PS = 5.2  # 4 m door
EXITS_PER_FLOOR = (8, 2, 2)
STAIRS_PER_GAP = 6
PERSONS = 30_000


def _arc(g: nx.DiGraph, u: Hashable, v: Hashable, cap_ps: float, transit_s: float) -> None:
    g.add_edge(u, v, cap_ps=cap_ps, transit_s=transit_s)
    g.add_edge(v, u, cap_ps=cap_ps, transit_s=transit_s)


def build_mall(seed: int = 0) -> tuple[nx.DiGraph, dict[Hashable, int], list[Hashable]]:
    """Synthetic mall: corridor grids with shops, floors joined by stairs, 12 exits."""
    rng = np.random.default_rng(seed)
    g = nx.DiGraph()
    corridor_s = CELL_M / WALK_MPS
    shops: list[Hashable] = []
    for f in range(FLOORS):
        for r in range(ROWS):
            for c in range(COLS):
                g.add_node(("c", f, r, c), store=CORRIDOR_STORE)
                if c + 1 < COLS:
                    _arc(g, ("c", f, r, c), ("c", f, r, c + 1), CORRIDOR_CAP_PS, corridor_s)
                if r + 1 < ROWS:
                    _arc(g, ("c", f, r, c), ("c", f, r + 1, c), CORRIDOR_CAP_PS, corridor_s)
        cells = [(r, c) for r in range(ROWS) for c in range(COLS)]
        picks = rng.choice(len(cells), size=SHOPS_PER_FLOOR, replace=True)
        for i, k in enumerate(picks):
            shop = ("s", f, i)
            r, c = cells[int(k)]
            g.add_node(shop, store=400)
            _arc(g, shop, ("c", f, r, c), SHOP_DOOR_CAP_PS, SHOP_TRANSIT_S)
            shops.append(shop)
    for f in range(FLOORS - 1):
        for k in range(STAIRS_PER_GAP):
            r, c = (0 if k % 2 == 0 else ROWS - 1), (k // 2) * (COLS - 1) // 3
            stair = ("st", f, k)
            g.add_node(stair, store=STAIR_STORE)
            _arc(g, ("c", f, r, c), stair, STAIR_CAP_PS, STAIR_TRANSIT_S / 2)
            _arc(g, stair, ("c", f + 1, r, c), STAIR_CAP_PS, STAIR_TRANSIT_S / 2)
    exits: list[Hashable] = []
    for f, n_exits in enumerate(EXITS_PER_FLOOR):
        for k in range(n_exits):
            x = ("x", f, k)
            r = ROWS // 2 if k % 2 == 0 else ROWS // 2 - 1
            c = 0 if k % 2 == 0 else COLS - 1
            r = (r + 3 * (k // 2)) % ROWS
            g.add_edge(("c", f, r, c), x, cap_ps=EXIT_CAP_PS, transit_s=2.0)
            exits.append(x)
    counts = rng.multinomial(PERSONS, np.full(len(shops), 1.0 / len(shops)))
    supply: dict[Hashable, int] = {s: int(n) for s, n in zip(shops, counts, strict=True)}
    return g, supply, exits


def _timed(fn: object, *args: object, **kwargs: object) -> tuple[object, float]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)  # type: ignore[operator]
    return out, time.perf_counter() - t0


def bench_solvers(g: nx.DiGraph, supply: dict[Hashable, int], exits: list[Hashable]) -> None:
    """Time one max-flow on a ~20k-arc time-expanded network with each solver."""
    from networkx.algorithms.flow import preflow_push, shortest_augmenting_path

    net = lb._prepare(g, supply, exits, None)
    disc = lb._Discretisation(net, 1.0, 40, 100)
    ten = disc.expand(disc.max_horizon(20_000, 10_000))
    args = (ten.n_vertices, ten.tail, ten.head, ten.cap_units, ten.source, ten.sink)
    print(f"solver comparison on {ten.tail.size} arcs, {ten.n_vertices} vertices:")
    value, wall = _timed(lb._max_flow_scipy, *args)
    print(f"  scipy dinic                  {wall:7.3f} s  value {value}")
    h = nx.DiGraph()
    for t, w, c in zip(ten.tail.tolist(), ten.head.tolist(), ten.cap_units.tolist(), strict=True):
        if h.has_edge(t, w):
            h.edges[t, w]["capacity"] += c
        else:
            h.add_edge(t, w, capacity=c)
    flow_funcs = (("preflow_push", preflow_push), ("shortest_aug_path", shortest_augmenting_path))
    for name, func in flow_funcs:
        value, wall = _timed(nx.maximum_flow_value, h, ten.source, ten.sink, flow_func=func)
        print(f"  networkx {name:<20} {wall:7.3f} s  value {value}")


def main() -> None:
    """Build the mall and print wall time and bound for fine and coarse budgets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--solvers", action="store_true", help="also compare max-flow solvers")
    parser.add_argument(
        "--reference", action="store_true", help="also a finer run with max_arcs=1.5M (slow)"
    )
    opts = parser.parse_args()
    g, supply, exits = build_mall()
    print(
        f"mall: {g.number_of_nodes()} nodes, {g.number_of_edges()} arcs, "
        f"{len(exits)} exits, {sum(supply.values())} persons"
    )
    cut, wall = _timed(lb.cut_bound_s, g, supply, exits)
    print(f"cut_bound_s                   {wall:7.3f} s  T >= {cut:8.1f} s")
    budgets = [("ref    1.5M", 1_500_000)] if opts.reference else []
    for label, max_arcs in (
        *budgets,
        ("fine   400k", 400_000),
        ("coarse 100k", 100_000),
        ("coarse  25k", 25_000),
        ("coarse   5k", 5_000),
    ):
        res, wall = _timed(lb.quickest_evacuation_time_s, g, supply, exits, max_arcs=max_arcs)
        assert isinstance(res, lb.LowerBound)
        print(
            f"max_arcs {label}          {wall:7.3f} s  T >= {res.t_s:8.1f} s  "
            f"dt {res.dt_s:5.1f} s  exact={res.exact}  method={res.method}"
        )
    if opts.solvers:
        bench_solvers(g, supply, exits)


if __name__ == "__main__":
    main()
