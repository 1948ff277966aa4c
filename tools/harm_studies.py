"""Harm before and after the calibration, on common seeds: knife, ramming, atrium crush.

    python tools/harm_studies.py [--part knife|ramming|crush|all] [--reps 30]
                                 [--workers 1] [--db results/harm_studies.db]
                                 [--before-code DIR] [--seed 2024]

*After*: the bundled scenarios run with this checkout's code through the batch store
(:mod:`sim.batch.variants`), ``seeding = "common"``: replication ``k`` gets
``SeedSequence(seed, spawn_key=(k,))`` in every variant.

*Before* (optional, ``--before-code DIR``): the same scenarios and seeds run by another
checkout of SafeMall (e.g. ``git archive main | tar -x -C DIR``) through its own
``safemall batch``, into ``<db>-before.db``; replication ``k`` has the same seed there,
so before and after are paired by replication (the codes draw differently from the same
streams, so the pairing removes the shared part of the noise only).

Studies
  knife   ``scenarios/knife_attack_grand.toml``: attack_victims, attack_deaths
  ramming ``scenarios/vehicle_ramming_riverside.toml``: vehicle_victims, vehicle_deaths
  crush   ``scenarios/atrium_crush_riverside.toml`` with no staff, shop officers only,
          guards (and team) only, the full plan: injured_crush, crush_deaths (paired
          against no staff)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.batch.stats import summarize  # noqa: E402
from sim.batch.variants import Variant, compare, metric_values, run_variants  # noqa: E402

STUDIES = {
    "knife": ("knife_attack_grand.toml", [("base", ())],
              ["attack_victims", "attack_deaths"]),
    "ramming": ("vehicle_ramming_riverside.toml", [("base", ())],
                ["vehicle_victims", "vehicle_deaths"]),
    "crush": ("atrium_crush_riverside.toml",
              [("no staff", ('security.disable=["guards","team","shop_officers"]',)),
               ("shop officers only", ('security.disable=["guards","team"]',)),
               ("guards only", ('security.disable=["shop_officers"]',)),
               ("full plan", ())],
              ["injured_crush", "crush_deaths", "crush_falls", "t_evacuation_s"]),
}


def _fmt(m: float, lo: float, hi: float) -> str:
    return f"{m:.2f} [{lo:.2f}, {hi:.2f}]"


def _mean(x: np.ndarray) -> str:
    """Mean of one variant's values with its 95 % t interval."""
    s = summarize(x)
    return _fmt(s["mean"], s["ci_lo"], s["ci_hi"])


def _before(part: str, code: Path, reps: int, seed: int, db: Path, workers: int
            ) -> dict[str, list[dict]]:
    """Run the study with the code in ``code`` (its own CLI); metrics by label and rep."""
    from sim.batch.store import Store

    scen, configs, _ = STUDIES[part]
    db = db.resolve()  # the other checkout's CLI runs in its own folder
    batch = db.with_suffix(f".{part}.toml")
    lines = ['schema = "safemall/batch/1"', f'name = "{part}_before"',
             f'scenario = "{code / "scenarios" / scen}"', f"replications = {reps}",
             f"root_seed = {seed}", 'seeding = "common"']
    for label, ovr in configs:
        lines += ["[[configs]]", f'label = "{label}"',
                  "overrides = [" + ", ".join("'" + o + "'" for o in ovr) + "]"]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(code))
    cmd = [sys.executable, "-m", "sim.cli.main", "batch", str(batch), "--db", str(db),
           "--workers", str(workers), "--resume"]
    subprocess.run(cmd, check=True, env=env, cwd=code, stdout=subprocess.DEVNULL)  # noqa: S603
    out: dict[str, list[dict]] = {}
    with Store(db) as st:
        b = st.batch(f"{part}_before")
        assert b is not None
        lab = {c.id: c.label for c in st.configs(b.id)}
        for r in st.runs(batch_id=b.id):
            out.setdefault(lab[r.config_id], [{}] * reps)
            row = list(out[lab[r.config_id]])
            row[r.rep] = r.metrics or {}
            out[lab[r.config_id]] = row
    return out


def study(part: str, args: argparse.Namespace) -> None:
    from sim.batch.executors import InlinePool, LocalPool
    from sim.batch.store import Store

    scen, configs, metrics = STUDIES[part]
    variants = [Variant(label, ROOT / "scenarios" / scen, ovr) for label, ovr in configs]
    backend = InlinePool() if args.workers == 0 else LocalPool(args.workers)
    with Store(args.db) as store:
        try:
            after = run_variants(store, backend, f"study:{part}", variants,
                                 replications=args.reps, root_seed=args.seed)
        finally:
            backend.close()
    before = None
    if args.before_code is not None:
        before = _before(part, Path(args.before_code).resolve(), args.reps, args.seed,
                         Path(args.db).with_name(Path(args.db).stem + "-before.db"),
                         args.workers)
    print(f"## {part}: {scen}, {args.reps} common seeds (root {args.seed})\n")
    if before is not None:
        print("| variant | metric | before mean [95 % CI] | after mean [95 % CI] | "
              "after − before [95 % CI] |\n|---|---|---|---|---|")
        for label, _ in configs:
            for m in metrics:
                a = metric_values(before.get(label, [{}] * args.reps), m)
                b = metric_values(after[label], m)
                if np.isfinite(a).sum() < 2 and np.isfinite(b).sum() >= 2:
                    print(f"| {label} | {m} | — | {_mean(b)} | — |")
                    continue
                c = compare(a, b)
                print(f"| {label} | {m} | {_mean(a)} | {_mean(b)} | "
                      f"{_fmt(c.diff, c.ci_lo, c.ci_hi)} |")
        print()
    if len(configs) > 1:
        ref = configs[0][0]
        print(f"Paired against '{ref}' (this code):\n")
        print("| variant | metric | mean [95 % CI] | minus " + ref + " [95 % CI] |")
        print("|---|---|---|---|")
        for label, _ in configs:
            for m in metrics:
                b = metric_values(after[label], m)
                c = compare(metric_values(after[ref], m), b)
                print(f"| {label} | {m} | {_mean(b)} | {_fmt(c.diff, c.ci_lo, c.ci_hi)} |")
        print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=(*STUDIES, "all"), default="all")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--db", default=str(ROOT / "results" / "harm_studies.db"))
    ap.add_argument("--before-code", default=None)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    for part in STUDIES if args.part == "all" else (args.part,):
        study(part, args)


if __name__ == "__main__":
    main()
