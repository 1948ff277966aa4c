"""What the batch-running commands share: the backend, the progress display, SIGTERM.

Used by ``safemall batch``, ``adequacy`` (with and without ``--uncertain``) and
``sensitivity``.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.errors import ScenarioError


def backend(workers: int | None, scheduler: str | None, start_method: str | None = None,
            max_tasks_per_child: int | None = None) -> Any:
    """The pool the runs go to: Dask (a scheduler address), inline (0 workers) or local."""
    from sim.batch.executors import DaskPool, InlinePool, LocalPool  # only when running

    if scheduler:
        try:
            return DaskPool(scheduler)
        except (OSError, TimeoutError, ValueError) as exc:  # unreachable, or not an address
            raise ScenarioError(f"cannot reach the Dask scheduler ({exc})",
                                field="--scheduler", source="<command line>") from None
    if workers == 0:
        return InlinePool()
    if workers is not None and workers < 0:
        raise ScenarioError(f"must be >= 0, got {workers}", field="--workers",
                            source="<command line>")
    if max_tasks_per_child is not None and max_tasks_per_child < 1:
        raise ScenarioError(f"must be >= 1, got {max_tasks_per_child}",
                            field="--max-tasks-per-child", source="<command line>")
    try:
        return LocalPool(workers, start_method=start_method,
                         max_tasks_per_child=max_tasks_per_child)
    except ValueError as exc:
        raise ScenarioError(str(exc), field="--start-method", source="<command line>") from None


@contextmanager
def progress_bar(title: str) -> Iterator[Callable[[int, int, int], None]]:
    """A rich bar (runs done, failures, time left) on a terminal; periodic lines otherwise."""
    console = Console(stderr=True)
    if console.is_terminal:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      MofNCompleteColumn(), TextColumn("runs"),
                      TextColumn("{task.fields[failed]} failed"),
                      TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                      console=console) as bar:
            task = bar.add_task(title, total=None, failed=0)
            first: list[int] = []

            def _tick(done: int, failed: int, total: int) -> None:
                if not first:
                    first.append(done)
                    bar.reset(task, total=total, completed=done, failed=failed)
                    return
                bar.update(task, completed=done, total=total, failed=failed)

            yield _tick
        return
    state = {"last": -1.0, "t0": time.perf_counter(), "start": -1}

    def _line(done: int, failed: int, total: int) -> None:
        if state["start"] < 0:
            state["start"] = done
        frac = done / total if total else 1.0
        if frac - state["last"] >= 0.1 or done == total:
            state["last"] = frac
            el = time.perf_counter() - state["t0"]
            new = done - state["start"]
            eta = f"{el / new * (total - done):.0f} s" if new > 0 else "?"
            print(f"{title}: {done}/{total} runs, {failed} failed, "
                  f"elapsed {el:.0f} s, ETA {eta}", file=sys.stderr, flush=True)

    yield _line


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so a terminated runner shuts its workers down cleanly."""
    def _handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, _handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)
