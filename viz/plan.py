"""Floor plans of a layout with matplotlib: one panel per level.

:func:`draw_plan` is used by ``safemall layout show`` and by reports that highlight
shortfalls (spaces and openings drawn in red). It never calls ``pyplot.show``; the
caller saves or shows the returned figure. Select the Agg backend before importing
pyplot for headless use (``safemall`` does).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

import matplotlib

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.engine.graphs import Network
    from sim.model.layout import Layout, Opening

#: Fill colour per space kind.
KIND_COLOURS: dict[str, str] = {
    "shop": "#9ecae1",
    "corridor": "#f2f0e6",
    "atrium": "#fdd49e",
    "stair": "#756bb1",
    "escalator": "#bcbddc",
    "plaza": "#c7e9c0",
    "parking": "#d9d9d9",
    "cctv_room": "#fb6a4a",
    "duty_room": "#fc9272",
    "finance_room": "#fdae6b",
    "gate": "#e6550d",
    "service": "#969696",
    "exit": "#31a354",
}
_EXIT_COLOUR = "#d7301f"
_HIGHLIGHT = "#e31a1c"


def _opening_segment(layout: Layout, o: Opening) -> tuple[tuple[float, float], tuple[float,
                                                                                       float]]:
    """The door drawn as a segment ``width_m`` long along the nearest wall."""
    from shapely.geometry import LineString, Point

    pt = Point(o.at)
    best: tuple[float, float, float] | None = None  # (distance, dx, dy)
    for sid in (o.a, o.b):
        sp = layout.spaces[sid]
        if sp.shape is None:
            continue
        coords = list(sp.shape.exterior.coords)
        for p, q in itertools.pairwise(coords):
            d = LineString([p, q]).distance(pt)
            if best is None or d < best[0]:
                n = math.dist(p, q) or 1.0
                best = (d, (q[0] - p[0]) / n, (q[1] - p[1]) / n)
    dx, dy = (best[1], best[2]) if best else (1.0, 0.0)
    h = o.width_m / 2
    return (o.at[0] - dx * h, o.at[1] - dy * h), (o.at[0] + dx * h, o.at[1] + dy * h)


def _scale_bar_length(extent_m: float) -> float:
    for n in (5, 10, 20, 50, 100, 200, 500):
        if n >= extent_m / 8:
            return float(n)
    return 1000.0


#: An overlay drawn on each level panel: ``(axes, level id, x shift in metres)``.
Overlay = Callable[["Axes", str, float], None]


def space_id_size(area_m2: float) -> float:
    """Font size (pt) of a space id: larger rooms, larger labels (3–7 pt)."""
    return min(7.0, max(3.0, math.sqrt(max(area_m2, 0.0)) / 4.0))


def _label_spaces(ax: Axes, layout: Layout, level_id: str, dx: float) -> None:
    """Each space's id at a point inside it, turned along tall narrow spaces."""
    for s in layout.spaces.values():
        if level_id not in s.levels or not s.polygon or (s.is_vertical and s.level != level_id):
            continue
        shp = s.shape
        if shp is None:
            continue
        p = shp.representative_point()
        x0, y0, x1, y1 = shp.bounds
        turn = (y1 - y0) > 1.6 * (x1 - x0)
        ax.text(p.x + dx, p.y, s.id, fontsize=space_id_size(s.area_m2), ha="center",
                va="center", rotation=90 if turn else 0, color="0.15", zorder=7,
                clip_on=True)


def _draw_level(ax: Axes, layout: Layout, level_id: str, network: Network | None,
                highlight_spaces: Collection[str], highlight_openings: Collection[str],
                dx: float = 0.0) -> tuple[float, float, float, float]:
    """Draw one level shifted by ``dx`` metres; return its bounds (x0, y0, x1, y1)."""
    from matplotlib.patches import Polygon as MplPolygon

    bounds = [math.inf, math.inf, -math.inf, -math.inf]
    spaces = [s for s in layout.spaces.values() if level_id in s.levels and s.polygon]
    order = {"parking": 0, "plaza": 1, "corridor": 2, "atrium": 3}
    for s in sorted(spaces, key=lambda s: order.get(s.kind, 5)):
        pts = [(x + dx, y) for x, y in s.polygon or ()]
        hi = s.id in highlight_spaces
        ax.add_patch(MplPolygon(
            pts, closed=True, facecolor=KIND_COLOURS.get(s.kind, "#ffffff"),
            edgecolor=_HIGHLIGHT if hi else "#404040", linewidth=2.0 if hi else 0.4,
            alpha=0.8 if s.is_vertical else 1.0, zorder=3 if hi else (2 if s.is_vertical else 1)))
        for x, y in pts:
            bounds = [min(bounds[0], x), min(bounds[1], y), max(bounds[2], x), max(bounds[3], y)]
    exits = set(layout.exits)
    for o in layout.openings.values():
        if o.level != level_id:
            continue
        (x0, y0), (x1, y1) = _opening_segment(layout, o)
        is_exit = o.a in exits or o.b in exits
        hi = o.id in highlight_openings
        colour = _HIGHLIGHT if hi else _EXIT_COLOUR if is_exit else "#505050"
        ax.plot([x0 + dx, x1 + dx], [y0, y1], color=colour, solid_capstyle="butt",
                linewidth=3.5 if (is_exit or hi) else 1.6, zorder=5 if hi else 4)
        if is_exit:
            ax.plot(o.at[0] + dx, o.at[1], marker="v", color=_EXIT_COLOUR, markersize=4,
                    zorder=5)
        if hi:
            ax.plot(o.at[0] + dx, o.at[1], marker="o", markersize=12, markerfacecolor="none",
                    markeredgecolor=_HIGHLIGHT, markeredgewidth=2, zorder=6)
    if network is not None:
        rg = network.route_graph
        for u, v in rg.edges():
            pu, pv = network.portals[u], network.portals[v]
            if pu.level != level_id or pv.level != level_id:
                continue
            ax.plot([pu.at[0] + dx, pv.at[0] + dx], [pu.at[1], pv.at[1]], color="#2b8cbe",
                    linewidth=0.3, alpha=0.6, zorder=4)
        xs = [p.at[0] + dx for p in network.portals.values() if p.level == level_id]
        ys = [p.at[1] for p in network.portals.values() if p.level == level_id]
        ax.scatter(xs, ys, s=1.5, color="#08589e", zorder=4)
    if not math.isfinite(bounds[0]):
        bounds = [dx, 0.0, dx + 10.0, 10.0]
    return bounds[0], bounds[1], bounds[2], bounds[3]


def _add_scale_bar(ax: Axes, extent_m: float) -> None:
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    n = _scale_bar_length(extent_m)
    ax.add_artist(AnchoredSizeBar(ax.transData, n, f"{n:g} m", "lower right", pad=0.4,
                                  frameon=True, size_vertical=max(n / 40, 0.3)))


def _legend(fig: Figure, kinds: Sequence[str], extra: Sequence[Artist] = ()) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Artist] = [
        Patch(facecolor=KIND_COLOURS.get(k, "#ffffff"), edgecolor="#404040", label=k)
        for k in kinds]
    handles.append(Line2D([], [], color=_EXIT_COLOUR, linewidth=3.5, marker="v",
                          label="exit door"))
    handles.append(Line2D([], [], color="#808080", linewidth=1.6, label="door / opening"))
    handles += list(extra)
    ncol = max(2, min(len(handles), 8, int(fig.get_figwidth() / 2.3)))
    fig.legend(handles=handles, loc="lower center", ncol=ncol, fontsize=8, frameon=False)


def draw_plan(layout: Layout, network: Network | None = None, *,
              levels: Sequence[str] | None = None, highlight_spaces: Collection[str] = (),
              highlight_openings: Collection[str] = (), ax_per_level: bool = True,
              space_ids: bool = False, overlay: Overlay | None = None,
              legend: Sequence[Artist] = (), title: str | None = None,
              panel_width_in: float = 7.5) -> Figure:
    """Draw the floor plan of ``layout`` and return the figure.

    Parameters
    ----------
    layout : Layout
        The building.
    network : Network, optional
        When given, its route graph is overlaid (portals as dots, edges as thin lines).
    levels : sequence of str, optional
        Level ids to draw (default: all, lowest first).
    highlight_spaces, highlight_openings : collections of str
        Ids drawn with a red outline / red ring (e.g. compliance shortfalls).
    ax_per_level : bool
        One panel per level (default) or all levels side by side in one panel.
    space_ids : bool
        Write each space's id inside it.
    overlay : callable, optional
        Draws more on each level's panel (``viz.security_plan`` draws the plan's people,
        devices and barriers this way); ``legend`` adds its legend entries.
    title, panel_width_in
        The figure title (default: the mall's name) and the width of a panel (inches).
    """
    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    ids = list(levels) if levels is not None else layout.level_ids()
    unknown = [lv for lv in ids if lv not in layout.level_ids()]
    if unknown:
        from sim.errors import LayoutError

        raise LayoutError(f"unknown level {unknown[0]!r}; the layout has "
                          f"{', '.join(layout.level_ids())}", field="--level",
                          source=layout.source)
    kinds = sorted({s.kind for s in layout.spaces.values()
                    if s.polygon and any(lv in ids for lv in s.levels)},
                   key=lambda k: list(KIND_COLOURS).index(k) if k in KIND_COLOURS else 99)
    hs, ho = set(highlight_spaces), set(highlight_openings)
    title = title if title is not None else layout.mall.name
    aspect = _aspect(layout, ids)
    if ax_per_level:
        n = len(ids)
        cols = 1 if n == 1 else 2 if n <= 4 else 3
        rows = math.ceil(n / cols)
        w = panel_width_in
        panel_h = min(max(w * aspect + 0.6, 3.0), 1.2 * w)
        fig = Figure(figsize=(w * cols, panel_h * rows + 1.0 + 0.25 * len(legend) / 4))
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, lv in zip(axes, ids, strict=False):
            x0, y0, x1, y1 = _draw_level(ax, layout, lv, network, hs, ho)
            if space_ids:
                _label_spaces(ax, layout, lv, 0.0)
            if overlay is not None:
                overlay(ax, lv, 0.0)
            level = layout.level(lv)
            ax.set_title(f"{lv} {level.name} (storey {level.storey}, "
                         f"{level.elevation_m:+.1f} m)", fontsize=9)
            _finish(ax, x0, y0, x1, y1)
        for ax in axes[len(ids):]:
            ax.set_axis_off()
    else:
        width = min(6.0 * len(ids), 36.0)
        fig = Figure(figsize=(width, min(max(width / len(ids) * aspect + 1.5, 3.0), 9.0)))
        ax = fig.subplots()
        dx, bounds = 0.0, [math.inf, math.inf, -math.inf, -math.inf]
        for lv in ids:
            x0, y0, x1, y1 = _draw_level(ax, layout, lv, network, hs, ho, dx)
            if space_ids:
                _label_spaces(ax, layout, lv, dx)
            if overlay is not None:
                overlay(ax, lv, dx)
            ax.text((x0 + x1) / 2, y1 + 3, lv, ha="center", va="bottom", fontsize=9)
            bounds = [min(bounds[0], x0), min(bounds[1], y0), max(bounds[2], x1),
                      max(bounds[3], y1 + 10)]
            dx = x1 + 20.0
        _finish(ax, *bounds)
    fig.suptitle(title, fontsize=12)
    _legend(fig, kinds, legend)
    per_row = max(2, min(8, int(fig.get_figwidth() / 2.3)))
    rows_of_legend = math.ceil((len(kinds) + 2 + len(legend)) / per_row)
    fig.set_figheight(fig.get_figheight() + 0.22 * rows_of_legend)
    fig.tight_layout(rect=(0, min(0.22 * rows_of_legend / fig.get_figheight(), 0.35), 1,
                           0.97))
    return fig


def _aspect(layout: Layout, ids: Sequence[str]) -> float:
    """Height / width of the drawn extent of the levels ``ids``."""
    xs = [x for s in layout.spaces.values() if s.polygon and any(lv in ids for lv in s.levels)
          for x, _ in s.polygon]
    ys = [y for s in layout.spaces.values() if s.polygon and any(lv in ids for lv in s.levels)
          for _, y in s.polygon]
    if not xs:
        return 0.75
    return (max(ys) - min(ys) + 1.0) / (max(xs) - min(xs) + 1.0)


def _finish(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> None:
    pad = 0.04 * max(x1 - x0, y1 - y0, 1.0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=7)
    _add_scale_bar(ax, max(x1 - x0, y1 - y0))


def save_plan(layout: Layout, path: str, network: Network | None = None, *,
              levels: Sequence[str] | None = None, dpi: int = 150) -> None:
    """Draw ``layout`` and write it to ``path`` (format from the extension)."""
    fig = draw_plan(layout, network, levels=levels)
    fig.savefig(path, dpi=dpi)
