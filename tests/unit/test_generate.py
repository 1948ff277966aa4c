"""The parametric mall generator: determinism, geometry rules, files it writes."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from sim.analysis.egress_code import layout_warnings
from sim.errors import SafeMallError
from sim.generate.mall import (
    MALLS,
    SECURITY_PLACEHOLDER,
    _stair_geometry,
    build_mall,
    generate_layout,
    generate_toml,
    write_mall,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("height", [3.6, 4.5, 5.0, 5.5, 6.0])
def test_stair_geometry_keeps_risers_between_160_and_170_mm(height: float) -> None:
    riser, length = _stair_geometry(height)
    assert 160.0 <= riser <= 170.0
    assert length > height


def test_generation_is_deterministic() -> None:
    assert generate_toml("compact") == generate_toml("compact")


@pytest.mark.parametrize("name", sorted(MALLS))
def test_committed_malls_match_the_generator(name: str) -> None:
    committed = (ROOT / "layouts" / name / "layout.toml").read_text(encoding="utf-8")
    assert committed == generate_toml(name), (
        f"layouts/{name}/layout.toml is stale: run `safemall layout generate {name}`")


def test_generated_text_parses_back_to_the_same_layout() -> None:
    lay = generate_layout("riverside")
    from sim.model.layout_schema import layout_from_dict, layout_to_dict

    again = layout_from_dict(tomllib.loads(generate_toml("riverside")))
    assert layout_to_dict(again) == layout_to_dict(lay)


def test_unknown_mall_name() -> None:
    with pytest.raises(SafeMallError, match=r"NAME: unknown mall 'mega'; choose one of compact"):
        generate_layout("mega")


def test_write_mall_writes_layout_and_keeps_an_existing_security_plan(tmp_path: Path) -> None:
    path = write_mall("compact", tmp_path / "m")
    assert path == tmp_path / "m" / "layout.toml" and path.exists()
    sec = tmp_path / "m" / "security.toml"
    assert sec.read_text(encoding="utf-8") == SECURITY_PLACEHOLDER
    assert tomllib.loads(SECURITY_PLACEHOLDER) == {"schema": "safemall/security/1"}
    sec.write_text('schema = "safemall/security/1"\n# filled\n', encoding="utf-8")
    write_mall("compact", tmp_path / "m")
    assert sec.read_text(encoding="utf-8").endswith("# filled\n")


@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_still_meet_gb_50016(seed: int) -> None:
    lay = build_mall(replace(MALLS["riverside"], seed=seed))
    assert layout_warnings(lay) == []


def test_generated_stairs_follow_the_rules() -> None:
    lay = generate_layout("grand")
    elev = {lv.id: lv.elevation_m for lv in lay.levels}
    order = [lv.id for lv in lay.levels]
    for s in lay.iter_kind("stair"):
        lo, hi = s.levels
        assert elev[lo] < elev[hi] and order.index(hi) == order.index(lo) + 1, s.id
        assert s.length_m is not None and s.length_m > elev[hi] - elev[lo]
        if "ramp" in s.tags:
            continue
        assert s.riser_mm is not None and 160 <= s.riser_mm <= 170, s.id
        assert s.tread_mm == 280
        assert s.width_m is not None and s.width_m >= 1.1


def test_wider_spec_gives_more_sales_area() -> None:
    small = build_mall(MALLS["compact"])
    big = build_mall(replace(MALLS["compact"], length_m=MALLS["compact"].length_m + 20))
    assert big.derived_sales_area_m2 > small.derived_sales_area_m2 + 1000
