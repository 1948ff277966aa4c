"""Fitting the harm models to the incident records (:mod:`sim.analysis.incidents`).

Pure statistics (numpy/scipy), no simulation: ``tools/calibrate_harm.py`` runs the
reconstructions and feeds their means here. Every fit returns its point estimate and a
95 % interval; the method is stated on each function.

* :func:`fit_share` — a share (killed / casualties) pooled over incidents that differ
  more than binomial noise allows: beta-binomial maximum likelihood, 95 % profile
  likelihood interval of the mean share.
* :func:`poisson_interval` — exact (Garwood) interval of a Poisson mean from one count:
  the *spread of a record* (one incident is one draw).
* :class:`RateSurface` and :func:`fit_rate_surface` — the knife rate law's two
  parameters (``rate_ref``, ``exponent``) fitted to recorded casualties through simulated
  means on a grid (negative-binomial likelihood, dispersion profiled out; 95 % profile
  intervals).
* :func:`fit_strike_share` and :func:`fit_ramming_fatality` — the vehicle strike share
  and the fatality-by-speed curve, with the inputs no source gives (densities, paths,
  exact speeds) drawn from their ranges (Monte Carlo over the ranges, the parameters'
  sampling error added per draw).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from sim.hazards import vehicle_harm as vh

__all__ = [
    "Interval",
    "RateSurface",
    "ShareFit",
    "anchored_p50",
    "fit_ramming_fatality",
    "fit_rate_surface",
    "fit_share",
    "fit_strike_share",
    "poisson_interval",
    "reconstruct_ramming",
]

CHI2_95 = float(stats.chi2.ppf(0.95, 1))


@dataclass(frozen=True)
class Interval:
    """A point estimate with a 95 % interval."""

    value: float
    lo: float
    hi: float

    def __str__(self) -> str:
        return f"{self.value:.3g} [{self.lo:.3g}, {self.hi:.3g}]"


def poisson_interval(count: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) two-sided interval of a Poisson mean given one observed count."""
    a = 1.0 - level
    lo = 0.0 if count == 0 else float(stats.chi2.ppf(a / 2, 2 * count) / 2)
    hi = float(stats.chi2.ppf(1 - a / 2, 2 * count + 2) / 2)
    return lo, hi


# ---------------------------------------------------------------------- shares
def _bb_loglik(mu: float | np.ndarray, rho: float, k: np.ndarray, n: np.ndarray) -> float:
    """Beta-binomial log-likelihood, mean ``mu``, intra-incident correlation ``rho``."""
    a = mu * (1 - rho) / rho
    b = (1 - mu) * (1 - rho) / rho
    return float(np.sum(special.gammaln(n + 1) - special.gammaln(k + 1)
                        - special.gammaln(n - k + 1) + special.betaln(k + a, n - k + b)
                        - special.betaln(a, b)))


def _best_rho(mu: float | np.ndarray, k: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    res = optimize.minimize_scalar(lambda z: -_bb_loglik(mu, float(special.expit(z)), k, n),
                                   bounds=(-14.0, 4.0), method="bounded")
    return float(special.expit(res.x)), -float(res.fun)


@dataclass(frozen=True)
class ShareFit:
    """A pooled share: mean with its 95 % profile interval, and the overdispersion."""

    share: Interval
    rho: float
    """Intra-incident correlation (0: binomial; larger: incidents differ more)."""
    incidents: int
    killed: int
    total: int


def fit_share(killed: Sequence[int], total: Sequence[int]) -> ShareFit:
    """Beta-binomial fit of a share over incidents (``killed[i]`` of ``total[i]``)."""
    k = np.asarray(killed, dtype=float)
    n = np.asarray(total, dtype=float)
    if len(k) == 0 or np.any(k > n) or np.any(n <= 0):
        raise ValueError("need incidents with 0 <= killed <= total, total > 0")
    grid = np.linspace(0.002, 0.998, 999)
    prof = np.array([_best_rho(m, k, n)[1] for m in grid])
    i = int(np.argmax(prof))
    ok = grid[2 * (prof[i] - prof) <= CHI2_95]
    rho, _ = _best_rho(grid[i], k, n)
    return ShareFit(Interval(float(grid[i]), float(ok.min()), float(ok.max())), rho,
                    len(k), int(k.sum()), int(n.sum()))


# ---------------------------------------------------------------------- knife rate law
@dataclass(frozen=True)
class RateSurface:
    """Simulated mean casualties of each record over a (rate_ref, exponent) grid.

    ``means[i, b, r]`` is record ``i``'s mean at ``exponents[b]`` and ``rates[r]``.
    Between grid points the mean is interpolated as ``log μ = a + s · log rate`` (a
    least-squares line per record and exponent) and linearly in the exponent.
    """

    rates: tuple[float, ...]
    exponents: tuple[float, ...]
    means: np.ndarray

    def _lines(self) -> np.ndarray:
        lr = np.log(np.asarray(self.rates))
        lm = np.log(np.maximum(self.means, 0.05))
        x = lr - lr.mean()
        slope = (lm * x).sum(axis=-1) / (x * x).sum()
        icpt = lm.mean(axis=-1) - slope * lr.mean()
        return np.stack([icpt, slope], axis=-1)  # (records, exponents, 2)

    def mean(self, rate: float, exponent: float) -> np.ndarray:
        """Interpolated mean casualties of every record."""
        lines = self._lines()
        ex = np.asarray(self.exponents)
        j = int(np.clip(np.searchsorted(ex, exponent) - 1, 0, len(ex) - 2))
        t = (exponent - ex[j]) / (ex[j + 1] - ex[j])
        ab = (1 - t) * lines[:, j] + t * lines[:, j + 1]
        return np.exp(ab[:, 0] + ab[:, 1] * math.log(rate))


@dataclass(frozen=True)
class RateFit:
    """Fitted knife rate law with 95 % profile intervals, and the values adopted."""

    rate_ref: Interval
    exponent: Interval
    dispersion_k: float
    """Negative-binomial size (variance = μ + μ²/k); large k: Poisson."""
    fitted_means: tuple[float, ...]
    adopted: tuple[float, float]
    """(rate_ref, exponent) adopted: see :func:`fit_rate_surface`."""
    adopted_means: tuple[float, ...]
    adopted_margin: float
    """Smallest log-distance of an adopted mean to the edge of its record's spread
    (negative: some record is outside)."""
    loglik: float
    """Maximum log-likelihood (to compare fits, e.g. at several attacker speeds)."""


def _nb_loglik(y: np.ndarray, mu: np.ndarray, k: float) -> float:
    p = k / (k + mu)
    return float(stats.nbinom.logpmf(y, k, p).sum())


def _nb_profile(y: np.ndarray, mu: np.ndarray) -> float:
    res = optimize.minimize_scalar(lambda z: -_nb_loglik(y, mu, math.exp(z)),
                                   bounds=(-3.0, 9.0), method="bounded")
    return -float(res.fun)


def fit_rate_surface(surface: RateSurface, recorded: Sequence[int]) -> RateFit:
    """Maximum-likelihood (rate_ref, exponent) for the recorded casualties, and the
    values adopted for the model.

    Negative-binomial likelihood (records vary more than Poisson: settings, attackers),
    dispersion profiled out; the grid is the surface's own rate and exponent range. The
    intervals are 95 % profile-likelihood intervals (χ², 1 degree of freedom).

    *Adopted values*: among the parameter pairs inside the joint 95 % likelihood region
    (χ², 2 degrees of freedom), the pair that keeps every record's simulated mean inside
    that record's spread (:func:`poisson_interval`) with the widest margin (in log
    units): the data do not separate these pairs, and the model should reproduce each
    incident, not only their sum. Without such a pair: the maximum-likelihood pair.
    """
    y = np.asarray(recorded, dtype=float)
    lr = np.linspace(math.log(min(surface.rates)), math.log(max(surface.rates)), 121)
    ex = np.linspace(min(surface.exponents), max(surface.exponents), 101)
    ll = np.array([[_nb_profile(y, surface.mean(math.exp(r), e)) for r in lr] for e in ex])
    bi, ri = np.unravel_index(int(np.argmax(ll)), ll.shape)
    best = ll[bi, ri]
    prof_r = ll.max(axis=0)
    prof_e = ll.max(axis=1)
    ok_r = np.exp(lr[2 * (best - prof_r) <= CHI2_95])
    ok_e = ex[2 * (best - prof_e) <= CHI2_95]
    mu = surface.mean(math.exp(lr[ri]), ex[bi])
    res = optimize.minimize_scalar(lambda z: -_nb_loglik(y, mu, math.exp(z)),
                                   bounds=(-3.0, 9.0), method="bounded")
    spread = np.array([poisson_interval(int(v)) for v in y])
    chi2_2 = float(stats.chi2.ppf(0.95, 2))
    best_pt: tuple[Any, Any] = (ri, bi)
    best_margin = -math.inf
    for b in range(len(ex)):
        for r in range(len(lr)):
            if 2 * (best - ll[b, r]) > chi2_2:
                continue
            m = surface.mean(math.exp(lr[r]), ex[b])
            margin = float(np.min(np.minimum(np.log(m / np.maximum(spread[:, 0], 1e-9)),
                                             np.log(spread[:, 1] / m))))
            if margin > best_margin:
                best_pt, best_margin = (r, b), margin
    if best_margin < 0:
        best_pt = (ri, bi)
    ar, ab = best_pt
    amu = surface.mean(math.exp(lr[ar]), ex[ab])
    amargin = float(np.min(np.minimum(np.log(amu / np.maximum(spread[:, 0], 1e-9)),
                                      np.log(spread[:, 1] / amu))))
    return RateFit(Interval(float(math.exp(lr[ri])), float(ok_r.min()), float(ok_r.max())),
                   Interval(float(ex[bi]), float(ok_e.min()), float(ok_e.max())),
                   float(math.exp(res.x)), tuple(float(m) for m in mu),
                   (float(math.exp(lr[ar])), float(ex[ab])), tuple(float(m) for m in amu),
                   amargin, float(best))


# ---------------------------------------------------------------------- rammings
def _draw(rng: np.random.Generator, rng_range: tuple[float, float], log: bool) -> float:
    lo, hi = rng_range
    if lo == hi:
        return lo
    if log:
        return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    return float(rng.uniform(lo, hi))


def fit_strike_share(records: Sequence[tuple[int, tuple[float, float], tuple[float, float],
                                             tuple[float, float], float]],
                     *, speed_ref_kmh: float = 50.0, draws: int = 2000,
                     seed: int = 0) -> tuple[Interval, Interval]:
    """Share of the people in a vehicle's path who become casualties, by speed.

    ``records``: (casualties, density range p/m², path range m, speed range km/h,
    vehicle width m). Model: casualties ~ Poisson(D · w · L · s_ref · (v/v_ref)^k).
    Each draw takes D log-uniform, L and v uniform in their ranges, fits (log s_ref, k)
    by Poisson maximum likelihood and adds a normal draw from its sampling covariance;
    the result is the median and the 2.5-97.5 % quantiles over the draws.
    """
    rng = np.random.default_rng(seed)
    y = np.array([r[0] for r in records], dtype=float)
    out = np.empty((draws, 2))
    for d in range(draws):
        expo = np.array([_draw(rng, r[1], True) * r[4] * _draw(rng, r[2], False)
                         for r in records])
        lv = np.array([math.log(_draw(rng, r[3], False) / speed_ref_kmh) for r in records])
        X = np.stack([np.ones_like(lv), lv], axis=1)

        def nll(b: np.ndarray, expo: np.ndarray = expo, X: np.ndarray = X) -> float:
            mu = expo * np.exp(X @ b)
            return float(np.sum(mu - y * np.log(mu)))

        res = optimize.minimize(nll, np.array([-2.0, 1.0]), method="BFGS")
        mu = expo * np.exp(X @ res.x)
        info = X.T @ (X * mu[:, None])
        cov = np.linalg.inv(info)
        out[d] = rng.multivariate_normal(res.x, cov)
    s = np.exp(out[:, 0])
    k = out[:, 1]
    return (Interval(float(np.median(s)), *map(float, np.quantile(s, [0.025, 0.975]))),
            Interval(float(np.median(k)), *map(float, np.quantile(k, [0.025, 0.975]))))


def fit_ramming_fatality(records: Sequence[tuple[int, int, tuple[float, float]]],
                         pooled: tuple[int, int], *, anchor_kmh: tuple[float, float],
                         speed_ref_kmh: float = 50.0, draws: int = 2000,
                         seed: int = 0) -> tuple[Interval, Interval]:
    """Fatality among ramming casualties by impact speed: ``logit p = b0 + b1·(v − 50)/10``.

    The shape (slope ``b1`` per 10 km/h) comes from the records with a reported speed
    (``(killed, casualties, speed range)``), beta-binomial likelihood; the level from the
    pooled study (``pooled = (killed, casualties)``): ``p`` averaged uniformly over the
    span of the speeds on record (``anchor_kmh``; the study gives only its 4-130 km/h
    range) equals the pooled share. Per draw: the records' speeds uniform in their
    ranges, the pooled share from its binomial sampling distribution, ``b1`` from its
    profile likelihood (normalised). Returns ``(share at 50 km/h, b1)``, each as median
    and 2.5-97.5 % quantiles; ``b0`` for the median ``b1`` is
    ``logit⁻¹`` of the median share only approximately (use :func:`anchored_p50`).
    """
    rng = np.random.default_rng(seed)
    K = np.array([r[0] for r in records], dtype=float)
    N = np.array([r[1] for r in records], dtype=float)
    p50 = np.empty(draws)
    slope = np.empty(draws)
    grid = np.linspace(-2.0, 3.0, 201)
    x_anchor = (np.linspace(anchor_kmh[0], anchor_kmh[1], 51) - speed_ref_kmh) / 10.0
    for d in range(draws):
        v = np.array([_draw(rng, r[2], False) for r in records])
        x = (v - speed_ref_kmh) / 10.0

        def prof(b1: float, x: np.ndarray = x) -> float:
            res = optimize.minimize(
                lambda p: -_bb_loglik(special.expit(p[0] + b1 * x), float(special.expit(p[1])),
                                      K, N), np.array([-2.0, -2.0]), method="Nelder-Mead")
            return -float(res.fun)

        if d == 0 or d % 50 == 0:
            ll = np.array([prof(b) for b in grid])
            w = np.exp(ll - ll.max())
            w /= w.sum()
        b1 = float(rng.choice(grid, p=w))
        share = max(rng.binomial(pooled[1], pooled[0] / pooled[1]) / pooled[1], 1e-4)

        def gap(b0: float, b1: float = b1, share: float = share) -> float:
            return float(np.mean(special.expit(b0 + b1 * x_anchor)) - share)

        p50[d] = float(special.expit(optimize.brentq(gap, -20.0, 20.0)))
        slope[d] = b1
    return (Interval(float(np.median(p50)), *map(float, np.quantile(p50, [0.025, 0.975]))),
            Interval(float(np.median(slope)), *map(float, np.quantile(slope, [0.025, 0.975]))))


def reconstruct_ramming(density_pm2: float, path_m: float, v_mps: float, width_m: float,
                        rng: np.random.Generator, cell_m: float = 20.0) -> tuple[int, int]:
    """Casualties and deaths of one recorded ramming, by the simulation's strike rule.

    The path through the crowd is cut into ``cell_m`` x ``cell_m`` cells holding
    Poisson(density · area) people each; the vehicle crosses them at ``v_mps`` (a driver
    keeping the throttle open); each person is harmed with
    :func:`sim.hazards.vehicle_harm.strike_probability` and dies with
    :func:`~sim.hazards.vehicle_harm.fatality_share`, as in :mod:`sim.hazards.vehicle`.
    """
    area = cell_m * cell_m
    casualties = deaths = 0
    n_cells = max(1, round(path_m / cell_m))
    p = vh.strike_probability(v_mps, width_m, path_m / n_cells, area)
    pf = vh.fatality_share(v_mps)
    for _ in range(n_cells):
        n = int(rng.poisson(density_pm2 * area))
        hit = int(rng.binomial(n, p))
        casualties += hit
        deaths += int(rng.binomial(hit, pf))
    return casualties, deaths


def anchored_p50(b1: float, share: float, anchor_kmh: tuple[float, float],
                 speed_ref_kmh: float = 50.0) -> float:
    """Fatality at ``speed_ref_kmh`` of the curve with slope ``b1`` (per 10 km/h) whose
    uniform average over ``anchor_kmh`` is ``share``."""
    x = (np.linspace(anchor_kmh[0], anchor_kmh[1], 51) - speed_ref_kmh) / 10.0
    b0 = optimize.brentq(lambda b: float(np.mean(special.expit(b + b1 * x)) - share),
                         -20.0, 20.0)
    return float(special.expit(b0))
