"""The building: levels, spaces and openings, frozen and validated.

A :class:`Layout` is built by :func:`sim.io.layout_files.load_layout` (from TOML) or by an
importer, and is immutable afterwards. Coordinates are metres in a level's plane; a
stair or escalator joins two levels and is drawn on both.

Space kinds
-----------
``shop corridor atrium stair escalator exit plaza parking cctv_room duty_room
finance_room gate service``. ``exit`` is the safe outside: reaching it ends a person's
evacuation; it has no area and needs no polygon. ``plaza`` is an outdoor forecourt
(walkable, not yet safe), where vehicles can strike people.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Final, Literal

from shapely.geometry import Point, Polygon

SpaceKind = Literal[
    "shop",
    "corridor",
    "atrium",
    "stair",
    "escalator",
    "exit",
    "plaza",
    "parking",
    "cctv_room",
    "duty_room",
    "finance_room",
    "gate",
    "service",
]
OpeningKind = Literal["door", "opening", "shutter", "fire_door"]

SPACE_KINDS: Final[tuple[str, ...]] = SpaceKind.__args__  # type: ignore[attr-defined]
OPENING_KINDS: Final[tuple[str, ...]] = OpeningKind.__args__  # type: ignore[attr-defined]

#: Kinds whose floor area counts as sales area (营业面积) when none is declared.
SALES_KINDS: Final = frozenset({"shop", "corridor", "atrium"})
#: Kinds that join two levels.
VERTICAL_KINDS: Final = frozenset({"stair", "escalator"})
#: Kinds walked at stair speed and flow.
STAIR_KINDS: Final = VERTICAL_KINDS


@dataclass(frozen=True, slots=True)
class Level:
    """A storey. ``elevation_m`` is the floor height above grade (negative below)."""

    id: str
    elevation_m: float
    name: str = ""
    #: Floor number in the GB 50016 sense: 1, 2, ... above grade; -1, -2 below.
    storey: int = 1


class Footprint:
    """What spaces and their cells share: a kind, level(s) and an optional polygon."""

    kind: str
    levels: tuple[str, ...]
    shape: Polygon | None

    @property
    def level(self) -> str:
        """The level it is drawn on (the lower one for stairs)."""
        return self.levels[0]

    @property
    def is_exit(self) -> bool:
        """True for the safe outside."""
        return self.kind == "exit"

    @cached_property
    def area_m2(self) -> float:
        """Floor area in m² (0 for an exit without polygon)."""
        return float(self.shape.area) if self.shape is not None else 0.0

    @cached_property
    def centroid(self) -> tuple[float, float]:
        """Centroid in metres; (nan, nan) for an exit without polygon."""
        if self.shape is None:
            return (math.nan, math.nan)
        c = self.shape.centroid
        return (float(c.x), float(c.y))


@dataclass(frozen=True)
class Space(Footprint):
    """A room, corridor, stair or outside area.

    ``polygon`` is in metres on the level(s) in ``levels``; ``None`` only for exits.
    Stairs carry ``length_m`` (walking length along the slope), ``riser_mm`` and
    ``tread_mm``. ``height_m`` is the clear ceiling height used by smoke filling.
    """

    id: str
    kind: str
    levels: tuple[str, ...]
    polygon: tuple[tuple[float, float], ...] | None
    tags: tuple[str, ...] = ()
    name: str = ""
    length_m: float | None = None
    riser_mm: float | None = None
    tread_mm: float | None = None
    height_m: float = 4.0
    width_m: float | None = None
    sprinklered: bool | None = None

    @property
    def is_vertical(self) -> bool:
        """True for stairs and escalators."""
        return self.kind in VERTICAL_KINDS

    @cached_property
    def shape(self) -> Polygon | None:  # type: ignore[override]
        """The polygon as a shapely geometry, or ``None``."""
        return Polygon(self.polygon) if self.polygon else None

    @cached_property
    def clear_width_m(self) -> float:
        """Clear width in m: declared, or the short side of the minimum rotated rectangle."""
        if self.width_m is not None:
            return self.width_m
        if self.shape is None:
            return math.inf
        rect = self.shape.minimum_rotated_rectangle
        xs, ys = rect.exterior.coords.xy
        sides = [math.dist((xs[i], ys[i]), (xs[i + 1], ys[i + 1])) for i in range(2)]
        return float(min(sides))

    @cached_property
    def walk_length_m(self) -> float:
        """Length walked through a stair (declared slope length) or the long side otherwise."""
        if self.length_m is not None:
            return self.length_m
        if self.shape is None:
            return 0.0
        rect = self.shape.minimum_rotated_rectangle
        xs, ys = rect.exterior.coords.xy
        return float(max(math.dist((xs[i], ys[i]), (xs[i + 1], ys[i + 1])) for i in range(2)))

    def distance_to_m(self, xy: tuple[float, float]) -> float:
        """Distance (m) from a point to this space's polygon (0 inside)."""
        if self.shape is None:
            return 0.0
        return float(self.shape.distance(Point(xy)))


@dataclass(frozen=True, slots=True)
class Opening:
    """A door or open join between spaces ``a`` and ``b``.

    ``at`` is the midpoint in metres on ``level`` (the level of ``a`` that it shares
    with ``b``); ``width_m`` is the clear width.
    """

    id: str
    a: str
    b: str
    width_m: float
    at: tuple[float, float]
    level: str
    kind: str = "door"
    tags: tuple[str, ...] = ()
    virtual: bool = False

    def other(self, space_id: str) -> str:
        """The space on the other side of ``space_id``."""
        return self.b if space_id == self.a else self.a


@dataclass(frozen=True, slots=True)
class MallInfo:
    """Mall-wide facts: name, declared sales area, sprinklers, fire-resistance grade."""

    name: str
    sales_area_m2: float | None = None
    sprinklered: bool = True
    fire_resistance_grade: int = 1
    city: str = ""


@dataclass(frozen=True)
class Layout:
    """A validated floor plan. Build with :func:`sim.io.layout_files.load_layout`."""

    mall: MallInfo
    levels: tuple[Level, ...]
    spaces: Mapping[str, Space]
    openings: Mapping[str, Opening]
    source: str = "<memory>"
    raw: Mapping[str, object] = field(default_factory=dict, repr=False, compare=False)

    def level_ids(self) -> list[str]:
        """Level ids in file order."""
        return [lv.id for lv in self.levels]

    def level(self, level_id: str) -> Level:
        """The level called ``level_id``."""
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        raise KeyError(level_id)

    def iter_kind(self, *kinds: str) -> Iterator[Space]:
        """Spaces of the given kinds, in file order."""
        return (s for s in self.spaces.values() if s.kind in kinds)

    @cached_property
    def exits(self) -> tuple[str, ...]:
        """Ids of exit spaces."""
        return tuple(s.id for s in self.spaces.values() if s.is_exit)

    @cached_property
    def exit_openings(self) -> tuple[str, ...]:
        """Ids of openings into an exit space."""
        ex = set(self.exits)
        return tuple(o.id for o in self.openings.values() if o.a in ex or o.b in ex)

    @cached_property
    def openings_of(self) -> Mapping[str, tuple[str, ...]]:
        """Opening ids of every space."""
        out: dict[str, list[str]] = {s: [] for s in self.spaces}
        for o in self.openings.values():
            out[o.a].append(o.id)
            out[o.b].append(o.id)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def derived_sales_area_m2(self) -> float:
        """Sum of shop, corridor and atrium floor areas in m²."""
        return sum(s.area_m2 for s in self.spaces.values() if s.kind in SALES_KINDS)

    @property
    def sales_area_m2(self) -> float:
        """Declared sales area (营业面积) in m², else the derived one."""
        if self.mall.sales_area_m2 is not None:
            return self.mall.sales_area_m2
        return self.derived_sales_area_m2

    def sales_levels(self) -> list[Level]:
        """Levels that hold sales space (shop, corridor or atrium)."""
        used = {s.level for s in self.spaces.values() if s.kind in SALES_KINDS}
        return [lv for lv in self.levels if lv.id in used]

    def with_widths(self, widths: Mapping[str, float]) -> Layout:
        """The same building with the clear widths (m) of some openings changed.

        Every other value is kept exactly (no round trip through a mapping); ids must
        exist (see :func:`sim.model.scenario.with_geometry`, which checks them).
        """
        openings = {oid: replace(o, width_m=float(widths[oid])) if oid in widths else o
                    for oid, o in self.openings.items()}
        return replace(self, openings=openings, raw={})

    def stranded_without(self, closed: Iterable[str]) -> list[str]:
        """Spaces (not exits) with no way to an exit once the ``closed`` openings are shut."""
        shut = set(closed)
        nbrs: dict[str, list[str]] = {s: [] for s in self.spaces}
        for o in self.openings.values():
            if o.id not in shut:
                nbrs[o.a].append(o.b)
                nbrs[o.b].append(o.a)
        reach = set(self.exits)
        todo = list(reach)
        while todo:
            for nb in nbrs[todo.pop()]:
                if nb not in reach:
                    reach.add(nb)
                    todo.append(nb)
        return [s for s, sp in self.spaces.items() if s not in reach and not sp.is_exit]
