"""Studies of named variants through the batch store, over common seeds.

A study that compares options (before/after a change, barrier ratings, staffing cases) or
sweeps a model parameter names its *variants* (a scenario file plus ``--set`` overrides),
runs them as one batch with ``seeding = "common"`` (replication ``k`` has the same seed in
every variant: the same occupants, speeds and draws) and reads each variant's metrics
replication by replication, so that two variants can be compared as paired differences.
Runs are stored as they finish (:mod:`sim.batch.store`); running the same study again
against the same database only runs what is missing.

Paired statistics are not computed here. :func:`compare` is a thin adapter over the one
paired difference (:func:`sim.batch.paired.paired`, the mean of ``b − a`` per replication
with its two-sided t interval), and :class:`Comparison` carries the field names of its
record (``n``, ``dropped``, ``mean_a``, ``mean_b``, ``diff``, ``ci_lo``, ``ci_hi``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch.executors import Backend
from sim.batch.paired import paired
from sim.batch.runner import ProgressFn, run_batch
from sim.batch.spec import BatchSpec, Config
from sim.batch.store import Store

__all__ = ["Comparison", "Variant", "compare", "metric_values", "run_variants"]


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
    """Variant ``b`` against ``a`` on one metric over common seeds (``b − a``)."""

    n: int
    """Replications with a value on both sides."""
    dropped: int
    mean_a: float
    mean_b: float
    diff: float
    """Mean of ``b − a`` per replication."""
    ci_lo: float
    ci_hi: float
    """Two-sided 95 % t interval of ``diff`` (NaN with fewer than two pairs)."""


def compare(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> Comparison:
    """Paired comparison of ``b`` against ``a`` (replications missing either are dropped)."""
    d = paired(list(a), list(b))
    return Comparison(d.n, d.dropped, d.mean_a, d.mean_b, d.diff, d.ci_lo, d.ci_hi)
