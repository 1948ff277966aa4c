"""Every regulated role acts (issue 17): kits, the team's mobilisation, contact and
pinning the moment responders arrive, harm to responders, shop lockdown, group alert and
reinforcement, and the police call without alarm buttons."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from sim.security.engagement import allot_kits, responder_hits
from tests.conftest import hazard_runs as _runs
from tests.unit.test_hazard_common import plan_file, run

KNIFE = {"kind": "attack", "weapon": "knife", "t_s": 5.0, "entrance": "main"}


def _m(i: int, role: str) -> Any:
    return SimpleNamespace(id=i, role=role)


def test_kits_go_to_the_team_store_first_then_to_responding_guards() -> None:
    members = [_m(0, "guard"), _m(1, "guard"), _m(2, "guard"), _m(3, "team"), _m(4, "team"),
               _m(5, "officer")]
    responds = {0: False, 1: True, 2: True}  # guard 0 holds a post
    assert allot_kits(members, 3, guards_equipped=True, team_equipped=True,
                      responds=responds) == ({1}, 2)
    assert allot_kits(members, 10, guards_equipped=True, team_equipped=True,
                      responds=responds) == ({1, 2}, 2)
    assert allot_kits(members, 3, guards_equipped=True, team_equipped=False,
                      responds=responds) == ({1, 2}, 0)
    assert allot_kits(members, 3, guards_equipped=False, team_equipped=True,
                      responds=responds) == (set(), 2)
    assert allot_kits(members, 0, guards_equipped=True, team_equipped=True,
                      responds=responds) == (set(), 0)


def test_an_attackers_blows_are_shared_not_multiplied() -> None:
    """1 blow per attacker-minute: over 2,000 minutes about 2,000 responders are hit
    whether 1 or 10 (unequipped) stand with it; with kits only 30 % of blows harm."""
    rng = np.random.default_rng(5)

    def hits(n: int, kits: bool) -> int:
        here = [_m(i, "guard") for i in range(n)]
        holders = {m.id for m in here} if kits else set()
        return sum(len(responder_hits(rng, here, holders, 60.0, 1.0, 0.3))
                   for _ in range(2000))

    one, ten, kitted = hits(1, False), hits(10, False), hits(10, True)
    # Poisson(1) blows; a responder hit twice in a minute counts once
    assert 1150 < one < 1380          # 2000 · P(N ≥ 1) = 2000 · (1 − e⁻¹) = 1264
    assert 1850 < ten < 2100          # nearly every blow finds a new target
    assert 500 < kitted < 700         # 2000 · 0.3 = 600


def test_pinned_the_moment_the_third_kit_holder_arrives(tmp_path: Path) -> None:
    # an attacker that barely moves: the guards come to it; three kits, six guards
    res = run([{**KNIFE, "speed_mps": 0.01}], plan=plan_file(tmp_path, guards=6, forks=3,
                                                             shields=0))
    w = res.world
    a = _runs(w, "attack")[0].attackers[0]
    st = w.alarm_chain.staff
    kit_arrivals = sorted(t for t, mid in a.inc.arrivals if mid in st.kit_holders)
    assert a.pinned_by == "guards"
    assert a.t_pinned == kit_arrivals[2]  # not a tick or a hop later
    assert res.metrics["t_contact_s"] == min(t for t, _ in a.inc.arrivals)
    assert res.metrics["t_contact_after_incident_s"] == pytest.approx(
        res.metrics["t_contact_s"] - KNIFE["t_s"])
    assert res.metrics["t_neutralised_after_incident_s"] == pytest.approx(
        res.metrics["t_neutralised_s"] - KNIFE["t_s"])
    assert res.metrics["t_dispatched_s"] <= res.metrics["t_contact_s"]


def test_the_team_gears_up_in_the_duty_room_and_takes_its_kits(tmp_path: Path) -> None:
    plan = plan_file(tmp_path, guards=1, team=3, forks=4, shields=0)
    res = run([{**KNIFE, "speed_mps": 0.01}], plan=plan)
    w = res.world
    st = w.alarm_chain.staff
    team = [m for m in st.members if m.role == "team"]
    # 4 kits: 3 wait for the team in the store, 1 goes with the guard
    assert {m.id for m in team} <= st.kit_holders
    assert st.kit_store == 0
    guard = next(m for m in st.members if m.role == "guard")
    assert guard.id in st.kit_holders
    # the team (based in the corridor here) saw it at once but geared up first: log-normal
    # mean 60 s, sd 20 s, and the walk is a few metres
    a = _runs(w, "attack")[0].attackers[0]
    first_team = min(t for t, mid in a.inc.arrivals if mid in {m.id for m in team})
    assert first_team - res.metrics["t_detected_s"] >= 20.0


def test_unequipped_responders_cannot_pin_and_get_hurt(tmp_path: Path) -> None:
    res = run([{**KNIFE, "speed_mps": 0.01}],
              plan=plan_file(tmp_path, guards=6, forks=0, shields=0, police_s=400.0))
    m = res.metrics
    assert m["attack_stopped_by"] == "police"
    assert m["t_neutralised_s"] >= m["t_police_arrived_s"]
    # six responders faced it for minutes: blows landed (1 per minute, shared)
    assert m["responders_injured"] + m["responders_killed"] >= 1
    st = res.world.alarm_chain.staff
    assert all(x.task == "down" for x in st.members if x.harmed)


def _group_plan(tmp: Path, *, groups: bool, missing: tuple[str, ...] = ()) -> str:
    p = Path(plan_file(tmp, guards=1, name=f"g{groups}{len(missing)}"))
    text = p.read_text()
    text = text.replace("[shop_officers]\nper_shop = 1",
                        "[shop_officers]\nper_shop = 1\nmissing = [" +
                        ", ".join(f'"{s}"' for s in missing) + "]")
    if groups:
        text += '[[groups]]\nid = "g1"\nshops = ["s0", "s1", "s2", "s3"]\nleader = "s0"\n'
    p.write_text(text)
    return str(p)


def test_an_officer_who_sees_the_attacker_alerts_the_group(tmp_path: Path) -> None:
    with_g = run([KNIFE], plan=_group_plan(tmp_path, groups=True))
    without = run([KNIFE], plan=_group_plan(tmp_path, groups=False))
    kinds = [mk.kind for mk in with_g.world.marks]
    assert "group_alert" in kinds
    assert "group_alert" not in [mk.kind for mk in without.world.marks]
    # the group locks down before the duty room's order (which follows verification)
    t_alert = next(mk.t for mk in with_g.world.marks if mk.kind == "group_alert")
    assert t_alert < with_g.metrics["t_verified_s"]
    assert with_g.metrics["t_first_lockdown_s"] <= without.metrics["t_first_lockdown_s"]


def test_group_members_lock_a_neighbour_shop_without_an_officer(tmp_path: Path) -> None:
    res = run([KNIFE], plan=_group_plan(tmp_path, groups=True, missing=("s3",)))
    w = res.world
    st = w.alarm_chain.staff
    s3 = w.cell_index[w.net.cells_of_space["s3"][0]]
    assert any(mk.kind == "reinforce" and "s3" in mk.label for mk in w.marks)
    assert st._locked_shop(s3) or any(mk.kind == "lockdown_end" for mk in w.marks)
    # without the group nobody locks s3
    alone = run([KNIFE], plan=_group_plan(tmp_path, groups=False, missing=("s3",)))
    assert not any(mk.kind == "reinforce" for mk in alone.world.marks)


def test_without_alarm_buttons_the_police_are_phoned(tmp_path: Path) -> None:
    plan = plan_file(tmp_path, guards=6, police_s=30.0)
    linked = run([KNIFE], plan=plan).metrics
    from tests.conftest import run_dict
    from tests.unit.test_hazard_common import mall

    phone = run_dict(mall(), {"occupants": {"count": 300,
                                            "in_kinds": ["shop", "corridor", "plaza"]},
                              "seed": 1, "hazards": [KNIFE],
                              "output": {"lower_bound": False},
                              "security": {"plan": plan, "disable": ["buttons"]}},
                     keep_world=True).metrics
    # platform link: 10 s after the verification; by phone: 60 s (sim/security/police.py)
    assert linked["t_police_called_s"] == pytest.approx(linked["t_verified_s"] + 10.0)
    assert phone["t_police_called_s"] == pytest.approx(phone["t_verified_s"] + 60.0)
    # the police's own response is the incident's draw: the same in both
    assert phone["t_police_arrived_s"] - phone["t_police_called_s"] == pytest.approx(
        linked["t_police_arrived_s"] - linked["t_police_called_s"])
