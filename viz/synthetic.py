"""Plausible synthetic replays, for tests, benchmarks and screenshots.

Until the engine writes real replays, :func:`make_synthetic_replay` fakes one from a
layout: occupants shop (wander inside their cell) until the alarm, wait a pre-movement
time, then walk the shortest route of portals to the nearest exit, queue at the exit door
and become ``SAFE``. Guards stand on post and respond; an ``attack`` scenario adds an
attacker, casualties, a first responder and police; a ``fire`` scenario adds smoke and
temperature series. Nothing here is a model of behaviour: it only has the right shape.

:func:`grand_like_layout` builds a seven-level mall mapping (five sales levels, two car
park levels, about 67,000 m² of sales area) for benchmarks when ``layouts/grand`` is not
available.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely

from sim.engine.graphs import Network, build_network
from sim.engine.replay import ENTITY_KINDS, WAYPOINT_DTYPE, Replay, State
from sim.io.layout_files import load_layout
from sim.model.layout import Layout
from sim.model.layout_schema import layout_from_dict, layout_to_dict

KIND = {k: i for i, k in enumerate(ENTITY_KINDS)}
WALKABLE = ("shop", "corridor", "atrium", "plaza", "parking", "gate", "service")
REPO = Path(__file__).resolve().parents[1]


def default_layout() -> Layout:
    """``layouts/grand/layout.toml`` when it exists, else :func:`grand_like_layout`."""
    grand = REPO / "layouts" / "grand" / "layout.toml"
    if grand.exists():
        return load_layout(grand)
    return layout_from_dict(grand_like_layout(), source="<grand-like>")


def grand_like_layout(n_sales_levels: int = 5, n_parking_levels: int = 2,
                      shops_per_row: int = 20) -> dict[str, Any]:
    """A big multi-level mall as a layout mapping (``safemall/layout/1``).

    Each sales level is a 10 m wide east-west mall street (two stretches of it are atria)
    between two rows of 10 x 30 m shops; four stair cores (the two street ends and two
    in the middle rows) join every pair of consecutive levels. The ground level has exits
    at both street ends and through the back of eight shops.
    """
    shop_w, shop_d, street = 10.0, 30.0, 10.0
    length = shops_per_row * shop_w
    y_street = shop_d
    y_north = shop_d + street
    levels: list[dict[str, Any]] = []
    spaces: list[dict[str, Any]] = []
    openings: list[dict[str, Any]] = []
    sales = [f"L{i + 1}" for i in range(n_sales_levels)]
    parks = [f"B{i + 1}" for i in range(n_parking_levels)]
    for i, lid in enumerate(sales):
        levels.append({"id": lid, "elevation_m": 5.0 * i, "name": f"floor {i + 1}"})
    for i, lid in enumerate(parks):
        levels.append({"id": lid, "elevation_m": -4.0 * (i + 1), "name": f"car park {i + 1}"})
    order = list(reversed(parks)) + sales  # bottom to top
    mid = shops_per_row // 2
    core_slots = {mid - 1}
    for lid in order:
        if lid in sales:
            # street in three parts: west corridor, atria, east corridor
            a1, a2 = length * 0.3, length * 0.7
            spaces.append({"id": f"{lid}-street-w", "level": lid, "kind": "corridor",
                           "rect": [0, y_street, a1 - 10, street]})
            spaces.append({"id": f"{lid}-atrium-1", "level": lid, "kind": "atrium",
                           "rect": [a1 - 10, y_street, 20, street]})
            spaces.append({"id": f"{lid}-street-m", "level": lid, "kind": "corridor",
                           "rect": [a1 + 10, y_street, a2 - a1 - 20, street]})
            spaces.append({"id": f"{lid}-atrium-2", "level": lid, "kind": "atrium",
                           "rect": [a2 - 10, y_street, 20, street]})
            spaces.append({"id": f"{lid}-street-e", "level": lid, "kind": "corridor",
                           "rect": [a2 + 10, y_street, length - a2 - 10, street]})
            parts = [(f"{lid}-street-w", 0, a1 - 10), (f"{lid}-atrium-1", a1 - 10, a1 + 10),
                     (f"{lid}-street-m", a1 + 10, a2 - 10), (f"{lid}-atrium-2", a2 - 10, a2 + 10),
                     (f"{lid}-street-e", a2 + 10, length)]
            for (pa, _, xa), (pb, _, _) in itertools.pairwise(parts):
                openings.append({"id": f"{pa}>{pb}", "between": [pa, pb], "width_m": street,
                                 "at": [xa, y_street + street / 2], "kind": "opening"})

            def street_at(x: float, parts: list[tuple[str, float, float]] = parts) -> str:
                return next(p for p, x0, x1 in parts if x0 <= x <= x1)

            for row, (y0, y_door) in enumerate(((0.0, y_street), (y_north, y_north))):
                for k in range(shops_per_row):
                    x0 = k * shop_w
                    if k in core_slots:
                        continue
                    sid = f"{lid}-shop-{'sn'[row]}{k:02d}"
                    spaces.append({"id": sid, "level": lid, "kind": "shop",
                                   "rect": [x0, y0, shop_w, shop_d],
                                   "name": f"shop {'SN'[row]}{k + 1}"})
                    openings.append({"id": f"{sid}-door", "between": [sid, street_at(x0 + 5)],
                                     "width_m": 2.0, "at": [x0 + 5, y_door], "kind": "door"})
                    if lid == sales[0] and k in (2, 7, 12, 17) and k < shops_per_row:
                        ey = 0.0 if row == 0 else y_north + shop_d
                        ex = f"exit-{sid}"
                        spaces.append({"id": ex, "level": lid, "kind": "exit"})
                        openings.append({"id": f"{sid}-rear", "between": [sid, ex],
                                         "width_m": 1.8, "at": [x0 + 5, ey],
                                         "kind": "fire_door"})
            if lid == sales[0]:
                for side, x in (("west", 0.0), ("east", length)):
                    ex = f"exit-{side}"
                    spaces.append({"id": ex, "level": lid, "kind": "exit"})
                    openings.append({"id": f"{side}-entrance", "between": [street_at(x), ex],
                                     "width_m": 6.0, "at": [x, y_street + 7.5],
                                     "kind": "door"})
        else:
            spaces.append({"id": f"{lid}-parking", "level": lid, "kind": "parking",
                           "rect": [0, 0, length, y_north + shop_d]})
    # stair cores between consecutive levels
    cores = [("W", [-6.0, y_street, 6.0, 5.0], (0.0, y_street + 2.5)),
             ("E", [length, y_street, 6.0, 5.0], (length, y_street + 2.5)),
             ("S", [(mid - 1) * shop_w, y_street - 10, shop_w, 10.0],
              ((mid - 0.5) * shop_w, y_street)),
             ("N", [(mid - 1) * shop_w, y_north, shop_w, 10.0], ((mid - 0.5) * shop_w, y_north))]

    def floor_space(lid: str, xy: tuple[float, float]) -> str:
        if lid in parks:
            return f"{lid}-parking"
        x = xy[0]
        a1, a2 = length * 0.3, length * 0.7
        if x <= a1 - 10:
            return f"{lid}-street-w"
        if x <= a1 + 10:
            return f"{lid}-atrium-1"
        if x <= a2 - 10:
            return f"{lid}-street-m"
        if x <= a2 + 10:
            return f"{lid}-atrium-2"
        return f"{lid}-street-e"

    for lo, hi in itertools.pairwise(order):
        for name, rect, door in cores:
            sid = f"stair-{name}-{lo}-{hi}"
            spaces.append({"id": sid, "kind": "stair", "levels": [lo, hi], "rect": rect,
                           "length_m": 12.0, "riser_mm": 160, "tread_mm": 280})
            foot = (door[0], door[1] + (0.5 if name in "WE" else 0.0))
            head = (door[0], door[1] - (0.5 if name in "WE" else 0.0))
            if name in "SN":
                foot = (door[0] - 2.0, door[1])
                head = (door[0] + 2.0, door[1])
            openings.append({"id": f"{sid}-foot", "between": [floor_space(lo, foot), sid],
                             "width_m": 2.0, "at": list(foot), "level": lo})
            openings.append({"id": f"{sid}-head", "between": [floor_space(hi, head), sid],
                             "width_m": 2.0, "at": list(head), "level": hi})
    return {"schema": "safemall/layout/1",
            "mall": {"name": "Grand-like (synthetic)", "sprinklered": True},
            "levels": levels, "spaces": spaces, "openings": openings}


def _random_points(net: Network, cells: list[str], n: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` uniform points in the given cells, weighted by area; ``(cell_idx, x, y)``."""
    areas = np.array([net.cells[c].area_m2 for c in cells])
    pick = rng.choice(len(cells), size=n, p=areas / areas.sum())
    x = np.empty(n)
    y = np.empty(n)
    for ci in np.unique(pick):
        m = np.flatnonzero(pick == ci)
        shape = net.cells[cells[ci]].shape
        if shape is None:
            raise ValueError(f"cell {cells[ci]!r} has no polygon")
        minx, miny, maxx, maxy = shape.bounds
        px = rng.uniform(minx, maxx, size=len(m))
        py = rng.uniform(miny, maxy, size=len(m))
        inside = shapely.contains_xy(shape, px, py)
        c = shape.representative_point()
        px[~inside], py[~inside] = c.x, c.y
        # keep a little away from walls
        x[m] = px + (c.x - px) * 0.1
        y[m] = py + (c.y - py) * 0.1
    return pick, x, y


def make_synthetic_replay(layout: Layout | Mapping[str, Any] | None = None,
                          n_occupants: int = 500, *, seed: int = 0,
                          scenario: str = "drill", n_guards: int | None = None,
                          t_alarm: float = 60.0, shop_waypoints: int = 4,
                          sample_s: float = 5.0, network: Network | None = None) -> Replay:
    """Build a plausible :class:`Replay` (see module doc).

    Parameters
    ----------
    layout : Layout or mapping, optional
        Defaults to :func:`default_layout`.
    n_occupants : int
        Occupants placed uniformly (by area) over shops, corridors, atria and car parks.
    scenario : {"drill", "fire", "attack"}
        ``fire`` adds smoke series; ``attack`` adds an attacker, victims, police.
    shop_waypoints : int
        Wandering waypoints per occupant before the alarm (controls the file size).
    """
    if layout is None:
        layout = default_layout()
    elif not isinstance(layout, Layout):
        layout = layout_from_dict(layout)
    if scenario not in ("drill", "fire", "attack"):
        raise ValueError(f"unknown scenario {scenario!r}")
    rng = np.random.default_rng(seed)
    net = network or build_network(layout)
    level_ids = layout.level_ids()
    lvl = {lid: i for i, lid in enumerate(level_ids)}
    rg = net.route_graph
    exit_portals = [p for p in net.exit_portals if p in rg]
    dist, paths = nx.multi_source_dijkstra(rg, exit_portals, weight="length_m")
    cell_ids = list(net.cells)
    cidx = {c: i for i, c in enumerate(cell_ids)}
    walk_cells = [c for c, cell in net.cells.items()
                  if cell.kind in WALKABLE and cell.shape is not None
                  and any(p in dist for p in net.portals_of[c])]
    if n_guards is None:
        n_guards = max(2, min(80, n_occupants // 400 + 2))

    rows: list[np.ndarray] = []
    kinds: list[int] = []
    labels: list[str] = []
    # cell residence intervals for the occupancy series: (cell, t_in, t_out)
    stays: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    exit_count: dict[str, int] = {}

    # ---- occupants -------------------------------------------------------------------
    pick, x0, y0 = _random_points(net, walk_cells, n_occupants, rng)
    speed = np.clip(rng.normal(1.25, 0.25, n_occupants), 0.6, 1.9)
    pre = rng.lognormal(math.log(45.0), 0.6, n_occupants)
    # one route per start cell and nearest portal; queue delay grows with exit load
    exit_load: dict[str, int] = {}
    for e in range(n_occupants):
        c = walk_cells[pick[e]]
        cell = net.cells[c]
        li = lvl[cell.level]
        ts: list[float] = [0.0]
        xs: list[float] = [x0[e]]
        ys: list[float] = [y0[e]]
        ls: list[int] = [li]
        ss: list[int] = [State.UNAWARE]
        # wander before the alarm
        if shop_waypoints:
            tw = np.sort(rng.uniform(0, t_alarm, shop_waypoints))
            _, wx, wy = _random_points(net, [c], shop_waypoints, rng)
            for k in range(shop_waypoints):
                ts.append(float(tw[k]))
                xs.append(float(wx[k]))
                ys.append(float(wy[k]))
                ls.append(li)
                ss.append(State.UNAWARE)
        t = t_alarm + float(pre[e])
        ts.append(t)
        xs.append(xs[-1])
        ys.append(ys[-1])
        ls.append(li)
        ss.append(State.MOVING)
        start = min((p for p in net.portals_of[c] if p in dist),
                    key=lambda p: dist[p] + math.dist(net.portals[p].at, (xs[-1], ys[-1])))
        route = list(reversed(paths[start]))
        stay_c, stay_in, stay_out = [cidx[c]], [0.0], []
        here = (xs[-1], ys[-1])
        prev_p: str | None = None
        for p in route:
            portal = net.portals[p]
            if prev_p is None:
                d = math.dist(here, portal.at)
                v = speed[e]
            else:
                ed = rg.edges[prev_p, p]
                d = ed["length_m"]
                v = speed[e] * (0.55 if net.cells[ed["cell"]].is_stair else 1.0)
            t += d / v
            stay_out.append(t)
            cur_cell = cell_ids[stay_c[-1]]
            other = portal.other(cur_cell) if cur_cell in (portal.a, portal.b) else portal.b
            stay_c.append(cidx[other])
            stay_in.append(t)
            ts.append(t)
            xs.append(portal.at[0])
            ys.append(portal.at[1])
            ls.append(lvl[portal.level])
            ss.append(State.MOVING)
            prev_p = p
        # queue at the exit door, then safe
        last = route[-1]
        load = exit_load.get(last, 0)
        exit_load[last] = load + 1
        width = net.portals[last].width_m
        q = max(0.0, load / (1.3 * width) - (t - t_alarm)) * 0.5 + rng.exponential(1.0)
        ss[-1] = State.QUEUING
        t += q
        ts.append(t)
        xs.append(xs[-1])
        ys.append(ys[-1])
        ls.append(ls[-1])
        ss.append(State.SAFE)
        stay_out[-1] = t
        opening = net.portals[last].opening or last
        exit_count[opening] = exit_count.get(opening, 0) + 1
        stays.append((np.asarray(stay_c[:-1]), np.asarray(stay_in[:-1]),
                      np.asarray(stay_out)))
        rows.append(_rows(len(kinds), ts, xs, ys, ls, ss))
        kinds.append(KIND["occupant"])
        labels.append("")

    # ---- guards -----------------------------------------------------------------------
    corridor_cells = [c for c in walk_cells if net.cells[c].kind in ("corridor", "atrium")] \
        or walk_cells
    gpick, gx, gy = _random_points(net, corridor_cells, n_guards, rng)
    incident_cell = corridor_cells[int(rng.integers(len(corridor_cells)))]
    ic = net.cells[incident_cell]
    inc_xy = ic.centroid
    inc_level = lvl[ic.level]
    t_fr = math.inf
    fr_guard = -1
    for g in range(n_guards):
        c = corridor_cells[gpick[g]]
        li = lvl[net.cells[c].level]
        kind = "guard" if g % 5 else ("officer" if g % 10 == 0 else "team")
        ts = [0.0, t_alarm * 0.5]
        xs = [gx[g], gx[g] + rng.normal(0, 3)]
        ys = [gy[g], gy[g] + rng.normal(0, 3)]
        ls = [li, li]
        ss = [State.ON_POST, State.PATROLLING]
        t = t_alarm + rng.uniform(5, 20)
        ts.append(t)
        xs.append(xs[-1])
        ys.append(ys[-1])
        ls.append(li)
        ss.append(State.RESPONDING)
        if li == inc_level:
            d = math.dist((xs[-1], ys[-1]), inc_xy)
            t += d / 2.5
            ts.append(t)
            xs.append(inc_xy[0] + rng.normal(0, 2))
            ys.append(inc_xy[1] + rng.normal(0, 2))
            ls.append(li)
            ss.append(State.ENGAGED if scenario == "attack" else State.DIRECTING)
            if t < t_fr:
                t_fr, fr_guard = t, len(kinds)
        else:
            t += 30
            ts.append(t)
            xs.append(xs[-1] + rng.normal(0, 4))
            ys.append(ys[-1] + rng.normal(0, 4))
            ls.append(li)
            ss.append(State.DIRECTING)
        t += 120
        ts.append(t)
        xs.append(xs[-1])
        ys.append(ys[-1])
        ls.append(li)
        ss.append(State.SWEEPING)
        rows.append(_rows(len(kinds), ts, xs, ys, ls, ss))
        kinds.append(KIND[kind])
        labels.append(f"{kind} {g + 1}")

    marks: list[dict[str, Any]] = []
    series: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {"scenario": f"synthetic {scenario}", "seed": seed,
                            "synthetic": True, "n_occupants": n_occupants}
    if scenario == "attack":
        t_attack = max(t_alarm - 20.0, 1.0)
        marks.append({"t": t_attack, "kind": "attack", "label": f"attack in {ic.space}"})
        # attacker walks toward the incident cell, then is neutralised by the first guard
        ax0 = (inc_xy[0] - 25.0, inc_xy[1])
        t_neut = (t_fr if math.isfinite(t_fr) else t_alarm + 120) + 20
        attacker = _rows(len(kinds), [t_attack, t_alarm, t_neut - 20, t_neut],
                         [ax0[0], inc_xy[0] - 5, inc_xy[0], inc_xy[0]],
                         [ax0[1], inc_xy[1], inc_xy[1] + 2, inc_xy[1] + 2],
                         [inc_level] * 4,
                         [State.ATTACKING, State.ATTACKING, State.ATTACKING,
                          State.NEUTRALISED])
        rows.append(attacker)
        kinds.append(KIND["attacker"])
        labels.append("attacker")
        marks.append({"t": t_neut, "kind": "neutralised", "label": "attacker neutralised"})
        # victims: occupants on that level nearest the attack path at t_alarm
        tmp = Replay(layout={}, meta={}, entity_kind=np.asarray(kinds, np.uint8),
                     entity_label=labels, waypoints=np.concatenate(rows))
        from viz.player import Tracks

        tr = Tracks(tmp)
        snap = tr.at(t_alarm)
        occ = np.flatnonzero((tr.kind == KIND["occupant"]) & (snap.level == inc_level))
        if len(occ):
            d2 = (snap.x[occ] - inc_xy[0]) ** 2 + (snap.y[occ] - inc_xy[1]) ** 2
            victims = occ[np.argsort(d2)[: max(1, min(8, len(occ) // 50))]]
            for k, v in enumerate(victims):
                r = rows[v]
                keep = r[r["t"] < t_alarm]
                state = State.DEAD if k < 2 else (State.INCAPACITATED if k < 4
                                                  else State.INJURED)
                hit = np.zeros(1, WAYPOINT_DTYPE)
                hit[0] = (v, t_alarm, snap.x[v], snap.y[v], snap.level[v], state)
                rows[v] = np.concatenate([keep, hit])
                stays[v] = (stays[v][0][:1], stays[v][1][:1], np.array([np.inf]))
        # police arrive at an exit door
        ex = net.portals[exit_portals[0]]
        t_police = t_alarm + 420.0
        for k in range(3):
            rows.append(_rows(len(kinds), [t_police, t_police + 60],
                              [ex.at[0] + k, inc_xy[0] + k * 2], [ex.at[1], inc_xy[1] - 3],
                              [lvl[ex.level], inc_level], [State.RESPONDING, State.ENGAGED]))
            kinds.append(KIND["police"])
            labels.append(f"police {k + 1}")
        marks.append({"t": t_police, "kind": "police", "label": "police arrive"})
        meta["attack"] = {"space": ic.space, "cell": incident_cell}
    if scenario == "fire":
        marks.append({"t": 0.0, "kind": "fire", "label": f"fire in {ic.space}"})
        marks.append({"t": t_alarm * 0.6, "kind": "detection", "label": "smoke detector"})
        meta["fire"] = {"space": ic.space, "cell": incident_cell, "at": list(inc_xy)}
    marks.append({"t": t_alarm, "kind": "alarm", "label": "general alarm"})
    if math.isfinite(t_fr):
        marks.append({"t": t_fr, "kind": "first_responder",
                      "label": f"first responder ({labels[fr_guard]})"})

    wp = np.concatenate(rows) if rows else np.zeros(0, WAYPOINT_DTYPE)
    order = np.lexsort((wp["t"], wp["entity"]))
    wp = wp[order]
    duration = float(wp["t"].max()) if len(wp) else 0.0
    safe_t = np.sort(wp["t"][wp["state"] == State.SAFE])
    if len(safe_t):
        marks.append({"t": float(safe_t[-1]), "kind": "last_out",
                      "label": "last occupant out"})
    marks.sort(key=lambda m: m["t"])

    series_t = np.arange(0.0, duration + sample_s, sample_s, dtype=np.float32)
    series["occupancy"] = _occupancy(stays, series_t, len(cell_ids))
    if scenario == "fire":
        k, temp, layer = _smoke(net, incident_cell, series_t, t_alarm)
        series["smoke_extinction_per_m"] = k
        series["temperature_c"] = temp
        series["smoke_layer_m"] = layer

    total_w = sum(net.portals[p].width_m for p in exit_portals)
    meta["metrics"] = {
        "t_lower_bound_s": round(t_alarm + n_occupants / (1.3 * max(total_w, 0.1)), 1),
        "t_evacuation_s": round(float(safe_t[-1]), 1) if len(safe_t) else None,
        "exit_counts": dict(sorted(exit_count.items())),
        "evacuated": len(safe_t),
    }
    exits = list(layout.exit_openings)
    cams = [s for s in layout.spaces.values() if s.kind in ("corridor", "atrium")][:12]
    meta["security"] = {
        "cameras": [{"id": f"cam-{i + 1}", "space": s.id,
                     "at": [round(s.centroid[0], 2), round(s.centroid[1], 2)]}
                    for i, s in enumerate(cams)],
        "barriers": [{"opening": o, "kind": "bollards"} for o in exits[:2]],
    }
    meta["network"] = {"max_cell_area_m2": net.max_cell_area_m2,
                       "max_cell_length_m": net.max_cell_length_m}
    return Replay(layout=layout_to_dict(layout), meta=meta,
                  entity_kind=np.asarray(kinds, np.uint8), entity_label=labels,
                  waypoints=wp, marks=marks, cell_ids=cell_ids, series_t=series_t,
                  series=series, level_ids=level_ids)


def _rows(e: int, ts: list[float], xs: list[float], ys: list[float], ls: list[int],
          ss: list[int]) -> np.ndarray:
    r = np.zeros(len(ts), WAYPOINT_DTYPE)
    r["entity"] = e
    r["t"] = ts
    r["x"] = xs
    r["y"] = ys
    r["level"] = ls
    r["state"] = ss
    return r


def _occupancy(stays: list[tuple[np.ndarray, np.ndarray, np.ndarray]], series_t: np.ndarray,
               n_cells: int) -> np.ndarray:
    """Persons per cell at each sample time, from residence intervals."""
    if not stays:
        return np.zeros((len(series_t), n_cells), np.float32)
    c = np.concatenate([s[0] for s in stays])
    t_in = np.concatenate([s[1] for s in stays])
    t_out = np.concatenate([s[2] for s in stays])
    n = len(series_t)
    i_in = np.searchsorted(series_t, t_in, side="left")
    i_out = np.searchsorted(series_t, t_out, side="left")
    diff = np.zeros((n + 1, n_cells), np.int64)
    np.add.at(diff, (i_in, c), 1)
    np.add.at(diff, (i_out, c), -1)
    return np.cumsum(diff, axis=0)[:n].astype(np.float32)


def _smoke(net: Network, fire_cell: str, series_t: np.ndarray,
           t_alarm: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Extinction coefficient (1/m) spreading from the fire cell, temperatures, and a layer
    descending from 4 m to 1 m where there is smoke (NaN elsewhere)."""
    g = nx.Graph()
    g.add_nodes_from(net.cells)
    g.add_edges_from((p.a, p.b) for p in net.portals.values())
    hops = nx.single_source_shortest_path_length(g, fire_cell, cutoff=12)
    cells = list(net.cells)
    k = np.zeros((len(series_t), len(cells)), np.float32)
    temp = np.full((len(series_t), len(cells)), 20.0, np.float32)
    layer = np.full((len(series_t), len(cells)), np.nan, np.float32)
    t = series_t.astype(np.float64)
    for i, c in enumerate(cells):
        h = hops.get(c)
        if h is None or net.cells[c].is_exit:
            continue
        arrive = 20.0 * h
        grow = np.clip((t - arrive) / (t_alarm * 4 + 60.0 * h), 0, 1)
        k[:, i] = (1.2 / (1 + 0.6 * h)) * grow
        temp[:, i] = 20.0 + (600.0 / (1 + 2.5 * h)) * grow
        layer[:, i] = np.where(grow > 0, 4.0 - 3.0 * grow, np.nan)
    return k, temp, layer
