"""Scenario batches: sweeps × replications on local processes or Dask, stored in SQLite.

A batch file (``schema = "safemall/batch/1"``, ``docs/batch-format.md``) expands into
configurations (:mod:`sim.batch.spec`); every (configuration, replication) gets a child
seed by index (:mod:`sim.batch.seeds`); the runner (:mod:`sim.batch.runner`) ships runs
to a backend (:mod:`sim.batch.executors`) and commits each result to the database
(:mod:`sim.batch.store`) as it arrives; reports (:mod:`sim.batch.report`) and adequacy
searches (:mod:`sim.batch.adequacy`) read it back.
"""

from sim.batch.adequacy import AdequacyResult, Target, find_adequate, parse_target
from sim.batch.executors import DaskPool, LocalPool
from sim.batch.runner import RunSummary, execute, run_batch
from sim.batch.seeds import run_seed, spawn_key
from sim.batch.spec import BatchSpec, Config, UntilCI, load_batch
from sim.batch.store import RunSpec, Store, load_run_spec

__all__ = [
    "AdequacyResult", "BatchSpec", "Config", "DaskPool", "LocalPool", "RunSpec",
    "RunSummary", "Store", "Target", "UntilCI", "execute", "find_adequate", "load_batch",
    "load_run_spec", "parse_target", "run_batch", "run_seed", "spawn_key",
]
