"""The alarm chain's channels and their failures, and the staff's effect (issue 4)."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import SecurityPlanError
from sim.io.layout_files import load_layout
from sim.io.security_files import load_security_plan
from sim.model.scenario import scenario_from_dict
from sim.model.security_plan import apply_overrides, required_guards
from sim.run.runner import run_scenario
from tests.conftest import FIXTURES

LAYOUT = FIXTURES / "example_layout.toml"
PLAN = FIXTURES / "example_security.toml"


def _run(hazard: dict | None = None, *, security: dict | None = None, seed: int = 1,
         count: int = 300, **extra):
    raw = {"schema": "safemall/scenario/1", "layout": str(LAYOUT), "seed": seed,
           "occupants": {"count": count}, "duration_s": 2000,
           "security": {"plan": str(PLAN), **(security or {})}}
    if hazard is not None:
        raw["hazards"] = [hazard]
    raw.update(extra)
    lay = load_layout(LAYOUT)
    scn = scenario_from_dict(raw, layout=lay, plan=load_security_plan(PLAN, lay))
    return run_scenario(scn, keep_world=True)


DRILL = {"kind": "drill", "t_s": 0.0, "space": "upper"}
FIRE = {"kind": "fire", "space": "upper", "t_s": 0.0, "growth": "ultrafast"}


def test_drill_reports_the_chain_metrics():
    m = _run(DRILL).metrics
    for key in ("t_detected_s", "t_reported_s", "t_alarm_s", "t_pa_s", "t_police_called_s",
                "t_first_responder_s"):
        assert key in m, key
    assert m["t_alarm_s"] <= m["t_pa_s"]
    assert m["t_police_called_s"] == pytest.approx(m["t_verified_s"] + 10.0)  # platform link


def test_police_link_failure_falls_back_to_the_phone():
    linked = _run(DRILL).metrics
    phone = _run(DRILL, security={"disable": ["police_link"]}).metrics
    assert phone["t_police_called_s"] - phone["t_verified_s"] == pytest.approx(60.0)
    assert phone["t_police_called_s"] > linked["t_police_called_s"]


def test_detector_channel_and_its_failure():
    with_det = _run(FIRE, security={"disable": ["guards", "team"]}).metrics
    assert with_det["detected_by"] in ("detector", "camera", "occupant")
    no_det = _run(FIRE, security={"disable": ["guards", "team", "detectors", "cctv"]}).metrics
    assert no_det["detected_by"] == "occupant"
    assert no_det["t_detected_s"] >= with_det["t_detected_s"]


def test_camera_channel_needs_an_operator():
    raw = tomllib.loads(PLAN.read_text())
    assert raw["cctv"]["operators"] == 2
    cam = _run(FIRE, security={"disable": ["guards", "team", "detectors"]}).metrics
    none = _run(FIRE, security={"disable": ["guards", "team", "detectors"],
                                "operators": 0}).metrics
    assert none["detected_by"] != "camera"
    assert cam["detected_by"] in ("camera", "occupant")


def test_guard_on_the_spot_detects():
    # the fixture's patrol walks the upper corridor, where the fire starts
    m = _run(FIRE, security={"disable": ["detectors", "cctv"]}).metrics
    assert m["detected_by"] in ("guard", "team")


def test_no_pa_and_no_guards_means_no_guided_cue():
    m = _run(DRILL, security={"disable": ["pa", "guards", "team", "shop_officers"]}).metrics
    assert m.get("guided_cues", 0) == 0
    full = _run(DRILL).metrics
    assert full["guided_cues"] > 0


def test_no_alarm_devices_and_no_pa_fall_back_to_guards():
    m = _run(DRILL, security={"disable": ["buttons", "pa"]}).metrics
    assert m["evacuated"] == m["occupants"]


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 3), st.integers(1, 4))
def test_more_guards_never_later_first_responder(seed, base, more):
    few = _run(DRILL, security={"guards": base}, seed=seed, count=150).metrics
    many = _run(DRILL, security={"guards": base + more}, seed=seed, count=150).metrics
    a = few.get("t_first_responder_s", float("inf"))
    b = many.get("t_first_responder_s", float("inf"))
    assert b <= a + 1e-9


def test_guard_overrides_fill_posts_first():
    from sim.engine.graphs import build_network
    from sim.security.deployment import deploy

    lay = load_layout(LAYOUT)
    net = build_network(lay)
    plan = load_security_plan(PLAN, lay)
    one = deploy(apply_overrides(plan, {"guards": 1}, lay), net)
    assert [(s.id, s.count) for s in one.stations] == [("door", 1)]
    many = deploy(apply_overrides(plan, {"guards": 9}, lay), net)
    assert sum(s.count for s in many.stations if s.kind == "post") == 2
    # the plan's patrol is not pinned: the other 7 walk beats, on both levels
    assert sum(s.count for s in many.stations if s.kind == "beat") == 7
    assert {s.level for s in many.stations if s.kind == "beat"} == {"L1", "L2"}


def test_plan_errors_name_the_field(tmp_path):
    lay = load_layout(LAYOUT)
    bad = tmp_path / "security.toml"
    text = PLAN.read_text()
    bad.write_text(text.replace('space = "hall"\ncount = 2', 'space = "nowhere"\ncount = 2'))
    with pytest.raises(SecurityPlanError, match=r"security\.toml: guards\.posts\['door'\]\.space"):
        load_security_plan(bad, lay)
    with pytest.raises(SecurityPlanError, match=r"security\.guards"):
        apply_overrides(load_security_plan(PLAN, lay), {"guards": -1}, lay)


@pytest.mark.parametrize(("area", "strict", "lenient"), [
    (9_999, None, None), (10_000, 20, 20), (20_000, 30, 20), (30_000, 30, 30),
    (30_001, 31, 30), (31_000, 31, 31), (62_000, 62, 62)])
def test_required_guards_bands(area, strict, lenient):
    assert required_guards(area) == strict
    assert required_guards(area, reading="lenient") == lenient


def test_staffing_changes_no_occupant_start():
    """Common random numbers: the guard count does not move anyone's start or speed."""
    a = _run(DRILL, security={"guards": 1})
    b = _run(DRILL, security={"guards": 6})
    assert a.world.xy == b.world.xy and a.world.v0 == b.world.v0


def test_a_guards_direction_into_a_dead_end_does_not_loop():
    """A guard directing people at an exit also covers a shop next to it; someone in that
    shop (one door, the one they came in by) must go back out, not recurse forever."""
    from tests.conftest import run_dict
    from tests.unit.test_hazard_common import mall

    res = run_dict(mall(), {"occupants": {"count": 10}, "seed": 1,
                            "output": {"lower_bound": False}}, keep_world=True)
    w = res.world
    shop = w.cell_index[w.net.cells_of_space["s0"][0]]
    [door] = w.portals_of[shop]
    west = w.portal_index[w.net.portal_of_opening("west").id]
    w.directed[shop] = west
    w.target[0] = west
    q, _ = w.router.next_hop(0, shop, door)
    assert q == door
