"""``safemall replay``: watch a run in a window, or render it headless."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def replay(
    path: Annotated[Path, typer.Argument(help="Replay file written by `safemall run --replay`.")],
    export: Annotated[str | None, typer.Option(
        "--export", help="Render headless to out.mp4, out.gif or a frames/ directory.")] = None,
    fps: Annotated[float, typer.Option(help="Frames per second of the export.")] = 30.0,
    speed: Annotated[float, typer.Option(
        help="Simulated seconds per real second (x0.25 ... x64 in the window).")] = 8.0,
    size: Annotated[str, typer.Option(help="Frame or window size, WIDTHxHEIGHT.")] = "1280x720",
    screenshot: Annotated[tuple[str, Path] | None, typer.Option(
        "--screenshot", metavar="T OUT.png",
        help="Save the frame at time T (600, t=600 or 10:00) as a PNG.")] = None,
    level: Annotated[str | None, typer.Option(
        help="Level to show: an id (L2), a position from the bottom (3), or all.")] = None,
    density: Annotated[bool, typer.Option(
        "--density", help="Start with the density (Fruin LoS) layer on.")] = False,
    zoom: Annotated[float | None, typer.Option(help="Zoom factor over the fitted plan.")] = None,
    center: Annotated[str | None, typer.Option(
        help="Centre the view on X,Y (metres) of the shown level.")] = None,
    t_from: Annotated[float, typer.Option("--from", help="Export from this time (s).")] = 0.0,
    t_to: Annotated[float | None, typer.Option("--to", help="Export up to this time (s).")] = None,
) -> None:
    """Watch a replay (window), or export it headless with the timeline and panel burned in.

    Window keys: space pause, , . step, [ ] speed, n next event, 1-9 level, a all levels,
    d density, s smoke, h help. Without a display, use --export or --screenshot.
    """
    from sim.io.replay_file import read_replay
    from viz.export import parse_center, parse_size, parse_time

    wh = parse_size(size)
    xy = parse_center(center) if center else None
    shot = (parse_time(screenshot[0]), screenshot[1]) if screenshot else None
    data = read_replay(path)
    if export is None and shot is None:
        from viz.viewer import open_viewer

        open_viewer(data, size=wh, level=level, speed=speed, zoom=zoom, center=xy,
                    density=density)
        return
    from viz import export as ex

    if shot is not None:
        out = ex.screenshot(data, shot[0], shot[1], size=wh, level=level, density=density,
                            zoom=zoom, center=xy)
        print(f"screenshot at t = {shot[0]:g} s written to {out}")
    if export is not None:
        progress = None
        if sys.stderr.isatty():
            from rich.progress import Progress

            bar = Progress(transient=True)
            task = bar.add_task(f"rendering {export}", total=None)
            bar.start()

            def progress(i: int, n: int) -> None:
                bar.update(task, completed=i, total=n)
        try:
            n = ex.export(data, export, fps=fps, speed=speed, size=wh, level=level,
                          density=density, t_from=t_from, t_to=t_to, zoom=zoom, center=xy,
                          progress=progress)
        finally:
            if progress is not None:
                bar.stop()
        print(f"{n} frames ({n / fps:.1f} s at {fps:g} fps, x{speed:g}) written to {export}")


def register(app: typer.Typer) -> None:
    """Add ``replay`` to the CLI."""
    app.command("replay")(replay)
