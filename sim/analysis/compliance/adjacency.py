"""Adjacency of shops for joint-defence groups (clause SM-1.3e).

The plan asks for groups of "5 to 10 adjacent shops". We read *adjacent* as **a short
walk apart along shared public circulation**: two shops are adjacent when a walk of at
most :data:`GROUP_DISTANCE_M` (60 m by default) joins a door of one to a door of the
other through corridors, atria or plazas on the same level — no stairs or escalators,
and not through another shop. A group is adjacent when its shops form one connected
component of that relation (each shop reachable from every other by a chain of
adjacent shops of the group).

Walking distances come from the route graph of :func:`sim.engine.graphs.build_network` (nodes
are openings, edges are walks inside one cell), so a long corridor is walked along its
cells, not crossed in a straight line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import networkx as nx

from sim.engine.graphs import Network
from sim.model.layout import Layout

#: Largest door-to-door walk (m) between two shops that count as adjacent.
GROUP_DISTANCE_M: Final = 60.0
#: Space kinds a walk between two shops may pass through.
WALK_KINDS: Final = frozenset({"corridor", "atrium", "plaza"})


def _walk_graph(network: Network) -> nx.Graph:
    layout = network.layout
    rg = network.route_graph

    def ok(u: str, v: str) -> bool:
        space = rg.edges[u, v].get("space")
        return space is not None and layout.spaces[space].kind in WALK_KINDS

    return nx.subgraph_view(rg, filter_edge=ok)


def shop_doors(layout: Layout, shop: str) -> tuple[str, ...]:
    """Openings of a shop (its doors and open fronts)."""
    return layout.openings_of.get(shop, ())


def shop_distances(network: Network, shops: Iterable[str], *,
                   max_m: float = GROUP_DISTANCE_M) -> dict[str, dict[str, float]]:
    """Door-to-door walking distance (m) from each shop to every shop within ``max_m``.

    Only pairs closer than ``max_m`` are listed; a shop is not listed against itself.
    """
    layout = network.layout
    g = _walk_graph(network)
    wanted = list(dict.fromkeys(shops))
    door_owner: dict[str, list[str]] = {}
    for s in wanted:
        for o in shop_doors(layout, s):
            door_owner.setdefault(o, []).append(s)
    out: dict[str, dict[str, float]] = {}
    for s in wanted:
        src = [o for o in shop_doors(layout, s) if o in g]
        row: dict[str, float] = {}
        if src:
            dist = nx.multi_source_dijkstra_path_length(g, set(src), cutoff=max_m,
                                                        weight="length_m")
            for node, d in dist.items():
                for other in door_owner.get(node, ()):
                    if other != s and d <= max_m + 1e-9 and d < row.get(other, float("inf")):
                        row[other] = float(d)
        # dijkstra's dict order depends on set iteration: order rows like ``shops``
        out[s] = {o: row[o] for o in wanted if o in row}
    return out


def adjacency_graph(network: Network, shops: Sequence[str], *,
                    max_m: float = GROUP_DISTANCE_M,
                    distances: Mapping[str, Mapping[str, float]] | None = None) -> nx.Graph:
    """Graph on ``shops`` with an edge (attribute ``length_m``) between adjacent shops."""
    d = distances if distances is not None else shop_distances(network, shops, max_m=max_m)
    g = nx.Graph()
    g.add_nodes_from(shops)
    members = set(shops)
    for a in shops:
        for b, m in d.get(a, {}).items():
            if b in members and m <= max_m + 1e-9:
                g.add_edge(a, b, length_m=m)
    return g


def group_components(network: Network, shops: Sequence[str], *,
                     max_m: float = GROUP_DISTANCE_M,
                     distances: Mapping[str, Mapping[str, float]] | None = None
                     ) -> list[list[str]]:
    """Connected components of a group's shops (largest first); one means adjacent."""
    g = adjacency_graph(network, shops, max_m=max_m, distances=distances)
    comps = [sorted(c, key=list(shops).index) for c in nx.connected_components(g)]
    return sorted(comps, key=lambda c: (-len(c), list(shops).index(c[0])))
