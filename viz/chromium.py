"""Headless Chromium: the report's PDF and screenshots of its pages.

Chromium is found as ``$SAFEMALL_CHROMIUM``, else ``chromium``, ``chromium-browser``,
``google-chrome`` on the ``PATH`` (Debian: ``apt-get install chromium``; the project's
``.ci/run`` installs it when absent). It always runs with a fresh profile and without
anything that reaches the network::

    --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir=<a new temporary folder>
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Final

ENV: Final = "SAFEMALL_CHROMIUM"
NAMES: Final = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS: Final = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars")


def find_chromium() -> str | None:
    """The Chromium executable, or None."""
    env = os.environ.get(ENV)
    if env and Path(env).is_file():
        return env
    for n in NAMES:
        p = shutil.which(n)
        if p:
            return p
    return None


def run(args: list[str], *, timeout: float = 180.0) -> subprocess.CompletedProcess[str]:
    """Chromium with :data:`FLAGS`, a fresh profile and ``args`` (raises if absent)."""
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("chromium not found (apt-get install chromium, or set "
                                f"{ENV})")
    with tempfile.TemporaryDirectory(prefix="safemall-chromium-") as profile:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args],  # noqa: S603
                              capture_output=True, text=True, timeout=timeout, check=False)


def print_pdf(html: Path, pdf: Path, *, timeout: float = 300.0) -> Path:
    """Print ``html`` to ``pdf`` (A4, from the page's ``@page`` rule, no header/footer)."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    if pdf.exists():
        pdf.unlink()
    proc = run(["--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                "--virtual-time-budget=10000", f"--print-to-pdf={pdf.resolve()}",
                html.resolve().as_uri()], timeout=timeout)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no PDF: {proc.stderr.strip()[-500:]}")
    return pdf


def screenshot(html: Path, png: Path, *, width: int = 1240, height: int = 1754,
               timeout: float = 180.0) -> Path:
    """A ``width`` × ``height`` screenshot of the top of ``html`` (default: an A4 page at
    150 dpi)."""
    png.parent.mkdir(parents=True, exist_ok=True)
    if png.exists():
        png.unlink()
    proc = run([f"--window-size={width},{height}", "--virtual-time-budget=10000",
                f"--screenshot={png.resolve()}", html.resolve().as_uri()], timeout=timeout)
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot: {proc.stderr.strip()[-500:]}")
    return png


def dump_dom(html: Path, *, timeout: float = 180.0) -> str:
    """The page's DOM after loading and running its scripts."""
    proc = run(["--virtual-time-budget=10000", "--dump-dom", html.resolve().as_uri()],
               timeout=timeout)
    return proc.stdout
