"""Run ``safemall`` as people do: in a terminal (a pseudo-terminal, so progress bars are
on), piped, or in this process (fast, for one-line error checks)."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
#: The console script of the environment running the tests.
SAFEMALL = str(Path(sys.executable).with_name("safemall"))


@dataclass
class Ran:
    """What a command did: exit status, and its output (a pty merges stdout and stderr)."""

    rc: int
    out: str
    err: str = ""

    @property
    def plain(self) -> str:
        """The output without terminal escape sequences (colours, cursor moves)."""
        return _ANSI.sub("", self.out).replace("\r", "\n")

    @property
    def error_lines(self) -> list[str]:
        """The non-empty lines of stderr."""
        return [ln for ln in self.err.splitlines() if ln.strip()]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"SDL_VIDEODRIVER": "dummy", "MPLBACKEND": "Agg", "COLUMNS": "120",
                "TERM": env.get("TERM", "xterm-256color") or "xterm-256color"})
    env.pop("SAFEMALL_DEBUG", None)
    env.update(extra or {})
    return env


def run_pty(cmd: list[str] | str, *, cwd: Path = REPO, timeout: float = 300.0,
            env: dict[str, str] | None = None) -> Ran:
    """Run ``cmd`` (a list, or a shell command line) with stdin, stdout and stderr on a
    pseudo-terminal 120 columns wide; return its status and everything it printed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    shell = isinstance(cmd, str)
    proc = subprocess.Popen(cmd if not shell else ["bash", "-c", cmd], cwd=cwd,
                            stdin=slave, stdout=slave, stderr=slave, env=_env(env),
                            start_new_session=True, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise TimeoutError(f"{cmd!r} ran longer than {timeout:g} s; printed: "
                                   f"{b''.join(chunks)[-2000:].decode(errors='replace')}")
            ready, _, _ = select.select([master], [], [], min(left, 1.0))
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every writer closed the terminal
                    data = b""
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                # drained after exit (a grandchild may still hold the terminal)
                with contextlib.suppress(OSError):
                    while select.select([master], [], [], 0.2)[0]:
                        data = os.read(master, 65536)
                        if not data:
                            break
                        chunks.append(data)
                break
    finally:
        os.close(master)
    rc = proc.wait(timeout=30)
    return Ran(rc, b"".join(chunks).decode("utf-8", errors="replace").replace("\r\n", "\n"))


def run_piped(args: list[str], *, cwd: Path = REPO, timeout: float = 300.0,
              env: dict[str, str] | None = None, stdin: str = "") -> Ran:
    """Run ``safemall ARGS`` with stdout and stderr piped (no terminal)."""
    r = subprocess.run([SAFEMALL, *args], cwd=cwd, capture_output=True, text=True,
                       timeout=timeout, env=_env(env), input=stdin)
    return Ran(r.returncode, r.stdout, r.stderr)


def run_here(args: list[str], *, cwd: Path | None = None) -> Ran:
    """Run ``safemall ARGS`` in this process (fast); stdout and stderr captured."""
    from sim.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(list(args))
    finally:
        os.chdir(old)
    return Ran(rc, out.getvalue(), err.getvalue())


def assert_one_line_error(r: Ran, *parts: str) -> str:
    """Exit status 2 and exactly one line on stderr, ``error: ...``, naming ``parts``."""
    lines = r.error_lines
    assert r.rc == 2, f"exit {r.rc}, stderr: {r.err[-1500:]!r}"
    assert len(lines) == 1, f"{len(lines)} lines on stderr: {r.err[-1500:]!r}"
    line = lines[0]
    assert line.startswith("error: "), line
    assert "Traceback" not in r.err and "internal error" not in line, line
    for p in parts:
        assert p in line, f"{p!r} not in {line!r}"
    return line
