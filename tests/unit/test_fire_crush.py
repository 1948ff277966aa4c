"""Fire and crush hazards on small layouts: the rules, and the physics they rest on."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from tests.conftest import run_dict


def _shops(n_people: int = 60) -> dict:
    """A shop opening onto a corridor with two exits; the shop is where fires start."""
    return {"schema": "safemall/layout/1", "mall": {"name": "fire test", "sprinklered": False},
            "levels": [{"id": "L1", "elevation_m": 0.0}],
            "spaces": [{"id": "shop", "kind": "shop", "level": "L1", "rect": [0, 0, 10, 10],
                        "height_m": 3.0},
                       {"id": "corr", "kind": "corridor", "level": "L1", "rect": [0, 10, 40, 4],
                        "height_m": 4.0},
                       {"id": "back", "kind": "shop", "level": "L1", "rect": [10, 0, 10, 10]},
                       {"id": "w", "kind": "exit", "level": "L1"},
                       {"id": "e", "kind": "exit", "level": "L1"}],
            "openings": [{"id": "shop-door", "between": ["shop", "corr"], "width_m": 1.2,
                          "at": [5, 10]},
                         {"id": "back-door", "between": ["back", "corr"], "width_m": 1.2,
                          "at": [15, 10]},
                         {"id": "exit-w", "between": ["corr", "w"], "width_m": 2.0,
                          "at": [0, 12]},
                         {"id": "exit-e", "between": ["corr", "e"], "width_m": 2.0,
                          "at": [40, 12]}]}


FIRE = {"kind": "fire", "space": "shop", "t_s": 0.0, "growth": "ultrafast",
        "peak_kw": 3000.0}


def test_fire_metrics_and_detection_by_occupants_without_plan():
    res = run_dict(_shops(), {"occupants": {"per_space": {"shop": 30, "back": 30}},
                              "premovement": {"model": "fixed", "fixed_s": 400.0},
                              "hazards": [FIRE], "duration_s": 1200}, keep_world=True)
    m = res.metrics
    assert m["hrr_peak_kw"] == pytest.approx(3000.0, rel=1e-3)
    assert m["aset_s"]["shop"] > 0 and m["aset_min_s"] == m["aset_s"]["shop"]
    assert m["detected_by"] in ("occupant_110",)  # no plan: nobody staffs a duty room
    fire = res.world.hazards[0]
    assert fire.fed.min() >= 0
    # the people who stayed long in the burning shop were hurt
    assert m["exposed_fed_0_1"] > 0
    assert m["evacuated"] + m["inside"] + m["casualties"] == m["occupants"]


def test_fed_never_decreases_and_incapacitation_at_threshold():
    from sim.hazards.fire import FireProcess

    seen: list[np.ndarray] = []
    orig = FireProcess.step

    def spy(self, dt):
        orig(self, dt)
        seen.append(self.fed.copy())

    FireProcess.step = spy
    try:
        stay = {"model": "fixed", "fixed_s": 900.0}  # they ignore every cue: worst case
        res = run_dict(_shops(), {"occupants": {"per_space": {"shop": 20}},
                                  "premovement": {**stay, "cues": {"incident": stay}},
                                  "hazards": [{**FIRE, "fed_incapacitation": 0.3}],
                                  "duration_s": 1000}, keep_world=True)
    finally:
        FireProcess.step = orig
    for a, b in itertools.pairwise(seen):
        assert np.all(b >= a - 1e-12)
    assert res.metrics["incapacitated_fire"] > 0
    assert res.metrics["incapacitated_fire"] == res.metrics["casualties"]


def test_no_fire_nobody_incapacitated():
    res = run_dict(_shops(), {"occupants": {"per_space": {"shop": 30}}})
    assert res.metrics["casualties"] == 0 and "incapacitated_fire" not in res.metrics


def test_openings_lost_and_routes_recomputed():
    res = run_dict(_shops(), {"occupants": {"per_space": {"back": 30}},
                              "premovement": {"model": "fixed", "fixed_s": 5.0},
                              "hazards": [{**FIRE, "openings_lost_after_s": 0.0}],
                              "duration_s": 600}, keep_world=True)
    w = res.world
    q = w.portal_index["shop-door"]
    assert w.doors[q].blocked and q in w.router.blocked
    assert any(m.kind == "openings_lost" for m in res.marks)


def test_sprinklers_cap_the_fire():
    spr = run_dict(_shops(), {"occupants": {"per_space": {"back": 5}}, "duration_s": 900,
                              "hazards": [{**FIRE, "sprinklered": True, "peak_kw": 8000.0}],
                              "premovement": {"model": "fixed", "fixed_s": 800.0}})
    non = run_dict(_shops(), {"occupants": {"per_space": {"back": 5}}, "duration_s": 900,
                              "hazards": [{**FIRE, "sprinklered": False, "peak_kw": 8000.0}],
                              "premovement": {"model": "fixed", "fixed_s": 800.0}})
    assert spr.metrics["sprinkler_activated_s"] is not None
    assert spr.metrics["hrr_peak_kw"] < non.metrics["hrr_peak_kw"]


def test_fire_in_unknown_space_is_one_line_error():
    with pytest.raises(ScenarioError, match=r"hazards\[fire\]\.space"):
        run_dict(_shops(), {"hazards": [{**FIRE, "space": "nowhere"}]})


def _hall() -> dict:
    """A hall emptying through a small lobby and a narrow door: where crowds pack."""
    return {"schema": "safemall/layout/1", "mall": {"name": "crush test"},
            "levels": [{"id": "L1", "elevation_m": 0.0}],
            "spaces": [{"id": "hall", "kind": "atrium", "level": "L1", "rect": [0, 0, 30, 20]},
                       {"id": "lobby", "kind": "corridor", "level": "L1", "rect": [30, 8, 5, 4]},
                       {"id": "out", "kind": "exit", "level": "L1"}],
            "openings": [{"id": "in", "between": ["hall", "lobby"], "width_m": 4.0,
                          "at": [30, 10]},
                         {"id": "exit", "between": ["lobby", "out"], "width_m": 1.2,
                          "at": [35, 10]}]}


def _crush(crit: float = 5.5, seed: int = 3) -> dict:
    return {"seed": seed, "occupants": {"per_space": {"hall": 1500}},
            "premovement": {"model": "fixed", "fixed_s": 600.0},
            "hazards": [{"kind": "crush", "trigger": "panic", "space": "hall", "t_s": 5.0,
                         "critical_density_pm2": crit}], "duration_s": 3000}


def test_panic_packs_the_lobby_and_injures():
    res = run_dict(_hall(), _crush())
    m = res.metrics
    assert m["peak_density_by_space"]["lobby"] > 5.5
    assert m["time_above_critical_s"]["lobby"] > 30
    assert m["injured_crush"] > 0 and m["crush_falls"] > 0
    # the injured walk out, falls only obstruct; the lobby stays packed to 7 p/m² for
    # minutes, and compressive asphyxia kills some of those in it
    assert m["casualties"] == m["crush_deaths"] > 0
    assert m["evacuated"] + m["crush_deaths"] == m["occupants"]
    assert "lobby" in m["hotspots"]
    assert abs(sum(m["fruin_los_share"].values()) - 1.0) < 1e-3


def test_without_panic_no_density_above_jam():
    res = run_dict(_hall(), {"occupants": {"per_space": {"hall": 1500}}})
    assert res.metrics["peak_density_pm2"] <= 4.0 + 1e-9
    assert res.metrics["casualties"] == 0


@settings(max_examples=4, deadline=None)
@given(st.floats(4.5, 6.5), st.floats(0.0, 1.5), st.integers(0, 50))
def test_higher_critical_density_never_more_injuries(crit, extra, seed):
    low = run_dict(_hall(), _crush(crit, seed)).metrics["injured_crush"]
    high = run_dict(_hall(), _crush(crit + extra, seed)).metrics["injured_crush"]
    assert low >= high


def test_asphyxia_needs_seven_per_m2_for_more_than_30_s():
    from sim.hazards.crush_harm import AsphyxiaDose

    n = 100
    dose = AsphyxiaDose(np.full(n, 1e-9))  # anyone exposed at all dies at once
    cell_of, present = np.zeros(n, dtype=int), np.ones(n, dtype=bool)
    area = np.array([10.0])
    for _ in range(60):  # 6.9 p/m² for a minute: below Fruin's static critical density
        assert len(dose.step(np.array([69.0]), area, cell_of, present, 1.0)) == 0
    died = [len(dose.step(np.array([70.0]), area, cell_of, present, 1.0)) for _ in range(32)]
    assert sum(died[:30]) == 0 and sum(died) == n  # Still: harm after ~30 s [F20]


def test_asphyxia_lethality_brackets_itaewon():
    """Itaewon 2022: 159 killed among ~1,370 in the alley, trapped 10-40 min [F1][F3]."""
    from sim.hazards.crush_harm import AsphyxiaDose

    def deaths(minutes: float) -> int:
        n = 1370
        dose = AsphyxiaDose(np.random.default_rng(5).exponential(1.0, n))
        cell_of, present = np.zeros(n, dtype=int), np.ones(n, dtype=bool)
        area, count = np.array([n / 9.5]), np.array([float(n)])
        return sum(len(dose.step(count, area, cell_of, present, 10.0))
                   for _ in range(int(minutes * 6)))

    assert deaths(10) < 159 < deaths(40)
