"""The figures of a layout that ``safemall layout info`` shows: levels, kinds, egress.

Pure computation on a :class:`~sim.model.layout.Layout` and its network; the command line
only lays the figures out as tables. GB 50016 figures come from
:mod:`sim.analysis.egress_code`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sim.analysis import egress_code as gb
from sim.analysis.egress_code import WidthRequirement
from sim.engine.graphs import Network
from sim.errors import SafeMallError
from sim.model.design_density import Which
from sim.model.layout import Layout, Opening
from sim.model.layout_schema import LayoutWarning


@dataclass(frozen=True)
class LevelFigures:
    """One level: areas (m²), GB 50016 design occupancy, exits and stair widths (m)."""

    id: str
    name: str
    storey: int
    elevation_m: float
    floor_m2: float
    sales_m2: float
    density_pm2: float
    occupancy: int
    exits: int
    stair_width_m: float | None
    """Stairs leaving this level towards grade (``None`` on the grade level)."""
    stair_required: WidthRequirement | None


@dataclass(frozen=True)
class LayoutFigures:
    """Everything ``safemall layout info`` reports about one layout."""

    which: Which
    above_ground_storeys: int
    levels: tuple[LevelFigures, ...]
    occupancy_total: int
    sales_m2_total: float
    spaces_by_kind: dict[str, tuple[int, float]]
    """Kind → (count, area m²), most numerous first."""
    anchors: int
    exterior_doors_at_grade: tuple[Opening, ...]
    exterior_width_at_grade_m: float
    stair_discharge_width_m: float
    exit_required: WidthRequirement | None
    widths_unavailable: str | None
    """Why GB 50016 widths could not be computed (``None`` when they were)."""
    stair_flights: int
    escalators: int
    cells: int
    portals: int
    route_nodes: int
    route_edges: int
    warnings: tuple[LayoutWarning, ...]

    @property
    def exit_width_short_m(self) -> float | None:
        """Exterior door width at grade minus the required width (m; < 0: short)."""
        if self.exit_required is None:
            return None
        return self.exterior_width_at_grade_m - self.exit_required.width_m


def layout_figures(layout: Layout, network: Network, which: Which = "high") -> LayoutFigures:
    """The figures of ``layout`` at the ``which`` end of the GB 50016 density range."""
    occ = gb.design_occupancy(layout, which)
    exits = gb.exits_per_level(layout)
    stairs_have = gb.stair_width_m(layout)
    unavailable = None
    try:
        stairs_need = gb.required_stair_width_m(layout, which)
        exit_req: WidthRequirement | None = gb.exit_width_requirement(layout, which)
    except SafeMallError as exc:
        stairs_need, exit_req, unavailable = {}, None, exc.reason
    levels = []
    for lv in layout.levels:
        floor = sum(s.area_m2 for s in layout.spaces.values()
                    if s.level == lv.id and not s.is_vertical and not gb.is_outdoor(s))
        levels.append(LevelFigures(
            lv.id, lv.name, lv.storey, lv.elevation_m, floor, occ.area_m2[lv.id],
            occ.density[lv.id], occ.persons[lv.id], exits[lv.id],
            None if lv.storey == 1 else stairs_have.get(lv.id, 0.0), stairs_need.get(lv.id)))
    by_kind: Counter[str] = Counter(s.kind for s in layout.spaces.values())
    area: dict[str, float] = dict.fromkeys(by_kind, 0.0)
    for s in layout.spaces.values():
        area[s.kind] += s.area_m2
    grade = {lv.id for lv in gb.grade_levels(layout)}
    doors = tuple(o for o in gb.exterior_doors(layout) if o.level in grade)
    return LayoutFigures(
        which=which, above_ground_storeys=gb.above_ground_storeys(layout),
        levels=tuple(levels), occupancy_total=occ.total,
        sales_m2_total=sum(occ.area_m2.values()),
        spaces_by_kind={k: (n, area[k]) for k, n in
                        sorted(by_kind.items(), key=lambda kv: -kv[1])},
        anchors=sum("anchor" in x.tags for x in layout.iter_kind("shop")),
        exterior_doors_at_grade=doors,
        exterior_width_at_grade_m=sum(o.width_m for o in doors),
        stair_discharge_width_m=sum(
            o.width_m for o in doors
            if "stair" in (layout.spaces[o.a].kind, layout.spaces[o.b].kind)),
        exit_required=exit_req, widths_unavailable=unavailable,
        stair_flights=sum(1 for x in layout.iter_kind("stair") if "ramp" not in x.tags),
        escalators=by_kind["escalator"], cells=len(network.cells),
        portals=len(network.portals), route_nodes=network.route_graph.number_of_nodes(),
        route_edges=network.route_graph.number_of_edges(),
        warnings=tuple(gb.layout_warnings(layout, network)))
