"""Paired differences between configurations run on common random numbers.

The one implementation of paired comparisons in SafeMall: batch reports
(:mod:`sim.batch.report`, ``safemall batch report [--paired LABEL]``), the adequacy
search's monotonicity check (:mod:`sim.batch.adequacy`) and studies that compare options
all use it. The API is three functions and one record:

``paired(a, b, metric=…)`` → :class:`PairedDiff`
    Two per-seed value lists (replication ``k`` of ``a`` and of ``b`` ran on the same
    seed) → the difference ``b − a``.
``batch_pairs(runs, configs, metrics, against=…, baseline=…)`` → ``[PairedDiff]``
    Every configuration of a batch against the previous one, the first one, or the one
    labelled ``baseline``, seeds paired by replication index.
``markdown_pairs(diffs)``
    One table row per difference.

A batch with ``seeding = "common"`` gives replication ``k`` of every configuration the
same seed (:mod:`sim.batch.seeds`), and the keyed streams of :mod:`sim.engine.rng` keep
everything that does not depend on what changed identical. The effect of a change is
then estimated from the per-seed differences ``d_k = x_k(B) − x_k(A)``:

* ``mean`` of ``d``, its two-sided confidence interval from Student's t with ``n − 1``
  degrees of freedom (``mean ± t(0.5 + c/2, n−1)·sd(d)/√n``);
* ``better``/``worse``: how many seeds moved each way (``lower`` metrics: a smaller value
  is better, e.g. victims and times; ``higher`` otherwise);
* a verdict: ``better`` / ``worse`` when the whole CI lies on one side of 0, else
  ``no clear difference``.

A seed where either side lacks a value (a time that never came) is dropped from that
metric's pairs and counted in ``dropped``. Batches with independent seeding are not
paired automatically; a report asked for pairs of such a batch says that the seeds differ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sim.batch.stats import t_quantile

__all__ = ["HIGHER_IS_BETTER", "PairedDiff", "UnknownConfiguration", "batch_pairs",
           "markdown_pairs", "paired"]

if TYPE_CHECKING:
    import pandas as pd

#: Metrics where a larger value is better (everything else: smaller is better).
HIGHER_IS_BETTER = frozenset({"evacuated", "attackers_neutralised", "intercepted",
                              "guided_cues", "margin_s", "aset_min_s"})


@dataclass(frozen=True)
class PairedDiff:
    """The paired difference of one metric between configurations ``a`` and ``b``."""

    metric: str
    a: str
    b: str
    n: int
    """Seeds with a value on both sides."""
    dropped: int
    mean_a: float
    mean_b: float
    diff: float
    """Mean of ``b − a``."""
    sd: float
    """Sample standard deviation of ``b − a`` (NaN with fewer than two pairs)."""
    ci_lo: float
    ci_hi: float
    """Two-sided t interval of ``diff`` (NaN with fewer than two pairs)."""
    better: int
    """Seeds where ``b`` is better than ``a``."""
    worse: int

    @property
    def ci_half(self) -> float:
        """Half the width of the interval."""
        return (self.ci_hi - self.ci_lo) / 2

    @property
    def verdict(self) -> str:
        """``better``, ``worse`` or ``no clear difference`` (for ``b`` against ``a``)."""
        if not (math.isfinite(self.ci_lo) and math.isfinite(self.ci_hi)):
            return "no clear difference"
        up = self.metric in HIGHER_IS_BETTER
        if self.ci_lo > 0:
            return "better" if up else "worse"
        if self.ci_hi < 0:
            return "worse" if up else "better"
        return "no clear difference"


def paired(a: Sequence[float | None], b: Sequence[float | None], *, metric: str = "",
           a_label: str = "a", b_label: str = "b",
           confidence: float = 0.95) -> PairedDiff:
    """The paired difference of two equally long per-seed value lists (``None``/NaN:
    no value; such seeds are dropped)."""
    if len(a) != len(b):
        raise ValueError(f"paired lists differ in length: {len(a)} and {len(b)}")
    x = np.array([np.nan if v is None else v for v in a], dtype=float)
    y = np.array([np.nan if v is None else v for v in b], dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = len(x)
    d = y - x
    nan = float("nan")
    mean = float(d.mean()) if n else nan
    sd = float(d.std(ddof=1)) if n > 1 else nan
    half = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n) if n > 1 else nan
    up = metric in HIGHER_IS_BETTER
    better = int((d > 0).sum() if up else (d < 0).sum())
    worse = int((d < 0).sum() if up else (d > 0).sum())
    return PairedDiff(metric, a_label, b_label, n, int((~ok).sum()),
                      float(x.mean()) if n else nan, float(y.mean()) if n else nan,
                      mean, sd, mean - half, mean + half, better, worse)


class UnknownConfiguration(KeyError):
    """No configuration of the batch has the label asked for as the baseline."""


def batch_pairs(runs: pd.DataFrame, configs: Sequence[Any], metrics: Sequence[str], *,
                against: Literal["previous", "first"] = "previous",
                baseline: str | None = None, confidence: float = 0.95) -> list[PairedDiff]:
    """Paired differences of every metric between configurations of one batch.

    ``runs`` has one row per run with columns ``config_index``, ``rep``, ``status`` and
    one per metric; ``configs`` have ``index`` and ``label``. ``against = "previous"``:
    each configuration against the one before it (a sweep); ``"first"``: each against
    the first. ``baseline`` (a label) instead compares every other configuration with
    that one (:class:`UnknownConfiguration` if no configuration has it). Seeds pair by
    replication index; only ``ok`` runs enter. Differences are ``later − earlier``
    (``configuration − baseline``).
    """
    ok = runs[runs["status"] == "ok"]
    order = sorted(configs, key=lambda c: c.index)
    if baseline is not None:
        base = next((c for c in order if c.label == baseline), None)
        if base is None:
            raise UnknownConfiguration(baseline)
        pairs = [(base, c) for c in order if c is not base]
    else:
        pairs = [(order[i - 1] if against == "previous" else order[0], c)
                 for i, c in enumerate(order) if i > 0]
    out = []
    for ca, cb in pairs:
        sa = ok[ok["config_index"] == ca.index].set_index("rep")
        sb = ok[ok["config_index"] == cb.index].set_index("rep")
        reps = sorted(set(sa.index) & set(sb.index))
        for m in metrics:
            if m not in ok.columns:
                continue
            out.append(paired(sa.loc[reps, m].tolist(), sb.loc[reps, m].tolist(), metric=m,
                              a_label=ca.label, b_label=cb.label, confidence=confidence))
    return out


def _f(v: float) -> str:
    if v is None or not math.isfinite(v):
        return "—"
    a = abs(v)
    return f"{v:,.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}"


def markdown_pairs(diffs: Sequence[PairedDiff], confidence: float = 0.95) -> str:
    """One row per (comparison, metric): means, paired difference with CI, seeds, verdict."""
    head = ["metric", "from", "to", "pairs", "mean from", "mean to",
            f"difference [{confidence:.0%} CI]", "seeds better / worse", "verdict"]
    lines = ["| " + " | ".join(head) + " |",
             "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for d in diffs:
        drop = f" ({d.dropped} dropped)" if d.dropped else ""
        lines.append(f"| {d.metric} | {d.a} | {d.b} | {d.n}{drop} | {_f(d.mean_a)} | "
                     f"{_f(d.mean_b)} | {_f(d.diff)} [{_f(d.ci_lo)}, {_f(d.ci_hi)}] | "
                     f"{d.better} / {d.worse} | {d.verdict} |")
    return "\n".join(lines) + "\n"
