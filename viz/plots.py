"""Figures of a run (matplotlib): evacuation, occupancy, density, exits, alarm chain, smoke.

Every function draws on a given ``Axes`` (or makes a figure) and returns the figure, so a
report can compose them; :func:`plot` is what ``safemall plot`` calls.

Inputs are a :class:`sim.engine.replay.Replay` or a result mapping (``RESULT.json``) holding
some of: ``metrics`` (or ``meta.metrics``) with ``t_lower_bound_s`` and
``exit_counts``; ``marks`` (``[{"t", "kind", "label"}]``); ``evacuation_curve``
(``{"t": [...], "evacuated": [...]}``); and for a batch ``replications``: a list of such
mappings, whose evacuation curves are drawn as a median with a 5–95 % band
(:func:`evacuation_band`).

The backend is left to the caller (``safemall plot`` selects Agg; without a display
matplotlib falls back to Agg by itself).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Polygon as MplPolygon
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.engine.replay import Replay, State
from sim.errors import ReplayError
from viz import style

KINDS = ("evacuation", "occupancy", "heatmap", "exits", "alarm", "smoke")
Source = Replay | Mapping[str, Any]

#: Persons per m² at the Fruin band boundaries (1 / m² per person), ascending.
FRUIN_DENSITY_EDGES = tuple(1.0 / b for b in style.FRUIN_BOUNDS_M2)


def load_source(path: str | Path) -> Source:
    """A replay file, or a result / batch JSON mapping."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        from sim.io.input_file import read_json_file

        data = read_json_file(p, ReplayError, "JSON file")
        if not isinstance(data, dict):
            raise ReplayError("expected a JSON object", source=str(p))
        return data
    from sim.io.replay_file import read_replay

    return read_replay(p)


def _metrics(src: Source) -> dict[str, Any]:
    """The source's metrics (none when its file holds something else than a mapping)."""
    if isinstance(src, Replay):
        m = src.meta.get("metrics")
    else:
        meta = src.get("meta")
        m = src.get("metrics") or (meta.get("metrics") if isinstance(meta, Mapping) else None)
    return dict(m) if isinstance(m, Mapping) else {}


def _marks(src: Source) -> list[dict[str, Any]]:
    marks = src.marks if isinstance(src, Replay) else (
        src.get("marks") or (src.get("meta") or {}).get("marks") or [])
    return sorted((m for m in marks if isinstance(m, Mapping) and "t" in m),
                  key=lambda m: float(m["t"]))


def _curve(src: Source) -> tuple[np.ndarray, np.ndarray] | None:
    if isinstance(src, Replay):
        from viz.player import Tracks, evacuation_curve

        return evacuation_curve(Tracks(src))
    c = src.get("evacuation_curve")
    if isinstance(c, Mapping) and "t" in c and "evacuated" in c:
        return np.asarray(c["t"], float), np.asarray(c["evacuated"], float)
    return None


def _fig(ax: Axes | None, figsize: tuple[float, float] = (9, 5)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def _clock_axis(ax: Axes) -> None:
    lo, hi = ax.get_xlim()
    span = max(hi - lo, 1.0)
    step = next((s for s in (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
                 if span / s <= 10), 14400)
    ax.xaxis.set_major_locator(MaxNLocator(steps=[1, 2, 2.5, 5, 10]) if step < 5
                               else matplotlib.ticker.MultipleLocator(step))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: style.fmt_clock(v)))
    ax.set_xlabel("time (mm:ss)")


def _mark_lines(ax: Axes, marks: Sequence[Mapping[str, Any]], kinds: Sequence[str]) -> None:
    for m in marks:
        k = str(m.get("kind", ""))
        if any(k.startswith(x) for x in kinds):
            ax.axvline(float(m["t"]), color=style.mpl(style.mark_colour(k)), ls="--", lw=1.2,
                       label=f"{k.replace('_', ' ')} {style.fmt_clock(float(m['t']))}")


# -- evacuation ----------------------------------------------------------------------------

def evacuation_curve(src: Source, ax: Axes | None = None) -> Figure:
    """Persons evacuated over time, with the alarm and the lower bound marked."""
    fig, ax = _fig(ax)
    reps = src.get("replications") if isinstance(src, Mapping) else None
    if reps:
        curves = [c for c in (_curve(r) for r in reps if isinstance(r, Mapping)) if c]
        if not curves:
            raise ReplayError("no replication has an evacuation_curve",
                              field="replications")
        evacuation_band(curves, ax)
        total = max(float(c[1][-1]) for c in curves if len(c[1]))
    else:
        c = _curve(src)
        if c is None:
            raise ReplayError("no evacuation curve (needs a replay or 'evacuation_curve')",
                              field="evacuation_curve")
        t, n = c
        total = float(n[-1]) if len(n) else 0.0
        ax.step(np.concatenate([[0.0], t]), np.concatenate([[0.0], n]), where="post",
                color=style.mpl(style.STATE_COLOUR[State.SAFE]), lw=2, label="evacuated")
    if isinstance(src, Replay):
        total = float(np.sum(np.asarray(src.entity_kind) == 0)) or total
    m = _metrics(src)
    lb = m.get("t_lower_bound_s")
    if isinstance(lb, int | float):
        ax.axvline(float(lb), color="0.3", ls=":", lw=1.5,
                   label=f"lower bound {style.fmt_clock(float(lb))}")
    _mark_lines(ax, _marks(src), ("alarm",))
    if total:
        ax.axhline(total, color="0.75", lw=0.8)
        sec = ax.secondary_yaxis("right", functions=(lambda v: 100 * v / total,
                                                     lambda p: p * total / 100))
        sec.set_ylabel("% of occupants")
    ax.set_ylabel("persons evacuated")
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    _clock_axis(ax)
    ax.set_title("Evacuation curve")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def evacuation_band(curves: Sequence[tuple[np.ndarray, np.ndarray]], ax: Axes, *,
                    label: str = "median", color: Any = None, n_grid: int = 400,
                    t_max: float | None = None) -> Axes:
    """Median and 5–95 % band of evacuation curves across replications.

    Each curve is ``(t, evacuated)`` with ``t`` ascending; between points it holds its
    previous value (a step curve) and it is 0 before its first time.
    """
    if not curves:
        raise ValueError("evacuation_band needs at least one curve")
    tm = t_max if t_max is not None else max(
        (float(np.max(t)) for t, _ in curves if len(t)), default=1.0)
    grid = np.linspace(0.0, max(tm, 1e-9), n_grid)
    rows = []
    for t, y in curves:
        t = np.asarray(t, float)
        y = np.asarray(y, float)
        idx = np.searchsorted(t, grid, side="right") - 1
        rows.append(np.where(idx >= 0, y[np.clip(idx, 0, max(len(y) - 1, 0))], 0.0)
                    if len(y) else np.zeros_like(grid))
    arr = np.vstack(rows)
    lo, med, hi = np.percentile(arr, [5, 50, 95], axis=0)
    col = color if color is not None else style.mpl(style.STATE_COLOUR[State.SAFE])
    ax.fill_between(grid, lo, hi, color=col, alpha=0.25, lw=0,
                    label=f"5–95 % ({len(curves)} runs)")
    ax.plot(grid, med, color=col, lw=2, label=label)
    return ax


# -- occupancy -----------------------------------------------------------------------------

def occupancy(replay: Replay, ax: Axes | None = None, n_times: int = 300) -> Figure:
    """Occupants inside on every level over time (stacked)."""
    from viz.player import Tracks, occupancy_by_level

    if not isinstance(replay, Replay):
        raise ReplayError("occupancy needs a replay file", field="--kind")
    fig, ax = _fig(ax)
    tr = Tracks(replay)
    dur = max(replay.duration_s, 1.0)
    times = np.linspace(0, dur, n_times)
    ids = replay.level_ids or [f"level {i}" for i in range(int(tr.level.max()) + 1)]
    occ = occupancy_by_level(tr, times, len(ids))
    keep = occ.sum(axis=0) > 0
    cmap = plt.get_cmap("tab10")
    ax.stackplot(times, occ[:, keep].T, labels=[ids[i] for i in np.flatnonzero(keep)],
                 colors=[cmap(i % 10) for i in np.flatnonzero(keep)], alpha=0.85)
    _mark_lines(ax, _marks(replay), ("alarm",))
    ax.set_ylabel("occupants inside")
    ax.set_xlim(0, dur)
    _clock_axis(ax)
    ax.set_title("Occupancy per level")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", ncols=2, fontsize=8)
    return fig


# -- density heatmap -----------------------------------------------------------------------

#: Density (persons/m²) from which a cell counts as crowded when the heatmap chooses its
#: moment: Fruin's walkway level E (under 0.93 m² per person).
CROWDED_PM2 = FRUIN_DENSITY_EDGES[3]


def peak_moment(replay: Replay, geom: Any = None) -> tuple[float, str]:
    """The heatmap's default moment and why: the peak of crowding, else of occupancy.

    Peak crowding is the sample time at which most persons stand in cells at or above
    :data:`CROWDED_PM2` (the moment a density map has something to show). A run that is
    never crowded gets the peak of building occupancy (persons inside). Without a
    per-cell occupancy series: mid-run.
    """
    from viz.geometry import PlanGeometry, network_params

    occ = replay.series.get("occupancy")
    if occ is None or not occ.size:
        return replay.duration_s / 2, "mid-run (the replay holds no occupancy series)"
    g = geom or PlanGeometry(replay.layout, network_params=network_params(replay.meta))
    cmap = g.series_cell_map(replay.cell_ids)
    area = np.where(cmap >= 0, g.cell_area[np.maximum(cmap, 0)], 0.0)
    occ = np.asarray(occ, dtype=float)
    dens = np.divide(occ, area, out=np.zeros_like(occ), where=area > 0)
    crowded = np.where(dens >= CROWDED_PM2, occ, 0.0).sum(axis=1)
    if crowded.max() > 0:
        i = int(np.argmax(crowded))
        return (float(replay.series_t[i]),
                f"peak crowding: {crowded[i]:,.0f} persons at ≥ {CROWDED_PM2:.2f} p/m²")
    inside = occ.sum(axis=1)
    i = int(np.argmax(inside))
    return float(replay.series_t[i]), f"peak occupancy: {inside[i]:,.0f} persons inside"


def density_heatmap(replay: Replay, t: float | None, *, levels: Sequence[str] | None = None,
                    fig: Figure | None = None) -> Figure:
    """The plan at ``t`` with every cell coloured by persons/m² in Fruin bands.

    ``t = None``: the moment of :func:`peak_moment`, named in the title.
    """
    from viz.geometry import PlanGeometry, network_params
    from viz.player import Player

    if not isinstance(replay, Replay):
        raise ReplayError("heatmap needs a replay file", field="--kind")
    geom = PlanGeometry(replay.layout, network_params=network_params(replay.meta))
    why = ""
    if t is None:
        t, why = peak_moment(replay, geom)
    player = Player(replay, playing=False)
    player.seek(t)
    dens = _cell_density(replay, geom, player, t)
    per_m2 = np.divide(dens, geom.cell_area, out=np.zeros_like(dens), where=geom.cell_area > 0)
    chosen = [lv for lv in reversed(geom.levels) if not levels or lv.id in levels]
    if levels:
        unknown = set(levels) - {lv.id for lv in geom.levels}
        if unknown:
            raise ReplayError(f"unknown level(s) {sorted(unknown)}", field="--level")
    n = len(chosen)
    cols = 1 if n == 1 else 2
    rows = (n + cols - 1) // cols
    x0, y0, x1, y1 = geom.bbox
    aspect = (y1 - y0) / max(x1 - x0, 1e-9)
    if fig is None:
        fig = plt.figure(figsize=(6.5 * cols, max(2.5, 6.5 * aspect) * rows + 1.2),
                         layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    edges = [0.0, *FRUIN_DENSITY_EDGES, 1e9]
    cmap = ListedColormap([style.mpl(c) for c in style.FRUIN_COLOUR])
    norm = BoundaryNorm(edges, cmap.N)
    for ax, lv in zip(axes, chosen, strict=False):
        for sp in lv.spaces:
            ax.add_patch(MplPolygon(sp.coords, closed=True, fc="0.93", ec="0.35", lw=0.6))
        for ci in lv.cells:
            co = geom.cell_coords[ci]
            if co is None or per_m2[ci] <= 0:
                continue
            ax.add_patch(MplPolygon(co, closed=True, fc=cmap(norm(per_m2[ci])), ec="none",
                                    alpha=0.9))
        for op in lv.openings:
            ax.plot([op.p0[0], op.p1[0]], [op.p0[1], op.p1[1]],
                    color=style.mpl(style.EXIT_COLOUR if op.is_exit else (150, 110, 60)),
                    lw=2.5 if op.is_exit else 1.2)
        ax.set_xlim(x0 - 2, x1 + 2)
        ax.set_ylim(y0 - 2, y1 + 2)
        ax.set_aspect("equal")
        ax.set_title(f"{lv.label}: {round(float(dens[lv.cells].sum())) if lv.cells else 0} "
                     "persons", fontsize=10)
        ax.tick_params(labelsize=7)
    for ax in axes[n:]:
        ax.set_axis_off()
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = fig.colorbar(sm, ax=list(axes[:n]), shrink=0.8, pad=0.02)
    inner = edges[1:-1]
    mids = [0.15, *[(inner[i] + inner[i + 1]) / 2 for i in range(len(inner) - 1)], 2.6]
    cb.set_ticks(mids)
    labels = [f"{letter}" for letter in style.FRUIN_LETTERS]
    cb.set_ticklabels(labels)
    cb.set_label("Fruin LoS (persons/m²: A < 0.31 < B < 0.43 < C < 0.72 < D < 1.08 < E "
                 "< 2.17 < F)", fontsize=8)
    fig.suptitle(f"Density at {style.fmt_clock(t)}" + (f" ({why})" if why else ""))
    return fig


def _cell_density(replay: Replay, geom: Any, player: Any, t: float) -> np.ndarray:
    occ = player.series_at("occupancy", t)
    out = np.zeros(len(geom.cell_ids))
    if occ is not None:
        cmap = geom.series_cell_map(replay.cell_ids)
        m = cmap >= 0
        np.add.at(out, cmap[m], occ[m])
        return out
    snap = player.snapshot(t)
    sel = (np.asarray(replay.entity_kind) == 0) & snap.visible & (snap.state != State.SAFE)
    lm = geom.replay_level_map(replay.level_ids)
    cells = geom.cells_at(snap.x[sel].astype(float), snap.y[sel].astype(float),
                          lm[np.minimum(snap.level[sel], len(lm) - 1)])
    cells = cells[cells >= 0]
    return np.bincount(cells, minlength=len(geom.cell_ids)).astype(float)


# -- exits ---------------------------------------------------------------------------------

def exit_counts(src: Source) -> dict[str, int]:
    """Persons per exit opening: ``metrics.exit_counts``, else from the SAFE waypoints."""
    m = _metrics(src).get("exit_counts")
    if isinstance(m, Mapping) and m:
        return {str(k): int(v) for k, v in m.items()}
    if not isinstance(src, Replay):
        raise ReplayError("no exit counts (metrics.exit_counts)", field="metrics.exit_counts")
    from sim.model.layout_schema import layout_from_dict

    lay = layout_from_dict(src.layout, source="<replay layout>")
    ex = [lay.openings[o] for o in lay.exit_openings]
    if not ex:
        return {}
    wp = src.waypoints
    safe = wp[(wp["state"] == State.SAFE)]
    _, first = np.unique(safe["entity"], return_index=True)
    safe = safe[first]
    pts = np.array([o.at for o in ex])
    d = (safe["x"][:, None] - pts[None, :, 0]) ** 2 + (safe["y"][:, None] - pts[None, :, 1]) ** 2
    counts = np.bincount(np.argmin(d, axis=1), minlength=len(ex)) if len(safe) else \
        np.zeros(len(ex), int)
    return {o.id: int(c) for o, c in zip(ex, counts, strict=True)}


def exit_usage(src: Source, ax: Axes | None = None) -> Figure:
    """Persons through every exit opening (bars, busiest on top)."""
    counts = exit_counts(src)
    items = sorted(counts.items(), key=lambda kv: kv[1])
    fig, ax = _fig(ax, (8, max(3.0, 0.35 * len(items) + 1.5)))
    names = [k for k, _ in items]
    vals = [v for _, v in items]
    bars = ax.barh(names, vals, color=style.mpl(style.EXIT_COLOUR))
    total = sum(vals) or 1
    ax.bar_label(bars, labels=[f"{v:,} ({100 * v / total:.0f} %)" for v in vals], padding=3,
                 fontsize=8)
    ax.set_xlabel("persons")
    ax.set_title(f"Exit usage ({sum(vals):,} persons)")
    ax.set_xlim(0, max(vals or [1]) * 1.2)
    ax.grid(axis="x", alpha=0.3)
    return fig


# -- alarm chain ---------------------------------------------------------------------------

def alarm_timeline(src: Source, ax: Axes | None = None) -> Figure:
    """The chain of events (marks) on a time line, with the delay from the previous one.

    A kind that occurs many times (``untenable`` for every space smoke reaches) is
    labelled once, at its first occurrence, with its count; its other occurrences are
    ticks on the axis.
    """
    marks = _marks(src)
    if not marks:
        raise ReplayError("no timeline events (marks) in this run: nothing to draw",
                          field="marks")
    counts: dict[str, int] = {}
    for m in marks:
        counts[str(m.get("kind", ""))] = counts.get(str(m.get("kind", "")), 0) + 1
    first: list[dict[str, Any]] = []
    seen: set[str] = set()
    for m in marks:
        k = str(m.get("kind", ""))
        if k not in seen:
            seen.add(k)
            first.append(m)
    fig, ax = _fig(ax, (10, 3.2 + 0.22 * len(first)))
    ts_all = np.array([float(m["t"]) for m in marks])
    for m, t in zip(marks, ts_all, strict=True):
        col = style.mpl(style.mark_colour(str(m.get("kind", ""))))
        ax.plot([t, t], [-0.12, 0.12], color=col, lw=1.2, alpha=0.8)
    ts = np.array([float(m["t"]) for m in first])
    pattern = [1.0, -1.0, 0.55, -0.55, 1.45, -1.45, 0.8, -0.8, 1.2, -1.2]
    levels = np.array([pattern[i % len(pattern)] for i in range(len(first))])
    ax.axhline(0, color="0.4", lw=1.5)
    for i, (m, t, h) in enumerate(zip(first, ts, levels, strict=True)):
        k = str(m.get("kind", ""))
        col = style.mpl(style.mark_colour(k))
        ax.vlines(t, 0, h, color=col, lw=1.5)
        ax.plot([t], [0], "o", color=col, ms=7)
        dt = f"  (+{t - ts[i - 1]:.0f} s)" if i else ""
        more = f"  [x{counts[k]}]" if counts[k] > 1 else ""
        label = f"{style.fmt_clock(t)} {m.get('label') or k}{more}{dt}"
        ax.annotate(label, (t, h), xytext=(0, 4 if h > 0 else -4),
                    textcoords="offset points", ha="center",
                    va="bottom" if h > 0 else "top", fontsize=8, color="0.1",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": col, "lw": 1})
    lo, hi = min(ts_all.min(), 0.0), ts_all.max()
    span = max(hi - lo, 1.0)
    ax.set_xlim(lo - 0.1 * span, hi + 0.1 * span)
    ax.set_ylim(-1.9, 1.9)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    _clock_axis(ax)
    ax.set_title("Alarm chain")
    return fig


# -- smoke ---------------------------------------------------------------------------------

def smoke_history(replay: Replay, *, n_spaces: int = 10, fig: Figure | None = None) -> Figure:
    """Smoke layer height above the floor and visibility per space over time.

    The spaces whose layer came lowest (at least one per level that had smoke, so upper
    galleries of an atrium show), coloured by level; the clear height 1.6 + 0.1 H of GB
    51251 §4.6.9, head height and the 10 m / 5 m visibility limits as reference lines.
    """
    from sim.hazards.design_fires import clear_height_m
    from viz.geometry import PlanGeometry, network_params
    from viz.smoke import space_smoke

    if not isinstance(replay, Replay):
        raise ReplayError("smoke needs a replay file", field="--kind")
    geom = PlanGeometry(replay.layout, network_params=network_params(replay.meta))
    sm = space_smoke(replay, geom)
    if sm is None or not sm.spaces:
        raise ReplayError("the replay has no smoke (not a fire run)", field="--kind")
    if fig is None:
        fig = plt.figure(figsize=(10, 7.5), layout="constrained")
    ax_h, ax_v = fig.subplots(2, 1, sharex=True)
    lvl_order = [lv.id for lv in geom.levels]
    cmap = plt.get_cmap("tab10")
    styles = ["-", "--", ":", "-."]
    seen: dict[str, int] = {}
    for k in sm.worst(n_spaces):
        lv = sm.levels[k]
        colour = cmap(lvl_order.index(lv) % 10)
        ls = styles[seen.get(lv, 0) % len(styles)]
        seen[lv] = seen.get(lv, 0) + 1
        h = np.where(np.isnan(sm.layer_m[:, k]), sm.heights[k], sm.layer_m[:, k])
        label = f"{sm.spaces[k]} ({lv})"
        ax_h.plot(sm.t, h, ls, color=colour, lw=1.4, label=label)
        # visibility counts (GB 51251 practice) once the layer is below the clear height
        hq = clear_height_m(float(sm.heights[k]))
        vis = np.where(h < hq, sm.visibility_m[:, k], np.inf)
        ax_v.plot(sm.t, np.minimum(vis, 1e3), ls, color=colour, lw=1.4, label=label)
    ax_h.axhline(1.8, color="0.2", lw=0.8, ls=(0, (4, 3)))
    ax_h.text(sm.t[-1], 1.8, " head 1.8 m", va="bottom", ha="right", fontsize=8)
    ax_h.axhline(2.0, color="0.5", lw=0.8, ls=(0, (1, 2)))
    ax_h.text(sm.t[-1], 2.0, " H_q = 1.6 + 0.1·4 m", va="bottom", ha="right", fontsize=8,
              color="0.4")
    ax_h.set_ylabel("smoke layer above the floor (m)")
    ax_h.set_ylim(0, min(max(float(np.nanmax(sm.heights[sm.worst(n_spaces)])), 4.0), 8.0) + 0.3)
    ax_h.set_title("Smoke layer height above each space's floor (galleries see the atrium's "
                   "layer; shown up to 8 m)", fontsize=10)
    ax_h.grid(alpha=0.3)
    ax_h.legend(fontsize=7, ncols=2, loc="lower left")
    for v, lab in ((10.0, "10 m (large spaces)"), (5.0, "5 m (small spaces)")):
        ax_v.axhline(v, color="0.3", lw=0.8, ls=(0, (4, 3)))
        ax_v.text(sm.t[-1], v, " " + lab, va="bottom", ha="right", fontsize=8)
    ax_v.set_yscale("log")
    ax_v.set_ylim(0.1, 1e3)
    ax_v.set_ylabel("visibility 3/K (m)")
    ax_v.set_title("Visibility per space once its layer is below the clear height "
                   "1.6 + 0.1 H (1000 m: clear)", fontsize=10)
    ax_v.grid(alpha=0.3, which="both")
    _mark_lines(ax_h, _marks(replay), ("alarm",))
    _mark_lines(ax_v, _marks(replay), ("alarm",))
    ax_v.set_xlim(0, float(sm.t[-1]))
    _clock_axis(ax_v)
    fig.suptitle("Smoke per space")
    return fig


# -- dispatch ------------------------------------------------------------------------------

def plot(src: Source, kind: str, out: str | Path, *, t: float | None = None,
         levels: Sequence[str] | None = None, dpi: int = 130) -> Path:
    """Draw figure ``kind`` (one of :data:`KINDS`) of ``src`` into ``out`` (PNG, SVG, PDF)."""
    if kind not in KINDS:
        raise ReplayError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})", field="--kind")
    if kind == "evacuation":
        fig = evacuation_curve(src)
    elif kind == "occupancy":
        fig = occupancy(src)  # type: ignore[arg-type]
    elif kind == "heatmap":
        if not isinstance(src, Replay):
            raise ReplayError("heatmap needs a replay file", field="--kind")
        fig = density_heatmap(src, t, levels=levels)
    elif kind == "exits":
        fig = exit_usage(src)
    elif kind == "smoke":
        if not isinstance(src, Replay):
            raise ReplayError("smoke needs a replay file", field="--kind")
        fig = smoke_history(src)
    else:
        fig = alarm_timeline(src)
    p = Path(out)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(p, dpi=dpi)
    plt.close(fig)
    return p
