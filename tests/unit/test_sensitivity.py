"""Sensitivity analysis: SALib designs, the batch store path, and the Ishigami function.

The Ishigami function f = sin x1 + 7 sin² x2 + 0.1 x3⁴ sin x1, x ~ U(-π, π)³ has known
Sobol indices (Ishigami & Homma 1990; Saltelli et al. 2008, Global Sensitivity
Analysis: The Primer, §4.9 / SALib's test values): S1 = 0.3139, 0.4424, 0;
ST = 0.5576, 0.4424, 0.2437. Here it runs through the same path as a simulation
(design → configurations in the batch store → "runs" by a test-only backend that
evaluates f from each run's overrides, plus seed noise common to all points →
analysis from the stored rows).
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.analysis import sensitivity as sa
from sim.analysis.sensitivity_batch import collect, run_study
from sim.batch.executors import InlinePool
from sim.batch.spec import parse_overrides
from sim.batch.store import Store
from sim.batch.worker import RunOutcome, RunTask
from sim.model.assumptions import Assumption

PI = math.pi
X = tuple(Assumption(key=f"ishigami.x{i}", name=f"x{i}", unit="1", default=0.0, low=-PI,
                     high=PI, dist="uniform", source="test function", status="assumed",
                     used_by=("test",)) for i in (1, 2, 3))


def ishigami(x1: float, x2: float, x3: float) -> float:
    return math.sin(x1) + 7.0 * math.sin(x2) ** 2 + 0.1 * x3 ** 4 * math.sin(x1)


class IshigamiPool(InlinePool):
    """A backend whose "run" evaluates Ishigami at the run's assumption overrides, plus
    noise drawn from the run's own seed (the same for every point at one replication)."""

    name = "ishigami"

    def __init__(self, noise_sd: float = 0.0) -> None:
        self.noise_sd = noise_sd
        self.calls = 0

    def submit(self, task: RunTask) -> cf.Future[RunOutcome]:
        self.calls += 1
        ovr = parse_overrides(task.overrides)
        x = [float(ovr.get(f"assumptions.ishigami.x{i}", 0.0)) for i in (1, 2, 3)]
        rng = np.random.default_rng(np.random.SeedSequence(task.seed_entropy,
                                                           spawn_key=task.spawn_key))
        y = ishigami(*x) + self.noise_sd * float(rng.normal())
        fut: cf.Future[RunOutcome] = cf.Future()
        fut.set_result(RunOutcome("ok", {"y": y, "nested": {"y": y}}, None, None, 0.0,
                                  "test"))
        return fut


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    p = tmp_path / "s.toml"
    p.write_text('schema = "safemall/scenario/1"\nlayout = "x.toml"\n')
    return p


def test_ishigami_sobol_indices_through_the_store(tmp_path: Path, scenario: Path) -> None:
    design = sa.make_design(X, "sobol", 1024, seed=7)
    assert design.values.shape == (1024 * 5, 3)
    pool = IshigamiPool(noise_sd=0.5)
    with Store(tmp_path / "s.db") as store:
        _, rows, summary = run_study(store, pool, scenario, design, seeds=2, base_seeds=8,
                                     root_seed=3)
        assert summary.failed == 0 and pool.calls == 1024 * 5 * 2 + 8
        y, base, _ = collect(store, rows, "nested.y", 2, 8)
    # common seeds: the noise is identical at every point of one replication
    assert np.allclose((y[:, 0] - y[:, 1]) - (y[0, 0] - y[0, 1]), 0.0, atol=1e-9)
    res = sa.analyze(design, "y", y, base, seed=1, resamples=200)
    got = {i.key: i for i in res.indices}
    for k, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        i = got[f"ishigami.{k}"]
        assert i.s1 == pytest.approx(s1, abs=0.05), k
        assert i.st == pytest.approx(st, abs=0.05), k
        assert i.s1_ci < 0.1 and i.st_ci < 0.1
    assert res.top(1) == ["ishigami.x1"]
    assert 0.5 * 0.5 < res.base_sd < 0.5 * 1.6  # sd 0.5 from 8 seeds (chi² 7 df, 99 %)
    assert res.noise_floor < 0.01  # 0.25 / 2 / Var(Y) ≈ 0.009 (Var(Y) = 13.84)


def test_morris_ranks_ishigami_and_a_dead_parameter(tmp_path: Path, scenario: Path) -> None:
    dead = Assumption(key="ishigami.dead", name="unused", unit="1", default=0.0, low=-1,
                      high=1, dist="uniform", source="test", status="assumed",
                      used_by=("test",))
    design = sa.make_design((*X, dead), "morris", 40, seed=2)
    with Store(tmp_path / "m.db") as store:
        _, rows, _ = run_study(store, IshigamiPool(), scenario, design, seeds=1,
                               base_seeds=2)
        y, base, _ = collect(store, rows, "y", 1, 2)
    res = sa.analyze(design, "y", y, base, seed=1, resamples=200)
    got = {i.key: i for i in res.indices}
    assert got["ishigami.dead"].mu_star == 0.0 and res.indices[-1].key == "ishigami.dead"
    # x1 matters most in Ishigami's Morris screening, then x3 (interactions), x2 next
    assert set(res.top(3)) == {"ishigami.x1", "ishigami.x2", "ishigami.x3"}
    assert all(i.sigma_ci >= 0 for i in res.indices)
    md = sa.markdown(res)
    assert "| 1 | `ishigami." in md and "Noise floor" in md


def test_design_and_analysis_are_reproducible_from_a_seed() -> None:
    a = sa.make_design(X, "morris", 10, seed=5)
    b = sa.make_design(X, "morris", 10, seed=5)
    c = sa.make_design(X, "morris", 10, seed=6)
    assert np.array_equal(a.values, b.values) and not np.array_equal(a.values, c.values)
    y = np.array([ishigami(*row) for row in a.values])
    r1 = sa.analyze(a, "y", y, np.array([0.0, 0.0]), seed=3, resamples=100)
    r2 = sa.analyze(b, "y", y, np.array([0.0, 0.0]), seed=3, resamples=100)
    assert json.dumps(sa.rows(r1)) == json.dumps(sa.rows(r2))  # NaN-safe equality
    assert r1.indices[0].mu_star_ci > 0 and r1.indices[0].sigma_ci > 0
    s = sa.make_design(X, "sobol", 64, seed=1)
    assert np.array_equal(s.unit, sa.make_design(X, "sobol", 64, seed=1).unit)


def test_design_maps_units_through_each_distribution() -> None:
    log = Assumption(key="t.log", name="n", unit="s", default=10, low=1, high=100,
                     dist="loguniform", source="s", status="assumed", used_by=("x",))
    d = sa.make_design([log], "morris", 4, seed=0, levels=4)
    assert set(np.round(d.values[:, 0], 6)) <= {1.0, 4.641589, 21.544347, 100.0}
    with pytest.raises(ValueError, match="power of two"):
        sa.make_design(X, "sobol", 100, seed=0)


def test_resume_runs_only_what_is_missing(tmp_path: Path, scenario: Path) -> None:
    design = sa.make_design(X, "morris", 4, seed=1)
    db = tmp_path / "r.db"
    with Store(db) as store:
        _, rows, _ = run_study(store, IshigamiPool(), scenario, design, seeds=2,
                               base_seeds=2)
        store.con.execute("DELETE FROM runs WHERE config_id = ? AND rep = 1",
                          (rows[3].id,))
    pool = IshigamiPool()
    with Store(db) as store:
        with pytest.raises(Exception, match="--resume"):
            run_study(store, pool, scenario, design, seeds=2, base_seeds=2)
        _, rows, s = run_study(store, pool, scenario, design, seeds=2, base_seeds=2,
                               resume=True)
        y, _, _ = collect(store, rows, "y", 2, 2)
    assert pool.calls == 1 and s.ran == 1 and np.isfinite(y).all()


@pytest.mark.parametrize(("method", "small"), [("morris", 4), ("sobol", 8)])
def test_a_larger_design_extends_the_stored_study(tmp_path: Path, scenario: Path,
                                                  method: str, small: int) -> None:
    """Doubling trajectories (or the Sobol sample) and adding a seed reruns nothing
    stored: the smaller design is the first rows of the larger one."""
    a = sa.make_design(X, method, small, seed=4)  # type: ignore[arg-type]
    b = sa.make_design(X, method, 2 * small, seed=4)  # type: ignore[arg-type]
    assert np.array_equal(a.values, b.values[:len(a.values)])
    db = tmp_path / "e.db"
    with Store(db) as store:
        _, rows_a, _ = run_study(store, IshigamiPool(0.5), scenario, a, seeds=1,
                                 base_seeds=2)
        y_a, _, _ = collect(store, rows_a, "y", 1, 2)
    pool = IshigamiPool(0.5)
    with Store(db) as store:
        batch, rows_b, s = run_study(store, pool, scenario, b, seeds=2, base_seeds=2,
                                     resume=True)
        y_b, _, _ = collect(store, rows_b, "y", 2, 2)
        assert len(store.batches()) == 1 and batch.name.startswith("sensitivity:s:")
    # new: the second half's points at both seeds, and the first half's second seed
    assert pool.calls == s.ran == len(b.values) * 2 - len(a.values)
    assert np.array_equal(y_b[:len(a.values), :1], y_a)


def test_a_metric_missing_at_a_point_is_an_error() -> None:
    d = sa.make_design(X, "morris", 2, seed=0)
    y: Any = np.full((len(d.values), 1), 1.0)
    y[3, 0] = math.nan
    with pytest.raises(ValueError, match="missing in every run of 1 design point"):
        sa.analyze(d, "y", y, np.array([1.0]))


def test_metric_value_digs_into_tables_and_refuses_what_is_not_a_number() -> None:
    from sim.engine.metrics import metric_value

    run = {"margin_s": 199.2, "margin_space": "L2-shop-S03", "aset_s": {"L2-hall": 270.0},
           "exit_counts.south": 7, "sprinklered": True, "rset_s": None,
           "nested": {"a": {"b": 3}}}
    assert metric_value(run, "margin_s") == 199.2
    assert metric_value(run, "aset_s.L2-hall") == 270.0
    assert metric_value(run, "exit_counts.south") == 7.0  # a flat key holding a dot
    assert metric_value(run, "nested.a.b") == 3.0
    for name in ("margin_space", "sprinklered", "rset_s", "aset_s", "aset_s.L1",
                 "nested.a.b.c", "absent"):
        assert math.isnan(metric_value(run, name)), name
    assert math.isnan(metric_value(None, "margin_s")) and math.isnan(metric_value({}, "x"))
