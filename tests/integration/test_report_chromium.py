"""The HTML report renders in headless Chromium and shows the verdict and the clause table.

Needs ``/usr/bin/chromium`` (CI: ``apt-get install -y chromium``); skipped otherwise.
Set ``SAFEMALL_KEEP_SCREENSHOT=1`` to copy the screenshot to ``docs/img/report.png``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from sim.cli import check_cmd
from sim.cli import main as cli

ROOT = Path(__file__).parents[2]
CHROMIUM = Path("/usr/bin/chromium")


class _Report(HTMLParser):
    """Collects the verdict, clause rows, target rows and images of a report."""

    def __init__(self) -> None:
        super().__init__()
        self.verdict: str | None = None
        self.rows: dict[str, str] = {}
        self.targets: list[str] = []
        self.images: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id") == "verdict":
            self.verdict = a.get("data-verdict")
        if tag == "tr" and a.get("data-clause"):
            self.rows[a["data-clause"] or ""] = a.get("data-status") or ""
        if tag == "tr" and a.get("data-target"):
            self.targets.append(a["data-target"] or "")
        if tag == "img":
            self.images.append(a.get("src") or "")
        for key in ("href", "src"):
            v = a.get(key) or ""
            if v and not v.startswith(("data:", "#")):
                self.external.append(v)
        if tag in ("script", "link"):
            self.external.append(tag)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("report")
    out = tmp / "report.html"
    scen = tmp / "scenarios"  # only the drill, to stay quick
    scen.mkdir()
    src = (ROOT / "scenarios" / "drill_compact.toml").read_text(encoding="utf-8")
    (scen / "drill_compact.toml").write_text(src.replace('"../layouts/', f'"{ROOT}/layouts/'),
                                             encoding="utf-8")
    check_cmd.register(cli.app)
    code = cli.main(["check", str(ROOT / "layouts/compact/security-understaffed.toml"),
                     "--report", str(out), "--dynamic", "--replications", "4",
                     "--workers", "1", "--scenarios", str(scen)])
    assert code == 1
    return out, json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))


def test_html_holds_verdict_and_clause_table(report: tuple[Path, dict[str, object]]) -> None:
    path, rep = report
    p = _Report()
    p.feed(path.read_text(encoding="utf-8"))
    assert p.verdict == "fail" == rep["verdict"]
    clauses = rep["clauses"]
    assert isinstance(clauses, list)
    assert p.rows == {c["id"]: c["status"] for c in clauses}
    assert p.rows["SM-1.3b"] == "fail" and p.rows["SM-1.4f"] == "pass"
    assert p.targets, "dynamic targets table"
    assert any(s.startswith("data:image/png;base64,") for s in p.images)
    assert p.external == [], "self-contained: no scripts, links or remote images"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium "
                    "(apt-get install -y chromium)")
def test_renders_in_headless_chromium(report: tuple[Path, dict[str, object]],
                                      tmp_path: Path) -> None:
    from matplotlib import image

    path, _ = report
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=1280,2000", f"--screenshot={shot}", path.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert shot.exists(), proc.stderr[-2000:]
    img = image.imread(str(shot))[..., :3]
    assert img.shape[0] >= 1000 and img.shape[1] >= 1000
    assert float(np.std(img)) > 0.05, "screenshot is not blank"
    # the red FAIL banner (#c62828) is on screen near the top
    top = img[:400]
    red = (top[..., 0] > 0.7) & (top[..., 1] < 0.25) & (top[..., 2] < 0.25)
    assert red.sum() > 500
    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
         path.resolve().as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert 'data-verdict="fail"' in dom.stdout and 'data-clause="SM-1.3b"' in dom.stdout
    if os.environ.get("SAFEMALL_KEEP_SCREENSHOT"):
        dest = ROOT / "docs" / "img" / "report.png"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, dest)
