"""IMDF import: the synthetic Zhengzhou venue, projection, categories, relationships."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from sim.errors import LayoutError
from sim.io.importers.imdf import CATEGORY_KINDS, category_kind, import_imdf
from sim.io.layout_files import load_layout
from tests.unit.test_import_support import IMPORT, REPO, run_cli

VENUE = IMPORT / "small_venue.imdf.zip"


@pytest.fixture(scope="module")
def venue():  # type: ignore[no-untyped-def]
    res = import_imdf(VENUE)
    assert res.error is None, res.error
    assert res.layout is not None
    return res


def test_levels_and_spaces(venue) -> None:  # type: ignore[no-untyped-def]
    lay = venue.layout
    assert lay.mall.name == "Erqi Small Venue" and lay.mall.city == "Zhengzhou"
    assert [(lv.id, lv.elevation_m, lv.name) for lv in lay.levels] == \
        [("L1", 0.0, "Ground"), ("L2", 5.0, "First")]
    kinds: dict[str, int] = {}
    for s in lay.spaces.values():
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    # per level: 7 shops (room/foodservice), restroom + nonpublic + elevator = 3 service;
    # L2's walkway is cut in two round the atrium hole; void and structure are skipped
    assert kinds == {"corridor": 3, "shop": 14, "service": 6, "stair": 1, "escalator": 1,
                     "exit": 3}
    assert len(venue.report.by_code("unit-skipped")) == 2
    assert len(venue.report.by_code("holes-split")) == 1
    assert lay.derived_sales_area_m2 == pytest.approx(640 + 560 + 2 * (4 * 256 + 3 * 320),
                                                     rel=1e-4)


def test_projection_keeps_metres(venue) -> None:  # type: ignore[no-untyped-def]
    lay = venue.layout
    # drawn as 16 x 16 m and 20 x 16 m rooms, 80 x 8 m walkway in the fixture script
    assert lay.spaces["L1-jade-tea"].area_m2 == pytest.approx(256.0, rel=1e-4)
    assert lay.spaces["L1-songshan-sports"].area_m2 == pytest.approx(320.0, rel=1e-4)
    assert lay.spaces["L1-corridor"].area_m2 == pytest.approx(640.0, rel=1e-4)
    west = lay.openings["L1-west-entrance"]
    assert west.at == pytest.approx((-40.0, 0.0), abs=0.01)
    (proj,) = venue.report.by_code("projection")
    assert "+proj=tmerc" in proj.message and "113.65" in proj.message


def test_openings_and_exits(venue) -> None:  # type: ignore[no-untyped-def]
    lay = venue.layout
    shop_doors = [o for o in lay.openings.values() if "imdf:pedestrian" in o.tags
                  and o.kind == "door" and o.width_m < 2]
    assert len(shop_doors) == 20                       # 9 rooms + lift per level
    assert all(o.width_m == pytest.approx(1.8, abs=0.01) or
               o.width_m == pytest.approx(1.1, abs=0.01) for o in shop_doors)
    exits = {lay.openings[o].id: lay.openings[o].width_m for o in lay.exit_openings}
    assert len(exits) == 3
    assert exits["L1-west-entrance"] == pytest.approx(4.0, abs=0.01)
    assert exits["L1-east-entrance"] == pytest.approx(4.0, abs=0.01)
    emergency = next(o for o in lay.openings.values() if "imdf:emergencyexit" in o.tags)
    assert emergency.width_m == pytest.approx(1.5, abs=0.01)
    assert "L1-songshan-sports" in (emergency.a, emergency.b)
    for o in lay.openings.values():
        assert o.tags, o.id


def test_relationships_make_stairs(venue) -> None:  # type: ignore[no-untyped-def]
    lay = venue.layout
    stair = lay.spaces["L1-stair-a"]
    esc = lay.spaces["L1-escalator"]
    assert stair.levels == ("L1", "L2") and esc.levels == ("L1", "L2")
    assert stair.length_m == pytest.approx((8 ** 2 + 5 ** 2) ** 0.5, abs=0.01)
    assert "L2-stair-a" not in lay.spaces                    # upper unit merged
    src = next(t for t in stair.tags if t.startswith("source:"))
    assert src.count("+") == 1                               # both unit ids kept
    assert len(venue.report.by_code("elevator-ignored")) == 1
    pairs = {frozenset((o.a, o.b)) for o in lay.openings.values()}
    # stairs touch the walkways without opening features: joined by adjacency, 4 m wide
    assert frozenset(("L1-corridor", "L1-stair-a")) in pairs
    assert any(stair.id in p and any(x.startswith("L2-corridor") for x in p) for p in pairs)
    adj = [o for o in lay.openings.values() if "imdf:adjacent" in o.tags]
    assert [round(o.width_m, 2) for o in adj] == [4.0, 4.0]


def test_names_tags_amenities(venue) -> None:  # type: ignore[no-untyped-def]
    sp = venue.layout.spaces
    assert sp["L1-shop"].name == "Zhengzhou Dumplings"        # occupant via anchor
    assert "amenity:fireextinguisher" in sp["L1-corridor"].tags
    assert "amenity:firstaid" in sp["L1-restrooms"].tags
    assert sp["L1-lift"].kind == "service"
    assert all(any(t.startswith("source:") for t in s.tags) for s in sp.values())


def test_category_table() -> None:
    assert category_kind("walkway") == ("corridor", True)
    assert category_kind("restroom.female.wheelchair") == ("service", True)
    assert category_kind("opentobelow") == (None, True)
    assert category_kind("bouncycastle") == ("service", False)
    assert category_kind("room", {"room": "atrium"}) == ("atrium", True)
    assert CATEGORY_KINDS["parking"] == "parking" and CATEGORY_KINDS["stairs"] == "stair"


def _unpack(tmp_path: Path) -> Path:
    d = tmp_path / "venue"
    with zipfile.ZipFile(VENUE) as z:
        z.extractall(d)
    return d


def _edit(d: Path, ftype: str, fn) -> None:  # type: ignore[no-untyped-def]
    p = d / f"{ftype}.geojson"
    data = json.loads(p.read_text())
    fn(data["features"])
    p.write_text(json.dumps(data))


def test_folder_and_defects_are_reported(tmp_path: Path) -> None:
    d = _unpack(tmp_path)
    assert import_imdf(d).error is None                       # a folder works too

    def units(fs):  # type: ignore[no-untyped-def]
        for f in fs:
            if f["properties"]["name"] == {"en": "Back office"}:
                f["properties"]["category"] = "bouncycastle"

    def rels(fs):  # type: ignore[no-untyped-def]
        # drop both escalator traversals: the escalator units lose their level info
        fs[:] = [f for f in fs if f["properties"]["intermediary"][0]["id"] not in esc]

    def openings(fs):  # type: ignore[no-untyped-def]
        g = fs[0]["geometry"]["coordinates"]
        fs.append({**fs[0], "id": "stray-door",
                   "geometry": {"type": "LineString",
                                "coordinates": [[g[0][0], g[0][1] + 0.0005],
                                                [g[1][0], g[1][1] + 0.0005]]}})
        fs.append({**fs[0], "id": "lonely-door",
                   "geometry": {"type": "LineString",
                                "coordinates": [[g[0][0], g[0][1] + 0.00005],
                                                [g[1][0], g[1][1] + 0.00005]]}})

    unit_data = json.loads((d / "unit.geojson").read_text())["features"]
    esc = {f["id"] for f in unit_data if f["properties"]["category"] == "escalator"}
    _edit(d, "unit", units)
    _edit(d, "relationship", rels)
    _edit(d, "opening", openings)
    res = import_imdf(d)
    codes = res.report.codes()
    assert codes["unit-category"] == 2                        # Back office on both levels
    assert codes["stair-no-levels"] == 2                      # both escalator units
    assert codes["door-no-space"] == 1
    assert codes["door-one-space"] == 1                       # inside a shop, off the outline
    (f,) = res.report.by_code("door-no-space")
    assert f.source_id == "stray-door" and f.layer == "opening:pedestrian"
    assert res.error is None                                  # still a valid layout
    with pytest.raises(LayoutError, match=r"level\.geojson and unit\.geojson"):
        (d / "unit.geojson").unlink()
        import_imdf(d)


def test_cli_import_imdf(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "venue.toml"
    rc = run_cli(monkeypatch, ["layout", "import-imdf", str(VENUE), "--out", str(out),
                               "--storey-height", "4.5", "--category", "room=shop"])
    assert rc == 0, capsys.readouterr().err
    lay = load_layout(out)
    assert lay.level("L2").elevation_m == 4.5
    assert (tmp_path / "venue.import-report.txt").exists()
    assert "transverse Mercator" in out.read_text()
    rc = run_cli(monkeypatch, ["layout", "import-imdf", str(VENUE), "--out", str(out),
                               "--category", "room"])
    assert rc == 2 and "--category" in capsys.readouterr().err


def test_fixture_script_reproduces_fixture(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "v.imdf.zip"
    subprocess.run([sys.executable, str(REPO / "tools" / "make_imdf_fixture.py"), "--out",
                    str(out)], check=True, capture_output=True)
    with zipfile.ZipFile(out) as a, zipfile.ZipFile(VENUE) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for n in a.namelist():
            assert json.loads(a.read(n)) == json.loads(b.read(n)), n
