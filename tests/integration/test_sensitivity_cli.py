"""``safemall sensitivity`` and ``safemall adequacy --uncertain`` as people run them: a tiny
study on a 60-person drill, its table and files, resuming, and one-line refusals.

Expected sizes come from the methods' definitions, not from the code: a Morris design of
``r`` trajectories over ``k`` parameters has ``r (k + 1)`` points (Morris 1991; Campolongo
et al. 2007), each run over every seed, plus the base point's seeds. The exact
(Clopper–Pearson) 95 % interval of 3 successes in 3 trials is [0.025^(1/3), 1] =
[0.2924, 1] (Clopper & Pearson 1934).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_here

LAYOUT = REPO / "tests" / "fixtures" / "example_layout.toml"
SECURITY = REPO / "tests" / "fixtures" / "example_security.toml"
PARAMS = ("premovement.alarm.mean_s", "premovement.alarm.sd_s")


@pytest.fixture
def drill(tmp_path: Path) -> Path:
    """A 60-person drill in the example layout, with the example security plan."""
    p = tmp_path / "tiny.toml"
    p.write_text(f'schema = "safemall/scenario/1"\nlayout = "{LAYOUT.as_posix()}"\n'
                 f'security = "{SECURITY.as_posix()}"\nseed = 4\nduration_s = 1800\n'
                 '[occupants]\ncount = 60\n[hazard]\nkind = "drill"\nspace = "hall"\n')
    return p


def _study(drill: Path, tmp: Path, *extra: str) -> list[str]:
    params = [x for k in PARAMS for x in ("--params", k)]
    return ["sensitivity", str(drill), "--metric", "t_evacuation_s", "--metric",
            "mean_premovement_s", *params, "--trajectories", "2", "--seeds", "2",
            "--base-seeds", "3", "--workers", "0", "--db", str(tmp / "s.db"), "--out",
            str(tmp / "out"), *extra]


def test_tiny_morris_prints_the_table_writes_files_and_resumes(drill: Path,
                                                                tmp_path: Path) -> None:
    k, r, seeds, base = len(PARAMS), 2, 2, 3
    n_runs = r * (k + 1) * seeds + base
    first = run_here(_study(drill, tmp_path))
    assert first.rc == 0, first.err[-2000:]
    assert f"= {n_runs} runs" in first.err
    assert f"{n_runs} runs now, 0 failed" in first.out
    for metric in ("t_evacuation_s", "mean_premovement_s"):
        assert f"**{metric}** (morris, {r * (k + 1)} points × {seeds} seeds)" in first.out
    assert "| rank | parameter | μ* ± 95% CI | σ ± 95% CI | μ | seed SE of μ* |" in first.out
    assert first.out.count("| `premovement.alarm.mean_s` |") == 2
    assert "Noise floor (μ* of a no-effect parameter, at most)" in first.out
    out = tmp_path / "out"
    with (out / "indices.csv").open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 2 * k
    assert {(t["metric"], t["key"]) for t in table} == \
        {(m, p) for m in ("t_evacuation_s", "mean_premovement_s") for p in PARAMS}
    for t in table:  # the CSV and the printed table are the same numbers
        assert f"| {t['rank']} | `{t['key']}` | {float(t['mu_star']):.4g} ± " in first.out
        assert float(t["mu_star"]) >= abs(float(t["mu"])) - 1e-9  # μ* = mean |EE| ≥ |μ|
    assert (out / "indices.md").read_text(encoding="utf-8").strip() in first.out
    for metric in ("t_evacuation_s", "mean_premovement_s"):
        assert (out / f"tornado_{metric}.png").stat().st_size > 0
    # the same study again is refused (it would mix runs); --resume runs nothing new and
    # reports the same table from the stored rows
    again = run_here(_study(drill, tmp_path))
    assert again.rc == 2 and "Traceback" not in again.err
    last = again.error_lines[-1]  # after the study's header line
    assert last.startswith("error: ") and "s.db: already holds batch " \
        "'sensitivity:tiny:morris:" in last and "--resume" in last, last
    resumed = run_here(_study(drill, tmp_path, "--resume"))
    assert resumed.rc == 0, resumed.err[-2000:]
    assert "0 runs now, 0 failed" in resumed.out
    assert resumed.out.split("study ")[0] == first.out.split("study ")[0]
    js = run_here(_study(drill, tmp_path, "--resume", "--json"))
    doc = json.loads(js.out)
    assert doc["runs"] == n_runs and doc["ran"] == 0 and len(doc["indices"]) == 2 * k
    assert doc["noise"]["t_evacuation_s"]["base_sd"] > 0


@pytest.mark.parametrize(("args", "parts"), [
    (["--metric", "t_evacuaton_s", "--params", PARAMS[0]],
     ("--metric", "'t_evacuaton_s'", "did you mean t_evacuation_s")),
    (["--metric", "t_evacuation_s", "--params", "premovement.alarm.mea_s"],
     ("--params", "unknown assumption 'premovement.alarm.mea_s'",
      "did you mean 'premovement.alarm.mean_s'")),
    (["--metric", "t_evacuation_s", "--params", "fire.soot_yield"],
     ("tiny.toml", "--params", "'fire.soot_yield' is not used by this scenario")),
    (["--metric", "t_evacuation_s", "--params", PARAMS[0], "--params", PARAMS[0]],
     ("--params", "listed twice")),
    (["--metric", "t_evacuation_s"], ("--params", "--all-assumed")),
    (["--metric", "t_evacuation_s", "--all-assumed", "--params", PARAMS[0]],
     ("--params", "one of them")),
    (["--metric", "t_evacuation_s", "--params", PARAMS[0], "--method", "fast"],
     ("--method", "expected morris or sobol, got 'fast'")),
    (["--metric", "t_evacuation_s", "--params", PARAMS[0], "--method", "sobol",
      "--samples", "6"], ("--samples", "power of two, got 6")),
])
def test_bad_options_are_one_line_before_any_run(drill: Path, tmp_path: Path,
                                                 args: list[str],
                                                 parts: tuple[str, ...]) -> None:
    db = tmp_path / "x.db"
    r = run_here(["sensitivity", str(drill), *args, "--workers", "0", "--db", str(db)])
    assert_one_line_error(r, *parts)
    assert not db.exists()


def test_a_metric_the_scenario_never_reports_is_one_line_or_counts_as_missing(drill: Path,
                                                         tmp_path: Path) -> None:
    # margin_s is a fire metric: a drill reports none, which only the runs can show
    r = run_here(["sensitivity", str(drill), "--metric", "margin_s", "--params", PARAMS[0],
                  "--trajectories", "2", "--seeds", "1", "--base-seeds", "2", "--workers",
                  "0", "--db", str(tmp_path / "m.db"), "--out", str(tmp_path / "o")])
    assert r.rc == 2 and "Traceback" not in r.err
    last = r.error_lines[-1]  # after the header and the progress lines
    assert last.startswith("error: ") and "tiny.toml: --metric: metric 'margin_s' is " \
        "missing in every run of 4 design point(s)" in last, last
    # --missing counts such runs as a value: a constant output, so every effect is 0
    filled = run_here(["sensitivity", str(drill), "--metric", "margin_s", "--params",
                       PARAMS[0], "--trajectories", "2", "--seeds", "1", "--base-seeds", "2",
                       "--workers", "0", "--db", str(tmp_path / "m.db"), "--out",
                       str(tmp_path / "o"), "--resume", "--missing", "1000", "--json"])
    assert filled.rc == 0, filled.err[-2000:]
    doc = json.loads(filled.out)
    assert doc["ran"] == 0 and doc["noise"]["margin_s"]["filled"] == 2 * 2 + 2
    assert doc["indices"][0]["mu_star"] == 0.0 and doc["indices"][0]["sigma"] == 0.0
    md = (tmp_path / "o" / "indices.md").read_text(encoding="utf-8")
    assert "6 runs did not report margin_s and count as 1000 (--missing)" in md
    assert md.count("| — |") == 1  # one seed per point: no seed SE of μ*


def _uncertain(drill: Path, tmp: Path, *extra: str) -> list[str]:
    return ["adequacy", str(drill), "--vary", "security.guards", "--values", "0,4",
            "--target", "t_evacuation_s.mean <= 3000", "--uncertain", "--samples", "3",
            "--seeds-per-sample", "1", "--workers", "0", "--db", str(tmp / "u.db"), *extra]


def test_tiny_adequacy_under_uncertainty(drill: Path, tmp_path: Path) -> None:
    r = run_here(_uncertain(drill, tmp_path, "--params", PARAMS[0], "--out",
                            str(tmp_path / "plots")))
    assert r.rc == 0, r.err[-2000:]
    # 2 candidates × 3 assumption sets × 1 seed; a 60-person drill is out in far less
    # than 3000 s whatever the alarm response, so both candidates meet it in 3 of 3
    assert "2 candidates × 3 assumption sets (1 assumptions) × 1 seeds = 6 runs" \
        in " ".join(r.err.split())
    assert r.out.count("3 / 3") == 2 and "[0.29, 1.00]" in r.out
    assert "answer: security.guards = 0 meets every target in 3 of 3 assumption sets " \
           "(P = 1.00, 95% CI 0.29–1.00; asked ≥ 0.95)" in r.out
    assert "premovement.alarm.mean_s" in r.out  # the drivers table
    assert any(p.suffix == ".png" for p in (tmp_path / "plots").iterdir())
    js = run_here(_uncertain(drill, tmp_path, "--params", PARAMS[0], "--json"))
    doc = json.loads(js.out)
    assert js.rc == 0 and doc["answer"] == 0 and doc["runs"] == 6
    lo, hi = doc["candidates"][0]["ci"]
    assert lo == pytest.approx(0.025 ** (1 / 3), abs=1e-4) and hi == 1.0


def test_uncertain_with_an_unused_assumption_is_one_line(drill: Path,
                                                         tmp_path: Path) -> None:
    r = run_here(_uncertain(drill, tmp_path, "--params", "knife.harm_rate_per_min"))
    assert_one_line_error(r, "tiny.toml", "--params", "'knife.harm_rate_per_min' is not used")
    assert not (tmp_path / "u.db").exists()


def test_uncertain_when_no_candidate_meets_the_targets(drill: Path, tmp_path: Path) -> None:
    # nobody leaves a mall in a second: no set is met, the required value is above every
    # candidate in both halves of each assumption's samples, and the table says so
    args = _uncertain(drill, tmp_path, "--params", PARAMS[0])
    args[args.index("t_evacuation_s.mean <= 3000")] = "t_evacuation_s.mean <= 1"
    r = run_here(args)
    assert r.rc == 1, r.err[-2000:]
    assert r.out.count("0 / 3") == 2
    assert "> 4" in r.out and "answer: no candidate of security.guards" in r.out


def test_the_report_finds_a_stored_study_of_the_same_scenario_file(drill: Path,
                                                                   tmp_path: Path) -> None:
    # a study run on one copy of a scenario is shown for a byte-identical copy elsewhere
    # (another checkout), and not for an edited one
    from sim.batch.store import Store
    from sim.report.assumptions import stored_sensitivity

    assert run_here(_study(drill, tmp_path)).rc == 0
    same = tmp_path / "checkout" / drill.name
    same.parent.mkdir()
    same.write_bytes(drill.read_bytes())
    edited = tmp_path / "edited" / drill.name
    edited.parent.mkdir()
    edited.write_bytes(drill.read_bytes().replace(b"count = 60", b"count = 61"))
    store = Store(tmp_path / "s.db")
    try:
        for where, found in ((drill, True), (same, True), (edited, False)):
            got = stored_sensitivity(store, [where], ["t_evacuation_s"])
            assert bool(got) is found, where
            if found:
                assert got[0]["scenario"] == "tiny" and got[0]["points"] == 2 * 3
                assert {r["key"] for r in got[0]["rows"]} == set(PARAMS)
    finally:
        store.close()
