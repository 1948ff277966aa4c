"""Adequacy under uncertainty: the probability that a candidate meets every target when
the assumptions are uncertain, and which assumptions move the answer.

The uncertain assumptions are sampled jointly (SALib Latin hypercube in the unit cube,
mapped through each assumption's declared distribution): ``samples`` assumption sets
``θ_s``. Every candidate value is run at every ``θ_s`` over ``seeds`` seeds, with common
seeds (replication ``r`` of every configuration has the same seed) and the same ``θ_s``
for every candidate, so candidates are compared on paired draws. At each ``θ_s`` a
candidate *meets the targets* when every target's statistic over the seeds (mean, pXX,
...) is within its bound (a point estimate: the uncertainty left is the assumptions').

Per candidate: ``P(meet)`` = share of assumption sets at which it meets every target, with
an exact (Clopper–Pearson) 95 % interval. The answer is the smallest candidate whose
``P(meet)`` reaches the stated probability. Per assumption set, the *required value* is
the smallest candidate meeting every target there; the assumptions that most change the
answer are those whose sampled values correlate most with it (Spearman ρ with a Fisher
95 % interval).

Every run is a row of the batch store (configuration = candidate × assumption set), so a
study resumes, and each run can be re-run alone.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch.adequacy import Target
from sim.batch.executors import Backend
from sim.batch.runner import ProgressFn, execute
from sim.batch.spec import Config, override
from sim.batch.stats import point_stat
from sim.batch.stats import proportion_interval as clopper_pearson
from sim.batch.store import Store
from sim.engine.metrics import metric_value
from sim.model.assumptions import Assumption


def joint_sample(params: Sequence[Assumption], samples: int, *, seed: int) -> np.ndarray:
    """``samples × k`` assumption values: SALib Latin hypercube through each distribution."""
    from SALib.sample import latin

    problem = {"num_vars": len(params), "names": [a.key for a in params],
               "bounds": [[0.0, 1.0]] * len(params)}
    unit = latin.sample(problem, samples, seed=seed)
    return np.column_stack([a.from_unit(unit[:, j]) for j, a in enumerate(params)])


@dataclass
class CandidateResult:
    """One candidate: how many assumption sets it meets every target at."""

    value: Any
    met: int
    n: int
    ci: tuple[float, float]

    @property
    def p(self) -> float:
        """Share of assumption sets meeting every target."""
        return self.met / self.n if self.n else math.nan


@dataclass
class Driver:
    """How strongly one assumption moves the required value."""

    key: str
    rho: float
    ci: tuple[float, float]
    required_low: float
    """Median required value when this assumption is in the lower half of its samples."""
    required_high: float


@dataclass
class UncertainResult:
    """The study's answer, per-candidate probabilities and the assumptions that drive it."""

    vary: str
    probability: float
    candidates: list[CandidateResult]
    answer: Any
    drivers: list[Driver]
    required: list[float] = field(default_factory=list)
    """Required value per assumption set (inf when no candidate meets the targets)."""
    batch: str = ""
    runs: int = 0

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        def j(x: float) -> float | None:
            return None if not math.isfinite(x) else x
        return {
            "vary": self.vary, "probability": self.probability, "answer": self.answer,
            "batch": self.batch, "runs": self.runs,
            "candidates": [{"value": c.value, "met": c.met, "n": c.n, "p": c.p,
                            "ci": list(c.ci)} for c in self.candidates],
            "drivers": [{"key": d.key, "rho": j(d.rho), "ci": [j(d.ci[0]), j(d.ci[1])],
                         "required_low": j(d.required_low),
                         "required_high": j(d.required_high)} for d in self.drivers],
            "required": [j(x) for x in self.required]}


def _stat(x: np.ndarray, stat: str) -> float:
    return point_stat(x[np.isfinite(x)], stat)


def drivers_of(params: Sequence[Assumption], theta: np.ndarray,
               required: np.ndarray) -> list[Driver]:
    """Spearman ρ (Fisher 95 % CI) of each assumption with the required value, largest |ρ|
    first; constant required values give ρ = NaN."""
    from scipy.stats import spearmanr

    n = len(required)
    out = []
    for j, a in enumerate(params):
        x = theta[:, j]
        r = np.where(np.isfinite(required), required, np.nanmax(
            np.where(np.isfinite(required), required, -np.inf)) + 1
            if np.isfinite(required).any() else 0.0)
        rho = float(spearmanr(x, r).statistic) if np.ptp(r) > 0 and np.ptp(x) > 0 \
            else math.nan
        if math.isfinite(rho) and n > 3 and abs(rho) < 1:
            z, se = math.atanh(rho), 1.0 / math.sqrt(n - 3)
            ci = (math.tanh(z - 1.96 * se), math.tanh(z + 1.96 * se))
        else:
            ci = (math.nan, math.nan)
        med = float(np.median(x))
        lo, hi = required[x <= med], required[x > med]
        out.append(Driver(a.key, rho, ci, float(np.median(lo)) if len(lo) else math.nan,
                          float(np.median(hi)) if len(hi) else math.nan))
    out.sort(key=lambda d: -abs(d.rho) if math.isfinite(d.rho) else math.inf)
    return out


def adequacy_under_uncertainty(
        store: Store, backend: Backend, scenario: Path, vary: str, candidates: Sequence[Any],
        targets: Sequence[Target], params: Sequence[Assumption], *, samples: int,
        seeds: int, probability: float = 0.9, sets: Sequence[str] = (), root_seed: int = 0,
        design_seed: int = 0, resume: bool = True,
        progress: ProgressFn | None = None) -> UncertainResult:
    """Run (or resume) the study and compute the answer (see the module doc)."""
    if not params:
        raise ValueError("no uncertain assumptions to sample")
    path = str(scenario.resolve())
    theta = joint_sample(params, samples, seed=design_seed)
    cands = sorted(candidates)
    ident = json.dumps([path, vary, [str(c) for c in cands], [a.key for a in params],
                        samples, seeds, list(sets), root_seed, design_seed])
    name = f"uncertain:{scenario.stem}:{vary}:{hashlib.sha256(ident.encode()).hexdigest()[:8]}"
    batch = store.open_batch(
        name=name, kind="adequacy-uncertain", source=path,
        description=f"adequacy of {vary} under uncertain assumptions",
        root_entropy=root_seed, seeding="common", replications=seeds, until_ci=None,
        spec={"scenario": path, "vary": vary, "candidates": [str(c) for c in cands],
              "params": [a.key for a in params], "samples": samples, "seeds": seeds,
              "set": list(sets), "design_seed": design_seed}, resume=resume)
    configs = []
    for ci, c in enumerate(cands):
        for s in range(samples):
            ovr = tuple(override(f"assumptions.{a.key}", int(v) if a.integer else float(v))
                        for a, v in zip(params, theta[s], strict=True))
            configs.append(Config(index=ci * samples + s, scenario_path=path,
                                  overrides=(*sets, override(vary, c), *ovr),
                                  params={vary: c, "sample": s},
                                  label=f"{vary}={c} θ{s}"))
    rows = store.add_configs(batch, configs)
    execute(store, batch, rows, {r.id: seeds for r in rows}, backend, progress=progress)
    values: dict[int, dict[str, list[float]]] = {r.id: {t.metric: [] for t in targets}
                                                 for r in rows}
    for run in store.runs(config_ids=[r.id for r in rows]):
        for t in targets:
            values[run.config_id][t.metric].append(
                metric_value(run.metrics if run.status == "ok" else None, t.metric))
    meets = np.zeros((len(cands), samples), bool)
    for r in rows:
        ci, s = divmod(r.index, samples)
        meets[ci, s] = all(t.holds(_stat(np.asarray(values[r.id][t.metric]), t.stat))
                           for t in targets)
    results = [CandidateResult(c, int(meets[i].sum()), samples,
                               clopper_pearson(int(meets[i].sum()), samples))
               for i, c in enumerate(cands)]
    answer = next((c.value for c in results if c.p >= probability), None)
    required = np.array([next((float(cands[i]) for i in range(len(cands)) if meets[i, s]),
                              math.inf) for s in range(samples)])
    return UncertainResult(vary, probability, results, answer,
                           drivers_of(params, theta, required), required.tolist(),
                           batch.name, len(rows) * seeds)
