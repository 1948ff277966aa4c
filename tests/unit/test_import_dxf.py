"""DXF import: the small two-level fixture, labels, units, levels, doors as blocks."""

from __future__ import annotations

import math
from pathlib import Path

import ezdxf
import pytest

from sim.errors import LayoutError
from sim.io.importers.dxf import import_dxf, layer_map_from_dict, load_layer_map, parse_label
from sim.io.layout_files import load_layout
from tests.unit.test_import_support import IMPORT, REPO, run_cli

SMALL = IMPORT / "small_mall.dxf"
MAP = IMPORT / "layers.toml"


@pytest.fixture(scope="module")
def small():  # type: ignore[no-untyped-def]
    res = import_dxf([SMALL], load_layer_map(MAP))
    assert res.error is None, res.error
    assert res.layout is not None
    return res


def test_small_mall_counts(small) -> None:  # type: ignore[no-untyped-def]
    lay = small.layout
    assert [lv.id for lv in lay.levels] == ["L1", "L2"]
    assert [lv.elevation_m for lv in lay.levels] == [0.0, 5.0]
    kinds: dict[str, int] = {}
    for s in lay.spaces.values():
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    assert kinds == {"corridor": 2, "shop": 12, "cctv_room": 1, "duty_room": 1, "stair": 2,
                     "exit": 4}
    assert len(lay.openings) == 22
    # 2 corridors 64 x 6 + 12 shops (11.8 m deep rows), drawn in mm
    assert lay.derived_sales_area_m2 == pytest.approx(3332.0, rel=1e-6)
    # a clean drawing gives no errors and no warnings
    assert small.report.count("error") == 0
    assert small.report.count("warning") == 0


def test_ids_from_labels_and_handles(small) -> None:  # type: ignore[no-untyped-def]
    sp = small.layout.spaces
    for sid in ("A101", "A102", "A103", "B101", "B102", "A201", "A202", "B201", "B202",
                "A204", "C1", "C2", "cctv", "duty", "S1", "S2", "west-gate"):
        assert sid in sp, sid
    unlabelled = [s for s in sp.values() if s.id.startswith("shop-")]
    assert len(unlabelled) == 2
    for s in sp.values():
        src = [t for t in s.tags if t.startswith("source:")]
        assert len(src) == 1, s.id  # every space keeps its DXF handle
    assert sp["cctv"].kind == "cctv_room" and sp["duty"].kind == "duty_room"  # kind by label


def test_doors_blocks_and_lines(small) -> None:  # type: ignore[no-untyped-def]
    lay = small.layout
    by_pair = {frozenset((o.a, o.b)): o for o in lay.openings.values()}
    # ground-floor shop doors are DOOR1 blocks with X scale 1500 (mm): 1.5 m
    o = by_pair[frozenset(("A101", "C1"))]
    assert o.width_m == pytest.approx(1.5, abs=1e-6)
    assert o.at == pytest.approx((9.0, 18.1), abs=1e-6)   # in the 200 mm wall
    # east exit: a block rotated 90 degrees, X scale 3000
    east = [o for o in lay.openings.values() if "exit" in o.b and o.at[0] == pytest.approx(64)]
    widths = sorted(round(o.width_m, 3) for o in east)
    assert widths == [1.0, 3.0]
    # first-floor doors are LINEs
    assert by_pair[frozenset(("A201", "C2"))].width_m == pytest.approx(1.5, abs=1e-6)
    for o in lay.openings.values():
        assert any(t.startswith("source:") for t in o.tags)


def test_exits(small) -> None:  # type: ignore[no-untyped-def]
    lay = small.layout
    joined = {lay.openings[o].a if lay.openings[o].b in lay.exits else lay.openings[o].b
              for o in lay.exit_openings}
    assert joined == {"C1", "B101", "cctv"}
    west = next(o for o in lay.openings.values() if "west-gate" in (o.a, o.b))
    assert west.width_m == pytest.approx(4.0)
    assert sum(lay.openings[o].width_m for o in lay.exit_openings) == pytest.approx(9.8)


def test_stairs_levels_and_merge(small) -> None:  # type: ignore[no-untyped-def]
    sp = small.layout.spaces
    s1, s2 = sp["S1"], sp["S2"]
    assert s1.levels == ("L1", "L2") and s2.levels == ("L1", "L2")
    assert s1.riser_mm == 165 and s1.tread_mm == 280
    assert s1.length_m == pytest.approx(math.hypot(8.0, 5.0), abs=1e-3)
    assert s2.length_m == pytest.approx(math.hypot(11.8, 5.0), abs=1e-3)
    assert len(small.report.by_code("stair-merged")) == 2
    assert "+" in next(t for t in s1.tags if t.startswith("source:"))  # both copies' handles
    # the first floor reaches the exits only through the stairs
    pairs = {frozenset((o.a, o.b)) for o in small.layout.openings.values()}
    assert frozenset(("C2", "S1")) in pairs and frozenset(("C2", "S2")) in pairs
    assert frozenset(("A204", "S1")) in pairs


def test_units_option_overrides_insunits() -> None:
    # in cm the 200 mm walls become 2 m: doors need a 1.5 m tolerance to reach both sides
    res = import_dxf([SMALL], load_layer_map(MAP), units="cm", tolerance_m=1.5)
    assert res.layout is not None, res.error
    assert res.layout.spaces["C1"].area_m2 == pytest.approx(384.0 * 100, rel=1e-6)
    assert any("units cm (given" in f.message for f in res.report.by_code("units"))


def test_cli_import_dxf(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mall" / "layout.toml"
    rc = run_cli(monkeypatch, ["layout", "import-dxf", str(SMALL), "--map", str(MAP),
                               "--out", str(out)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "DXF import of" in text and "layout written to" in text
    lay = load_layout(out)
    assert len(lay.spaces) == 22 and len(lay.openings) == 22
    assert (tmp_path / "mall" / "layout.import-report.txt").read_text().startswith("DXF import")
    assert "source_id" in out.read_text()


def test_parse_label() -> None:
    kw = {"SHOP": "shop", "STAIR": "stair"}
    r = parse_label('STAIR S1 L1-L2 #fire riser=165 "Stair one"', kw, ["L1", "L2"])
    assert r is not None
    word, kind, role, f = r
    assert (word, kind, role) == ("STAIR", "stair", "space")
    assert f["levels"] == ["L1", "L2"] and f["tags"] == ["fire"]
    assert f["attrs"] == {"riser_mm": 165.0} and f["words"] == ["S1", "Stair one"]
    assert parse_label("EXIT gate-1 door-9 kind=shutter", kw, [])[2] == "exit"  # type: ignore[index]
    assert parse_label("FIRE_DOOR fd1 to=S1", kw, [])[3]["to"] == "S1"  # type: ignore[index]
    assert parse_label("hello world", kw, []) is None


def test_layer_map_errors() -> None:
    with pytest.raises(LayoutError, match=r"layers\['X'\]: unknown role 'shopp'"):
        layer_map_from_dict({"layers": {"X": "shopp"}}, source="m.toml")
    with pytest.raises(LayoutError, match=r"m.toml: units: unknown value 'yards'"):
        layer_map_from_dict({"layers": {"X": "shop"}, "units": "yards"}, source="m.toml")
    with pytest.raises(LayoutError, match=r"unknown level 'L9'"):
        layer_map_from_dict({"layers": {"X": {"role": "shop", "level": "L9"}}})
    m = layer_map_from_dict({"levels": [{"id": "L1", "prefix": "1F-"},
                                        {"id": "L2", "prefix": "2F-", "elevation_m": 4.5}],
                             "layers": {"SHOP": "shop", "WALL*": "ignore",
                                        "A-SPECIAL": {"role": "corridor", "level": "L2"}}})
    assert m.resolve("2F-SHOP") == ("shop", "L2")
    assert m.resolve("1f-shop") == ("shop", "L1")
    assert m.resolve("1F-WALL-EXT") == ("ignore", "L1")
    assert m.resolve("A-SPECIAL") == ("corridor", "L2")
    assert m.resolve("FURNITURE") == (None, None)


def _one_level_doc(path: Path, shops_y: float, *, insunits: int = 6) -> None:
    doc = ezdxf.new("R2018")
    doc.header["$INSUNITS"] = insunits
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (20, 0), (20, 4), (0, 4)], close=True,
                       dxfattribs={"layer": "CORR"})
    msp.add_lwpolyline([(0, 4), (10, 4), (10, shops_y), (0, shops_y)], close=True,
                       dxfattribs={"layer": "SHOP"})
    msp.add_lwpolyline([(16, 4), (20, 4), (20, 10), (16, 10)], close=True,
                       dxfattribs={"layer": "STAIR"})
    msp.add_line((4, 4), (5.2, 4), dxfattribs={"layer": "DOOR"})
    msp.add_line((17, 4), (19, 4), dxfattribs={"layer": "DOOR"})
    msp.add_line((0, 1), (0, 3), dxfattribs={"layer": "EXIT"})
    doc.saveas(path)


def test_one_dxf_per_level_and_stair_rule(tmp_path: Path) -> None:
    a, b = tmp_path / "ground.dxf", tmp_path / "first.dxf"
    _one_level_doc(a, 10)
    _one_level_doc(b, 12)
    lmap = layer_map_from_dict({
        "stair_levels": "up",
        "levels": [{"id": "G", "elevation_m": 0}, {"id": "F1", "elevation_m": 4}],
        "layers": {"CORR": "corridor", "SHOP": "shop", "STAIR": "stair", "DOOR": "door",
                   "EXIT": "exit_door"}})
    res = import_dxf([a, b], lmap, level_from="file", file_levels=["G", "F1"])
    assert res.error is None, res.report.text()
    lay = res.layout
    assert lay is not None
    stairs = [s for s in lay.spaces.values() if s.kind == "stair"]
    assert len(stairs) == 1 and stairs[0].levels == ("G", "F1")   # rule "up" + merge by plan
    assert len(res.report.by_code("stair-levels-rule")) == 1
    assert len(res.report.by_code("stair-merged")) == 1
    assert len(lay.exits) == 2    # the exit-layer door of each file (the upper one too)
    assert sorted(round(s.area_m2) for s in lay.iter_kind("shop")) == [60, 80]
    assert all(":" in t for s in lay.spaces.values() for t in s.tags if t.startswith("source:"))
    with pytest.raises(LayoutError, match="--level"):
        import_dxf([a, b], lmap, level_from="file", file_levels=["G"])
    with pytest.raises(LayoutError, match="--level-from file"):
        import_dxf([a, b], lmap)


def test_unitless_drawing_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "nounits.dxf"
    _one_level_doc(p, 10, insunits=0)
    lmap = layer_map_from_dict({"layers": {"CORR": "corridor", "SHOP": "shop",
                                           "STAIR": "stair", "DOOR": "door",
                                           "EXIT": "exit_door"}})
    res = import_dxf([p], lmap)
    f = res.report.by_code("units-assumed")
    assert len(f) == 1 and "assumed m" in f[0].message
    assert len(res.report.by_code("stair-no-levels")) == 1   # rule "none" by default


def test_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.dxf"
    bad.write_text("not a dxf")
    with pytest.raises(LayoutError, match=r"bad\.dxf"):
        import_dxf([bad], load_layer_map(MAP))
    with pytest.raises(LayoutError, match="cannot read layer map"):
        load_layer_map(tmp_path / "missing.toml")


def test_fixture_script_reproduces_fixture(tmp_path: Path) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, str(REPO / "tools" / "make_dxf_fixture.py"), "--out",
                    str(tmp_path)], check=True, capture_output=True)
    assert (tmp_path / "layers.toml").read_text() == MAP.read_text()
    lmap = load_layer_map(MAP)
    for name in ("small_mall.dxf", "defects.dxf"):
        fresh = import_dxf([tmp_path / name], lmap)
        committed = import_dxf([IMPORT / name], lmap)
        assert fresh.data == committed.data
