"""Batch plots: each metric against each swept parameter, and evacuation-curve bands.

Drawn by ``safemall batch report`` on top of the tables of :mod:`sim.batch.report`; the
evacuation bands are :func:`viz.plots.evacuation_band`, the same as for single runs.

Files (``<batch>`` is the batch name):

``<batch>_<metric>_vs_<param>.png``
    Mean with its 95% CI band (and the p5–p95 range dotted) against one swept numeric
    parameter, one line per combination of the other parameters; a categorical
    parameter gets error bars (95% CI) and a dotted p5–p95 range at each category, and a
    category without a finished run says "no data". Axes are labelled with the metric's
    name and unit; series differ by colour (viridis without its pale end), marker and
    line style, so they can be told apart in grey print.
``<batch>_evacuation.png``
    Evacuated persons against time, median and 5–95 % band per configuration.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch.report import BatchTables, choose_metrics
from sim.batch.store import Store
from sim.report.text import metric_label
from viz.plots import evacuation_band
from viz.style import LEGEND_PT, SERIES_LINES, SERIES_MARKERS, series_colours

#: At most this many lines (combinations of the other parameters) in one plot.
MAX_LINES = 10
#: At most this many configurations in the evacuation figure.
MAX_CURVE_PANELS = 24


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def plot_metric_vs_params(tables: BatchTables, out: Path,
                          metrics: Sequence[str] | None = None) -> list[Path]:
    """One PNG per (metric, swept parameter)."""
    plt = _pyplot()
    s = tables.summary
    files: list[Path] = []
    ms = choose_metrics(tables, metrics)
    for p in tables.params:
        others = [q for q in tables.params if q != p]
        xs_all = [c.params.get(p) for c in tables.configs]
        numeric = _numeric(xs_all)
        for m in ms:
            sm = s[s["metric"] == m]
            if sm.empty or sm["n"].sum() == 0:
                continue
            fig, ax = plt.subplots(figsize=(7, 4.2))
            groups: dict[str, list[Any]] = {}
            for c in tables.configs:
                key = ", ".join(f"{q}={json.dumps(c.params.get(q))}" for q in others)
                groups.setdefault(key, []).append(c)
            cats = sorted({json.dumps(x) for x in xs_all}) if not numeric else []
            shown = list(groups.items())[:MAX_LINES]
            colours = series_colours(len(shown))
            for gi, (key, cs) in enumerate(shown):
                rows = [(c.params.get(p), sm[sm["config_index"] == c.index].iloc[0])
                        for c in cs if not sm[sm["config_index"] == c.index].empty]
                if numeric:
                    rows.sort(key=lambda r: r[0])
                    x = np.array([r[0] for r in rows], float)
                else:
                    x = np.array([cats.index(json.dumps(r[0])) + 0.08 * gi for r in rows],
                                 float)
                mean = np.array([r[1]["mean"] for r in rows], float)
                lo = np.array([r[1]["ci_lo"] for r in rows], float)
                hi = np.array([r[1]["ci_hi"] for r in rows], float)
                p5 = np.array([r[1]["p5"] for r in rows], float)
                p95 = np.array([r[1]["p95"] for r in rows], float)
                label = key or "mean"
                style = {"color": colours[gi], "marker": SERIES_MARKERS[gi % 8]}
                if numeric:
                    ax.plot(x, mean, lw=1.8, ls=SERIES_LINES[gi % 4], label=label, **style)
                    ax.fill_between(x, lo, hi, color=colours[gi], alpha=0.2, lw=0)
                    ax.plot(x, p5, ls=":", lw=1, color=colours[gi])
                    ax.plot(x, p95, ls=":", lw=1, color=colours[gi])
                else:
                    ax.vlines(x, p5, p95, linestyles=":", lw=1.2, color=colours[gi])
                    yerr = np.vstack([mean - lo, hi - mean])
                    ax.errorbar(x, mean, yerr=np.nan_to_num(yerr), fmt="none", capsize=4,
                                color=colours[gi])
                    ax.plot(x, mean, ls="none", label=label, **style)
                for xi, mi in zip(x, mean, strict=True):
                    if not math.isfinite(mi):  # a configuration without a finished run
                        ax.annotate("no data", (xi, 0.5), xycoords=("data", "axes fraction"),
                                    ha="center", fontsize=LEGEND_PT, color="0.3",
                                    rotation=90)
            if not numeric:
                ax.set_xticks(range(len(cats)))
                ax.set_xticklabels([c.strip('"') for c in cats], rotation=20, ha="right",
                                   fontsize=LEGEND_PT)
            ax.set_xlabel(p)
            ax.set_ylabel(metric_label(m))
            what = ("mean with 95% CI band; p5 and p95 dotted" if numeric else
                    "mean with 95% CI bars; p5–p95 dotted")
            ax.set_title(f"{tables.batch.name}: {metric_label(m, unit=False)}\n({what})",
                         fontsize=10)
            ax.tick_params(labelsize=LEGEND_PT)
            ax.grid(alpha=0.3)
            if len(groups) > 1 or others:
                ax.legend(fontsize=LEGEND_PT, loc="best")
            fig.tight_layout()
            f = out / f"{_safe(tables.batch.name)}_{_safe(m)}_vs_{_safe(p)}.png"
            fig.savefig(f, dpi=110)
            plt.close(fig)
            files.append(f)
    return files


def plot_evacuation(store: Store, tables: BatchTables, out: Path) -> list[Path]:
    """Evacuation-curve bands, one panel per configuration."""
    plt = _pyplot()
    by_cfg: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for cid, cv in store.curves(tables.batch.id):
        ys = np.asarray(cv["evacuated"], float)
        ts = np.linspace(0.0, float(cv["t_end_s"]), len(ys))
        by_cfg.setdefault(cid, []).append((ts, ys))
    cfgs = [c for c in tables.configs if c.id in by_cfg][:MAX_CURVE_PANELS]
    if not cfgs:
        return []
    t_max = max(float(t[-1]) for c in cfgs for t, _ in by_cfg[c.id])
    ncol = min(4, len(cfgs))
    nrow = math.ceil(len(cfgs) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 2.8 * nrow), squeeze=False,
                             sharex=True, sharey=True)
    for ax, c in zip(axes.ravel(), cfgs, strict=False):
        evacuation_band(by_cfg[c.id], ax, label="median", color="tab:blue", t_max=t_max)
        ax.set_title(textwrap.fill(c.label, 44), fontsize=7)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(cfgs):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("time (s)")
    for ax in axes[:, 0]:
        ax.set_ylabel("evacuated")
    axes[0][0].legend(fontsize=LEGEND_PT, loc="lower right")
    fig.suptitle(f"{tables.batch.name}: evacuation curves (median, 5–95 %)", fontsize=10)
    fig.tight_layout()
    f = out / f"{_safe(tables.batch.name)}_evacuation.png"
    fig.savefig(f, dpi=110)
    plt.close(fig)
    files = [f]
    if len(cfgs) > 1:  # all medians on one axes, for comparison
        fig, ax = plt.subplots(figsize=(7.5, 4.5))
        colours = series_colours(len(cfgs))
        for i, c in enumerate(cfgs):
            col = colours[i]
            evacuation_band(by_cfg[c.id], ax, label=textwrap.shorten(c.label, 60), color=col,
                     t_max=t_max)
            ax.collections[-1].set_alpha(0.08)
        handles, labels = ax.get_legend_handles_labels()
        keep = [(h, lb) for h, lb in zip(handles, labels, strict=True)
                if not lb.startswith("5–95")]
        ax.legend(*zip(*keep, strict=True), fontsize=LEGEND_PT, loc="lower right")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("evacuated")
        ax.set_title(f"{tables.batch.name}: median evacuation curves", fontsize=10)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        f2 = out / f"{_safe(tables.batch.name)}_evacuation_medians.png"
        fig.savefig(f2, dpi=110)
        plt.close(fig)
        files.append(f2)
    return files


def plot_batch(store: Store, tables: BatchTables, out: Path, *,
               metrics: Sequence[str] | None = None) -> list[Path]:
    """Every plot of one batch; returns the files written."""
    return [*plot_metric_vs_params(tables, out, metrics),
            *plot_evacuation(store, tables, out)]
