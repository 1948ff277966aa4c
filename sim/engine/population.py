"""Who is in the mall at t = 0: how many, where they stand, how fast they walk.

Occupant load
-------------
* ``count``: placed by area over the cells of ``in_kinds`` (multinomial).
* ``per_space``: exact numbers per space id, spread by area over its cells.
* ``density = "gb50016"``: GB 50016-2014 表 5.5.21-2 design densities of sales halls by
  floor (upper end of each range, the conservative reading; ``gb50016_low`` takes the lower
  end), times the floor's shop + corridor + atrium area (see :mod:`sim.analysis.egress_code`).
* ``density = "observed"``: densities measured in a Xi'an commercial complex (F1 0.32,
  F2 0.34, F3 0.31, F4+ 0.22, basements 0.28 persons/m²; a Pathfinder evacuation study of
  the 新时代商业中心, 2 basements + 4 storeys, republished on fx361.cc on 15 March 2021;
  its authors and journal were not recorded).

No cell is filled above its jam capacity; people who do not fit are placed in the next
cells of the same kinds.

Walking speeds
--------------
* Default free speed: SFPE ``k (1 - 0.266·0.54) = 1.19`` m/s with s.d. 0.15 m/s,
  truncated to [0.6, 1.6] m/s; Weidmann model: 1.34 ± 0.26 m/s, truncated to
  [0.46, 2.0] m/s (Weidmann 1993).
* Age groups (RiMEA test 7 / Weidmann): under 30: 0.58–1.61, 30–50: 1.41–1.54,
  over 50: 0.68–1.41 m/s; limited mobility 0.46–0.76 m/s; drawn uniformly in the range.
* Stairs: SFPE stair ``k`` for the stair's riser/tread over the level ``k`` (1.08/1.40 for
  7/11-inch stairs), both directions; or IMO (down 1.0/1.2, up 0.8/1.2 of the free speed).
  ``stair_speed_up_mps`` / ``stair_speed_down_mps`` fix them for everyone.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import shapely

from sim.engine import movement as mv
from sim.engine.world import World
from sim.errors import ScenarioError
from sim.model.design_density import design_density
from sim.model.limits import MAX_OCCUPANTS

GROUP_RANGES_MPS: Final = {"under30": (0.58, 1.61), "age30_50": (1.41, 1.54),
                           "over50": (0.68, 1.41)}
LIMITED_MOBILITY_MPS: Final = (0.46, 0.76)
OBSERVED_DENSITY_PM2: Final = {1: 0.32, 2: 0.34, 3: 0.31}
OBSERVED_DENSITY_UPPER_PM2: Final = 0.22
OBSERVED_DENSITY_BASEMENT_PM2: Final = 0.28


def _density_for(storey: int, which: str) -> float:
    if which == "observed":
        if storey < 0:
            return OBSERVED_DENSITY_BASEMENT_PM2
        return OBSERVED_DENSITY_PM2.get(storey, OBSERVED_DENSITY_UPPER_PM2)
    return design_density(storey, "low" if which == "gb50016_low" else "high")


def occupant_counts(world: World) -> list[int]:
    """Persons per cell at t = 0 (list aligned with ``world.cell_ids``)."""
    scn = world.scenario
    occ = scn.occupants
    rng = world.streams["placement"]
    counts = [0] * len(world.cell_ids)
    kinds = set(occ.in_kinds)
    cand = [c for c in range(len(world.cell_ids))
            if world.cell_kind[c] in kinds and world.area[c] > 0]
    named = [("per_space", sid, n) for sid, n in (occ.per_space or {}).items()]
    named += [("extra", sid, n) for sid, n in occ.extra.items()]
    if named:
        for key, sid, n in named:
            if sid not in world.net.cells_of_space:
                raise ScenarioError(f"unknown space {sid!r}", field=f"occupants.{key}.{sid}",
                                    source=scn.source)
            if n < 0:
                raise ScenarioError(f"must be >= 0, got {n}", field=f"occupants.{key}.{sid}",
                                    source=scn.source)
            cells = [world.cell_index[c] for c in world.net.cells_of_space[sid]]
            _spread(counts, cells, round(n * occ.scale), world, rng)
        if occ.per_space is not None:
            return counts
    if occ.density is not None:
        by_level: dict[int, list[int]] = {}
        for c in cand:
            by_level.setdefault(world.cell_level[c], []).append(c)
        for lvl, cells in by_level.items():
            storey = world.layout.level(world.level_ids[lvl]).storey
            area = sum(world.area[c] for c in cells)
            n = round(area * _density_for(storey, occ.density) * occ.scale)
            _spread(counts, cells, n, world, rng)
        return counts
    n = round((occ.count if occ.count is not None else 0) * occ.scale)
    if n and not cand:
        raise ScenarioError(f"no space of kinds {sorted(kinds)} to place people in",
                            field="occupants.in_kinds", source=scn.source)
    _spread(counts, cand, n, world, rng)
    return counts


def _check_explicit(world: World, n: int) -> None:
    """Every explicit pre-movement delay must name an occupant of this run."""
    explicit = world.scenario.premovement.explicit
    bad = sorted((k for k in explicit if int(k) >= n), key=int)
    if bad:
        raise ScenarioError(f"occupant {bad[0]} does not exist (this run places {n} "
                            f"{'person' if n == 1 else 'people'}, indices 0 to {n - 1})",
                            field=f"premovement.explicit.{bad[0]}", source=world.scenario.source)


def _spread(counts: list[int], cells: list[int], n: int, world: World,
            rng: np.random.Generator) -> None:
    """Add ``n`` persons over ``cells`` by area, never above a cell's jam capacity."""
    if n <= 0 or not cells:
        return
    if sum(counts) + n > MAX_OCCUPANTS:
        raise ScenarioError(f"{sum(counts) + n:,} persons, more than the {MAX_OCCUPANTS:,} "
                            "one run accepts", field="occupants", source=world.scenario.source)
    room = np.array([max(0, world.cap[c] - counts[c]) for c in cells], dtype=np.int64)
    if room.sum() < n:
        raise ScenarioError(f"{n} persons do not fit below jam density "
                            f"({int(room.sum())} places)", field="occupants",
                            source=world.scenario.source)
    area = np.array([world.area[c] for c in cells])
    draw = rng.multinomial(n, area / area.sum())
    extra = 0
    for k in range(len(cells)):
        take = min(int(draw[k]), int(room[k]))
        extra += int(draw[k]) - take
        draw[k] = take
    k = 0
    while extra:
        free = int(room[k] - draw[k])
        if free > 0:
            t = min(free, extra)
            draw[k] += t
            extra -= t
        k = (k + 1) % len(cells)
    for c, m in zip(cells, draw, strict=True):
        counts[c] += int(m)


def _points_in(poly: shapely.Polygon, m: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` points uniform in a polygon (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = poly.bounds
    out = np.empty((0, 2))
    while len(out) < m:
        k = max(16, int((m - len(out)) * 1.6))
        xs = rng.uniform(minx, maxx, k)
        ys = rng.uniform(miny, maxy, k)
        ok = shapely.contains_xy(poly, xs, ys)
        out = np.vstack([out, np.column_stack([xs[ok], ys[ok]])])
    return out[:m]


def free_speeds(world: World, n: int) -> np.ndarray:
    """Free walking speed (m/s) of ``n`` persons from the scenario's population."""
    pop = world.scenario.population
    rng = world.streams["speed"]
    if pop.groups:
        names = list(pop.groups)
        shares = np.array([pop.groups[k] for k in names], dtype=float)
        if shares.sum() <= 0:
            raise ScenarioError("group shares must add up to more than 0",
                                field="population.groups", source=world.scenario.source)
        g = rng.choice(len(names), size=n, p=shares / shares.sum())
        lo = np.array([GROUP_RANGES_MPS[names[k]][0] for k in g])
        hi = np.array([GROUP_RANGES_MPS[names[k]][1] for k in g])
        v = rng.uniform(lo, hi)
    else:
        spec = pop.free_speed_mps
        if isinstance(spec, float | int):
            v = np.full(n, float(spec))
        else:
            if spec is None:
                mean, sd, lo_, hi_ = ((1.19, 0.15, 0.6, 1.6) if pop.speed_model == "sfpe"
                                      else (1.34, 0.26, 0.46, 2.0))
            else:
                mean, sd, lo_, hi_ = spec.mean, spec.sd, spec.min, spec.max
            v = np.clip(rng.normal(mean, sd, n), lo_, hi_) if sd > 0 else np.full(n, mean)
    if pop.limited_mobility_share > 0:
        lim = rng.random(n) < pop.limited_mobility_share
        v[lim] = rng.uniform(*LIMITED_MOBILITY_MPS, int(lim.sum()))
    return v


def populate(world: World) -> None:
    """Create the occupants of ``world``: positions, speeds and (not yet) cues."""
    counts = occupant_counts(world)
    _check_explicit(world, sum(counts))
    rng = world.streams["placement"]
    cells: list[int] = []
    xy: list[tuple[float, float]] = []
    for c, m in enumerate(counts):
        if m <= 0:
            continue
        shape = world.net.cells[world.cell_ids[c]].shape
        pts = _points_in(shape, m, rng) if shape is not None else np.zeros((m, 2))
        cells.extend([c] * m)
        xy.extend(map(tuple, np.asarray(pts, dtype=float).tolist()))
    n = len(cells)
    v = free_speeds(world, n)
    world.n = n
    world.cell_of = cells
    world.start_cell = list(cells)
    world.xy = xy
    world.v0 = v.tolist()
    world.count = list(counts)
    pop, mvs = world.scenario.population, world.scenario.movement
    up_ratio, down_ratio = _stair_ratios(world, mvs.stairs)
    world.stair_up = (v * up_ratio).tolist() if pop.stair_speed_up_mps is None \
        else [pop.stair_speed_up_mps] * n
    world.stair_down = (v * down_ratio).tolist() if pop.stair_speed_down_mps is None \
        else [pop.stair_speed_down_mps] * n
    world.state = [0] * n
    world.gen = [0] * n
    world.start_at = [math.inf] * n
    world.target = [-1] * n
    world.t_start = [math.nan] * n
    world.t_safe = [math.nan] * n
    world.exit_used = [-1] * n
    world.cue_kind = [""] * n
    world.harm = [0] * n
    world.queued_at = [-1] * n
    world.proc = [None] * n
    world.obey_u = world.streams["crowd"].random(n).tolist()
    world.unaware_by_cell = [[] for _ in world.cell_ids]
    for i, c in enumerate(cells):
        world.unaware_by_cell[c].append(i)
    _initial_targets(world)
    if world.record_tracks:
        for i in range(n):
            c = cells[i]
            world.tracks.append((i, 0.0, xy[i][0], xy[i][1], world.cell_level[c], 0))


def _stair_ratios(world: World, model: str) -> tuple[float, float]:
    """Stair speed as a fraction of level free speed (up, down)."""
    if model == "imo":
        return (0.8 / 1.2, 1.0 / 1.2)
    stairs = [world.layout.spaces[s] for s in world.layout.spaces
              if world.layout.spaces[s].is_vertical]
    if not stairs:
        return (1.08 / mv.SFPE_K_LEVEL, 1.08 / mv.SFPE_K_LEVEL)
    ks = [mv.sfpe_stair_constants(s.riser_mm, s.tread_mm)[0] for s in stairs]
    r = float(np.median(ks)) / mv.SFPE_K_LEVEL
    return (r, r)


def _initial_targets(world: World) -> None:
    """Targets from the routing policy: familiar (main entrance) or assigned exits."""
    rt = world.scenario.routing
    if rt.policy == "familiar":
        exits = world.router.exits
        mains = [e for e in exits
                 if "main_entrance" in world.layout.openings.get(
                     world.portal_opening[e] or "", _NoTags()).tags
                 or "main_entrance" in world.layout.spaces[
                     world.cell_space[world.doors[e].a if world.is_exit[world.doors[e].b]
                                      else world.doors[e].b]].tags]
        pool = mains or exits
        wts = np.array([world.doors[e].width_m for e in pool])
        rng = world.streams["routing"]
        pick = rng.random(world.n) < rt.familiar_share
        choice = rng.choice(len(pool), size=world.n, p=wts / wts.sum())
        for i in range(world.n):
            if pick[i]:
                world.target[i] = pool[int(choice[i])]
    elif rt.policy == "assigned":
        by_space: dict[str, int] = {}
        for key, opening in rt.assigned.items():
            if opening not in world.portal_index or world.portal_index[opening] not in \
                    world.router.exit_pos:
                raise ScenarioError(f"{opening!r} is not an exit opening",
                                    field=f"routing.assigned.{key}",
                                    source=world.scenario.source)
            if key not in world.layout.spaces and key not in world.level_ids:
                raise ScenarioError(f"unknown space or level {key!r}",
                                    field=f"routing.assigned.{key}",
                                    source=world.scenario.source)
            by_space[key] = world.portal_index[opening]
        for i in range(world.n):
            c = world.cell_of[i]
            sid = world.cell_space[c]
            t = by_space.get(sid, by_space.get(world.level_ids[world.cell_level[c]], -1))
            world.target[i] = t


class _NoTags:
    tags: tuple[str, ...] = ()
