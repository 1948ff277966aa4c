"""``safemall sensitivity``: which assumptions drive a scenario's metrics (Morris, Sobol)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sim.errors import ScenarioError


def sensitivity(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML.")],
    metric: Annotated[list[str], typer.Option(
        "--metric", "-m", help="Metric to analyse (repeatable; dotted keys dig into tables).")],
    method: Annotated[str, typer.Option(help="morris (screening) or sobol (variance).")
                      ] = "morris",
    params: Annotated[list[str] | None, typer.Option(
        "--params", help="Assumption keys to vary (repeatable).")] = None,
    all_assumed: Annotated[bool, typer.Option(
        "--all-assumed", help="Vary every assumption the scenario's hazards and plan use.")
    ] = False,
    trajectories: Annotated[int, typer.Option(
        min=2, help="Morris trajectories (runs: trajectories × (parameters + 1) × seeds).")
    ] = 10,
    levels: Annotated[int, typer.Option(min=2, help="Morris grid levels (even).")] = 4,
    samples: Annotated[int, typer.Option(
        min=2, help="Sobol base sample, a power of two (runs: samples × (parameters + 2) × "
                    "seeds).")] = 64,
    seeds: Annotated[int, typer.Option(
        min=1, help="Seeds per design point, common to every point.")] = 2,
    base_seeds: Annotated[int, typer.Option(
        min=2, help="Seeds at the base point (all defaults): the seed-noise floor.")] = 8,
    design_seed: Annotated[int, typer.Option(help="Seed of the SALib design.")] = 0,
    missing: Annotated[float | None, typer.Option(
        help="Count a finished run that does not report the metric as this value (e.g. "
             "margin_s when no space became untenable within the smoke horizon); "
             "default: such a run is an error.")] = None,
    seed: Annotated[int | None, typer.Option(
        help="Root seed of the runs (default: the scenario's).")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override any scenario field (repeatable).")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes (0: in this process).")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    db: Annotated[Path | None, typer.Option(
        help="Results database (default: results/sensitivity.db).")] = None,
    resume: Annotated[bool, typer.Option(
        help="Run what is missing of a stored study; with more trajectories, a larger "
             "sample or more seeds, extend it (stored runs are reused).")] = False,
    out: Annotated[Path | None, typer.Option(
        help="Folder for CSV, Markdown and plots (default: results/<study>).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Vary assumptions over their declared ranges (SALib design, common seeds, batch
    store) and rank them by their effect on each metric, with CIs and the seed noise."""
    from sim.analysis.assumptions_table import varied_assumptions
    from sim.analysis.sensitivity import analyze, make_design, markdown, rows
    from sim.analysis.sensitivity_batch import collect, run_study
    from sim.batch.store import Store
    from sim.cli.batch_support import backend as _backend
    from sim.cli.batch_support import progress_bar as _progress_bar
    from sim.cli.batch_support import sigterm_as_interrupt as _sigterm_as_interrupt
    from sim.engine.metrics import check_metric
    from sim.io.scenario_files import load_scenario

    if method not in ("morris", "sobol"):
        raise ScenarioError(f"expected morris or sobol, got {method!r}", field="--method",
                            source="<command line>")
    for m in metric:
        check_metric(m, field="--metric")
    scn = load_scenario(scenario, set_ or [])
    if bool(params) == all_assumed:
        raise ScenarioError("give --params KEY ... or --all-assumed (one of them)",
                            field="--params", source="<command line>")
    chosen = varied_assumptions(scn, params)
    try:
        design = make_design(chosen, method, trajectories if method == "morris" else samples,
                             seed=design_seed, levels=levels)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ScenarioError(str(exc), field="--samples" if method == "sobol" else "--params",
                            source="<command line>") from None
    n_runs = len(design.unit) * seeds + base_seeds
    err = Console(stderr=True)
    err.print(f"{method}: {len(chosen)} parameters, {len(design.unit)} design points × "
              f"{seeds} seeds + base point × {base_seeds} seeds = {n_runs} runs")
    root = seed if seed is not None else scn.seed
    db_path = db or Path("results") / "sensitivity.db"
    backend = _backend(workers, scheduler)
    store = Store(db_path)
    try:
        with _sigterm_as_interrupt(), _progress_bar(f"sensitivity {scenario.stem}") as tick:
            batch, cfgs, summary = run_study(store, backend, scenario, design, seeds=seeds,
                                             base_seeds=base_seeds, sets=set_ or [],
                                             root_seed=root, resume=resume,
                                             missing=missing, progress=tick)
        results = []
        for m in metric:
            y, base, filled = collect(store, cfgs, m, seeds, base_seeds, missing=missing)
            try:
                results.append((analyze(design, m, y, base, seed=design_seed, filled=filled,
                                        fill_value=math.nan if missing is None else missing),
                                y))
            except ValueError as exc:
                raise ScenarioError(str(exc), field="--metric", source=str(scenario)) from None
    except KeyboardInterrupt:
        store.close()
        err.print(f"interrupted; finished runs are stored in {db_path} (--resume)")
        raise typer.Exit(130) from None
    finally:
        backend.close()
    store.close()
    folder = out or Path("results") / batch.name.replace(":", "_")
    folder.mkdir(parents=True, exist_ok=True)
    table = [r for a, _ in results for r in rows(a)]
    with (folder / "indices.csv").open("w", newline="", encoding="utf-8") as fh:
        fields: list[str] = []
        for r in table:
            fields += [k for k in r if k not in fields]
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(table)
    md = "\n".join(markdown(a) for a, _ in results)
    (folder / "indices.md").write_text(md, encoding="utf-8")
    from viz.sensitivity_plots import plot_top_scatter, plot_tornado

    figs = [str(p) for a, y in results
            for p in (plot_tornado(a, folder), plot_top_scatter(a, design, y, folder))]
    if as_json:
        print(json.dumps(_jsonable({"study": batch.name, "db": str(db_path), "runs": n_runs,
                                    "ran": summary.ran, "failed": summary.failed,
                                    "indices": table, "noise": {
                                        a.metric: {"base_mean": a.base_mean,
                                                   "base_sd": a.base_sd,
                                                   "noise_floor": a.noise_floor,
                                                   "filled": a.filled}
                                        for a, _ in results},
                                    "files": figs})))
        return
    print(md)
    print(f"study {batch.name!r} in {db_path}: {summary.ran} runs now, {summary.failed} "
          f"failed; tables and plots in {folder}")


def _jsonable(x: Any) -> Any:
    from sim.batch.worker import jsonable

    return jsonable(x)


def register(app: typer.Typer) -> None:
    """Attach ``sensitivity`` to the CLI."""
    app.command("sensitivity")(sensitivity)
