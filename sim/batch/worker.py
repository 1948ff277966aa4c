"""What a worker does with one run: read the scenario (once per worker), run it, summarise it.

:func:`execute_run` is the only function shipped to workers, local processes and Dask
workers alike. It never raises for a problem of the run itself (a bad override, an engine
error): it returns a ``failed`` outcome with the error text, so one bad run never stops a
batch. Inputs and outputs are small plain dataclasses; results are JSON-able.
"""

from __future__ import annotations

import ctypes
import math
import os
import select
import socket
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.io.scenario_files import InputCache
from sim.run.runner import run_scenario

#: Points in the stored evacuated-vs-time curve of each run.
CURVE_POINTS = 200


@dataclass(frozen=True)
class RunTask:
    """One run to do: which configuration, which replication, which seed."""

    batch_id: int
    config_id: int
    config_index: int
    rep: int
    scenario_path: str
    overrides: tuple[str, ...]
    seed_entropy: int
    spawn_key: tuple[int, ...]
    curve_points: int = CURVE_POINTS


@dataclass
class RunOutcome:
    """What came back: status ``ok`` or ``failed``, metrics, curve, error text."""

    status: str
    metrics: dict[str, Any] | None
    curve: dict[str, Any] | None
    error: str | None
    wall_s: float
    worker: str


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars/arrays, tuples and non-finite floats made JSON-safe."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def compact_curve(t_safe: np.ndarray, t_end_s: float, occupants: int,
                  points: int = CURVE_POINTS) -> dict[str, Any]:
    """Evacuated persons at ``points`` equally spaced times from 0 to ``t_end_s``.

    Stored per run so that reports can draw evacuation-curve bands without re-running;
    after ``t_end_s`` the count stays at its last value.
    """
    t_end = max(float(t_end_s), 1e-9)
    ts = np.linspace(0.0, t_end, points)
    done = np.sort(t_safe[np.isfinite(t_safe)])
    n = np.searchsorted(done, ts, side="right")
    return {"t_end_s": round(t_end, 3), "occupants": int(occupants),
            "evacuated": [int(x) for x in n]}


#: glibc ``mallopt`` parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def tune_process() -> bool:
    """Set the C allocator of a long-lived worker process for back-to-back runs.

    A run allocates and frees a few hundred MB. With glibc's defaults, or with the
    aggressive trimming Dask's nanny sets (``MALLOC_TRIM_THRESHOLD_=65536``, which also
    fixes the mmap threshold at 128 kB), that memory goes back to the kernel after every
    run and each run faults it in again: 4× the page faults and 5-10 % of a riverside
    run's time (measured, ``docs/batch-format.md``). Keeping up to 128 MB of freed heap
    and mapping only blocks over 32 MB separately removes nearly all of it. Returns false
    where the C library is not glibc (the setting is then left alone).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(_M_TRIM_THRESHOLD, 128 << 20) == 1
        return bool(ok and libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20) == 1)
    except (OSError, AttributeError):
        return False


#: This worker process's parsed inputs and networks, kept for its lifetime: every
#: replication of a configuration reuses its scenario, and every configuration of a
#: building its cell network.
INPUTS = InputCache()


def watch_parent(parent_pid: int, *, poll_s: float = 1.0) -> threading.Thread:
    """End this process when ``parent_pid`` (the batch runner) ends, however it ends.

    A pool worker blocks on its task queue forever if the runner is killed (``kill -9``
    leaves no one to close the queue), and it keeps the forkserver and the resource
    tracker alive with it. A daemon thread waits on a pidfd of the runner (Linux), else
    polls it every ``poll_s`` seconds, and exits the process at once when it is gone.
    """
    def _gone() -> bool:
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, another user's (cannot happen for our parent)
            return False
        return False

    def _watch() -> None:
        fd = -1
        try:
            fd = os.pidfd_open(parent_pid)
        except (AttributeError, OSError):
            fd = -1
        if fd >= 0:
            select.select([fd], [], [])  # readable when the process has ended
            os._exit(70)
        while not _gone():
            time.sleep(poll_s)
        os._exit(70)

    if _gone():
        os._exit(70)
    th = threading.Thread(target=_watch, name="watch-runner", daemon=True)
    th.start()
    return th


def init_worker(parent_pid: int) -> None:
    """Initializer of a local pool worker: allocator tuning, exit with the runner."""
    tune_process()
    watch_parent(parent_pid)


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def execute_run(task: RunTask) -> RunOutcome:
    """Run one replication; never raises for a problem of the run itself."""
    t0 = time.perf_counter()
    try:
        scn = INPUTS.scenario(task.scenario_path, task.overrides)
        seed = np.random.SeedSequence(task.seed_entropy, spawn_key=tuple(task.spawn_key))
        res = run_scenario(scn, seed=seed, network=INPUTS.network(scn))
        metrics = jsonable(res.metrics)
        curve = compact_curve(res.t_safe, float(res.metrics.get("t_end_s") or 0.0),
                              int(res.metrics.get("occupants") or 0), task.curve_points)
        return RunOutcome("ok", metrics, curve, None, time.perf_counter() - t0,
                          _worker_name())
    except Exception as exc:  # a failed run is data, not a crash of the batch
        tb = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-6)
        text = f"{type(exc).__name__}: {exc}\n{''.join(tb)}"
        return RunOutcome("failed", None, None, text[:8000], time.perf_counter() - t0,
                          _worker_name())
