"""The outside of a layout: which spaces are outdoors, which openings lead out, and which
of those a vehicle reaches by road.

One definition for the compliance checker (SM-1.5 counts the doors reachable by road),
the egress code checks, the smoke model and the vehicle hazard (where a driver can
ram):

* **Outdoors** is a space of kind ``exit`` or ``plaza``.
* An **exterior opening** (出入口) joins an indoor space and the outdoors.
* A door is **reachable by road** when it is an exterior opening tagged ``road``, or
  its outdoor side is tagged ``road`` (a street, a car-park ramp).
"""

from __future__ import annotations

from typing import Final

from sim.model.layout import Layout, Opening, Space

#: Space kinds that are outdoors.
OUTDOOR_KINDS: Final = frozenset({"exit", "plaza"})
#: Tag of an opening or outdoor space that vehicles reach by road.
ROAD_TAG: Final = "road"


def is_outdoor_kind(kind: str) -> bool:
    """Exits and plazas are outdoors."""
    return kind in OUTDOOR_KINDS


def is_outdoor(space: Space) -> bool:
    """True for exits and plazas."""
    return space.kind in OUTDOOR_KINDS


def exterior_doors(layout: Layout, level: str | None = None) -> list[Opening]:
    """Openings between an indoor space and the outdoors (file order), optionally on one
    level."""
    out = []
    for o in layout.openings.values():
        a, b = layout.spaces[o.a], layout.spaces[o.b]
        if is_outdoor(a) != is_outdoor(b) and (level is None or o.level == level):
            out.append(o)
    return out


def outdoor_side(layout: Layout, opening: str) -> str | None:
    """The outdoor space of an opening, if it has one."""
    o = layout.openings[opening]
    for s in (o.a, o.b):
        if is_outdoor(layout.spaces[s]):
            return s
    return None


def road_doors(layout: Layout) -> list[str]:
    """Exterior openings reachable by road (file order): tagged ``road``, or with an
    outdoor side tagged ``road``."""
    out = []
    for o in exterior_doors(layout):
        side = outdoor_side(layout, o.id)
        if ROAD_TAG in o.tags or (side is not None and ROAD_TAG in layout.spaces[side].tags):
            out.append(o.id)
    return out
