"""Mall fires through the engine: design fires, plan devices, galleries, doses, turning back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sim.errors import SecurityPlanError
from tests.conftest import run_dict

LEVELS = [{"id": "L1", "elevation_m": 0.0}, {"id": "L2", "elevation_m": 5.5}]


def _mall() -> dict[str, Any]:
    """A shop on a street that opens into a two-storey atrium; a level-2 gallery street."""
    return {
        "schema": "safemall/layout/1", "mall": {"name": "smoke control", "sprinklered": True},
        "levels": LEVELS,
        "spaces": [
            {"id": "shop", "kind": "shop", "level": "L1", "rect": [0, 8, 20, 10],
             "height_m": 4.0},
            {"id": "street", "kind": "corridor", "level": "L1", "rect": [0, 0, 60, 8],
             "height_m": 4.0},
            {"id": "atr1", "kind": "atrium", "level": "L1", "rect": [60, 0, 20, 20],
             "height_m": 11.0},
            {"id": "atr2", "kind": "atrium", "level": "L2", "rect": [60, 0, 20, 20],
             "height_m": 5.5},
            {"id": "gal2", "kind": "corridor", "level": "L2", "rect": [0, 0, 60, 8],
             "height_m": 4.0},
            {"id": "stair", "kind": "stair", "levels": ["L1", "L2"], "rect": [-6, 0, 6, 3],
             "length_m": 10.0},
            {"id": "out", "kind": "exit", "level": "L1"},
            {"id": "out2", "kind": "exit", "level": "L1"}],
        "openings": [
            {"id": "front", "between": ["shop", "street"], "width_m": 4.0, "at": [10, 8],
             "kind": "shutter"},
            {"id": "edge1", "between": ["street", "atr1"], "width_m": 8.0, "at": [60, 4],
             "kind": "opening"},
            {"id": "edge2", "between": ["gal2", "atr2"], "width_m": 8.0, "at": [60, 4],
             "kind": "opening"},
            {"id": "exit-w", "between": ["street", "out"], "width_m": 2.0, "at": [0, 2],
             "kind": "door"},
            {"id": "exit-atr", "between": ["atr1", "out2"], "width_m": 2.0, "at": [80, 10],
             "kind": "door"},
            {"id": "st-1", "between": ["stair", "street"], "width_m": 1.5, "at": [0, 1.5],
             "kind": "fire_door"},
            {"id": "st-2", "between": ["stair", "gal2"], "width_m": 1.5, "at": [0, 1.5],
             "kind": "fire_door", "level": "L2"}]}


def _plan(tmp_path: Path, smoke_control: dict[str, Any] | None = None) -> str:
    """A plan with detectors everywhere, a duty room-less alarm and the given devices."""
    plan = {"schema": "safemall/security/1", "guards": {"total": 0},
            "alarm": {"detectors": [{"id": f"det-{s}", "space": s}
                                    for s in ("shop", "street", "atr1", "atr2", "gal2")]},
            "fire_systems": {"all": True},
            "smoke_control": smoke_control or {}}
    p = tmp_path / "plan.json.toml"
    lines = [f"{k} = {json.dumps(v)}" for k, v in plan.items() if not isinstance(v, dict)]
    p.write_text("\n".join(lines) + "\n" + "\n".join(
        f"[{k}]\n" + "\n".join(f"{kk} = {_toml(vv)}" for kk, vv in v.items())
        for k, v in plan.items() if isinstance(v, dict)) + "\n", encoding="utf-8")
    return str(p)


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return json.dumps(v)


DEVICES = {
    "exhaust": [{"id": "ex-street", "spaces": ["street"]},
                {"id": "ex-atrium", "spaces": ["atr1"], "kind": "atrium"}],
    "shutters": [{"id": "sh1", "opening": "edge1"}],
    "curtains": [{"id": "c1", "opening": "edge2", "depth_m": 0.5}],
}


def _run(tmp_path: Path, hazard: dict[str, Any], *, devices: dict[str, Any] | None = DEVICES,
         security: dict[str, Any] | None = None, people: dict[str, int] | None = None,
         **scn: Any) -> Any:
    sec = {"plan": _plan(tmp_path, devices), **(security or {})}
    return run_dict(_mall(), {"security": sec,
                              "occupants": {"per_space": people or {"gal2": 2}},
                              "premovement": {"model": "fixed", "fixed_s": 900.0},
                              "duration_s": 1800, "hazards": [hazard], **scn},
                    keep_world=True)


LATE = {"explicit": {str(i): 400.0 for i in range(20)}}
"""Twenty people who stay 400 s whatever cue they get (to be in the smoke)."""

SHOP_FIRE = {"kind": "fire", "space": "shop", "t_s": 0.0, "growth": "fast",
             "aset_horizon_s": 900.0}


def test_exhaust_starts_on_detection_and_keeps_the_street_clearer(tmp_path: Path) -> None:
    on = _run(tmp_path, SHOP_FIRE)
    off = _run(tmp_path, SHOP_FIRE, security={"disable": ["exhaust"]})
    t = on.metrics["exhaust_started_s"]
    # GB 51251 §5.2.2: 15 s after the street's detector; the atrium's system stays off, as
    # the shutter (at 1.8 m) and the street's exhaust keep the smoke out of the atrium
    assert set(t) == {"ex-street"}
    fire = on.world.hazards[0]
    assert t["ex-street"] == pytest.approx(fire.det_smoke["street"] + 15.0, abs=5.0)
    assert off.metrics["exhaust_started_s"] == {}
    assert on.metrics["min_layer_level_m"]["L1"] > off.metrics["min_layer_level_m"]["L1"]


def test_gb51251_design_fire_and_sprinklers_off(tmp_path: Path) -> None:
    spr = _run(tmp_path, SHOP_FIRE)
    off = _run(tmp_path, SHOP_FIRE, security={"disable": ["sprinklers"]})
    # shop, GB 51251 Table 4.6.7: 3 MW sprinklered, 10 MW unsprinklered; a fast fire
    # reaches 10 MW at sqrt(10000/0.0469) = 462 s, well inside the horizon
    assert spr.metrics["sprinklered"] and not off.metrics["sprinklered"]
    assert spr.metrics["sprinkler_activated_s"] is not None
    assert spr.metrics["hrr_peak_kw"] == pytest.approx(3000.0, rel=1e-6)
    assert off.metrics["hrr_peak_kw"] == pytest.approx(10000.0, rel=1e-6)
    assert "shop, sprinklered" in spr.metrics["design_fire"]
    assert off.metrics["origin_layer_max_c"] < 1100.0


def test_shutter_stops_at_1_8_m_then_closes_for_people_on_heat(tmp_path: Path) -> None:
    res = _run(tmp_path, {**SHOP_FIRE, "growth": "ultrafast"},
               security={"disable": ["sprinklers", "exhaust"]}, people={"atr1": 1})
    w = res.world
    marks = [m.label for m in w.marks if m.kind == "smoke_control"]
    assert "shutter edge1 at 1.8 m" in marks
    assert any("fire shutters closed: edge1" in m for m in marks)
    assert res.metrics["shutters_closed"] == 1
    assert w.doors[w.portal_index["edge1"]].blocked


def test_without_shutters_smoke_reaches_the_upper_gallery(tmp_path: Path) -> None:
    # the street spills at the balcony edge into the atrium, whose layer falls below the
    # head of the level-2 gallery's opening (5.5 + 4.0 = 9.5 m) and fills the gallery
    devices = {"exhaust": DEVICES["exhaust"]}
    res = _run(tmp_path, {**SHOP_FIRE, "growth": "ultrafast"}, devices=devices,
               security={"disable": ["sprinklers", "exhaust"]})
    m = res.metrics
    assert "L2" in m["smoke_level_first_s"]
    assert m["min_layer_level_m"]["L2"] < 4.0
    fire = res.world.hazards[0]
    assert fire.geo.zone_of_space["atr2"] == fire.geo.zone_of_space["atr1"]
    assert "gal2" in fire.smoke_first
    shut = _run(tmp_path, {**SHOP_FIRE, "growth": "ultrafast"},
                security={"disable": ["sprinklers", "exhaust"]})
    assert shut.metrics["min_layer_level_m"].get("L2", 4.0) > m["min_layer_level_m"]["L2"]


def test_people_under_a_hot_layer_receive_a_dose(tmp_path: Path) -> None:
    res = _run(tmp_path, {**SHOP_FIRE, "growth": "ultrafast"},
               security={"disable": ["sprinklers", "exhaust", "shutters"]},
               people={"street": 20}, premovement=LATE)
    m = res.metrics
    assert m["fed_max"] > 0.3 and m["fed_ge_0_3"] > 0
    assert m["incapacitated_fire"] == m["fed_ge_0_3"]
    assert m["fed_ge_1"] <= m["fed_ge_0_3"]


def test_sprinklered_fire_with_exhaust_doses_nobody(tmp_path: Path) -> None:
    res = _run(tmp_path, SHOP_FIRE, people={"street": 20}, premovement=LATE)
    assert res.metrics["fed_ge_0_3"] == 0
    assert res.metrics["fed_max"] < 0.05


def test_per_level_aset_rset_and_margin(tmp_path: Path) -> None:
    res = _run(tmp_path, {**SHOP_FIRE, "growth": "ultrafast"},
               security={"disable": ["sprinklers", "exhaust", "shutters"]},
               people={"street": 10, "gal2": 10}, premovement={"model": "fixed",
                                                               "fixed_s": 60.0})
    m = res.metrics
    assert set(m["aset_level_s"]) == {"L1", "L2"}
    for lv, rset in m["rset_level_s"].items():
        assert m["margin_level_s"][lv] == pytest.approx(m["aset_level_s"][lv] - rset, abs=0.11)
    assert m["margin_min_level_s"] == min(m["margin_level_s"].values())
    assert m["aset_origin_s"] is not None
    assert m["aset_censored_levels"] == sum(1 for v in m["aset_level_s"].values()
                                            if v >= 900.0)


def _lobby_mall(*, far_exit: bool = True) -> tuple[dict[str, Any], dict[str, Any],
                                                   dict[str, Any]]:
    """A 90 m hall with a shop (one walker, 0.8 m/s) and a small lobby to the near exit 29 m
    away, a fire in the lobby, and (``far_exit``) a far exit at the hall's other end, 90 m
    back from the lobby: layout, fire, scenario."""
    spaces = [{"id": "hall", "kind": "corridor", "level": "L1", "rect": [-30, 0, 90, 6]},
              {"id": "start", "kind": "shop", "level": "L1", "rect": [28, 6, 6, 6]},
              {"id": "lobby", "kind": "shop", "level": "L1", "rect": [60, 0, 4, 6],
               "height_m": 2.6},
              {"id": "near", "kind": "exit", "level": "L1"}]
    openings = [{"id": "to-lobby", "between": ["hall", "lobby"], "width_m": 1.0, "at": [60, 3]},
                {"id": "start-door", "between": ["start", "hall"], "width_m": 1.0,
                 "at": [31, 6]},
                {"id": "lobby-out", "between": ["lobby", "near"], "width_m": 1.0,
                 "at": [64, 3]}]
    if far_exit:
        spaces.append({"id": "far", "kind": "exit", "level": "L1"})
        openings.append({"id": "hall-out", "between": ["hall", "far"], "width_m": 1.0,
                         "at": [-30, 3]})
    lay = {"schema": "safemall/layout/1", "mall": {"name": "turn back", "sprinklered": False},
           "levels": [{"id": "L1", "elevation_m": 0.0}], "spaces": spaces,
           "openings": openings}
    fire = {"kind": "fire", "space": "lobby", "t_s": 0.0, "growth": "ultrafast",
            "peak_kw": 2000.0, "step_s": 1.0}
    scn = {"occupants": {"per_space": {"start": 1}}, "population": {"free_speed_mps": 0.8},
           "premovement": {"model": "none"}, "duration_s": 600,
           "movement": {"max_cell_length_m": 100.0, "max_cell_area_m2": 1000.0}}
    return lay, fire, scn


def test_turn_back_at_a_smoke_logged_opening() -> None:
    """A walker heads for the near exit through a small lobby 29 m away; a fire in the lobby
    makes it untenable at 26 s (visibility, layer below its clear height), before the
    walker (0.8 m/s) reaches its door at 42 s. There the walker turns back and takes the far
    exit, 90 m back along the hall (one cell, so no decision is taken on the way)."""
    lay, fire, scn = _lobby_mall()
    res = run_dict(lay, {**scn, "hazards": [{"kind": "drill", "t_s": 0.0}, fire]},
                   keep_world=True)
    w = res.world
    assert res.metrics["aset_s"]["lobby"] < 42.0
    assert res.metrics["turned_back"] == 1
    assert w.portal_ids[w.exit_used[0]] == "hall-out"
    # without the fire the walker leaves by the lobby
    calm = run_dict(lay, {**scn, "hazards": [{"kind": "drill", "t_s": 0.0}]}, keep_world=True)
    assert calm.world.portal_ids[calm.world.exit_used[0]] == "lobby-out"


def test_smoke_control_references_are_checked(tmp_path: Path) -> None:
    with pytest.raises(SecurityPlanError, match="unknown opening 'nowhere'"):
        _run(tmp_path, SHOP_FIRE, devices={"shutters": [{"id": "x", "opening": "nowhere"}]})
    with pytest.raises(SecurityPlanError, match="unknown space 'nowhere'"):
        _run(tmp_path, SHOP_FIRE, devices={"exhaust": [{"id": "x", "spaces": ["nowhere"]}]})


def test_radiation_from_a_hot_layer_above_the_head_doses_people() -> None:
    """A 6 m high hall whose layer stays above head height but grows hot: the only dose is
    radiant (ISO 13571 t = 6.9 q^-1.56 min above 1.7 kW/m²)."""
    lay = {"schema": "safemall/layout/1", "mall": {"name": "radiant", "sprinklered": False},
           "levels": [{"id": "L1", "elevation_m": 0.0}],
           "spaces": [{"id": "hall", "kind": "corridor", "level": "L1", "rect": [0, 0, 30, 20],
                       "height_m": 8.0},
                      {"id": "out", "kind": "exit", "level": "L1"}],
           "openings": [{"id": "door", "between": ["hall", "out"], "width_m": 1.0,
                         "at": [0, 10], "kind": "door"}]}
    fire = {"kind": "fire", "space": "hall", "t_s": 0.0, "alpha_kw_s2": 10.0,
            "peak_kw": 20000.0, "soot_yield": 0.2}
    res = run_dict(lay, {"occupants": {"per_space": {"hall": 5}},
                         "premovement": {"explicit": {str(i): 300.0 for i in range(5)}},
                         "duration_s": 600, "hazards": [fire]}, keep_world=True)
    f = res.world.hazards[0]
    k = f.s_index["hall"]
    h = min(z for snap in f.snap for c, (_, z, _) in snap.items() if c in f.s_cells[k])
    assert h > 1.8  # never in the smoke: no asphyxiant or convective dose
    assert res.metrics["fed_max"] > 0.1


def test_no_turning_back_when_every_way_out_crosses_the_smoke() -> None:
    """The same walker with the far exit walled up: its only way out is through the smoke-
    logged lobby. Turning back there (into the hall and the shop it came from) would only
    bring it back to the same door, for ever; it goes on instead (before: nine people of
    a crush in the example mall's hall walked to and fro until the run ended)."""
    lay, fire, scn = _lobby_mall(far_exit=False)
    res = run_dict(lay, {**scn, "hazards": [{"kind": "drill", "t_s": 0.0}, fire]})
    m = res.metrics
    assert m["aset_s"]["lobby"] < 42.0  # the lobby was avoided when the walker got there
    assert m["turned_back"] == 0
    assert m["inside"] == 0 and m["t_end_s"] < 600
