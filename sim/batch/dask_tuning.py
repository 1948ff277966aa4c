"""A Dask worker plugin that prepares workers for SafeMall runs.

Registered by :class:`sim.batch.executors.DaskPool` on every worker of the cluster (also
on workers that join later). On each worker it:

- imports the engine once, not inside the first run;
- sets the C allocator as the local process pool does
  (:func:`sim.batch.worker.tune_process`): Dask's nanny starts workers with aggressive
  trimming that makes every run fault its memory in again;
- stops the worker's statistical profiler. It samples the stack of the thread running
  the simulation every 10 ms, and a run's deep generator stacks make that cost 5-8 % of
  the run's time on a 2-core machine (measured with ``bench/bench_batch.py``). The
  dashboard's Profile page stays empty for these workers; restart a worker to get it
  back.
"""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

import sim.run.runner  # noqa: F401  (imported with the plugin: preloads the engine)
from sim.batch.worker import tune_process


class TuneWorker(WorkerPlugin):
    """See the module docstring."""

    name = "safemall-tune-worker"

    def setup(self, worker: Any) -> None:
        """Run once on each worker."""
        tune_process()
        for key in ("profile", "profile-cycle"):
            pc = worker.periodic_callbacks.get(key)
            if pc is not None:
                pc.stop()
