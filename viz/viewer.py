"""The replay viewer window (pygame): a video player over the floor plan.

``open_viewer(replay)`` opens a window and blocks until it is closed; the ``safemall
replay`` command and ``safemall run --watch`` call it. Keys are listed on the help
overlay (``h``) and in :data:`viz.render.HELP_LINES`.

The :class:`Viewer` separates event handling (:meth:`Viewer.handle`) from drawing
(:class:`viz.render.Renderer`), so tests drive it with synthetic pygame events under
``SDL_VIDEODRIVER=dummy``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pygame

from sim.engine.replay import Replay
from sim.errors import SafeMallError
from viz.geometry import PlanGeometry
from viz.player import Player, Tracks
from viz.render import Renderer, View

PAN_STEP_PX = 60
ZOOM_STEP = 1.25


class NoDisplayError(SafeMallError):
    """No window can be opened (no display, or a dummy video driver).

    A :class:`SafeMallError`, so the CLI prints it as one line and exits with status 2.
    """

    def __init__(self, reason: str, *, field: str = "", source: str = "viewer") -> None:
        super().__init__(f"cannot open a window ({reason}); render headless instead with "
                         "--export out.mp4|out.gif|frames/ or --screenshot T out.png"
                         if not reason.startswith("cannot open") else reason,
                         field=field, source=source)


def _has_display() -> tuple[bool, str]:
    drv = os.environ.get("SDL_VIDEODRIVER", "")
    if drv in ("dummy", "offscreen"):
        return False, f"SDL_VIDEODRIVER={drv}"
    if sys.platform.startswith("linux") and not drv and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False, "neither DISPLAY nor WAYLAND_DISPLAY is set"
    return True, ""


class Viewer:
    """Interactive state around a :class:`Renderer`.

    Parameters
    ----------
    replay : Replay
    size : (int, int)
        Window size (resizable).
    level : str, optional
        Level id, 1-based position from the bottom, or ``"all"``.
    speed : float
        Initial playback speed.
    window : bool
        Open a display window (``False``: draw offscreen only, for tests and export).
    """

    def __init__(self, replay: Replay, *, size: tuple[int, int] = (1280, 720),
                 level: str | None = None, speed: float = 1.0, playing: bool = True,
                 window: bool = True, geometry: PlanGeometry | None = None,
                 tracks: Tracks | None = None, title: str = "SafeMall replay") -> None:
        pygame.display.init()  # not pygame.init(): no audio (ALSA noise on servers)
        pygame.font.init()
        self.window = window
        self.screen: pygame.Surface | None = None
        if window:
            try:
                self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
            except pygame.error as exc:
                raise NoDisplayError(str(exc)) from None
            pygame.display.set_caption(title)
            pygame.key.set_repeat(300, 40)
        self.canvas = pygame.Surface(size, 0, 32)
        self.player = Player(replay, tracks, speed=speed, playing=playing)
        self.renderer = Renderer(replay, self.player, size, geometry=geometry)
        self.view: View = self.renderer.view
        apply_level(self.renderer, level)
        self.running = True
        self._seeking = False
        self._panning = False
        self.clock = pygame.time.Clock()
        self.fps = 0.0

    # -- events ------------------------------------------------------------------------

    def handle(self, ev: Any) -> None:
        """Apply one pygame event."""
        r, v, p = self.renderer, self.view, self.player
        if ev.type == pygame.QUIT:
            self.running = False
        elif ev.type == pygame.VIDEORESIZE:
            self.resize((ev.w, ev.h))
        elif ev.type == pygame.KEYDOWN:
            self._key(ev)
        elif ev.type == pygame.MOUSEBUTTONDOWN:
            if ev.button == 1:
                if r.timeline_rect.collidepoint(ev.pos):
                    self._seeking = True
                    p.seek(r.x_to_t(ev.pos[0]))
                elif r.plan_rect.collidepoint(ev.pos):
                    self._panning = True
            elif ev.button in (4, 5):  # old-style wheel
                r.zoom_at(ZOOM_STEP if ev.button == 4 else 1 / ZOOM_STEP, ev.pos)
        elif ev.type == pygame.MOUSEBUTTONUP and ev.button == 1:
            self._seeking = self._panning = False
        elif ev.type == pygame.MOUSEMOTION:
            if self._seeking:
                p.seek(r.x_to_t(ev.pos[0]))
            elif self._panning:
                v.pan[0] += ev.rel[0]
                v.pan[1] += ev.rel[1]
        elif ev.type == pygame.MOUSEWHEEL:
            pos = pygame.mouse.get_pos()
            r.zoom_at(ZOOM_STEP ** ev.y, pos if r.plan_rect.collidepoint(pos) else None)

    def _key(self, ev: Any) -> None:
        r, v, p = self.renderer, self.view, self.player
        k = ev.key
        ch = getattr(ev, "unicode", "") or (chr(k) if 32 <= k < 127 else "")
        shift = bool(getattr(ev, "mod", 0) & pygame.KMOD_SHIFT)
        if k in (pygame.K_ESCAPE,) or ch == "q":
            if v.help:
                v.help = False
            else:
                self.running = False
        elif k == pygame.K_SPACE or ch == " ":
            p.toggle()
        elif ch in (",", "<"):
            p.step(-1)
        elif ch in (".", ">"):
            p.step(1)
        elif ch == "[":
            p.slower()
        elif ch == "]":
            p.faster()
        elif ch == "N" or (ch == "n" and shift):
            p.prev_event()
        elif ch == "n":
            p.next_event()
        elif k == pygame.K_HOME:
            p.seek(0.0)
        elif k == pygame.K_END:
            p.seek(p.duration)
        elif ch.isdigit() and ch != "0":
            i = int(ch) - 1
            if i < len(r.geom.levels):
                v.level = i
                v.all_levels = False
        elif ch == "a":
            v.all_levels = not v.all_levels
        elif ch == "d":
            v.density = not v.density
        elif ch == "s":
            v.smoke = not v.smoke
        elif ch == "l":
            v.legend = not v.legend
        elif ch == "h" or ch == "?":
            v.help = not v.help
        elif ch == "f":
            v.zoom, v.pan = 1.0, [0.0, 0.0]
        elif ch in ("+", "="):
            r.zoom_at(ZOOM_STEP)
        elif ch in ("-", "_"):
            r.zoom_at(1 / ZOOM_STEP)
        elif k == pygame.K_LEFT:
            v.pan[0] += PAN_STEP_PX
        elif k == pygame.K_RIGHT:
            v.pan[0] -= PAN_STEP_PX
        elif k == pygame.K_UP:
            v.pan[1] += PAN_STEP_PX
        elif k == pygame.K_DOWN:
            v.pan[1] -= PAN_STEP_PX

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(320, int(size[0])), max(240, int(size[1])))
        if self.window:
            self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.canvas = pygame.Surface(size, 0, 32)
        self.renderer.size = size

    # -- loop --------------------------------------------------------------------------

    def pump(self) -> None:
        """Handle every queued event."""
        for ev in pygame.event.get():
            self.handle(ev)

    def draw(self) -> pygame.Surface:
        """Render the current frame onto the canvas (and the window); return the canvas."""
        self.renderer.render(self.canvas)
        if self.screen is not None:
            self.screen.blit(self.canvas, (0, 0))
            pygame.display.flip()
        return self.canvas

    def frame(self, wall_dt: float) -> None:
        """One iteration: events, clock, drawing."""
        self.pump()
        self.player.tick(wall_dt)
        self.draw()

    def run(self, max_frames: int | None = None, fps: int = 60) -> None:
        """The main loop (until closed, or ``max_frames``)."""
        n = 0
        self.clock.tick()
        while self.running and (max_frames is None or n < max_frames):
            dt = self.clock.tick(fps) / 1000.0
            self.frame(min(dt, 0.25))
            self.fps = self.clock.get_fps()
            n += 1


def apply_level(renderer: Renderer, level: str | None) -> None:
    """Select ``level`` (id, 1-based position, or ``"all"``) on a renderer's view."""
    if level is None or level == "":
        return
    if level == "all":
        renderer.view.all_levels = True
        return
    try:
        renderer.view.level = renderer.geom.find_level(level)
    except KeyError:
        from sim.errors import ReplayError

        ids = ", ".join(lv.id for lv in renderer.geom.levels)
        raise ReplayError(f"unknown level {level!r} (levels: {ids}, or all)",
                          field="--level", source="command line") from None
    renderer.view.all_levels = False


def open_viewer(replay: Replay, *, size: tuple[int, int] = (1280, 720),
                level: str | None = None, speed: float = 1.0, zoom: float | None = None,
                center: tuple[float, float] | None = None, density: bool = False) -> None:
    """Open the viewer window on ``replay`` and block until it is closed.

    Raises
    ------
    NoDisplayError
        When no display is available; use :mod:`viz.export` (``--export`` or
        ``--screenshot``) instead.
    """
    ok, why = _has_display()
    if not ok:
        raise NoDisplayError(why)
    viewer = Viewer(replay, size=size, level=level, speed=speed)
    viewer.view.density = density
    if center is not None:
        viewer.renderer.center_on(center[0], center[1], zoom)
    elif zoom is not None:
        viewer.renderer.zoom_at(zoom)
    try:
        viewer.run()
    finally:
        pygame.display.quit()
