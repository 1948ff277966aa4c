"""SM-1.3b band edges under both readings (docs/standards.md "Edge cases the plan leaves open")."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from sim.analysis.compliance import CheckOptions, check_static, sm13b_required
from sim.model.layout_schema import layout_from_dict
from sim.model.security_plan import plan_from_dict, required_guards

SMALL = Path(__file__).parents[1] / "fixtures" / "compliance" / "small"

#: area (m²) → (strict, lenient) required guards; None: the plan sets no number.
EDGES = {
    9_999: (None, None),
    10_000: (20, 20),
    20_000: (30, 20),
    30_000: (30, 30),
    30_001: (31, 30),
    31_000: (31, 31),
}


@pytest.mark.parametrize("area", list(EDGES))
def test_required_guards_at_band_edges(area: int) -> None:
    strict, lenient = EDGES[area]
    assert sm13b_required(area, "strict") == strict
    assert sm13b_required(area, "lenient") == lenient
    assert required_guards(area) == strict  # the strict reading is the plan module's default


def _check(area: float, guards: int, reading: str) -> tuple[str, str, tuple[str, ...]]:
    raw = tomllib.loads((SMALL / "layout.toml").read_text(encoding="utf-8"))
    raw["mall"]["sales_area_m2"] = area
    lay = layout_from_dict(raw)
    praw = copy.deepcopy(tomllib.loads((SMALL / "security.toml").read_text(encoding="utf-8")))
    praw["guards"]["total"] = guards
    plan = plan_from_dict(praw, lay)
    r = check_static(lay, plan, None, CheckOptions(reading=reading,  # type: ignore[arg-type]
                                                   clauses=("SM-1.3b",)))[0]
    return r.status, r.required, r.remedies


@pytest.mark.parametrize("reading", ["strict", "lenient"])
@pytest.mark.parametrize("area", list(EDGES))
def test_sm13b_verdict_at_band_edges(area: int, reading: str) -> None:
    need = EDGES[area][0 if reading == "strict" else 1]
    if need is None:
        status, required, remedies = _check(area, 0, reading)
        assert status == "not_specified"  # never a silent pass below 10,000 m²
        assert "no number" in required
        return
    assert _check(area, need, reading)[0] == "pass"
    status, _, remedies = _check(area, need - 1, reading)
    assert status == "fail"
    assert remedies[0].startswith("add 1 guards")


def test_large_mall_strict_counts_a_started_thousand() -> None:
    assert sm13b_required(63_984) == 64 and sm13b_required(63_984, "lenient") == 63
