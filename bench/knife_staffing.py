"""Knife attack on the grand mall: victims and t_neutralised_s by number of guards.

Runs ``scenarios/knife_attack_grand.toml`` with ``--set security.guards=N`` for each N,
``REPS`` replications each (child seeds ``SeedSequence(seed, spawn_key=(k,))``, the same
for every N: common random numbers), and prints mean and 95% CI (Student t) per metric.
Then the ramming scenario's harm with and without an M30-rated bollard at each road
entrance (:func:`sim.analysis.barriers.rank_barriers`).

    .venv/bin/python bench/knife_staffing.py [--reps 30] [--workers 2] [--guards 10 20 30 60]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KNIFE = ROOT / "scenarios" / "knife_attack_grand.toml"
RAM = ROOT / "scenarios" / "vehicle_ramming_riverside.toml"


def _run(args: tuple[int, int]) -> dict:
    guards, k = args
    from sim.io.scenario_files import load_scenario
    from sim.run.runner import run_scenario

    scn = load_scenario(KNIFE, [f"security.guards={guards}"])
    m = run_scenario(scn, seed=np.random.SeedSequence(scn.seed, spawn_key=(k,))).metrics
    return {"guards": guards, "rep": k, "victims": m.get("attack_victims", 0),
            "t_neutralised_s": m.get("t_neutralised_s"),
            "t_first_responder_s": m.get("t_first_responder_s"),
            "stopped_by": m.get("attack_stopped_by"), "wall_s": m.get("wall_s")}


def ci(values: list[float | None]) -> tuple[float, float, int]:
    """Mean, 95% CI half-width, n (missing values dropped)."""
    from scipy import stats

    x = np.array([v for v in values if v is not None], dtype=float)
    n = len(x)
    if n == 0:
        return math.nan, math.nan, 0
    if n == 1:
        return float(x[0]), math.nan, 1
    return float(x.mean()), float(stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n)), n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--guards", type=int, nargs="+", default=[10, 20, 30, 60])
    ap.add_argument("--ram-reps", type=int, default=10)
    ap.add_argument("--out", type=Path, default=None, help="Write all rows as JSON here.")
    a = ap.parse_args()
    t0 = time.time()
    jobs = [(g, k) for g in a.guards for k in range(a.reps)]
    with ProcessPoolExecutor(max_workers=a.workers) as ex:
        rows = list(ex.map(_run, jobs, chunksize=2))
    print(f"knife attack, grand mall: {a.reps} seeds per row ({time.time() - t0:.0f} s)")
    print("| guards | victims mean ± 95% CI | t_neutralised_s mean ± 95% CI | stopped by police |")
    print("|---|---|---|---|")
    for g in a.guards:
        sel = [r for r in rows if r["guards"] == g]
        v, vh, _ = ci([r["victims"] for r in sel])
        t, th, nt = ci([r["t_neutralised_s"] for r in sel])
        pol = sum(r["stopped_by"] == "police" for r in sel)
        miss = len(sel) - nt
        print(f"| {g} | {v:.2f} ± {vh:.2f} | {t:.0f} ± {th:.0f}"
              f"{f' ({miss} not stopped)' if miss else ''} | {pol}/{len(sel)} |")
    from sim.analysis.barriers import rank_barriers

    t1 = time.time()
    ram = [r.to_json() for r in rank_barriers(RAM, ratings=["M30-P1"],
                                              replications=a.ram_reps, workers=a.workers)]
    print(f"\nvehicle ramming, Riverside: {a.ram_reps} seeds per cell ({time.time() - t1:.0f} s)")
    print("| rank | entrance | victims without bollard | with M30 bollard | prevented [95% CI] |")
    print("|---|---|---|---|---|")
    for r in ram:
        lo, hi = r["prevented_ci"]
        print(f"| {r['rank']}{' =' if r['tie'] else ''} | {r['entrance']} | "
              f"{r['victims_without']:.1f} | {r['victims_with']:.1f} | "
              f"{r['prevented']:.1f} [{lo:.1f}, {hi:.1f}] |")
    if a.out is not None:
        a.out.write_text(json.dumps({"knife": rows, "ramming": ram}, indent=1))


if __name__ == "__main__":
    main()
