"""Metrics fingerprints of every bundled scenario, for behaviour-preserving refactors.

Runs each ``scenarios/*.toml`` for three seeds through the command line (``safemall run
--json``, in process), plus a few runs with overrides (geometry, staffing, plan swap,
hazard fields), and writes one JSON object per case with the metrics minus ``wall_s``.
Compare two outputs with ``--compare A B``.

The quickest-flow lower bound (``t_lower_bound_s``) stops at a wall-time budget (10 s)
and then returns the best bound found so far, so on a loaded machine it can come out
lower; the fingerprints lift the budget so that every metric depends on the seed only.

    python tools/scenario_fingerprints.py --out /tmp/before.json
    python tools/scenario_fingerprints.py --out /tmp/after.json
    python tools/scenario_fingerprints.py --compare /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = (1, 2, 3)

#: Extra cases through the override paths: (scenario, [--set ...]).
OVERRIDES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("drill_riverside", ("geometry.closed=[\"L1-street-N-exit-80\"]",)),
    ("drill_riverside", ("geometry.widths={L1-street-N-exit-80=2.0, L1-anchor-W-exit-S=1.5}",)),
    ("drill_riverside", ("geometry.widths={L1-street-N-exit-80=2.0}",
                         "geometry.closed=[\"L1-anchor-W-exit-S\"]")),
    ("drill_grand", ("security.plan=../layouts/grand/security-understaffed.toml",)),
    ("knife_attack_grand", ("security.guards=10",)),
    ("knife_attack_grand", ("security.guards=50",)),
    ("atrium_crush_riverside", ("security.disable=[\"guards\",\"team\",\"shop_officers\"]",)),
    ("fire_shop_riverside", ("hazards.0.sprinklered=false",)),
    ("drill_compact", ("occupants.scale=0.5", "routing.policy=\"nearest\"")),
)


def _lift_lower_bound_budget() -> None:
    """No wall-time budget for the lower bound (old layout: sim.lower_bound)."""
    import importlib
    import math

    for name in ("sim.engine.lower_bound", "sim.lower_bound"):
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        mod.quickest_evacuation_time_s.__kwdefaults__["time_budget_s"] = math.inf
        return


def _run(args: list[str]) -> dict:
    from sim.cli.main import main

    _lift_lower_bound_budget()

    buf, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
        rc = main(["run", *args, "--json"])
    if rc != 0:
        return {"error": err.getvalue().strip(), "rc": rc}
    out = json.loads(buf.getvalue())
    out.pop("wall_s", None)
    return out


def fingerprints(only: str | None = None) -> dict[str, dict]:
    """Case name → metrics (without ``wall_s``)."""
    out: dict[str, dict] = {}
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        if only and only not in path.stem:
            continue
        for seed in SEEDS:
            t0 = time.perf_counter()
            out[f"{path.stem}/seed={seed}"] = _run([str(path), "--seed", str(seed)])
            print(f"{path.stem} seed {seed}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    for stem, sets in OVERRIDES:
        if only and only not in stem:
            continue
        args = [str(ROOT / "scenarios" / f"{stem}.toml"), "--seed", "1"]
        for s in sets:
            args += ["--set", s]
        out[f"{stem}/seed=1/" + " ".join(sets)] = _run(args)
    return out


def compare(a: dict[str, dict], b: dict[str, dict]) -> int:
    """Print the differing cases; return their number."""
    bad = 0
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            bad += 1
            ma, mb = a.get(key) or {}, b.get(key) or {}
            diff = {k: (ma.get(k), mb.get(k)) for k in sorted(set(ma) | set(mb))
                    if ma.get(k) != mb.get(k)}
            print(f"DIFF {key}: {json.dumps(diff)[:400]}")
    print(f"{len(set(a) | set(b))} cases, {bad} differ")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--only", help="only scenarios whose name contains this")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    ns = ap.parse_args()
    if ns.compare:
        a, b = (json.loads(p.read_text()) for p in ns.compare)
        return 1 if compare(a, b) else 0
    res = fingerprints(ns.only)
    text = json.dumps(res, indent=1, sort_keys=True)
    if ns.out:
        ns.out.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
