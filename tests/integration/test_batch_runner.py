"""Batch runs end to end: determinism, Dask == processes, killed runner / worker, resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from sim.batch.executors import DaskPool, InlinePool, LocalPool
from sim.batch.runner import run_batch
from sim.batch.seeds import run_seed
from sim.batch.spec import load_batch
from sim.batch.store import Store
from sim.io.scenario_files import load_scenario
from sim.run.runner import run_scenario

LAYOUT = Path(__file__).resolve().parents[1] / "fixtures" / "example_layout.toml"

SCENARIO = f"""\
schema = "safemall/scenario/1"
layout = "{LAYOUT.as_posix()}"
seed = 3
duration_s = 3000
[occupants]
count = 150
[premovement]
model = "lognormal"
mean_s = 30
sd_s = 10
[hazard]
kind = "drill"
"""

BATCH = """\
schema = "safemall/batch/1"
name = "tiny"
scenario = "tiny.toml"
replications = {reps}
root_seed = 2024
[grid]
"occupants.count" = {counts}
geometry.widths.south-door = [1.2, 2.4]
"""

#: Runs a CLI subcommand even before ``sim.cli.batch_cmd`` is listed in the main CLI.
CLI = """\
import sys
from sim.cli import main as m
import sim.cli.batch_cmd as b
m._register()
if "sim.cli.batch_cmd" not in m._COMMAND_MODULES:
    b.register(m.app)
sys.exit(m.main(sys.argv[1:]))
"""


def _files(tmp_path: Path, reps: int = 3, counts: str = "[100, 200]") -> Path:
    (tmp_path / "tiny.toml").write_text(SCENARIO)
    p = tmp_path / "tiny_batch.toml"
    p.write_text(BATCH.format(reps=reps, counts=counts))
    return p


def _results(db: Path) -> dict[tuple[int, int], dict[str, Any]]:
    """(config index, rep) → metrics without wall time; every run exactly once."""
    con = sqlite3.connect(db)
    rows = con.execute("SELECT c.config_index, r.rep, r.status, r.metrics_json, "
                       "r.seed_entropy, r.spawn_key FROM runs r "
                       "JOIN configs c ON c.id = r.config_id").fetchall()
    con.close()
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for ci, rep, status, mj, ent, key in rows:
        assert (ci, rep) not in out, f"run {(ci, rep)} stored twice"
        m = json.loads(mj) if mj else {}
        m.pop("wall_s", None)
        out[(ci, rep)] = {**m, "status": status, "_seed": (ent, key)}
    return out


def _cli(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True,
                          timeout=120, **kw)


def test_same_batch_twice_gives_identical_results(tmp_path: Path) -> None:
    spec = load_batch(_files(tmp_path))
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        pool = LocalPool(2)
        try:
            sa = run_batch(spec, a, pool)
            sb = run_batch(spec, b, pool)
        finally:
            pool.close()
    assert sa.ran == sb.ran == 12 and sa.failed == 0
    ra = _results(tmp_path / "a.db")
    assert ra == _results(tmp_path / "b.db")
    assert len(ra) == 12 and ra[(3, 2)]["_seed"] == ("2024", "[3, 2]")
    # ... and equal to running each seed in this process
    with Store(tmp_path / "c.db") as c:
        run_batch(spec, c, InlinePool())
    assert _results(tmp_path / "c.db") == ra


def _profilers_running(dask_worker: Any) -> list[str]:
    pcs = dask_worker.periodic_callbacks
    return [k for k in ("profile", "profile-cycle") if k in pcs and pcs[k].is_running()]


def test_worker_allocator_tuning_applies_on_glibc() -> None:
    import platform

    from sim.batch.worker import tune_process

    assert tune_process() is (platform.libc_ver()[0] == "glibc")


def test_dask_path_equals_process_path(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    spec = load_batch(_files(tmp_path))
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client, \
            Store(tmp_path / "dask.db") as st:
        pool_d = DaskPool(client=client)
        # the worker plugin stopped the statistical profiler on every worker
        running = client.run(_profilers_running)
        assert running and all(v == [] for v in running.values())
        s = run_batch(spec, st, pool_d)
    assert s.backend == "dask" and s.ran == 12
    pool = LocalPool(1)
    with Store(tmp_path / "proc.db") as st:
        run_batch(spec, st, pool)
    pool.close()
    assert _results(tmp_path / "dask.db") == _results(tmp_path / "proc.db")


def test_killed_runner_loses_nothing_and_resume_completes(tmp_path: Path) -> None:
    """SIGKILL the runner mid-batch; resume runs only what is missing, seeds unchanged."""
    batch = _files(tmp_path, reps=8, counts="[1500, 2500]")
    db = tmp_path / "k.db"
    proc = subprocess.Popen([sys.executable, "-c", CLI, "batch", str(batch), "--workers", "2",
                             "--db", str(db)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    stored = 0
    children: list[psutil.Process] = []
    try:
        deadline = time.time() + 60
        while time.time() < deadline and stored < 6:
            time.sleep(0.02)
            children = psutil.Process(proc.pid).children(recursive=True) or children
            if db.exists():
                try:
                    con = sqlite3.connect(db)
                    stored = con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
                    con.close()
                except sqlite3.OperationalError:
                    pass
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        time.sleep(0.3)
        for ch in children:  # a forkserver or worker left behind is ours to end
            if ch.is_running():
                ch.kill()
    before = _results(db)
    assert 6 <= len(before) < 32, "the runner must be killed mid-batch"
    assert all(r["status"] == "ok" for r in before.values())
    r = _cli("batch", str(batch), "--workers", "2", "--db", str(db))
    assert r.returncode == 2 and "--resume" in r.stderr  # no silent second batch
    r = _cli("batch", str(batch), "--workers", "2", "--db", str(db), "--resume")
    assert r.returncode == 0, r.stderr
    assert f"{32 - len(before)} runs this time" in r.stdout
    after = _results(db)
    assert sorted(after) == [(c, k) for c in range(4) for k in range(8)]  # each run once
    assert {k: after[k] for k in before} == before
    assert all(v["_seed"] == ("2024", f"[{c}, {k}]") for (c, k), v in after.items())
    # a resumed run is the run its seed defines
    spec = load_batch(batch)
    new = sorted(set(after) - set(before))[-1]
    scn = load_scenario(spec.configs[new[0]].scenario_path, spec.configs[new[0]].overrides)
    m = run_scenario(scn, seed=run_seed(2024, *new)).metrics
    assert m["t_evacuation_s"] == after[new]["t_evacuation_s"]
    assert m["exit_counts"] == after[new]["exit_counts"]


def test_killed_worker_is_rebuilt_and_its_runs_redone(tmp_path: Path) -> None:
    spec = load_batch(_files(tmp_path, reps=4, counts="[600, 1000]"))
    pool = LocalPool(2)
    killed: list[int] = []

    def _tick(done: int, failed: int, total: int) -> None:
        if done >= 3 and not killed and pool.worker_pids():
            killed.append(pool.worker_pids()[0])
            os.kill(killed[0], signal.SIGKILL)

    with Store(tmp_path / "w.db") as st:
        try:
            s = run_batch(spec, st, pool, progress=_tick)
        finally:
            pool.close()
    assert killed and s.requeued >= 1 and s.failed == 0
    res = _results(tmp_path / "w.db")
    assert len(res) == 16 and all(r["status"] == "ok" for r in res.values())
    with Store(tmp_path / "ref.db") as ref:
        run_batch(spec, ref, InlinePool())
    assert _results(tmp_path / "ref.db") == res


def test_failed_run_is_recorded_and_batch_continues(tmp_path: Path) -> None:
    p = _files(tmp_path)
    p.write_text(p.read_text() + '\n[[configs]]\nlabel = "ok"\n'
                 '[[configs]]\nlabel = "bad"\noverrides = ["geometry.widths.nope=2.0"]\n')
    spec = load_batch(p, validate_scenarios=False)
    with Store(tmp_path / "f.db") as st:
        s = run_batch(spec, st, InlinePool())
        assert s.ran == 24 and s.failed == 12
        err = st.con.execute("SELECT error FROM runs WHERE status = 'failed'").fetchone()[0]
    assert "ScenarioError" in err and "unknown opening 'nope'" in err
    res = _results(tmp_path / "f.db")
    assert sum(r["status"] == "ok" for r in res.values()) == 12
    # --retry-failed runs them again (and they fail again, deterministically)
    with Store(tmp_path / "f.db") as st:
        s = run_batch(spec, st, InlinePool(), resume=True, retry_failed=True)
    assert s.ran == 12 and s.failed == 12


def test_partial_batch_plus_resume_and_more_replications_keep_seeds(tmp_path: Path) -> None:
    spec = load_batch(_files(tmp_path, reps=3))
    with Store(tmp_path / "p.db") as st:
        first = run_batch(spec, st, InlinePool(), max_runs=5)
        assert first.ran == 5
        # replication-major: replication 0 of every configuration first
        assert sorted(_results(tmp_path / "p.db")) == [(0, 0), (0, 1), (1, 0), (2, 0), (3, 0)]
        run_batch(spec, st, InlinePool(), resume=True)
    three = _results(tmp_path / "p.db")
    p = _files(tmp_path, reps=5)
    with Store(tmp_path / "p.db") as st:
        s = run_batch(load_batch(p), st, InlinePool(), resume=True)
    assert s.ran == 8
    five = _results(tmp_path / "p.db")
    assert {k: five[k] for k in three} == three and len(five) == 20
    with Store(tmp_path / "full.db") as st:
        run_batch(load_batch(p), st, InlinePool())
    assert _results(tmp_path / "full.db") == five
    # an edited scenario file is flagged on resume
    (tmp_path / "tiny.toml").write_text(SCENARIO + "# edited\n")
    with Store(tmp_path / "p.db") as st:
        s = run_batch(load_batch(p), st, InlinePool(), resume=True)
    assert s.ran == 0 and "changed since the batch was first stored" in s.warnings[0]
    # a changed sweep cannot be resumed into the same database
    p.write_text(p.read_text().replace("[100, 200]", "[100, 300]"))
    with Store(tmp_path / "p.db") as st, pytest.raises(Exception, match="differs from the stored"):
        run_batch(load_batch(p), st, InlinePool(), resume=True)


def test_until_ci_is_deterministic_and_resumable(tmp_path: Path) -> None:
    p = _files(tmp_path, reps=3)
    p.write_text(p.read_text().replace(
        "root_seed = 2024", 'root_seed = 2024\nuntil_ci = { metric = "t_evacuation_s", '
                            'rel = 0.02, max_replications = 12 }'))
    spec = load_batch(p)
    with Store(tmp_path / "u.db") as st:
        s = run_batch(spec, st, InlinePool())
    full = _results(tmp_path / "u.db")
    per_cfg = {ci: sum(1 for k in full if k[0] == ci) for ci in range(4)}
    assert all(3 <= n <= 12 for n in per_cfg.values()) and s.total == len(full)
    assert max(per_cfg.values()) > 3  # some configuration needed more
    from sim.batch.stats import ci_relative_halfwidth

    for ci, n in per_cfg.items():
        vals = [full[(ci, r)]["t_evacuation_s"] for r in range(n)]
        assert n == 12 or ci_relative_halfwidth(vals) <= 0.02
    with Store(tmp_path / "u2.db") as st:
        run_batch(spec, st, InlinePool(), max_runs=7)
        run_batch(spec, st, InlinePool(), resume=True)
    assert _results(tmp_path / "u2.db") == full


def test_cli_batch_report_and_rerun_from_batch(tmp_path: Path) -> None:
    batch = _files(tmp_path, reps=2)
    db = tmp_path / "cli.db"
    r = _cli("batch", str(batch), "--workers", "0", "--db", str(db),
             "--until-ci", "0.5", "--metric", "t_evacuation_s")
    assert r.returncode == 0, r.stderr
    assert "runs this time (0 failed)" in r.stdout
    r = _cli("batch", "report", str(db), "--out", str(tmp_path / "rep"))
    assert r.returncode == 0, r.stderr
    # a compact summary on the terminal (a few metrics, no 15-column markdown) ...
    assert "tiny: " in r.stdout and "mean [95% CI]" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines() if str(tmp_path) not in line) <= 130
    assert "| occupants.count |" not in r.stdout
    # ... and the full tables in files
    md = (tmp_path / "rep" / "tiny_table.md").read_text(encoding="utf-8")
    assert "| occupants.count | geometry.widths.south-door | runs | failed |" in md
    assert (tmp_path / "rep" / "tiny.xlsx").exists()
    assert (tmp_path / "rep" / "tiny_summary.parquet").exists()
    assert (tmp_path / "rep" / "tiny_evacuation.png").exists()
    stored = _results(db)
    con = sqlite3.connect(db)
    run_id, ci, rep = con.execute("SELECT r.id, c.config_index, r.rep FROM runs r JOIN configs "
                                  "c ON c.id = r.config_id ORDER BY r.id DESC").fetchone()
    con.close()
    r = _cli("run", "--from-batch", str(db), str(run_id), "--json")
    assert r.returncode == 0, r.stderr
    again = json.loads(r.stdout)
    want = stored[(ci, rep)]
    for k in ("t_evacuation_s", "t95_evacuation_s", "peak_density_pm2", "exit_counts",
              "occupants", "spawn_key"):
        assert again[k] == want[k]
    r = _cli("batch", str(tmp_path / "absent.toml"))
    assert r.returncode == 2 and r.stderr.startswith("error: ") and "absent.toml" in r.stderr
