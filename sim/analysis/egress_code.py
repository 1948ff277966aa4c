"""GB 50016-2014 (2018 edition) egress helpers: design density, occupancy, widths, warnings.

Every constant names its clause of GB 50016 and a source key (``[F1]`` …): the
published quotation of that clause it was checked against, listed under "Source keys"
in ``docs/layout-format.md`` (the printed code was not at hand). Values that no such
source confirmed are flagged **UNVERIFIED** there and here; treat them as placeholders
to check against the printed code.

What is implemented
-------------------
* **Design density** of shop sales halls (营业厅), table 5.5.21-2, as a (low, high)
  range per storey: :data:`SALES_DENSITY`, :func:`design_density`.
* **Design occupancy** (:func:`design_occupancy`): per level, the sales-hall area (shop,
  corridor and atrium floor area on that level) times the density of its storey,
  rounded *up* to whole persons. Shops tagged ``shop_category:furniture``,
  ``shop_category:building_materials`` or ``shop_category:lighting`` count at 30 % of
  the table value (5.5.21 note, [F1]).
* **Width per 100 persons**, table 5.5.21-1, chosen by the building's total
  above-ground storey count (not the floor the width sits on, [F4][F5]) and its
  fire-resistance grade; underground floors by their depth below the exit level
  (:func:`width_per_100_m`, :func:`width_per_100_underground_m`).
* **Required exterior-door width at grade** (:func:`required_exit_width_m`): the rule
  of [F35] — the ground-floor exterior doors together are sized for the *most
  populated floor at or above grade*: ``max over storeys >= 1 of persons × index / 100``.
  Basement floors are not added: GB 50016 discharges them by their own stairs, whose
  width is checked floor by floor (next item).
* **Required stair width per floor** (:func:`required_stair_width_m`), 5.5.21 with the
  floor-by-floor rule of [F4][F5]: the stairs leaving an above-ground floor towards
  grade carry the largest occupancy of that floor and all floors above; below grade,
  the largest of that floor and all floors below.
* **Warnings** (:func:`layout_warnings`), each citing its clause: doors narrower than
  0.90 m and corridors or stairs narrower than 1.10 m (5.5.18, [F9]); a point of a sales
  space farther than 30 m walking (37.5 m sprinklered) from an exit or stair door
  (5.5.17, [F6][F7]); fewer than two exits on a floor (5.5.8, [F12]); exterior doors
  at grade narrower in total than required, and stairs narrower in total than required
  on a floor (5.5.21, [F3][F4][F35]).

Terms
-----
*Outdoors* is a space of kind ``exit`` or ``plaza``. An *exterior door* is an opening
between an indoor space and an outdoor one. The *grade level* is the level whose
storey number is 1. A *stair* is a space of kind ``stair`` not tagged ``ramp``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import networkx as nx
import numpy as np
import shapely
from shapely.geometry import Polygon

from sim.engine.graphs import Network, build_network
from sim.errors import LayoutError
from sim.model.design_density import (
    SHOWROOM_FACTOR,
    SHOWROOM_TAGS,
    Which,
    check_which,
    design_density,
)
from sim.model.exterior import exterior_doors, is_outdoor
from sim.model.layout import SALES_KINDS, Layout, Level, Space
from sim.model.layout_schema import LayoutWarning

#: Clause of table 5.5.21-1 (evacuation width per 100 persons).
CLAUSE_WIDTH: Final = "GB 50016 5.5.21"
#: Minimum clear widths of doors, corridors and stairs in public buildings.
CLAUSE_MIN_WIDTH: Final = "GB 50016 5.5.18"
#: Maximum travel distance inside a sales hall.
CLAUSE_DISTANCE: Final = "GB 50016 5.5.17"
#: Number of safety exits per floor.
CLAUSE_EXITS: Final = "GB 50016 5.5.8"


#: Width per 100 persons (m) above ground, table 5.5.21-1 [F3]: rows by the building's
#: above-ground storey count (1–2, 3, ≥ 4), columns by fire-resistance grade.
#: A missing grade means the code does not permit that combination.
WIDTH_PER_100_ABOVE: Final[Mapping[str, Mapping[int, float]]] = {
    "1-2": {1: 0.65, 2: 0.65, 3: 0.75, 4: 1.00},
    "3": {1: 0.75, 2: 0.75, 3: 1.00},
    "4+": {1: 1.00, 2: 1.00, 3: 1.25},
}
#: Width per 100 persons (m) underground, grades 一、二级 only [F3]: floor-to-exit-level
#: difference ≤ 10 m → 0.75; > 10 m → 1.00.
WIDTH_PER_100_UNDERGROUND: Final = (0.75, 1.00)
#: Depth (m) splitting the two underground rows of table 5.5.21-1 [F3].
UNDERGROUND_DEPTH_SPLIT_M: Final = 10.0

#: Minimum clear width (m) of an evacuation door / safety exit, public building [F9].
MIN_DOOR_WIDTH_M: Final = 0.90
#: Minimum clear width (m) of an evacuation corridor or stair, public building [F9].
MIN_CORRIDOR_WIDTH_M: Final = 1.10
#: Maximum distance (m) from any point of a sales hall to an evacuation door, 5.5.17 [F6].
MAX_TRAVEL_M: Final = 30.0
#: Increase of travel distances with automatic sprinklers throughout, 5.5.17 [F7].
SPRINKLER_FACTOR: Final = 1.25
#: Minimum number of safety exits per floor of a public building, 5.5.8 [F12].
MIN_EXITS_PER_FLOOR: Final = 2

#: Kinds that are outside the building.
#: Opening kinds that are doors in the sense of 5.5.18.
DOOR_KINDS: Final = frozenset({"door", "fire_door", "shutter"})
#: Space kinds checked against the 1.10 m minimum width.
NARROW_KINDS: Final = frozenset({"corridor", "stair"})

#: Spacing (m) of the points sampled on cell boundaries and inside cells by the
#: travel-distance check.
_BOUNDARY_STEP_M: Final = 2.0
_GRID_STEP_M: Final = 4.0


@dataclass(frozen=True)
class Occupancy:
    """Design occupancy of a layout at GB density, level by level.

    ``area_m2`` is the sales-hall area per level (after the 30 % showroom factor),
    ``density`` the persons/m² used, ``persons`` the area × density rounded up.
    """

    which: str
    area_m2: Mapping[str, float]
    density: Mapping[str, float]
    persons: Mapping[str, int]

    @property
    def total(self) -> int:
        """Persons in the whole building (sum over levels)."""
        return sum(self.persons.values())


def _sales_area(space: Space) -> float:
    if space.kind not in SALES_KINDS:
        return 0.0
    if space.kind == "shop" and SHOWROOM_TAGS.intersection(space.tags):
        return space.area_m2 * SHOWROOM_FACTOR
    return space.area_m2


def design_occupancy(layout: Layout, which: Which = "high") -> Occupancy:
    """Persons per level (and in total) at the GB 50016 design density.

    Parameters
    ----------
    layout : Layout
        The building. Each level's sales-hall area is the floor area of its shop,
        corridor and atrium spaces (a declared ``mall.sales_area_m2`` is not split by
        level and is not used here).
    which : {"high", "low"}
        End of the density range: "high" is the conservative design value.
    """
    check_which(which)
    area: dict[str, float] = {lv.id: 0.0 for lv in layout.levels}
    for s in layout.spaces.values():
        area[s.level] += _sales_area(s)
    dens = {lv.id: design_density(lv.storey, which) for lv in layout.levels}
    persons = {k: math.ceil(area[k] * dens[k] - 1e-9) for k in area}
    return Occupancy(which, area, dens, persons)


def above_ground_storeys(layout: Layout) -> int:
    """The building's above-ground storey count (highest storey number, at least 1)."""
    return max((lv.storey for lv in layout.levels if lv.storey >= 1), default=1)


def width_per_100_m(above_ground_storeys: int, grade: int = 1) -> float:
    """Minimum evacuation width (m per 100 persons) above ground, table 5.5.21-1.

    Raises
    ------
    LayoutError
        When the table has no value: the code does not permit a building of that many
        storeys at that fire-resistance grade.

    Examples
    --------
    >>> width_per_100_m(2), width_per_100_m(3), width_per_100_m(5), width_per_100_m(3, 3)
    (0.65, 0.75, 1.0, 1.0)
    """
    band = "1-2" if above_ground_storeys <= 2 else "3" if above_ground_storeys == 3 else "4+"
    try:
        return WIDTH_PER_100_ABOVE[band][grade]
    except KeyError:
        raise LayoutError(
            f"table 5.5.21-1 gives no width for a {above_ground_storeys}-storey building of "
            f"grade {grade} (not permitted by GB 50016)",
            field="mall.fire_resistance_grade") from None


def width_per_100_underground_m(depth_m: float, grade: int = 1) -> float:
    """Minimum evacuation width (m per 100 persons) below ground, table 5.5.21-1.

    ``depth_m`` is the level difference between the floor and the exit level (grade).

    Examples
    --------
    >>> width_per_100_underground_m(4.5), width_per_100_underground_m(12.0)
    (0.75, 1.0)
    """
    if grade not in (1, 2):
        raise LayoutError(
            f"table 5.5.21-1 gives no underground width for grade {grade}",
            field="mall.fire_resistance_grade")
    shallow, deep = WIDTH_PER_100_UNDERGROUND
    return shallow if depth_m <= UNDERGROUND_DEPTH_SPLIT_M else deep


def level_width_index_m(layout: Layout, level: Level) -> float:
    """Width per 100 persons (m) that applies on ``level`` of ``layout``."""
    grade = layout.mall.fire_resistance_grade
    if level.storey >= 1:
        return width_per_100_m(above_ground_storeys(layout), grade)
    return width_per_100_underground_m(-level.elevation_m, grade)


def grade_levels(layout: Layout) -> list[Level]:
    """Levels at grade (storey 1)."""
    return [lv for lv in layout.levels if lv.storey == 1]


def exit_width_at_grade_m(layout: Layout) -> float:
    """Total clear width (m) of the exterior doors at grade (stair discharges included)."""
    ids = {lv.id for lv in grade_levels(layout)}
    return sum(o.width_m for o in exterior_doors(layout) if o.level in ids)


@dataclass(frozen=True)
class WidthRequirement:
    """A required width and how it was obtained."""

    width_m: float
    persons: int
    index_m_per_100: float
    governing_level: str | None

    def __str__(self) -> str:
        gov = f" on {self.governing_level}" if self.governing_level else ""
        return (f"{self.width_m:.2f} m for {self.persons} persons{gov} at "
                f"{self.index_m_per_100:.2f} m/100 persons")


def exit_width_requirement(layout: Layout, which: Which = "high") -> WidthRequirement:
    """Ground-floor exterior door width and the floor that governs it (see module doc)."""
    occ = design_occupancy(layout, which)
    above = [lv for lv in layout.levels if lv.storey >= 1]
    if not above:
        return WidthRequirement(0.0, 0, 0.0, None)
    index = width_per_100_m(above_ground_storeys(layout), layout.mall.fire_resistance_grade)
    gov = max(above, key=lambda lv: occ.persons[lv.id])
    p = occ.persons[gov.id]
    return WidthRequirement(p * index / 100.0, p, index, gov.id if p else None)


def required_exit_width_m(layout: Layout, which: Which = "high") -> float:
    """Total clear width (m) the exterior doors at grade need under GB 50016.

    The rule of [F35] (5.5.21): the ground-floor exterior doors are sized for the most
    populated floor at or above grade, ``max(persons_floor) × index / 100`` with the index
    of table 5.5.21-1 for the building's above-ground storey count and grade.

    Examples
    --------
    A one-storey hall of 1000 m² at 0.60 persons/m² holds 600 persons and needs
    600 × 0.65 / 100 = 3.9 m of exterior doors.
    """
    return exit_width_requirement(layout, which).width_m


def _stairs_towards_grade(layout: Layout, level: Level) -> list[Space]:
    """Stairs that leave ``level`` towards grade (down from above, up from below)."""
    order = [lv.id for lv in layout.levels]  # sorted by elevation
    i = order.index(level.id)
    nxt = order[i - 1] if level.storey >= 1 else order[i + 1] if i + 1 < len(order) else None
    if nxt is None:
        return []
    return [s for s in layout.spaces.values()
            if s.kind == "stair" and "ramp" not in s.tags and set(s.levels) == {level.id, nxt}]


def required_stair_width_m(layout: Layout, which: Which = "high") -> dict[str, WidthRequirement]:
    """Stair width (m) each floor needs towards grade, floor-by-floor rule of [F4][F5].

    Above grade (storey >= 2) the stairs leaving a floor carry the largest occupancy of
    that floor and every floor above it; below grade, of that floor and every floor below.
    Grade floors (storey 1) discharge through exterior doors and are not listed.
    """
    occ = design_occupancy(layout, which)
    out: dict[str, WidthRequirement] = {}
    levels = list(layout.levels)
    for i, lv in enumerate(levels):
        if lv.storey == 1:
            continue
        group = [x for x in levels[i:] if x.storey >= 1] if lv.storey >= 2 \
            else [x for x in levels[: i + 1] if x.storey < 1]
        gov = max(group, key=lambda x: occ.persons[x.id])
        p = occ.persons[gov.id]
        if p == 0:
            continue
        idx = level_width_index_m(layout, lv)
        out[lv.id] = WidthRequirement(p * idx / 100.0, p, idx, gov.id)
    return out


def stair_width_m(layout: Layout) -> dict[str, float]:
    """Total clear width (m) of the stairs leaving each non-grade level towards grade."""
    return {lv.id: sum(s.clear_width_m for s in _stairs_towards_grade(layout, lv))
            for lv in layout.levels if lv.storey != 1}


def _space_field(s: Space) -> str:
    return f"spaces[{s.id!r}].{'width_m' if s.width_m is not None else 'polygon'}"


def _sample_points(poly: Polygon) -> np.ndarray:
    """Vertices, boundary points every 2 m and an interior grid every 4 m of ``poly``."""
    ring = np.asarray(shapely.segmentize(poly.exterior, _BOUNDARY_STEP_M).coords)[:, :2]
    minx, miny, maxx, maxy = poly.bounds
    xs = np.arange(minx + _GRID_STEP_M / 2, maxx, _GRID_STEP_M)
    ys = np.arange(miny + _GRID_STEP_M / 2, maxy, _GRID_STEP_M)
    if len(xs) and len(ys):
        gx, gy = np.meshgrid(xs, ys)
        inside = shapely.contains_xy(poly, gx.ravel(), gy.ravel())
        grid = np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])
        return np.vstack([ring, grid])
    return ring


def travel_distances_m(layout: Layout, network: Network) -> dict[str, tuple[float, tuple[float,
                                                                                        float]]]:
    """Worst walking distance (m) from a point of each sales space to an exit or stair door.

    Approximation (documented in ``docs/layout-format.md``): points are sampled in every
    cell of the space (its vertices, its boundary every 2 m and a 4 m interior grid); a
    point walks in a straight line to a portal of its own cell (a door or a virtual cut,
    straight lines are walkable because grid cells are convex in orthogonal plans) and
    then along the route graph to the nearest *target*: an exterior door or an opening
    into a stair. The result maps each sales space to ``(distance, worst point)``;
    ``inf`` means no target can be reached from it.
    """
    targets: set[str] = set()
    for o in layout.openings.values():
        a, b = layout.spaces[o.a], layout.spaces[o.b]
        if is_outdoor(a) != is_outdoor(b) or "stair" in (a.kind, b.kind):
            targets.add(o.id)
    rg = network.route_graph
    dist: dict[str, float] = {}
    if targets:
        dist = dict(nx.multi_source_dijkstra_path_length(rg, targets, weight="length_m"))
    out: dict[str, tuple[float, tuple[float, float]]] = {}
    for sid, cells in network.cells_of_space.items():
        space = layout.spaces[sid]
        if space.kind not in SALES_KINDS:
            continue
        worst = (-1.0, (math.nan, math.nan))
        for cid in cells:
            cell = network.cells[cid]
            if cell.shape is None:
                continue
            pts = _sample_points(cell.shape)
            best = np.full(len(pts), np.inf)
            for pid in network.portals_of[cid]:
                r = dist.get(pid, math.inf)
                if not math.isfinite(r):
                    continue
                at = np.asarray(network.portals[pid].at)
                best = np.minimum(best, np.hypot(*(pts - at).T) + r)
            k = int(np.argmax(best))
            if best[k] > worst[0]:
                worst = (float(best[k]), (float(pts[k][0]), float(pts[k][1])))
        out[sid] = worst
    return out


def _limit_m(layout: Layout, space: Space) -> tuple[float, bool]:
    spr = space.sprinklered if space.sprinklered is not None else layout.mall.sprinklered
    return (MAX_TRAVEL_M * SPRINKLER_FACTOR if spr else MAX_TRAVEL_M), spr


def exits_per_level(layout: Layout) -> dict[str, int]:
    """Safety exits of each level: exterior doors, plus distinct stairs with a door there.

    At grade only exterior doors count; on other floors, exterior doors on that level and
    the stairs (``ramp`` excluded) opening onto it.
    """
    out: dict[str, int] = {}
    for lv in layout.levels:
        n = len(list(exterior_doors(layout, lv.id)))
        if lv.storey != 1:
            stairs: set[str] = set()
            for o in layout.openings.values():
                if o.level != lv.id:
                    continue
                a, b = layout.spaces[o.a], layout.spaces[o.b]
                for s, other in ((a, b), (b, a)):
                    if s.kind == "stair" and "ramp" not in s.tags and other.kind != "stair":
                        stairs.add(s.id)
            n += len(stairs)
        out[lv.id] = n
    return out


def layout_warnings(layout: Layout, network: Network | None = None) -> list[LayoutWarning]:
    """GB 50016 concerns that do not stop a run, each citing its clause.

    Checks, in this order: door widths (5.5.18), corridor and stair widths (5.5.18),
    travel distance in sales spaces (5.5.17, see :func:`travel_distances_m`), exits per
    floor (5.5.8), exterior door width at grade (5.5.21, :func:`required_exit_width_m`)
    and stair width per floor (5.5.21, :func:`required_stair_width_m`).
    """
    if network is None:
        network = build_network(layout)
    out: list[LayoutWarning] = []
    for o in layout.openings.values():
        if o.kind in DOOR_KINDS and o.width_m < MIN_DOOR_WIDTH_M - 1e-9:
            out.append(LayoutWarning(
                f"openings[{o.id!r}].width_m",
                f"{o.kind} {o.width_m:.2f} m is narrower than {MIN_DOOR_WIDTH_M:.2f} m",
                CLAUSE_MIN_WIDTH))
    for s in layout.spaces.values():
        if s.kind in NARROW_KINDS and s.clear_width_m < MIN_CORRIDOR_WIDTH_M - 1e-9:
            out.append(LayoutWarning(
                _space_field(s),
                f"{s.kind} {s.clear_width_m:.2f} m wide is narrower than "
                f"{MIN_CORRIDOR_WIDTH_M:.2f} m", CLAUSE_MIN_WIDTH))
    for sid, (d, pt) in travel_distances_m(layout, network).items():
        s = layout.spaces[sid]
        limit, spr = _limit_m(layout, s)
        if d > limit + 1e-6:
            what = "no exit or stair door can be reached" if not math.isfinite(d) else \
                f"point ({pt[0]:.1f}, {pt[1]:.1f}) is {d:.1f} m from the nearest exit or stair door"
            out.append(LayoutWarning(
                f"spaces[{sid!r}]",
                f"{what} (limit {limit:g} m{', sprinklered' if spr else ''})", CLAUSE_DISTANCE))
    for lv_id, n in exits_per_level(layout).items():
        lv = layout.level(lv_id)
        has_people = any(s.level == lv_id and not is_outdoor(s) for s in layout.spaces.values())
        if has_people and n < MIN_EXITS_PER_FLOOR:
            what = "exterior door" if lv.storey == 1 else "exit (exterior door or stair)"
            out.append(LayoutWarning(
                f"levels[{lv_id!r}]",
                f"{n} {what}{'s' if n != 1 else ''}; at least {MIN_EXITS_PER_FLOOR} required",
                CLAUSE_EXITS))
    try:
        req = exit_width_requirement(layout)
        stair_req = required_stair_width_m(layout)
    except LayoutError as exc:
        out.append(LayoutWarning(exc.field or "mall", exc.reason, CLAUSE_WIDTH))
        return out
    have = exit_width_at_grade_m(layout)
    if have < req.width_m - 1e-6:
        out.append(LayoutWarning(
            "openings", f"exterior doors at grade total {have:.2f} m < {req}", CLAUSE_WIDTH))
    have_stairs = stair_width_m(layout)
    for lv_id, r in stair_req.items():
        if have_stairs.get(lv_id, 0.0) < r.width_m - 1e-6:
            out.append(LayoutWarning(
                f"levels[{lv_id!r}]",
                f"stairs towards grade total {have_stairs.get(lv_id, 0.0):.2f} m < {r}",
                CLAUSE_WIDTH))
    return out
