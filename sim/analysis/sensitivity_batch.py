"""Sensitivity studies through the batch store: every design point is a configuration.

Configuration 0 is the base point (every assumption at its default), run over
``base_seeds`` seeds; configuration ``i + 1`` is design point ``i``, its assumptions set
by ``assumptions.<key>=<value>`` overrides, run over ``seeds`` seeds. Seeding is
``common``: replication ``r`` of every point has the same seed (common random numbers),
so differences between points come from the parameters, not from the draws. Because
every run is a stored batch row, a killed study resumes where it stopped (``--resume``),
a larger design of the same study (more trajectories, a larger Sobol sample, more seeds)
runs only what it adds (:func:`study_name`), and any run can be re-run alone
(``safemall run --from-batch DB RUN_ID``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sim.analysis.sensitivity import Design
from sim.batch.executors import Backend
from sim.batch.runner import ProgressFn, RunSummary, execute
from sim.batch.spec import Config, override
from sim.batch.store import BatchRow, ConfigRow, Store
from sim.engine.metrics import metric_value


def study_configs(scenario: Path, design: Design, sets: Sequence[str]) -> list[Config]:
    """The base configuration and one per design point."""
    path = str(scenario.resolve())
    out = [Config(index=0, scenario_path=path, overrides=tuple(sets), params={"point": "base"},
                  label="base")]
    for i, row in enumerate(design.values):
        ovr = tuple(override(f"assumptions.{a.key}", int(v) if a.integer else float(v))
                    for a, v in zip(design.params, row, strict=True))
        out.append(Config(index=i + 1, scenario_path=path, overrides=(*sets, *ovr),
                          params={"point": i, **{a.key: float(v) for a, v in
                                                 zip(design.params, row, strict=True)}},
                          label=f"point {i}"))
    return out


def study_name(scenario: Path, design: Design, sets: Sequence[str], root_seed: int) -> str:
    """The study's name in the store: the same for designs that differ only in their size
    (Morris trajectories, Sobol base sample) or seeds, since their runs nest.

    SALib's designs are extensible with a fixed seed (the first ``r`` trajectories of a
    Morris design of ``2r`` are the design of ``r``; the Sobol' sequence's first points are
    the smaller sample), configuration ``i`` is design point ``i - 1`` and seeding is
    common, so a larger study repeats every run of a smaller one: ``--resume`` extends a
    stored study and runs only the new points and seeds, and a smaller one is analysed
    from stored runs.
    """
    ident = json.dumps([str(scenario.resolve()), design.method, design.keys, design.seed,
                        design.levels, list(sets), root_seed])
    return f"sensitivity:{scenario.stem}:{design.method}:" \
           f"{hashlib.sha256(ident.encode()).hexdigest()[:8]}"


def run_study(store: Store, backend: Backend, scenario: Path, design: Design, *,
              seeds: int, base_seeds: int, sets: Sequence[str] = (), root_seed: int = 0,
              resume: bool = False, missing: float | None = None,
              progress: ProgressFn | None = None
              ) -> tuple[BatchRow, list[ConfigRow], RunSummary]:
    """Store the study's configurations and run whatever is missing (``missing``, the value
    a run not reporting a metric counts as, is recorded for re-analysis)."""
    name = study_name(scenario, design, sets, root_seed)
    batch = store.open_batch(
        name=name, kind="sensitivity", source=str(scenario.resolve()),
        description=f"{design.method} sensitivity over {len(design.params)} assumptions",
        root_entropy=root_seed, seeding="common", replications=seeds, until_ci=None,
        spec={"scenario": str(scenario.resolve()), "method": design.method,
              "params": design.keys, "points": len(design.unit), "design_seed": design.seed,
              "levels": design.levels, "seeds": seeds, "base_seeds": base_seeds,
              "set": list(sets), "missing": missing},
        resume=resume)
    rows = store.add_configs(batch, study_configs(scenario, design, sets))
    targets = {r.id: (base_seeds if r.index == 0 else seeds) for r in rows}
    summary = execute(store, batch, rows, targets, backend, progress=progress)
    return batch, rows, summary


def collect(store: Store, rows: Sequence[ConfigRow], metric: str, seeds: int,
            base_seeds: int, *, missing: float | None = None
            ) -> tuple[np.ndarray, np.ndarray, int]:
    """``(y, base, filled)``: points × seeds values of ``metric``, the base point's values,
    and how many finished runs did not report the metric and count as ``missing``
    (without ``missing`` they stay NaN; failed runs always do)."""
    by_id = {r.id: r.index for r in rows}
    n_points = max(by_id.values())
    y = np.full((n_points, seeds), math.nan)
    base = np.full(base_seeds, math.nan)
    filled = 0
    for run in store.runs(config_ids=list(by_id)):
        i = by_id[run.config_id]
        if run.rep >= (base_seeds if i == 0 else seeds):
            continue
        v = metric_value(run.metrics if run.status == "ok" else None, metric)
        if math.isnan(v) and missing is not None and run.status == "ok":
            v, filled = missing, filled + 1
        if i == 0:
            base[run.rep] = v
        else:
            y[i - 1, run.rep] = v
    return y, base, filled
