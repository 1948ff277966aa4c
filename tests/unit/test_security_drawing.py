"""``layout show --security PLAN``: the plan's people, devices and barriers on paper."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest

from sim.cli import main as cli
from sim.io.layout_files import load_layout
from sim.io.security_files import load_security_plan
from viz.security_plan import draw_security_plan

ROOT = Path(__file__).parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def compact() -> tuple[object, object]:
    lay = load_layout(ROOT / "layouts" / "compact")
    return lay, load_security_plan(ROOT / "layouts/compact/security-understaffed.toml", lay)


def test_drawing_shows_every_item_with_ids_and_legend(compact: tuple[object, object]) -> None:
    lay, plan = compact
    fig = draw_security_plan(lay, plan)  # type: ignore[arg-type]
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    # every space with a polygon on L1 carries its id
    ids = {s.id for s in lay.spaces.values() if s.polygon and s.level == "L1"}  # type: ignore[attr-defined]
    assert ids <= texts
    # every staffed post and patrol is labelled with its guards
    for p in plan.guards.posts:  # type: ignore[attr-defined]
        if p.count:
            assert f"{p.id} ×{p.count}" in texts
    for p in plan.guards.patrols:  # type: ignore[attr-defined]
        if p.count:
            assert f"{p.id} ×{p.count}" in texts
    legend = {t.get_text() for t in fig.legends[0].get_texts()}
    assert {"guard post (×guards)", "patrol route (×guards)", "camera", "alarm button",
            "outside every PA zone", "to be watched, no camera sees it"} <= legend
    kinds = {b.kind for b in plan.barriers}  # type: ignore[attr-defined]
    assert ("bollards" in legend) == ("bollard" in kinds)
    # one round marker per alarm button, drawn in the button colour with a white centre
    buttons = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_mfc() == "white"
               and ln.get_mec() == "#d7301f"]
    assert len(buttons) == len(plan.alarm.buttons)  # type: ignore[attr-defined]


def test_cli_layout_show_security(tmp_path: Path) -> None:
    out = tmp_path / "plan.png"
    code = cli.main(["layout", "show", str(ROOT / "layouts" / "compact"), "--security",
                     str(ROOT / "layouts/compact/security.toml"), "--out", str(out),
                     "--dpi", "60"])
    assert code == 0 and out.read_bytes()[:8] == PNG
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = "safemall/security/1"\n[guards]\ntotal = "many"\n',
                   encoding="utf-8")
    assert cli.main(["layout", "show", str(ROOT / "layouts" / "compact"), "--security",
                     str(bad), "--out", str(out)]) == 2
