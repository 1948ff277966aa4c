"""``safemall plot``: figures of a run or a batch (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def plot(
    source: Annotated[Path, typer.Argument(help="RUN.replay, or RESULT.json / batch JSON.")],
    kind: Annotated[str, typer.Option(
        help="evacuation | occupancy | heatmap | exits | alarm | smoke")] = "evacuation",
    out: Annotated[Path, typer.Option(help="Output image (.png, .svg, .pdf).")] = Path(
        "fig.png"),
    t: Annotated[float | None, typer.Option(
        "--t", help="Time (s) of the heatmap; default: the peak of crowding (most persons at "
        "Fruin level E or worse), else of occupancy.")] = None,
    level: Annotated[list[str] | None, typer.Option(
        help="Levels of the heatmap (repeatable); default: all.")] = None,
    dpi: Annotated[int, typer.Option(help="Resolution of raster output.")] = 130,
) -> None:
    """Draw one figure: evacuation curve, occupancy per level, density heatmap, exit usage,
    alarm-chain timeline, smoke layer height and visibility per space. A batch JSON with
    ``replications`` gives a median and 5-95 % band."""
    import matplotlib

    matplotlib.use("Agg")
    from viz import plots

    if kind not in plots.KINDS:
        from sim.errors import ReplayError

        raise ReplayError(f"unknown kind {kind!r} (one of {', '.join(plots.KINDS)})",
                          field="--kind")
    from sim.errors import ReplayError

    src = plots.load_source(source)
    try:
        p = plots.plot(src, kind, out, t=t, levels=level, dpi=dpi)
    except ReplayError as exc:
        if exc.source == "<memory>":
            raise exc.with_source(str(source)) from None
        raise
    print(f"{kind} plot written to {p}")


def register(app: typer.Typer) -> None:
    """Add ``plot`` to the CLI."""
    app.command("plot")(plot)
