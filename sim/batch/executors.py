"""Where runs execute: local processes or a Dask distributed cluster, one interface.

The runner (:mod:`sim.batch.runner`) only calls ``submit``, ``wait_any``, ``result``,
``reset`` and ``close``; both backends ship the same function
(:func:`sim.batch.worker.execute_run`) with the same arguments, so the Dask path and the
process path are one code path and give identical results.

Local processes use ``concurrent.futures.ProcessPoolExecutor`` with the ``forkserver``
start method (``spawn`` where it is missing): a clean interpreter per worker (no forked
threads or locks from the parent), and the forkserver preloads the engine once so new
workers start fast. Workers live for the whole batch by default, so each keeps its
layout/network cache warm; ``max_tasks_per_child`` recycles them (see ``bench/``).
A killed worker breaks a process pool: the in-flight runs come back as
:class:`WorkerLost`, the runner rebuilds the pool (:meth:`reset`) and resubmits them.

Dask workers must see the scenario and layout files at the same absolute paths (a
shared file system) and have the same SafeMall installed. Dask retries a task whose
worker died (``distributed.scheduler.allowed-failures``) and then raises
``KilledWorker``, which the runner records as a failed run.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import math
import multiprocessing as mp
import os
import time
from collections.abc import Iterable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from sim.batch.worker import RunOutcome, RunTask, execute_run, init_worker


class WorkerLost(Exception):
    """The worker running this task died (killed, out of memory); the task may be retried."""


class Backend(Protocol):
    """What the runner needs from an executor."""

    name: str

    @property
    def capacity(self) -> int:
        """Runs that can execute at once (the runner keeps about twice this in flight)."""
        ...

    def submit(self, task: RunTask) -> Any:
        """Start ``execute_run(task)``; return a future."""
        ...

    def wait_any(self, futures: Iterable[Any], timeout: float | None = None) -> set[Any]:
        """Block until at least one future is done (or ``timeout``); return the done ones."""
        ...

    def result(self, future: Any) -> RunOutcome:
        """The outcome, or :class:`WorkerLost`, or the infrastructure error."""
        ...

    def reset(self) -> bool:
        """Recover after :class:`WorkerLost`; true if a broken pool was rebuilt."""
        ...

    def close(self, *, cancel: bool = False) -> None:
        """Release workers; with ``cancel`` drop queued and running work."""
        ...


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _start_method(preferred: str | None) -> str:
    methods = mp.get_all_start_methods()
    if preferred:
        if preferred not in methods:
            raise ValueError(f"start method {preferred!r} not available here ({methods})")
        return preferred
    return "forkserver" if "forkserver" in methods else "spawn"


class LocalPool:
    """A local process pool (default: one worker per core)."""

    name = "processes"

    def __init__(self, workers: int | None = None, *, start_method: str | None = None,
                 max_tasks_per_child: int | None = None) -> None:
        self.workers = max(1, workers or default_workers())
        self.start_method = _start_method(start_method)
        self.max_tasks_per_child = max_tasks_per_child
        self._pool: cf.ProcessPoolExecutor | None = None

    @property
    def capacity(self) -> int:
        """Worker processes."""
        return self.workers

    def _ensure(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            ctx = mp.get_context(self.start_method)
            if self.start_method == "forkserver":
                ctx.set_forkserver_preload(["sim.batch.worker", "sim.run.runner"])
            kw: dict[str, Any] = {"initializer": init_worker, "initargs": (os.getpid(),)}
            if self.max_tasks_per_child:
                kw["max_tasks_per_child"] = self.max_tasks_per_child
            self._pool = cf.ProcessPoolExecutor(self.workers, mp_context=ctx, **kw)
        return self._pool

    def submit(self, task: RunTask) -> cf.Future[RunOutcome]:
        """Queue one run (on a new pool if the current one broke meanwhile)."""
        try:
            return self._ensure().submit(execute_run, task)
        except BrokenProcessPool:
            self.reset()
            return self._ensure().submit(execute_run, task)

    def wait_any(self, futures: Iterable[Any], timeout: float | None = None) -> set[Any]:
        """Futures done so far (at least one unless timed out)."""
        done, _ = cf.wait(list(futures), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return set(done)

    def result(self, future: Any) -> RunOutcome:
        """The outcome; :class:`WorkerLost` if the pool broke under it."""
        try:
            out: RunOutcome = future.result()
        except BrokenProcessPool as exc:
            raise WorkerLost(str(exc) or "a worker process died") from None
        except cf.CancelledError:
            raise WorkerLost("cancelled when the pool was rebuilt") from None
        return out

    def worker_pids(self) -> list[int]:
        """PIDs of the live worker processes (for tests and monitoring)."""
        procs = getattr(self._pool, "_processes", None) or {}
        return [int(p) for p in procs]

    def reset(self) -> bool:
        """Throw away the pool if it is broken; the next submit builds a new one.

        Futures of an already replaced pool also report :class:`WorkerLost`; a healthy
        current pool is kept (and false returned).
        """
        if self._pool is not None and getattr(self._pool, "_broken", False):
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            return True
        return False

    def close(self, *, cancel: bool = False) -> None:
        """Shut the pool down (waiting for running tasks unless ``cancel``)."""
        if self._pool is not None:
            if cancel:
                procs = list((getattr(self._pool, "_processes", None) or {}).values())
                self._pool.shutdown(wait=False, cancel_futures=True)
                for p in procs:  # do not leave runs computing for nobody
                    if p.is_alive():
                        p.terminate()
            else:
                self._pool.shutdown(wait=True)
            self._pool = None


class InlinePool:
    """Runs in the calling process, one at a time (``--workers 0``: debugging, tests)."""

    name = "inline"
    capacity = 1

    def submit(self, task: RunTask) -> cf.Future[RunOutcome]:
        """Run now; return a finished future."""
        fut: cf.Future[RunOutcome] = cf.Future()
        fut.set_result(execute_run(task))
        return fut

    def wait_any(self, futures: Iterable[Any], timeout: float | None = None) -> set[Any]:
        """Every future (they are all done)."""
        return set(futures)

    def result(self, future: Any) -> RunOutcome:
        """The outcome."""
        out: RunOutcome = future.result()
        return out

    def reset(self) -> bool:
        """Nothing to rebuild."""
        return False

    def close(self, *, cancel: bool = False) -> None:
        """Nothing to release."""


class DaskPool:
    """A Dask distributed cluster, given a scheduler address or a ``Client``.

    With ``tune_workers`` (the default) a worker plugin (:mod:`sim.batch.dask_tuning`)
    prepares each worker for SafeMall runs; it is what brings the Dask path within a few
    per cent of the process pool (``bench/RESULTS.md``).
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, *, client: Any = None,
                 tune_workers: bool = True) -> None:
        from distributed import Client

        if client is None and scheduler is None:
            raise ValueError("give a scheduler address or a client")
        self._own = client is None
        self.client = client if client is not None else Client(scheduler)
        self.address = str(getattr(self.client.scheduler, "address", scheduler))
        self._cap = (1, -math.inf)
        if tune_workers:
            # on every worker, now and joining later: import the engine, set the allocator
            # as the process pool does, stop the statistical profiler
            from sim.batch.dask_tuning import TuneWorker

            with contextlib.suppress(Exception):
                self.client.register_plugin(TuneWorker())

    @property
    def capacity(self) -> int:
        """Worker threads in the cluster (asked again every 5 s: clusters grow and shrink)."""
        n, t = self._cap
        if time.monotonic() - t > 5.0:
            # scheduler briefly unreachable: keep the last count
            with contextlib.suppress(Exception):
                n = max(1, sum(self.client.nthreads().values()))
            self._cap = (n, time.monotonic())
        return n

    def submit(self, task: RunTask) -> Any:
        """Queue one run on the cluster (``pure=False``: never deduplicated)."""
        return self.client.submit(execute_run, task, pure=False)

    def wait_any(self, futures: Iterable[Any], timeout: float | None = None) -> set[Any]:
        """Futures done so far (at least one unless timed out)."""
        from distributed import wait

        fs = list(futures)
        try:
            done, _ = wait(fs, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return {f for f in fs if f.done()}
        return set(done)

    def result(self, future: Any) -> RunOutcome:
        """The outcome (``KilledWorker`` and connection errors propagate)."""
        out: RunOutcome = future.result()
        future.release()
        return out

    def reset(self) -> bool:
        """Nothing to rebuild: the scheduler reschedules work of lost workers."""
        return False

    def close(self, *, cancel: bool = False) -> None:
        """Close our client (a cluster we did not start keeps running)."""
        if self._own:
            self.client.close()


def is_killed_worker(exc: BaseException) -> bool:
    """Whether ``exc`` is Dask's "this task killed its workers too often"."""
    return type(exc).__name__ == "KilledWorker"
