"""The smoke zones and openings of a plan (pure: a :class:`~sim.model.layout.Layout` in,
:class:`SmokeGeometry` out).

* **Zones.** Every indoor space is one zone, its floor at its level's elevation and its
  ceiling ``height_m`` above. Outdoor spaces (``exit``, ``plaza``) are the open air.
* **Voids.** Atrium spaces on different levels whose plans overlap by at least half of the
  smaller one form one void (the generated malls draw an atrium on every level with
  ``height_m`` up to the roof). A void is one zone from its lowest floor to its highest
  ceiling; its member spaces (and escalators opening only into it) are galleries that see
  the void's layer at their own floor height.
* **Openings.** Every layout opening is a link from its level's floor up to its head: a
  ``door`` 2.1 m (:data:`DOOR_HEAD_M`), a shop front (``shutter``) 3.0 m
  (:data:`SHOPFRONT_HEAD_M`: the bulkhead above it is a downstand), an ``opening`` wider
  than 4 m the lower of the two ceilings (an open join: street to street, street to atrium
  gallery), a narrower ``opening`` 2.1 m; never above either side's ceiling. ``fire_door``
  openings are self-closing fire doors and carry no smoke (leakage ignored).
* **Front delay.** Smoke leaves a zone through an opening only once its front has crossed
  the zone: the distance from the zone's centroid to the opening over
  :data:`FRONT_SPEED_MPS`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.hazards.smoke import OUTSIDE, SmokeLink, SmokeZone
from sim.model.assumptions import declare
from sim.model.exterior import OUTDOOR_KINDS
from sim.model.layout import Layout, Space

__all__ = [
    "DOOR_HEAD_M",
    "FRONT_SPEED_MPS",
    "OPEN_PLAN_WIDTH_M",
    "SHOPFRONT_HEAD_M",
    "SmokeGeometry",
    "build_geometry",
    "find_voids",
]

DOOR_HEAD_M = 2.1
"""Head height of a doorway above its floor, m (typical door; engineering choice)."""
SHOPFRONT_HEAD_M = declare(
    "smoke.shopfront_head_m", default=3.0, unit="m", low=2.4, high=3.5, dist="uniform",
    valid_min=1.8, status="assumed", used_by=("fire",),
    source="assumed: typical mall fit-out, a bulkhead above the shop front acts as a "
           "downstand", name="Head height of a shop-front opening").default
"""Head of a shop-front opening above the floor, m (register default)."""
OPEN_PLAN_WIDTH_M = 4.0
"""An ``opening`` wider than this is an open join whose head is the lower ceiling."""
FRONT_SPEED_MPS = declare(
    "smoke.front_speed_mps", default=1.0, unit="m/s", low=0.5, high=1.5, dist="uniform",
    valid_min=0.05, status="assumed", used_by=("fire",),
    source="assumed: ceiling smoke fronts in corridors and malls travel at 0.5–1.5 m/s early "
           "in a fire", name="Speed of a smoke front across a zone").default
"""Speed of a smoke front along a ceiling, m/s (register default)."""
"""Space kinds that are the open air for smoke."""
_VOID_OVERLAP = 0.5


@dataclass(frozen=True)
class SmokeGeometry:
    """Zones, links and the space ↔ zone map of a plan.

    Attributes
    ----------
    zones : list of SmokeZone
    links : list of SmokeLink
    zone_of_space : dict
        Space id → zone id (:data:`~sim.hazards.smoke.OUTSIDE` for outdoor spaces).
    floor_m, height_m : dict
        Space id → absolute floor elevation and clear height of the space, m.
    voids : dict
        Void zone id → its member spaces (galleries), lowest first.
    """

    zones: list[SmokeZone]
    links: list[SmokeLink]
    zone_of_space: dict[str, str]
    floor_m: dict[str, float]
    height_m: dict[str, float]
    voids: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _floor(layout: Layout, s: Space) -> float:
    return min(layout.level(lv).elevation_m for lv in s.levels)


def find_voids(layout: Layout) -> list[list[str]]:
    """Groups of stacked atrium spaces (two or more levels), lowest first."""
    atria = [s for s in layout.spaces.values() if s.kind == "atrium" and s.shape is not None]
    parent = {s.id: s.id for s in atria}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, a in enumerate(atria):
        for b in atria[i + 1:]:
            if a.level == b.level:
                continue
            assert a.shape is not None and b.shape is not None
            inter = a.shape.intersection(b.shape).area
            if inter >= _VOID_OVERLAP * min(a.area_m2, b.area_m2):
                parent[root(a.id)] = root(b.id)
    groups: dict[str, list[Space]] = {}
    for s in atria:
        groups.setdefault(root(s.id), []).append(s)
    out = []
    for members in groups.values():
        if len(members) > 1:
            members.sort(key=lambda s: (_floor(layout, s), s.id))
            out.append([s.id for s in members])
    return sorted(out)


def build_geometry(layout: Layout, *, spill_widths: Mapping[str, float] | None = None,
                   front_speed_mps: float = FRONT_SPEED_MPS,
                   shopfront_head_m: float = SHOPFRONT_HEAD_M) -> SmokeGeometry:
    """Zones and links of ``layout``; ``spill_widths`` maps opening ids to the gap between
    their channelling screens (m)."""
    spill_widths = spill_widths or {}
    floor = {sid: _floor(layout, s) for sid, s in layout.spaces.items()}
    height = {sid: s.height_m for sid, s in layout.spaces.items()}
    zone_of: dict[str, str] = {}
    zones: dict[str, SmokeZone] = {}
    voids: dict[str, tuple[str, ...]] = {}
    for group in find_voids(layout):
        zid = f"void:{group[0]}"
        lowest = layout.spaces[group[0]]
        top = max(floor[m] + height[m] for m in group)
        zones[zid] = SmokeZone(zid, max(layout.spaces[m].area_m2 for m in group),
                               floor[group[0]], top, _perimeter(lowest))
        voids[zid] = tuple(group)
        for m in group:
            zone_of[m] = zid
    # escalators opening only into one void belong to it
    for s in layout.iter_kind("escalator"):
        ends = {zone_of.get(layout.openings[o].other(s.id)) for o in layout.openings_of[s.id]}
        if len(ends) == 1 and None not in ends:
            zone_of[s.id] = ends.pop()  # type: ignore[assignment]
    for sid, s in layout.spaces.items():
        if sid in zone_of:
            continue
        if s.kind in OUTDOOR_KINDS:
            zone_of[sid] = OUTSIDE
            continue
        zones[sid] = SmokeZone(sid, max(s.area_m2, 1.0), floor[sid], floor[sid] + height[sid],
                               _perimeter(s))
        zone_of[sid] = sid
    links: list[SmokeLink] = []
    for o in layout.openings.values():
        if o.kind == "fire_door":
            continue
        za, zb = zone_of[o.a], zone_of[o.b]
        if za == zb:
            continue
        bottom = layout.level(o.level).elevation_m
        room = [zones[z].ceiling_m - bottom for z in (za, zb) if z != OUTSIDE]
        room = [r for r in room if r > 0.0]
        if not room:
            continue
        ceiling = min(room)
        if o.kind == "shutter":
            head = min(shopfront_head_m, ceiling)
        elif o.kind == "opening" and o.width_m > OPEN_PLAN_WIDTH_M:
            head = ceiling
        else:
            head = min(DOOR_HEAD_M, ceiling)
        delays = tuple(_front_delay(layout.spaces[sid], o.at, front_speed_mps)
                       if z != OUTSIDE else 0.0 for sid, z in ((o.a, za), (o.b, zb)))
        links.append(SmokeLink(za, zb, o.width_m, bottom, bottom + head, id=o.id,
                               spill_width_m=spill_widths.get(o.id),
                               delay_s=(delays[0], delays[1])))
    return SmokeGeometry(list(zones.values()), links, zone_of, floor, height, voids)


def _perimeter(s: Space) -> float:
    return float(s.shape.length) if s.shape is not None else 0.0


def _front_delay(space: Space, at: tuple[float, float], speed: float) -> float:
    cx, cy = space.centroid
    if math.isnan(cx) or speed <= 0.0:
        return 0.0
    return math.hypot(at[0] - cx, at[1] - cy) / speed
