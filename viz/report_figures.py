"""Figures of the manager's report, drawn from its data (``sim.report.build``).

* :func:`staffing_figure`: each staffing target's estimate against the guard count, the
  threshold dashed, and the share of runs meeting every target with its exact 95 % CI;
* :func:`comparison_figure`: paired differences B − A with 95 % CIs, a panel per metric;
* :func:`barrier_figure`: harm prevented by a bollard per entrance with 95 % CIs, tied
  entrances sharing a colour band;
* :func:`plan_drawings`: the security plan on every level (``viz.security_plan``).

Labels are in the report's language when a CJK font is available (``viz.fonts``), else
in English. Colours differ in lightness and bars carry hatches, so a grey print reads.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sim.report.text import metric_label
from viz.style import LEGEND_PT, series_colours

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.model.layout import Layout
    from sim.model.security_plan import SecurityPlan


def png(fig: Figure, dpi: int = 110) -> str:
    """The figure as base64 PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _words(lang: str) -> dict[str, str]:
    zh = lang == "zh"
    return {"guards": "保安人数" if zh else "guards",
            "share": "全部达标的运行比例" if zh else "share of runs meeting every target",
            "target": "指标阈值" if zh else "target",
            "diff": "差值 B − A（95%置信区间）" if zh else "difference B − A (95% CI)",
            "prevented": "设升降柱可避免的伤亡（人，95%置信区间）" if zh else
                         "victims prevented by a bollard (95% CI)",
            "tied": "并列（区间重叠）" if zh else "tied (intervals overlap)",
            "missing": "现无防冲撞设施" if zh else "no barrier there now",
            "estimate": "估计值" if zh else "estimate"}


def staffing_figure(study: Mapping[str, Any], lang: str = "en") -> Figure:
    """Targets and the share of runs meeting them against the guard count."""
    from matplotlib.figure import Figure

    w = _words(lang)
    cands = study["candidates"]
    xs = [c["guards"] for c in cands]
    targets = study["targets"]
    fig = Figure(figsize=(7.2, 2.9))
    axes = fig.subplots(1, len(targets) + 1, squeeze=False)[0]
    colours = series_colours(len(targets) + 1)
    for k, (ax, t) in enumerate(zip(axes, targets, strict=False)):
        ys = [next((j["estimate"] for j in c["judgements"] if j["target"] == t["id"]), None)
              for c in cands]
        ys = [math.nan if y is None else y for y in ys]
        ax.plot(xs, ys, marker="os^"[k % 3], color=colours[k], lw=1.6, label=w["estimate"])
        thr = next((j["threshold"] for c in cands for j in c["judgements"]
                    if j["target"] == t["id"]), None)
        if thr is not None:
            ax.axhline(thr, color="0.2", ls="--", lw=1.0, label=w["target"])
        title = (t.get("title_zh") or t["title"]) if lang == "zh" else t["title"]
        ax.set_title(title, fontsize=LEGEND_PT + 0.5)
        ax.set_xlabel(w["guards"], fontsize=LEGEND_PT)
        ax.tick_params(labelsize=LEGEND_PT)
        ax.grid(alpha=0.3)
        if study.get("answer") is not None:
            ax.axvline(study["answer"], color="#1b5e20", lw=1.0, alpha=0.7)
        ax.legend(fontsize=LEGEND_PT - 1, loc="best")
    ax = axes[-1]
    share = [c["share"][0] for c in cands]
    lo = [s - (c["share"][1] or 0) for s, c in zip(share, cands, strict=True)]
    hi = [(c["share"][2] or 0) - s for s, c in zip(share, cands, strict=True)]
    ax.errorbar(xs, share, yerr=[lo, hi], fmt="D-", color=colours[-1], capsize=3, lw=1.4)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(w["share"], fontsize=LEGEND_PT + 0.5)
    ax.set_xlabel(w["guards"], fontsize=LEGEND_PT)
    ax.tick_params(labelsize=LEGEND_PT)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def comparison_figure(rows: Sequence[Mapping[str, Any]], lang: str = "en",
                      max_panels: int = 6) -> Figure | None:
    """Paired differences with their CIs; one panel per metric that differs somewhere."""
    from matplotlib.figure import Figure

    by_metric: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        if r["n"] and r["diff"] is not None and (r["diff"] or r["verdict"] != "no_clear"):
            by_metric.setdefault(r["metric"], []).append(r)
    metrics = list(by_metric)[:max_panels]
    if not metrics:
        return None
    ncol = min(3, len(metrics))
    nrow = math.ceil(len(metrics) / ncol)
    fig = Figure(figsize=(7.4, 2.0 + 1.9 * nrow))
    axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
    for ax, m in zip(axes, metrics, strict=False):
        rs = by_metric[m]
        ys = range(len(rs))
        d = [r["diff"] for r in rs]
        lo = [r["diff"] - (r["diff_ci"][0] if r["diff_ci"][0] is not None else r["diff"])
              for r in rs]
        hi = [(r["diff_ci"][1] if r["diff_ci"][1] is not None else r["diff"]) - r["diff"]
              for r in rs]
        cols = ["#1b5e20" if r["verdict"] == "better" else "#b71c1c" if r["verdict"] == "worse"
                else "0.45" for r in rs]
        ax.errorbar(d, list(ys), xerr=[lo, hi], fmt="none", ecolor="0.3", capsize=3)
        ax.scatter(d, list(ys), c=cols, zorder=3, s=22, marker="D")
        ax.axvline(0, color="0.2", lw=0.8)
        ax.set_yticks(list(ys))
        ax.set_yticklabels([r["scenario"] for r in rs], fontsize=LEGEND_PT - 1)
        ax.set_title(metric_label(m), fontsize=LEGEND_PT + 0.5)
        ax.tick_params(axis="x", labelsize=LEGEND_PT)
        ax.grid(alpha=0.3, axis="x")
    for ax in axes[len(metrics):]:
        ax.set_axis_off()
    fig.suptitle(_words(lang)["diff"], fontsize=LEGEND_PT + 1.5)
    fig.tight_layout()
    return fig


def barrier_figure(rows: Sequence[Mapping[str, Any]], missing: Sequence[str] = (),
                   lang: str = "en") -> Figure | None:
    """Harm prevented per entrance (best first) with CIs; ties share a shaded band."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    rs = [r for r in rows if r.get("prevented") is not None]
    if not rs:
        return None
    w = _words(lang)
    fig = Figure(figsize=(7.2, 1.0 + 0.22 * len(rs)))
    ax = fig.subplots()
    ys = list(range(len(rs)))[::-1]
    vals = [r["prevented"] for r in rs]
    err = [r.get("prevented_ci_half") or 0.0 for r in rs]
    miss = set(missing)
    colours = ["#b71c1c" if r["entrance"] in miss else "#4a6fa5" for r in rs]
    hatches = ["///" if r["entrance"] in miss else "" for r in rs]
    bars = ax.barh(ys, vals, xerr=err, color=colours, ecolor="0.2", capsize=2,
                   edgecolor="0.2", linewidth=0.5)
    for b, h in zip(bars, hatches, strict=True):
        b.set_hatch(h)
    ranks: dict[int, list[int]] = {}
    for y, r in zip(ys, rs, strict=True):
        ranks.setdefault(r["rank"], []).append(y)
    shade = True
    for rank in sorted(ranks):
        yy = ranks[rank]
        if len(yy) > 1:
            ax.axhspan(min(yy) - 0.45, max(yy) + 0.45, color="0.88" if shade else "0.8",
                       zorder=0)
            shade = not shade
    ax.set_yticks(ys)
    ax.set_yticklabels([f"{r['rank']}{'=' if r.get('tied') else ''}  {r['entrance']}"
                        for r in rs], fontsize=LEGEND_PT - 0.5)
    ax.set_xlabel(w["prevented"], fontsize=LEGEND_PT)
    ax.tick_params(axis="x", labelsize=LEGEND_PT)
    ax.grid(alpha=0.3, axis="x")
    handles = [Patch(facecolor="0.88", label=w["tied"])]
    if miss:
        handles.append(Patch(facecolor="#b71c1c", hatch="///", label=w["missing"]))
    ax.legend(handles=handles, fontsize=LEGEND_PT, loc="lower right")
    fig.tight_layout()
    return fig


def plan_drawings(layout: Layout, plan: SecurityPlan, label: str,
                  dpi: int = 100) -> dict[str, str]:
    """``plan:<label>:<level>`` → base64 PNG of the plan on each level."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from viz.security_plan import draw_security_plan

    out = {}
    for lv in layout.level_ids():
        fig = draw_security_plan(layout, plan, levels=[lv], panel_width_in=7.4)
        out[f"plan:{label}:{lv}"] = png(fig, dpi=dpi)
    return out
