"""Properties of the attack-type hazards on random small malls (hypothesis)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import hazard_runs as _runs
from tests.conftest import run_dict
from tests.strategies import grid_mall
from tests.unit.test_hazard_common import mall, plan_file

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _grid_plan(tmp: Path, guards: int, kits: int, bollard: str | None = None) -> str:
    lines = ['schema = "safemall/security/1"', 'duty_room = "corr"', "[guards]",
             f"total = {guards}", "[[guards.posts]]", 'id = "p"', 'space = "corr"',
             f"count = {guards}", "[alarm]", "police_travel_s = 240.0",
             "[[alarm.buttons]]", 'id = "b"', 'space = "corr"',
             "[equipment]", f"forks = {kits}", "shields = 0"]
    if bollard:
        lines += ["[[barriers]]", 'id = "bol"', 'kind = "bollard"', f'opening = "{bollard}"']
    p = tmp / f"plan-{guards}-{kits}-{bollard}.toml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(p)


def _run(layout: dict[str, Any], hazards: list[dict[str, Any]], plan: str | None,
         count: int, seed: int) -> Any:
    scn: dict[str, Any] = {"occupants": {"count": count}, "seed": seed, "hazards": hazards,
                           "duration_s": 900, "output": {"lower_bound": False}}
    if plan is not None:
        scn["security"] = {"plan": plan}
    return run_dict(layout, scn, keep_world=True)


@SETTINGS
@given(lay=grid_mall(max_rooms=6), seed=st.integers(0, 10_000), guards=st.integers(0, 6),
       kits=st.integers(0, 6), count=st.integers(20, 200),
       weapon=st.sampled_from(["knife", "firearm"]))
def test_attacker_never_harms_after_being_stopped(lay, seed, guards, kits, count, weapon):
    with tempfile.TemporaryDirectory() as d:
        plan = _grid_plan(Path(d), guards, kits) if guards else None
        res = _run(lay, [{"kind": "attack", "weapon": weapon, "entrance": "exit0",
                          "rate_per_min": 20.0, "attackers": 2, "interval_s": 15.0}],
                   plan, count, seed)
    for a in _runs(res.world, "attack")[0].attackers:
        for t, _ in a.harms:
            assert not (t > a.t_stopped)  # nan (never stopped) compares False
            assert not (t > a.t_pinned)


@SETTINGS
@given(seed=st.integers(0, 10_000), count=st.integers(50, 600),
       speed=st.floats(2.0, 30.0), where=st.sampled_from(["main", "east"]),
       vehicle=st.sampled_from(["car", "van", "truck"]))
def test_vehicle_within_rating_harms_nobody_beyond_the_barrier_line(seed, count, speed, where,
                                                                    vehicle):
    # a 30-t test at 112 km/h (14.5 MJ) with no penetration: more than any vehicle here
    line = {"main": "plaza-road", "east": "east"}[where]
    with tempfile.TemporaryDirectory() as d:
        plan = plan_file(Path(d))
        res = run_dict(mall(), {"occupants": {"count": count,
                                              "in_kinds": ["shop", "corridor", "plaza"]},
                                "seed": seed, "duration_s": 60, "output": {"lower_bound": False},
                                "security": {"plan": plan, "barriers": {"bollards": [
                                    {"opening": line, "rating": "V/30000[N3]/112/90:0"}]}},
                                "hazards": [{"kind": "vehicle", "entrance": where,
                                             "vehicle": vehicle, "speed_mps": speed,
                                             "retargets": 0}]}, keep_world=True)
    assert res.metrics["vehicle_blocked"]
    assert res.metrics["vehicle_victims"] == 0
    assert [s for h in _runs(res.world, "vehicle") for s in h.strikes] == []


@SETTINGS
@given(lay=grid_mall(max_rooms=6), seed=st.integers(0, 10_000), guards=st.integers(1, 6),
       kits=st.integers(0, 5), extra=st.integers(1, 4), count=st.integers(20, 200))
def test_more_equipped_guards_never_delay_neutralisation(lay, seed, guards, kits, extra,
                                                         count):
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        few = _run(lay, [{"kind": "attack", "entrance": "exit0"}],
                   _grid_plan(tmp, guards, kits), count, seed)
        more = _run(lay, [{"kind": "attack", "entrance": "exit0"}],
                    _grid_plan(tmp, guards, kits + extra), count, seed)
    t_few = few.metrics["t_neutralised_s"]
    t_more = more.metrics["t_neutralised_s"]
    t_few = math.inf if t_few is None else t_few
    t_more = math.inf if t_more is None else t_more
    assert t_more <= t_few + 1e-9


@SETTINGS
@given(seed=st.integers(0, 10_000), count=st.integers(50, 500),
       charge=st.floats(0.5, 30.0), rate=st.floats(0.0, 60.0))
def test_victims_are_counted_once(seed, count, charge, rate):
    hazards = [{"kind": "vehicle", "entrance": "main", "t_s": 5.0},
               {"kind": "explosion", "space": "corr", "t_s": 8.0, "charge_kg": charge,
                "second": {"space": "plaza", "delay_s": 10.0, "charge_kg": charge}},
               {"kind": "attack", "entrance": "main", "t_s": 6.0, "rate_per_min": rate}]
    res = run_dict(mall(), {"occupants": {"count": count,
                                          "in_kinds": ["shop", "corridor", "plaza"]},
                            "seed": seed, "hazards": hazards, "duration_s": 240,
                            "output": {"lower_bound": False}}, keep_world=True)
    w = res.world
    led = w.harmed_by
    m = res.metrics
    removed = list(res.moves["removed_t"])
    assert w.casualties == len(led) == len(removed) == m["casualties"]
    assert m["casualties"] == m["vehicle_victims"] + m["explosion_victims"] + \
        m["attack_victims"]
    assert m["evacuated"] + m["inside"] + m["casualties"] == m["occupants"]
