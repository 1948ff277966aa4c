"""Vehicle rules: speed bumps, barriers, strike by speed and density; barrier ranking."""

from __future__ import annotations

import math

import pytest

from sim.hazards import vehicle_harm as vh
from sim.model.crash_rating import parse_rating
from tests.conftest import hazard_runs as _runs
from tests.unit.test_hazard_common import plan_file, run

CAR = {"kind": "vehicle", "t_s": 5.0, "entrance": "main", "speed_mps": 13.9}
MPH = 0.44704


def test_crash_ratings_parse_as_their_standards_write_them():
    m50 = parse_rating("M50-P1")
    # ASTM F2656 M50: 15,000 lb (6,800 kg) at 50 mph, 1,250k ft·lbf = 1,695 kJ [D1]
    assert m50.mass_kg == 6800 and m50.speed_kmh == pytest.approx(80.47, abs=0.01)
    assert m50.energy_kj == pytest.approx(1695, rel=0.01) and m50.penetration_m == 1.0
    assert parse_rating("M30").energy_kj == pytest.approx(610, rel=0.01)  # 450k ft·lbf
    assert parse_rating("M40-P2").penetration_m == 7.0
    assert parse_rating("K12").energy_kj == pytest.approx(m50.energy_kj)
    iwa = parse_rating("V/7200[N3C]/80/90:1.1")
    assert (iwa.mass_kg, iwa.speed_kmh, iwa.penetration_m) == (7200, 80, 1.1)
    pas = parse_rating("V/7500[N3C]/80/90.0/1.1/0")
    assert (pas.mass_kg, pas.speed_kmh, pas.penetration_m) == (7500, 80, 1.1)
    for bad in ("M55-P9", "Z50", "V/7200/80"):
        with pytest.raises(ValueError, match="unknown crash rating"):
            parse_rating(bad)


def test_humps_and_chicanes_cap_the_approach_speed():
    car, truck = vh.VEHICLES["car"], vh.VEHICLES["truck"]
    assert vh.approach_speed(22.2, 60.0, car) == 22.2
    # 14-ft humps are crossed at ~25 mph by compliant traffic [D12]
    v = vh.approach_speed(22.2, 60.0, car, humps=3)
    assert v == pytest.approx(math.sqrt((25 * MPH) ** 2 + 2 * 2.5 * 60 / 4))
    assert v < vh.approach_speed(22.2, 60.0, car, humps=1) <= 22.2
    # a chicane of radius R: v = sqrt(a_lat g R); a truck rolls over before a car skids
    assert vh.chicane_speed(car, 10.0) == pytest.approx(math.sqrt(0.8 * 9.81 * 10))
    assert vh.chicane_speed(truck, 10.0) < vh.chicane_speed(car, 10.0)
    assert vh.approach_speed(5.0, 60.0, car, humps=3, chicanes=2) == 5.0


def test_a_barrier_stops_what_its_rating_covers_and_is_breached_above_it():
    m30 = parse_rating("M30-P1")  # 6,800 kg at 30 mph, 612 kJ
    car = vh.VEHICLES["car"]
    stopped = vh.meet_barrier(car, 80 / 3.6, m30)  # 370 kJ
    assert stopped.stopped and stopped.travel_m == pytest.approx(370.4 / 611.6, rel=0.01)
    truck = vh.VEHICLES["truck"]  # 7,200 kg at 48.3 km/h: 648 kJ > 612 kJ
    out = vh.meet_barrier(truck, 30 * MPH, m30)
    assert not out.stopped
    assert out.speed_after_mps == pytest.approx(
        math.sqrt(2 * (0.5 * 7200 * (30 * MPH) ** 2 - 0.5 * 6800 * (30 * MPH) ** 2) / 7200))
    assert not vh.meet_barrier(car, 5.0, parse_rating("none")).stopped


def test_harm_grows_with_speed():
    assert vh.fatality_share(25.0) > vh.fatality_share(14.0) > vh.fatality_share(5.0)
    assert vh.strike_probability(14.0, 2.0, 10, 100) > vh.strike_probability(5.0, 2.0, 10, 100)
    assert vh.strike_probability(40.0, 2.5, 1000, 100) <= 1.0
    assert vh.strike_probability(14.0, 2.0, 0, 100) == 0.0


def test_unprotected_entrance_strikes_plaza_and_entrance(tmp_path):
    res = run([CAR], plan=plan_file(tmp_path), count=1500)
    m = res.metrics
    assert not m["vehicle_blocked"] and m["blocked_by"] is None
    assert m["vehicle_victims"] > 0 and m["impact_speed_mps"] == pytest.approx(13.9)
    strikes = [s for h in _runs(res.world, "vehicle") for s in h.strikes]
    spaces = {res.world.cell_space[c] for c, _ in strikes}
    assert spaces <= {"plaza", "corr"}


def test_a_default_bollard_stops_a_car_but_not_a_van(tmp_path):
    plan = plan_file(tmp_path, bollards=("main",))
    car = run([{**CAR, "retargets": 0}], plan=plan, count=600).metrics
    assert car["vehicle_blocked"] and car["blocked_by"] == "bollard-main"
    assert car["vehicle_victims"] == 0
    van = run([{**CAR, "vehicle": "van", "retargets": 0}], plan=plan, count=600).metrics
    assert not van["vehicle_blocked"] and van["barriers_breached"] == ["bollard-main"]
    assert van["vehicle_energy_kj"] == pytest.approx(0.5 * 3500 * 13.9 ** 2 / 1000, rel=1e-3)


def test_a_rated_bollard_stops_the_van(tmp_path):
    plan = plan_file(tmp_path, bollards=("main",))
    m = run([{**CAR, "vehicle": "van", "retargets": 0}], count=600,
            security={"plan": plan, "barriers": {"bollards": [
                {"opening": "main", "rating": "M30-P1"}]}}).metrics
    assert m["vehicle_blocked"] and m["vehicle_victims"] == 0


def test_blocked_driver_turns_to_the_nearest_unprotected_road_entrance(tmp_path):
    plan = plan_file(tmp_path, bollards=("main",))
    res = run([CAR], plan=plan, count=1500)
    m = res.metrics
    assert m["vehicle_blocked"] and m["vehicle_retargeted_to"] == "east"
    assert m["vehicle_entrance"] == "east"
    # the door bollard does not protect the plaza in front of it; east is struck next
    strikes = [s for h in _runs(res.world, "vehicle") for s in h.strikes]
    assert {res.world.cell_space[c] for c, _ in strikes} == {"plaza", "corr"}
    both = plan_file(tmp_path, bollards=("main", "east"), name="both")
    m2 = run([CAR], plan=both, count=600).metrics
    assert m2["vehicle_retargeted_to"] is None and m2["vehicle_victims"] == 0


def test_a_railing_keeps_a_slow_vehicle_off_the_plaza_not_a_fast_one(tmp_path):
    plan = plan_file(tmp_path)
    sec = {"plan": plan, "barriers": {"isolation": ["plaza-road"]}}
    slow = run([{**CAR, "entrance": "plaza-road", "speed_mps": 3.0, "retargets": 0}],
               count=600, security=sec).metrics
    assert slow["vehicle_blocked"] and slow["blocked_by"] == "isolation@plaza-road"
    fast = run([{**CAR, "entrance": "plaza-road", "retargets": 0}], count=600,
               security=sec).metrics
    assert not fast["vehicle_blocked"] and fast["barriers_breached"] == ["isolation@plaza-road"]
    assert fast["impact_speed_mps"] == pytest.approx(13.9)


def test_approach_calming_used(tmp_path):
    res = run([{**CAR, "entrance": None, "approach": "a-main", "speed_mps": 22.2}],
              plan=plan_file(tmp_path, bumps=3), count=50)
    assert res.metrics["impact_speed_mps"] == pytest.approx(
        vh.approach_speed(22.2, 60.0, vh.VEHICLES["car"], humps=3), abs=1e-3)


def test_plaza_road_opening_leads_to_the_plaza_door():
    res = run([{**CAR, "entrance": "plaza-road"}], count=50)
    assert res.metrics["vehicle_entrance"] == "main"


def _ram_scenario(tmp_path, plan):
    from tests.unit.test_hazard_common import mall

    scn = tmp_path / "ram.toml"
    lay = tmp_path / "layout.toml"
    _write_layout(lay, mall())
    scn.write_text(f'schema = "safemall/scenario/1"\nlayout = "{lay}"\nseed = 3\n'
                   f'security = "{plan}"\n[occupants]\ncount = 1500\n'
                   'in_kinds = ["shop", "corridor", "plaza"]\n'
                   '[hazard]\nkind = "vehicle"\nt_s = 5.0\n', encoding="utf-8")
    return scn


def test_barriers_ranking_by_rating(tmp_path):
    from sim.analysis.barriers import rank_barriers

    scn = _ram_scenario(tmp_path, plan_file(tmp_path))
    rows = rank_barriers(scn, ratings=["V/1500[M1]/16/90:2", "M30-P1"], replications=4,
                         workers=0, retarget=False, db=tmp_path / "b.db")
    assert [r.rating for r in rows] == ["V/1500[M1]/16/90:2"] * 2 + ["M30-P1"] * 2
    m30 = {r.entrance: r for r in rows if r.rating == "M30-P1"}
    assert set(m30) == {"main", "east"}
    # the main entrance's barrier line is where the road meets its plaza
    assert m30["main"].line == ("plaza-road",) and m30["east"].line == ("east",)
    for r in m30.values():  # 612 kJ stops a 1,500 kg car at 50 km/h (145 kJ): all harm
        assert r.stopped_share == 1.0 and r.victims.mean_b == 0
        assert r.prevented == pytest.approx(r.victims.mean_a)
    assert m30["main"].prevented > 0 and m30["main"].rank == 1
    # a railing-class rating (15 kJ) is breached: the car goes on, slightly slower
    weak = {r.entrance: r for r in rows if r.rating.startswith("V/1500")}
    assert all(r.stopped_share == 0 for r in weak.values())
    assert weak["main"].prevented < 0.5 * m30["main"].prevented


def test_ties_are_overlapping_intervals():
    from sim.analysis.barriers import RatedOption, rank_with_ties
    from sim.batch.variants import compare

    def opt(name, without, with_):
        c = compare(without, with_)
        return RatedOption(name, "M30-P1", (name,), c, c, 1.0, 13.9, 145.0)

    rows = rank_with_ties([opt("a", [10, 11, 12, 13], [0, 0, 0, 0]),
                           opt("b", [9, 12, 10, 13], [0, 0, 0, 0]),
                           opt("c", [1, 2, 1, 2], [0, 0, 0, 0])])
    assert [(r.entrance, r.rank, r.tie) for r in rows] == [("a", 1, True), ("b", 1, True),
                                                           ("c", 3, False)]


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
