"""``safemall adequacy --uncertain``: the adequacy answer when assumptions are uncertain
(called by ``adequacy``; kept separate so the two evolve independently)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from sim.errors import ScenarioError


def run_uncertain(scenario: Path, vary: str, targets: list[Any], candidates: list[Any], *,
                  probability: float, samples: int, seeds: int, params: list[str] | None,
                  sets: list[str], root_seed: int, db_path: Path, workers: int | None,
                  scheduler: str | None, as_json: bool, out: Path | None) -> None:
    """Run the study, print the probability table, the answer and its drivers."""
    from sim.analysis.assumptions_table import varied_assumptions
    from sim.analysis.uncertain_adequacy import adequacy_under_uncertainty
    from sim.batch.store import Store
    from sim.cli.batch_support import backend as _backend
    from sim.cli.batch_support import progress_bar as _progress_bar
    from sim.cli.batch_support import sigterm_as_interrupt as _sigterm_as_interrupt
    from sim.io.scenario_files import load_scenario

    scn = load_scenario(scenario, sets)
    chosen = varied_assumptions(scn, params)
    if not chosen:
        raise ScenarioError("every assumption it uses is fixed; nothing to sample",
                            field="--uncertain", source=str(scenario))
    n = len(candidates) * samples * seeds
    Console(stderr=True).print(
        f"adequacy under uncertainty: {len(candidates)} candidates × {samples} assumption "
        f"sets ({len(chosen)} assumptions) × {seeds} seeds = {n} runs")
    backend = _backend(workers, scheduler)
    store = Store(db_path)
    try:
        with _sigterm_as_interrupt(), _progress_bar(f"adequacy {vary} (uncertain)") as tick:
            res = adequacy_under_uncertainty(
                store, backend, scenario, vary, candidates, targets, chosen, samples=samples,
                seeds=seeds, probability=probability, sets=sets, root_seed=root_seed,
                progress=tick)
    except KeyboardInterrupt:
        store.close()
        Console(stderr=True).print(f"interrupted; finished runs are stored in {db_path}")
        raise typer.Exit(130) from None
    finally:
        backend.close()
    store.close()
    if out is not None:
        from viz.sensitivity_plots import plot_adequacy_probability

        plot_adequacy_probability(res, out)
    if as_json:
        print(json.dumps(res.to_json()))
        return
    tbl = Table(title=f"P(every target met) over {samples} assumption sets × {seeds} seeds")
    for col in (vary, "met / sets", "P(meet)", "95% CI", f"≥ {probability:g}?"):
        tbl.add_column(col, justify="right")
    for c in res.candidates:
        tbl.add_row(str(c.value), f"{c.met} / {c.n}", f"{c.p:.2f}",
                    f"[{c.ci[0]:.2f}, {c.ci[1]:.2f}]",
                    "yes" if c.p >= probability else "no")
    Console(width=160).print(tbl)
    dt = Table(title="assumptions that most change the required value")
    for col in ("assumption", "Spearman ρ", "95% CI", "required (low half)",
                "required (high half)"):
        dt.add_column(col, justify="right")

    def f(x: float) -> str:
        return "—" if not math.isfinite(x) else f"{x:.3g}"
    top = max(c.value for c in res.candidates)

    def req(x: float) -> str:  # inf: no candidate met the targets in most of that half
        return f"> {top:g}" if x == math.inf else f(x)
    for d in res.drivers[:8]:
        dt.add_row(d.key, f(d.rho), f"[{f(d.ci[0])}, {f(d.ci[1])}]", req(d.required_low),
                   req(d.required_high))
    Console(width=160).print(dt)
    if res.answer is None:
        print(f"answer: no candidate of {vary} meets every target with probability "
              f"≥ {probability:g} [study {res.batch!r} in {db_path}]")
        raise typer.Exit(1)
    best = next(c for c in res.candidates if c.value == res.answer)
    print(f"answer: {vary} = {res.answer} meets every target in {best.met} of {best.n} "
          f"assumption sets (P = {best.p:.2f}, 95% CI {best.ci[0]:.2f}–{best.ci[1]:.2f}; "
          f"asked ≥ {probability:g}) [study {res.batch!r} in {db_path}]")
