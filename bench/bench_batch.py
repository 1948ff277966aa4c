"""Batch throughput: runs per minute on 1 and 2 local processes and on a Dask LocalCluster.

    .venv/bin/python bench/bench_batch.py                    # 1000 riverside drill runs per mode
    .venv/bin/python bench/bench_batch.py --runs 60          # fewer
    .venv/bin/python bench/bench_batch.py --tiny --runs 1000 # the small test fixture
    .venv/bin/python bench/bench_batch.py --modes pool1,pool2,spawn2,recycle2,dask2

Modes: ``poolN`` — N forkserver worker processes (the default of ``safemall batch``);
``spawnN`` — the same with the spawn start method; ``recycleN`` — forkserver with
``max_tasks_per_child=1`` (a fresh process per run: no warm layout/network cache);
``daskN`` — a Dask ``LocalCluster`` of N single-threaded worker processes (cluster start-up
is timed separately and not counted). Every mode runs the same batch (one configuration,
N replications, same seeds) through :func:`sim.batch.runner.run_batch` into a fresh
SQLite database, so the figures include storing every result.

Prints runs/minute per mode (with ``--repeat K``: the best of K interleaved rounds), the
1 → 2 worker scaling (target ≥ 1.8× on 2 cores) and the Dask overhead against the
process pool with the same number of workers (target < 10 %), and the load average:
other processes on the machine distort both.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sim.batch.executors import DaskPool, LocalPool
from sim.batch.runner import run_batch
from sim.batch.spec import BatchSpec, Config
from sim.batch.store import Store

ROOT = Path(__file__).resolve().parents[1]
RIVERSIDE = ROOT / "scenarios" / "drill_riverside.toml"
TINY = f"""\
schema = "safemall/scenario/1"
layout = "{(ROOT / 'tests' / 'fixtures' / 'example_layout.toml').as_posix()}"
seed = 3
duration_s = 2000
[occupants]
count = 800
[premovement]
model = "lognormal"
mean_s = 30
sd_s = 10
[hazard]
kind = "drill"
"""


def _spec(scenario: Path, runs: int) -> BatchSpec:
    cfg = Config(index=0, scenario_path=str(scenario.resolve()), overrides=(), params={},
                 label="bench")
    return BatchSpec(name="bench", source="bench", description="", configs=(cfg,),
                     replications=runs, root_entropy=12345, seeding="independent",
                     until_ci=None, raw={})


def _mode(name: str) -> tuple[str, int]:
    kind = name.rstrip("0123456789")
    return kind, int(name[len(kind):] or 1)


def run_mode(mode: str, spec: BatchSpec, tmp: Path) -> dict[str, Any]:
    """Run the batch once in ``mode``; wall time excludes a Dask cluster's start-up."""
    kind, n = _mode(mode)
    db = tmp / f"{mode}.db"
    for f in tmp.glob(f"{mode}.db*"):
        f.unlink()
    setup = 0.0
    cluster = client = None
    if kind == "dask":
        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        backend: Any = DaskPool(client=client)
        setup = time.perf_counter() - t0
    elif kind == "pool":
        backend = LocalPool(n)
    elif kind == "spawn":
        backend = LocalPool(n, start_method="spawn")
    elif kind == "recycle":
        backend = LocalPool(n, max_tasks_per_child=1)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    t0 = time.perf_counter()
    with Store(db) as st:
        s = run_batch(spec, st, backend)
    wall = time.perf_counter() - t0
    backend.close()
    if client is not None:
        client.close()
    if cluster is not None:
        cluster.close()
    return {"mode": mode, "workers": n, "runs": s.ran, "failed": s.failed,
            "wall_s": round(wall, 2), "runs_per_min": round(s.ran / wall * 60, 1),
            "setup_s": round(setup, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000, help="runs per mode (1000)")
    ap.add_argument("--tiny", action="store_true", help="use the small test fixture")
    ap.add_argument("--scenario", type=Path, help="any scenario file")
    ap.add_argument("--modes", default="pool1,pool2,dask2", help="comma-separated modes")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the modes this many times, interleaved; keep each mode's best")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        if args.scenario:
            scn = args.scenario
        elif args.tiny or not RIVERSIDE.exists():
            scn = tmp / "tiny.toml"
            scn.write_text(TINY)
        else:
            scn = RIVERSIDE
        spec = _spec(scn, args.runs)
        print(f"{args.runs} runs of {scn.name} per mode on {os.cpu_count()} cores; "
              f"load average before: {os.getloadavg()[0]:.2f}")
        best: dict[str, dict[str, Any]] = {}
        for _ in range(args.repeat):
            for mode in args.modes.split(","):
                r = run_mode(mode.strip(), spec, tmp)
                r["load_after"] = round(os.getloadavg()[0], 2)
                print(f"  {r['mode']:<9} {r['runs']:>5} runs ({r['failed']} failed) "
                      f"{r['wall_s']:>8.1f} s  {r['runs_per_min']:>8.1f} runs/min"
                      + (f"  (cluster start {r['setup_s']:.1f} s, not counted)"
                         if r["setup_s"] else "") + f"  load {r['load_after']}", flush=True)
                if r["mode"] not in best or r["runs_per_min"] > best[r["mode"]]["runs_per_min"]:
                    best[r["mode"]] = r
        rows = list(best.values())
    by = {r["mode"]: r for r in rows}
    summary: dict[str, Any] = {"scenario": scn.name, "runs": args.runs, "modes": rows}
    if "pool1" in by and "pool2" in by:
        summary["scaling_1_to_2"] = round(by["pool2"]["runs_per_min"]
                                          / by["pool1"]["runs_per_min"], 2)
        print(f"scaling 1 → 2 workers: {summary['scaling_1_to_2']:.2f}× (target ≥ 1.8×)")
    for r in rows:
        kind, n = _mode(r["mode"])
        base = by.get(f"pool{n}")
        if kind != "pool" and base:
            over = base["runs_per_min"] / r["runs_per_min"] - 1
            summary[f"overhead_{r['mode']}_vs_pool{n}"] = round(over, 3)
            print(f"{r['mode']} vs pool{n}: {over:+.1%} time"
                  + (" (target < 10 %)" if kind == "dask" else ""))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
