"""Where the plan's clauses look: gates, rooms, passages, entrances and road doors.

Conventions the layouts follow (see ``docs/compliance.md``):

* **Outdoors** is a space of kind ``exit`` or ``plaza``; an **entrance/exit** (出入口) is
  an opening between an indoor space and the outdoors
  (:func:`sim.analysis.egress_code.exterior_doors`).
* **Main entrances** are the openings tagged ``main_entrance``, plus the exterior
  doors between a space tagged ``main_entrance`` (e.g. the entrance plaza) and a
  corridor, atrium or shop (a gate lodge's door onto the plaza is not one). When
  nothing is tagged, every exterior door at grade of a shop, corridor or atrium counts
  (and the result says so).
* **Doors reachable by road** are exterior doors whose outdoor side is tagged ``road``,
  or that are tagged ``road`` themselves (a car-park ramp, a shop's street door).
* **Passages** are corridors, atria, stairs and escalators; **public spaces** (SM-1.4d)
  are the indoor spaces the public uses: shops, passages and car parks.
* The **gate** (门卫) is the plan's ``gate`` space, or every space of kind ``gate``; the
  CCTV room is ``cctv.room`` or every ``cctv_room``; the duty room is ``duty_room`` or
  every ``duty_room``.
"""

from __future__ import annotations

from typing import Final

from sim.model.exterior import ROAD_TAG, exterior_doors, is_outdoor
from sim.model.layout import Layout
from sim.model.security_plan import SecurityPlan

PASSAGE_KINDS: Final = ("corridor", "atrium", "stair", "escalator")
PUBLIC_KINDS: Final = ("shop", "corridor", "atrium", "stair", "escalator", "parking")
#: Spaces that get a smoke detector in a complete plan (and are checked for one).
DETECTOR_KINDS: Final = ("shop", "corridor", "atrium")
MAIN_TAG: Final = "main_entrance"
#: Indoor kinds whose doors onto a ``main_entrance`` space count as main entrances.
_PUBLIC_FRONT: Final = frozenset({"shop", "corridor", "atrium"})


def entrances(layout: Layout) -> list[str]:
    """Every opening between an indoor space and the outdoors (file order)."""
    return [o.id for o in exterior_doors(layout)]


def main_entrances(layout: Layout) -> tuple[list[str], bool]:
    """Main-entrance openings, and whether they were tagged (False: the fallback rule)."""
    ext = exterior_doors(layout)
    tagged = [o.id for o in layout.openings.values() if MAIN_TAG in o.tags]
    tagged += [o.id for o in ext if o.id not in tagged
               and (MAIN_TAG in layout.spaces[o.a].tags or MAIN_TAG in layout.spaces[o.b].tags)
               and layout.spaces[indoor_side(layout, o.id)].kind in _PUBLIC_FRONT]
    if tagged:
        return tagged, True
    grade = {lv.id for lv in layout.levels if lv.storey == 1}
    fallback = [o.id for o in ext if o.level in grade
                and any(layout.spaces[s].kind in ("shop", "corridor", "atrium")
                        for s in (o.a, o.b))]
    return fallback, False


def indoor_side(layout: Layout, opening: str) -> str:
    """The indoor space of an exterior opening (``a`` when both are indoor)."""
    o = layout.openings[opening]
    return o.b if is_outdoor(layout.spaces[o.a]) and not is_outdoor(layout.spaces[o.b]) else o.a


def road_spaces(layout: Layout) -> list[str]:
    """Outdoor spaces tagged ``road`` (where vehicles arrive)."""
    return [s.id for s in layout.spaces.values() if is_outdoor(s) and ROAD_TAG in s.tags]


def outdoor_spaces(layout: Layout) -> list[str]:
    """Exits and plazas: the perimeter the cameras must watch."""
    return [s.id for s in layout.spaces.values() if is_outdoor(s)]


def spaces_of(layout: Layout, *kinds: str) -> list[str]:
    """Ids of spaces of the given kinds (file order)."""
    return [s.id for s in layout.iter_kind(*kinds)]


def gates(layout: Layout, plan: SecurityPlan) -> list[str]:
    """The gate (门卫) spaces."""
    return [plan.gate] if plan.gate else spaces_of(layout, "gate")


def cctv_rooms(layout: Layout, plan: SecurityPlan) -> list[str]:
    """The video monitoring room(s)."""
    return [plan.cctv.room] if plan.cctv.room else spaces_of(layout, "cctv_room")


def duty_rooms(layout: Layout, plan: SecurityPlan) -> list[str]:
    """The 24-hour duty room(s)."""
    return [plan.duty_room] if plan.duty_room else spaces_of(layout, "duty_room")
