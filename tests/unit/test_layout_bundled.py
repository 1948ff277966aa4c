"""The three bundled malls validate, meet GB 50016 and match the issue's targets."""

from __future__ import annotations

import tomllib
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from shapely.strtree import STRtree

from sim.analysis import egress_code as gb
from sim.engine.graphs import Network, build_network
from sim.io.layout_files import load_layout
from sim.model.layout import Layout

ROOT = Path(__file__).resolve().parents[2]

#: name: (sales area m², sales levels, parking levels, min ground exits, min stair towers,
#: min escalator pairs, atria)
TARGETS = {
    "compact": (12_000, 1, 0, 4, 0, 0, 1),
    "riverside": (26_000, 3, 1, 6, 4, 2, 1),
    "grand": (62_000, 5, 2, 10, 8, 4, 2),
}
MALL_NAMES = sorted(TARGETS)


@cache
def mall(name: str) -> tuple[Layout, Network]:
    lay = load_layout(ROOT / "layouts" / name / "layout.toml")
    return lay, build_network(lay)


@pytest.mark.parametrize("name", MALL_NAMES)
def test_mall_validates_without_warnings(name: str) -> None:
    lay, net = mall(name)
    assert [str(w) for w in gb.layout_warnings(lay, net)] == []


@pytest.mark.parametrize("name", MALL_NAMES)
def test_mall_matches_its_targets(name: str) -> None:
    area, n_sales, n_park, exits, stairs, esc_pairs, atria = TARGETS[name]
    lay, _ = mall(name)
    assert lay.mall.sales_area_m2 is None  # derived, not declared
    assert lay.sales_area_m2 == pytest.approx(area, rel=0.10)
    assert len(lay.sales_levels()) == n_sales
    assert len([lv for lv in lay.levels if lv.storey < 0]) == n_park
    assert len(lay.levels) == n_sales + n_park
    grade = gb.grade_levels(lay)[0].id
    assert len(gb.exterior_doors(lay, grade)) >= exits
    towers = [s for s in lay.iter_kind("stair") if set(s.levels) == {"L1", "L2"}]
    assert len(towers) >= stairs
    escalators = [s for s in lay.iter_kind("escalator") if set(s.levels) == {"L1", "L2"}]
    assert len(escalators) // 2 * (n_sales - 1) >= esc_pairs
    assert len([s for s in lay.iter_kind("atrium") if s.level == "L1"]) == atria
    for lv in lay.sales_levels():
        assert any(s.kind == "atrium" and s.level == lv.id for s in lay.spaces.values())
    if name == "compact":
        shops = [s for s in lay.iter_kind("shop") if "anchor" not in s.tags]
        assert 35 <= len(shops) <= 45


@pytest.mark.parametrize("name", MALL_NAMES)
def test_mall_egress_meets_gb_50016(name: str) -> None:
    lay, _ = mall(name)
    assert gb.exit_width_at_grade_m(lay) >= gb.required_exit_width_m(lay)
    have = gb.stair_width_m(lay)
    for lv, need in gb.required_stair_width_m(lay).items():
        assert have[lv] >= need.width_m, lv
    assert all(n >= 2 for n in gb.exits_per_level(lay).values())


@pytest.mark.parametrize("name", MALL_NAMES)
def test_mall_has_security_rooms_tags_and_plazas(name: str) -> None:
    lay, _ = mall(name)
    kinds = Counter(s.kind for s in lay.spaces.values())
    for kind in ("gate", "cctv_room", "duty_room", "finance_room", "service", "plaza"):
        assert kinds[kind] >= 1, kind
    tags = Counter(t for s in lay.spaces.values() for t in s.tags)
    assert tags["shop_category:jewellery"] >= 2 and tags["anchor"] >= 2
    assert tags["main_entrance"] >= 1 and tags["road"] >= 1
    assert any("main_entrance" in o.tags for o in lay.openings.values())
    for plaza in lay.iter_kind("plaza"):
        others = [lay.spaces[lay.openings[o].other(plaza.id)] for o in lay.openings_of[plaza.id]]
        assert any(s.kind == "exit" for s in others)   # the exit lies beyond the plaza
        assert any(s.kind == "corridor" for s in others)


@pytest.mark.parametrize("name", MALL_NAMES)
def test_mall_geometry_is_sane(name: str) -> None:
    lay, net = mall(name)
    assert len(net.cells) <= 2500
    for s in lay.iter_kind("shop"):
        if "anchor" in s.tags:
            assert s.area_m2 <= 2000 + 1e-6
        else:
            assert 60 <= s.area_m2 <= 400, s.id
    for s in lay.iter_kind("corridor"):
        assert 6 <= s.clear_width_m <= 8
    # no two spaces drawn on one level overlap, except stacked flights of one tower
    for lv in lay.level_ids():
        sp = [s for s in lay.spaces.values() if lv in s.levels and s.shape is not None]
        tree = STRtree([s.shape for s in sp])
        for i, s in enumerate(sp):
            for j in tree.query(s.shape):
                t = sp[int(j)]
                if j <= i or (s.is_vertical and t.is_vertical and s.polygon == t.polygon):
                    continue
                assert s.shape.intersection(t.shape).area < 1e-6, (lv, s.id, t.id)


@pytest.mark.parametrize("name", MALL_NAMES)
def test_security_placeholder_is_present(name: str) -> None:
    text = (ROOT / "layouts" / name / "security.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text)["schema"] == "safemall/security/1"
