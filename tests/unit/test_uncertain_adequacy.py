"""Adequacy under uncertainty through the batch store, with a test-only backend whose
metric is a known function of the candidate, one assumption and the seed."""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path

import numpy as np
import pytest

from sim.analysis.uncertain_adequacy import adequacy_under_uncertainty, clopper_pearson
from sim.batch.adequacy import parse_target
from sim.batch.executors import InlinePool
from sim.batch.spec import parse_overrides
from sim.batch.store import Store
from sim.batch.worker import RunOutcome, RunTask
from sim.model.assumptions import Assumption

RATE = Assumption(key="t.rate", name="harm rate", unit="1/min", default=2.0, low=1.0,
                  high=3.0, dist="uniform", source="test", status="assumed", used_by=("x",))
DEAD = Assumption(key="t.dead", name="unused", unit="1", default=0.0, low=-1.0, high=1.0,
                  dist="uniform", source="test", status="assumed", used_by=("x",))


class Pool(InlinePool):
    """victims = 10 · rate − guards / 5 + seed noise (sd 0.1, common to all configs)."""

    def __init__(self) -> None:
        self.calls = 0

    def submit(self, task: RunTask) -> cf.Future[RunOutcome]:
        self.calls += 1
        o = parse_overrides(task.overrides)
        rng = np.random.default_rng(np.random.SeedSequence(task.seed_entropy,
                                                           spawn_key=task.spawn_key))
        v = 10.0 * float(o["assumptions.t.rate"]) - float(o["guards"]) / 5.0 \
            + 0.1 * float(rng.normal())
        fut: cf.Future[RunOutcome] = cf.Future()
        fut.set_result(RunOutcome("ok", {"victims": v}, None, None, 0.0, "t"))
        return fut


def test_probability_answer_and_driver(tmp_path: Path) -> None:
    scn = tmp_path / "s.toml"
    scn.write_text('schema = "safemall/scenario/1"\nlayout = "x.toml"\n')
    pool = Pool()
    with Store(tmp_path / "u.db") as store:
        res = adequacy_under_uncertainty(
            store, pool, scn, "guards", [0, 50, 100, 150], [parse_target("victims.mean <= 5")],
            [RATE, DEAD], samples=40, seeds=3, probability=0.9)
    assert pool.calls == 4 * 40 * 3
    # meets iff 10 rate − g/5 ≤ 5, i.e. rate ≤ 0.5 + g/50: P = 0, 0.25, 0.75, 1 for
    # rate ~ U(1, 3); the Latin hypercube puts exactly one sample in each 1/40 stratum
    p = [c.p for c in res.candidates]
    assert p[0] == 0 and abs(p[1] - 0.25) <= 0.03 and abs(p[2] - 0.75) <= 0.03
    assert p[3] == 1.0
    assert res.answer == 150
    assert res.drivers[0].key == "t.rate" and res.drivers[0].rho > 0.8
    assert res.drivers[0].required_high > res.drivers[0].required_low
    assert abs(res.drivers[1].rho) < 0.4
    lo, hi = res.candidates[2].ci
    assert lo < res.candidates[2].p < hi
    assert res.required.count(float('inf')) == 0 and set(res.required) <= {50, 100, 150}


def test_clopper_pearson_known_values() -> None:
    # 0 of 10: upper bound 1 − 0.025^(1/10) = 0.3085 (exact)
    assert clopper_pearson(0, 10) == (0.0, pytest.approx(0.3085, abs=1e-4))
    lo, hi = clopper_pearson(5, 10)
    assert lo == pytest.approx(0.1871, abs=1e-4) and hi == pytest.approx(0.8129, abs=1e-4)
