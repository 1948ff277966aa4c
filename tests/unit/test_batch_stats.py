"""Statistics and reports on hand-made tables with known answers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.batch.report import batch_tables, markdown_table, write_report
from sim.batch.spec import Config
from sim.batch.stats import (
    ci_relative_halfwidth,
    confidence_bound,
    mean_bound,
    min_replications,
    order_stat_index,
    point_stat,
    proportion_interval,
    quantile_bound,
    summarize,
)
from sim.batch.store import Store, load_run_spec
from sim.batch.worker import RunOutcome, RunTask
from sim.errors import ScenarioError
from viz.batch_plots import plot_batch


def test_summary_of_known_values() -> None:
    s = summarize([10, 20, 30, 40, 50])
    assert s["n"] == 5 and s["missing"] == 0
    assert s["mean"] == 30
    assert s["sd"] == pytest.approx(math.sqrt(250))  # 15.811
    half = 2.7764451051977987 * math.sqrt(250) / math.sqrt(5)  # t(0.975, 4)
    assert s["ci_half"] == pytest.approx(half, rel=1e-9)
    assert (s["ci_lo"], s["ci_hi"]) == pytest.approx((30 - half, 30 + half))
    # linear interpolation between order statistics (type 7)
    assert (s["p5"], s["p50"], s["p95"]) == pytest.approx((12.0, 30.0, 48.0))
    assert (s["min"], s["max"]) == (10, 50)


def test_summary_drops_missing_and_handles_tiny_samples() -> None:
    s = summarize([100, 100, None, 104, float("nan")])
    assert (s["n"], s["missing"]) == (3, 2)
    assert s["mean"] == pytest.approx(304 / 3)
    assert s["ci_half"] == pytest.approx(4.302652729911275 * math.sqrt(16 / 3) / math.sqrt(3))
    one = summarize([7.0])
    assert one["mean"] == 7 and math.isnan(one["sd"]) and math.isnan(one["ci_half"])
    none = summarize([None])
    assert none["n"] == 0 and math.isnan(none["mean"])
    assert ci_relative_halfwidth([5, 5, 5]) == 0
    assert ci_relative_halfwidth([1]) == math.inf


def test_mean_bound_is_one_sided_t() -> None:
    x = np.array([10, 20, 30, 40, 50], float)
    up = 30 + 2.1318467863266504 * math.sqrt(250) / math.sqrt(5)  # t(0.95, 4)
    assert mean_bound(x, 0.95) == pytest.approx(up)
    assert mean_bound(x, 0.95, "lower") == pytest.approx(60 - up)
    assert mean_bound(np.array([1.0]), 0.95) == math.inf


def test_order_statistic_bound_needs_59_runs_for_p95() -> None:
    assert min_replications(0.95, 0.95) == 59
    assert order_stat_index(58, 0.95, 0.95) is None
    assert order_stat_index(59, 0.95, 0.95) == 59
    x = np.arange(1.0, 60.0)
    assert quantile_bound(x, 0.95, 0.95) == 59.0
    assert quantile_bound(x[:-1], 0.95, 0.95) == math.inf
    k = order_stat_index(200, 0.95, 0.95)
    assert k is not None and 190 < k < 200
    assert confidence_bound(np.arange(200.0), "p95", 0.95) == k - 1
    assert confidence_bound(np.array([3.0, 9.0, 4.0]), "max", 0.95) == 9.0


@pytest.mark.parametrize(("n", "side"), [(100, "upper"), (150, "lower")])
def test_order_statistic_bound_covers(n: int, side: str) -> None:
    """Monte Carlo: the bound is on the right side of the true p95 ≥ 95% of the time."""
    rng = np.random.default_rng(5)
    q = -math.log(0.05)  # true p95 of Exp(1)
    hits = 0
    trials = 3000
    for _ in range(trials):
        b = quantile_bound(rng.exponential(size=n), 0.95, 0.95, side)  # type: ignore[arg-type]
        hits += b >= q if side == "upper" else b <= q
    assert hits / trials >= 0.94


# -- a hand-made database ----------------------------------------------------------------

def _store(tmp_path: Path) -> Store:
    st = Store(tmp_path / "hand.db")
    b = st.open_batch(name="hand", kind="batch", source="hand.toml", description="",
                      root_entropy=11, seeding="independent", replications=5, until_ci=None,
                      spec={}, resume=False)
    rows = st.add_configs(b, [
        Config(0, "/x/s.toml", ("security.guards=10",), {"security.guards": 10}, "g10"),
        Config(1, "/x/s.toml", ("security.guards=20",), {"security.guards": 20}, "g20")])
    data = {0: [10, 20, 30, 40, 50], 1: [100, 100, None, 104, "fail"]}
    for row in rows:
        for rep, v in enumerate(data[row.index]):
            task = RunTask(b.id, row.id, row.index, rep, "/x/s.toml", row.overrides, 11,
                           (row.index, rep))
            if v == "fail":
                out = RunOutcome("failed", None, None, "ValueError: boom\ntrace", 0.1, "w")
            else:
                m = {"t_evacuation_s": v, "occupants": 5, "peak_density_space": "hall",
                     "exit_counts": {"a": 5} if rep else {"a": 3, "b": 2},
                     "seed_entropy": 11, "spawn_key": [row.index, rep], "wall_s": 0.5}
                out = RunOutcome("ok", m, {"t_end_s": 60.0, "occupants": 5,
                                           "evacuated": [0, 2, 5]}, None, 0.6, "w")
            assert st.write_run(task, out) is not None
            assert st.write_run(task, out) is None  # a duplicate is ignored
    return st


def test_report_statistics_on_hand_made_table(tmp_path: Path) -> None:
    with _store(tmp_path) as st:
        t = batch_tables(st, st.batches()[0])
    assert t.params == ["security.guards"]
    assert "peak_density_space" not in t.metrics and "seed_entropy" not in t.metrics
    assert len(t.runs) == 10 and (t.runs["status"] == "failed").sum() == 1
    s = t.summary.set_index(["config_index", "metric"])
    r0 = s.loc[(0, "t_evacuation_s")]
    assert (r0["n"], r0["mean"], r0["p95"], r0["failed"]) == (5, 30, 48, 0)
    assert r0["ci_half"] == pytest.approx(2.7764451051977987 * math.sqrt(250 / 5))
    r1 = s.loc[(1, "t_evacuation_s")]
    assert (r1["n"], r1["missing"], r1["failed"]) == (3, 1, 1)
    assert r1["mean"] == pytest.approx(304 / 3)
    # exit_counts are flattened; an exit nobody used counts 0
    assert s.loc[(0, "exit_counts.b")]["mean"] == pytest.approx(2 / 5)
    md = markdown_table(t)
    head = md.splitlines()[0]
    assert head.startswith("| security.guards | runs | failed | ")
    # human-readable names with their unit, not metric ids
    assert "(s) mean [95% CI]" in head and "t_evacuation_s" not in head
    assert "| 10 | 5 | 0 | 30.0 [10.4, 49.6] | 48.0 |" in md
    assert "(1 missing)" in md


def test_report_files(tmp_path: Path) -> None:
    with _store(tmp_path) as st:
        tables = write_report(st, tmp_path / "out")
        tables[0].files += plot_batch(st, tables[0], tmp_path / "out")
    names = {f.name for f in tables[0].files}
    assert {"hand_runs.csv", "hand_runs.parquet", "hand_summary.csv", "hand_summary.parquet",
            "hand_table.md", "hand_evacuation.png",
            "hand_t_evacuation_s_vs_security.guards.png"} <= names
    back = pd.read_parquet(tmp_path / "out" / "hand_summary.parquet")
    assert back.equals(pd.read_parquet(tmp_path / "out" / "hand_summary.parquet"))
    csv = pd.read_csv(tmp_path / "out" / "hand_runs.csv")
    assert csv.loc[csv["status"] == "failed", "error"].tolist() == ["ValueError: boom"]


def test_count_intervals_are_never_negative() -> None:
    """The issue's case: crush injuries 0, 0, 0, 78 have mean 19.5; a t interval claims
    [-42.6, 81.6]. The bootstrap interval of a count stays within what counts can be."""
    x = [0, 0, 0, 78]
    t = summarize(x)
    assert t["ci_lo"] < 0  # what the t interval says (the defect)
    b = summarize(x, kind="count")
    assert b["mean"] == 19.5 and b["ci_lo"] >= 0 and b["ci_hi"] <= 78
    assert (summarize([0, 0, 0], kind="count")["ci_lo"],
            summarize([0, 0, 0], kind="count")["ci_hi"]) == (0, 0)
    # reproducible: the same values give the same interval
    assert summarize(x, kind="count")["ci_hi"] == b["ci_hi"]


def test_proportion_intervals_are_exact() -> None:
    """Exact (Clopper-Pearson) limits as R's ``binom.test`` prints them: 0/10 → 0–0.3085,
    1/10 → 0.0025–0.4450, 5/10 → 0.1871–0.8129, 10/10 → 0.6915–1; within [0, 1]."""
    assert proportion_interval(0, 10) == pytest.approx((0.0, 0.3085), abs=1e-4)
    assert proportion_interval(5, 10) == pytest.approx((0.1871, 0.8129), abs=1e-4)
    assert proportion_interval(10, 10) == pytest.approx((0.6915, 1.0), abs=1e-4)
    s = summarize([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], kind="flag")
    assert (s["ci_lo"], s["ci_hi"]) == pytest.approx((0.0025, 0.4450), abs=1e-4)


def test_workbook_and_configurations_without_data(tmp_path: Path) -> None:
    """One sheet per table; a configuration whose every run failed stays in the table."""
    from openpyxl import load_workbook

    with _store(tmp_path) as st:
        b = st.batches()[0]
        dead = st.add_configs(b, [Config(2, "/x/s.toml", ("security.disable=[\"guards\"]",),
                                         {"security.guards": 0}, "no staff")])[0]
        task = RunTask(b.id, dead.id, 2, 0, "/x/s.toml", dead.overrides, 11, (2, 0))
        st.write_run(task, RunOutcome("failed", None, None, "boom", 0.1, "w"))
        tables = write_report(st, tmp_path / "out")
    wb = load_workbook(tmp_path / "out" / "hand.xlsx", read_only=True)
    assert wb.sheetnames == ["comparison", "summary", "runs"]
    rows = list(wb["comparison"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["g10", "g20", "no staff"]
    assert len(list(wb["runs"].iter_rows())) == 1 + 11
    md = (tmp_path / "out" / "hand_table.md").read_text(encoding="utf-8")
    assert "| 0 | 1 | 1 | no data |" in md
    assert tables[0].files[-1].name == "hand.xlsx"
    import matplotlib.pyplot as plt

    made = []
    real_savefig = plt.Figure.savefig

    def keep(fig: plt.Figure, *a: object, **k: object) -> None:
        made.append(fig)
        real_savefig(fig, *a, **k)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plt.Figure, "savefig", keep)
        with Store(tmp_path / "hand.db") as st:
            plot_batch(st, tables[0], tmp_path / "out")
    texts = [t.get_text() for f in made for ax in f.axes for t in ax.texts]
    assert "no data" in texts
    labels = [ax.get_ylabel() for f in made for ax in f.axes]
    assert any(lb.endswith("(s)") for lb in labels)
    legends = [lg for f in made for ax in f.axes if (lg := ax.get_legend()) is not None]
    assert all(t.get_fontsize() >= 8 for lg in legends for t in lg.get_texts())


def test_load_run_spec(tmp_path: Path) -> None:
    _store(tmp_path).close()
    spec = load_run_spec(tmp_path / "hand.db", 7)
    assert (spec.config_index, spec.rep, spec.overrides) == (1, 1, ["security.guards=20"])
    ss = spec.seed_sequence()
    assert (ss.entropy, ss.spawn_key) == (11, (1, 1))
    assert spec.scenario_path == "/x/s.toml"
    with pytest.raises(ScenarioError, match=r"hand\.db: RUN_ID: no run with id 99"):
        load_run_spec(tmp_path / "hand.db", 99)
    with pytest.raises(ScenarioError, match="no such database"):
        load_run_spec(tmp_path / "absent.db", 1)
    with Store(tmp_path / "hand.db") as st:
        row = st.con.execute("SELECT spawn_key, metrics_json FROM runs WHERE id = 7").fetchone()
    assert json.loads(row[0]) == [1, 1] and json.loads(row[1])["t_evacuation_s"] == 100


def test_paired_difference_by_hand() -> None:
    from sim.batch.paired import paired

    # differences 2, 3, 4: mean 3, sd 1, half-width t(0.975, 2) / √3 = 4.3027 / 1.7321
    d = paired([1.0, 2.0, 3.0, 9.0], [3.0, 5.0, 7.0, None])
    assert d.n == 3 and d.dropped == 1
    assert d.diff == pytest.approx(3.0) and d.sd == pytest.approx(1.0)
    assert d.ci_half == pytest.approx(4.302653 / 3**0.5, rel=1e-5)
    assert d.mean_b == pytest.approx(5.0) and d.mean_a == pytest.approx(2.0)
    with pytest.raises(ValueError):
        paired([1.0], [1.0, 2.0])


def test_paired_frame_matches_replications() -> None:
    import pandas as pd

    from sim.batch.paired import UnknownConfiguration
    from sim.batch.report import BatchTables, paired_frame, paired_markdown
    from sim.batch.store import BatchRow, ConfigRow

    cfg = [ConfigRow(i, 1, i, lab, "", "", (), {}) for i, lab in enumerate(("base", "x"))]
    runs = pd.DataFrame({"config_index": [0, 0, 0, 1, 1, 1], "rep": [0, 1, 2, 2, 1, 0],
                         "status": ["ok"] * 6, "m": [10.0, 20.0, 30.0, 33.0, 21.0, 12.0]})
    t = BatchTables(BatchRow(1, "b", "batch", "", 0, "common", 3, None), cfg, [], ["m"], runs,
                    pd.DataFrame())
    pf = paired_frame(t, "base", ["m"])
    # replication-matched differences 2, 1, 3 (not 23, 1, -18 by row order)
    assert pf["diff"].iloc[0] == pytest.approx(2.0) and pf["sd"].iloc[0] == pytest.approx(1.0)
    assert "x" in paired_markdown(pf, "base")
    # a configuration without any value of a metric does not hide the baseline's mean
    cfg3 = [ConfigRow(i, 1, i, lab, "", "", (), {}) for i, lab in enumerate(("base", "none",
                                                                               "x"))]
    runs3 = pd.DataFrame({"config_index": [0, 0, 0, 1, 1, 1, 2, 2, 2],
                          "rep": [0, 1, 2] * 3, "status": ["ok"] * 9,
                          "m": [10.0, 20.0, 30.0, *[float("nan")] * 3, 12.0, 21.0, 33.0]})
    t3 = BatchTables(BatchRow(1, "b", "batch", "", 0, "common", 3, None), cfg3, [], ["m"],
                     runs3, pd.DataFrame())
    md3 = paired_markdown(paired_frame(t3, "base", ["m"]), "base")
    assert "| base (mean) | 20.0 |" in md3 and "| none | — |" in md3
    with pytest.raises(UnknownConfiguration):
        paired_frame(t, "nope", ["m"])


def test_percentile_keeps_infinite_runs_instead_of_nan() -> None:
    """A run that never reached the state counts as inf; a percentile over several such
    runs is inf (Hyndman & Fan type 7: a + w (b - a) with b = inf), not NaN as
    np.percentile gives (inf - inf)."""
    inf = math.inf
    six = np.array([1.0, 2.0, inf, inf, inf, inf])
    assert point_stat(six, "p95") == inf          # h = 4.75, between inf and inf
    assert point_stat(six, "p10") == 1.5          # h = 0.5: 1 + 0.5 (2 - 1)
    assert point_stat(six, "p20") == 2.0          # h = 1.0 exactly: the 2nd value
    assert point_stat(six, "p30") == inf          # h = 1.5: from 2 towards inf
    # finite values: type 7 by hand, 1..5 at q = 0.9: h = 3.6 → 4 + 0.6 × 1 = 4.6
    assert point_stat(np.array([5.0, 1.0, 4.0, 2.0, 3.0]), "p90") == pytest.approx(4.6)
