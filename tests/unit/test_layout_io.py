"""The layout parser: what it accepts, how it round-trips, and every validation error.

Each error test writes a small TOML file and asserts that the one-line message names the
file and the field (``file: entry.field: reason``).
"""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from sim.errors import LayoutError, SafeMallError
from sim.io.layout_files import dump_layout_toml, load_layout
from sim.model.layout_schema import SCHEMA, layout_from_dict, layout_to_dict

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "example_layout.toml"


def base() -> dict[str, Any]:
    """A valid two-room layout: hall -- door d -- shop, hall -- south door -- outside."""
    return {
        "schema": SCHEMA,
        "mall": {"name": "Tiny"},
        "levels": [{"id": "L1", "elevation_m": 0.0}],
        "spaces": [
            {"id": "hall", "level": "L1", "kind": "corridor", "rect": [0, 0, 20, 6]},
            {"id": "shop", "level": "L1", "kind": "shop", "rect": [0, 6, 10, 10]},
            {"id": "out", "level": "L1", "kind": "exit"},
        ],
        "openings": [
            {"id": "d", "between": ["shop", "hall"], "width_m": 2.0, "at": [5, 6]},
            {"id": "south", "between": ["hall", "out"], "width_m": 3.0, "at": [10, 0]},
        ],
    }


def write(tmp_path: Path, data: dict[str, Any], name: str = "bad.toml") -> Path:
    p = tmp_path / name
    p.write_text(tomli_w.dumps(data), encoding="utf-8")
    return p


def space(data: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in data["spaces"] if s["id"] == sid)


def opening(data: dict[str, Any], oid: str) -> dict[str, Any]:
    return next(o for o in data["openings"] if o["id"] == oid)


# ---------------------------------------------------------------- accepted input
def test_example_fixture_loads() -> None:
    lay = load_layout(FIXTURE)
    assert lay.mall.name == "Example"
    assert lay.level_ids() == ["L1", "L2"]
    assert [lv.storey for lv in lay.levels] == [1, 2]
    stair = lay.spaces["stair-A"]
    assert stair.levels == ("L1", "L2") and stair.length_m == 12.0
    assert stair.riser_mm == 165 and stair.tread_mm == 280
    assert lay.spaces["hall"].tags == ("main_entrance",)
    assert lay.spaces["out-south"].polygon is None and lay.exits == ("out-south",)
    assert lay.openings["stair-head"].level == "L2"
    assert lay.openings["stair-foot"].level == "L1"
    assert lay.sales_area_m2 == 12000  # declared wins over derived
    assert lay.derived_sales_area_m2 == pytest.approx(40 * 30 + 40 * 4)


def test_folder_path_loads_its_layout_toml(tmp_path: Path) -> None:
    write(tmp_path, base(), "layout.toml")
    assert load_layout(tmp_path).mall.name == "Tiny"


def test_rect_becomes_polygon_and_areas() -> None:
    lay = layout_from_dict(base())
    hall = lay.spaces["hall"]
    assert hall.polygon == ((0, 0), (20, 0), (20, 6), (0, 6))
    assert hall.area_m2 == pytest.approx(120) and hall.clear_width_m == pytest.approx(6)
    assert hall.walk_length_m == pytest.approx(20)
    assert lay.spaces["out"].area_m2 == 0 and math.isnan(lay.spaces["out"].centroid[0])
    assert lay.sales_area_m2 == pytest.approx(220)  # derived: corridor + shop


def test_closed_polygon_ring_is_accepted() -> None:
    d = base()
    s = space(d, "shop")
    del s["rect"]
    s["polygon"] = [[0, 6], [10, 6], [10, 16], [0, 16], [0, 6]]
    assert len(layout_from_dict(d).spaces["shop"].polygon or ()) == 4


def test_opening_midpoint_defaults_to_shared_edge() -> None:
    d = base()
    del opening(d, "d")["at"]
    assert layout_from_dict(d).openings["d"].at == pytest.approx((5.0, 6.0))


def test_storeys_count_from_grade_and_below() -> None:
    d = base()
    d["levels"] = [{"id": "B1", "elevation_m": -4.5}, {"id": "L1", "elevation_m": 0.0},
                   {"id": "L2", "elevation_m": 5.0}, {"id": "B2", "elevation_m": -8.0}]
    lay = layout_from_dict(d)
    assert [(lv.id, lv.storey) for lv in lay.levels] == [
        ("B2", -2), ("B1", -1), ("L1", 1), ("L2", 2)]


def test_round_trip_is_exact() -> None:
    lay = load_layout(FIXTURE)
    again = layout_from_dict(tomllib.loads(dump_layout_toml(lay)))
    assert layout_to_dict(again) == layout_to_dict(lay)
    assert dict(again.spaces) == dict(lay.spaces)
    assert dict(again.openings) == dict(lay.openings)


def test_written_layout_keeps_a_point_on_one_line() -> None:
    """A generated layout.toml is readable: ``at = [x, y]`` and one polygon point per
    line at most, never one coordinate per line."""
    text = dump_layout_toml(load_layout(FIXTURE))
    lines = text.splitlines()
    assert not [ln for ln in lines if ln.strip().rstrip(",").replace(".", "", 1)
                .lstrip("-").isdigit()], "a bare coordinate on its own line"
    assert any(ln.startswith("at = [") and ln.endswith("]") for ln in lines)
    assert any(ln.startswith("polygon = [[") or ln.strip().startswith("[") for ln in lines)
    long_poly = {"schema": "x", "polygon": [[float(i), float(i) + 0.5] for i in range(40)]}
    from sim.io.toml import dumps_readable

    out = dumps_readable(long_poly)
    assert "    [3.0, 3.5],\n" in out
    assert tomllib.loads(out) == long_poly


def test_round_trip_keeps_explicit_storey_and_opening_level() -> None:
    d = base()
    d["levels"] = [{"id": "L1", "elevation_m": 0.0, "storey": 2},
                   {"id": "L2", "elevation_m": 5.0, "storey": 3}]
    d["spaces"] += [
        {"id": "s1", "kind": "stair", "levels": ["L1", "L2"], "rect": [20, 0, 3, 6],
         "length_m": 9.0},
        {"id": "s2", "kind": "stair", "levels": ["L1", "L2"], "rect": [23, 0, 3, 6],
         "length_m": 9.0},
    ]
    d["openings"] += [
        {"id": "foot", "between": ["hall", "s1"], "width_m": 1.5, "at": [20, 3]},
        {"id": "twin", "between": ["s1", "s2"], "width_m": 1.5, "at": [23, 3], "level": "L2"},
    ]
    lay = layout_from_dict(d)
    assert [lv.storey for lv in lay.levels] == [2, 3]
    assert lay.openings["twin"].level == "L2"
    again = layout_from_dict(tomllib.loads(dump_layout_toml(lay)))
    assert [lv.storey for lv in again.levels] == [2, 3]
    assert again.openings["twin"].level == "L2"


def test_tags_and_source_id_survive() -> None:
    d = base()
    space(d, "shop").update(tags=["shop_category:jewellery"], source_id="IFC-42")
    lay = layout_from_dict(d)
    assert lay.spaces["shop"].tags == ("shop_category:jewellery", "source:IFC-42")
    out = layout_to_dict(lay)
    assert space(out, "shop")["tags"] == ["shop_category:jewellery"]
    assert space(out, "shop")["source_id"] == "IFC-42"


def test_layout_error_is_a_safemall_error_with_parts(tmp_path: Path) -> None:
    d = base()
    opening(d, "d")["width_m"] = 0
    with pytest.raises(SafeMallError) as info:
        load_layout(write(tmp_path, d))
    err = info.value
    assert isinstance(err, LayoutError)
    assert err.field == "openings['d'].width_m" and err.source.endswith("bad.toml")
    assert "\n" not in str(err)


# ---------------------------------------------------------------- one test per error
def load_bad(tmp_path: Path, d: dict[str, Any]) -> None:
    load_layout(write(tmp_path, d))


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match=r"missing\.toml: cannot read file"):
        load_layout(tmp_path / "missing.toml")


def test_not_toml(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text("schema = [", encoding="utf-8")
    with pytest.raises(LayoutError, match=r"bad\.toml: not valid TOML"):
        load_layout(p)


def test_wrong_schema(tmp_path: Path) -> None:
    d = base()
    d["schema"] = "safemall/layout/9"
    with pytest.raises(LayoutError, match=r"bad\.toml: schema: unknown value"):
        load_bad(tmp_path, d)


def test_unknown_key_top_level(tmp_path: Path) -> None:
    d = base()
    d["colour"] = "red"
    with pytest.raises(LayoutError, match=r"bad\.toml: colour: unknown key"):
        load_bad(tmp_path, d)


def test_unknown_key_in_space(tmp_path: Path) -> None:
    d = base()
    space(d, "shop")["colour"] = "red"
    with pytest.raises(LayoutError, match=r"bad\.toml: spaces\['shop'\]\.colour: unknown key"):
        load_bad(tmp_path, d)


def test_unknown_key_in_opening(tmp_path: Path) -> None:
    d = base()
    opening(d, "d")["swing"] = "in"
    with pytest.raises(LayoutError, match=r"bad\.toml: openings\['d'\]\.swing: unknown key"):
        load_bad(tmp_path, d)


def test_unknown_space_kind(tmp_path: Path) -> None:
    d = base()
    space(d, "shop")["kind"] = "cinema"
    with pytest.raises(LayoutError,
                       match=r"bad\.toml: spaces\['shop'\]\.kind: unknown value 'cinema'"):
        load_bad(tmp_path, d)


def test_unknown_opening_kind(tmp_path: Path) -> None:
    d = base()
    opening(d, "d")["kind"] = "window"
    with pytest.raises(LayoutError,
                       match=r"bad\.toml: openings\['d'\]\.kind: unknown value 'window'"):
        load_bad(tmp_path, d)


def test_missing_required_field(tmp_path: Path) -> None:
    d = base()
    del opening(d, "d")["width_m"]
    with pytest.raises(LayoutError,
                       match=r"bad\.toml: openings\['d'\]\.width_m: required field is missing"):
        load_bad(tmp_path, d)


def test_duplicate_space_id(tmp_path: Path) -> None:
    d = base()
    d["spaces"].append(copy.deepcopy(space(d, "shop")))
    with pytest.raises(LayoutError, match=r"bad\.toml: spaces\['shop'\]\.id: duplicate space id"):
        load_bad(tmp_path, d)


def test_duplicate_opening_id(tmp_path: Path) -> None:
    d = base()
    d["openings"].append(copy.deepcopy(opening(d, "d")))
    with pytest.raises(LayoutError,
                       match=r"bad\.toml: openings\['d'\]\.id: duplicate opening id"):
        load_bad(tmp_path, d)


def test_duplicate_level_id(tmp_path: Path) -> None:
    d = base()
    d["levels"].append({"id": "L1", "elevation_m": 5.0})
    with pytest.raises(LayoutError, match=r"bad\.toml: levels\['L1'\]\.id: duplicate level id"):
        load_bad(tmp_path, d)


def test_missing_level_reference(tmp_path: Path) -> None:
    d = base()
    space(d, "shop")["level"] = "L9"
    with pytest.raises(LayoutError,
                       match=r"bad\.toml: spaces\['shop'\]\.level: unknown level 'L9'"):
        load_bad(tmp_path, d)


def test_missing_stair_level_reference(tmp_path: Path) -> None:
    d = base()
    d["spaces"].append({"id": "st", "kind": "stair", "levels": ["L1", "L7"],
                        "rect": [20, 0, 3, 6]})
    with pytest.raises(LayoutError,
                       match=r"bad\.toml: spaces\['st'\]\.levels: unknown level 'L7'"):
        load_bad(tmp_path, d)


def test_stair_with_three_levels(tmp_path: Path) -> None:
    d = base()
    d["levels"] += [{"id": "L2", "elevation_m": 5}, {"id": "L3", "elevation_m": 10}]
    d["spaces"].append({"id": "st", "kind": "stair", "levels": ["L1", "L2", "L3"],
                        "rect": [20, 0, 3, 6]})
    with pytest.raises(LayoutError, match=r"bad\.toml: spaces\['st'\]\.levels: a stair joins"):
        load_bad(tmp_path, d)


def test_missing_space_reference(tmp_path: Path) -> None:
    d = base()
    opening(d, "d")["between"] = ["shop", "nowhere"]
    with pytest.raises(LayoutError,
                       match=r"bad\.toml: openings\['d'\]\.between: unknown space 'nowhere'"):
        load_bad(tmp_path, d)


def test_opening_joins_a_space_to_itself(tmp_path: Path) -> None:
    d = base()
    opening(d, "d")["between"] = ["shop", "shop"]
    with pytest.raises(LayoutError, match=r"bad\.toml: openings\['d'\]\.between: "):
        load_bad(tmp_path, d)


def test_non_positive_opening_width(tmp_path: Path) -> None:
    d = base()
    opening(d, "d")["width_m"] = -2.0
    with pytest.raises(LayoutError,
                       match=r"bad\.toml: openings\['d'\]\.width_m: must be > 0(\.0)?, got -2\.0"):
        load_bad(tmp_path, d)


def test_non_positive_rect_width(tmp_path: Path) -> None:
    d = base()
    space(d, "shop")["rect"] = [0, 6, 0, 10]
    with pytest.raises(LayoutError, match=r"bad\.toml: spaces\['shop'\]\.rect: width and depth"):
        load_bad(tmp_path, d)


def test_non_positive_sales_area(tmp_path: Path) -> None:
    d = base()
    d["mall"]["sales_area_m2"] = 0
    with pytest.raises(LayoutError, match=r"bad\.toml: mall\.sales_area_m2: must be > 0"):
        load_bad(tmp_path, d)


def test_zero_area_polygon(tmp_path: Path) -> None:
    d = base()
    s = space(d, "shop")
    del s["rect"]
    s["polygon"] = [[0, 6], [5, 6], [10, 6]]  # flat: GEOS calls the ring non-simple
    with pytest.raises(LayoutError, match=r"bad\.toml: spaces\['shop'\]\.polygon: polygon "
                                          r"(has zero area|intersects itself)"):
        load_bad(tmp_path, d)


def test_non_positive_stair_length(tmp_path: Path) -> None:
    d = base()
    d["spaces"].append({"id": "st", "kind": "stair", "level": "L1", "rect": [20, 0, 3, 6],
                        "length_m": 0})
    with pytest.raises(LayoutError, match=r"bad\.toml: spaces\['st'\]\.length_m: must be > 0"):
        load_bad(tmp_path, d)


def test_self_intersecting_polygon(tmp_path: Path) -> None:
    d = base()
    s = space(d, "shop")
    del s["rect"]
    s["polygon"] = [[0, 6], [10, 16], [10, 6], [0, 16]]  # a bow tie
    with pytest.raises(LayoutError,
                       match=r"bad\.toml: spaces\['shop'\]\.polygon: polygon intersects itself"):
        load_bad(tmp_path, d)


def test_polygon_and_rect_together(tmp_path: Path) -> None:
    d = base()
    space(d, "shop")["polygon"] = [[0, 6], [10, 6], [10, 16]]
    with pytest.raises(LayoutError, match=r"bad\.toml: spaces\['shop'\]\.rect: give either"):
        load_bad(tmp_path, d)


def test_space_without_geometry(tmp_path: Path) -> None:
    d = base()
    del space(d, "shop")["rect"]
    with pytest.raises(LayoutError, match=r"bad\.toml: spaces\['shop'\]\.polygon: required"):
        load_bad(tmp_path, d)


def test_opening_midpoint_far_from_both_spaces(tmp_path: Path) -> None:
    d = base()
    opening(d, "d")["at"] = [50, 50]
    with pytest.raises(LayoutError, match=r"bad\.toml: openings\['d'\]\.at: midpoint .* from "
                                          r"both spaces"):
        load_bad(tmp_path, d)


def test_opening_between_levels_that_do_not_meet(tmp_path: Path) -> None:
    d = base()
    d["levels"].append({"id": "L2", "elevation_m": 5.0})
    space(d, "shop")["level"] = "L2"
    with pytest.raises(LayoutError, match=r"bad\.toml: openings\['d'\]\.between: .* share no "
                                          r"level"):
        load_bad(tmp_path, d)


def test_unreachable_space(tmp_path: Path) -> None:
    d = base()
    d["spaces"].append({"id": "island", "level": "L1", "kind": "shop", "rect": [30, 0, 5, 5]})
    with pytest.raises(LayoutError,
                       match=r"bad\.toml: spaces\['island'\]: cannot reach any exit"):
        load_bad(tmp_path, d)


def test_exit_without_opening(tmp_path: Path) -> None:
    d = base()
    d["spaces"].append({"id": "lonely", "level": "L1", "kind": "exit"})
    with pytest.raises(LayoutError, match=r"bad\.toml: spaces\['lonely'\]: exit has no opening"):
        load_bad(tmp_path, d)


def test_no_exit(tmp_path: Path) -> None:
    d = base()
    d["spaces"] = [s for s in d["spaces"] if s["kind"] != "exit"]
    d["openings"] = [o for o in d["openings"] if o["id"] != "south"]
    with pytest.raises(LayoutError, match=r"bad\.toml: spaces: layout has no exit"):
        load_bad(tmp_path, d)


def test_no_levels(tmp_path: Path) -> None:
    d = base()
    d["levels"] = []
    with pytest.raises(LayoutError, match=r"bad\.toml: levels: "):
        load_bad(tmp_path, d)
