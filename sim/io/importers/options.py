"""What an importer may infer, and the user's repairs: switches and the overrides file.

Real venue data needs inference (exterior doors from the building outline, stairs linked
across levels, vehicle openings between rooms read as pedestrian doors, walkways drawn
over the rooms inside them). Each inference is reported in the import report and can be
switched off. The user's repairs (``--exit``, ``--drop``, ``--category``,
``--link-stairs``) can be kept in an **overrides file** (``--fixes FILE``, TOML) so that
they are applied again when the venue publishes updated data::

    schema = "safemall/import-fixes/1"
    link_stairs = true               # --link-stairs
    exit = ["f918cd54-fa50-...", "L1-hall"]   # --exit ID (opening, entrance point or space)
    drop = ["way/566639569"]         # --drop ID (space id or source feature id)
    [category]                       # --category CATEGORY=KIND
    wardrobe = "service"

Ids are best given as **source feature ids** (IMDF UUIDs, ``way/123`` for OSM): they
survive a re-export, while space ids are made from names and may change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from sim.errors import LayoutError
from sim.io.toml import read_toml

FIXES_SCHEMA = "safemall/import-fixes/1"
WalkwayRooms = Literal["carve", "drop", "keep"]
#: Names of the inferences that ``--no-infer NAME`` switches off.
INFERENCES = ("exits", "categories", "room-doors")

#: Default clear width (m) of an exterior door the importer adds for ``--exit SPACE``: a
#: double door of 2 x 0.9 m, the minimum for a public-building evacuation door (GB 55037-2022
#: as quoted secondarily, unverified; the same 0.90 m as GB 50016-2014 §5.5.18) twice over.
EXIT_WIDTH_M = 1.8
#: Default distance (m) between a unit's edge and the building outline still counted as
#: "on the outline": outlines are drawn on the outer face of the wall, units on its inner
#: face. 1.0 m covers the 0.5-1.0 m walls of older masonry buildings.
OUTLINE_TOLERANCE_M = 1.0


@dataclass(frozen=True)
class ImportOptions:
    """Inference switches and explicit repairs shared by the IMDF and OSM importers.

    * ``infer_exits``: openings (and entrance points) on the building outline at grade
      become exits; lobby / entrance units at grade get an exterior door.
    * ``outline_tolerance_m``: distance from a door's midpoint or a unit edge to the
      outline still counted as on it.
    * ``link_stairs``: stair / escalator units that overlap in plan on consecutive levels
      are joined into flights when no traversal says so; ``link_tolerance_m`` widens the
      plans before the overlap test (drawing offsets between floors).
    * ``fix_categories``: openings whose category contradicts their geometry (a car
      opening between two rooms) are treated as pedestrian doors.
    * ``walkway_rooms``: a walkway that fully contains a room: ``carve`` the room out of
      it, ``drop`` the walkway, or ``keep`` both (counted twice).
    * ``room_doors`` (OSM): rooms with no door node get a door into the corridor they
      share the longest edge with.
    * ``exit``, ``drop``, ``category``: the explicit repairs.
    """

    infer_exits: bool = True
    outline_tolerance_m: float = OUTLINE_TOLERANCE_M
    link_stairs: bool = False
    link_tolerance_m: float = 1.0
    fix_categories: bool = True
    walkway_rooms: WalkwayRooms = "carve"
    room_doors: bool = True
    exit_width_m: float = EXIT_WIDTH_M
    exit: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    category: Mapping[str, str] = field(default_factory=dict)
    drop_unreachable: bool = False
    fixes_source: str = ""

    def __post_init__(self) -> None:
        for name in ("outline_tolerance_m", "link_tolerance_m", "exit_width_m"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and 0 <= float(v) < 1e4) or \
                    (name == "exit_width_m" and v <= 0):
                raise LayoutError(f"must be a number in [0, 10000), got {v!r}",
                                  field=f"--{name.replace('_', '-')}")
        if self.walkway_rooms not in ("carve", "drop", "keep"):
            raise LayoutError(f"unknown value {self.walkway_rooms!r}; expected carve, drop "
                              "or keep", field="--walkway-rooms")

    def with_cli(self, *, exit: Sequence[str] = (), drop: Sequence[str] = (),
                 category: Mapping[str, str] | None = None,
                 **switches: Any) -> ImportOptions:
        """These options with the command line's added: lists extend, switches given
        (not ``None``) override the file's."""
        given = {k: v for k, v in switches.items() if v is not None}
        return replace(self, exit=(*self.exit, *exit), drop=(*self.drop, *drop),
                       category={**self.category, **(category or {})}, **given)


_FILE_KEYS = {"schema", "infer_exits", "outline_tolerance_m", "link_stairs",
              "link_tolerance_m", "fix_categories", "walkway_rooms", "room_doors",
              "exit_width_m", "exit", "drop", "category", "drop_unreachable"}


def parse_category(items: Sequence[str]) -> dict[str, str]:
    """``["room=shop", ...]`` -> ``{"room": "shop"}`` (``--category CATEGORY=KIND``)."""
    out: dict[str, str] = {}
    for item in items:
        cat, sep, kind = item.partition("=")
        if not sep or not cat.strip() or not kind.strip():
            raise LayoutError(f"expected CATEGORY=KIND, got {item!r}", field="--category")
        out[cat.strip().lower()] = kind.strip()
    return out


def fixes_from_dict(raw: Mapping[str, Any], *, source: str = "<memory>") -> ImportOptions:
    """Validate an overrides mapping (see the module doc) into :class:`ImportOptions`."""
    def err(reason: str, fld: str) -> LayoutError:
        return LayoutError(reason, field=fld, source=source)

    unknown = sorted(set(raw) - _FILE_KEYS)
    if unknown:
        raise err(f"unknown key (expected one of {', '.join(sorted(_FILE_KEYS))})",
                  unknown[0])
    if raw.get("schema", FIXES_SCHEMA) != FIXES_SCHEMA:
        raise err(f"expected {FIXES_SCHEMA!r}, got {raw['schema']!r}", "schema")
    kw: dict[str, Any] = {}
    for key in ("infer_exits", "link_stairs", "fix_categories", "room_doors",
                "drop_unreachable"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise err(f"expected true or false, got {raw[key]!r}", key)
            kw[key] = raw[key]
    for key in ("outline_tolerance_m", "link_tolerance_m", "exit_width_m"):
        if key in raw:
            v = raw[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < 1e4 \
                    or v != v:
                raise err(f"expected a number in [0, 10000), got {v!r}", key)
            kw[key] = float(v)
    if "walkway_rooms" in raw:
        kw["walkway_rooms"] = raw["walkway_rooms"]
        if raw["walkway_rooms"] not in ("carve", "drop", "keep"):
            raise err(f"expected carve, drop or keep, got {raw['walkway_rooms']!r}",
                      "walkway_rooms")
    for key in ("exit", "drop"):
        if key in raw:
            v = raw[key]
            if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
                raise err("expected a list of ids (strings)", key)
            kw[key] = tuple(v)
    if "category" in raw:
        v = raw["category"]
        if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
            raise err("expected a table CATEGORY = \"KIND\"", "category")
        kw["category"] = {str(k).lower(): x for k, x in v.items()}
    return ImportOptions(fixes_source=source, **kw)


def load_fixes(path: str | Path) -> ImportOptions:
    """Read an overrides file (``--fixes FILE``)."""
    p = Path(path)
    return fixes_from_dict(read_toml(p, LayoutError, "fixes file"), source=str(p))
