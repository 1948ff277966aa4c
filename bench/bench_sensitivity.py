"""Runs per minute through ``safemall sensitivity`` against a plain ``safemall batch`` of the
same runs (issue 19: within 5 %).

    .venv/bin/python bench/bench_sensitivity.py                  # riverside shop fire, 50 runs
    .venv/bin/python bench/bench_sensitivity.py --trajectories 8 --repeat 3

A Morris design (SALib) over ``--params`` assumptions of the scenario is run twice, each
time into a fresh database, with the same number of worker processes:

* ``sensitivity``: ``safemall sensitivity SCENARIO --params ... --seeds S --base-seeds S``
  (design, common seeds, batch store, then the analysis, tables and plots);
* ``batch``: ``safemall batch FILE`` where FILE is a batch file with one ``[[configs]]``
  per design point (the same ``assumptions.<key>=<value>`` overrides, in the same order,
  base point first), ``seeding = "common"``, the same root seed and ``replications = S``.

Both are timed from the command's start to its exit (what a user waits for), in
interleaved rounds (``--repeat``), and the runs are checked to be the same: every stored
run's seed and metrics must match between the two databases. Prints runs per minute of
each and the ratio sensitivity / batch per round. Other processes on the machine distort
both; compare the ratio, and run it under ``nice`` like everything else here.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAFEMALL = str(Path(sys.executable).with_name("safemall"))
SCENARIO = ROOT / "scenarios" / "fire_shop_riverside.toml"
PARAMS = ("premovement.alarm.mean_s", "fire.soot_yield", "smoke.exhaust_start_s",
          "fire.co_yield", "smoke.sprinkler_rti")


def batch_file(scenario: Path, params: list[str], trajectories: int, seeds: int,
               design_seed: int, root_seed: int, folder: Path) -> tuple[Path, int]:
    """The batch file running exactly the sensitivity study's runs; its number of runs."""
    from sim.analysis.sensitivity import make_design
    from sim.analysis.sensitivity_batch import study_configs
    from sim.model.assumptions import get

    design = make_design([get(k) for k in params], "morris", trajectories,
                         seed=design_seed)
    configs = study_configs(scenario, design, ())
    lines = ['schema = "safemall/batch/1"', 'name = "bench_same_runs"',
             f'scenario = "{scenario.resolve().as_posix()}"', f"replications = {seeds}",
             f"root_seed = {root_seed}", 'seeding = "common"', ""]
    for c in configs:
        lines += ["[[configs]]", f"label = {json.dumps(c.label)}",
                  f"overrides = {json.dumps(list(c.overrides))}", ""]
    path = folder / "same_runs.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, len(configs) * seeds


def timed(args: list[str]) -> float:
    """Wall seconds of ``safemall ARGS`` (output discarded; a failure stops the bench)."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", MPLBACKEND="Agg")
    t0 = time.perf_counter()
    r = subprocess.run([SAFEMALL, *args], capture_output=True, text=True, env=env,  # noqa: S603
                       cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"safemall {' '.join(args)} failed:\n{r.stderr[-2000:]}")
    return wall


def stored_runs(db: Path) -> dict[tuple[int, int], tuple[str, str]]:
    """(configuration index, rep) → (seed, metrics without wall-clock fields)."""
    con = sqlite3.connect(db)
    out = {}
    for idx, rep, seed, mj in con.execute(
            "SELECT c.config_index, r.rep, r.seed_entropy || r.spawn_key, r.metrics_json "
            "FROM runs r JOIN configs c ON c.id = r.config_id WHERE r.status = 'ok'"):
        m = json.loads(mj)
        for k in ("wall_s", "t_lower_bound_s"):
            m.pop(k, None)
        out[(idx, rep)] = (seed, json.dumps(m, sort_keys=True))
    con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--params", default=",".join(PARAMS))
    ap.add_argument("--trajectories", type=int, default=4)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--metric", default="margin_s")
    a = ap.parse_args()
    params = [p for p in a.params.split(",") if p]
    root_seed = 7
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        bfile, n = batch_file(a.scenario, params, a.trajectories, a.seeds, 0, root_seed, tmp)
        print(f"{a.scenario.name}: Morris, {len(params)} parameters, {a.trajectories} "
              f"trajectories, {a.seeds} seeds per point (base point too) = {n} runs; "
              f"--workers {a.workers}; load average {os.getloadavg()[0]:.2f}")
        print(f"{'round':>5} {'sensitivity runs/min':>21} {'batch runs/min':>15} "
              f"{'ratio':>6}")
        ratios = []
        for k in range(a.repeat):
            sdb, bdb = tmp / f"s{k}.db", tmp / f"b{k}.db"
            sens = ["sensitivity", str(a.scenario), "--metric", a.metric,
                    *[x for p in params for x in ("--params", p)], "--trajectories",
                    str(a.trajectories), "--seeds", str(a.seeds), "--base-seeds",
                    str(a.seeds), "--seed", str(root_seed), "--workers", str(a.workers),
                    "--db", str(sdb), "--out", str(tmp / f"out{k}")]
            plain = ["batch", str(bfile), "--workers", str(a.workers), "--db", str(bdb)]
            # alternate which goes first, so a drift of the machine's speed cancels out
            order = [("s", sens), ("b", plain)] if k % 2 == 0 else [("b", plain), ("s", sens)]
            wall = {tag: timed(args) for tag, args in order}
            rs, rb = 60.0 * n / wall["s"], 60.0 * n / wall["b"]
            ratios.append(rs / rb)
            print(f"{k:>5} {rs:>21.1f} {rb:>15.1f} {rs / rb:>6.3f}")
            same_s, same_b = stored_runs(sdb), stored_runs(bdb)
            if len(same_s) != n or same_s != same_b:
                raise SystemExit("the two commands did not store the same runs")
        print(f"the same {n} runs (seeds and metrics) in both databases; ratio "
              f"sensitivity / batch: {min(ratios):.3f}–{max(ratios):.3f} "
              f"(target ≥ 0.95); load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
