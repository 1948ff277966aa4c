"""Statistics over replications: summaries, confidence intervals and one-sided bounds.

Summaries (``safemall batch report``)
    ``mean``, ``sd`` (sample, ``ddof = 1``), the two-sided 95% confidence interval of the
    mean, and the 5th/50th/95th percentiles by linear interpolation between order
    statistics (numpy's default, Hyndman & Fan type 7). Missing values (a time that never
    happened, e.g. ``t_evacuation_s`` when someone was still inside) are left out and
    counted. The interval depends on the kind of metric (``kind``, from the metric
    catalogue), so that it never leaves the metric's range:

    * ``number`` (times, densities): Student's t with ``n - 1`` degrees of freedom,
      ``mean ± t(0.975, n-1)·sd/√n``;
    * ``count`` (victims, injuries: whole numbers ≥ 0, often mostly 0): the percentile
      bootstrap of the mean (:func:`bootstrap_mean_interval`, 4,000 resamples from a fixed
      seed, so a report is reproducible). Its bounds are means of resampled counts, so
      they are never negative, and 0 when every run had 0; a t interval of
      ``19.5 ± 23.6`` would have claimed ``[-4.1, 43.1]``;
    * ``flag`` (yes/no per run): the exact Clopper–Pearson interval of the proportion
      (:func:`proportion_interval`), within [0, 1].

Bounds (``safemall adequacy``)
    ``mean``: the one-sided t bound ``mean + t(c, n-1)·sd/√n``.
    ``pXX`` (any quantile, e.g. ``p95``, ``p50``): a distribution-free order-statistic
    bound. The number of replications below the true quantile ``q_p`` is at least
    Binomial(n, p) in distribution, so ``X(k)``, the k-th smallest value, satisfies
    ``P(X(k) >= q_p) >= P(Bin(n, p) <= k - 1)``; the bound is ``X(k)`` for the smallest
    ``k`` making that at least ``c``. It needs ``n >= log(1 - c)/log(p)`` replications
    (59 for p95 at 95%); with fewer the bound is infinite. Valid for discrete metrics too
    (then conservative). ``max``: the largest observed value (no confidence statement is
    possible for the maximum of an unbounded distribution).
    Lower bounds (for ``>=`` targets) mirror these.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy import stats as _st

Side = Literal["upper", "lower"]

#: Percentiles reported for every metric.
PERCENTILES = (5, 50, 95)


def t_quantile(p: float, dof: int) -> float:
    """The ``p`` quantile of Student's t with ``dof`` degrees of freedom."""
    return float(_st.t.ppf(p, dof))


def clean(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    """Finite values as a float array (``None`` and NaN dropped)."""
    arr = np.array([np.nan if v is None else v for v in values], dtype=float)
    return arr[np.isfinite(arr)]


def proportion_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper–Pearson) two-sided interval of a proportion from ``k`` of ``n``.

    >>> [round(x, 4) for x in proportion_interval(0, 10)]
    [0.0, 0.3085]
    >>> [round(x, 4) for x in proportion_interval(10, 10)]
    [0.6915, 1.0]
    """
    if n <= 0:
        return math.nan, math.nan
    a = (1 - confidence) / 2
    lo = 0.0 if k == 0 else float(_st.beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k == n else float(_st.beta.ppf(1 - a, k + 1, n - k))
    return lo, hi


#: Resamples of the bootstrap intervals, and their fixed seed (reports are reproducible).
BOOTSTRAP_RESAMPLES = 4000
BOOTSTRAP_SEED = 20170418


def bootstrap_mean_interval(values: Sequence[float] | np.ndarray, confidence: float = 0.95,
                            resamples: int = BOOTSTRAP_RESAMPLES,
                            seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """Percentile-bootstrap interval of the mean (stays within the values' range)."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n == 0:
        return math.nan, math.nan
    if n == 1 or np.all(x == x[0]):
        return float(x[0]), float(x[0])
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    a = (1 - confidence) / 2
    lo, hi = np.quantile(means, [a, 1 - a])
    return float(lo), float(hi)


def mean_interval(values: np.ndarray, confidence: float = 0.95,
                  kind: str = "number") -> tuple[float, float, str]:
    """``(lo, hi, method)`` of the mean for a metric of ``kind`` (see the module notes)."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 2:
        return math.nan, math.nan, "none"
    if kind == "flag" and np.isin(x, (0.0, 1.0)).all():
        lo, hi = proportion_interval(int(x.sum()), n, confidence)
        return lo, hi, "exact"
    if kind == "count":
        lo, hi = bootstrap_mean_interval(x, confidence)
        return lo, hi, "bootstrap"
    half = t_quantile(0.5 + confidence / 2, n - 1) * float(np.std(x, ddof=1)) / math.sqrt(n)
    m = float(np.mean(x))
    return m - half, m + half, "t"


def summarize(values: Sequence[float | None] | np.ndarray,
              confidence: float = 0.95, kind: str = "number") -> dict[str, float]:
    """n, missing, mean, sd, CI (``ci_lo``, ``ci_hi``, ``ci_half``), min, p5, p50, p95, max.

    ``kind`` (``number``, ``count`` or ``flag``) chooses the interval (module notes);
    ``ci_half`` is half its width. With one value the sd and CI are NaN; with none
    everything but the counts is NaN.
    """
    n_all = len(values)
    x = clean(values)
    n = len(x)
    out: dict[str, float] = {"n": float(n), "missing": float(n_all - n)}
    nan = float("nan")
    if n == 0:
        out.update(mean=nan, sd=nan, ci_lo=nan, ci_hi=nan, ci_half=nan, min=nan, max=nan)
        out.update({f"p{q}": nan for q in PERCENTILES})
        return out
    mean = float(np.mean(x))
    sd = float(np.std(x, ddof=1)) if n > 1 else nan
    lo, hi, _ = mean_interval(x, confidence, kind)
    out.update(mean=mean, sd=sd, ci_lo=lo, ci_hi=hi, ci_half=(hi - lo) / 2,
               min=float(np.min(x)), max=float(np.max(x)))
    pct = np.percentile(x, PERCENTILES)
    out.update({f"p{q}": float(v) for q, v in zip(PERCENTILES, pct, strict=True)})
    return out


def ci_relative_halfwidth(values: Sequence[float | None] | np.ndarray,
                          confidence: float = 0.95) -> float:
    """Half-width of the mean's CI divided by ``|mean|`` (inf if undefined, 0 if constant)."""
    s = summarize(values, confidence)
    if s["n"] < 2:
        return math.inf
    if s["sd"] == 0:
        return 0.0
    if s["mean"] == 0:
        return math.inf
    return s["ci_half"] / abs(s["mean"])


def mean_bound(values: np.ndarray, confidence: float, side: Side = "upper") -> float:
    """One-sided t confidence bound of the mean (inf/−inf with fewer than 2 values)."""
    n = len(values)
    if n < 2:
        return math.inf if side == "upper" else -math.inf
    if np.isinf(values).any():
        return float(np.mean(values))
    m = float(np.mean(values))
    half = t_quantile(confidence, n - 1) * float(np.std(values, ddof=1)) / math.sqrt(n)
    return m + half if side == "upper" else m - half


def order_stat_index(n: int, p: float, confidence: float, side: Side = "upper") -> int | None:
    """The 1-based rank ``k`` of the order statistic bounding the ``p`` quantile.

    Upper: the smallest ``k`` with ``P(Bin(n, p) <= k - 1) >= confidence``.
    Lower: the largest ``k`` with ``P(Bin(n, p) >= k) >= confidence``.
    ``None`` when ``n`` is too small for any order statistic to do.
    """
    if n <= 0:
        return None
    if side == "upper":
        k = int(_st.binom.ppf(confidence, n, p)) + 1
        # ppf is the smallest j with cdf(j) >= c; guard against float round-off
        while k > 1 and _st.binom.cdf(k - 2, n, p) >= confidence:
            k -= 1
        while k <= n and _st.binom.cdf(k - 1, n, p) < confidence:
            k += 1
        return k if k <= n else None
    # lower: P(Bin >= k) = 1 - cdf(k - 1) >= c  ⇔  cdf(k - 1) <= 1 - c
    k = int(_st.binom.ppf(1 - confidence, n, p))
    while k >= 1 and 1 - _st.binom.cdf(k - 1, n, p) < confidence:
        k -= 1
    while k + 1 <= n and 1 - _st.binom.cdf(k, n, p) >= confidence:
        k += 1
    return k if k >= 1 else None


def quantile_bound(values: np.ndarray, p: float, confidence: float,
                   side: Side = "upper") -> float:
    """Distribution-free confidence bound of the ``p`` quantile (±inf if too few runs)."""
    x = np.sort(np.asarray(values, dtype=float))
    k = order_stat_index(len(x), p, confidence, side)
    if k is None:
        return math.inf if side == "upper" else -math.inf
    return float(x[k - 1])


def min_replications(p: float, confidence: float) -> int:
    """Fewest replications for which an upper bound of the ``p`` quantile exists."""
    return max(2, math.ceil(math.log(1 - confidence) / math.log(p)))


def point_stat(values: np.ndarray, stat: str) -> float:
    """The plain estimate of ``stat`` (mean, max, min or pXX) from the values."""
    if len(values) == 0:
        return float("nan")
    if stat == "mean":
        return float(np.mean(values))
    if stat == "max":
        return float(np.max(values))
    if stat == "min":
        return float(np.min(values))
    return percentile(values, quantile_of(stat))


def percentile(values: np.ndarray, q: float) -> float:
    """The ``q`` quantile with linear interpolation (Hyndman & Fan type 7, numpy's default).

    Unlike ``np.percentile`` it keeps infinite values (a run that never reached a state
    counts as ``inf``): between two equal infinities, or from a finite value towards an
    infinite one, the quantile is that infinity, never NaN.
    """
    v = np.sort(np.asarray(values, dtype=float))
    h = (len(v) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(v) - 1)
    a, b, w = float(v[lo]), float(v[hi]), h - lo
    if w == 0.0 or a == b:
        return a
    if math.isinf(a) or math.isinf(b):
        return b if math.isinf(b) else a
    return a + w * (b - a)


def quantile_of(stat: str) -> float:
    """``"p95"`` → 0.95 (``ValueError`` for anything else)."""
    if len(stat) < 2 or stat[0] != "p":
        raise ValueError(f"unknown statistic {stat!r}")
    q = float(stat[1:]) / 100.0
    if not 0 < q < 1:
        raise ValueError(f"unknown statistic {stat!r}")
    return q


def confidence_bound(values: np.ndarray, stat: str, confidence: float,
                     side: Side = "upper") -> float:
    """The conservative bound of ``stat`` used to decide a target (see module notes)."""
    if stat == "mean":
        return mean_bound(values, confidence, side)
    if stat in ("max", "min"):
        return point_stat(values, stat) if len(values) else (
            math.inf if side == "upper" else -math.inf)
    return quantile_bound(values, quantile_of(stat), confidence, side)
