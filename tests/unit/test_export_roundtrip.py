"""Round trip: layout -> DXF (tools/export_dxf.py) -> import-dxf -> the same layout.

Same spaces (ids from the labels, kinds, levels, areas), the same openings (ids, the
spaces they join, widths, midpoints) and the same sales area within 1 %.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.io.exporters import write_dxf
from sim.io.importers.dxf import import_dxf, load_layer_map
from sim.io.importers.imdf import import_imdf
from sim.io.layout_files import load_layout
from sim.model.layout import Layout
from sim.model.layout_schema import layout_from_dict
from tests.unit.test_import_support import FIXTURES, IMPORT, REPO

COMPACT = REPO / "layouts" / "compact" / "layout.toml"


def _roundtrip(layout: Layout, tmp_path: Path, units: str = "m") -> Layout:
    dxf, lmap = tmp_path / "rt.dxf", tmp_path / "rt.layers.toml"
    write_dxf(layout, dxf, units=units, map_out=lmap)
    res = import_dxf([dxf], load_layer_map(lmap))
    assert res.error is None, res.report.text()
    assert res.report.count("error") == 0 and res.report.count("warning") == 0, \
        res.report.text()
    assert res.layout is not None
    return res.layout


def assert_same(a: Layout, b: Layout) -> None:
    assert set(a.spaces) == set(b.spaces)
    for sid, sa in a.spaces.items():
        sb = b.spaces[sid]
        assert (sb.kind, sb.levels) == (sa.kind, sa.levels), sid
        assert sb.area_m2 == pytest.approx(sa.area_m2, rel=1e-3, abs=1e-3), sid
        if sa.is_vertical:
            assert sb.walk_length_m == pytest.approx(sa.walk_length_m, rel=1e-3), sid
    assert set(a.openings) == set(b.openings)
    for oid, oa in a.openings.items():
        ob = b.openings[oid]
        assert {ob.a, ob.b} == {oa.a, oa.b}, oid
        assert ob.width_m == pytest.approx(oa.width_m, abs=0.005), oid
        assert ob.at == pytest.approx(oa.at, abs=0.005), oid
        assert ob.kind == oa.kind and ob.level == oa.level, oid
    assert b.derived_sales_area_m2 == pytest.approx(a.derived_sales_area_m2, rel=0.01)
    assert b.sales_levels() == a.sales_levels()


@pytest.mark.parametrize("units", ["m", "mm"])
def test_example_layout(tmp_path: Path, units: str) -> None:
    a = load_layout(FIXTURES / "example_layout.toml")
    b = _roundtrip(a, tmp_path, units)
    assert_same(a, b)
    assert b.spaces["hall"].tags[0] == "main_entrance"
    assert b.spaces["stair-A"].riser_mm == 165


def test_imported_dxf_fixture(tmp_path: Path) -> None:
    first = import_dxf([IMPORT / "small_mall.dxf"], load_layer_map(IMPORT / "layers.toml"))
    assert first.layout is not None
    assert_same(first.layout, _roundtrip(first.layout, tmp_path, "mm"))


def test_imported_imdf_venue(tmp_path: Path) -> None:
    first = import_imdf(IMPORT / "small_venue.imdf.zip")
    assert first.layout is not None
    b = _roundtrip(first.layout, tmp_path)
    assert_same(first.layout, b)
    assert b.spaces["L1-shop"].name == "Zhengzhou Dumplings"


def _stacked() -> Layout:
    """Two stacked flights on one plan (L1-L2, L2-L3) joined at their landing, and two
    doors on the same spot of L2: the plan alone cannot tell them apart."""
    spaces = [
        {"id": f"hall{i}", "kind": "corridor", "level": f"L{i}", "rect": [0, 0, 20, 10]}
        for i in (1, 2, 3)]
    spaces += [
        {"id": "s12", "kind": "stair", "levels": ["L1", "L2"], "rect": [20, 0, 4, 8]},
        {"id": "s23", "kind": "stair", "levels": ["L2", "L3"], "rect": [20, 0, 4, 8]},
        {"id": "out", "kind": "exit", "level": "L1"}]
    openings = [
        {"id": "exit", "between": ["hall1", "out"], "width_m": 2, "at": [0, 5]},
        {"id": "d1", "between": ["hall1", "s12"], "width_m": 1.5, "at": [20, 4]},
        {"id": "d2", "between": ["hall2", "s12"], "width_m": 1.5, "at": [20, 4]},
        {"id": "d2b", "between": ["hall2", "s23"], "width_m": 1.5, "at": [20, 4]},
        {"id": "land", "between": ["s12", "s23"], "width_m": 1.2, "at": [22, 4], "level": "L2",
         "kind": "opening"},
        {"id": "d3", "between": ["hall3", "s23"], "width_m": 1.5, "at": [20, 4]}]
    return layout_from_dict({
        "schema": "safemall/layout/1", "mall": {"name": "stacked"},
        "levels": [{"id": f"L{i}", "elevation_m": 4.0 * (i - 1)} for i in (1, 2, 3)],
        "spaces": spaces, "openings": openings})


def test_stacked_flights_and_coincident_doors(tmp_path: Path) -> None:
    a = _stacked()
    assert_same(a, _roundtrip(a, tmp_path))


@pytest.mark.skipif(not COMPACT.exists(), reason="layouts/compact/layout.toml not generated yet")
def test_compact_mall(tmp_path: Path) -> None:
    """The issue's done-when: the compact mall through tools/export_dxf.py and back."""
    a = load_layout(COMPACT)
    out = tmp_path / "compact.dxf"
    subprocess.run([sys.executable, str(REPO / "tools" / "export_dxf.py"), str(COMPACT),
                    "--out", str(out), "--map", str(tmp_path / "layers.toml"), "--units",
                    "mm"], check=True, capture_output=True)
    res = import_dxf([out], load_layer_map(tmp_path / "layers.toml"))
    assert res.error is None and res.layout is not None, res.report.text()
    assert res.report.count("warning") == 0 and res.report.count("error") == 0
    assert_same(a, res.layout)


@pytest.mark.parametrize("mall", ["riverside", "grand"])
def test_multilevel_bundled_malls(tmp_path: Path, mall: str) -> None:
    """Stacked stair towers and criss-cross escalators survive the trip (``to=`` labels)."""
    path = REPO / "layouts" / mall / "layout.toml"
    if not path.exists():
        pytest.skip(f"{path} not generated yet")
    a = load_layout(path)
    assert_same(a, _roundtrip(a, tmp_path, "mm"))
