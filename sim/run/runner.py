"""Run one replication of a scenario and summarise it.

:func:`run_scenario` builds the world (layout → cells → graphs), places the occupants,
starts the hazards and the security staff, runs SimPy until everyone is out (or harmed)
and every hazard has ended, or until ``duration_s``, and returns a :class:`RunResult`
that carries its own scenario, seed and metrics (names and units fixed, see
``docs/metrics.md``).
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from sim.engine import movement as mv
from sim.engine.graphs import Network, build_network
from sim.engine.lower_bound import quickest_evacuation_time_s
from sim.engine.metrics import MetricCollector
from sim.engine.population import populate
from sim.engine.replay import ENTITY_KINDS, WAYPOINT_DTYPE, Replay
from sim.engine.replay import SCHEMA as REPLAY_SCHEMA
from sim.engine.rng import SeedLike, Streams
from sim.engine.world import Mark, World
from sim.hazards.registry import start_hazards
from sim.model.layout_schema import layout_to_dict
from sim.model.scenario import Scenario
from sim.security.runtime import start_security
from sim.version import __version__

ProgressFn = Callable[[float, int, int], None]


@dataclass
class RunResult:
    """Outcome of one replication: metrics, move log, marks; optionally the world."""

    scenario: Scenario
    seed: int | None
    seed_entropy: int
    spawn_key: tuple[int, ...]
    metrics: dict[str, Any]
    moves: dict[str, np.ndarray]
    marks: list[Mark]
    cell_ids: list[str]
    portal_ids: list[str]
    t_safe: np.ndarray
    world: World | None = field(default=None, repr=False)

    def evacuation_curve(self, dt_s: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """Times (s) and cumulative evacuated persons, sampled every ``dt_s``."""
        t_end = float(np.nanmax(self.t_safe)) if np.isfinite(self.t_safe).any() else 0.0
        ts = np.arange(0.0, t_end + dt_s, dt_s)
        done = np.sort(self.t_safe[np.isfinite(self.t_safe)])
        return ts, np.searchsorted(done, ts, side="right")

    def to_json(self) -> dict[str, Any]:
        """Flat JSON-serialisable summary (metrics plus identity)."""
        out = dict(self.metrics)
        out["scenario"] = self.scenario.name or Path(self.scenario.source).stem
        return out

    def to_replay(self) -> Replay:
        """The replay of this run (needs ``record_tracks=True``)."""
        w = self.world
        if w is None or not w.record_tracks:
            raise ValueError("run the scenario with record_tracks=True to build a replay")
        kinds = [0] * w.n + [ENTITY_KINDS.index(k) for k, _ in w.extra_entities]
        labels = [""] * w.n + [lbl for _, lbl in w.extra_entities]
        wp = np.array(w.tracks, dtype=WAYPOINT_DTYPE) if w.tracks \
            else np.zeros(0, WAYPOINT_DTYPE)
        order = np.lexsort((wp["t"], wp["entity"]))
        wp = wp[order]
        dt = max(1.0, self.scenario.output.sample_dt_s)
        t_end = max(float(self.metrics.get("t_end_s", 0.0)), dt)
        ts = np.arange(0.0, t_end + dt, dt, dtype=np.float32)
        occ = occupancy_grid(self, ts)
        series: dict[str, np.ndarray] = {"occupancy": occ.astype(np.float32)}
        for h in w.hazards:
            series.update(h.series(ts))
        meta = {"scenario": self.scenario.model_dump(mode="json", by_alias=True),
                "seed": self.seed, "metrics": self.metrics, "sim_version": __version__,
                "schema": REPLAY_SCHEMA}
        meta.update(w.replay_meta)
        return Replay(layout=layout_to_dict(w.layout), meta=meta,
                      entity_kind=np.asarray(kinds, dtype=np.uint8), entity_label=labels,
                      waypoints=wp, marks=[{"t": m.t, "kind": m.kind, "label": m.label}
                                           for m in self.marks],
                      cell_ids=list(w.cell_ids), series_t=ts, series=series,
                      level_ids=list(w.level_ids))


def occupancy_grid(result: RunResult, ts: np.ndarray) -> np.ndarray:
    """Persons per cell at each time in ``ts`` (array ``len(ts) × cells``)."""
    mv = result.moves
    n_cells = len(result.cell_ids)
    init = np.bincount(mv["start_cell"], minlength=n_cells).astype(np.int64)
    t = np.concatenate([mv["t"], mv["t"], mv["removed_t"]])
    c = np.concatenate([mv["to"], mv["from"], mv["removed_cell"]])
    d = np.concatenate([np.ones(len(mv["t"]), np.int64), -np.ones(len(mv["t"]), np.int64),
                        -np.ones(len(mv["removed_t"]), np.int64)])
    grid = np.zeros((len(ts), n_cells), np.int64)
    k = np.searchsorted(ts, t, side="left")
    ok = k < len(ts)
    np.add.at(grid, (k[ok], c[ok]), d[ok])
    return init[None, :] + np.cumsum(grid, axis=0)


Events = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _occupancy_events(world: World, moves: dict[str, np.ndarray]) -> Events:
    """Every change of a cell's head count, grouped by cell and ordered in time.

    Returns the initial count per cell, and per event (sorted by cell, then time) its
    cell, time (s) and the cell's count after it, plus the index where each cell's group
    starts.
    """
    n_cells = len(world.cell_ids)
    init = np.bincount(moves["start_cell"], minlength=n_cells).astype(np.int64)
    m = len(moves["t"])
    cells = np.concatenate([np.stack([moves["to"], moves["from"]], 1).ravel(),
                            moves["removed_cell"]]).astype(np.int64)
    delta = np.concatenate([np.tile(np.array([1, -1], np.int64), m),
                            -np.ones(len(moves["removed_cell"]), np.int64)])
    times = np.concatenate([np.repeat(moves["t"], 2), moves["removed_t"]]).astype(float)
    order = np.lexsort((np.arange(len(times)), times, cells))
    cells, delta, times = cells[order], delta[order], times[order]
    if not len(cells):
        return init, cells, times, delta, np.zeros(0, np.int64)
    csum = np.cumsum(delta)
    starts = np.r_[0, np.flatnonzero(np.diff(cells)) + 1]
    base = np.r_[0, csum[starts[1:] - 1]] if len(starts) > 1 else np.zeros(1, np.int64)
    running = csum - np.repeat(base, np.diff(np.r_[starts, len(cells)]))
    return init, cells, times, init[cells] + running, starts


def peak_density(world: World, moves: dict[str, np.ndarray], events: Events | None = None
                 ) -> tuple[float, str, np.ndarray]:
    """Peak persons/m² over all non-exit cells, its cell, and the peak count per cell
    (``events``: :func:`_occupancy_events` when the caller already has them)."""
    init, cells, _, count, starts = events or _occupancy_events(world, moves)
    peak = init.copy()
    if len(cells):
        ucells = cells[starts]
        peak[ucells] = np.maximum(init[ucells], np.maximum.reduceat(count, starts))
    area = np.array(world.area)
    dens = np.where((area > 0) & ~np.array(world.is_exit), peak / np.maximum(area, 1e-9), 0.0)
    k = int(np.argmax(dens)) if len(dens) else 0
    return float(dens[k]) if len(dens) else 0.0, world.cell_ids[k] if len(dens) else "", peak


def congested_time(world: World, moves: dict[str, np.ndarray], t_end_s: float,
                   events: Events | None = None) -> tuple[float, str]:
    """The longest time (s) any cell spent at IMO congestion density, and its space.

    A cell is congested while it holds at least ``floor(4 p/m² × area)`` persons (the head
    count of a 4 p/m² cell, rounded down as the engine rounds its capacities), which is the
    engine's jam density at the default ``movement.jam_density_pm2``. Cells holding fewer
    than two persons at that density and exits are not judged. IMO MSC.1/Circ.1533
    (advanced analysis) calls congestion significant when a place stays above 4 p/m² for
    more than 10 % of the evacuation time (:func:`sim.engine.movement.imo_congested`).
    """
    init, cells, times, count, starts = events or _occupancy_events(world, moves)
    area = np.asarray(world.area, dtype=float)
    thr = np.floor(area * mv.IMO_CONGESTION_PM2 + 1e-9)
    judged = ~np.asarray(world.is_exit, dtype=bool) & (thr >= 2)
    spent = np.zeros(len(area))
    first = np.full(len(area), float(t_end_s))
    if len(cells):
        first[cells[starts]] = times[starts]
        nxt = np.r_[times[1:], t_end_s]
        nxt[np.r_[starts[1:] - 1, len(cells) - 1]] = t_end_s
        dur = np.clip(np.minimum(nxt, t_end_s) - np.minimum(times, t_end_s), 0.0, None)
        np.add.at(spent, cells, np.where(count >= thr[cells], dur, 0.0))
    spent += np.where(init >= thr, np.minimum(first, t_end_s), 0.0)
    spent = np.where(judged, spent, 0.0)
    if not len(spent) or spent.max() <= 0.0:
        return 0.0, ""
    k = int(np.argmax(spent))
    return float(spent[k]), world.cell_ids[k].split("#")[0]


def lower_bound_graph(world: World) -> tuple[nx.DiGraph, dict[int, int], list[int]]:
    """The cell network for the quickest-flow bound: capacities and minimum transits."""
    g: nx.DiGraph = nx.DiGraph()
    vmax = max(world.v0) if world.v0 else 1.0
    vstair = max(max(world.stair_up, default=vmax), max(world.stair_down, default=vmax))
    for c in range(len(world.cell_ids)):
        g.add_node(c, store=world.base_cap[c] if not world.is_exit[c] else 10**9)
    for door in world.doors:
        # openings closed during the run stay in (dropping constraints keeps it a bound);
        # openings closed from the start are not part of the building
        if door.idx in world.closed_from_start:
            continue
        for d, (frm, to) in enumerate(((door.a, door.b), (door.b, door.a))):
            if world.is_exit[frm]:
                continue
            if world.is_exit[to]:
                transit = 0.0
            else:
                others = [world.within[(to, door.idx, r)] for r in world.portals_of[to]
                          if r != door.idx and (to, door.idx, r) in world.within]
                v = vstair if world.is_stair[to] else vmax
                transit = min(others) / v if others else 0.0
            cap = 1.0 / door.base_headway[d]
            if g.has_edge(frm, to):  # parallel openings: sum capacities, keep the fastest
                e = g.edges[frm, to]
                e["cap_ps"] += cap
                e["transit_s"] = min(e["transit_s"], transit)
            else:
                g.add_edge(frm, to, cap_ps=cap, transit_s=transit)
    supply: dict[int, int] = {}
    for c in world.start_cell:
        supply[c] = supply.get(c, 0) + 1
    exits = [c for c in range(len(world.cell_ids)) if world.is_exit[c]]
    return g, supply, exits


def run_scenario(scenario: Scenario, *, seed: SeedLike | None = None,
                 record_tracks: bool = False, progress: ProgressFn | None = None,
                 keep_world: bool = False, network: Network | None = None) -> RunResult:
    """Run one replication of ``scenario`` and return its result.

    Python's cyclic garbage collector is paused for the run and restored afterwards (even
    when the run fails). A run allocates millions of short-lived objects (events, queue
    entries, log rows) that die by reference counting; left on, the collector walks the
    whole live heap again and again for nothing, 25-35 % of a large run. The world a run
    leaves behind is collected after it, when the collector runs again.

    Parameters
    ----------
    scenario : Scenario
        Validated scenario (see :func:`sim.io.scenario_files.load_scenario`).
    seed : int or numpy.random.SeedSequence, optional
        Overrides ``scenario.seed``; a batch passes a child ``SeedSequence``.
    record_tracks : bool
        Record waypoints for a replay (``RunResult.to_replay``).
    progress : callable, optional
        Called about every 10 simulated seconds as ``progress(t_s, evacuated, occupants)``.
    keep_world : bool
        Keep the :class:`World` on the result (for replays and inspection).
    network : Network, optional
        The network of ``scenario.layout`` built beforehand (callers that run a scenario
        many times keep it, see :class:`sim.io.scenario_files.InputCache`); else built
        here.
    """
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return _run(scenario, seed, record_tracks, progress, keep_world, network)
    finally:
        if gc_was_on:
            gc.enable()


def _run(scenario: Scenario, seed: SeedLike | None, record_tracks: bool,
         progress: ProgressFn | None, keep_world: bool, network: Network | None) -> RunResult:
    wall0 = time.perf_counter()
    s = scenario.seed if seed is None else seed
    streams = Streams(s)
    net = network if network is not None else build_network(
        scenario.layout, max_cell_area_m2=scenario.movement.max_cell_area_m2,
        max_cell_length_m=scenario.movement.max_cell_length_m)
    if net.layout is not scenario.layout and net.layout != scenario.layout:
        raise ValueError("the network was built for another building than the scenario's")
    world = World(scenario, net.layout, net, streams, record_tracks=record_tracks)
    if scenario.geometry.closed:
        world.close_openings(scenario.geometry.closed, field="geometry.closed")
    populate(world)
    start_security(world)
    start_hazards(world)
    if not scenario.hazards:
        # a scenario without hazards is a plain evacuation: everyone cued at t = 0
        world.metrics["t_alarm_s"] = 0.0
        world.signals.fire(world.signals.alarm_sounded)
        world.cue_all("alarm")
    env = world.env
    env.process(world.watchdog())
    if progress is not None:
        env.process(_progress(world, progress))
    done = env.event()

    def _stopper() -> Any:
        while True:
            yield env.timeout(5.0)
            if world.evacuated + world.casualties >= world.n and world.hazards_active <= 0:
                if not done.triggered:
                    done.succeed()
                return

    env.process(_stopper())
    env.run(until=env.any_of([done, env.timeout(scenario.duration_s)]))
    t_end = env.now
    chain = world.alarm_chain
    if chain is not None and chain.staff is not None:
        chain.staff.finish()
    for h in world.hazards:
        h.finish()
    wall = time.perf_counter() - wall0
    moves: dict[str, np.ndarray] = {
        **world.log_columns(),
        "start_cell": np.asarray(world.start_cell, dtype=np.int32),
        "removed_t": np.asarray(world.removed_t, dtype=np.float64),
        "removed_cell": np.asarray(world.removed_cell, dtype=np.int32),
    }
    metrics = _metrics(world, moves, t_end, wall, s)
    if progress is not None:
        progress(t_end, world.evacuated, world.n)
    seed_int = int(s) if isinstance(s, int | np.integer) else None
    ss = streams
    return RunResult(scenario=scenario, seed=seed_int, seed_entropy=int(ss.entropy),
                     spawn_key=ss.spawn_key, metrics=metrics, moves=moves,
                     marks=sorted(world.marks, key=lambda m: m.t),
                     cell_ids=list(world.cell_ids), portal_ids=list(world.portal_ids),
                     t_safe=np.asarray(world.t_safe, dtype=np.float64),
                     world=world if (keep_world or record_tracks) else None)


def _progress(world: World, fn: ProgressFn) -> Any:
    while True:
        yield world.env.timeout(10.0)
        fn(world.env.now, world.evacuated, world.n)


def _metrics(world: World, moves: dict[str, np.ndarray], t_end: float, wall: float,
             seed: SeedLike) -> dict[str, Any]:
    n = world.n
    t_safe = np.asarray(world.t_safe, dtype=np.float64)
    safe = np.sort(t_safe[np.isfinite(t_safe)])
    inside = n - world.evacuated - world.casualties
    t_evac = float(safe[-1]) if (inside == 0 and world.casualties == 0 and len(safe)) \
        else (0.0 if n == 0 else None)
    k95 = math.ceil(0.95 * n)
    t95 = float(safe[k95 - 1]) if n and len(safe) >= k95 else (0.0 if n == 0 else None)
    events = _occupancy_events(world, moves)  # sorted once for both measures
    peak, peak_cell, _ = peak_density(world, moves, events)
    t_horizon = t_evac if t_evac is not None else t_end
    cong_s, cong_space = congested_time(world, moves, t_horizon, events)
    exit_counts: dict[str, int] = {}
    for q in world.exit_used:
        if q >= 0:
            key = world.portal_opening[q] or world.portal_ids[q]
            exit_counts[key] = exit_counts.get(key, 0) + 1
    lb = None
    if world.scenario.output.lower_bound and n:
        lb = _lower_bound(world)
    started = [t for t in world.t_start if not math.isnan(t)]
    m: dict[str, Any] = {
        "occupants": n,
        "evacuated": world.evacuated,
        "inside": inside,
        "casualties": world.casualties,
        "t_evacuation_s": t_evac,
        "t95_evacuation_s": t95,
        "t_lower_bound_s": lb,
        "peak_density_pm2": round(peak, 4),
        "peak_density_space": peak_cell.split("#")[0],
        "congested_time_s": round(cong_s, 3),
        "congested_space": cong_space or None,
        "congested_share": round(cong_s / t_horizon, 4) if t_horizon > 0 else 0.0,
        "exit_counts": dict(sorted(exit_counts.items())),
        "mean_premovement_s": float(np.mean(started)) if started else None,
        "moves": world.moves,
        "deadlocks_resolved": world.deadlocks_resolved,
        "t_end_s": t_end,
        "seed": int(seed) if isinstance(seed, int | np.integer) else None,
        "seed_entropy": int(world.streams.entropy),
        "spawn_key": list(world.streams.spawn_key),
    }
    out = MetricCollector()  # every key declared (sim.engine.metrics)
    for key, value in m.items():
        out[key] = value
    for key in world.metrics:
        out[key] = world.metrics[key]
    if "t_incident_s" in out and "t_alarm_s" not in out:
        # an incident happened and no alarm ever sounded: that is "never" (null, judged as
        # the worst case), not a metric the run does not produce
        out["t_alarm_s"] = None
        out["t_alarm_after_incident_s"] = None
    out["wall_s"] = round(wall, 4)
    return out.as_dict()


def _lower_bound(world: World) -> float | None:
    """Quickest-flow lower bound (s) with the run's own release (start) times."""
    g, supply, exits = lower_bound_graph(world)
    release: dict[int, list[float]] = {}
    for i, c in enumerate(world.start_cell):
        t = world.t_start[i]
        release.setdefault(c, []).append(0.0 if math.isnan(t) else float(t))
    if any(math.isnan(t) for t in world.t_start):
        # someone never started: the bound without releases is still a valid bound
        release_arg = None
    else:
        release_arg = release
    res = quickest_evacuation_time_s(g, supply, exits, release_s=release_arg)
    return round(float(res.t_s), 3)
