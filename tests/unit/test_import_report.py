"""The import report on the DXF fixture with deliberate defects, and the report object."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.io.importers.dxf import import_dxf, load_layer_map
from sim.io.importers.report import ImportReport, report_path_for
from sim.io.layout_files import load_layout
from tests.unit.test_import_support import IMPORT, run_cli

DEFECTS = IMPORT / "defects.dxf"
MAP = IMPORT / "layers.toml"


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return import_dxf([DEFECTS], load_layer_map(MAP))


def test_every_defect_is_reported(result) -> None:  # type: ignore[no-untyped-def]
    rep = result.report
    codes = rep.codes()
    assert codes["open-polyline"] == 1
    assert codes["overlap"] == 1
    assert codes["door-one-space"] == 1
    assert codes["door-no-space"] == 1
    assert codes["unmapped-polygon"] == 1
    assert codes["stair-no-levels"] == 1
    assert codes["no-opening"] == 1
    assert codes["unreachable"] == 1
    assert codes["stray-label"] == 1
    assert rep.count("error") == 4 and rep.count("warning") == 5


def test_findings_name_handle_layer_and_what(result) -> None:  # type: ignore[no-untyped-def]
    rep = result.report
    (op,) = rep.by_code("open-polyline")
    assert op.layer == "1F-SHOP" and op.level == "L1" and op.source_id
    assert op.severity == "error" and "4 points" in op.message
    (ov,) = rep.by_code("overlap")
    assert "D1 and D2" in ov.message and "6.0 m²" in ov.message
    assert len(ov.source_id.split(",")) == 2
    (one,) = rep.by_code("door-one-space")
    assert "only D3" in one.message and one.layer == "1F-DOOR"
    (un,) = rep.by_code("unmapped-polygon")
    assert un.layer == "MISC"
    (st,) = rep.by_code("stair-no-levels")
    assert st.layer == "1F-STAIR"
    (no,) = rep.by_code("no-opening")
    assert no.message.startswith("D3")
    (stray,) = rep.by_code("stray-label")
    assert "SHOP ghost" in stray.message
    text = rep.text()
    assert text.splitlines()[0].startswith("DXF import of")
    assert "error   open-polyline" in text


def test_invalid_result_says_why_in_one_line(result) -> None:  # type: ignore[no-untyped-def]
    assert result.layout is None
    msg = str(result.error)
    assert "\n" not in msg and "D3" in msg and "cannot reach any exit" in msg


def test_drop_unreachable_gives_a_valid_layout() -> None:
    res = import_dxf([DEFECTS], load_layer_map(MAP), drop_unreachable=True)
    assert res.error is None and res.layout is not None
    assert "D3" not in res.layout.spaces
    assert set(res.layout.iter_kind("shop")) and {s.id for s in res.layout.iter_kind("shop")} \
        == {"D1", "D2"}
    assert "dropped" in res.report.by_code("unreachable")[0].message
    # the overlap is still counted twice in the derived sales area (and reported)
    assert res.layout.derived_sales_area_m2 == pytest.approx(30 * 4 + 60 + 66)


def test_cli_exit_2_one_line_and_report_file(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "d.toml"
    rc = run_cli(monkeypatch, ["layout", "import-dxf", str(DEFECTS), "--map", str(MAP),
                               "--out", str(out)])
    cap = capsys.readouterr()
    assert rc == 2
    err = [ln for ln in cap.err.splitlines() if ln.strip()]
    assert len(err) == 1 and err[0].startswith("error: ") and "D3" in err[0]
    assert not out.exists()
    rp = tmp_path / "d.import-report.txt"
    assert "door-one-space" in rp.read_text() and "door-one-space" in cap.out
    rc = run_cli(monkeypatch, ["layout", "import-dxf", str(DEFECTS), "--map", str(MAP),
                               "--out", str(out), "--drop-unreachable", "--quiet"])
    assert rc == 0
    assert len(load_layout(out).spaces) == 5


def test_report_object(tmp_path: Path) -> None:
    rep = ImportReport("x.dxf", "DXF")
    rep.info("units", "mm")
    rep.error("open-polyline", "open", source_id="1A", layer="SHOP", level="L1")
    for i in range(5):
        rep.warning("overlap", f"o{i}")
    assert [f.severity for f in rep.sorted_findings()][:2] == ["error", "warning"]
    short = rep.text(limit_per_code=2)
    assert "... and 3 more overlap" in short
    assert str(rep.by_code("open-polyline")[0]) == \
        "error   open-polyline [#1A, layer SHOP, level L1]: open"
    assert report_path_for(tmp_path / "a" / "layout.toml") == \
        tmp_path / "a" / "layout.import-report.txt"
    p = rep.write(tmp_path / "r.txt")
    assert p.read_text().count("\n") == 8
