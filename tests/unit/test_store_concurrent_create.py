"""Runners that open the same new batch database at once all get a SafeMall database.

Before the check and the schema were one write transaction, a runner could see the tables
another runner had only half created and refuse the file as "not a SafeMall batch
database" (about 1 open in 10 with six at once on two cores).
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path
from typing import Any

from sim.batch.store import Store


def _open(path: str, barrier: Any, out: Any) -> None:
    barrier.wait()
    try:
        Store(path).close()
        out.put("")
    except Exception as exc:
        out.put(repr(exc))


def test_six_runners_create_one_database_together(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    errors = []
    for k in range(20):
        path = str(tmp_path / f"c{k}.db")
        barrier, out = ctx.Barrier(6), ctx.Queue()
        procs = [ctx.Process(target=_open, args=(path, barrier, out)) for _ in range(6)]
        for p in procs:
            p.start()
        errors += [e for e in (out.get(timeout=60) for _ in procs) if e]
        for p in procs:
            p.join()
    assert errors == []
