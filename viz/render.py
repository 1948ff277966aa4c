"""Draw one frame of a replay onto a pygame surface (shared by the window and export).

The :class:`Renderer` knows nothing about events: it draws the plan of one level or of
all levels side by side, the entities at the player's time, the optional density and
smoke layers, the panel, the timeline and the help overlay. It works on any 32-bit
surface and needs no display (only ``pygame.font``).

Speed: the static plan of each level is drawn once per zoom level and cached; occupants
are written into the surface's pixels with numpy (``pygame.surfarray.pixels2d``) in a
few vectorised assignments, so 30,000 of them cost a few milliseconds; overlays are
redrawn only when the series sample, the zoom or the pan changes.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pygame

from sim.engine.replay import ENTITY_KINDS, Replay, State
from viz import style
from viz.geometry import LevelGeom, PlanGeometry, network_params
from viz.player import Player, Snapshot

TIMELINE_H = 58
HUD_H = 58
#: Largest cached plan surface (pixels); beyond it the plan is drawn for the view only.
MAX_CACHE_PX = 6_000_000
#: Pixels of all cached plan surfaces together (4 bytes each).
CACHE_BUDGET_PX = 30_000_000
MIN_ZOOM, MAX_ZOOM = 0.25, 64.0
HELP_LINES = (
    ("space", "play / pause"),
    (", / .", "step back / forward (1 s, or 1 s of wall time when fast)"),
    ("[ / ]", "slower / faster (x0.25 ... x64)"),
    ("n / N", "next / previous event"),
    ("Home / End", "start / end"),
    ("drag timeline", "seek"),
    ("1 - 9", "show the n-th level from the bottom"),
    ("a", "all levels side by side"),
    ("drag / arrows", "pan"),
    ("wheel / + / -", "zoom"),
    ("f", "fit the plan"),
    ("d", "density layer (Fruin level of service)"),
    ("s", "smoke: shading, layer height · visibility per space"),
    ("l", "legend"),
    ("h", "this help"),
    ("q / Esc", "quit"),
)


@dataclass
class View:
    """What the user chose to see."""

    level: int = 0  # geometry level index shown in single mode
    all_levels: bool = False
    zoom: float = 1.0
    pan: list[float] = field(default_factory=lambda: [0.0, 0.0])
    density: bool = False
    smoke: bool = True
    legend: bool = True
    help: bool = False


@dataclass
class Tile:
    """One level drawn in a screen rectangle with transform ``X = ax + x*s, Y = ay - y*s``."""

    level: int
    rect: pygame.Rect
    ax: float
    ay: float
    s: float

    def project(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.ax + x * self.s, self.ay - y * self.s

    def unproject(self, px: float, py: float) -> tuple[float, float]:
        return (px - self.ax) / self.s, (self.ay - py) / self.s


def _disc(r: int) -> np.ndarray:
    g = np.arange(-r, r + 1)
    dx, dy = np.meshgrid(g, g)
    m = dx * dx + dy * dy <= r * r + r * 0.8
    return np.stack([dx[m], dy[m]], axis=1)


class Renderer:
    """Draws frames of one replay.

    Parameters
    ----------
    replay : Replay
    player : Player
        The clock (its ``t`` is drawn unless a time is passed to :meth:`render`).
    size : (int, int)
        Frame size in pixels.
    geometry : PlanGeometry, optional
        Built from ``replay.layout`` when omitted.
    """

    def __init__(self, replay: Replay, player: Player, size: tuple[int, int],
                 geometry: PlanGeometry | None = None, view: View | None = None) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self.replay = replay
        self.player = player
        self.geom = geometry or PlanGeometry(replay.layout,
                                             network_params=network_params(replay.meta))
        self.view = view or View(level=self.geom.ground_level)
        self.size = (int(size[0]), int(size[1]))
        self.level_map = self.geom.replay_level_map(replay.level_ids)
        self.series_cells = self.geom.series_cell_map(replay.cell_ids)
        kinds = np.asarray(replay.entity_kind)
        self.occupants = np.flatnonzero(kinds == 0)
        self.others = np.flatnonzero(kinds != 0)
        self.state_lut = style.state_lut()
        self._fonts: dict[int, pygame.font.Font] = {}
        self._text: OrderedDict[tuple[str, int, tuple[int, int, int]], pygame.Surface] = \
            OrderedDict()
        self._plan_cache: OrderedDict[tuple[Any, ...], tuple[pygame.Surface, float, float]] = \
            OrderedDict()
        self._overlay_cache: OrderedDict[tuple[Any, ...], pygame.Surface] = OrderedDict()
        self._density_cache: tuple[float, np.ndarray] | None = None
        sec = replay.meta.get("security") or {}
        self.cameras = [c for c in sec.get("cameras", []) if isinstance(c, dict)]
        self.barriers = [b for b in sec.get("barriers", []) if isinstance(b, dict)]
        self.fire_space, self.fire_at, self.fire_t = self._fire_origin(replay)
        self._fire_cells = {self.geom.cell_index[c] for c in
                            self.geom.network.cells_of_space.get(self.fire_space or "", ())}
        self.frame_text = ""
        self._legend_items = self._legend()
        self._space_smoke: Any = False  # computed on first use (None: no smoke series)

    def _fire_origin(self, replay: Replay) -> tuple[str | None, Any, float]:
        """Where and when a fire starts: ``meta["fire"]``, else the scenario's hazards."""
        fire = replay.meta.get("fire")
        if isinstance(fire, dict) and fire.get("space"):
            sp = self.geom.layout.spaces.get(str(fire["space"]))
            at = fire.get("at") or (sp.centroid if sp is not None else None)
            return str(fire["space"]), at, float(fire.get("t_s", 0.0))
        scn = replay.meta.get("scenario")
        hazards = scn.get("hazards") if isinstance(scn, dict) else None
        for hz in hazards or []:
            if isinstance(hz, dict) and hz.get("kind") == "fire" and hz.get("space"):
                sp = self.geom.layout.spaces.get(str(hz["space"]))
                if sp is not None and sp.polygon is not None:
                    return sp.id, sp.centroid, float(hz.get("t_s") or 0.0)
        return None, None, 0.0

    # -- layout of the screen ----------------------------------------------------------

    @property
    def plan_rect(self) -> pygame.Rect:
        w, h = self.size
        return pygame.Rect(0, HUD_H, w, max(1, h - TIMELINE_H - HUD_H))

    @property
    def timeline_rect(self) -> pygame.Rect:
        w, h = self.size
        return pygame.Rect(0, h - TIMELINE_H, w, TIMELINE_H)

    def _track(self) -> tuple[int, int, int]:
        r = self.timeline_rect
        return r.x + 64, r.right - 64, r.y + 34

    def t_to_x(self, t: float) -> float:
        x0, x1, _ = self._track()
        d = self.player.duration or 1.0
        return x0 + (x1 - x0) * min(max(t / d, 0.0), 1.0)

    def x_to_t(self, x: float) -> float:
        x0, x1, _ = self._track()
        return min(max((x - x0) / max(x1 - x0, 1), 0.0), 1.0) * self.player.duration

    def tiles(self) -> list[Tile]:
        """The levels on screen and their transforms."""
        pr = self.plan_rect
        gx0, gy0, gx1, gy1 = self.geom.bbox
        bw, bh = max(gx1 - gx0, 1.0), max(gy1 - gy0, 1.0)
        cx, cy = (gx0 + gx1) / 2, (gy0 + gy1) / 2
        v = self.view
        if v.all_levels and len(self.geom.levels) > 1:
            n = len(self.geom.levels)
            best: tuple[float, int] = (0.0, 1)
            for cols in range(1, n + 1):
                rows = math.ceil(n / cols)
                tw, th = pr.w / cols - 8, pr.h / rows - 24
                s = min(tw / bw, th / bh)
                if s > best[0]:
                    best = (s, cols)
            fit, cols = best
            rows = math.ceil(n / cols)
            tw, th = pr.w // cols, pr.h // rows
            out = []
            # highest level first, reading order
            for k, lv in enumerate(sorted(self.geom.levels, key=lambda g: -g.elevation_m)):
                r, c = divmod(k, cols)
                rect = pygame.Rect(pr.x + c * tw, pr.y + r * th, tw, th)
                s = fit * 0.94 * v.zoom
                ccx, ccy = rect.centerx + v.pan[0], rect.centery + 8 + v.pan[1]
                out.append(Tile(lv.index, rect, ccx - cx * s, ccy + cy * s, s))
            return out
        fit = min(pr.w / bw, pr.h / bh) * 0.92
        s = fit * v.zoom
        ccx, ccy = pr.centerx + v.pan[0], pr.centery + v.pan[1]
        lv = min(max(v.level, 0), len(self.geom.levels) - 1)
        return [Tile(lv, pr.copy(), ccx - cx * s, ccy + cy * s, s)]

    def tile_at(self, pos: tuple[int, int]) -> Tile | None:
        for t in self.tiles():
            if t.rect.collidepoint(pos):
                return t
        return None

    def zoom_at(self, factor: float, pos: tuple[int, int] | None = None) -> None:
        """Zoom by ``factor`` keeping the world point under ``pos`` in place."""
        v = self.view
        new = min(max(v.zoom * factor, MIN_ZOOM), MAX_ZOOM)
        tile = self.tile_at(pos) if pos is not None else None
        if tile is None:
            tile = self.tiles()[0]
            pos = tile.rect.center
        wx, wy = tile.unproject(pos[0], pos[1])
        v.zoom = new
        t2 = next(t for t in self.tiles() if t.level == tile.level)
        nx_, ny_ = t2.project(np.float64(wx), np.float64(wy))
        v.pan[0] += pos[0] - float(nx_)
        v.pan[1] += pos[1] - float(ny_)

    def center_on(self, x: float, y: float, zoom: float | None = None) -> None:
        """Zoom (optional) and pan so that world point ``(x, y)`` m is in the tile centre."""
        v = self.view
        if zoom is not None:
            v.zoom = min(max(float(zoom), MIN_ZOOM), MAX_ZOOM)
        v.pan = [0.0, 0.0]
        tile = self.tiles()[0]
        px, py = tile.project(np.float64(x), np.float64(y))
        v.pan = [tile.rect.centerx - float(px), tile.rect.centery - float(py)]

    # -- text --------------------------------------------------------------------------

    def font(self, size: int) -> pygame.font.Font:
        f = self._fonts.get(size)
        if f is None:
            f = self._fonts[size] = pygame.font.Font(None, size)
        return f

    def text(self, s: str, size: int = 18, colour: style.RGB = style.TEXT) -> pygame.Surface:
        key = (s, size, colour)
        surf = self._text.get(key)
        if surf is None:
            surf = self.font(size).render(s, True, colour)
            self._text[key] = surf
            if len(self._text) > 1500:
                self._text.popitem(last=False)
        return surf

    # -- static plan -------------------------------------------------------------------

    def _plan_surface(self, tile: Tile) -> tuple[pygame.Surface, float, float]:
        """The cached static drawing of a level: ``(surface, ax, ay)`` in its own frame."""
        lv = self.geom.levels[tile.level]
        s = tile.s
        x0, y0, x1, y1 = self.geom.bbox
        margin = 24
        w = int((x1 - x0) * s) + 2 * margin
        h = int((y1 - y0) * s) + 2 * margin
        if w * h <= MAX_CACHE_PX:
            key: tuple[Any, ...] = ("whole", tile.level, round(s, 6))
            ax, ay = margin - x0 * s, margin + y1 * s
            size = (w, h)
        else:  # too big at this zoom: draw only what the tile shows
            r = tile.rect
            key = ("view", tile.level, round(s, 6), round(tile.ax - r.x, 1),
                   round(tile.ay - r.y, 1), r.size)
            ax, ay = tile.ax - r.x, tile.ay - r.y
            size = r.size
        hit = self._plan_cache.get(key)
        if hit is not None:
            self._plan_cache.move_to_end(key)
            return hit
        surf = pygame.Surface(size, 0, 32)
        surf.fill(style.BACKGROUND)
        self._draw_static(surf, lv, ax, ay, s)
        out = (surf, ax, ay)
        self._plan_cache[key] = out
        while len(self._plan_cache) > 1 and (
                len(self._plan_cache) > 2 * max(len(self.geom.levels), 1) + 2
                or sum(v[0].get_width() * v[0].get_height()
                       for v in self._plan_cache.values()) > CACHE_BUDGET_PX):
            self._plan_cache.popitem(last=False)
        return out

    def _draw_static(self, surf: pygame.Surface, lv: LevelGeom, ax: float, ay: float,
                     s: float) -> None:
        def pts(co: np.ndarray) -> list[tuple[float, float]]:
            return list(zip((ax + co[:, 0] * s).tolist(), (ay - co[:, 1] * s).tolist(),
                            strict=True))

        wall_w = 1 if s < 6 else 2 if s < 20 else 3
        order = sorted(lv.spaces, key=lambda sp: sp.kind in ("stair", "escalator"))
        for sp in order:
            p = pts(sp.coords)
            pygame.draw.polygon(surf, style.SPACE_FILL.get(sp.kind, style.DEFAULT_FILL), p)
            if sp.kind in ("stair", "escalator"):
                self._stripes(surf, sp.coords, ax, ay, s)
            pygame.draw.polygon(surf, style.WALL, p, wall_w)
        for op in lv.openings:
            col = style.EXIT_COLOUR if op.is_exit else style.OPENING_COLOUR.get(
                op.kind, style.OPENING_COLOUR["door"])
            a = (ax + op.p0[0] * s, ay - op.p0[1] * s)
            b = (ax + op.p1[0] * s, ay - op.p1[1] * s)
            pygame.draw.line(surf, col, a, b, max(2, wall_w + 2 if op.is_exit else wall_w + 1))
            if op.is_exit:
                c = (int(ax + op.at[0] * s), int(ay - op.at[1] * s))
                pygame.draw.circle(surf, style.EXIT_COLOUR, c, max(3, int(0.6 * s)))
                if s >= 3:
                    t = self.text("EXIT", 13, (255, 255, 255))
                    bg = t.get_rect(center=c).inflate(4, 2)
                    pygame.draw.rect(surf, style.EXIT_COLOUR, bg)
                    surf.blit(t, t.get_rect(center=c))
        for b in self.barriers:
            op = next((o for o in lv.openings if o.id == b.get("opening")), None)
            if op is None:
                continue
            a = (ax + op.p0[0] * s, ay - op.p0[1] * s)
            e = (ax + op.p1[0] * s, ay - op.p1[1] * s)
            pygame.draw.line(surf, (200, 0, 0), a, e, max(3, wall_w + 3))
            for k in range(5):
                f = k / 4
                pygame.draw.circle(surf, (255, 255, 255),
                                   (a[0] + (e[0] - a[0]) * f, a[1] + (e[1] - a[1]) * f), 2)
        space_level = {sp.id for sp in lv.spaces}
        for cam in self.cameras:
            at = cam.get("at")
            if cam.get("space") not in space_level or not isinstance(at, list | tuple):
                continue
            cx, cy = ax + float(at[0]) * s, ay - float(at[1]) * s
            r = max(3, min(7, int(0.5 * s)))
            pygame.draw.polygon(surf, (60, 60, 70), [(cx, cy), (cx + 3 * r, cy - 1.5 * r),
                                                     (cx + 3 * r, cy + 1.5 * r)])
            pygame.draw.rect(surf, (20, 20, 30), pygame.Rect(cx - r, cy - r, 2 * r, 2 * r))
        # labels
        for sp in lv.spaces:
            w = (sp.coords[:, 0].max() - sp.coords[:, 0].min()) * s
            h = (sp.coords[:, 1].max() - sp.coords[:, 1].min()) * s
            if min(w, h) < 18 or sp.kind == "exit":
                continue
            label = sp.name or sp.id
            if sp.kind in ("stair", "escalator"):
                label = "/".join(sp.levels)
            t = self.text(label, 14 if s < 12 else 18, (70, 70, 80))
            if t.get_width() > w - 4:
                continue
            c = (ax + sp.centroid[0] * s, ay - sp.centroid[1] * s)
            surf.blit(t, t.get_rect(center=c))

    @staticmethod
    def _stripes(surf: pygame.Surface, co: np.ndarray, ax: float, ay: float, s: float) -> None:
        x0, y0 = co.min(axis=0)
        x1, y1 = co.max(axis=0)
        step = max(0.6, 4.0 / s)
        col = (120, 130, 160)
        if x1 - x0 >= y1 - y0:  # treads across the long x side
            x = x0 + step / 2
            while x < x1:
                pygame.draw.line(surf, col, (ax + x * s, ay - y0 * s), (ax + x * s, ay - y1 * s))
                x += step
        else:
            y = y0 + step / 2
            while y < y1:
                pygame.draw.line(surf, col, (ax + x0 * s, ay - y * s), (ax + x1 * s, ay - y * s))
                y += step

    # -- overlays ----------------------------------------------------------------------

    def cell_density(self, t: float) -> np.ndarray:
        """Persons per geometry cell at ``t``: from the occupancy series, else counted."""
        occ = self.player.series_at("occupancy", t)
        out = np.zeros(len(self.geom.cell_ids))
        if occ is not None:
            m = self.series_cells >= 0
            np.add.at(out, self.series_cells[m], occ[m])
            return out
        key = round(t, 0)
        if self._density_cache is not None and self._density_cache[0] == key:
            return self._density_cache[1]
        snap = self.player.snapshot(key)
        sel = self.occupants[snap.visible[self.occupants]
                             & (snap.state[self.occupants] != State.SAFE)]
        cells = self.geom.cells_at(snap.x[sel].astype(np.float64), snap.y[sel].astype(np.float64),
                                   self.level_map[np.minimum(snap.level[sel],
                                                             len(self.level_map) - 1)])
        cells = cells[cells >= 0]
        out = np.bincount(cells, minlength=len(self.geom.cell_ids)).astype(np.float64)
        self._density_cache = (key, out)
        return out

    def _overlay(self, tile: Tile, kind: str, t: float) -> pygame.Surface | None:
        r = tile.rect
        idx = self.player.series_index(t)
        if kind == "smoke":
            if "smoke_extinction_per_m" not in self.replay.series and \
                    "temperature_c" not in self.replay.series:
                return None
            if idx < 0:
                return None
            stamp: Any = idx
        else:
            stamp = idx if "occupancy" in self.replay.series else round(t, 0)
        key = (kind, tile.level, round(tile.s, 6), round(tile.ax, 1), round(tile.ay, 1),
               r.size, stamp)
        hit = self._overlay_cache.get(key)
        if hit is not None:
            return hit
        ov = pygame.Surface(r.size, 0, 32)
        ov.fill((255, 0, 255))
        ov.set_colorkey((255, 0, 255))
        ax, ay, s = tile.ax - r.x, tile.ay - r.y, tile.s
        lv = self.geom.levels[tile.level]
        colours: dict[int, style.RGB] = {}
        if kind == "density":
            persons = self.cell_density(t)
            los = style.fruin_index(persons, self.geom.cell_area)
            for ci in lv.cells:
                if los[ci] >= 0:
                    colours[ci] = style.FRUIN_COLOUR[int(los[ci])]
            ov.set_alpha(150)
        else:
            k = self.player.series_at("smoke_extinction_per_m", t)
            temp = self.player.series_at("temperature_c", t)
            kk = np.zeros(len(self.geom.cell_ids))
            tt = np.zeros(len(self.geom.cell_ids))
            m = self.series_cells >= 0
            if k is not None:
                kk[self.series_cells[m]] = k[m]
            if temp is not None:
                tt[self.series_cells[m]] = temp[m]
            burning = self._fire_cells if t >= self.fire_t else set()
            for ci in lv.cells:
                if ci in burning or tt[ci] >= 500:
                    colours[ci] = (235, 60, 0) if tt[ci] >= 500 or ci in burning \
                        else (255, 140, 0)
                elif kk[ci] > 0.02 or tt[ci] >= 100:
                    # visibility of a reflecting sign is about 3/K m: K = 1/m is ~3 m
                    f = min(max(kk[ci], 0.0) / 1.0, 1.0)
                    g = int(205 - 165 * f)
                    heat = min(max((tt[ci] - 100.0) / 400.0, 0.0), 1.0)
                    colours[ci] = (min(255, g + int(90 * heat)), g, max(0, g + 6 - int(40 * heat)))
            ov.set_alpha(160)
        for ci, col in colours.items():
            co = self.geom.cell_coords[ci]
            if co is None:
                continue
            pygame.draw.polygon(ov, col, list(zip((ax + co[:, 0] * s).tolist(),
                                                  (ay - co[:, 1] * s).tolist(), strict=True)))
        self._overlay_cache[key] = ov
        while len(self._overlay_cache) > 4 * max(len(self.geom.levels), 1):
            self._overlay_cache.popitem(last=False)
        return ov

    # -- entities ----------------------------------------------------------------------

    def dot_radius(self, s: float) -> int:
        return int(min(max(round(0.22 * s), 1 if s < 2.5 else 2), 6))

    def _draw_occupants(self, surf: pygame.Surface, tiles: Sequence[Tile],
                        snap: Snapshot) -> None:
        occ = self.occupants
        if not len(occ):
            return
        vis = occ[snap.visible[occ]]
        if not len(vis):
            return
        glevel = self.level_map[np.minimum(snap.level[vis], len(self.level_map) - 1)]
        colours = self.state_lut[snap.state[vis]]
        mapped = ((colours[:, 0].astype(np.uint32) << 16) | (colours[:, 1].astype(np.uint32) << 8)
                  | colours[:, 2].astype(np.uint32))
        outline = np.uint32(0x202020)
        rmask, gmask, bmask = surf.get_masks()[:3]
        if (rmask, gmask, bmask) != (0xFF0000, 0xFF00, 0xFF):
            mapped = np.asarray([surf.map_rgb(tuple(int(v) for v in c)) for c in colours],
                                np.uint32)
            outline = np.uint32(surf.map_rgb((32, 32, 32)))
        px = pygame.surfarray.pixels2d(surf)
        try:
            for tile in tiles:
                m = glevel == tile.level
                if not m.any():
                    continue
                r = self.dot_radius(tile.s)
                sx, sy = tile.project(snap.x[vis[m]].astype(np.float64),
                                      snap.y[vis[m]].astype(np.float64))
                rect = tile.rect
                ring = r + 1 if r >= 2 else r
                inb = ((sx >= rect.left + ring) & (sx < rect.right - ring - 1)
                       & (sy >= rect.top + ring) & (sy < rect.bottom - ring - 1))
                ix = np.rint(sx[inb]).astype(np.intp)
                iy = np.rint(sy[inb]).astype(np.intp)
                col = mapped[m][inb]
                if r >= 2:
                    for dx, dy in _disc(r + 1):
                        px[ix + dx, iy + dy] = outline
                for dx, dy in _disc(r):
                    px[ix + dx, iy + dy] = col
        finally:
            del px

    def _draw_others(self, surf: pygame.Surface, tiles: Sequence[Tile], snap: Snapshot) -> None:
        ids = self.others
        if not len(ids):
            return
        ids = ids[snap.visible[ids]]
        kinds = np.asarray(self.replay.entity_kind)
        for tile in tiles:
            glevel = self.level_map[np.minimum(snap.level[ids], len(self.level_map) - 1)]
            sel = ids[glevel == tile.level]
            if not len(sel):
                continue
            sx, sy = tile.project(snap.x[sel].astype(np.float64), snap.y[sel].astype(np.float64))
            surf.set_clip(tile.rect)
            big = max(9, min(16, int(0.8 * tile.s)))
            small = max(4, min(9, int(0.45 * tile.s)))
            for e, x, y in zip(sel.tolist(), sx.tolist(), sy.tolist(), strict=True):
                kind = ENTITY_KINDS[int(kinds[e])]
                shape = style.KIND_SHAPE.get(kind, "dot")
                st = int(snap.state[e])
                col = style.STATE_COLOUR.get(st, style.UNKNOWN_STATE_COLOUR)
                if shape == "big":
                    bc = style.BIG_COLOUR.get(kind, (200, 0, 0))
                    if st == State.NEUTRALISED:
                        bc = style.STATE_COLOUR[State.NEUTRALISED]
                    pygame.draw.circle(surf, (255, 255, 255), (x, y), big + 2)
                    pygame.draw.circle(surf, bc, (x, y), big)
                    t = self.text(style.BIG_LETTER.get(kind, "?"), max(14, int(big * 1.8)),
                                  (255, 255, 255))
                    surf.blit(t, t.get_rect(center=(x, y + 1)))
                    if st == State.NEUTRALISED:
                        pygame.draw.line(surf, (0, 0, 0), (x - big, y - big), (x + big, y + big), 3)
                    lab = self.replay.entity_label[e]
                    if lab and tile.s >= 2:
                        lt = self.text(lab, 14, (20, 20, 20))
                        surf.blit(lt, (x + big + 3, y - 7))
                    continue
                h = small
                if shape == "triangle":
                    p = [(x, y - h * 1.2), (x - h, y + h * 0.8), (x + h, y + h * 0.8)]
                elif shape == "square":
                    p = [(x - h * 0.85, y - h * 0.85), (x + h * 0.85, y - h * 0.85),
                         (x + h * 0.85, y + h * 0.85), (x - h * 0.85, y + h * 0.85)]
                elif shape == "diamond":
                    p = [(x, y - h * 1.2), (x + h, y), (x, y + h * 1.2), (x - h, y)]
                else:
                    pygame.draw.circle(surf, col, (x, y), h)
                    continue
                pygame.draw.polygon(surf, col, p)
                pygame.draw.polygon(surf, (10, 10, 10), p, 1)
                if tile.s >= 8 and self.replay.entity_label[e]:
                    surf.blit(self.text(self.replay.entity_label[e], 13, (30, 30, 30)),
                              (x + h + 2, y - 6))
            surf.set_clip(None)

    def _draw_fire_symbol(self, surf: pygame.Surface, tile: Tile, t: float) -> None:
        if self.fire_at is None or self.fire_space is None:
            return
        if not any(sp.id == self.fire_space for sp in self.geom.levels[tile.level].spaces):
            return
        fire_marks = [m for m in self.player.marks
                      if str(m.get("kind", "")) in ("fire", "ignition")]
        if t < (float(fire_marks[0]["t"]) if fire_marks else self.fire_t):
            return
        x, y = tile.project(np.float64(self.fire_at[0]), np.float64(self.fire_at[1]))
        x, y = float(x), float(y)
        r = max(7, min(16, int(tile.s)))
        surf.set_clip(tile.rect)
        pygame.draw.polygon(surf, (230, 40, 0), [(x, y - 1.6 * r), (x + r, y + r * 0.6),
                                                 (x - r, y + r * 0.6)])
        pygame.draw.polygon(surf, (255, 200, 0), [(x, y - 0.6 * r), (x + 0.5 * r, y + r * 0.6),
                                                  (x - 0.5 * r, y + r * 0.6)])
        surf.set_clip(None)

    def _draw_space_smoke(self, surf: pygame.Surface, tile: Tile, t: float) -> None:
        """Layer height and visibility at each smoky space of the tile's level, at ``t``:
        "1.4 m · 6 m" (the layer above the floor · visibility 3/K, shown once the layer is
        below head height); red once the layer is below 1.8 m."""
        if self._space_smoke is False:
            from viz.smoke import space_smoke

            self._space_smoke = space_smoke(self.replay, self.geom)
        sm = self._space_smoke
        if sm is None or tile.s < 1.2:
            return
        layer, vis = sm.at(t)
        lid = self.geom.levels[tile.level].id
        surf.set_clip(tile.rect)
        for k, sid in enumerate(sm.spaces):
            h = float(layer[k])
            if sm.levels[k] != lid or not np.isfinite(h) or h >= sm.heights[k] - 0.05:
                continue
            sp = self.geom.layout.spaces[sid]
            x, y = tile.project(np.float64(sp.centroid[0]), np.float64(sp.centroid[1]))
            low = h < 1.8
            label = f"{h:.1f} m" + (f" · {min(float(vis[k]), 99.0):.0f} m" if low else "")
            img = self.text(label, 15, (255, 90, 90) if low else style.TEXT)
            surf.blit(img, img.get_rect(center=(float(x), float(y) + 14)))
        surf.set_clip(None)

    # -- HUD -----------------------------------------------------------------------------

    def _draw_panel(self, surf: pygame.Surface, t: float) -> None:
        """The bar above the plan: clock, play state, speed, counts, alarm, level."""
        p = self.player
        c = p.counts(t)
        box = pygame.Rect(0, 0, self.size[0], HUD_H)
        pygame.draw.rect(surf, style.PANEL_BG, box)
        clock = self.text(style.fmt_clock(t, tenths=True), 32)
        surf.blit(clock, (box.x + 12, box.y + 6))
        ix, iy = box.x + 12 + clock.get_width() + 14, box.y + 9
        if p.playing:
            pygame.draw.polygon(surf, style.TEXT, [(ix, iy), (ix + 14, iy + 8), (ix, iy + 16)])
        else:
            pygame.draw.rect(surf, style.TEXT, (ix, iy, 5, 16))
            pygame.draw.rect(surf, style.TEXT, (ix + 9, iy, 5, 16))
        surf.blit(self.text(f"x{p.speed:g}", 24), (ix + 22, iy - 1))
        x = ix + 80
        counts = (f"inside {c.inside:,}    safe {c.safe:,}    casualties {c.casualties:,}"
                  + (f" ({c.dead} dead)" if c.dead else ""))
        surf.blit(self.text(counts, 22), (x, box.y + 9))
        alarm = p.alarm(t)
        if alarm is not None:
            label = str(alarm.get("label") or alarm.get("kind"))
            at = self.text(f"ALARM since {style.fmt_clock(float(alarm['t']))}: {label}", 20,
                           (255, 90, 90))
        else:
            at = self.text("no alarm", 20, style.TEXT_DIM)
        surf.blit(at, (box.x + 12, box.y + 36))
        lvl = "all levels" if self.view.all_levels else self.geom.levels[
            min(self.view.level, len(self.geom.levels) - 1)].label
        lt = self.text(lvl, 22, style.TEXT)
        surf.blit(lt, (box.right - lt.get_width() - 12, box.y + 9))
        if self.view.density:
            x = box.right - 12 - 6 * 30 - 150
            y = box.y + 35
            surf.blit(self.text("density (Fruin LoS)", 17, style.TEXT_DIM), (x, y + 3))
            x += 150
            for letter, col in zip(style.FRUIN_LETTERS, style.FRUIN_COLOUR, strict=True):
                pygame.draw.rect(surf, col, (x, y, 27, 18))
                t2 = self.text(letter, 16, (0, 0, 0))
                surf.blit(t2, t2.get_rect(center=(x + 13, y + 9)))
                x += 30

    def _draw_legend(self, surf: pygame.Surface) -> None:
        items = self._legend_items
        if not items:
            return
        w = 190
        pr = self.plan_rect
        box = pygame.Rect(pr.right - w - 8, pr.bottom - 12 - 20 * len(items), w,
                          6 + 20 * len(items))
        bg = pygame.Surface(box.size, 0, 32)
        bg.fill(style.PANEL_BG)
        bg.set_alpha(200)
        surf.blit(bg, box)
        for i, (name, col, shape) in enumerate(items):
            x, y = box.x + 16, box.y + 13 + 20 * i
            if shape == "triangle":
                pygame.draw.polygon(surf, col, [(x, y - 7), (x - 6, y + 5), (x + 6, y + 5)])
            elif shape == "square":
                pygame.draw.rect(surf, col, (x - 5, y - 5, 11, 11))
            elif shape == "diamond":
                pygame.draw.polygon(surf, col, [(x, y - 7), (x + 6, y), (x, y + 7), (x - 6, y)])
            elif shape == "big":
                pygame.draw.circle(surf, col, (x, y), 7)
            else:
                pygame.draw.circle(surf, col, (x, y), 5)
            surf.blit(self.text(name, 18), (x + 14, y - 7))

    def _legend(self) -> list[tuple[str, style.RGB, str]]:
        items: list[tuple[str, style.RGB, str]] = []
        present = set(np.unique(self.player.tracks.state).tolist())
        for st in (State.UNAWARE, State.MOVING, State.QUEUING, State.SHELTERING, State.INJURED,
                   State.INCAPACITATED, State.SAFE, State.DEAD):
            if int(st) in present:
                items.append((style.STATE_NAME[int(st)], style.STATE_COLOUR[st], "dot"))
        kinds_present = {ENTITY_KINDS[int(k)] for k in np.unique(self.replay.entity_kind)}
        for k in ("guard", "team", "officer"):
            if k in kinds_present:
                items.append((f"{k} (colour: task)" if k == "guard" else k, (210, 210, 215),
                              style.KIND_SHAPE[k]))
        for k in ("attacker", "vehicle", "police", "robber"):
            if k in kinds_present:
                items.append((k, style.BIG_COLOUR[k], "big"))
        return items

    def _draw_timeline(self, surf: pygame.Surface, t: float) -> None:
        r = self.timeline_rect
        pygame.draw.rect(surf, style.PANEL_BG, r)
        x0, x1, y = self._track()
        pygame.draw.rect(surf, (70, 72, 84), (x0, y - 4, x1 - x0, 8), border_radius=4)
        xc = self.t_to_x(t)
        pygame.draw.rect(surf, (120, 150, 220), (x0, y - 4, max(0, xc - x0), 8),
                         border_radius=4)
        surf.blit(self.text(style.fmt_clock(0), 16, style.TEXT_DIM), (r.x + 12, y - 6))
        end = self.text(style.fmt_clock(self.player.duration), 16, style.TEXT_DIM)
        surf.blit(end, (x1 + 10, y - 6))
        last_right = [-1e9, -1e9]
        labelled: set[str] = set()
        for m in self.player.marks:
            mx = self.t_to_x(float(m["t"]))
            col = style.mark_colour(str(m.get("kind", "")))
            pygame.draw.line(surf, col, (mx, y - 10), (mx, y + 10), 3)
            kind = str(m.get("kind", ""))
            if kind in labelled:  # repeated kinds: a tick only
                continue
            label = kind.replace("_", " ")
            lt = self.text(label, 15, col)
            lx = min(max(mx - lt.get_width() / 2, r.x + 2), r.right - lt.get_width() - 2)
            row = 0 if lx >= last_right[0] + 6 else 1 if lx >= last_right[1] + 6 else -1
            if row >= 0:
                ly = r.y + 3 if row == 0 else y + 12
                surf.blit(lt, (lx, ly))
                labelled.add(kind)
                last_right[row] = lx + lt.get_width()
        pygame.draw.line(surf, (255, 255, 255), (xc, y - 13), (xc, y + 13), 3)
        pygame.draw.polygon(surf, (255, 255, 255), [(xc - 6, y - 19), (xc + 6, y - 19),
                                                    (xc, y - 12)])
        if self.frame_text:
            ft = self.text(self.frame_text, 14, style.TEXT_DIM)
            surf.blit(ft, (r.right - ft.get_width() - 6, r.bottom - ft.get_height() - 2))

    def _draw_help(self, surf: pygame.Surface) -> None:
        levels = "  ".join(f"{i + 1} {lv.id}" for i, lv in enumerate(self.geom.levels[:9]))
        lines = (*HELP_LINES, ("levels", levels))
        w = max(560, 180 + self.font(20).size(levels)[0])
        h = 40 + 24 * len(lines)
        box = pygame.Rect(0, 0, w, h)
        box.center = self.plan_rect.center
        bg = pygame.Surface(box.size, 0, 32)
        bg.fill(style.PANEL_BG)
        bg.set_alpha(235)
        surf.blit(bg, box)
        surf.blit(self.text("Keys", 24), (box.x + 16, box.y + 10))
        for i, (k, what) in enumerate(lines):
            y = box.y + 38 + 24 * i
            surf.blit(self.text(k, 20, (255, 220, 120)), (box.x + 16, y))
            surf.blit(self.text(what, 20), (box.x + 160, y))

    # -- frame -------------------------------------------------------------------------

    def render(self, surf: pygame.Surface, t: float | None = None) -> None:
        """Draw the frame at ``t`` (default: the player's time) onto ``surf``."""
        if surf.get_size() != self.size:
            self.size = surf.get_size()
        t = self.player.t if t is None else float(t)
        surf.fill(style.BACKGROUND)
        tiles = self.tiles()
        for tile in tiles:
            plan, pax, pay = self._plan_surface(tile)
            surf.set_clip(tile.rect)
            if plan.get_size() == tile.rect.size and (pax, pay) == (
                    tile.ax - tile.rect.x, tile.ay - tile.rect.y):
                surf.blit(plan, tile.rect.topleft)
            else:
                surf.blit(plan, (round(tile.ax - pax), round(tile.ay - pay)))
            if self.view.density:
                ov = self._overlay(tile, "density", t)
                if ov is not None:
                    surf.blit(ov, tile.rect.topleft)
            if self.view.smoke:
                ov = self._overlay(tile, "smoke", t)
                if ov is not None:
                    surf.blit(ov, tile.rect.topleft)
            surf.set_clip(None)
            if self.view.smoke:
                self._draw_space_smoke(surf, tile, t)
            self._draw_fire_symbol(surf, tile, t)
            if len(tiles) > 1:
                lab = self.text(self.geom.levels[tile.level].label, 18, style.TEXT)
                surf.blit(lab, (tile.rect.x + 6, tile.rect.y + 4))
                pygame.draw.rect(surf, (60, 62, 70), tile.rect, 1)
        snap = self.player.snapshot(t)
        self._draw_occupants(surf, tiles, snap)
        self._draw_others(surf, tiles, snap)
        self._draw_panel(surf, t)
        if self.view.legend:
            self._draw_legend(surf)
        self._draw_timeline(surf, t)
        if self.view.help:
            self._draw_help(surf)

    def project_entity(self, e: int, t: float) -> tuple[int, int] | None:
        """Screen pixel of entity ``e`` at ``t`` (``None`` when not on screen)."""
        snap = self.player.snapshot(t)
        if not snap.visible[e]:
            return None
        gl = int(self.level_map[min(int(snap.level[e]), len(self.level_map) - 1)])
        for tile in self.tiles():
            if tile.level == gl:
                x, y = tile.project(np.float64(snap.x[e]), np.float64(snap.y[e]))
                return int(np.rint(x)), int(np.rint(y))
        return None
