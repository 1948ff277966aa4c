"""A long-lived process that runs ``safemall`` commands for the fuzz suite, one at a time.

Reads one JSON case per line on stdin (``argv``, ``cwd``), runs ``sim.cli.main.main`` in
this process (no interpreter start per case), and writes one JSON line per case on the
file descriptor given as the first argument: exit status, stdout, stderr (Python-level and
anything written to file descriptors 1 and 2), wall and CPU time, and the peak resident
memory of the case (the kernel's high-water mark, reset before each case). The address space is
capped (second argument, bytes) so that a runaway input cannot take the machine down; the
suite fails any case that comes near it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import sys
import tempfile
import time


def _hwm_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0  # pragma: no cover - not Linux


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:  # pragma: no cover - old kernel or no permission
        return False


def main() -> None:
    out_fd, limit = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["MPLBACKEND"] = "Agg"
    import viz.plots  # noqa: F401 - imported once, not timed in the first case
    from sim.cli.main import main as cli

    reply = os.fdopen(out_fd, "w", buffering=1)
    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile() as sink:
        for line in sys.stdin:
            case = json.loads(line)
            out, err = io.StringIO(), io.StringIO()
            sink.seek(0)
            sink.truncate()
            os.chdir(case["cwd"])
            exact = _reset_hwm()
            t0, c0 = time.perf_counter(), time.process_time()
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    try:
                        rc = cli(list(case["argv"]))
                    except SystemExit as exc:
                        rc = exc.code if isinstance(exc.code, int) else 1
                    except BaseException as exc:  # the CLI let something escape: a finding
                        rc = 99
                        err.write(f"UNCAUGHT {type(exc).__name__}: {exc}\n")
            finally:
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            sink.seek(0)
            raw = sink.read().decode("utf-8", errors="replace")
            reply.write(json.dumps({
                "rc": rc, "stdout": out.getvalue()[-200_000:], "stderr": err.getvalue()[:20_000],
                "fd_output": raw[-5000:], "elapsed_s": elapsed, "cpu_s": cpu,
                "peak_mb": _hwm_kb() / 1024.0, "peak_exact": exact}) + "\n")


if __name__ == "__main__":
    main()
