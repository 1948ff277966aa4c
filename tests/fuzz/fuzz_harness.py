"""The fuzz suite's contract and its runner.

Every case either runs (exit 0; a run that ends with people inside only if it used all its
simulated time) or is refused with exit status 2 and one line on stderr (``error: ...``,
no traceback, no internal error, no out-of-memory), within :data:`TIME_LIMIT_S` seconds
and :data:`MEMORY_LIMIT_MB` of peak resident memory. Time is the CPU time of the process
running the case (the work the input causes; wall time on a machine shared with other
jobs says more about the neighbours); both are reported. Nothing else may appear on the
process's stderr (numpy or shapely warnings, C-level messages).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: Each case must be refused or done within this many seconds.
TIME_LIMIT_S = 5.0
#: ... and within this peak resident memory (MB) of the process running it.
MEMORY_LIMIT_MB = 2048.0
#: A case still running after this long is a hang (the worker is killed and restarted).
HANG_S = 30.0
#: Address-space cap of the worker (bytes): a runaway allocation fails there instead of
#: exhausting the machine; the suite reports such a case as a failure.
ADDRESS_SPACE = 12 * 1024**3


@dataclass
class Outcome:
    """What one case did."""

    target: str
    rc: int
    stderr: str
    stdout: str
    elapsed_s: float
    peak_mb: float
    fd_output: str = ""
    note: str = ""
    cpu_s: float = 0.0

    @property
    def kind(self) -> str:
        """``ran`` (exit 0), ``refused`` (exit 2), or another exit status."""
        return {0: "ran", 2: "refused"}.get(self.rc, f"exit {self.rc}")

    @property
    def error_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.strip()]


@dataclass
class Tally:
    """Outcomes of the whole session, for the summary table."""

    outcomes: list[Outcome] = field(default_factory=list)

    def table(self) -> str:
        by: dict[str, Counter[str]] = defaultdict(Counter)
        slow: dict[str, float] = defaultdict(float)
        wall: dict[str, float] = defaultdict(float)
        mem: dict[str, float] = defaultdict(float)
        for o in self.outcomes:
            by[o.target][o.kind] += 1
            slow[o.target] = max(slow[o.target], o.cpu_s)
            wall[o.target] = max(wall[o.target], o.elapsed_s)
            mem[o.target] = max(mem[o.target], o.peak_mb)
        kinds = sorted({k for c in by.values() for k in c}, key=lambda k: (k != "ran", k))
        head = ["target", "cases", *kinds, "slowest (CPU s)", "slowest (wall s)", "peak MB"]
        rows = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        for t in sorted(by):
            c = by[t]
            rows.append("| " + " | ".join([t, str(sum(c.values())),
                                            *(str(c.get(k, 0)) for k in kinds),
                                            f"{slow[t]:.2f}", f"{wall[t]:.2f}",
                                            f"{mem[t]:.0f}"]) + " |")
        total = Counter(o.kind for o in self.outcomes)
        rows.append("| " + " | ".join(
            ["all", str(len(self.outcomes)), *(str(total.get(k, 0)) for k in kinds),
             f"{max((o.cpu_s for o in self.outcomes), default=0):.2f}",
             f"{max((o.elapsed_s for o in self.outcomes), default=0):.2f}",
             f"{max((o.peak_mb for o in self.outcomes), default=0):.0f}"]) + " |")
        rows.append("")
        rows.append("slowest cases:")
        for o in sorted(self.outcomes, key=lambda o: -o.cpu_s)[:5]:
            first = (o.error_lines or [""])[-1][:160]
            rows.append(f"  {o.cpu_s:.2f} s CPU ({o.elapsed_s:.2f} s wall) {o.target} exit "
                        f"{o.rc} {o.note[:200]} {first}")
        return "\n".join(rows)


TALLY = Tally()


class Worker:
    """The process running the cases (:mod:`tests.fuzz.fuzz_worker`); restarted on a hang."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.reply_fd = -1

    def _start(self) -> None:
        r, w = os.pipe()
        env = dict(os.environ, PYTHONPATH=str(REPO), SDL_VIDEODRIVER="dummy",
                   MPLBACKEND="Agg")
        env.pop("SAFEMALL_DEBUG", None)
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("fuzz_worker.py")), str(w),
             str(ADDRESS_SPACE)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(w,), text=True, env=env, cwd=REPO)
        os.close(w)
        self.reply_fd = r
        self._buf = b""

    def run(self, argv: list[str], cwd: Path, target: str, note: str = "") -> Outcome:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd)}) + "\n")
        self.proc.stdin.flush()
        line = self._read_line(HANG_S + 60.0)  # the first case also imports everything
        if line is None:
            self.close()
            out = Outcome(target, -9, f"HANG: no answer within {HANG_S:g} s", "", HANG_S,
                          0.0, "", note, HANG_S)
        else:
            d = json.loads(line)
            out = Outcome(target, d["rc"], d["stderr"], d["stdout"], d["elapsed_s"],
                          d["peak_mb"], d["fd_output"], note, d["cpu_s"])
        TALLY.outcomes.append(out)
        return out

    def _read_line(self, timeout: float) -> str | None:
        import time

        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.reply_fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.reply_fd, 1 << 20)
            if not chunk:  # the worker died (killed by the kernel: out of memory)
                return None
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode("utf-8")

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.proc = None
        if self.reply_fd >= 0:
            os.close(self.reply_fd)
            self.reply_fd = -1


WORKER = Worker()


def check(o: Outcome, *, duration_s: float | None = None, batch: bool = False) -> None:
    """Assert the contract on one outcome (see module doc)."""
    where = (f"[{o.target}] exit {o.rc}, {o.cpu_s:.2f} s CPU ({o.elapsed_s:.2f} s wall), "
             f"{o.peak_mb:.0f} MB: {o.note[:300]} {o.stderr[:3000]!r}")
    assert o.rc in (0, 2), where
    assert o.cpu_s <= TIME_LIMIT_S, "too slow " + where
    assert o.peak_mb <= MEMORY_LIMIT_MB, "too much memory " + where
    assert o.fd_output.strip() == "", f"written to the terminal behind the CLI's back: " \
        f"{o.fd_output[:500]!r} {where}"
    lines = o.error_lines
    assert "Traceback" not in o.stderr and "Warning" not in o.stderr, where
    if o.rc == 2:
        assert lines, where
        last = lines[-1]
        assert last.startswith("error: "), where
        assert "internal error" not in last and "out of memory" not in last, where
        assert len(last) <= 2000, f"a {len(last):,}-character error line " + where[:3000]
        if not batch:  # a batch prints its header before a run can fail
            assert len(lines) == 1, where
    if o.rc == 0 and duration_s is not None and o.stdout.strip().startswith("{"):
        m = json.loads(o.stdout)
        stranded = m["occupants"] - m["evacuated"] - m["casualties"]
        assert stranded == m["inside"], where
        if stranded:  # people may stay inside only when the run used all its time
            assert m["t_end_s"] >= duration_s - 1e-6, \
                f"{stranded} people stranded at t = {m['t_end_s']} s of {duration_s} s " + where
