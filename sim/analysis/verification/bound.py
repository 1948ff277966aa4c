"""A quickest-flow lower bound built from published capacities, not from the engine.

``t_lower_bound_s`` (:func:`sim.run.lower_bound_graph`) is built from the engine's own
headways and drawn speeds, so it moves with them: a wrong headway makes both the run and
its bound wrong together. This bound is built from the layout and the scenario alone:

* one node per space, one arc per opening and direction (closed openings left out);
* arc capacity from the published maximum flows (:mod:`sim.analysis.verification.published`):
  SFPE doorways 1.3 p/s per m of width less 0.30 m, flights their SFPE (or IMO) Fs,max
  over the flight's width less 0.30 m, the smaller of the two for a door onto a flight;
  with the ``empirical`` calibration the top of the laboratory band, 2.4 p/s per m of
  clear width;
* transit: the straight distance from the opening to the nearest other opening of the
  space entered (a flight: its slope length) at the fastest free speed the scenario
  allows (its fixed speed, the maximum of its speed distribution or of its age groups'
  published ranges; 2.5 m/s when it declares none);
* no storage limit; each person released when they started to move in the run (the end
  of their pre-movement: behaviour, not a capacity; 0 for anyone who never started).

Every rounding relaxes (capacities up, transits down), so no correct run can finish
earlier: :func:`record_run` computes the bound for every engine run of the verification
suite, and a case whose run beats it fails.
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import networkx as nx

from sim.analysis.verification import published as pub
from sim.engine.lower_bound import quickest_evacuation_time_s
from sim.model.layout import Layout
from sim.model.scenario import Scenario
from sim.run.runner import RunResult

EMPIRICAL_FS_TOP = pub.BOTTLENECK_FS_BAND[1]
"""Upper end of the laboratory bottleneck band (persons/s per m of clear width)."""
DEFAULT_TOP_SPEED_MPS = 2.5
"""Fastest free speed assumed when a scenario declares no speed bound (m/s)."""
IMO_FS_STAIRS = (1.1, 0.88)
"""IMO MSC.1/Circ.1238 maximum specific flows of stairs down / up (p/s/m) [I1]."""


def _stair_fs(riser_mm: float | None, tread_mm: float | None) -> float:
    """Largest published SFPE Fs,max of a flight no steeper than this one (p/s/m)."""
    if not riser_mm or not tread_mm:
        return pub.SFPE_STAIRS[(7.0, 11.0)][1]
    ratio = tread_mm / riser_mm
    # the flow grows with tread/riser: take the next published type at or above it
    rows = sorted(((t / r, fs) for (r, t), (_, fs) in pub.SFPE_STAIRS.items()))
    for r, fs in rows:
        if r >= ratio * (1 - 0.01):
            return fs
    return rows[-1][1]


def top_speed_mps(scn: Scenario) -> float:
    """The fastest free walking speed the scenario allows (m/s)."""
    pop = scn.population
    if pop.groups:
        v = max(pub.RIMEA7_RANGES_MPS[g][1] for g in pop.groups)
    elif isinstance(pop.free_speed_mps, float | int):
        v = float(pop.free_speed_mps)
    elif pop.free_speed_mps is not None:
        v = pop.free_speed_mps.max if pop.free_speed_mps.sd > 0 else pop.free_speed_mps.mean
    else:
        v = DEFAULT_TOP_SPEED_MPS
    for fixed in (pop.stair_speed_up_mps, pop.stair_speed_down_mps):
        if fixed is not None:
            v = max(v, fixed)
    return v


def _capacity_ps(layout: Layout, scn: Scenario, opening_id: str, width_m: float) -> float:
    o = layout.openings[opening_id]
    if scn.movement.flow == "empirical":
        cap = EMPIRICAL_FS_TOP * width_m
    else:
        cap = pub.SFPE_FS_MAX_LEVEL * max(width_m - 2 * pub.BOUNDARY_LAYER_M["door"], 0.1)
    for sid in (o.a, o.b):
        s = layout.spaces[sid]
        if s.is_vertical and math.isfinite(s.clear_width_m):
            fs = max(IMO_FS_STAIRS) if scn.movement.stairs == "imo" \
                else _stair_fs(s.riser_mm, s.tread_mm)
            weff = max(s.clear_width_m - 2 * pub.BOUNDARY_LAYER_M["stair"], 0.1)
            cap = min(cap, fs * weff)
    return cap


def published_bound_graph(layout: Layout, scn: Scenario) -> nx.DiGraph:
    """The space network with published capacities and optimistic transits."""
    v = top_speed_mps(scn)
    closed = set(scn.geometry.closed)
    g: nx.DiGraph = nx.DiGraph()
    g.add_nodes_from(layout.spaces)
    for oid, o in layout.openings.items():
        if oid in closed:
            continue
        width = scn.geometry.widths.get(oid, o.width_m)
        cap = _capacity_ps(layout, scn, oid, width)
        for frm, to in ((o.a, o.b), (o.b, o.a)):
            if layout.spaces[frm].is_exit:
                continue
            space = layout.spaces[to]
            if space.is_exit:
                transit = 0.0
            else:
                others = [layout.openings[r] for r in layout.openings_of[to]
                          if r != oid and r not in closed]
                if space.is_vertical and space.length_m:
                    dist = min((space.length_m if r.level != o.level
                                else math.dist(r.at, o.at)) for r in others) if others else 0.0
                else:
                    dist = min((math.dist(r.at, o.at) for r in others), default=0.0)
                transit = dist / v
            if g.has_edge(frm, to):
                e = g.edges[frm, to]
                e["cap_ps"] += cap
                e["transit_s"] = min(e["transit_s"], transit)
            else:
                g.add_edge(frm, to, cap_ps=cap, transit_s=transit)
    return g


def published_bound_s(layout: Layout, scn: Scenario, res: RunResult) -> float:
    """Lower bound (s) on the evacuation time of the people of ``res``, from published
    capacities (only where each person stood and when they set off come from the run)."""
    return published_bound_and_slack(layout, scn, res)[0]


def published_bound_and_slack(layout: Layout, scn: Scenario, res: RunResult
                              ) -> tuple[float, float]:
    """The published-capacity bound (s) and the slack a discrete run may undercut it by:
    one headway of the slowest exit (see :attr:`BoundCheck.slack_s`)."""
    w = res.world
    assert w is not None
    supply: dict[str, int] = {}
    release: dict[str, list[float]] = {}
    for i, c in enumerate(w.start_cell):
        sid = w.cell_space[c]
        supply[sid] = supply.get(sid, 0) + 1
        t = w.t_start[i]
        release.setdefault(sid, []).append(0.0 if math.isnan(t) else float(t))
    g = published_bound_graph(layout, scn)
    exits = set(layout.exits)
    slack = max((1.0 / e["cap_ps"] for _, v, e in g.edges(data=True) if v in exits),
                default=0.0)
    t = float(quickest_evacuation_time_s(g, supply, layout.exits, release_s=release).t_s)
    return t, slack


@dataclass(frozen=True)
class BoundCheck:
    """One engine run compared with its published-capacity bound."""

    t_evacuation_s: float
    bound_s: float
    slack_s: float
    """One headway of the slowest exit: the bound is a fluid bound (N persons need N/c
    seconds), a door that lets one person through every 1/c seconds is done after
    (N − 1)/c, plus the first person's walk."""

    @property
    def beaten(self) -> bool:
        """True when the run finished before the bound allows (a defect)."""
        return self.t_evacuation_s < self.bound_s - self.slack_s - 1e-6


_LEDGER: contextvars.ContextVar[list[BoundCheck] | None] = contextvars.ContextVar(
    "bound_ledger", default=None)


@contextmanager
def bound_ledger() -> Iterator[list[BoundCheck]]:
    """Collect the bound checks of the engine runs made inside the block."""
    ledger: list[BoundCheck] = []
    token = _LEDGER.set(ledger)
    try:
        yield ledger
    finally:
        _LEDGER.reset(token)


def record_run(layout: Layout, scn: Scenario, res: RunResult) -> None:
    """Compare a finished run with its published bound (when a ledger is open)."""
    ledger = _LEDGER.get()
    t = res.metrics.get("t_evacuation_s")
    if ledger is None or t is None or res.world is None or res.world.n == 0:
        return
    ledger.append(BoundCheck(float(t), *published_bound_and_slack(layout, scn, res)))
