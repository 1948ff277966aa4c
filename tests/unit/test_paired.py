"""Paired differences over common seeds (issue 17): values, CIs, verdicts, batch reports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.batch.executors import InlinePool
from sim.batch.paired import paired
from sim.batch.report import write_report
from sim.batch.runner import run_batch
from sim.batch.spec import load_batch
from sim.batch.store import Store
from tests.unit.test_adequacy import SCENARIO


def test_paired_difference_and_t_interval() -> None:
    # d = b - a = [1, 0, 2, 1]: mean 1, sd sqrt(2/3) = 0.8165; t(0.975, 3) = 3.1824
    # (t table), so the 95 % CI is 1 ± 3.1824 · 0.8165 / 2 = [-0.299, 2.299]
    d = paired([1, 2, 3, 4], [2, 2, 5, 5], metric="attack_victims")
    assert d.n == 4 and d.dropped == 0
    assert d.diff == pytest.approx(1.0)
    assert d.ci_lo == pytest.approx(-0.299, abs=1e-3)
    assert d.ci_hi == pytest.approx(2.299, abs=1e-3)
    assert (d.better, d.worse) == (0, 3)  # fewer victims is better
    assert d.verdict == "no clear difference"


def test_missing_values_drop_their_seed_and_verdicts_follow_the_sign() -> None:
    d = paired([100, 120, None, 110, 90], [80, 95, 70, 85, 70], metric="t_neutralised_s")
    assert d.n == 4 and d.dropped == 1 and d.diff == pytest.approx(-22.5)
    assert d.verdict == "better"
    up = paired([10, 12, 11], [20, 22, 23], metric="evacuated")
    assert up.verdict == "better" and up.better == 3
    with pytest.raises(ValueError, match="length"):
        paired([1, 2], [1])


def _width_batch(tmp_path: Path, name: str, *, people: int, reps: int, seeding: str,
                 widths: str) -> Path:
    """The tiny mall's south door at ``widths`` (a TOML list), a batch file (its path)."""
    (tmp_path / "tiny.toml").write_text(SCENARIO.replace("count = 400", f"count = {people}"))
    (tmp_path / "b.toml").write_text(f"""\
schema = "safemall/batch/1"
name = "{name}"
scenario = "tiny.toml"
replications = {reps}
root_seed = 7
seeding = "{seeding}"
[grid]
geometry.widths.south-door = {widths}
""")
    return tmp_path / "b.toml"


def test_common_seeded_batch_reports_paired_differences(tmp_path: Path) -> None:
    b = _width_batch(tmp_path, "widths", people=200, reps=4, seeding="common",
                     widths="[0.9, 1.8, 3.6]")
    with Store(tmp_path / "w.db") as st:
        run_batch(load_batch(b), st, InlinePool())
        tables = write_report(st, tmp_path / "rep", metrics=["t_evacuation_s"])
    names = {f.name for f in tables[0].files}
    assert {"widths_paired.csv", "widths_paired.md"} <= names
    md = (tmp_path / "rep" / "widths_paired.md").read_text()
    # a door twice as wide empties the mall sooner on every seed
    assert "| t_evacuation_s | geometry.widths.south-door=0.9 | " \
           "geometry.widths.south-door=1.8 | 4 |" in md
    assert "| 4 / 0 | better |" in md
    assert "against the first" in md
    # one implementation: the pairs against a labelled baseline are the pairs against the
    # first configuration when that is the baseline
    with Store(tmp_path / "w.db") as st:
        tables = write_report(st, tmp_path / "rep2", metrics=["t_evacuation_s"],
                              paired="geometry.widths.south-door=0.9")
    csv = pd.read_csv(tmp_path / "rep2" / "widths_paired.csv")
    assert sorted(set(csv["against"])) == ["baseline", "first", "previous"]
    base = csv[csv["against"] == "baseline"].set_index("config_label")
    first = csv[csv["against"] == "first"].set_index("config_label")
    assert len(base) == 2
    for col in ("n", "diff", "ci_lo", "ci_hi", "better", "verdict"):
        assert base[col].tolist() == first.loc[base.index, col].tolist()
    assert (base["diff"] < 0).all() and (base["verdict"] == "better").all()
    md2 = (tmp_path / "rep2" / "widths_paired.md").read_text()
    assert "configuration − geometry.widths.south-door=0.9" in md2
    assert tables[0].paired is not None and len(tables[0].paired) == 2


def test_independent_batches_have_no_automatic_pairs_and_say_so_when_asked(
        tmp_path: Path) -> None:
    b = _width_batch(tmp_path, "ind", people=120, reps=3, seeding="independent",
                     widths="[0.9, 1.8]")
    with Store(tmp_path / "i.db") as st:
        run_batch(load_batch(b), st, InlinePool())
        tables = write_report(st, tmp_path / "r", metrics=["t_evacuation_s"])
        assert not any("paired" in f.name for f in tables[0].files)
        write_report(st, tmp_path / "r2", metrics=["t_evacuation_s"],
                     paired="geometry.widths.south-door=0.9")
    assert "independent seeds" in (tmp_path / "r2" / "ind_paired.md").read_text()

