"""Properties of layouts, their cells and both graphs, over random orthogonal plans.

The strategy draws *structure*: a grid of rectangular rooms (column widths, row depths,
kinds), which neighbours share a door (and where along the shared wall), which rooms on
the boundary open to the outside, and optionally a stair up to a second-floor room.
Every connected group of rooms gets at least one exit, so every drawn layout is valid;
some are split into several groups, which exercises the "when connected" properties.
"""

from __future__ import annotations

import math
import tomllib
from typing import Any

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis.egress_code import layout_warnings, travel_distances_m
from sim.engine.graphs import build_network
from sim.io.layout_files import dump_layout_toml
from sim.model.layout import Layout
from sim.model.layout_schema import layout_from_dict, layout_to_dict

KINDS = ("shop", "corridor", "atrium", "service", "parking", "duty_room")
SIZES = (3.0, 5.5, 8.0, 12.5, 24.0, 41.0)   # some exceed the 20 m / 300 m² cell limits


@st.composite
def grid_layouts(draw: st.DrawFn) -> dict[str, Any]:
    cols, rows = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    widths = [draw(st.sampled_from(SIZES)) for _ in range(cols)]
    depths = [draw(st.sampled_from(SIZES)) for _ in range(rows)]
    xs = [sum(widths[:i]) for i in range(cols + 1)]
    ys = [sum(depths[:j]) for j in range(rows + 1)]
    spaces: list[dict[str, Any]] = []
    openings: list[dict[str, Any]] = []
    rid = {(i, j): f"r{i}-{j}" for i in range(cols) for j in range(rows)}
    for (i, j), sid in rid.items():
        spaces.append({"id": sid, "level": "L1", "kind": draw(st.sampled_from(KINDS)),
                       "rect": [xs[i], ys[j], widths[i], depths[j]]})
    parent = {k: k for k in rid}

    def root(k: tuple[int, int]) -> tuple[int, int]:
        while parent[k] != k:
            k = parent[k]
        return k

    def door(a: str, b: str, p: tuple[float, float], q: tuple[float, float]) -> None:
        frac = draw(st.floats(0.1, 0.9))
        length = math.dist(p, q)
        width = min(draw(st.floats(0.5, 4.0)), 0.9 * length)
        at = (p[0] + frac * (q[0] - p[0]), p[1] + frac * (q[1] - p[1]))
        openings.append({"id": f"o{len(openings)}", "between": [a, b], "width_m": width,
                         "at": [at[0], at[1]], "kind": draw(st.sampled_from(
                             ["door", "opening", "shutter", "fire_door"]))})

    for (i, j), sid in rid.items():
        if i + 1 < cols and draw(st.booleans()):
            door(sid, rid[i + 1, j], (xs[i + 1], ys[j]), (xs[i + 1], ys[j + 1]))
            parent[root((i, j))] = root((i + 1, j))
        if j + 1 < rows and draw(st.booleans()):
            door(sid, rid[i, j + 1], (xs[i], ys[j + 1]), (xs[i + 1], ys[j + 1]))
            parent[root((i, j))] = root((i, j + 1))
    # a group with no room on the outer wall is joined to its western neighbour
    def on_wall(k: tuple[int, int]) -> bool:
        return k[0] in (0, cols - 1) or k[1] in (0, rows - 1)

    for k in sorted(rid):
        if not any(on_wall(m) for m in rid if root(m) == root(k)):
            i, j = k
            door(rid[k], rid[i - 1, j], (xs[i], ys[j]), (xs[i], ys[j + 1]))
            parent[root(k)] = root((i - 1, j))
    # every group of rooms gets at least one exit on the outer wall
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for k in sorted(rid):
        groups.setdefault(root(k), []).append(k)
    for n, members in enumerate(groups.values()):
        edge = [k for k in members if on_wall(k)]
        chosen = sorted({edge[0], *(k for k in edge if draw(st.booleans()))})
        for i, j in chosen:
            ex = f"out{n}-{i}-{j}"
            spaces.append({"id": ex, "level": "L1", "kind": "exit"})
            if j == 0:
                door(rid[i, j], ex, (xs[i], 0.0), (xs[i + 1], 0.0))
            elif i == 0:
                door(rid[i, j], ex, (0.0, ys[j]), (0.0, ys[j + 1]))
            elif j == rows - 1:
                door(rid[i, j], ex, (xs[i], ys[-1]), (xs[i + 1], ys[-1]))
            else:
                door(rid[i, j], ex, (xs[-1], ys[j]), (xs[-1], ys[j + 1]))
    levels = [{"id": "L1", "elevation_m": 0.0}]
    if draw(st.booleans()):
        # a stair east of room (cols-1, 0) up to a room above it
        x, y, d = xs[-1], 0.0, depths[0]
        levels.append({"id": "L2", "elevation_m": 5.0})
        spaces.append({"id": "stair", "kind": "stair", "levels": ["L1", "L2"],
                       "rect": [x, y, 4.0, d], "length_m": draw(st.floats(6.0, 15.0)),
                       "riser_mm": 165, "tread_mm": 280})
        spaces.append({"id": "upper", "level": "L2", "kind": "shop",
                       "rect": [x - widths[-1], y, widths[-1], d]})
        openings.append({"id": "s-foot", "between": [rid[cols - 1, 0], "stair"],
                         "width_m": min(2.0, 0.9 * d), "at": [x, d / 2]})
        openings.append({"id": "s-head", "between": ["upper", "stair"],
                         "width_m": min(2.0, 0.9 * d), "at": [x, d / 2]})
    return {"schema": "safemall/layout/1", "mall": {"name": "random"}, "levels": levels,
            "spaces": spaces, "openings": openings}


def _rooms_connected(lay: Layout) -> bool:
    """True when the non-exit spaces form one group through openings between them."""
    g: nx.Graph = nx.Graph()
    g.add_nodes_from(s for s in lay.spaces if not lay.spaces[s].is_exit)
    g.add_edges_from((o.a, o.b) for o in lay.openings.values()
                     if not (lay.spaces[o.a].is_exit or lay.spaces[o.b].is_exit))
    return nx.is_connected(g)


SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(grid_layouts())
def test_both_graphs_connected_when_the_layout_is(raw: dict[str, Any]) -> None:
    lay = layout_from_dict(raw)
    net = build_network(lay)
    if _rooms_connected(lay):
        assert nx.is_connected(net.space_graph)
        assert nx.is_connected(net.route_graph)
    # in any case, each component of the route graph holds an exit portal
    exits = set(net.exit_portals)
    for comp in nx.connected_components(net.route_graph):
        assert comp & exits


@SETTINGS
@given(grid_layouts())
def test_every_space_reaches_an_exit(raw: dict[str, Any]) -> None:
    lay = layout_from_dict(raw)
    net = build_network(lay)
    sg = net.space_graph
    for sid, s in lay.spaces.items():
        if not s.is_exit:
            assert any(nx.has_path(sg, sid, e) for e in lay.exits), sid
    reach = nx.multi_source_dijkstra_path_length(net.route_graph, set(net.exit_portals),
                                                 weight="length_m")
    assert set(reach) == set(net.route_graph.nodes)


@SETTINGS
@given(grid_layouts())
def test_cells_partition_each_space(raw: dict[str, Any]) -> None:
    lay = layout_from_dict(raw)
    net = build_network(lay)
    for sid, cells in net.cells_of_space.items():
        s = lay.spaces[sid]
        total = sum(net.cells[c].area_m2 for c in cells)
        assert math.isclose(total, s.area_m2, rel_tol=1e-9, abs_tol=1e-9), sid
        for c in cells:
            cell = net.cells[c]
            if cell.shape is not None and not s.is_vertical:
                minx, miny, maxx, maxy = cell.shape.bounds
                assert maxx - minx <= net.max_cell_length_m + 1e-9
                assert maxy - miny <= net.max_cell_length_m + 1e-9
                assert cell.area_m2 <= net.max_cell_area_m2 + 1e-9


@SETTINGS
@given(grid_layouts(), st.data())
def test_walking_distances_positive_and_symmetric(raw: dict[str, Any], data: st.DataObject
                                                  ) -> None:
    lay = layout_from_dict(raw)
    rg = build_network(lay).route_graph
    assert all(d["length_m"] > 0 for _, _, d in rg.edges(data=True))
    nodes = sorted(rg.nodes)
    a = data.draw(st.sampled_from(nodes))
    b = data.draw(st.sampled_from(nodes))
    if nx.has_path(rg, a, b):
        ab = nx.shortest_path_length(rg, a, b, weight="length_m")
        ba = nx.shortest_path_length(rg, b, a, weight="length_m")
        assert math.isclose(ab, ba, rel_tol=1e-12)
        assert ab > 0 or a == b


@SETTINGS
@given(grid_layouts())
def test_round_trip_and_gb_checks_never_crash(raw: dict[str, Any]) -> None:
    lay = layout_from_dict(raw)
    again = layout_from_dict(tomllib.loads(dump_layout_toml(lay)))
    assert layout_to_dict(again) == layout_to_dict(lay)
    net = build_network(lay)
    for d, _ in travel_distances_m(lay, net).values():
        assert math.isfinite(d) and d >= 0
    for w in layout_warnings(lay, net):
        assert w.clause.startswith("GB 50016 ") and "\n" not in str(w)
