"""Adequacy search: target parsing, decisions, and a search on a real monotone metric."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim.batch.adequacy import (
    Target,
    answer_of,
    candidate_values,
    check,
    find_adequate,
    min_replications_for,
    parse_target,
)
from sim.batch.executors import InlinePool
from sim.batch.store import Store
from sim.errors import ScenarioError

LAYOUT = Path(__file__).resolve().parents[1] / "fixtures" / "example_layout.toml"

SCENARIO = f"""\
schema = "safemall/scenario/1"
layout = "{LAYOUT.as_posix()}"
seed = 3
duration_s = 2000
[occupants]
count = 400
[premovement]
model = "lognormal"
mean_s = 30
sd_s = 10
[hazard]
kind = "drill"
"""


@pytest.mark.parametrize(("text", "want"), [
    ("t_first_responder_s.p95 <= 180", Target("t_first_responder_s", "p95", "<=", 180)),
    ("attack_victims.mean<3", Target("attack_victims", "mean", "<", 3)),
    ("exit_counts.south-door.max >= 1e2", Target("exit_counts.south-door", "max", ">=", 100)),
    ("t_evacuation_s.p99.5 <= 360", Target("t_evacuation_s", "p99.5", "<=", 360)),
])
def test_parse_target(text: str, want: Target) -> None:
    assert parse_target(text) == want


@pytest.mark.parametrize("bad", ["t_evacuation_s <= 3", "t.sd <= 3", "t.p95 == 3",
                                 "t.p100 <= 3", "t.mean <= x"])
def test_parse_target_rejects(bad: str) -> None:
    with pytest.raises(ScenarioError, match="--target"):
        parse_target(bad)


def test_candidates() -> None:
    assert candidate_values("10, 20,40", None, None, None) == [10, 20, 40]
    assert candidate_values(None, 10, 14, None) == [10, 11, 12, 13, 14]
    assert candidate_values(None, 10, 80, 10) == [10, 20, 30, 40, 50, 60, 70, 80]
    assert candidate_values(None, 1.2, 2.0, 0.4) == [1.2, 1.6, 2.0]
    with pytest.raises(ScenarioError, match="--values"):
        candidate_values(None, 1, None, None)


def test_check_uses_bounds_and_worst_case_for_missing() -> None:
    x = np.arange(1.0, 101.0)
    [c] = check({"t": x}, [parse_target("t.mean <= 56")], 0.95)
    assert c.estimate == 50.5 and c.bound == pytest.approx(55.317, abs=0.001) and c.passed
    [c] = check({"t": x}, [parse_target("t.mean <= 55")], 0.95)
    assert not c.passed  # the estimate meets it, the bound does not
    [c] = check({"t": np.r_[x[:-1], np.nan]}, [parse_target("t.max <= 1000")], 0.95)
    assert c.bound == math.inf and not c.passed  # a time that never came is the worst
    [c] = check({"t": x}, [parse_target("t.p95 <= 99")], 0.95)
    assert c.estimate == pytest.approx(95.05) and c.bound == 99 and c.passed
    assert min_replications_for([parse_target("t.p95 <= 1")], 0.975) == 72


def test_adequacy_finds_smallest_width(tmp_path: Path) -> None:
    """Door width vs mean evacuation time (400 people): wider is faster, monotone."""
    scn = tmp_path / "tiny.toml"
    scn.write_text(SCENARIO)
    widths = [0.8, 1.2, 1.6, 2.0, 2.4, 3.2, 4.8]
    tgt = [parse_target("t_evacuation_s.mean <= 250")]
    plans: list = []
    ticks: list = []
    with Store(tmp_path / "a.db") as st:
        res = find_adequate(st, InlinePool(), scn, "geometry.widths.south-door", tgt, widths,
                            replications=6, confidence=0.95, on_plan=plans.append,
                            progress=lambda d, f, t: ticks.append((d, t)))
        assert res.answer == 2.0
        ev = {e.value: e for e in res.evidence}
        assert ev[2.0].passed and not ev[1.6].passed
        assert sorted(ev) == widths  # the whole grid, no bisection
        assert all(e.n == 6 and e.n_new == 6 for e in ev.values())
        # announced before the first run: 7 × 6 = 42, all new; one bar over all of them
        [plan] = plans
        assert (plan.total, plan.reused, plan.new) == (42, 0, 42)
        assert "7 candidates × 6 replications = 42 runs" in plan.describe()
        assert ticks[0] == (0, 42) and ticks[-1] == (42, 42)
        assert not any(n.startswith("not monotone") for n in res.notes)
        assert "binding target t_evacuation_s.mean <= 250" in res.why()
        assert "at geometry.widths.south-door = 1.6 t_evacuation_s.mean <= 250 fails" \
            in res.why()
        # a second search reuses every run from the database
        again = find_adequate(st, InlinePool(), scn, "geometry.widths.south-door", tgt,
                              widths, replications=6, on_plan=plans.append)
        assert again.answer == 2.0 and plans[-1].new == 0 and plans[-1].reused == 42
        assert all(e.n_new == 0 and e.n_reused == 6 for e in again.evidence)
        # more replications only add the missing ones
        more = find_adequate(st, InlinePool(), scn, "geometry.widths.south-door", tgt,
                             widths, replications=8)
        assert all(e.n == 8 and e.n_new == 2 for e in more.evidence)


def test_answer_rule_and_non_monotone_passes() -> None:
    vals = [10, 20, 30, 40, 50]
    assert answer_of(vals, [False, False, True, True, True]) == (30, [])
    # 20 passes alone: the answer is where passing starts for good, 20 is reported
    assert answer_of(vals, [False, True, False, True, True]) == (40, [20])
    assert answer_of(vals, [True, True, True, True, False]) == (None, [10, 20, 30, 40])
    assert answer_of(vals, [True, True, False, False, False], largest=True) == (20, [])
    assert answer_of(vals, [True, False, True, False, False], largest=True) == (10, [30])


def test_trend_notes_flag_a_clearly_worse_larger_value() -> None:
    from sim.batch.adequacy import Evidence, _trend_notes

    t = parse_target("attack_victims.mean <= 3")
    seeds = range(20)
    a = Evidence(10, 20, 0, 20, 0, [], by_seed={t.metric: {k: 1.0 + (k % 3) for k in seeds}})
    b = Evidence(20, 20, 0, 20, 0, [], by_seed={t.metric: {k: 2.0 + (k % 3) for k in seeds}})
    c = Evidence(30, 20, 0, 20, 0, [], by_seed={t.metric: {k: 2.0 + (k % 2) for k in seeds}})
    notes = _trend_notes([a, b, c], [t], "security.guards")
    assert len(notes) == 1 and "from security.guards=10 to 20" in notes[0]
    assert "+1" in notes[0]


def test_adequacy_largest_load_and_no_answer(tmp_path: Path) -> None:
    scn = tmp_path / "tiny.toml"
    scn.write_text(SCENARIO)
    loads = [100, 200, 300, 400, 600, 800]
    with Store(tmp_path / "a.db") as st:
        res = find_adequate(st, InlinePool(), scn, "occupants.count",
                            [parse_target("t95_evacuation_s.mean <= 200")], loads,
                            replications=4, largest=True)
        assert res.answer == 400
        ev = {e.value: e for e in res.evidence}
        assert ev[400].passed and not ev[600].passed
        none = find_adequate(st, InlinePool(), scn, "occupants.count",
                             [parse_target("t95_evacuation_s.mean <= 10")], loads,
                             replications=4)
        assert none.answer is None and "no value" in none.notes[0]


def test_adequacy_p95_raises_replications(tmp_path: Path) -> None:
    scn = tmp_path / "tiny.toml"
    scn.write_text(SCENARIO.replace("count = 400", "count = 60"))
    with Store(tmp_path / "a.db") as st:
        res = find_adequate(st, InlinePool(), scn, "geometry.widths.south-door",
                            [parse_target("t_evacuation_s.p95 <= 400")], [1.0, 2.0],
                            replications=10)
    assert res.answer == 1.0
    assert res.evidence[-1].n == 59 and "raised from 10 to 59" in res.notes[0]


def test_cli_announces_runs_and_names_staffing_and_binding(tmp_path: Path) -> None:
    import subprocess
    import sys

    plan = Path(__file__).resolve().parents[1] / "fixtures" / "example_security.toml"
    scn = tmp_path / "drill.toml"
    scn.write_text(SCENARIO.replace("seed = 3\n", f'seed = 3\nsecurity = "{plan.as_posix()}"\n')
                   .replace('kind = "drill"', 'kind = "drill"\nspace = "upper"'))
    res = subprocess.run(
        [sys.executable, "-m", "sim.cli.main", "adequacy", str(scn), "--vary",
         "security.guards", "--values", "1,4", "--replications", "3", "--workers", "0",
         "--target", "t_evacuation_s.mean <= 5000", "--target",
         "t_first_responder_s.mean <= 5000", "--db", str(tmp_path / "a.db")],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert res.returncode == 0, res.stderr
    assert "2 candidates × 3 replications = 6 runs (0 stored, 6 to run)" in res.stderr
    assert "security.guards = 1: 1 guards: L1 1 post; team 5, 6 kits" in res.stdout
    assert "security.guards = 4: 4 guards: L1 2 posts + 1 beat; L2 1 beat" in res.stdout
    # one guard holds the entrance: nobody reaches the drill's staged incident in time
    assert "answer: security.guards = 4 is the smallest candidate" in res.stdout
    assert "binding target t_evacuation_s.mean <= 5000" in res.stdout
    assert "at security.guards = 1 t_first_responder_s.mean <= 5000 fails (bound ∞)" \
        in res.stdout
