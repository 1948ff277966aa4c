"""Paired comparisons through the batch store: named variants, common seeds, differences.

A study that compares options (before/after a change, barrier ratings, staffing cases) or
sweeps a model parameter names its *variants* (a scenario file plus ``--set`` overrides),
runs them as one batch with ``seeding = "common"`` (replication ``k`` has the same seed in
every variant: the same occupants, speeds and draws) and compares them replication by
replication. Runs are stored as they finish (:mod:`sim.batch.store`); running the same
study again against the same database only runs what is missing.

Statistics: the mean of the per-replication differences ``b − a`` with the two-sided
95 % t interval (``sim.batch.stats.summarize``); two intervals *overlap* when neither lies
wholly above the other (used to mark ties).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch.executors import Backend
from sim.batch.runner import ProgressFn, run_batch
from sim.batch.spec import BatchSpec, Config
from sim.batch.stats import summarize
from sim.batch.store import Store

__all__ = ["Comparison", "Variant", "compare", "overlap", "run_variants"]


@dataclass(frozen=True)
class Variant:
    """One option of a study: a scenario file and the overrides that make it."""

    label: str
    scenario: str | Path
    overrides: tuple[str, ...] = ()


def run_variants(store: Store, backend: Backend, name: str, variants: Sequence[Variant], *,
                 replications: int, root_seed: int, description: str = "",
                 progress: ProgressFn | None = None) -> dict[str, list[dict[str, Any]]]:
    """Run (or complete) the study ``name``; metrics per variant label, by replication.

    Failed runs are ``{}`` in their place, so replication ``k`` stays aligned across
    variants. Raises ``ScenarioError`` if ``name`` is stored with other variants or
    another root seed (use another database or name).
    """
    labels = [v.label for v in variants]
    if len(set(labels)) != len(labels):
        raise ValueError(f"variant labels must be unique: {labels}")
    configs = tuple(
        Config(index=i, scenario_path=str(Path(v.scenario).resolve()),
               overrides=tuple(v.overrides), params={"config": v.label}, label=v.label)
        for i, v in enumerate(variants))
    spec = BatchSpec(name=name, source=str(Path(variants[0].scenario).resolve()),
                     description=description, configs=configs, replications=replications,
                     root_entropy=int(root_seed), seeding="common", until_ci=None,
                     raw={"variants": [[v.label, str(v.scenario), list(v.overrides)]
                                       for v in variants]})
    run_batch(spec, store, backend, resume=True, progress=progress)
    batch = store.batch(name)
    assert batch is not None
    label_of = {c.id: c.label for c in store.configs(batch.id)}
    out: dict[str, list[dict[str, Any]]] = {v.label: [{}] * replications for v in variants}
    for r in store.runs(batch_id=batch.id):
        lab = label_of[r.config_id]
        if lab in out and r.rep < replications:
            row = list(out[lab])
            row[r.rep] = r.metrics if r.status == "ok" and r.metrics else {}
            out[lab] = row
    return out


def metric_values(runs: Sequence[Mapping[str, Any]], metric: str | Callable[[Mapping[str, Any]],
                  float | None]) -> np.ndarray:
    """One metric of every run as floats (NaN where missing or not a number)."""
    xs = []
    for m in runs:
        v = metric(m) if callable(metric) else m.get(metric)
        xs.append(float(v) if isinstance(v, int | float) and not isinstance(v, bool)
                  else math.nan)
    return np.asarray(xs, dtype=float)


@dataclass(frozen=True)
class Comparison:
    """Variant ``b`` against ``a`` on one metric, over common seeds."""

    n: int
    mean_a: float
    mean_b: float
    ci_a: tuple[float, float]
    ci_b: tuple[float, float]
    diff: float
    """Mean of ``b − a`` per replication."""
    diff_ci: tuple[float, float]

    @property
    def significant(self) -> bool:
        """The difference's 95 % interval excludes 0."""
        return self.diff_ci[0] > 0 or self.diff_ci[1] < 0


def compare(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> Comparison:
    """Paired comparison: replications where either value is missing are left out."""
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if xa.shape != xb.shape:
        raise ValueError("paired samples need the same replications")
    ok = np.isfinite(xa) & np.isfinite(xb)
    sa, sb, sd = summarize(xa[ok]), summarize(xb[ok]), summarize(xb[ok] - xa[ok])
    return Comparison(int(ok.sum()), sa["mean"], sb["mean"], (sa["ci_lo"], sa["ci_hi"]),
                      (sb["ci_lo"], sb["ci_hi"]), sd["mean"], (sd["ci_lo"], sd["ci_hi"]))


def overlap(ci1: tuple[float, float], ci2: tuple[float, float]) -> bool:
    """True when two intervals share a point (a tie at their confidence level)."""
    return not (ci1[0] > ci2[1] or ci2[0] > ci1[1])
