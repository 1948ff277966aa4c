"""Running a batch: plan the missing runs, feed a backend, store each result at once.

The same loop serves local processes and Dask (:mod:`sim.batch.executors`) and both
``safemall batch`` and ``safemall adequacy``. It keeps about two runs per worker in
flight, writes every finished run to the database the moment it arrives, and asks the
:class:`Plan` for more work.

The plan is rebuilt from the database, so resuming after a crash runs exactly what is
missing. Runs are issued replication-major (replication 0 of every configuration, then
replication 1, ...), so a partial batch already covers every configuration.

Sequential stopping (``until_ci``): a configuration first gets ``replications`` runs;
when all of a stage are stored, the relative half-width of the 95% CI of the watched
metric is computed from exactly those runs; if it is above the target, the next stage
extends the configuration to ``ceil(n·(h/target)²)`` runs (Stein's two-stage estimate),
at least one more and at most twice as many, never beyond ``max_replications``.
Decisions depend only on stored results, so a resumed or repeated batch takes the same
decisions and ends with the same runs.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.batch.executors import Backend, WorkerLost, is_killed_worker
from sim.batch.seeds import spawn_key
from sim.batch.spec import BatchSpec, UntilCI, file_sha256
from sim.batch.stats import ci_relative_halfwidth
from sim.batch.store import BatchRow, ConfigRow, Store, spec_record
from sim.batch.worker import RunOutcome, RunTask
from sim.engine.metrics import metric_value
from sim.errors import ScenarioError

#: ``progress(done, failed, total)``; ``done`` counts stored runs including earlier ones.
ProgressFn = Callable[[int, int, int], None]

#: A run whose worker died this many times is recorded as failed. After its first loss a
#: run is retried *alone* (nothing else in flight), so the second loss proves it is the
#: run that kills its worker, not a neighbour.
MAX_WORKER_LOSSES = 2

#: Pool rebuilds in a row without a successful run before the batch gives up (workers
#: that cannot start, a machine out of memory): an infrastructure problem, not data.
MAX_REBUILDS_IN_A_ROW = 4


@dataclass
class _ConfState:
    row: ConfigRow
    target: int
    done: dict[int, float | None] = field(default_factory=dict)
    """rep → watched metric value (None if failed or missing)."""
    issued: set[int] = field(default_factory=set)
    stopped: bool = False


class Plan:
    """Which runs remain: per configuration a target count, replication-major order."""

    def __init__(self, batch: BatchRow, configs: Sequence[ConfigRow],
                 targets: dict[int, int], store: Store, *,
                 until_ci: UntilCI | None = None) -> None:
        self.batch = batch
        self.until_ci = until_ci
        self.states = {c.id: _ConfState(c, targets[c.id]) for c in configs}
        self._heap: list[tuple[int, int, int]] = []
        for r in store.runs(config_ids=list(self.states)):
            st = self.states[r.config_id]
            st.done[r.rep] = self._value(r.status, r.metrics)
            st.issued.add(r.rep)
        for st in self.states.values():
            self._advance(st)
            self._push_missing(st)

    def _value(self, status: str, metrics: dict[str, Any] | None) -> float | None:
        if self.until_ci is None or status != "ok" or not metrics:
            return None
        v = metric_value(metrics, self.until_ci.metric)
        return None if math.isnan(v) else v

    def _advance(self, st: _ConfState) -> None:
        """Apply the stopping rule to every complete stage (replays past decisions)."""
        uc = self.until_ci
        if uc is None:
            return
        while not st.stopped and all(r in st.done for r in range(st.target)):
            vals = [st.done[r] for r in range(st.target)]
            h = ci_relative_halfwidth(vals)
            if h <= uc.rel or st.target >= uc.max_replications:
                st.stopped = True
                return
            want = st.target * (h / uc.rel) ** 2 if math.isfinite(h) else 2 * st.target
            st.target = int(min(uc.max_replications, 2 * st.target,
                                max(st.target + 1, math.ceil(want))))

    def _push_missing(self, st: _ConfState) -> None:
        for rep in range(st.target):
            if rep not in st.issued:
                heapq.heappush(self._heap, (rep, st.row.index, st.row.id))
                st.issued.add(rep)

    @property
    def total(self) -> int:
        """Runs the plan currently expects (grows under sequential stopping)."""
        return sum(max(st.target, len(st.done)) for st in self.states.values())

    @property
    def stored(self) -> int:
        """Runs already stored."""
        return sum(len(st.done) for st in self.states.values())

    @property
    def has_ready(self) -> bool:
        """Whether a run is waiting to be started."""
        return bool(self._heap)

    def next_task(self) -> RunTask | None:
        """The next run to start, or ``None`` if nothing is ready now."""
        if not self._heap:
            return None
        rep, _, cid = heapq.heappop(self._heap)
        row = self.states[cid].row
        seeding: Any = self.batch.seeding
        return RunTask(batch_id=self.batch.id, config_id=cid, config_index=row.index,
                       rep=rep, scenario_path=row.scenario_path, overrides=row.overrides,
                       seed_entropy=self.batch.root_entropy,
                       spawn_key=spawn_key(row.index, rep, seeding))

    def requeue(self, task: RunTask) -> None:
        """Put a run back (its worker died)."""
        heapq.heappush(self._heap, (task.rep, task.config_index, task.config_id))

    def record(self, task: RunTask, outcome: RunOutcome) -> None:
        """A run was stored; maybe extend its configuration."""
        st = self.states[task.config_id]
        st.done[task.rep] = self._value(outcome.status, outcome.metrics)
        self._advance(st)
        self._push_missing(st)

    def check_metric(self) -> bool:
        """Fail early if the watched metric is absent from every stored run.

        Returns true once the check has been made (after two runs per configuration).
        """
        uc = self.until_ci
        if uc is None:
            return True
        if self.stored < 2 * len(self.states):
            return False
        if all(v is None for st in self.states.values() for v in st.done.values()):
            raise ScenarioError(f"no run reports metric {uc.metric!r}",
                                field="until_ci.metric")
        return True


@dataclass
class RunSummary:
    """What one call of :func:`execute` did."""

    batch: str
    backend: str
    ran: int = 0
    failed: int = 0
    stored: int = 0
    total: int = 0
    requeued: int = 0
    elapsed_s: float = 0.0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class RunFailed(ScenarioError):
    """A run of the batch failed and the batch stopped (no ``keep_going``)."""


#: Seconds between checks on runs other runners have claimed, and between heartbeats.
CLAIM_POLL_S = 1.0


def _first_line(text: str | None) -> str:
    lines = (text or "").splitlines()[:1]
    return lines[0] if lines else "?"


def execute(store: Store, batch: BatchRow, configs: Sequence[ConfigRow],
            targets: dict[int, int], backend: Backend, *, until_ci: UntilCI | None = None,
            progress: ProgressFn | None = None, max_runs: int | None = None,
            keep_going: bool = True) -> RunSummary:
    """Run every missing run of ``configs`` up to ``targets`` (config id → count).

    Each run is claimed in the database before it starts, so several runners on one
    database (two ``--resume`` sessions) share the work: a run another live runner has
    claimed is not started again, and is waited for at the end (taken over if that
    runner dies).

    Parameters
    ----------
    max_runs : int, optional
        Stop after starting this many runs (for tests and smoke checks).
    keep_going : bool
        Record failed runs and go on (default); if false, the first failed run stops the
        batch with :class:`RunFailed` carrying its one-line error.
    """
    t0 = time.perf_counter()
    plan = Plan(batch, configs, targets, store, until_ci=until_ci)
    summary = RunSummary(batch=batch.name, backend=backend.name)
    inflight: dict[Any, RunTask] = {}
    losses: dict[tuple[int, int], int] = {}
    started = 0
    suspect: RunTask | None = None
    rebuilds = 0
    metric_checked = False
    failed_total = store.counts(batch.id)[1]
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    elsewhere: list[RunTask] = []  # claimed by another live runner
    last_beat = time.monotonic()

    def _report() -> None:
        if progress is not None:
            progress(plan.stored, failed_total, plan.total)

    def _check_elsewhere() -> None:
        """Record runs other runners stored; take over those whose runner died."""
        keep: list[RunTask] = []
        for task in elsewhere:
            state = store.claim(task.config_id, task.rep, owner)
            if state == "stored":
                outcome = store.stored_outcome(task.config_id, task.rep)
                if outcome is not None:
                    plan.record(task, outcome)
            elif state == "mine":
                plan.requeue(task)
            else:
                keep.append(task)
        elsewhere[:] = keep

    _report()
    try:
        while True:
            if time.monotonic() - last_beat > CLAIM_POLL_S:
                store.heartbeat(owner)
                last_beat = time.monotonic()
            cap = 2 * backend.capacity
            while (suspect is None and len(inflight) < cap
                   and (max_runs is None or started < max_runs)):
                task = plan.next_task()
                if task is None:
                    break
                state = store.claim(task.config_id, task.rep, owner)
                if state != "mine":
                    if state == "taken":
                        elsewhere.append(task)
                    else:
                        outcome = store.stored_outcome(task.config_id, task.rep)
                        if outcome is not None:
                            plan.record(task, outcome)
                    continue
                if losses.get((task.config_id, task.rep)):
                    if inflight:  # retry it alone once the others are done
                        plan.requeue(task)
                        break
                    suspect = task
                inflight[backend.submit(task)] = task
                started += 1
            if not inflight:
                if elsewhere and (max_runs is None or started < max_runs):
                    _check_elsewhere()
                    if elsewhere and not plan.has_ready:
                        _report()
                        time.sleep(CLAIM_POLL_S)
                    continue
                break
            if elsewhere:
                _check_elsewhere()
            for fut in backend.wait_any(inflight):
                task = inflight.pop(fut)
                if task is suspect:
                    suspect = None
                try:
                    outcome = backend.result(fut)
                except WorkerLost as exc:
                    key = (task.config_id, task.rep)
                    losses[key] = losses.get(key, 0) + 1
                    if backend.reset():
                        rebuilds += 1
                        if rebuilds >= MAX_REBUILDS_IN_A_ROW:
                            raise RuntimeError(
                                f"worker processes died {rebuilds} times in a row without "
                                f"finishing a run ({exc}); stored runs are kept, fix the "
                                "cause and resume") from None
                    if losses[key] < MAX_WORKER_LOSSES:
                        plan.requeue(task)
                        summary.requeued += 1
                        continue
                    outcome = RunOutcome("failed", None, None,
                                         f"WorkerLost: the worker died {losses[key]} times "
                                         f"running this run, the last time alone ({exc})",
                                         0.0, "")
                except Exception as exc:
                    if not is_killed_worker(exc):
                        raise
                    outcome = RunOutcome("failed", None, None,
                                         f"KilledWorker: {exc}", 0.0, "")
                if outcome.status == "ok":
                    rebuilds = 0
                if store.write_run(task, outcome) is not None:
                    summary.ran += 1
                    if outcome.status == "failed":
                        summary.failed += 1
                        failed_total += 1
                        if len(summary.failures) < 20:
                            summary.failures.append(
                                f"config {task.config_index} rep {task.rep}: "
                                f"{_first_line(outcome.error)}")
                        if not keep_going:
                            raise RunFailed(
                                f"run {task.rep} of configuration {task.config_index} "
                                f"failed: {_first_line(outcome.error)} (stored; the batch "
                                "stopped: fix the input, or pass --keep-going)",
                                source=str(store.path))
                plan.record(task, outcome)
                _report()
            if not metric_checked:
                metric_checked = plan.check_metric()
    except BaseException:
        for fut in inflight:  # queued work is pointless now (running work is ended below)
            fut.cancel()
        backend.close(cancel=True)
        inflight.clear()
        with contextlib.suppress(Exception):
            store.release_claims(owner)
        raise
    store.release_claims(owner)
    summary.stored = plan.stored
    summary.total = plan.total
    summary.elapsed_s = time.perf_counter() - t0
    return summary


def run_batch(spec: BatchSpec, store: Store, backend: Backend, *, resume: bool = False,
              retry_failed: bool = False, progress: ProgressFn | None = None,
              max_runs: int | None = None, keep_going: bool = True) -> RunSummary:
    """Store the batch and its configurations, then run whatever is missing.

    Raises
    ------
    ScenarioError
        The database already holds this batch and ``resume`` is false, or the stored
        batch has another root seed, seeding or configurations.
    """
    batch = store.open_batch(
        name=spec.name, kind="batch", source=spec.source, description=spec.description,
        root_entropy=spec.root_entropy, seeding=spec.seeding,
        replications=spec.replications,
        until_ci=spec.until_ci.model_dump() if spec.until_ci else None,
        spec=spec_record(spec), resume=resume)
    rows = store.add_configs(batch, spec.configs)
    changed = sorted({r.scenario_path for r in rows if r.scenario_sha256
                      and file_sha256(r.scenario_path) != r.scenario_sha256})
    if retry_failed:
        store.delete_failed(batch.id)
    targets = {r.id: spec.replications for r in rows}
    summary = execute(store, batch, rows, targets, backend, until_ci=spec.until_ci,
                      progress=progress, max_runs=max_runs, keep_going=keep_going)
    summary.warnings += [f"{p} changed since the batch was first stored; runs of this "
                         "session used the new file" for p in changed]
    return summary
