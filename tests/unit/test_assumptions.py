"""The assumptions register: declarations, scenario overrides, and what runs use."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.model import assumptions as asm
from sim.model.scenario import parse_scenario
from tests.conftest import hazard_runs
from tests.unit.test_hazard_common import plan_file, run

ROOT = Path(__file__).resolve().parents[2]


def _scn(**kw: Any) -> Any:
    """The scenario's own settings, checked before any file it names is read."""
    return parse_scenario({"schema": "safemall/scenario/1", "layout": "x.toml", **kw},
                          source="s.toml").settings


def _plan_without_police_time(tmp_path: Path) -> str:
    p = Path(plan_file(tmp_path))
    p.write_text(p.read_text().replace("police_travel_s = 300.0\n", ""))
    return str(p)


# ---------------------------------------------------------------- declarations
def test_every_declaring_module_is_loaded_by_the_register() -> None:
    declaring = set()
    for path in (ROOT / "sim").rglob("*.py"):
        if re.search(r"\bdeclare\(\s*f?\"", path.read_text(encoding="utf-8")):
            declaring.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
    loaded = {a.module for a in asm.all_assumptions()}
    assert declaring, "no declarations found"
    assert declaring <= loaded, f"not loaded by PROVIDERS: {declaring - loaded}"


def test_a_key_cannot_be_declared_twice() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        asm.declare("knife.harm_rate_per_min", default=1.0, unit="x", low=0.5, high=2,
                    dist="uniform", source="s", status="assumed", name="n",
                    used_by=("attack",))


def test_invalid_declarations_are_refused() -> None:
    kw: dict[str, Any] = {"unit": "x", "dist": "uniform", "source": "s",
                          "status": "assumed", "name": "n", "used_by": ("attack",)}
    with pytest.raises(ValueError, match="low <= default"):
        asm.declare("test.bad_range", default=5, low=0, high=1, **kw)
    with pytest.raises(ValueError, match="loguniform"):
        asm.declare("test.bad_log", default=1, low=0, high=2, **kw | {"dist": "loguniform"})
    with pytest.raises(ValueError, match="dotted"):
        asm.declare("NoDots", default=1, low=0, high=2, **kw)
    assert "test.bad_range" not in asm.defaults()


def test_every_assumption_states_source_status_and_range() -> None:
    for a in asm.all_assumptions():
        assert a.status in ("sourced", "fitted", "assumed")
        assert a.low <= a.default <= a.high and a.source and a.unit and a.name
        if a.status == "sourced":
            assert a.source != "assumed", a.key


def test_quantiles_of_each_distribution() -> None:
    base: dict[str, Any] = {"name": "n", "unit": "u", "source": "s", "status": "assumed",
                            "used_by": ("x",)}
    uni = asm.Assumption(key="t.u", default=2, low=1, high=3, dist="uniform", **base)
    assert uni.from_unit(np.array([0, 0.25, 1])).tolist() == [1, 1.5, 3]
    log = asm.Assumption(key="t.l", default=10, low=1, high=100, dist="loguniform", **base)
    assert log.from_unit(0.5) == pytest.approx(10.0)  # geometric midpoint
    tri = asm.Assumption(key="t.t", default=2, low=0, high=10, dist="triangular", **base)
    assert tri.from_unit(0.2) == pytest.approx(2.0)  # F(mode) = (2 - 0) / (10 - 0)
    assert tri.from_unit(1.0) == pytest.approx(10.0)
    nrm = asm.Assumption(key="t.n", default=5, low=1, high=9, dist="normal", **base)
    assert nrm.from_unit(0.5) == pytest.approx(5.0)
    # sd = (9 - 1) / 4 = 2, truncated at ±2 sd: Φ(1) within the truncated law
    from scipy.stats import norm
    q = (norm.cdf(1) - norm.cdf(-2)) / (norm.cdf(2) - norm.cdf(-2))
    assert nrm.from_unit(q) == pytest.approx(7.0)
    itg = asm.Assumption(key="t.i", default=3, low=2, high=4, dist="uniform", integer=True,
                         **base)
    assert itg.from_unit(np.array([0.0, 0.2, 0.5, 0.8, 1.0])).tolist() == [2, 2, 3, 4, 4]


# ---------------------------------------------------------------- scenario overrides
def test_nested_and_dotted_overrides_are_flattened() -> None:
    s = _scn(assumptions={"knife": {"harm_rate_per_min": 5}, "police.travel_time_s": 240})
    assert s.assumptions == {"knife.harm_rate_per_min": 5.0, "police.travel_time_s": 240.0}


@pytest.mark.parametrize(("table", "field", "reason"), [
    ({"knife": {"harm_rate_per_mn": 5}}, "assumptions.knife.harm_rate_per_mn",
     "did you mean 'knife.harm_rate_per_min'"),
    ({"knife.fatality": 1.5}, "assumptions.knife.fatality", "outside the valid range"),
    ({"knife.fatality": "high"}, "assumptions.knife.fatality", "expected a number"),
    ({"knife.fatality": math.inf}, "assumptions.knife.fatality", "finite"),
    ({"attack.guards_required": 2.5}, "assumptions.attack.guards_required", "whole number"),
])
def test_bad_overrides_are_one_line_errors(table: dict[str, Any], field: str,
                                           reason: str) -> None:
    with pytest.raises(ScenarioError) as err:
        _scn(assumptions=table)
    assert err.value.field == field and reason in err.value.reason
    assert str(err.value).startswith("s.toml: ") and "\n" not in str(err.value)


def test_not_a_table() -> None:
    with pytest.raises(ScenarioError, match="assumptions: expected a table"):
        _scn(assumptions=3)


# ---------------------------------------------------------------- what a run uses
def test_register_defaults_are_what_a_run_uses(tmp_path: Path) -> None:
    """Nothing overridden: every value a run reads is the register's default, and the
    defaults are the documented figures (knife law fitted on five recorded attacks:
    9.09 per attacker-minute at 0.5 p/m², exponent 1.82, at most 76 per minute (Kawasaki),
    a 2.2 m/s attacker; share killed 70/362 pooled over 19 attacks, beta-binomial 0.20;
    police median 180 s, FBI and the 3-minute circle; 3 equipped responders to pin;
    alarm-bell pre-movement 60 ± 40 s)."""
    res = run([{"kind": "attack", "t_s": 5.0}], plan=_plan_without_police_time(tmp_path),
              count=200)
    w = res.world
    assert w.params == asm.defaults()
    atk = hazard_runs(w, "attack")[0]
    assert (atk.harm.rate_ref_per_min, atk.harm.exponent, atk.harm.rate_max_per_min,
            atk.p_fatal, atk.spec.speed_mps) == (9.09, 1.82, 76.0, 0.20, 2.2)
    assert (atk.spec.guards_required, atk.spec.struggle_s, atk.spec.density_ref_pm2) \
        == (3, 20.0, 0.5)
    assert isinstance(atk.spec.guards_required, int)
    assert w.alarm_chain.police_travel_s == 180.0  # median, FBI LEB 2014 and the 3-min circle
    d = w.scenario.cue_dist("alarm", "shop", w.params)
    assert (d.mean_s, d.sd_s) == (60.0, 40.0)
    assert w.scenario.cue_dist("panic", "shop", w.params).mean_s == 3.0


def test_overrides_reach_the_run(tmp_path: Path) -> None:
    plan = _plan_without_police_time(tmp_path)
    res = run([{"kind": "attack", "t_s": 5.0}], plan=plan, count=200,
              assumptions={"knife.harm_rate_per_min": 0.0, "police.travel_time_s": 123.0,
                           "premovement.alarm.mean_s": 90.0, "attack.guards_required": 2})
    w = res.world
    assert w.metrics["attack_victims"] == 0
    assert w.alarm_chain.police_travel_s == 123.0
    assert hazard_runs(w, "attack")[0].spec.guards_required == 2
    assert w.scenario.cue_dist("alarm", "shop", w.params).mean_s == 90.0


def test_a_scenario_value_beats_the_register(tmp_path: Path) -> None:
    """A field set in the scenario or plan is the user's choice, not an assumption."""
    res = run([{"kind": "attack", "t_s": 5.0, "struggle_s": 7.0}],
              plan=plan_file(tmp_path, police_s=200.0), count=50,
              premovement={"mean_s": 30.0},
              assumptions={"attack.struggle_s": 40.0, "police.travel_time_s": 400.0,
                           "premovement.alarm.mean_s": 90.0})
    w = res.world
    assert hazard_runs(w, "attack")[0].spec.struggle_s == 7.0
    assert w.alarm_chain.police_travel_s == 200.0
    d = w.scenario.cue_dist("alarm", "shop", w.params)
    assert (d.mean_s, d.sd_s) == (30.0, 40.0)


def test_param_of_an_unknown_key_names_a_close_match(tmp_path: Path) -> None:
    res = run([{"kind": "sabotage"}], count=5)
    with pytest.raises(KeyError, match=r"did you mean 'knife\.fatality'"):
        res.world.param("knife.fatalty")


def test_scenario_tags_select_what_its_hazards_use() -> None:
    tags = asm.used_by_tags([{"kind": "attack", "weapon": "knife"}], has_security=True)
    assert tags == {"evacuation", "security", "attack", "attack:knife"}
    keys = {a.key for a in asm.used_by_scenario(tags)}
    assert {"knife.harm_rate_per_min", "police.travel_time_s",
            "premovement.alarm.mean_s"} <= keys
    assert "firearm.harm_rate_per_min" not in keys
