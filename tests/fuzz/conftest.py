"""The fuzz suite's outcome table, printed at the end of the session (and written to
``$SAFEMALL_FUZZ_TABLE`` when set)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.fuzz.fuzz_harness import TALLY, WORKER


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    WORKER.close()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    if not TALLY.outcomes:
        return
    table = TALLY.table()
    terminalreporter.write_sep("-", f"fuzz suite: {len(TALLY.outcomes)} cases")
    terminalreporter.write_line(table)
    out = os.environ.get("SAFEMALL_FUZZ_TABLE")
    if out:
        Path(out).write_text(table + "\n", encoding="utf-8")
