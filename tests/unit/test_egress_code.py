"""GB 50016 helpers at the table values, and each layout warning with its clause."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from sim.analysis import egress_code as gb
from sim.errors import LayoutError
from sim.model.layout import Layout
from sim.model.layout_schema import layout_from_dict


def hall_layout(*, floors: list[tuple[str, float, float]] | None = None,
                exit_width: float = 50.0, extra: dict[str, list[dict[str, Any]]] | None = None,
                mall: dict[str, Any] | None = None, stair_width: float = 8.0) -> Layout:
    """Floors of one square shop hall each, joined by a wide stair; an exit at grade.

    ``floors`` lists (level id, elevation, hall side in m). The stairs are 8 m wide
    unless ``stair_width`` says otherwise.
    """
    floors = floors or [("L1", 0.0, 40.0)]
    levels = [{"id": lv, "elevation_m": z} for lv, z, _ in floors]
    spaces: list[dict[str, Any]] = []
    openings: list[dict[str, Any]] = []
    for lv, _, side in floors:
        spaces.append({"id": f"hall-{lv}", "level": lv, "kind": "shop",
                       "rect": [0, 0, side, side]})
    order = sorted(floors, key=lambda f: f[1])
    for (lo, _, _), (hi, _, _) in itertools.pairwise(order):
        sid = f"st-{lo}-{hi}"
        spaces.append({"id": sid, "kind": "stair", "levels": [lo, hi],
                       "rect": [-8, 0, 8, 20], "length_m": 10.0, "width_m": stair_width})
        openings.append({"id": f"{sid}-lo", "between": [f"hall-{lo}", sid], "width_m": 20.0,
                         "at": [0, 10], "level": lo})
        openings.append({"id": f"{sid}-hi", "between": [f"hall-{hi}", sid], "width_m": 20.0,
                         "at": [0, 10], "level": hi})
    grade = next(lv for lv, z, _ in floors if z == 0.0)
    spaces.append({"id": "out", "level": grade, "kind": "exit"})
    openings.append({"id": "main", "between": [f"hall-{grade}", "out"],
                     "width_m": exit_width, "at": [20, 0]})
    for key, items in (extra or {}).items():
        (spaces if key == "spaces" else openings).extend(items)
    return layout_from_dict({"schema": "safemall/layout/1",
                             "mall": {"name": "T", **(mall or {})}, "levels": levels,
                             "spaces": spaces, "openings": openings})


# ---------------------------------------------------------------- densities (5.5.21-2)
@pytest.mark.parametrize(("storey", "low", "high"), [
    (1, 0.43, 0.60), (2, 0.43, 0.60), (3, 0.39, 0.54), (4, 0.30, 0.42), (9, 0.30, 0.42),
    (-1, 0.60, 0.60), (-2, 0.56, 0.56), (-3, 0.56, 0.56)])
def test_design_density_table(storey: int, low: float, high: float) -> None:
    assert gb.design_density(storey, "low") == low
    assert gb.design_density(storey, "high") == high
    assert gb.design_density(storey) == high


def test_design_density_rejects_other_ends() -> None:
    with pytest.raises(ValueError, match="high"):
        gb.design_density(1, "mid")  # type: ignore[arg-type]


# ---------------------------------------------------------------- widths (5.5.21-1)
@pytest.mark.parametrize(("storeys", "grade", "width"), [
    (1, 1, 0.65), (2, 2, 0.65), (2, 3, 0.75), (2, 4, 1.00), (3, 1, 0.75), (3, 2, 0.75),
    (3, 3, 1.00), (4, 1, 1.00), (6, 2, 1.00), (5, 3, 1.25)])
def test_width_per_100_table(storeys: int, grade: int, width: float) -> None:
    assert gb.width_per_100_m(storeys, grade) == width


@pytest.mark.parametrize(("storeys", "grade"), [(3, 4), (4, 4)])
def test_width_per_100_not_permitted(storeys: int, grade: int) -> None:
    with pytest.raises(LayoutError, match=r"mall\.fire_resistance_grade: table 5\.5\.21-1"):
        gb.width_per_100_m(storeys, grade)


@pytest.mark.parametrize(("depth", "width"), [(4.5, 0.75), (10.0, 0.75), (10.1, 1.00)])
def test_width_per_100_underground(depth: float, width: float) -> None:
    assert gb.width_per_100_underground_m(depth) == width


def test_width_underground_needs_grade_1_or_2() -> None:
    with pytest.raises(LayoutError):
        gb.width_per_100_underground_m(5.0, grade=3)


# ---------------------------------------------------------------- occupancy and requirements
def test_design_occupancy_per_level() -> None:
    lay = hall_layout(floors=[("B1", -5.0, 10.0), ("L1", 0.0, 40.0), ("L2", 5.0, 40.0),
                              ("L3", 10.0, 30.0), ("L4", 15.0, 20.0)])
    high = gb.design_occupancy(lay)
    assert high.area_m2 == {"B1": 100, "L1": 1600, "L2": 1600, "L3": 900, "L4": 400}
    assert high.persons == {"B1": 60, "L1": 960, "L2": 960, "L3": 486, "L4": 168}
    assert high.total == 60 + 960 + 960 + 486 + 168
    low = gb.design_occupancy(lay, "low")
    assert low.persons == {"B1": 60, "L1": 688, "L2": 688, "L3": 351, "L4": 120}


def test_showrooms_count_at_thirty_percent() -> None:
    lay = hall_layout(extra={"spaces": [
        {"id": "sofa", "level": "L1", "kind": "shop", "rect": [40, 0, 10, 10],
         "tags": ["shop_category:furniture"]}], "openings": [
        {"id": "sofa-door", "between": ["sofa", "hall-L1"], "width_m": 2.0, "at": [40, 5]}]})
    occ = gb.design_occupancy(lay)
    assert occ.area_m2["L1"] == pytest.approx(1600 + 100 * 0.3)


def test_required_exit_width_one_storey() -> None:
    lay = hall_layout(floors=[("L1", 0.0, math.sqrt(1000.0))])
    assert gb.required_exit_width_m(lay) == pytest.approx(600 * 0.65 / 100)
    req = gb.exit_width_requirement(lay, "low")
    assert (req.persons, req.index_m_per_100, req.governing_level) == (430, 0.65, "L1")


def test_required_exit_width_uses_most_populated_floor_and_storey_count() -> None:
    # 4 storeys -> 1.00 m/100; L2 (0.60 x 1600 = 960) governs, not the sum of floors
    lay = hall_layout(floors=[("L1", 0.0, 30.0), ("L2", 5.0, 40.0), ("L3", 10.0, 40.0),
                              ("L4", 15.0, 40.0)])
    req = gb.exit_width_requirement(lay)
    assert req.governing_level == "L2" and req.persons == 960
    assert req.width_m == pytest.approx(9.60)
    assert "9.60 m for 960 persons on L2 at 1.00 m/100 persons" in str(req)


def test_required_stair_width_floor_by_floor() -> None:
    lay = hall_layout(floors=[("B2", -11.0, 20.0), ("B1", -5.0, 10.0), ("L1", 0.0, 40.0),
                              ("L2", 5.0, 30.0), ("L3", 10.0, 40.0)])
    need = gb.required_stair_width_m(lay)
    # above grade: 3 storeys -> 0.75; L2 carries max(L2 = 540, L3 = 864)
    assert need["L2"].persons == 864 and need["L2"].governing_level == "L3"
    assert need["L2"].width_m == pytest.approx(864 * 0.75 / 100)
    assert need["L3"].persons == 864
    # below grade: B1 carries max(B1 = 60, B2 = 224); B2 is 11 m down -> 1.00
    assert need["B1"].persons == 224 and need["B1"].index_m_per_100 == 0.75
    assert need["B2"].index_m_per_100 == 1.00
    assert "L1" not in need
    have = gb.stair_width_m(lay)
    assert have["L2"] == pytest.approx(8.0) and have["B2"] == pytest.approx(8.0)


def test_exterior_doors_and_exits_per_level() -> None:
    lay = hall_layout(floors=[("L1", 0.0, 40.0), ("L2", 5.0, 40.0)])
    assert [o.id for o in gb.exterior_doors(lay)] == ["main"]
    assert gb.exit_width_at_grade_m(lay) == 50.0
    assert gb.exits_per_level(lay) == {"L1": 1, "L2": 1}


# ---------------------------------------------------------------- warnings
def clauses(lay: Layout) -> list[tuple[str, str]]:
    return [(w.field, w.clause) for w in gb.layout_warnings(lay)]


def two_exits() -> dict[str, list[dict[str, Any]]]:
    return {"spaces": [{"id": "out2", "level": "L1", "kind": "exit"}],
            "openings": [{"id": "back", "between": ["hall-L1", "out2"], "width_m": 2.0,
                          "at": [20, 20]}]}


def test_clean_layout_has_no_warnings() -> None:
    lay = hall_layout(floors=[("L1", 0.0, 20.0)], extra=two_exits())
    assert gb.layout_warnings(lay) == []


def test_warning_narrow_door() -> None:
    extra = two_exits()
    extra["openings"][0]["width_m"] = 0.8
    w = gb.layout_warnings(hall_layout(floors=[("L1", 0.0, 20.0)], extra=extra))
    assert [str(x) for x in w] == [
        "openings['back'].width_m: door 0.80 m is narrower than 0.90 m [GB 50016 5.5.18]"]


def test_narrow_opening_of_kind_opening_is_not_a_door() -> None:
    extra = two_exits()
    extra["openings"][0].update(width_m=0.8, kind="opening")
    assert gb.layout_warnings(hall_layout(floors=[("L1", 0.0, 20.0)], extra=extra)) == []


def test_warning_narrow_corridor_and_stair() -> None:
    extra = two_exits()
    extra["spaces"].append({"id": "slot", "level": "L1", "kind": "corridor",
                            "rect": [20, 0, 8, 1.0]})
    extra["openings"].append({"id": "slot-door", "between": ["slot", "hall-L1"],
                              "width_m": 1.0, "at": [20, 0.5]})
    extra["spaces"].append({"id": "ladder", "level": "L1", "kind": "stair",
                            "rect": [0, 20, 2, 4], "width_m": 0.9})
    extra["openings"].append({"id": "ladder-door", "between": ["ladder", "hall-L1"],
                              "width_m": 0.9, "at": [1, 20]})
    found = clauses(hall_layout(floors=[("L1", 0.0, 20.0)], extra=extra))
    assert ("spaces['slot'].polygon", "GB 50016 5.5.18") in found
    assert ("spaces['ladder'].width_m", "GB 50016 5.5.18") in found


def test_warning_travel_distance_sprinklered_and_not() -> None:
    # a 40 m deep hall with its only exits on the near wall: the far corners are ~40 m away
    floors = [("L1", 0.0, 40.0)]
    extra = {"spaces": [{"id": "out2", "level": "L1", "kind": "exit"}],
             "openings": [{"id": "side", "between": ["hall-L1", "out2"], "width_m": 30.0,
                           "at": [35, 0]}]}
    lay = hall_layout(floors=floors, extra=extra)
    d, _ = gb.travel_distances_m(lay, gb.build_network(lay))["hall-L1"]
    assert 40.0 < d < 48.0
    w = gb.layout_warnings(lay)
    assert [x.clause for x in w] == ["GB 50016 5.5.17"]
    assert "limit 37.5 m, sprinklered" in w[0].message
    dry = hall_layout(floors=floors, extra=extra, mall={"sprinklered": False})
    assert "limit 30 m)" in gb.layout_warnings(dry)[0].message


def test_travel_distance_along_a_corridor() -> None:
    lay = layout_from_dict({
        "schema": "safemall/layout/1", "mall": {"name": "T"},
        "levels": [{"id": "L1", "elevation_m": 0}],
        "spaces": [{"id": "c", "level": "L1", "kind": "corridor", "rect": [0, 0, 40, 4]},
                   {"id": "out", "level": "L1", "kind": "exit"}],
        "openings": [{"id": "e", "between": ["c", "out"], "width_m": 4, "at": [0, 2]}]})
    d, pt = gb.travel_distances_m(lay, gb.build_network(lay))["c"]
    # far corner (40, 4) -> virtual cut (20, 2) -> exit door (0, 2)
    assert d == pytest.approx(math.hypot(20, 2) + 20, abs=1e-6)
    assert pt[0] == pytest.approx(40.0)


def test_warning_single_exit_and_short_exit_width() -> None:
    lay = hall_layout(floors=[("L1", 0.0, 20.0)], exit_width=1.0)
    found = clauses(lay)
    assert ("levels['L1']", "GB 50016 5.5.8") in found
    # 400 m2 x 0.60 = 240 persons x 0.65 / 100 = 1.56 m > 1.0 m
    assert ("openings", "GB 50016 5.5.21") in found
    msg = next(w.message for w in gb.layout_warnings(lay) if w.field == "openings")
    assert "1.00 m < 1.56 m for 240 persons on L1" in msg


def test_warning_short_stairs_and_single_stair_upstairs() -> None:
    lay = hall_layout(floors=[("L1", 0.0, 20.0), ("L2", 5.0, 40.0)], extra=two_exits())
    narrow = hall_layout(floors=[("L1", 0.0, 20.0), ("L2", 5.0, 40.0)], extra=two_exits(),
                         stair_width=2.0)
    assert ("levels['L2']", "GB 50016 5.5.8") in clauses(lay)   # one stair only
    found = [str(w) for w in gb.layout_warnings(narrow) if "stairs towards grade" in w.message]
    # L2: 1600 m2 x 0.60 = 960 persons x 0.65 / 100 = 6.24 m > 2.0 m
    assert found == ["levels['L2']: stairs towards grade total 2.00 m < 6.24 m for 960 persons "
                     "on L2 at 0.65 m/100 persons [GB 50016 5.5.21]"]


def test_warning_for_a_building_the_code_does_not_permit() -> None:
    lay = hall_layout(floors=[("L1", 0.0, 20.0), ("L2", 5.0, 20.0), ("L3", 10.0, 20.0)],
                      mall={"fire_resistance_grade": 4}, extra=two_exits())
    found = clauses(lay)
    assert ("mall.fire_resistance_grade", "GB 50016 5.5.21") in found
