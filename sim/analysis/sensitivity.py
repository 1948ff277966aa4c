"""Global sensitivity analysis of run metrics to the assumptions register (SALib).

Design and analysis are SALib's (Morris elementary effects, Saltelli/Sobol); nothing here
re-implements them. Parameters are sampled in the unit hypercube and mapped through each
assumption's own distribution (:meth:`~sim.model.assumptions.Assumption.from_unit`), so
Morris effects are per move across the whole plausible range (metric units), and Sobol
indices are shares of the output variance under the declared distributions.

Seed noise is kept apart from parameter effects:

* every design point is run with the same ``R`` seeds (common random numbers), and the
  indices are computed on the mean over those seeds;
* the indices are also computed per seed: their spread gives a seed-noise standard
  error of each index;
* the base point (every default) is run over ``R_base`` seeds: its standard deviation
  ``s`` gives the noise floor — the Morris μ* of a parameter with no effect, at most
  ``2 s / (Δ sqrt(π R))`` (independent noise on two means of ``R`` runs, step ``Δ``),
  and the share of the Sobol output variance that seed noise explains, ``s² / R /
  Var(Y)``.

Pure core: no printing, drawing or file reading.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.model.assumptions import Assumption

Method = Literal["morris", "sobol"]


@dataclass(frozen=True)
class Design:
    """Sample points: ``unit`` in [0, 1]^k, ``values`` in parameter units (N × k)."""

    method: Method
    params: tuple[Assumption, ...]
    unit: np.ndarray
    values: np.ndarray
    seed: int
    levels: int

    @property
    def keys(self) -> list[str]:
        """Override keys of the parameters, in design column order."""
        return [a.key for a in self.params]

    def problem(self) -> dict[str, Any]:
        """The SALib problem (unit bounds: distributions are applied by the register)."""
        k = len(self.params)
        return {"num_vars": k, "names": self.keys, "bounds": [[0.0, 1.0]] * k}


def make_design(params: Sequence[Assumption], method: Method, n: int, *, seed: int,
                levels: int = 4) -> Design:
    """SALib sample: Morris ``n`` trajectories (``n (k+1)`` points, ``levels`` grid
    levels) or Saltelli/Sobol base sample ``n`` (``n (k+2)`` points, first and total
    order; ``n`` a power of two)."""
    if not params:
        raise ValueError("no parameters to vary")
    if len({a.key for a in params}) != len(params):
        raise ValueError("a parameter is listed twice")
    k = len(params)
    problem = {"num_vars": k, "names": [a.key for a in params], "bounds": [[0.0, 1.0]] * k}
    if method == "morris":
        from SALib.sample import morris as ms

        unit = ms.sample(problem, N=n, num_levels=levels, seed=seed)
    elif method == "sobol":
        from SALib.sample import sobol as ss

        if n < 2 or n & (n - 1):
            raise ValueError(f"the Sobol base sample must be a power of two, got {n}")
        unit = ss.sample(problem, N=n, calc_second_order=False, scramble=True, seed=seed)
    else:
        raise ValueError(f"unknown method {method!r}")
    values = np.column_stack([a.from_unit(unit[:, j]) for j, a in enumerate(params)])
    return Design(method, tuple(params), np.asarray(unit, float), values, seed, levels)


@dataclass(frozen=True)
class Index:
    """One parameter's indices for one metric (NaN where a method does not give one)."""

    key: str
    mu_star: float = math.nan
    mu_star_ci: float = math.nan
    """Half-width of the bootstrap confidence interval of μ*."""
    mu: float = math.nan
    sigma: float = math.nan
    sigma_ci: float = math.nan
    s1: float = math.nan
    s1_ci: float = math.nan
    st: float = math.nan
    st_ci: float = math.nan
    seed_se: float = math.nan
    """Standard error of the main index (μ* or ST) from its spread over seeds."""

    @property
    def main(self) -> float:
        """The ranking index: μ* (Morris) or ST (Sobol)."""
        return self.mu_star if not math.isnan(self.mu_star) else self.st


@dataclass(frozen=True)
class Analysis:
    """Ranked indices of one metric, and the seed-noise floor."""

    metric: str
    method: Method
    indices: tuple[Index, ...]
    """Sorted by the main index, largest first."""
    n_points: int
    seeds: int
    base_mean: float
    base_sd: float
    """Standard deviation over seeds at the base point (every default)."""
    noise_floor: float
    """Morris: μ* a no-effect parameter would show; Sobol: share of Var(Y) from seeds."""
    output_sd: float
    filled: int = 0
    """Runs that did not report the metric and count as ``fill_value`` (``--missing``)."""
    fill_value: float = math.nan

    def top(self, n: int = 5) -> list[str]:
        """Keys of the ``n`` largest main indices."""
        return [i.key for i in self.indices[:n]]


def _morris(design: Design, y: np.ndarray, *, conf: float, resamples: int,
            seed: int) -> dict[str, np.ndarray]:
    from SALib.analyze import morris as ma

    r = ma.analyze(design.problem(), design.unit, y, conf_level=conf,
                   num_resamples=resamples, num_levels=design.levels, seed=seed)
    return {k: np.asarray(r[k], float) for k in ("mu", "mu_star", "sigma", "mu_star_conf")}


def _sobol(design: Design, y: np.ndarray, *, conf: float, resamples: int,
           seed: int) -> dict[str, np.ndarray]:
    from SALib.analyze import sobol as sa

    r = sa.analyze(design.problem(), y, calc_second_order=False, conf_level=conf,
                   num_resamples=resamples, seed=seed)
    return {k: np.asarray(r[k], float) for k in ("S1", "S1_conf", "ST", "ST_conf")}


def _sigma_ci(design: Design, y: np.ndarray, *, conf: float, resamples: int,
              seed: int) -> np.ndarray:
    """Bootstrap half-width of σ over trajectories (SALib's Morris on each resample)."""
    k = len(design.params)
    n_traj = len(y) // (k + 1)
    rng = np.random.default_rng(seed)
    sig = []
    for _ in range(resamples):
        pick = rng.integers(0, n_traj, n_traj)
        rows = (pick[:, None] * (k + 1) + np.arange(k + 1)[None, :]).ravel()
        sub = Design(design.method, design.params, design.unit[rows], design.values[rows],
                     design.seed, design.levels)
        sig.append(_morris(sub, y[rows], conf=conf, resamples=2, seed=seed)["sigma"])
    a = np.asarray(sig)
    lo, hi = np.nanpercentile(a, [50 * (1 - conf), 50 * (1 + conf)], axis=0)
    return np.asarray((hi - lo) / 2.0)


def analyze(design: Design, metric: str, y: np.ndarray, base: np.ndarray, *,
            conf: float = 0.95, resamples: int = 1000, seed: int = 0, filled: int = 0,
            fill_value: float = math.nan) -> Analysis:
    """Indices of ``metric`` from ``y`` (points × seeds, common seeds across points) and
    the base point's values over seeds ``base``; ``filled`` of those values are runs that
    did not report the metric, counted as ``fill_value`` (recorded for the tables).

    Raises
    ------
    ValueError
        When a point has no finite value of the metric for any seed (the metric was not
        reached or not recorded: choose another metric or shorten nothing).
    """
    y = np.asarray(y, float)
    if y.ndim == 1:
        y = y[:, None]
    if y.shape[0] != len(design.unit):
        raise ValueError(f"{y.shape[0]} results for {len(design.unit)} design points")
    ymean = np.nanmean(np.where(np.isfinite(y), y, np.nan), axis=1) \
        if np.isfinite(y).any(axis=1).all() else None
    if ymean is None:
        missing = int((~np.isfinite(y).any(axis=1)).sum())
        raise ValueError(f"metric {metric!r} is missing in every run of {missing} design "
                         "point(s)")
    n_seeds = y.shape[1]
    base = np.asarray(base, float)
    base = base[np.isfinite(base)]
    base_sd = float(np.std(base, ddof=1)) if len(base) > 1 else math.nan
    k = len(design.params)
    per_seed = [y[:, r] for r in range(n_seeds) if np.isfinite(y[:, r]).all()]
    if design.method == "morris":
        r = _morris(design, ymean, conf=conf, resamples=resamples, seed=seed)
        sig_ci = _sigma_ci(design, ymean, conf=conf, resamples=min(resamples, 200),
                           seed=seed)
        seeds = [_morris(design, ys, conf=conf, resamples=2, seed=seed)["mu_star"]
                 for ys in per_seed]
        se = np.std(seeds, axis=0, ddof=1) / math.sqrt(len(seeds)) if len(seeds) > 1 \
            else np.full(k, math.nan)
        delta = design.levels / (2.0 * (design.levels - 1))
        floor = 2.0 * base_sd / (delta * math.sqrt(math.pi * n_seeds))
        idx = [Index(a.key, mu_star=float(r["mu_star"][j]),
                     mu_star_ci=float(r["mu_star_conf"][j]), mu=float(r["mu"][j]),
                     sigma=float(r["sigma"][j]), sigma_ci=float(sig_ci[j]),
                     seed_se=float(se[j])) for j, a in enumerate(design.params)]
    else:
        r = _sobol(design, ymean, conf=conf, resamples=resamples, seed=seed)
        seeds = [_sobol(design, ys, conf=conf, resamples=2, seed=seed)["ST"]
                 for ys in per_seed]
        se = np.std(seeds, axis=0, ddof=1) / math.sqrt(len(seeds)) if len(seeds) > 1 \
            else np.full(k, math.nan)
        var = float(np.var(ymean))
        floor = (base_sd ** 2 / n_seeds) / var if var > 0 else math.nan
        idx = [Index(a.key, s1=float(r["S1"][j]), s1_ci=float(r["S1_conf"][j]),
                     st=float(r["ST"][j]), st_ci=float(r["ST_conf"][j]),
                     seed_se=float(se[j])) for j, a in enumerate(design.params)]
    idx.sort(key=lambda i: -i.main if math.isfinite(i.main) else math.inf)
    return Analysis(metric, design.method, tuple(idx), len(design.unit), n_seeds,
                    float(np.mean(base)) if len(base) else math.nan, base_sd, float(floor),
                    float(np.std(ymean)), filled, fill_value)


def rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Table rows (rank, key, indices, CIs) for CSV, Markdown and JSON."""
    out = []
    for rank, i in enumerate(analysis.indices, 1):
        row: dict[str, Any] = {"metric": analysis.metric, "rank": rank, "key": i.key}
        if analysis.method == "morris":
            row |= {"mu_star": i.mu_star, "mu_star_ci": i.mu_star_ci, "mu": i.mu,
                    "sigma": i.sigma, "sigma_ci": i.sigma_ci,
                    "mu_star_seed_se": i.seed_se,
                    "above_noise": bool(i.mu_star - i.mu_star_ci > analysis.noise_floor)}
        else:
            row |= {"S1": i.s1, "S1_ci": i.s1_ci, "ST": i.st, "ST_ci": i.st_ci,
                    "ST_seed_se": i.seed_se}
        out.append(row)
    return out


def _or_dash(x: float, spec: str) -> str:
    """``x`` formatted, or an em dash where there is none (one seed: no seed SE)."""
    return "—" if math.isnan(x) else format(x, spec)


def markdown(analysis: Analysis) -> str:
    """A Markdown table of one metric's ranked indices with the noise floor under it."""
    rs = rows(analysis)
    if not rs:
        return ""
    if analysis.method == "morris":
        head = "| rank | parameter | μ* ± 95% CI | σ ± 95% CI | μ | seed SE of μ* |"
        body = [f"| {r['rank']} | `{r['key']}` | {r['mu_star']:.4g} ± {r['mu_star_ci']:.2g} "
                f"| {r['sigma']:.4g} ± {r['sigma_ci']:.2g} | {r['mu']:.4g} "
                f"| {_or_dash(r['mu_star_seed_se'], '.2g')} |" for r in rs]
        note = (f"Noise floor (μ* of a no-effect parameter, at most): "
                f"{analysis.noise_floor:.3g}; base point {analysis.base_mean:.4g} "
                f"± {analysis.base_sd:.3g} (sd over seeds).")
    else:
        head = "| rank | parameter | S1 ± 95% CI | ST ± 95% CI | seed SE of ST |"
        body = [f"| {r['rank']} | `{r['key']}` | {r['S1']:.3f} ± {r['S1_ci']:.3f} "
                f"| {r['ST']:.3f} ± {r['ST_ci']:.3f} | {_or_dash(r['ST_seed_se'], '.3f')} |"
                for r in rs]
        note = (f"Seed noise explains about {100 * analysis.noise_floor:.1f} % of the "
                f"output variance (base point sd {analysis.base_sd:.3g} over seeds).")
    if analysis.filled:
        note += (f" {analysis.filled} runs did not report {analysis.metric} and count as "
                 f"{analysis.fill_value:g} (--missing).")
    sep = "|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|"
    title = f"**{analysis.metric}** ({analysis.method}, {analysis.n_points} points × " \
            f"{analysis.seeds} seeds)"
    return "\n".join([title, "", head, sep, *body, "", note, ""])
