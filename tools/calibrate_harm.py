"""Calibrate the knife and vehicle harm laws on the incident records; print the tables.

    python tools/calibrate_harm.py [--part knife|vehicle|all] [--db results/calibration.db]
                                   [--workers 1] [--grid-reps 10] [--check-reps 30]
                                   [--seed 20240413] [--check-only]

Knife (``sim/hazards/attack_harm.py``)
  1. The share killed: beta-binomial fit over the 19 knife attacks with complete counts.
  2. The rate law ``rate_ref · (D/0.5)^exponent``: every reconstruction scenario
     (``scenarios/incidents/knife_*.toml``) is run through the batch machinery on a
     grid of (rate_ref, exponent), ``--grid-reps`` common seeds each; the simulated
     means are interpolated and the law fitted to the recorded casualties
     (negative-binomial likelihood, profile intervals; ``sim.analysis.harm_fit``).
  3. Check: the reconstructions with the module's constants, ``--check-reps`` seeds:
     recorded vs simulated casualties, and whether the simulated mean lies in the
     record's spread (exact Poisson 95 % interval of the recorded count).

Vehicle (``sim/hazards/vehicle_harm.py``)
  1. Strike share by speed and 2. fatality by speed (Monte Carlo over the ranges no
     source fixes, seeded).
  3. Check: each ramming reconstructed with the module's constants (the recorded path
     cut into 20 m x 20 m cells at the record's density, the vehicle at its recorded
     speed, the same strike rule as the simulation), ``--check-reps`` seeds; and the
     pooled study's killed share.

Runs are stored in ``--db``; running again only runs what is missing. Everything is
reproducible from ``--seed``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.analysis import harm_fit as hf  # noqa: E402
from sim.analysis.incidents import KNIFE, POOLED_RAMMING, RAMMINGS  # noqa: E402
from sim.batch.variants import Variant, metric_values, run_variants  # noqa: E402
from sim.hazards import attack_harm  # noqa: E402,F401  (declares the knife law)
from sim.hazards import vehicle_harm as vh  # noqa: E402

GRID_RATES = (6.0, 12.0, 24.0, 48.0)
GRID_EXPONENTS = (0.5, 1.0, 1.5, 2.0, 2.5)
#: Attacker speeds (m/s) tried: the default brisk walk, and a run.
GRID_SPEEDS = (1.4, 2.2)
SCENARIOS = ROOT / "scenarios" / "incidents"
#: Reconstruction scenario of each knife record used for the rate.
KNIFE_SCENARIO = {"A8": "knife_bondi.toml", "A9": "knife_lynnmall.toml",
                  "A14": "knife_turku.toml", "A22": "knife_akihabara.toml",
                  "A23": "knife_kawasaki.toml"}
#: Ramming anchor speeds (km/h): the span of the speeds on record.
ANCHOR_KMH = (40.0, 90.0)


def _backend(workers: int):
    from sim.batch.executors import InlinePool, LocalPool

    return InlinePool() if workers == 0 else LocalPool(workers)


def _progress(done: int, failed: int, total: int) -> None:
    if total and (done == total or done % max(1, total // 20) == 0):
        print(f"  {done}/{total} runs ({failed} failed)", file=sys.stderr, flush=True)


def knife_share() -> hf.ShareFit:
    recs = [r for r in KNIFE if r.use != "excluded"]
    return hf.fit_share([r.killed for r in recs], [r.victims for r in recs])


def knife(args: argparse.Namespace) -> None:
    from sim.batch.store import Store

    fit = knife_share()
    print("## Knife: share killed\n")
    print(f"{fit.incidents} incidents, {fit.killed} killed of {fit.total} victims; "
          f"beta-binomial share {fit.share} (overdispersion rho {fit.rho:.3f}); "
          f"register {_reg('knife.fatality')}\n")
    used = [r for r in KNIFE if r.use == "rate"]
    print("## Knife: records used for the rate\n")
    print("| record | setting | density p/m² (assumed) | duration s | victims | "
          "victims/min [95 % CI] |")
    print("|---|---|---|---|---|---|")
    for r in used:
        assert r.duration_s is not None and r.density_pm2 is not None
        t = sum(r.duration_s) / 2 / 60
        lo, hi = hf.poisson_interval(r.victims)
        print(f"| {r.key} {r.name} | {r.setting} | {r.density_pm2[0]}-{r.density_pm2[1]} | "
              f"{r.duration_s[0]:.0f}-{r.duration_s[1]:.0f} | {r.victims} "
              f"({r.killed} killed) | {r.victims / t:.1f} [{lo / t:.1f}, {hi / t:.1f}] |")
    store = Store(args.db)
    backend = _backend(args.workers)
    try:
        if args.check_only:
            _print_knife_check(used, _knife_check(store, backend, used, args))
            return

        def label(r: Any, rate: float, ex: float, sp: float) -> str:
            return f"{r.key} r={rate:g} b={ex:g}" + ("" if sp == 1.4 else f" v={sp:g}")

        variants = [Variant(label(r, rate, ex, sp), SCENARIOS / KNIFE_SCENARIO[r.key],
                            (f"hazard.rate_per_min={rate}", f"hazard.density_exponent={ex}",
                             *(() if sp == 1.4 else (f"hazard.speed_mps={sp}",))))
                    for sp in GRID_SPEEDS for ex in GRID_EXPONENTS for rate in GRID_RATES
                    for r in used]
        print(f"\nGrid: {len(variants)} variants x {args.grid_reps} seeds", file=sys.stderr)
        res = run_variants(store, backend, "calibration:knife-grid", variants,
                           replications=args.grid_reps, root_seed=args.seed,
                           description="knife rate law grid", progress=_progress)
        print("\n## Knife: rate law fitted in the simulator\n")
        fits = {}
        for sp in GRID_SPEEDS:
            means = np.array([[[np.nanmean(metric_values(res[label(r, rate, ex, sp)],
                                                         "attack_victims"))
                                for rate in GRID_RATES] for ex in GRID_EXPONENTS]
                              for r in used])
            fits[sp] = hf.fit_rate_surface(hf.RateSurface(GRID_RATES, GRID_EXPONENTS, means),
                                           [r.victims for r in used])
            print(f"attacker speed {sp} m/s: maximum log-likelihood "
                  f"{fits[sp].loglik:.2f}, rate_ref {fits[sp].rate_ref}, exponent "
                  f"{fits[sp].exponent}, adopted {fits[sp].adopted[0]:.3g} / "
                  f"{fits[sp].adopted[1]:.3g} (margin {fits[sp].adopted_margin:+.3f})")
        speed = max(GRID_SPEEDS, key=lambda v: (fits[v].adopted_margin >= 0, fits[v].loglik))
        rfit = fits[speed]
        print(f"\nAttacker speed {speed} m/s (register {_reg('attack.speed_mps')}): "
              f"rate_ref (victims/min at 0.5 p/m² in the attacker's cell) = {rfit.rate_ref}; "
              f"exponent = {rfit.exponent}; negative-binomial k = {rfit.dispersion_k:.3g}; "
              f"register {_reg('knife.harm_rate_per_min')}, "
              f"{_reg('knife.density_exponent')}\n")
        edge = [f"{name} interval reaches the grid's edge ({edge_v:g})"
                for name, iv, edge_v in (("rate_ref", rfit.rate_ref, max(GRID_RATES)),
                                         ("rate_ref", rfit.rate_ref, min(GRID_RATES)),
                                         ("exponent", rfit.exponent, max(GRID_EXPONENTS)),
                                         ("exponent", rfit.exponent, min(GRID_EXPONENTS)))
                if edge_v in (round(iv.lo, 6), round(iv.hi, 6))]
        if edge:
            print("Note: " + "; ".join(edge) + ": the bound is at least that.\n")
        a_rate, a_exp = rfit.adopted
        print(f"Adopted (inside the joint 95 % region, every record inside its spread with "
              f"the widest margin, {rfit.adopted_margin:+.3f} in log units): rate_ref = "
              f"{a_rate:.3g}, exponent = {a_exp:.3g}\n")
        print("| record | recorded | spread | maximum-likelihood mean | adopted mean |")
        print("|---|---|---|---|---|")
        for r, mu, am in zip(used, rfit.fitted_means, rfit.adopted_means, strict=True):
            lo, hi = hf.poisson_interval(r.victims)
            print(f"| {r.key} {r.name} | {r.victims} | {lo:.1f}-{hi:.1f} | {mu:.1f} | "
                  f"{am:.1f} |")
        print()
        res = _knife_check(store, backend, used, args)
    finally:
        backend.close()
        store.close()
    _print_knife_check(used, res)


def _knife_check(store: Any, backend: Any, used: list[Any], args: argparse.Namespace
                 ) -> dict[str, list[dict[str, Any]]]:
    """Run the reconstructions with the module's constants, ``--check-reps`` seeds."""
    check = [Variant(r.key, SCENARIOS / KNIFE_SCENARIO[r.key]) for r in used]
    print(f"Check: {len(check)} reconstructions x {args.check_reps} seeds", file=sys.stderr)
    return run_variants(store, backend, f"calibration:knife-check:{_constants_tag()}",
                        check, replications=args.check_reps, root_seed=args.seed + 1,
                        description="knife reconstructions, module constants",
                        progress=_progress)


def _print_knife_check(used: list[Any], res: dict[str, list[dict[str, Any]]]) -> None:
    print("## Knife: reconstructions with the module's constants\n")
    print("| record | recorded victims (killed) | spread (Poisson 95 %) | simulated mean "
          "[95 % CI] | simulated killed | within |")
    print("|---|---|---|---|---|---|")
    for r in used:
        v = metric_values(res[r.key], "attack_victims")
        k = metric_values(res[r.key], "attack_deaths")
        s = stats.t.ppf(0.975, len(v) - 1) * np.std(v, ddof=1) / math.sqrt(len(v))
        lo, hi = hf.poisson_interval(r.victims)
        ok = lo <= np.mean(v) <= hi
        print(f"| {r.key} {r.name} | {r.victims} ({r.killed}) | {lo:.1f}-{hi:.1f} | "
              f"{np.mean(v):.1f} [{np.mean(v) - s:.1f}, {np.mean(v) + s:.1f}] | "
              f"{np.mean(k):.1f} | {'yes' if ok else 'NO'} |")
    print()


def _reg(key: str) -> str:
    """A register entry as ``default [low, high]``."""
    from sim.model.assumptions import get

    a = get(key)
    return f"{a.default:g} [{a.low:g}, {a.high:g}]"


def _constants_tag() -> str:
    from sim.model.assumptions import get

    return "-".join(f"{get(k).default:g}" for k in (
        "knife.harm_rate_per_min", "knife.density_exponent", "knife.rate_max_per_min",
        "knife.fatality", "attack.speed_mps"))


def ramming_fits(seed: int, draws: int = 2000) -> tuple[tuple[hf.Interval, hf.Interval],
                                                        tuple[hf.Interval, hf.Interval]]:
    """(strike share at 50 km/h, speed exponent), (fatality at 50 km/h, slope)."""
    fit = [r for r in RAMMINGS if r.use == "fit"]
    strike = hf.fit_strike_share(
        [(r.casualties, r.density_pm2, r.path_m, r.speed_kmh, vh.VEHICLES[r.vehicle].width_m)
         for r in fit], draws=draws, seed=seed)
    fatal = hf.fit_ramming_fatality(
        [(r.killed, r.casualties, r.speed_kmh) for r in fit],
        (POOLED_RAMMING["killed"], POOLED_RAMMING["killed"] + POOLED_RAMMING["injured"]),
        anchor_kmh=ANCHOR_KMH, draws=draws, seed=seed + 1)
    return strike, fatal


def vehicle(args: argparse.Namespace) -> None:
    (s50, k), (p50, b1) = ramming_fits(args.seed)
    print("## Vehicle: fitted laws\n")
    print(f"strike share at 50 km/h {s50}, speed exponent {k}; module constants "
          f"{_reg('vehicle.strike_share_50kmh')}, {_reg('vehicle.strike_speed_exponent')}")
    n = POOLED_RAMMING["killed"] + POOLED_RAMMING["injured"]
    adopted = hf.anchored_p50(b1.value, POOLED_RAMMING["killed"] / n, ANCHOR_KMH)
    print(f"killed share at 50 km/h {p50}, logit slope per 10 km/h {b1}; adopted: the "
          f"median slope with the curve averaging {POOLED_RAMMING['killed'] / n:.1%} over "
          f"{ANCHOR_KMH[0]:.0f}-{ANCHOR_KMH[1]:.0f} km/h: p50 = {adopted:.3f}; module "
          f"constants {_reg('vehicle.fatality_50kmh')}, "
          f"{_reg('vehicle.fatality_slope_per_10kmh')}\n")
    rng = np.random.default_rng(args.seed)
    print("## Vehicle: rammings reconstructed with the module's constants\n")
    print("| record | vehicle, speed km/h, path m, density p/m² (assumed) | recorded "
          "casualties (killed share) | spread | simulated casualties [95 % CI] | "
          "simulated killed share | record's share 95 % CI | casualties within |")
    print("|---|---|---|---|---|---|---|---|")
    for r in (x for x in RAMMINGS if x.use == "fit"):
        assert r.speed_kmh and r.path_m and r.density_pm2
        v = sum(r.speed_kmh) / 2 / 3.6
        path = sum(r.path_m) / 2
        dens = math.sqrt(r.density_pm2[0] * r.density_pm2[1])
        out = np.array([hf.reconstruct_ramming(dens, path, v, vh.VEHICLES[r.vehicle].width_m,
                                               rng) for _ in range(args.check_reps)], float)
        c, d = out[:, 0], out[:, 1]
        s = stats.t.ppf(0.975, len(c) - 1) * np.std(c, ddof=1) / math.sqrt(len(c))
        lo, hi = hf.poisson_interval(r.casualties)
        share = d.sum() / max(c.sum(), 1)
        cp = stats.binomtest(r.killed, r.casualties).proportion_ci()
        ok = lo <= c.mean() <= hi
        print(f"| {r.key} {r.name} | {r.vehicle}, {v * 3.6:.0f}, {path:.0f}, {dens:.2f} | "
              f"{r.casualties} ({r.killed_share:.1%}) | {lo:.0f}-{hi:.0f} | {c.mean():.0f} "
              f"[{c.mean() - s:.0f}, {c.mean() + s:.0f}] | {share:.1%} | "
              f"{cp.low:.1%}-{cp.high:.1%} | {'yes' if ok else 'NO'} |")
    speeds = np.linspace(*ANCHOR_KMH, 51) / 3.6
    pooled = float(np.mean([vh.fatality_share(v) for v in speeds]))
    cp = stats.binomtest(POOLED_RAMMING["killed"], n).proportion_ci()
    print(f"\nPooled study: recorded {POOLED_RAMMING['killed']}/{n} = "
          f"{POOLED_RAMMING['killed'] / n:.1%} [{cp.low:.1%}, {cp.high:.1%}]; the fitted curve "
          f"averaged over {ANCHOR_KMH[0]:.0f}-{ANCHOR_KMH[1]:.0f} km/h gives {pooled:.1%}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=("knife", "vehicle", "all"), default="all")
    ap.add_argument("--db", default=str(ROOT / "results" / "calibration.db"))
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--grid-reps", type=int, default=10)
    ap.add_argument("--check-reps", type=int, default=30)
    ap.add_argument("--seed", type=int, default=20240413)
    ap.add_argument("--check-only", action="store_true",
                    help="skip the knife grid and fit: only the reconstructions with the "
                         "module's constants (e.g. after a change elsewhere in the model)")
    args = ap.parse_args()
    if args.part in ("knife", "all"):
        knife(args)
    if args.part in ("vehicle", "all"):
        vehicle(args)


if __name__ == "__main__":
    main()
