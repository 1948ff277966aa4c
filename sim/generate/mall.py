"""A parametric generator of orthogonal mall plans, and the three bundled malls.

``safemall layout generate NAME --out DIR`` writes ``DIR/layout.toml`` for one of
:data:`MALLS` (``compact``, ``riverside``, ``grand``). The output is deterministic: every
random choice (shop widths) comes from ``random.Random(spec.seed)``.

The plan: a racetrack ("dumbbell") mall
---------------------------------------
Every sales level has the same rectangular floor plate, ``length_m`` along x (west to
east) and ``D = 2·outer_depth + 2·corridor + 2·inner_depth`` along y (south = front,
y = 0; north = back). From south to north::

    y = D  ┌─────┬──────────── north outer row (shops, stairs, services) ─────┬─────┐
           │     │═════════════ north street (corridor) ══════════════════════│     │
           │ W   ║   inner north row (shops)  │ atrium │  inner north row     ║  E  │
           │anchor   inner south row (shops)  │        │  inner south row       anchor
           │     │═════════════ south street (corridor) ══════════════════════│     │
    y = 0  └─────┴──── south outer row (shops, stairs; plaza gap at an atrium) ─┴─────┘

* Two long **streets** (corridors, ``corridor_m`` wide, 6–8 m) and two short **end
  streets** at the anchors form a ring round the inner block. Streets join each other
  and the atria by wide joins (kind ``opening``).
* **Atria** cut across the inner block at ``atria`` (fractions of its length) on every
  sales level. Between consecutive levels each atrium holds an **escalator pair** in a
  bay cut out of its east side (criss-cross: the flights of consecutive pairs are drawn
  on the same bay, like stacked stair flights).
* **Anchors** (kind ``shop``, tag ``anchor``, at most 2000 m²) fill both ends on every
  level. In multi-level malls each anchor has ``anchor_stairs`` stair towers on its end
  façade, which it also opens into at grade; a one-level anchor has exterior doors there.
* **Shops** fill the rows between fixed features; widths are drawn round
  ``shop_width_m`` (areas 60–400 m²). Doors are shutters on the street (two on shops
  16 m wide or more).
* **Stairs** (kind ``stair``, ``levels = [lower, upper]``) are towers of stacked flights:
  ``stairs_per_side`` *cores* per outer row (a tower beside an exit gap, evenly spaced)
  and the anchor towers. Consecutive flights join at their landing (kind ``opening``);
  each floor above grade opens into the flight going down (a ``fire_door``); the flight
  reaching grade discharges straight outside through its own exit. Riser = floor height
  / ceil(height / 0.170 m), within 160–170 mm; tread 280 mm; ``length_m`` = slope length
  of the flight + 1.5 m of landing; ``width_m`` = the tower's clear width.
* **Exits** at grade: a plaza (kind ``plaza``, tags ``main_entrance``, ``road``) in front
  of each atrium with the street exit beyond it; a gap opposite each atrium on the north
  row; the gaps of the cores; in a one-level mall gaps at the four corners of the ring;
  more gaps wherever exits along a street would be more than ``exit_spacing_m`` apart;
  anchor doors; stair discharges; the loading dock. A gap is a break in the outer row at
  grade (shops above it) with a door from the street straight to the outside.
* **Back of house** on the north row at grade: ``cctv_room``, ``duty_room``,
  ``finance_room`` and a loading ``service`` room (one ``service`` plant room on each
  upper level above it); a ``gate`` lodge beside the main plaza.
* **Car parks** (``parking_levels`` below grade) extend the plate by ``yard_m`` to the
  north; ramps (kind ``stair`` tagged ``ramp``, 7 m wide) in notches of that strip join
  them to each other and to a road exit; six stair towers outside the car-park edge
  discharge at grade.

Egress sizing
-------------
:func:`build_mall` sizes the stair towers and the exit gaps to GB 50016 5.5.21 at the
*high* design density (:mod:`sim.analysis.egress_code`): it builds the plan, computes the required
stair width of the most loaded floor and the required exterior-door width at grade, widens
stairs (shared equally by all towers, 0.1 m steps) and gaps (0.5 m steps) and rebuilds
until both are met with a 2 % margin.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from shapely.geometry import Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

from sim.analysis.egress_code import (
    exit_width_at_grade_m,
    required_exit_width_m,
    required_stair_width_m,
    stair_width_m,
)
from sim.errors import SafeMallError
from sim.io.layout_files import dump_layout_toml
from sim.model.layout import Layout
from sim.model.layout_schema import layout_from_dict

#: Placeholder written next to a generated layout until the security issue fills it.
SECURITY_PLACEHOLDER: Final = (
    "# Security plan placeholder: the security-plan issue fills this file\n"
    "# (guards, posts, patrols, cameras, alarms, PA zones, barriers).\n"
    'schema = "safemall/security/1"\n'
)

#: Tread (mm) of every generated stair.
TREAD_MM: Final = 280.0
#: Largest riser (mm) of a generated stair.
MAX_RISER_MM: Final = 170.0
#: Landing length (m) added to a flight's slope length.
LANDING_M: Final = 1.5
#: Shortest stretch of shop frontage (m) allowed between two fixed features.
MIN_FRONTAGE_M: Final = 5.0


@dataclass(frozen=True)
class MallSpec:
    """Parameters of one generated mall (see the module docstring for the plan)."""

    key: str
    title: str
    sales_levels: int
    length_m: float
    parking_levels: int = 0
    city: str = "Zhengzhou"
    outer_depth_m: float = 16.0
    inner_depth_m: float = 14.0
    corridor_m: float = 8.0
    anchor_depth_m: float = 25.0
    atria: tuple[float, ...] = (0.5,)
    atrium_width_m: float = 28.0
    plaza_width_m: float = 16.0
    stairs_per_side: int = 0
    anchor_stairs: int = 2
    stair_width_m: float = 2.0
    car_stair_width_m: float = 1.8
    exit_width_m: float = 4.0
    corner_exits: bool = False
    exit_spacing_m: float = 40.0
    shop_width_m: float = 10.0
    ground_height_m: float = 5.5
    floor_height_m: float = 5.0
    parking_height_m: float = 4.5
    yard_m: float = 40.0
    target_sales_m2: float = 0.0
    seed: int = 2017

    @property
    def depth_m(self) -> float:
        """Plate depth D (m) along y."""
        return 2 * (self.outer_depth_m + self.corridor_m + self.inner_depth_m)


#: The three bundled malls. ``target_sales_m2`` is the issue's figure (tested ±10 %).
MALLS: Final[dict[str, MallSpec]] = {
    "compact": MallSpec(
        key="compact", title="Compact Mall", sales_levels=1, length_m=174.0,
        anchor_depth_m=20.0, shop_width_m=9.0, anchor_stairs=0, corner_exits=True,
        exit_width_m=5.0,
        target_sales_m2=12_000, seed=101),
    "riverside": MallSpec(
        key="riverside", title="Riverside Mall", sales_levels=3, parking_levels=1,
        length_m=160.0, outer_depth_m=12.0, inner_depth_m=10.0, stairs_per_side=4,
        stair_width_m=3.4,
        target_sales_m2=26_000, seed=202),
    "grand": MallSpec(
        key="grand", title="Grand Mall", sales_levels=5, parking_levels=2,
        length_m=188.0, atria=(0.3, 0.7), stairs_per_side=6, anchor_stairs=3, stair_width_m=4.4,
        target_sales_m2=62_000, seed=303),
}


def _stair_geometry(height_m: float) -> tuple[float, float]:
    """(riser_mm, slope length m) of a flight rising ``height_m`` (see module doc)."""
    n = math.ceil(height_m * 1000.0 / MAX_RISER_MM - 1e-9)
    riser = height_m * 1000.0 / n
    run = (n - 1) * TREAD_MM / 1000.0
    return round(riser, 1), round(math.hypot(run, height_m) + LANDING_M, 2)


def _r(v: float) -> float:
    return round(float(v), 3)


def _rect(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[_r(x0), _r(y0)], [_r(x1), _r(y0)], [_r(x1), _r(y1)], [_r(x0), _r(y1)]]


def _minus(outer: Polygon, holes: Iterable[Polygon]) -> list[list[float]]:
    """``outer`` minus notches that touch its edge, as one ring (counter-clockwise)."""
    shape = outer.difference(unary_union(list(holes))) if holes else outer
    if not isinstance(shape, Polygon) or len(shape.interiors):
        raise AssertionError("a notch must touch the edge and leave one piece")
    shape = orient(shape.simplify(0), 1.0)
    pts = list(shape.exterior.coords)[:-1]
    k = min(range(len(pts)), key=lambda i: (pts[i][1], pts[i][0]))
    pts = pts[k:] + pts[:k]
    return [[_r(x), _r(y)] for x, y in pts]


@dataclass(frozen=True)
class _Feature:
    """A fixed slot of an outer row: stair, exit gap, plaza gap, service room."""

    kind: str
    x0: float
    x1: float
    ground_only: bool = True
    name: str = ""

    @property
    def mid(self) -> float:
        return (self.x0 + self.x1) / 2


def _free(features: Sequence[_Feature], x0: float, x1: float, w: float, want: float) -> float:
    """Centre nearest ``want`` where a slot ``w`` wide fits among ``features``.

    A slot abuts a row end or a feature, or leaves at least :data:`MIN_FRONTAGE_M` to it,
    so no sliver of shop frontage is left.
    """
    a, b = _place(features, x0, x1, w, want)
    return (a + b) / 2


def _place(features: Sequence[_Feature], x0: float, x1: float, w: float, want: float,
           stretch: bool = False) -> tuple[float, float]:
    """Extent ``(a, b)`` of a slot ``w`` wide placed as near ``want`` as possible.

    Without ``stretch`` the slot must leave no frontage shorter than
    :data:`MIN_FRONTAGE_M` on either side; with it, the slot may go anywhere free and
    is widened to swallow such a sliver.
    """
    def clear(gap: float) -> bool:
        return stretch or abs(gap) < 1e-9 or gap >= MIN_FRONTAGE_M - 1e-9

    def ok(c: float) -> bool:
        a, b = c - w / 2, c + w / 2
        if a < x0 - 1e-9 or b > x1 + 1e-9 or not (clear(a - x0) and clear(x1 - b)):
            return False
        return all((b <= f.x0 + 1e-9 and clear(f.x0 - b)) or (f.x1 <= a + 1e-9 and clear(a - f.x1))
                   for f in features)

    cands = {want + k * 0.25 * sign for k in range(4000) for sign in (1, -1)}
    cands |= {x0 + w / 2, x1 - w / 2}
    cands |= {c for f in features for c in (f.x0 - w / 2, f.x1 + w / 2)}
    for c in sorted(cands, key=lambda c: (abs(c - want), c)):
        if ok(c):
            a, b = c - w / 2, c + w / 2
            if stretch:
                left = max([x0, *(f.x1 for f in features if f.x1 <= a + 1e-9)])
                right = min([x1, *(f.x0 for f in features if f.x0 >= b - 1e-9)])
                a = left if a - left < MIN_FRONTAGE_M else a
                b = right if right - b < MIN_FRONTAGE_M else b
            return a, b
    raise AssertionError(f"no room for a {w} m slot in the row [{x0}, {x1}]")


def _along(spans: Sequence[tuple[float, float]], d: float) -> float:
    """The x reached after walking ``d`` metres along the concatenated ``spans``."""
    for a, b in spans:
        if d <= b - a:
            return a + d
        d -= b - a
    return spans[-1][1]


class _Plan:
    """Accumulates levels, spaces and openings in the TOML schema."""

    def __init__(self) -> None:
        self.levels: list[dict[str, Any]] = []
        self.spaces: list[dict[str, Any]] = []
        self.openings: list[dict[str, Any]] = []
        self._ids: set[str] = set()

    def _id(self, sid: str) -> str:
        if sid in self._ids:
            raise AssertionError(f"duplicate id {sid}")
        self._ids.add(sid)
        return sid

    def space(self, sid: str, kind: str, levels: str | Sequence[str],
              polygon: list[list[float]] | None = None, **extra: Any) -> str:
        d: dict[str, Any] = {"id": self._id(sid), "kind": kind}
        if isinstance(levels, str):
            d["level"] = levels
        else:
            d["levels"] = list(levels)
        if polygon is not None:
            d["polygon"] = polygon
        d.update({k: v for k, v in extra.items() if v not in (None, (), [])})
        self.spaces.append(d)
        return sid

    def opening(self, oid: str, a: str, b: str, width: float, at: tuple[float, float],
                kind: str = "door", tags: Sequence[str] = ()) -> str:
        d: dict[str, Any] = {"id": self._id(oid), "between": [a, b], "width_m": _r(width),
                             "at": [_r(at[0]), _r(at[1])], "kind": kind}
        if tags:
            d["tags"] = list(tags)
        self.openings.append(d)
        return oid

    def exit(self, eid: str, level: str, tags: Sequence[str] = ()) -> str:
        return self.space(eid, "exit", level, tags=list(tags))


class _Builder:
    """Builds one mall from a :class:`MallSpec`."""

    def __init__(self, spec: MallSpec) -> None:
        self.s = spec
        self.p = _Plan()
        self.rng = random.Random(spec.seed)
        s = spec
        self.D = s.depth_m
        self.L = s.length_m
        a, c, do, di = s.anchor_depth_m, s.corridor_m, s.outer_depth_m, s.inner_depth_m
        self.a, self.c, self.do, self.di = a, c, do, di
        self.y_s = (do, do + c)                     # south street
        self.y_n = (self.D - do - c, self.D - do)   # north street
        self.y_in = (do + c, self.D - do - c)       # inner block
        self.row_x = (a, self.L - a)                # outer rows and streets
        self.inner_x = (a + c, self.L - a - c)      # inner block
        self.atria = [self.inner_x[0] + f * (self.inner_x[1] - self.inner_x[0])
                      for f in s.atria]
        self.sales = [f"L{i + 1}" for i in range(s.sales_levels)]
        self.parks = [f"B{i + 1}" for i in range(s.parking_levels)]

    # ---------------------------------------------------------------- levels
    def levels(self) -> None:
        s = self.s
        elev = 0.0
        self.height: dict[str, float] = {}
        self.elev: dict[str, float] = {}
        for i, lv in enumerate(self.sales):
            h = s.ground_height_m if i == 0 else s.floor_height_m
            self.elev[lv], self.height[lv] = elev, h
            elev += h
        self.roof = elev
        elev = 0.0
        for i, lv in enumerate(self.parks):
            h = s.parking_height_m if i == 0 else 3.6
            elev -= h
            self.elev[lv], self.height[lv] = elev, h
        names = {"L1": "Ground floor"}
        for lv in sorted(self.elev, key=lambda k: self.elev[k]):
            name = names.get(lv, f"Floor {lv[1:]}" if lv.startswith("L")
                             else f"Basement {lv[1:]} car park")
            self.p.levels.append({"id": lv, "elevation_m": _r(self.elev[lv]), "name": name})

    # ---------------------------------------------------------------- features
    def features(self) -> None:
        """Fix stairs, exit gaps, plazas and services in the two outer rows.

        Order: plazas (south) and exit gaps (north) in line with the atria; stair *cores*
        (a stair tower beside an exit gap) evenly spaced along each row; the back-of-house
        rooms on the north row (widened to swallow slivers of frontage); for a one-level
        mall, exit gaps at the four corners of the ring; more exit gaps wherever exits
        along a street would be more than ``exit_spacing_m`` apart.
        """
        s, x0, x1 = self.s, *self.row_x
        south: list[_Feature] = []
        north: list[_Feature] = []
        w, ws = s.exit_width_m, s.stair_width_m
        for xa in self.atria:
            south.append(_Feature("plaza", xa - s.plaza_width_m / 2, xa + s.plaza_width_m / 2))
            north.append(_Feature("gap", xa - 4.0, xa + 4.0, name="atrium"))
        if s.sales_levels > 1:
            n = s.stairs_per_side
            for feats in (south, north):
                for i in range(n):
                    c = _free(feats, x0, x1, ws + w, x0 + (i + 0.5) * (x1 - x0) / n)
                    a = c - (ws + w) / 2
                    st, gp = (a, a + ws), (a + ws, a + ws + w)
                    if c > (x0 + x1) / 2:   # the gap on the side nearer the middle
                        st, gp = (a + w, a + w + ws), (a, a + w)
                    feats.append(_Feature("stair", *st, ground_only=False))
                    feats.append(_Feature("gap", *gp))
        # back of house on the north row: CCTV and duty rooms side by side, the finance
        # room, the loading room (with plant rooms stacked above it)
        for names, want in ((("cctv_room", "duty_room"), 0.3), (("finance_room",), 0.4),
                            (("service",), 0.7)):
            widths = [{"cctv_room": 7.0, "duty_room": 5.0, "finance_room": 5.0,
                       "service": 8.0}[k] for k in names]
            a, b = _place(north, x0, x1, sum(widths), x0 + (x1 - x0) * want, stretch=True)
            widths[0] += (b - a) - sum(widths)
            start = a
            for kind, wk in zip(names, widths, strict=True):
                north.append(_Feature(kind, start, start + wk, ground_only=kind != "service",
                                      name=kind))
                start += wk
        for feats in (south, north):
            if s.corner_exits:
                for want in (x0 + w / 2, x1 - w / 2):   # at the corners of the ring
                    c = _free(feats, x0, x1, w, want)
                    feats.append(_Feature("gap", c - w / 2, c + w / 2))
            exits = sorted(f.mid for f in feats if f.kind in ("plaza", "gap"))
            for lo, hi in itertools.pairwise(exits):
                k = math.ceil((hi - lo) / s.exit_spacing_m - 1e-9) - 1
                for j in range(1, k + 1):
                    c = _free(feats, x0, x1, w, lo + j * (hi - lo) / (k + 1))
                    feats.append(_Feature("gap", c - w / 2, c + w / 2))
        self.south = sorted(south, key=lambda f: f.x0)
        self.north = sorted(north, key=lambda f: f.x0)

    # ---------------------------------------------------------------- shops
    def _partition(self, lo: float, hi: float) -> list[tuple[float, float]]:
        n = max(1, round((hi - lo) / self.s.shop_width_m))
        weights = [1.0 + self.rng.uniform(-0.3, 0.3) for _ in range(n)]
        tot = sum(weights)
        out, x = [], lo
        for w in weights:
            nx = x + (hi - lo) * w / tot
            out.append((x, nx))
            x = nx
        out[-1] = (out[-1][0], hi)
        return out

    def _free_spans(self, feats: Sequence[_Feature], lo: float, hi: float
                    ) -> list[tuple[float, float]]:
        spans, x = [], lo
        for f in sorted(feats, key=lambda f: f.x0):
            if f.x0 > x + 1e-9:
                spans.append((x, f.x0))
            x = max(x, f.x1)
        if hi > x + 1e-9:
            spans.append((x, hi))
        return spans

    def _shop(self, lv: str, sid: str, x0: float, x1: float, y0: float, y1: float,
              door_y: float, street: str, tags: Sequence[str] = ()) -> None:
        p = self.p
        p.space(sid, "shop", lv, _rect(x0, y0, x1, y1), tags=list(tags))
        w = x1 - x0
        xs = [(x0 + x1) / 2] if w < 16 else [x0 + w / 4, x1 - w / 4]
        for k, x in enumerate(xs):
            p.opening(f"{sid}-door{'' if len(xs) == 1 else k + 1}", street, sid,
                      min(4.0, w - 1.0), (x, door_y), "shutter")

    # ---------------------------------------------------------------- a sales level
    def sales_level(self, i: int) -> None:
        lv, p, s = self.sales[i], self.p, self.s
        a, c, do, D, L = self.a, self.c, self.do, self.D, self.L
        ground = i == 0
        x0, x1 = self.row_x
        st_s = p.space(f"{lv}-street-S", "corridor", lv, _rect(x0, do, x1, do + c))
        st_n = p.space(f"{lv}-street-N", "corridor", lv,
                       _rect(x0, self.y_n[0], x1, self.y_n[1]))
        st_w = p.space(f"{lv}-street-W", "corridor", lv,
                       _rect(a, self.y_in[0], a + c, self.y_in[1]))
        st_e = p.space(f"{lv}-street-E", "corridor", lv,
                       _rect(L - a - c, self.y_in[0], L - a, self.y_in[1]))
        for end, xm in ((st_w, a + c / 2), (st_e, L - a - c / 2)):
            p.opening(f"{end}-S", st_s, end, c, (xm, self.y_in[0]), "opening")
            p.opening(f"{end}-N", st_n, end, c, (xm, self.y_in[1]), "opening")
        # atria, with an escalator bay on their east side when there are upper floors
        yc = (self.y_in[0] + self.y_in[1]) / 2
        for k, xa in enumerate(self.atria, start=1):
            ax0, ax1 = xa - s.atrium_width_m / 2, xa + s.atrium_width_m / 2
            outer = box(ax0, self.y_in[0], ax1, self.y_in[1])
            bay = [box(ax1 - 4.4, yc - 7, ax1, yc + 7)] if s.sales_levels > 1 else []
            aid = p.space(f"{lv}-atrium-{k}", "atrium", lv, _minus(outer, bay),
                          height_m=_r(self.roof - self.elev[lv]))
            # the open edge is cut into joins at most 15 m wide, so that walking distances
            # through the route graph do not all funnel through one midpoint
            k_n = math.ceil(s.atrium_width_m / 15.0 - 1e-9)
            wj = s.atrium_width_m / k_n
            for j in range(k_n):
                xj = ax0 + (j + 0.5) * wj
                sfx = "" if k_n == 1 else f"{j + 1}"
                p.opening(f"{aid}-S{sfx}", st_s, aid, wj, (xj, self.y_in[0]), "opening")
                p.opening(f"{aid}-N{sfx}", st_n, aid, wj, (xj, self.y_in[1]), "opening")
        # anchors at both ends
        for side, ax0, ax1, ex in (("W", 0.0, a, a), ("E", L - a, L, L - a)):
            an = p.space(f"{lv}-anchor-{side}", "shop", lv, _rect(ax0, 0, ax1, D),
                         tags=["anchor"], name=f"{'West' if side == 'W' else 'East'} anchor")
            end = st_w if side == "W" else st_e
            p.opening(f"{an}-door", end, an, 8.0, (ex, D / 2), "shutter")
            p.opening(f"{an}-door-S", st_s, an, 6.0, (ex, do + c / 2), "shutter")
            p.opening(f"{an}-door-N", st_n, an, 6.0, (ex, D - do - c / 2), "shutter")
            if ground:
                xm = (ax0 + ax1) / 2
                for wall, y in (("S", 0.0), ("N", D)):
                    e = p.exit(f"exit-anchor-{side}{wall}", lv, ["road"])
                    p.opening(f"{an}-exit-{wall}", an, e, 4.0, (xm, y), "door")
                if not (s.anchor_stairs > 0 and s.sales_levels > 1):
                    xw = ax0 if side == "W" else ax1
                    for j, y in enumerate((D / 4, 3 * D / 4), start=1):
                        e = p.exit(f"exit-anchor-{side}{j}", lv)
                        p.opening(f"{an}-exit-{j}", an, e, 4.0, (xw, y), "door")
        # outer rows
        jewels = 0
        for row, feats, y0, y1, door_y, street in (
                ("S", self.south, 0.0, do, do, st_s), ("N", self.north, D - do, D, D - do, st_n)):
            present = [f for f in feats if ground or not f.ground_only]
            for f in present:
                if f.kind in ("stair", "plaza"):
                    continue  # stairs are towers (see stairs()); plazas are outdoors
                if f.kind == "gap":
                    e = p.exit(f"exit-{row}{f.mid:.0f}", lv, ["road"])
                    p.opening(f"{street}-exit-{f.mid:.0f}", street, e, f.x1 - f.x0,
                              (f.mid, door_y), "door")
                    continue
                sid = p.space(f"{lv}-{f.name}", f.kind, lv, _rect(f.x0, y0, f.x1, y1),
                              name=f.name.replace("_", " ") if ground else "plant room")
                w = {"cctv_room": 1.2, "duty_room": 1.2, "finance_room": 1.0}.get(f.kind, 2.0)
                kind = "fire_door" if f.kind == "finance_room" else "door"
                p.opening(f"{sid}-door", street, sid, w, (f.mid, door_y), kind)
                if ground and f.kind == "service":
                    e = p.exit("exit-loading", lv, ["road"])
                    p.opening(f"{sid}-dock", sid, e, 4.0, (f.mid, y1 if row == "N" else y0),
                              "shutter")
            if ground:
                cctv = [f for f in present if f.kind in ("cctv_room", "duty_room")]
                if len(cctv) == 2 and abs(cctv[0].x1 - cctv[1].x0) < 1e-9:
                    p.opening("cctv-duty", f"{lv}-cctv_room", f"{lv}-duty_room", 1.0,
                              (cctv[0].x1, (y0 + y1) / 2))
            for n, (lo, hi) in enumerate(
                    (span for free in self._free_spans(present, x0, x1)
                     for span in self._partition(*free)), start=1):
                self._shop(lv, f"{lv}-shop-{row}{n:02d}", lo, hi, y0, y1, door_y, street)
        # inner rows, cut by the atria
        cuts = [_Feature("atrium", xa - s.atrium_width_m / 2, xa + s.atrium_width_m / 2)
                for xa in self.atria]
        ymid = (self.y_in[0] + self.y_in[1]) / 2
        for row, y0, y1, door_y, street in (("SI", self.y_in[0], ymid, self.y_in[0], st_s),
                                            ("NI", ymid, self.y_in[1], self.y_in[1], st_n)):
            spans = [sp for free in self._free_spans(cuts, *self.inner_x)
                     for sp in self._partition(*free)]
            near = sorted(range(len(spans)), key=lambda j: min(
                abs((spans[j][0] + spans[j][1]) / 2 - xa) for xa in self.atria))
            for n, (lo, hi) in enumerate(spans, start=1):
                tags = []
                if ground and row == "SI" and jewels < 2 and (n - 1) in near[:2]:
                    tags, jewels = ["shop_category:jewellery"], jewels + 1
                self._shop(lv, f"{lv}-shop-{row}{n:02d}", lo, hi, y0, y1, door_y, street, tags)
        if ground:
            self.entrances(lv, st_s, st_n)

    def entrances(self, lv: str, st_s: str, st_n: str) -> None:
        """Plazas with their exits in front of the atria, and the gate lodge."""
        p, s = self.p, self.s
        for k, xa in enumerate(self.atria, start=1):
            w = s.plaza_width_m
            pl = p.space(f"plaza-{k}", "plaza", lv, _rect(xa - w / 2, -20.0, xa + w / 2, self.do),
                         tags=["main_entrance", "road"], name=f"Entrance plaza {k}")
            p.opening(f"main-door-{k}", st_s, pl, w - 2.0, (xa, self.do), "door",
                      tags=["main_entrance"])
            e = p.exit(f"exit-plaza-{k}", lv, ["road", "main_entrance"])
            p.opening(f"{pl}-street", pl, e, w, (xa, -20.0), "opening")
            if k == 1:
                g = p.space("gate", "gate", lv, _rect(xa + w / 2, -12.0, xa + w / 2 + 5, -6.0),
                            name="gate lodge")
                p.opening("gate-door", pl, g, 1.0, (xa + w / 2, -9.0))

    # ---------------------------------------------------------------- stairs
    def _tower(self, tid: str, rect: tuple[float, float, float, float], width: float,
               levels: Sequence[str], doors: dict[str, tuple[str, tuple[float, float]]],
               discharge: tuple[float, float], landing: tuple[float, float],
               tags: Sequence[str] = ()) -> None:
        """A stair tower: one flight per pair of consecutive ``levels`` (low to high).

        ``doors`` maps a level to the space opening into the flight below it (or, at the
        lowest level, above it) and the door midpoint; the flight reaching grade (L1)
        discharges to its own exit at ``discharge``.
        """
        p = self.p
        flights = []
        for lo, hi in itertools.pairwise(levels):
            riser, length = _stair_geometry(self.elev[hi] - self.elev[lo])
            fid = p.space(f"stair-{tid}-{lo}-{hi}", "stair", [lo, hi], _rect(*rect),
                          length_m=length, riser_mm=riser, tread_mm=TREAD_MM,
                          width_m=_r(width), tags=list(tags))
            flights.append((lo, hi, fid))
        for (_, _, f), (_, _, g) in itertools.pairwise(flights):
            p.opening(f"{f}-landing", f, g, width, landing, "opening")
        for lv, (space, at) in doors.items():
            below = [f for lo, hi, f in flights if hi == lv]
            above = [f for lo, hi, f in flights if lo == lv]
            # each floor opens into the flight that leads towards grade
            flight = (below or above)[0] if self.elev[lv] >= 0 else (above or below)[0]
            p.opening(f"{flight}-door-{lv}", space, flight, width, at, "fire_door")
        grade = [f for lo, hi, f in flights if "L1" in (lo, hi)]
        e = p.exit(f"exit-stair-{tid}", "L1")
        p.opening(f"stair-{tid}-discharge", grade[0], e, width, discharge, "fire_door")

    def stairs(self) -> None:
        s, do, D, L = self.s, self.do, self.D, self.L
        if s.sales_levels > 1:
            upper = self.sales[1:]
            n = 0
            for row, feats in (("S", self.south), ("N", self.north)):
                for f in feats:
                    if f.kind != "stair":
                        continue
                    n += 1
                    y0, y1 = (0.0, do) if row == "S" else (D - do, D)
                    door_y = do if row == "S" else D - do
                    doors = {lv: (f"{lv}-street-{row}", (f.mid, door_y)) for lv in upper}
                    self._tower(f"{row}{n}", (f.x0, y0, f.x1, y1), f.x1 - f.x0, self.sales,
                                doors, (f.mid, 0.0 if row == "S" else D),
                                (f.mid, (y0 + y1) / 2))
            if s.anchor_stairs:
                w = s.stair_width_m
                for side, xw, xo in (("W", 0.0, -12.0), ("E", L, L + 12.0)):
                    n = s.anchor_stairs
                    for j, yc in enumerate((D * (2 * i + 1) / (2 * n) for i in range(n)),
                                           start=1):
                        x0, x1 = sorted((xw, xo))
                        rect = (x0, yc - w / 2, x1, yc + w / 2)
                        doors = {lv: (f"{lv}-anchor-{side}", (xw, yc)) for lv in self.sales}
                        self._tower(f"A{side}{j}", rect, w, self.sales, doors, (xo, yc),
                                    ((x0 + x1) / 2, yc))
        if self.parks:
            self.car_park_stairs()

    # ---------------------------------------------------------------- car parks
    def car_parks(self) -> None:
        p, L, D, E = self.p, self.L, self.D, self.s.yard_m
        top = D + E
        self.ramp1 = (L / 2 - 20.0, top - 30.0, L / 2 - 13.0, top)   # B1 -> L1
        self.ramp2 = (L / 2 + 13.0, top - 24.0, L / 2 + 20.0, top)   # B2 -> B1
        for i, lv in enumerate(self.parks):
            notches = [box(*self.ramp1)] if i == 0 else []
            if len(self.parks) > 1 and i <= 1:
                notches.append(box(*self.ramp2))
            p.space(f"{lv}-parking", "parking", lv, _minus(box(0, 0, L, top), notches),
                    height_m=3.0, name=f"car park {lv}")
        r1 = p.space("ramp-B1-L1", "stair", ["B1", "L1"], _rect(*self.ramp1), tags=["ramp"],
                     width_m=7.0, length_m=_r(math.hypot(30.0, -self.elev["B1"])),
                     name="vehicle ramp")
        p.opening("ramp-B1-L1-foot", "B1-parking", r1, 7.0,
                  ((self.ramp1[0] + self.ramp1[2]) / 2, self.ramp1[1]), "opening")
        e = p.exit("exit-ramp", "L1", ["road"])
        p.opening("ramp-B1-L1-top", r1, e, 7.0, ((self.ramp1[0] + self.ramp1[2]) / 2, top),
                  "opening")
        if len(self.parks) > 1:
            h = self.elev["B1"] - self.elev["B2"]
            r2 = p.space("ramp-B2-B1", "stair", ["B2", "B1"], _rect(*self.ramp2),
                         tags=["ramp"], width_m=7.0, length_m=_r(math.hypot(24.0, h)),
                         name="vehicle ramp")
            p.opening("ramp-B2-B1-foot", "B2-parking", r2, 7.0,
                      ((self.ramp2[0] + self.ramp2[2]) / 2, self.ramp2[1]), "opening")
            p.opening("ramp-B2-B1-top", "B1-parking", r2, 7.0,
                      (self.ramp2[0], self.ramp2[3] - 3.0), "opening")

    def car_park_stairs(self) -> None:
        L, D, E, w = self.L, self.D, self.s.yard_m, self.s.car_stair_width_m
        top = D + E
        levels = [*reversed(self.parks), "L1"]
        towers: list[tuple[str, tuple[float, float, float, float], tuple[float, float],
                           tuple[float, float]]] = []
        # on the end façades, between the anchors' own stair towers
        n = self.s.anchor_stairs if self.s.sales_levels > 1 else 0
        y_side = D / n if n >= 2 else D / 2
        for side, xw, xo in (("W", 0.0, -8.0), ("E", L, L + 8.0)):
            for j, yc in enumerate((y_side, D + E / 2), start=1):
                x0, x1 = sorted((xw, xo))
                towers.append((f"P{side}{j}", (x0, yc - w / 2, x1, yc + w / 2), (xw, yc),
                               (xo, yc)))
        for j, xc in enumerate((L / 4, 3 * L / 4), start=1):
            towers.append((f"PN{j}", (xc - w / 2, top, xc + w / 2, top + 8.0), (xc, top),
                           (xc, top + 8.0)))
        for tid, rect, door, out in towers:
            doors = {lv: (f"{lv}-parking", door) for lv in self.parks}
            self._tower(tid, rect, w, levels, doors, out,
                        ((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2))

    # ---------------------------------------------------------------- escalators
    def escalators(self) -> None:
        p, s = self.p, self.s
        yc = (self.y_in[0] + self.y_in[1]) / 2
        for k, xa in enumerate(self.atria, start=1):
            bx = xa + s.atrium_width_m / 2 - 4.4
            for i, (lo, hi) in enumerate(zip(self.sales, self.sales[1:], strict=False)):
                h = self.elev[hi] - self.elev[lo]
                length = _r(math.hypot(h * math.sqrt(3.0), h) + 2.4)
                y_lo, y_hi = (yc - 7, yc + 7) if i % 2 == 0 else (yc + 7, yc - 7)
                for direction, ex0 in (("up", bx + 0.4), ("down", bx + 2.4)):
                    eid = p.space(f"esc-{k}-{lo}-{hi}-{direction}", "escalator", [lo, hi],
                                  _rect(ex0, yc - 7, ex0 + 1.6, yc + 7), tags=[direction],
                                  length_m=length, width_m=1.0)
                    xm = ex0 + 0.8
                    p.opening(f"{eid}-foot", f"{lo}-atrium-{k}", eid, 1.0, (xm, y_lo), "opening")
                    p.opening(f"{eid}-head", f"{hi}-atrium-{k}", eid, 1.0, (xm, y_hi), "opening")

    # ---------------------------------------------------------------- all
    def build(self) -> dict[str, Any]:
        s = self.s
        self.levels()
        self.features()
        for i in range(s.sales_levels):
            self.sales_level(i)
        if self.parks:
            self.car_parks()
        self.stairs()
        if s.sales_levels > 1:
            self.escalators()
        return {
            "schema": "safemall/layout/1",
            "mall": {"name": s.title, "sprinklered": True, "fire_resistance_grade": 1,
                     "city": s.city},
            "levels": self.p.levels,
            "spaces": self.p.spaces,
            "openings": self.p.openings,
        }


def _draft(spec: MallSpec) -> Layout:
    return layout_from_dict(_Builder(spec).build(), source=f"<generated {spec.key}>")


def build_mall(spec: MallSpec) -> Layout:
    """Build and validate the mall of ``spec``, sizing stairs and exit gaps to GB 50016.

    See the module docstring for the sizing loop. Raises ``AssertionError`` if the plan
    cannot be made to fit (a generator bug, not an input error).
    """
    margin = 1.02
    for _ in range(30):
        lay = _draft(spec)
        need = required_stair_width_m(lay)
        have = stair_width_m(lay)
        changed = False
        if spec.sales_levels > 1 and any(have.get(k, 0.0) < r.width_m * margin
                                         for k, r in need.items()):
            # every tower of the sales floors has the same width: share the largest need
            towers = len([f for f in lay.spaces.values() if f.kind == "stair"
                          and f.levels == ("L1", "L2")])
            widest = max(r.width_m for r in need.values()) * margin
            spec = replace(spec, stair_width_m=max(spec.stair_width_m + 0.1,
                                                   math.ceil(widest / towers * 10) / 10))
            changed = True
        if exit_width_at_grade_m(lay) < required_exit_width_m(lay) * margin:
            spec = replace(spec, exit_width_m=spec.exit_width_m + 0.5)
            changed = True
        if not changed:
            return lay
    raise AssertionError(f"could not size the egress of {spec.key}")


def generate_layout(name: str) -> Layout:
    """The bundled mall called ``name`` (one of :data:`MALLS`) as a validated layout."""
    try:
        spec = MALLS[name]
    except KeyError:
        raise SafeMallError(f"unknown mall {name!r}; choose one of {', '.join(MALLS)}",
                            field="NAME", source="safemall layout generate") from None
    return build_mall(spec)


def generate_toml(name: str) -> str:
    """The TOML text of the bundled mall ``name`` (what is committed under ``layouts/``)."""
    spec = MALLS.get(name)
    lay = generate_layout(name)
    head = (f"# {lay.mall.name}: generated by `safemall layout generate {name}` "
            f"(sim/generate/mall.py, seed {spec.seed if spec else '?'}).\n"
            "# Do not edit by hand: change the generator and regenerate.\n")
    return head + dump_layout_toml(lay)


def write_mall(name: str, out_dir: str | Path) -> Path:
    """Write ``out_dir/layout.toml`` (and the security placeholder if absent)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "layout.toml"
    path.write_text(generate_toml(name), encoding="utf-8")
    sec = out / "security.toml"
    if not sec.exists():
        sec.write_text(SECURITY_PLACEHOLDER, encoding="utf-8")
    return path
