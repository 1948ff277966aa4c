"""``safemall report``: the page holds every section and renders in headless Chromium.

The compact mall, two plans, three scenarios (its drill, and a knife attack and a vehicle
ramming written here for it), one run each: small, but every section of the report is
real output. In Chromium (``apt-get install chromium``; skipped, saying so, without it):
every section is laid out, every image loads, the Chinese text is drawn with real glyphs
(two different characters draw differently; empty boxes would not), the first page's
screenshot shows the verdict, and the PDF is written with the CJK font embedded.
"""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.cli import main as cli
from sim.report.html import SECTIONS
from viz.chromium import dump_dom, find_chromium, screenshot

ROOT = Path(__file__).parents[2]
PNG = b"\x89PNG\r\n\x1a\n"
needs_chromium = pytest.mark.skipif(find_chromium() is None,
                                    reason="needs chromium (apt-get install chromium)")

KNIFE = """schema = "safemall/scenario/1"
name = "Knife attack, compact mall (test)"
layout = "{root}/layouts/compact/layout.toml"
security = "{root}/layouts/compact/security.toml"
seed = 7
duration_s = 900
[occupants]
density = "observed"
[output]
lower_bound = false
[hazard]
kind = "attack"
weapon = "knife"
attackers = 1
entrance = "main-door-1"
target = "densest"
t_s = 20.0
guards_required = 3
"""

VEHICLE = """schema = "safemall/scenario/1"
name = "Vehicle ramming, compact mall (test)"
layout = "{root}/layouts/compact/layout.toml"
seed = 7
duration_s = 60
[security]
plan = "{root}/layouts/compact/security.toml"
[occupants]
density = "observed"
in_kinds = ["shop", "corridor", "atrium", "plaza"]
[output]
lower_bound = false
[hazard]
kind = "vehicle"
approach = "approach-exit-anchor-WS"
t_s = 10.0
speed_mps = 13.9
"""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.images: list[str] = []
        self.external: list[str] = []
        self.verdicts: list[str] = []
        self.clauses: dict[str, dict[str, str]] = {}
        self._plan = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "table" and "clauses" in a.get("class", ""):
            self._plan = a.get("data-plan", "")
        if tag == "tr" and a.get("data-clause"):
            self.clauses.setdefault(self._plan, {})[a["data-clause"]] = a["data-status"]
        if "data-verdict" in a:
            self.verdicts.append(a["data-verdict"])
        if tag == "img":
            self.images.append(a.get("src", ""))
        for k in ("href", "src"):
            v = a.get(k, "")
            if v and not v.startswith(("data:", "#")):
                self.external.append(v)
        if tag in ("script", "link", "iframe"):
            self.external.append(tag)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("report")
    scn = tmp / "scenarios"
    scn.mkdir()
    (scn / "knife_attack_compact.toml").write_text(KNIFE.format(root=ROOT), encoding="utf-8")
    (scn / "vehicle_ramming_compact.toml").write_text(VEHICLE.format(root=ROOT),
                                                       encoding="utf-8")
    out = tmp / "out"
    args = ["report", str(ROOT / "layouts/compact"),
            "--plan", str(ROOT / "layouts/compact/security.toml"),
            "--plan", str(ROOT / "layouts/compact/security-understaffed.toml"),
            "--out", str(out), "--replications", "1", "--staffing-replications", "2",
            "--staffing-values", "4,20", "--barrier-replications", "1", "--workers", "0",
            "--scenario", str(ROOT / "scenarios/drill_compact.toml"),
            "--scenario", str(scn / "knife_attack_compact.toml"),
            "--scenario", str(scn / "vehicle_ramming_compact.toml")]
    code = cli.main([*args, "--lang", "zh", "--pdf" if find_chromium() else "--no-pdf"])
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    from sim.cli.report_cmd import write_outputs

    write_outputs(rep, "en", out, drawings=True, pdf=False)
    return {"code": code, "out": out, "rep": rep}


@pytest.mark.slow
def test_the_report_answers_the_five_questions(made: dict[str, Any]) -> None:
    rep = made["rep"]
    assert made["code"] == 1  # the under-staffed plan is not compliant
    assert [p["compliance"]["verdict"] for p in rep["plans"]][1] == "fail"
    assert rep["staffing"] is not None and rep["staffing"]["candidates"]
    assert [c["guards"] for c in rep["staffing"]["candidates"]] == [4, 20]
    assert rep["barriers"] is not None and rep["barriers"]["rows"]
    assert all("rank" in r and "tied" in r for r in rep["barriers"]["rows"])
    assert rep["comparison"] is not None and rep["comparison"]["rows"]
    assert rep["assumptions"]["rows"], "the assumptions the staffing answer uses"
    assert rep["plans"][1]["changes"], "what to change in the under-staffed plan"
    for lang in ("en", "zh"):
        page = (made["out"] / f"report-{lang}.html").read_text(encoding="utf-8")
        p = _Page()
        p.feed(page)
        assert set(SECTIONS) <= p.ids, set(SECTIONS) - p.ids
        assert {"q-compliant", "q-staffing", "q-bollards", "q-changes",
                "q-assumptions", "verdict"} <= p.ids
        assert p.verdicts[:2] == ["fail", "fail"] or p.verdicts[1] == "fail"
        assert p.external == [], "self-contained: no scripts, links or remote images"
        assert p.images and all(s.startswith("data:image/png;base64,") for s in p.images)
        for s in p.images:
            assert base64.b64decode(s.split(",", 1)[1])[:8] == PNG
        # the clause table of each plan, its statuses those of the checker
        assert p.clauses["B"]["SM-1.3b"] == "fail" and p.clauses["A"]["SM-1.3b"] == "pass"
        # each level of each plan is drawn
        levels = {m.group(1) for m in re.finditer(r'data-figure="plan:A:([^"]+)"', page)}
        assert levels == {"L1"}
    zh = (made["out"] / "report-zh.html").read_text(encoding="utf-8")
    for term in ("平安商场", "专职保安", "治安联防小组", "保卫专干", "应急警报装置"):
        assert term in zh
    assert '@font-face{font-family:"SafeMall CJK"' in zh, "the CJK subset is embedded"
    en = (made["out"] / "report-en.html").read_text(encoding="utf-8")
    assert "Is the plan compliant?" in en and "Where do bollards go?" in en
    # SM-1.3b's formula with the compact mall's numbers (11,722 m²: the 20-guard band)
    assert "sales area 11,722 m² (10,000–20,000 m²): 20 guards" in en


_PROBE = """<script>
window.addEventListener('load', () => {
  const out = {};
  for (const id of %s) {
    const el = document.getElementById(id);
    out[id] = el ? el.getBoundingClientRect().height : -1;
  }
  const imgs = Array.from(document.images);
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length;
  const font = getComputedStyle(document.body).fontFamily;
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, 64, 64);
    g.fillStyle = '#000'; g.font = '48px ' + font; g.fillText(ch, 4, 52);
    const d = g.getImageData(0, 0, 64, 64).data; let ink = 0, sig = 0;
    for (let k = 0; k < d.length; k += 4) {
      if (d[k] < 128) { ink++; sig = (sig * 31 + k) %% 1000003; }
    }
    return [ink, sig];
  };
  document.fonts.ready.then(() => {
    const a = draw('平'), b = draw('商'), c = draw('场');
    document.body.setAttribute('data-probe', JSON.stringify({
      heights: out, images: imgs.length, broken: broken,
      glyphs: [a, b, c]}));
  });
});
</script>"""


@pytest.mark.slow
@needs_chromium
def test_renders_in_headless_chromium(made: dict[str, Any], tmp_path: Path) -> None:
    from matplotlib import image

    for lang in ("zh", "en"):
        page = (made["out"] / f"report-{lang}.html").read_text(encoding="utf-8")
        probe = tmp_path / f"probe-{lang}.html"
        probe.write_text(page.replace("</body>", _PROBE % json.dumps(list(SECTIONS))
                                      + "</body>"), encoding="utf-8")
        dom = dump_dom(probe)
        m = re.search(r'data-probe="([^"]+)"', dom)
        assert m, dom[-2000:]
        res = json.loads(m.group(1).replace("&quot;", '"'))
        # every section is laid out with a height, every image loaded
        assert all(h > 20 for h in res["heights"].values()), res["heights"]
        assert res["images"] >= 4 and res["broken"] == 0
        # CJK glyphs really drawn: ink, and three characters that differ (boxes would not)
        (ia, sa), (ib, sb), (ic, sc) = res["glyphs"]
        assert min(ia, ib, ic) > 100
        assert len({(ia, sa), (ib, sb), (ic, sc)}) == 3
    shot = screenshot(made["out"] / "report-zh.html", tmp_path / "page1.png")
    img = image.imread(str(shot))[..., :3]
    assert img.shape[0] >= 1700 and float(np.std(img)) > 0.05, "not blank"
    red = (img[..., 0] > 0.6) & (img[..., 1] < 0.2) & (img[..., 2] < 0.2)
    assert red[:900].sum() > 300, "the red NOT COMPLIANT badge is on the first page"
    pdf = made["out"] / "report-zh.pdf"
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 5
    assert b"NotoSansCJK" in data or b"SafeMall" in data, "the CJK font is embedded"
