"""Dynamic checks: scenario discovery, target definitions, judging, the run plumbing."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from sim.analysis.compliance.dynamic import (
    Target,
    discover_scenarios,
    judge,
    load_targets,
    run_dynamic,
    scenario_family,
)
from sim.analysis.compliance.inputs import resolve_inputs
from sim.errors import ScenarioError

ROOT = Path(__file__).parents[2]


def test_bundled_targets_load_and_cite_their_source() -> None:
    tg = load_targets()
    ids = {t.id for t in tg}
    assert {"alarm-p95", "responder-p95", "rset-aset", "density-congestion",
            "density-critical", "neutralised-p95"} <= ids
    assert all(t.cites and t.clauses for t in tg)
    assert next(t for t in tg if t.id == "responder-p95").value == 180.0


@pytest.mark.parametrize(("text", "field"), [
    ('[[targets]]\nid = "x"\ntitle = "x"\nmetric = "m"\nvalue = 1\nstat = "median"\n',
     "targets['x'].stat"),
    ('[[targets]]\nid = "x"\ntitle = "x"\nmetric = "m"\nvalue = 1\nfamilies = ["flood"]\n',
     "targets[0].families"),
    ('[[targets]]\nid = "x"\ntitle = "x"\nmetric = "m"\n', "targets['x'].value"),
])
def test_bad_target_file_is_one_line(tmp_path: Path, text: str, field: str) -> None:
    f = tmp_path / "t.toml"
    f.write_text('schema = "safemall/targets/1"\n' + text, encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_targets(f)
    assert f"{f}: {field}: " in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.parametrize(("stem", "family"), [
    ("drill_grand", "drill"), ("fire_atrium_grand_unsprinklered", "fire"),
    ("atrium_crush_riverside", "crush"), ("knife_attack_grand", "attack"),
    ("vehicle_ramming_riverside", "attack"), ("robbery_grand", "robbery"),
    ("explosion_compact", "explosion"), ("evening_grand", "other")])
def test_scenario_family_from_name(stem: str, family: str) -> None:
    assert scenario_family(stem) == family


def test_discovery_matches_the_mall_as_a_word(tmp_path: Path) -> None:
    for name in ("drill_grand", "fire_shop_grand", "knife_attack_grand", "drill_grandiose",
                 "drill_compact", "crush_exit_grand_peak"):
        (tmp_path / f"{name}.toml").write_text("", encoding="utf-8")
    (tmp_path / "batches").mkdir()
    (tmp_path / "batches" / "sweep_grand.toml").write_text("", encoding="utf-8")
    got = [(f, p.stem) for f, p in discover_scenarios("grand", tmp_path)]
    assert got == [("drill", "drill_grand"), ("fire", "fire_shop_grand"),
                   ("crush", "crush_exit_grand_peak"), ("attack", "knife_attack_grand")]
    assert discover_scenarios("grand", tmp_path / "nowhere") == []


def _t(**kw: Any) -> Target:
    base: dict[str, Any] = {"id": "t", "title": "t", "metric": "x", "value": 10.0}
    return Target(**{**base, **kw})


def test_judge_statuses() -> None:
    runs = [{"x": float(v)} for v in range(1, 21)]
    assert judge(_t(stat="p95"), "s", "drill", runs).status == "fail"  # p95 = 19.05
    assert judge(_t(stat="p95", value=20), "s", "drill", runs).status == "pass"
    assert judge(_t(stat="mean"), "s", "drill", runs).status == "fail"
    assert judge(_t(metric="y"), "s", "drill", runs).status == "not_applicable"
    assert judge(_t(families=["attack"]), "s", "drill", runs).status == "not_applicable"
    # several runs that never reached the state: p95 over them is "never", not NaN
    j = judge(_t(stat="p95", value=20), "s", "drill", [{"x": 1.0}] * 4 + [{"x": None}] * 2)
    assert j.status == "fail" and "p95 = never" in j.actual and j.estimate is None
    nulls = [{"x": 1.0}] * 19 + [{"x": None}]
    j = judge(_t(stat="max"), "s", "drill", nulls)
    assert j.status == "fail" and "counted as worst" in j.actual
    # judged on the unrounded value, which is shown: 3.996 p/m² is below 4
    j = judge(_t(value=4.0, op="<", stat="max"), "s", "fire", [{"x": 3.996}])
    assert j.status == "pass" and "max = 3.996" in j.actual
    j = judge(_t(value=180.0, op="<=", stat="max"), "s", "fire", [{"x": 180.04}])
    assert j.status == "fail" and "max = 180.04" in j.actual


def test_judge_ratio_with_safety_factor() -> None:
    t = _t(metric="rset_s", divide_by="aset_min_s", factor=1.25, value=1.0, stat="max")
    assert judge(t, "s", "fire", [{"rset_s": 100.0, "aset_min_s": 130.0}]).status == "pass"
    assert judge(t, "s", "fire", [{"rset_s": 100.0, "aset_min_s": 120.0}]).status == "fail"
    # nothing became untenable: ASET unbounded, ratio 0, and the page says why
    j = judge(t, "s", "fire", [{"rset_s": 100.0, "aset_min_s": None}] * 2)
    assert j.status == "pass" and "2 with no aset_min_s: ratio 0" in j.actual
    # somebody never got out: RSET unbounded
    assert judge(t, "s", "fire", [{"rset_s": None, "aset_min_s": 50.0}]).status == "fail"


def test_run_dynamic_plumbing_with_a_fake_runner(tmp_path: Path) -> None:
    inp = resolve_inputs(ROOT / "layouts" / "compact")
    sdir = tmp_path / "scenarios"
    sdir.mkdir()
    for n in ("drill_compact", "knife_attack_compact", "fire_shop_compact"):
        (sdir / f"{n}.toml").write_text("", encoding="utf-8")
    seen: dict[str, Any] = {}

    def fake(paths: list[Path], overrides: tuple[str, ...], reps: int, seed: int,
             workers: int, progress: Any) -> dict[str, list[dict[str, Any] | str]]:
        seen.update(paths=paths, overrides=overrides, reps=reps, seed=seed)
        out: dict[str, list[dict[str, Any] | str]] = {}
        for p in paths:
            if "fire" in p.name:
                out[str(p)] = ["ValueError: broken"] * reps
            else:
                # an attack that starts at 100 s: the alarm 130 s into the run is 30 s
                # after the incident, the attacker stopped 250 s after entering
                out[str(p)] = [{"t_alarm_s": 130.0 + r, "t_alarm_after_incident_s": 30.0 + r,
                                "t_first_responder_after_incident_s": 200.0,
                                "peak_density_pm2": 2.0,
                                **({"t_neutralised_s": 350.0,
                                    "t_neutralised_after_incident_s": 250.0}
                                   if "attack" in p.name else {})}
                               for r in range(reps)]
        return out

    res = run_dynamic(inp, load_targets(), replications=5, scenario_dir=sdir, seed=7,
                      runner=fake)
    assert seen["reps"] == 5 and seen["seed"] == 7
    assert seen["overrides"] == (f'security.plan="{inp.plan_path.resolve()}"',)
    st = {(j.target.id, j.scenario): j.status for j in res.judgements}
    assert st[("alarm-p95", "drill_compact")] == "pass"
    assert st[("responder-p95", "drill_compact")] == "fail"
    assert st[("neutralised-p95", "drill_compact")] == "not_applicable"
    assert st[("neutralised-p95", "knife_attack_compact")] == "pass"
    assert st[("alarm-p95", "fire_shop_compact")] == "not_specified"
    assert any("no crush scenario" in n for n in res.notes)
    assert res.failed_runs


def test_run_dynamic_for_real_on_the_compact_drill(tmp_path: Path) -> None:
    inp = resolve_inputs(ROOT / "layouts" / "compact")
    sdir = tmp_path / "scenarios"
    sdir.mkdir()
    src = (ROOT / "scenarios" / "drill_compact.toml").read_text(encoding="utf-8")
    (sdir / "drill_compact.toml").write_text(
        src.replace('"../layouts/', f'"{ROOT}/layouts/'), encoding="utf-8")
    res = run_dynamic(inp, load_targets(), replications=2, workers=1, scenario_dir=sdir)
    alarm = next(j for j in res.judgements if j.target.id == "alarm-p95")
    assert alarm.n == 2 and alarm.status in ("pass", "fail")
    assert all(v is not None and math.isfinite(v) for v in alarm.values)
    assert not res.failed_runs


def test_an_alarm_that_never_sounds_fails_the_alarm_target_instead_of_vanishing() -> None:
    # the under-staffed plan has no camera in the car park: the car-park fire is never
    # reported and no alarm sounds; the metric must be null ("never"), not absent
    # ("not applicable"), so the alarm target fails
    from sim.io.scenario_files import load_scenario
    from sim.run.runner import run_scenario

    scn = load_scenario(ROOT / "scenarios" / "fire_carpark_grand.toml", overrides=[
        'security.plan="../layouts/grand/security-understaffed.toml"'])
    m = run_scenario(scn, seed=1).metrics
    assert m["t_incident_s"] == 30.0
    assert "t_alarm_s" in m and m["t_alarm_s"] is None
    alarm = next(t for t in load_targets() if t.id == "alarm-p95")
    j = judge(alarm, "fire_carpark_grand", "fire", [m])
    assert j.status == "fail" and "never" in j.actual
