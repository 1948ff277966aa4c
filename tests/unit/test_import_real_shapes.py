"""Importing data in the shapes real venues publish: inference, ranked repairs, fixes files.

Fixtures from ``tools/make_real_shapes_fixture.py`` (its docstring gives the geometry the
expected values below are read from): ``real_shapes.imdf.zip`` (no exterior door on a
declared outline, no traversals, every opening ``automobile``, a walkway drawn over a
kiosk, an unmapped corner) and ``sit_mall.osm`` / ``sit_mall.geojson`` (OSM Simple Indoor
Tagging with levels ``0``, ``0.5``, ``0;1`` and ``1-2``, doors and entrances).
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.errors import LayoutError
from sim.io.importers.imdf import import_imdf
from sim.io.importers.infer import level_id, parse_levels
from sim.io.importers.options import ImportOptions, fixes_from_dict, load_fixes
from sim.io.importers.osm import import_osm

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "tests" / "fixtures" / "import"
IMDF = FIX / "real_shapes.imdf.zip"
OSM = FIX / "sit_mall.osm"
GEOJSON = FIX / "sit_mall.geojson"
NS = uuid.UUID("5afe0a11-1bdf-4000-8000-00000000beef")


def uid(key: str) -> str:
    """The fixture's feature id of unit / opening ``key`` (uuid5 of ``rs-<key>``)."""
    return str(uuid.uuid5(NS, f"rs-{key}"))


def options(res) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.option for r in res.report.repairs]


# ----------------------------------------------------------------------------- levels

@pytest.mark.parametrize(("text", "want"), [
    ("0", [0.0]), ("-1", [-1.0]), ("0;1", [0.0, 1.0]), ("1-3", [1.0, 2.0, 3.0]),
    ("-2--1", [-2.0, -1.0]), ("0.5", [0.5]), ("1,5", [1.5]), ("2;0", [0.0, 2.0]),
    ("0.5-2", [0.5, 1.0, 2.0]),
])
def test_parse_levels(text: str, want: list[float]) -> None:
    assert parse_levels(text) == want


@pytest.mark.parametrize("text", ["", "ground", "1;x", "1--", "0-500"])
def test_parse_levels_rejects(text: str) -> None:
    with pytest.raises(LayoutError):
        parse_levels(text)


def test_level_ids() -> None:
    assert [level_id(v) for v in (0, 1, 0.5, -1, -0.5)] == ["L1", "L2", "L1.5", "B1",
                                                            "B0.5"]


# ----------------------------------------------------------------------------- IMDF

def test_imdf_as_published_reports_ranked_repairs() -> None:
    res = import_imdf(IMDF)
    assert res.layout is None
    codes = res.report.codes()
    # the west door of the walkway lies 0.5 m inside the footprint: an exit; the lobby
    # gets an exterior door; 8 automobile openings between rooms are pedestrian doors
    assert res.report.stats["exits"] == 2
    assert codes["exit-added"] == 1
    assert "8 opening(s) of a vehicle category" in res.report.by_code(
        "category-contradiction")[0].message
    # the walkway over the kiosk: 50 x 30 m minus the 10 x 4 m kiosk, cut in two
    carved = res.report.by_code("walkway-carved")[0].message
    assert "1500 -> 1460 m², 2 piece(s)" in carved
    # ranked: stairs first (4 spaces of L2 stranded), then the corner, then the category
    opts = options(res)
    assert opts[0] == "--link-stairs"
    assert opts[1] == f"--drop {uid('Q')}"
    assert opts[2] == "--category wardrobe=service"
    assert "What blocks a valid layout" in res.report.text()


def test_imdf_repaired_by_a_fixes_file_validates(tmp_path: Path) -> None:
    fixes = tmp_path / "fixes.toml"
    fixes.write_text('schema = "safemall/import-fixes/1"\nlink_stairs = true\n'
                     f'drop = ["{uid("Q")}"]\n[category]\nwardrobe = "service"\n',
                     encoding="utf-8")
    res = import_imdf(IMDF, options=load_fixes(fixes))
    assert res.error is None, res.report.text()
    lay = res.layout
    assert lay is not None
    stair = lay.spaces["L1-stair"]
    assert stair.levels == ("L1", "L2")
    assert "L2-stair" not in lay.spaces  # the top of the shaft merged into the flight
    assert len(lay.exits) == 2
    assert "L2-unmapped-corner" not in lay.spaces
    walk = [s for s in lay.spaces.values() if s.id.startswith("L2-upper-walk")]
    assert sum(s.area_m2 for s in walk) == pytest.approx(1460.0, abs=0.01)
    assert res.report.codes()["stair-linked"] == 1
    assert res.report.codes()["fix-unused"] == 0


def test_imdf_inferences_can_be_switched_off() -> None:
    base = ImportOptions(link_stairs=True, drop=(uid("Q"),))
    assert import_imdf(IMDF, options=base).error is None
    # without exit inference there is no exit; the walkway is offered first
    no_exit = import_imdf(IMDF, options=ImportOptions(link_stairs=True, drop=(uid("Q"),),
                                                      infer_exits=False))
    assert no_exit.report.stats["exits"] == 0
    assert options(no_exit)[0] == f"--exit {uid('W')}"
    # taking automobile openings at their word strands every room
    strict = import_imdf(IMDF, options=ImportOptions(link_stairs=True, drop=(uid("Q"),),
                                                     fix_categories=False))
    assert strict.error is not None
    assert "not walkable" in strict.report.by_code("category-contradiction")[0].message
    dropped = import_imdf(IMDF, options=ImportOptions(walkway_rooms="drop"))
    assert dropped.report.codes()["walkway-dropped"] == 1


def test_imdf_exit_fix_for_a_space_and_for_an_opening() -> None:
    # the user names the walkway itself as an exit: a 1.8 m door on its outline edge
    res = import_imdf(IMDF, options=ImportOptions(link_stairs=True, drop=(uid("Q"),),
                                                  infer_exits=False, exit=(uid("W"),)))
    assert res.error is None
    ex = [o for o in res.layout.openings.values() if "fix:exit" in o.tags]  # type: ignore[union-attr]
    assert len(ex) == 1 and ex[0].width_m == pytest.approx(1.8)
    # naming the west door (an opening on one unit) makes it an exit as it is (2 m)
    res2 = import_imdf(IMDF, options=ImportOptions(link_stairs=True, drop=(uid("Q"),),
                                                   infer_exits=False, exit=(uid("oWest"),)))
    assert res2.error is None
    assert res2.report.stats["exits"] == 1


def test_fixes_naming_nothing_are_reported() -> None:
    res = import_imdf(IMDF, options=ImportOptions(drop=("no-such-unit",)))
    msgs = [f.message for f in res.report.by_code("fix-unused")]
    assert msgs == ["'no-such-unit' names no opening or space in this data (renamed or "
                    "removed since the fix was written?)"]


@pytest.mark.parametrize(("raw", "field"), [
    ({"link_stair": True}, "link_stair"), ({"link_stairs": "yes"}, "link_stairs"),
    ({"exit": "A"}, "exit"), ({"walkway_rooms": "cut"}, "walkway_rooms"),
    ({"link_tolerance_m": -1}, "link_tolerance_m"), ({"schema": "x/1"}, "schema"),
    ({"category": {"room": 3}}, "category"),
])
def test_fixes_file_errors_name_the_field(raw: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(LayoutError) as e:
        fixes_from_dict(raw, source="f.toml")
    assert e.value.field == field and e.value.source == "f.toml"


# ----------------------------------------------------------------------------- OSM

def test_osm_sit_reports_the_mezzanine_and_validates_once_dropped() -> None:
    res = import_osm(OSM)
    assert res.layout is None
    assert options(res) == ["--drop way/107"]
    lv = res.report.by_code("levels")[0].message
    assert "levels 0, 0.5, 1, 2 -> L1, L1.5, L2, L3" in lv
    ok = import_osm(OSM, options=ImportOptions(drop=("way/107",)))
    assert ok.error is None, ok.report.text()
    lay = ok.layout
    assert lay is not None
    assert [lv.id for lv in lay.levels] == ["L1", "L2"]  # L1.5 empty once dropped, L3 unused
    kinds = {s.id: s.kind for s in lay.spaces.values()}
    assert kinds["L1-alpha"] == "shop" and kinds["L2-beta"] == "shop"
    assert kinds["L1-service"] == "service"  # room=toilets
    assert kinds["L2-gamma"] == "shop"       # amenity=cinema, level 1-2
    stair = next(s for s in lay.spaces.values() if s.kind == "stair")
    assert stair.levels == ("L1", "L2")
    # the untagged room is named by the shoe shop node inside it
    assert any(s.name == "Delta Shoes" for s in lay.spaces.values())
    # two entrances, 2.4 m (width tag) and 1.8 m (default); the books door 1.5 m
    exits = sorted(o.width_m for o in lay.openings.values()
                   if lay.spaces[o.b].is_exit or lay.spaces[o.a].is_exit)
    assert exits == pytest.approx([1.8, 2.4], abs=0.01)
    assert any(o.width_m == pytest.approx(1.5, abs=0.01) for o in lay.openings.values())
    # the toilets had no door node: one inferred into the corridor (1.8 m)
    inferred = [o for o in lay.openings.values() if "inferred:room-door" in o.tags]
    assert len(inferred) == 1 and inferred[0].width_m == pytest.approx(1.8, abs=0.01)
    # shops 20 x 8 + 20 x 8 + 10 x 8 on L1, 40 x 8 + 10 x 8 on L2, corridors 2 x 40 x 4;
    # OSM stores coordinates to 1e-7 degree (about 1 cm): areas agree to 0.1 %
    assert lay.derived_sales_area_m2 == pytest.approx(160 + 160 + 80 + 320 + 80 + 320,
                                                      rel=1e-3)


def test_osm_room_doors_switch() -> None:
    res = import_osm(OSM, options=ImportOptions(drop=("way/107",), room_doors=False))
    assert res.error is not None
    assert any("L1-service" in r.problem for r in res.report.repairs)


def test_geojson_export_reads_like_the_osm_file() -> None:
    a = import_osm(OSM, options=ImportOptions(drop=("way/107",)))
    b = import_osm(GEOJSON, options=ImportOptions(drop=("way/107",)))
    assert a.layout is not None and b.layout is not None
    sa = {s.id: (s.kind, s.area_m2) for s in a.layout.spaces.values()}
    sb = {s.id: (s.kind, s.area_m2) for s in b.layout.spaces.values()}
    assert sa.keys() == sb.keys()
    for sid, (kind, area) in sa.items():  # coordinates agree to about 1 cm
        assert sb[sid][0] == kind and sb[sid][1] == pytest.approx(area, abs=0.3), sid
    assert len(a.layout.openings) == len(b.layout.openings)


def test_cli_import_osm_and_bad_input(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "m" / "layout.toml"
    assert main(["layout", "import-osm", str(OSM), "--out", str(out), "--quiet"]) == 2
    assert "--drop way/107" in (tmp_path / "m" / "layout.import-report.txt").read_text(
        encoding="utf-8")
    assert main(["layout", "import-osm", str(OSM), "--out", str(out), "--drop",
                 "way/107", "--quiet"]) == 0
    assert out.exists()
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id='1' lat='x'/></osm", encoding="utf-8")
    capsys.readouterr()
    assert main(["layout", "import-osm", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0]
    assert main(["layout", "import-osm", str(OSM), "--out", str(out), "--no-infer",
                 "doors"]) == 2


def test_fixture_script_reproduces_fixtures(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "tools" / "make_real_shapes_fixture.py"),
                    "--dir", str(tmp_path)], check=True, capture_output=True)
    for name in ("real_shapes.imdf.zip", "sit_mall.osm", "sit_mall.geojson"):
        assert (tmp_path / name).read_bytes() == (FIX / name).read_bytes(), name


def test_pbf_reads_like_the_osm_file(tmp_path: Path) -> None:
    """The same elements written as .osm.pbf (pyosmium's writer) import the same."""
    sys.path.insert(0, str(REPO / "tools"))
    from make_real_shapes_fixture import write_osm

    pbf = tmp_path / "sit_mall.osm.pbf"
    write_osm(pbf)
    a = import_osm(OSM, options=ImportOptions(drop=("way/107",)))
    b = import_osm(pbf, options=ImportOptions(drop=("way/107",)))
    assert a.layout is not None and b.layout is not None
    assert sorted(a.layout.spaces) == sorted(b.layout.spaces)
    assert len(a.layout.openings) == len(b.layout.openings)
