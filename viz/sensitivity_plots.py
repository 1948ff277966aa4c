"""Report figures of a sensitivity study: tornado (ranked indices with CIs) and the
scatter of the top parameter against the metric."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.sensitivity import Analysis, Design
from viz.batch_plots import _pyplot, _safe


def plot_tornado(analysis: Analysis, out: Path, *, top: int = 15) -> Path:
    """Horizontal bars of μ* (Morris) or S1/ST (Sobol) with 95 % CIs, largest on top;
    the dashed line is the seed-noise floor (Morris)."""
    plt = _pyplot()
    idx = list(analysis.indices[:top])[::-1]
    names = [i.key for i in idx]
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(idx) + 1.6))
    y = np.arange(len(idx))
    if analysis.method == "morris":
        ax.barh(y, [i.mu_star for i in idx], xerr=[i.mu_star_ci for i in idx],
                color="#3b6ea5", ecolor="black", capsize=3, label="μ* ± 95 % CI")
        ax.axvline(analysis.noise_floor, color="#c0392b", ls="--", lw=1.2,
                   label=f"seed-noise floor ({analysis.noise_floor:.3g})")
        ax.set_xlabel(f"μ*: mean |effect| on {analysis.metric} of a move across the range")
    else:
        h = 0.38
        ax.barh(y + h / 2, [i.st for i in idx], h, xerr=[i.st_ci for i in idx],
                color="#3b6ea5", capsize=3, label="ST (total) ± 95 % CI")
        ax.barh(y - h / 2, [i.s1 for i in idx], h, xerr=[i.s1_ci for i in idx],
                color="#e6a23c", capsize=3, label="S1 (first order) ± 95 % CI")
        ax.set_xlabel(f"share of the variance of {analysis.metric}")
        ax.set_xlim(left=min(0.0, *(i.s1 - i.s1_ci for i in idx)))
    ax.set_yticks(y, names, fontsize=9)
    ax.set_title(f"{analysis.metric}: {analysis.method}, {analysis.n_points} points × "
                 f"{analysis.seeds} seeds", fontsize=11)
    ax.legend(fontsize=9, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"tornado_{_safe(analysis.metric)}.png"
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def plot_top_scatter(analysis: Analysis, design: Design, y: np.ndarray, out: Path) -> Path:
    """The metric (mean over seeds, each seed faint) against the top-ranked parameter."""
    plt = _pyplot()
    key = analysis.indices[0].key
    j = design.keys.index(key)
    a = design.params[j]
    x = design.values[:, j]
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    yy: Any = np.asarray(y, float)
    for r in range(yy.shape[1]):
        ax.scatter(x, yy[:, r], s=8, color="#999999", alpha=0.35,
                   label="single seed" if r == 0 else None)
    ax.scatter(x, np.nanmean(yy, axis=1), s=18, color="#3b6ea5", label="mean over seeds")
    ax.axvline(a.default, color="black", ls=":", lw=1, label=f"default {a.default:g}")
    if a.dist == "loguniform":
        ax.set_xscale("log")
    ax.set_xlabel(f"{key} ({a.unit})")
    ax.set_ylabel(analysis.metric)
    ax.set_title(f"{analysis.metric} against its top driver", fontsize=11)
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"scatter_{_safe(analysis.metric)}_{_safe(key)}.png"
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def plot_adequacy_probability(result: Any, out: Path) -> Path:
    """P(every target met) against the candidate values, with its exact 95 % band and
    the asked probability."""
    plt = _pyplot()
    xs = [float(c.value) for c in result.candidates]
    p = [c.p for c in result.candidates]
    lo = [c.ci[0] for c in result.candidates]
    hi = [c.ci[1] for c in result.candidates]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    ax.fill_between(xs, lo, hi, color="#3b6ea5", alpha=0.25, label="95 % CI (exact)")
    ax.plot(xs, p, "o-", color="#3b6ea5", label="P(every target met)")
    ax.axhline(result.probability, color="#c0392b", ls="--", lw=1.2,
               label=f"asked {result.probability:g}")
    if result.answer is not None:
        ax.axvline(float(result.answer), color="black", ls=":", lw=1,
                   label=f"answer {result.answer}")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(result.vary)
    ax.set_ylabel("probability over uncertain assumptions")
    ax.legend(fontsize=9, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"adequacy_probability_{_safe(result.vary)}.png"
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
