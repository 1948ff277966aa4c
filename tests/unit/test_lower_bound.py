"""Quickest-evacuation lower bound (Ford & Fulkerson 1958; AT-12 of docs/verification.md)."""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import networkx as nx
import pytest

from sim.engine import lower_bound as lb
from sim.engine.lower_bound import LowerBound, cut_bound_s, quickest_evacuation_time_s


def path_graph(cap_ps: float = 1.0, transit_s: float = 10.0) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_edge("room", "exit", cap_ps=cap_ps, transit_s=transit_s)
    return g


def rimea9_graph(doors: int = 4) -> tuple[nx.DiGraph, list[str]]:
    """One room, ``doors`` doors of 0.91 p/s (0.7 m effective x 1.3 p/s/m), transit 0."""
    g = nx.DiGraph()
    exits = [f"door{i}" for i in range(doors)]
    for x in exits:
        g.add_edge("room", x, cap_ps=0.91, transit_s=0.0)
    return g, exits


def two_path_graph() -> nx.DiGraph:
    """Source with two disjoint routes of 1 p/s: 10 s to exit a, 30 s to exit b."""
    g = nx.DiGraph()
    g.add_edge("s", "a", cap_ps=1.0, transit_s=10.0)
    g.add_edge("s", "m", cap_ps=1.0, transit_s=20.0)
    g.add_edge("m", "b", cap_ps=1.0, transit_s=10.0)
    return g


def grid_mall(rows: int, cols: int) -> tuple[nx.DiGraph, dict[Any, int], list[str]]:
    """Small corridor grid with a shop on every cell and two exits."""
    g = nx.DiGraph()
    supply: dict[Any, int] = {}
    for r in range(rows):
        for c in range(cols):
            for dr, dc in ((0, 1), (1, 0)):
                if r + dr < rows and c + dc < cols:
                    g.add_edge((r, c), (r + dr, c + dc), cap_ps=4.0, transit_s=4.2)
                    g.add_edge((r + dr, c + dc), (r, c), cap_ps=4.0, transit_s=4.2)
            shop = ("shop", r, c)
            g.add_edge(shop, (r, c), cap_ps=1.3, transit_s=7.5)
            g.add_edge((r, c), shop, cap_ps=1.3, transit_s=7.5)
            g.nodes[shop]["store"] = 200
            supply[shop] = 20 + 3 * ((r * cols + c) % 5)
    g.add_edge((0, 0), "x0", cap_ps=3.0, transit_s=1.0)
    g.add_edge((rows - 1, cols - 1), "x1", cap_ps=2.0, transit_s=1.0)
    return g, supply, ["x0", "x1"]


# --------------------------------------------------------------------------- AT-12


def test_single_path_at12_returns_continuous_optimum() -> None:
    """N = 100, c = 1 p/s, tau = 10 s: T* = 110 s continuous, 109 s in 1 s steps.

    Convention: the returned value is the continuous 110 s (the exit cut is exact on a
    single path); the time-expanded network alone gives the discrete 109 s.
    """
    res = quickest_evacuation_time_s(path_graph(), {"room": 100}, ["exit"])
    assert 109.0 <= res.t_s <= 110.0
    assert res.t_s == pytest.approx(110.0)
    assert res == LowerBound(t_s=res.t_s, dt_s=1.0, exact=True, method="cut")


def test_single_path_discretisation_alone_gives_109() -> None:
    """The 1 s network is feasible from step 109; by step 108 it delivers 99 persons.

    The remaining person still has to pass the 1 p/s exit: 109 + 1 / 1 = 110 s.
    """
    net = lb._prepare(path_graph(), {"room": 100}, ["exit"], None)
    ten = lb._Discretisation(net, 1.0, 1, 1000).expand(200)
    found = lb._search_horizon(ten, 0, 200, lb._default_max_flow())
    assert (found.k_star, found.bad, found.bad_units) == (109, 108, 99 * 1000)


def test_rimea9_four_doors() -> None:
    g, exits = rimea9_graph(4)
    res = quickest_evacuation_time_s(g, {"room": 1000}, exits)
    assert 274.0 <= res.t_s <= 275.8
    assert res.t_s == pytest.approx(1000 / (4 * 0.91))


def test_rimea9_two_doors_doubles() -> None:
    g4, exits4 = rimea9_graph(4)
    g2, exits2 = rimea9_graph(2)
    t4 = quickest_evacuation_time_s(g4, {"room": 1000}, exits4).t_s
    t2 = quickest_evacuation_time_s(g2, {"room": 1000}, exits2).t_s
    assert t2 == pytest.approx(1000 / (2 * 0.91))
    assert t2 / t4 == pytest.approx(2.0)


def test_two_paths_by_hand() -> None:
    """(T - 10) + (T - 30) = 100 -> T* = 70 s; in 1 s steps (K - 9) + (K - 29) >= 100 -> 69.

    The exit cut only gives 100 / 2 + 10 = 60 s, so the time-expanded network decides:
    by step 68 it delivers 59 + 39 = 98 persons, the last 2 need 2 / (2 p/s) more:
    69 + 1 = 70 s, the continuous optimum.
    """
    g = two_path_graph()
    assert cut_bound_s(g, {"s": 100}, ["a", "b"]) == pytest.approx(60.0)
    res = quickest_evacuation_time_s(g, {"s": 100}, ["a", "b"])
    assert 69.0 <= res.t_s <= 70.0
    assert res == LowerBound(t_s=70.0, dt_s=1.0, exact=True, method="time_expanded")
    net = lb._prepare(g, {"s": 100}, ["a", "b"], None)
    found = lb._search_horizon(
        lb._Discretisation(net, 1.0, 1, 1000).expand(100), 0, 100, lb._default_max_flow()
    )
    assert (found.k_star, found.bad_units) == (69, 98 * 1000)


def test_two_paths_networkx_solver_agrees() -> None:
    g = two_path_graph()
    res = quickest_evacuation_time_s(g, {"s": 100}, ["a", "b"], max_flow=lb._max_flow_networkx)
    assert res.t_s == 70.0


def test_release_times_shift_the_bound() -> None:
    g = path_graph()
    late = quickest_evacuation_time_s(g, {"room": 100}, ["exit"], release_s={"room": [20.0] * 100})
    assert late.t_s == pytest.approx(130.0)
    # One person released every 2 s: the last leaves at 198 s, is through at 199 s, out at 209 s.
    spread = quickest_evacuation_time_s(
        g, {"room": 100}, ["exit"], release_s={"room": [2.0 * i for i in range(100)]}
    )
    assert spread.t_s == pytest.approx(209.0)


def test_release_times_in_the_time_expanded_network() -> None:
    """Two paths, all released at 15 s: (T - 25) + (T - 45) >= 100 -> T* = 85, 84 in steps."""
    res = quickest_evacuation_time_s(
        two_path_graph(), {"s": 100}, ["a", "b"], release_s={"s": [15.0] * 100}
    )
    assert 84.0 <= res.t_s <= 85.0
    assert res.method == "time_expanded"


def test_nobody_to_evacuate() -> None:
    g = path_graph()
    assert quickest_evacuation_time_s(g, {"room": 0}, ["exit"]).t_s == 0.0
    assert quickest_evacuation_time_s(g, {"exit": 5}, ["exit"]).method == "trivial"
    assert cut_bound_s(g, {}, ["exit"]) == 0.0


def test_zero_store_on_the_way_is_not_binding() -> None:
    g = nx.DiGraph()
    g.add_edge("room", "door", cap_ps=1.0, transit_s=4.0)
    g.add_edge("door", "exit", cap_ps=1.0, transit_s=6.0)
    g.nodes["door"]["store"] = 0
    assert quickest_evacuation_time_s(g, {"room": 100}, ["exit"]).t_s == pytest.approx(110.0)


def test_zero_transit_cycle_is_a_relaxation() -> None:
    """A zero-transit two-way link must not stretch to one step (that would over-estimate)."""
    g = nx.DiGraph()
    for u, v in (("a", "b"), ("b", "a")):
        g.add_edge(u, v, cap_ps=5.0, transit_s=0.0)
    g.add_edge("a", "x", cap_ps=1.0, transit_s=0.0)
    g.add_edge("b", "y", cap_ps=1.0, transit_s=0.0)
    res = quickest_evacuation_time_s(g, {"a": 20}, ["x", "y"])
    assert 9.0 <= res.t_s <= 10.0  # fluid optimum 20 / 2 = 10 s


def test_fractional_transit_rounds_down() -> None:
    g = path_graph(cap_ps=2.0, transit_s=7.6)
    res = quickest_evacuation_time_s(g, {"room": 10}, ["exit"], dt_s=2.0)
    assert res.t_s <= 7.6 + 10 / 2.0
    assert res.t_s == pytest.approx(12.6)  # the exit cut is exact on a path


def test_shop_leaf_is_collapsed_and_door_limited() -> None:
    """Shop (10 persons) -> 1 p/s door, 2 s -> corridor -> 5 p/s exit, 3 s.

    T* = 2 + 10 / 1 + 3 = 15 s.  The shop is a leaf (its only arcs go to and come from
    the corridor) and is not expanded; in 1 s steps the last person arrives at step 14
    and the one left at step 13 needs 1 / 5 s more: 14.2 s.
    """
    g = nx.DiGraph()
    g.add_edge("shop", "corridor", cap_ps=1.0, transit_s=2.0)
    g.add_edge("corridor", "shop", cap_ps=1.0, transit_s=2.0)
    g.add_edge("corridor", "exit", cap_ps=5.0, transit_s=3.0)
    g.nodes["corridor"]["store"] = 0
    g.nodes["shop"]["store"] = 40
    net = lb._prepare(g, {"shop": 10}, ["exit"], None)
    disc = lb._Discretisation(net, 1.0, 1, 1000)
    assert disc.leaf_node.tolist() == [0] and disc.leaf_in_arc.tolist() != [-1]
    res = quickest_evacuation_time_s(g, {"shop": 10}, ["exit"])
    assert 14.0 <= res.t_s <= 15.0
    assert res.t_s == pytest.approx(14.2)


# --------------------------------------------------------------------------- cut bound


@pytest.mark.parametrize("case", ["path", "rimea9", "two_paths", "grid"])
def test_cut_bound_never_above_full_bound(case: str) -> None:
    g: nx.DiGraph
    supply: dict[Any, int]
    exits: list[str]
    if case == "path":
        g, supply, exits = path_graph(), {"room": 100}, ["exit"]
    elif case == "rimea9":
        g, exits = rimea9_graph(4)
        supply = {"room": 1000}
    elif case == "two_paths":
        g, supply, exits = two_path_graph(), {"s": 100}, ["a", "b"]
    else:
        g, supply, exits = grid_mall(4, 5)
    cut = cut_bound_s(g, supply, exits)
    assert cut > 0
    assert cut <= quickest_evacuation_time_s(g, supply, exits).t_s + 1e-9


def test_cut_bound_formula() -> None:
    g = two_path_graph()
    g.add_edge("far", "m", cap_ps=1.0, transit_s=5.0)
    # N / C + min transit = 30 / 2 + 10; the far room does not raise the minimum.
    assert cut_bound_s(g, {"s": 10, "far": 20}, ["a", "b"]) == pytest.approx(25.0)


# --------------------------------------------------------------------------- coarsening


def test_coarse_budget_is_below_fine_and_flagged() -> None:
    g, supply, exits = grid_mall(5, 6)
    fine = quickest_evacuation_time_s(g, supply, exits)
    assert fine.exact and fine.dt_s == 1.0
    for max_arcs in (20_000, 5_000, 1_000, 50):
        coarse = quickest_evacuation_time_s(g, supply, exits, max_arcs=max_arcs)
        assert not coarse.exact
        assert coarse.dt_s > 1.0
        assert coarse.t_s <= fine.t_s + 1e-9
        assert coarse.t_s >= cut_bound_s(g, supply, exits) - 1e-9


def test_coarse_step_is_a_multiple_of_the_requested_step() -> None:
    g, supply, exits = grid_mall(5, 6)
    coarse = quickest_evacuation_time_s(g, supply, exits, max_arcs=5_000, dt_s=0.5)
    assert (coarse.dt_s / 0.5) == pytest.approx(round(coarse.dt_s / 0.5))


def test_budget_too_small_for_any_network_falls_back_to_cut() -> None:
    g, supply, exits = grid_mall(3, 3)
    res = quickest_evacuation_time_s(g, supply, exits, max_arcs=10)
    assert res.method == "cut" and not res.exact
    assert res.t_s == pytest.approx(lb._exit_cut_bound_s(lb._prepare(g, supply, exits, None)))


# --------------------------------------------------------------------------- validation


def one_line(exc: pytest.ExceptionInfo[ValueError]) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_negative_supply_rejected() -> None:
    with pytest.raises(ValueError, match=r"supply\['room'\].*>= 0") as exc:
        quickest_evacuation_time_s(path_graph(), {"room": -1}, ["exit"])
    one_line(exc)


def test_fractional_supply_rejected() -> None:
    with pytest.raises(ValueError, match=r"supply\['room'\].*whole number"):
        quickest_evacuation_time_s(path_graph(), {"room": 2.5}, ["exit"])  # type: ignore[dict-item]


@pytest.mark.parametrize("cap", [0.0, -1.0, math.nan])
def test_non_positive_capacity_rejected(cap: float) -> None:
    with pytest.raises(ValueError, match=r"arc \('room', 'exit'\): cap_ps must be > 0") as exc:
        quickest_evacuation_time_s(path_graph(cap_ps=cap), {"room": 1}, ["exit"])
    one_line(exc)


@pytest.mark.parametrize("tau", [-0.5, math.inf])
def test_bad_transit_rejected(tau: float) -> None:
    with pytest.raises(ValueError, match=r"arc \('room', 'exit'\): transit_s") as exc:
        quickest_evacuation_time_s(path_graph(transit_s=tau), {"room": 1}, ["exit"])
    one_line(exc)


def test_missing_arc_attribute_rejected() -> None:
    g = nx.DiGraph()
    g.add_edge("room", "exit", cap_ps=1.0)
    with pytest.raises(ValueError, match=r"arc \('room', 'exit'\): missing attribute transit_s"):
        quickest_evacuation_time_s(g, {"room": 1}, ["exit"])


def test_unknown_exit_rejected() -> None:
    with pytest.raises(ValueError, match=r"exit 'door' is not a node") as exc:
        quickest_evacuation_time_s(path_graph(), {"room": 1}, ["exit", "door"])
    one_line(exc)


def test_no_exits_rejected() -> None:
    with pytest.raises(ValueError, match=r"exits"):
        quickest_evacuation_time_s(path_graph(), {"room": 1}, [])


def test_supplied_node_without_path_rejected() -> None:
    g = path_graph()
    g.add_edge("exit", "attic", cap_ps=1.0, transit_s=1.0)  # reachable only through the exit
    with pytest.raises(ValueError, match=r"supply\['attic'\] = 3 .*no path to an exit") as exc:
        quickest_evacuation_time_s(g, {"room": 1, "attic": 3}, ["exit"])
    one_line(exc)
    with pytest.raises(ValueError, match=r"no path to an exit"):
        cut_bound_s(g, {"attic": 1}, ["exit"])
    # An empty unreachable node is fine.
    assert quickest_evacuation_time_s(g, {"room": 1, "attic": 0}, ["exit"]).t_s > 0


def test_supply_node_not_in_graph_rejected() -> None:
    with pytest.raises(ValueError, match=r"supply\['hall'\]: node is not in the graph"):
        quickest_evacuation_time_s(path_graph(), {"hall": 1}, ["exit"])


def test_supply_above_store_rejected() -> None:
    g = path_graph()
    g.nodes["room"]["store"] = 10
    with pytest.raises(ValueError, match=r"supply\['room'\] = 11 exceeds the node's store 10"):
        quickest_evacuation_time_s(g, {"room": 11}, ["exit"])


def test_negative_store_rejected() -> None:
    g = path_graph()
    g.nodes["room"]["store"] = -1
    with pytest.raises(ValueError, match=r"node 'room': store must be >= 0"):
        quickest_evacuation_time_s(g, {"room": 1}, ["exit"])


@pytest.mark.parametrize(
    ("release", "pattern"),
    [
        ({"room": [0.0, 1.0]}, r"release_s\['room'\]: expected 3 release times"),
        ({"room": [0.0, -1.0, 2.0]}, r"release_s\['room'\]: release times must be finite"),
        ({"hall": [0.0]}, r"release_s\['hall'\]: node has no supply entry"),
    ],
)
def test_bad_release_times_rejected(release: dict[Hashable, list[float]], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern) as exc:
        quickest_evacuation_time_s(path_graph(), {"room": 3}, ["exit"], release_s=release)
    one_line(exc)


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"dt_s": 0.0}, "dt_s"), ({"max_arcs": 0}, "max_arcs")]
)
def test_bad_settings_rejected(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        quickest_evacuation_time_s(path_graph(), {"room": 3}, ["exit"], **kwargs)  # type: ignore[arg-type]


def test_unbounded_capacity_arc() -> None:
    g = path_graph(cap_ps=math.inf, transit_s=10.0)
    res = quickest_evacuation_time_s(g, {"room": 50}, ["exit"])
    assert res.t_s == pytest.approx(10.0)
    g.add_edge("hall", "room", cap_ps=2.0, transit_s=3.5)
    res = quickest_evacuation_time_s(g, {"hall": 10, "room": 50}, ["exit"])
    # T* = 3.5 + 10 / 2 + 10 = 18.5 s; in 1 s steps the hall starts at floor(13.5) and
    # needs 5 steps of 2 persons: last step 17.
    assert res.t_s <= 18.5
    assert res == LowerBound(t_s=17.0, dt_s=1.0, exact=True, method="time_expanded")
