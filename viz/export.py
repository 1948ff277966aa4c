"""Headless rendering of a replay: videos (mp4, gif), PNG frames and screenshots.

Frames are drawn by :class:`viz.render.Renderer` with the timeline and the panel burned
in, under ``SDL_VIDEODRIVER=dummy`` (set here before pygame is initialised, so no
display is needed). Frame ``i`` shows time ``i * speed / fps``; a replay of ``D`` seconds
gives ``floor(D / speed * fps) + 1`` frames (:func:`viz.player.frame_times`).

* ``.mp4`` is encoded by ffmpeg through ``imageio-ffmpeg`` (H.264, yuv420p; the size is
  rounded up to even numbers);
* ``.gif`` is written by Pillow (the imageio GIF back end) with one fixed palette, so it
  holds every frame in memory (about 1 MB per 1280x720 frame): keep GIFs short;
* a directory (or a path ending in ``/``) receives ``frame_000000.png`` ...
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.replay import Replay
from sim.errors import ReplayError

if TYPE_CHECKING:
    import pygame as _pg

    from viz.player import Player
    from viz.render import Renderer


def _headless() -> None:
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` → ``(1280, 720)``."""
    try:
        w, h = (int(v) for v in text.lower().replace("*", "x").split("x"))
    except ValueError:
        raise ReplayError(f"expected WIDTHxHEIGHT, got {text!r}", field="--size",
                          source="command line") from None
    if not (160 <= w <= 7680 and 120 <= h <= 4320):
        raise ReplayError(f"size {w}x{h} out of range (160x120 .. 7680x4320)", field="--size",
                          source="command line")
    return w, h


def parse_time(text: str) -> float:
    """``"600"``, ``"t=600"``, ``"10:00"`` or ``"1:02:03"`` → seconds."""
    s = text.strip()
    if s.startswith("t="):
        s = s[2:]
    try:
        if ":" in s:
            parts = [float(p) for p in s.split(":")]
            if len(parts) > 3:
                raise ValueError
            t = 0.0
            for p in parts:
                t = t * 60 + p
            return t
        t = float(s)
    except ValueError:
        raise ReplayError(f"expected a time in seconds or mm:ss, got {text!r}",
                          field="--screenshot", source="command line") from None
    if not math.isfinite(t) or t < 0:
        raise ReplayError(f"time must be >= 0, got {text!r}", field="--screenshot",
                          source="command line")
    return t


def parse_center(text: str) -> tuple[float, float]:
    """``"120,45"`` → ``(120.0, 45.0)`` (metres)."""
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise ReplayError(f"expected X,Y in metres, got {text!r}", field="--center",
                          source="command line") from None
    return x, y


def _renderer(replay: Replay, size: tuple[int, int], level: str | None, density: bool,
              speed: float, zoom: float | None = None,
              center: tuple[float, float] | None = None
              ) -> tuple[ModuleType, Player, Renderer, _pg.Surface]:
    _headless()
    import pygame

    from viz.player import Player
    from viz.render import Renderer
    from viz.viewer import apply_level

    pygame.display.init()
    pygame.font.init()
    player = Player(replay, speed=speed, playing=True)
    r = Renderer(replay, player, size)
    apply_level(r, level)
    r.view.density = density
    if center is not None:
        r.center_on(center[0], center[1], zoom)
    elif zoom is not None:
        r.zoom_at(zoom)
    surf = pygame.Surface(size, 0, 32)
    return pygame, player, r, surf


def _rgb(pygame: ModuleType, surf: _pg.Surface) -> np.ndarray:
    w, h = surf.get_size()
    return np.frombuffer(pygame.image.tobytes(surf, "RGB"), np.uint8).reshape(h, w, 3)


def screenshot(replay: Replay, t: float, out: str | Path, *, size: tuple[int, int] = (1280, 720),
               level: str | None = None, density: bool = False, zoom: float | None = None,
               center: tuple[float, float] | None = None) -> Path:
    """Save the frame at ``t`` seconds as a PNG."""
    pygame, player, r, surf = _renderer(replay, size, level, density, 1.0, zoom, center)
    player.seek(t)
    player.playing = False
    r.render(surf)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(surf, str(out))
    return out


def export(replay: Replay, out: str | Path, *, fps: float = 30.0, speed: float = 8.0,
           size: tuple[int, int] = (1280, 720), level: str | None = None,
           density: bool = False, t_from: float = 0.0, t_to: float | None = None,
           zoom: float | None = None, center: tuple[float, float] | None = None,
           progress: Callable[[int, int], None] | None = None) -> int:
    """Render the replay to ``out`` (``.mp4``, ``.gif`` or a frames directory).

    Returns the number of frames written.
    """
    from viz.player import frame_times

    if fps <= 0 or speed <= 0:
        raise ReplayError("fps and speed must be > 0", field="--fps/--speed", source="command line")
    text = str(out)
    p = Path(out)
    suffix = p.suffix.lower()
    kind = "frames" if text.endswith(("/", os.sep)) or p.is_dir() or not suffix else suffix[1:]
    if kind not in ("mp4", "gif", "frames"):
        raise ReplayError(f"cannot export to {suffix!r}: use .mp4, .gif or a directory",
                          field="--export", source="command line")
    if kind == "mp4":
        size = (size[0] + size[0] % 2, size[1] + size[1] % 2)
    pygame, player, r, surf = _renderer(replay, size, level, density, speed, zoom, center)
    end = player.duration if t_to is None else min(t_to, player.duration)
    times = t_from + frame_times(max(end - t_from, 0.0), fps, speed)
    n = len(times)
    width = len(str(n))

    def frames() -> Iterator[tuple[int, _pg.Surface]]:
        for i, t in enumerate(times):
            player.t = float(t)
            player.playing = i < n - 1
            r.frame_text = f"frame {i + 1:>{width}}/{n}  x{speed:g}"
            r.render(surf)
            if progress is not None:
                progress(i + 1, n)
            yield i, surf

    if kind == "frames":
        p.mkdir(parents=True, exist_ok=True)
        for i, s in frames():
            pygame.image.save(s, str(p / f"frame_{i:06d}.png"))
    elif kind == "mp4":
        import imageio_ffmpeg

        p.parent.mkdir(parents=True, exist_ok=True)
        writer = imageio_ffmpeg.write_frames(
            str(p), size, fps=fps, codec="libx264", pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p", quality=7, macro_block_size=2,
            output_params=["-preset", "veryfast"], ffmpeg_log_level="error")
        writer.send(None)
        try:
            for _, s in frames():
                writer.send(_rgb(pygame, s).tobytes())
        finally:
            writer.close()
    else:
        from PIL import Image

        p.parent.mkdir(parents=True, exist_ok=True)
        palette = _fixed_palette(Image)
        imgs = []
        for _, s in frames():
            im = Image.frombuffer("RGB", size, pygame.image.tobytes(s, "RGB"))
            imgs.append(im.quantize(palette=palette, dither=Image.Dither.NONE))
        duration = max(20, round(1000 / fps / 10) * 10)
        imgs[0].save(p, save_all=True, append_images=imgs[1:], duration=duration, loop=0,
                     optimize=False, disposal=1)
    return n


def _fixed_palette(Image: Any) -> Any:
    """A 256-colour palette holding the viewer's colours plus a 6x7x6 colour cube."""
    from viz import style

    cols: list[tuple[int, int, int]] = [style.BACKGROUND, style.WALL, style.TEXT,
                                        style.TEXT_DIM, style.PANEL_BG, style.EXIT_COLOUR,
                                        (255, 255, 255), (0, 0, 0)]
    cols += list(style.SPACE_FILL.values()) + list(style.STATE_COLOUR.values())
    cols += list(style.FRUIN_COLOUR) + list(style.OPENING_COLOUR.values())
    cols += list(style.BIG_COLOUR.values()) + list(style.MARK_COLOUR.values())
    seen: list[tuple[int, int, int]] = []
    for c in cols:
        if c not in seen:
            seen.append(c)
    for r in range(6):
        for g in range(7):
            for b in range(6):
                if len(seen) >= 256:
                    break
                c = (r * 51, g * 42, b * 51)
                if c not in seen:
                    seen.append(c)
    flat = [v for c in seen[:256] for v in c]
    flat += [0] * (768 - len(flat))
    pal = Image.new("P", (1, 1))
    pal.putpalette(flat)
    return pal
