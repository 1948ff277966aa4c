"""Vehicle rules: speed bumps, barriers, strike by speed and density; barrier ranking."""

from __future__ import annotations

import math

import pytest

from sim.hazards.vehicle import fatality_risk, hit_probability, impact_speed
from tests.conftest import hazard_runs as _runs
from tests.unit.test_hazard_common import plan_file, run

CAR = {"kind": "vehicle", "t_s": 5.0, "entrance": "main", "speed_mps": 13.9}


def test_speed_bumps_cap_the_impact_speed():
    assert impact_speed(13.9, 60.0, 0, 8.0, 2.5) == 13.9
    v1 = impact_speed(13.9, 60.0, 1, 8.0, 2.5)
    v3 = impact_speed(13.9, 60.0, 3, 8.0, 2.5)
    assert v3 == pytest.approx(math.sqrt(64 + 2 * 2.5 * 60 / 4))
    assert v3 < v1 <= 13.9
    assert impact_speed(5.0, 60.0, 3, 8.0, 2.5) == 5.0


def test_harm_grows_with_speed():
    assert fatality_risk(50 / 3.6) == pytest.approx(0.083, abs=0.01)
    assert fatality_risk(20.0) > fatality_risk(10.0) > fatality_risk(3.0)
    assert hit_probability(14.0, 2.5, 10, 100) > hit_probability(1.0, 2.5, 10, 100)
    assert hit_probability(14.0, 2.5, 100, 100) <= 1.0


def test_unprotected_entrance_strikes_plaza_and_entrance(tmp_path):
    res = run([CAR], plan=plan_file(tmp_path), count=600)
    m = res.metrics
    assert not m["vehicle_blocked"] and m["blocked_by"] is None
    assert m["vehicle_victims"] > 0 and m["impact_speed_mps"] == pytest.approx(13.9)
    strikes = [s for h in _runs(res.world, "vehicle") for s in h.strikes]
    spaces = {res.world.cell_space[c] for c, _ in strikes}
    assert spaces <= {"plaza", "corr"}


def test_bollard_blocks(tmp_path):
    res = run([CAR], plan=plan_file(tmp_path, bollards=("main",)), count=600)
    m = res.metrics
    assert m["vehicle_blocked"] and m["blocked_by"] == "bollard-main"
    assert m["vehicle_victims"] == 0 and m["casualties"] == 0


def test_approach_bumps_used(tmp_path):
    res = run([{**CAR, "entrance": None, "approach": "a-main"}],
              plan=plan_file(tmp_path, bumps=3), count=50)
    assert res.metrics["impact_speed_mps"] == pytest.approx(
        impact_speed(13.9, 60.0, 3, 8.0, 2.5), abs=1e-3)


def test_plaza_road_opening_leads_to_the_plaza_door():
    res = run([{**CAR, "entrance": "plaza-road"}], count=50)
    assert res.metrics["vehicle_entrance"] == "main"


def test_barriers_ranking(tmp_path):
    from sim.analysis.barriers import rank_entrances

    plan = plan_file(tmp_path)
    scn = tmp_path / "ram.toml"
    lay = tmp_path / "layout.toml"
    from tests.unit.test_hazard_common import mall

    _write_layout(lay, mall())
    scn.write_text(f'schema = "safemall/scenario/1"\nlayout = "{lay}"\nseed = 3\n'
                   f'security = "{plan}"\n[occupants]\ncount = 600\n'
                   'in_kinds = ["shop", "corridor", "plaza"]\n'
                   '[hazard]\nkind = "vehicle"\nt_s = 5.0\n', encoding="utf-8")
    from sim.io.scenario_files import load_scenario

    rows = rank_entrances(load_scenario(scn), replications=2)
    ents = [r["entrance"] for r in rows]
    assert set(ents) == {"main", "east"}
    assert rows[0]["entrance"] == "main"  # the plaza in front of it is crowded
    assert all(r["harm_with_bollard"] == 0 for r in rows)
    assert rows[0]["prevented"] == rows[0]["harm_without"] > 0


def _write_layout(path, lay):
    lines = [f'schema = "{lay["schema"]}"', "[mall]", 'name = "test"']
    for lv in lay["levels"]:
        lines += ["[[levels]]", f'id = "{lv["id"]}"', f'elevation_m = {lv["elevation_m"]}']
    for s in lay["spaces"]:
        lines += ["[[spaces]]", f'id = "{s["id"]}"', f'kind = "{s["kind"]}"',
                  f'level = "{s["level"]}"']
        if "rect" in s:
            lines.append(f"rect = {s['rect']}")
        if s.get("tags"):
            lines.append("tags = [" + ", ".join(f'"{t}"' for t in s["tags"]) + "]")
    for o in lay["openings"]:
        lines += ["[[openings]]", f'id = "{o["id"]}"',
                  f'between = ["{o["between"][0]}", "{o["between"][1]}"]',
                  f'width_m = {o["width_m"]}', f"at = {o['at']}"]
        if o.get("tags"):
            lines.append("tags = [" + ", ".join(f'"{t}"' for t in o["tags"]) + "]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
