"""``safemall batch FILE``, ``safemall batch report DB`` and ``safemall adequacy``.

``safemall batch FILE ...`` is short for ``safemall batch run FILE ...``: the ``batch``
group runs its ``run`` command when the first argument is not a subcommand name.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from sim.cli.batch_support import backend as _backend
from sim.cli.batch_support import progress_bar as _progress_bar
from sim.cli.batch_support import sigterm_as_interrupt as _sigterm_as_interrupt
from sim.cli.checks import check_seed
from sim.engine.metrics import check_metric
from sim.errors import ScenarioError
from sim.model.limits import MAX_REPLICATIONS
from sim.model.validation import first_error


class _DefaultRunGroup(typer.core.TyperGroup):
    """A group that treats ``batch FILE ...`` as ``batch run FILE ...``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


batch_app = typer.Typer(
    name="batch", cls=_DefaultRunGroup, no_args_is_help=True, add_completion=False,
    help="Scenario batches: sweeps × replications (local processes or Dask), reports.")


@batch_app.command("run")
def batch_run(
    file: Annotated[Path, typer.Argument(help="Batch TOML file (schema safemall/batch/1).")],
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes (default: all cores; 0 = in this process).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Run on a Dask distributed cluster: tcp://HOST:PORT.")] = None,
    db: Annotated[Path | None, typer.Option(
        help="Results database (default: results/<batch name>.db).")] = None,
    resume: Annotated[bool, typer.Option(
        help="Continue a stored batch: run only what is missing.")] = False,
    retry_failed: Annotated[bool, typer.Option(
        help="With --resume: run the failed runs again.")] = False,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override a scenario field in every configuration.")] = None,
    replications: Annotated[int | None, typer.Option(
        help="Replications per configuration instead of the file's.")] = None,
    until_ci: Annotated[float | None, typer.Option(
        "--until-ci", help="Add replications until the 95% CI half-width of --metric is "
        "below this fraction of its mean (e.g. 0.05).")] = None,
    metric: Annotated[str | None, typer.Option(
        help="The metric watched by --until-ci.")] = None,
    max_replications: Annotated[int | None, typer.Option(
        help="With --until-ci: at most this many replications per configuration.")] = None,
    start_method: Annotated[str | None, typer.Option(
        help="Process start method: forkserver (default), spawn or fork.")] = None,
    max_tasks_per_child: Annotated[int | None, typer.Option(
        help="Recycle each worker process after this many runs.")] = None,
    keep_going: Annotated[bool, typer.Option(
        help="Record failed runs and go on (default: the first failed run stops the batch "
        "with its error).")] = False,
) -> None:
    """Run a batch; every finished run is stored at once (resume with --resume)."""
    from sim.batch.runner import run_batch
    from sim.batch.spec import UntilCI, load_batch
    from sim.batch.store import Store

    spec = load_batch(file, extra_overrides=set_ or [])
    if replications is not None:
        if not 1 <= replications <= MAX_REPLICATIONS:
            raise ScenarioError(f"must be from 1 to {MAX_REPLICATIONS:,}, got {replications}",
                                field="--replications", source="<command line>")
        spec = dataclasses.replace(spec, replications=replications)
    if until_ci is not None or metric is not None:
        base = spec.until_ci
        name = metric or (base.metric if base else None)
        if name is None:
            raise ScenarioError("--until-ci needs --metric NAME", field="--metric",
                                source="<command line>")
        check_metric(name, field="--metric")
        rel = until_ci if until_ci is not None else (base.rel if base else 0.05)
        mx = max_replications or (base.max_replications if base else 500)
        try:
            uc = UntilCI(metric=name, rel=rel, max_replications=mx)
        except ValidationError as exc:
            fld, reason = first_error(exc, {"rel": rel, "max_replications": mx})
            opt = "--until-ci" if fld == "rel" else "--max-replications"
            raise ScenarioError(reason, field=opt, source="<command line>") from None
        spec = dataclasses.replace(spec, until_ci=uc)
    db_path = db or Path("results") / f"{spec.name}.db"
    store = Store(db_path)  # a foreign or stored database is refused before anything starts
    try:
        store.check_new(spec.name, resume=resume)
        backend = _backend(workers, scheduler, start_method, max_tasks_per_child)
    except BaseException:
        store.close()
        raise
    err = Console(stderr=True)
    where = (f"Dask at {backend.address}" if scheduler
             else f"{backend.capacity} local processes" if workers != 0 else "this process")
    err.print(f"batch [bold]{spec.name}[/]: {len(spec.configs)} configurations × "
              f"{spec.replications} replications"
              + (f" (until CI ±{spec.until_ci.rel:.0%} on {spec.until_ci.metric}, "
                 f"≤ {spec.until_ci.max_replications})" if spec.until_ci else "")
              + f" on {where} → {db_path}")
    try:
        with _sigterm_as_interrupt(), _progress_bar(spec.name) as tick:
            summary = run_batch(spec, store, backend, resume=resume,
                                retry_failed=retry_failed, progress=tick,
                                keep_going=keep_going)
    except KeyboardInterrupt:
        stored, failed = (store.counts(b.id) if (b := store.batch(spec.name)) else (0, 0))
        store.close()
        err.print(f"interrupted: {stored} runs are stored in {db_path} ({failed} failed); "
                  f"continue with: safemall batch {file} --db {db_path} --resume")
        raise typer.Exit(130) from None
    finally:
        backend.close()
    store.close()
    for line in summary.failures:
        err.print(f"[red]failed[/] {line}")
    for line in summary.warnings:
        err.print(f"[yellow]warning[/] {line}")
    rate = summary.ran / summary.elapsed_s * 60 if summary.elapsed_s > 0 else 0.0
    print(f"{spec.name}: {summary.ran} runs this time ({summary.failed} failed), "
          f"{summary.stored}/{summary.total} stored, {summary.elapsed_s:.1f} s "
          f"({rate:,.0f} runs/min) → {db_path}")
    print(f"report: safemall batch report {db_path} --out {db_path.parent / spec.name}")


@batch_app.command("report")
def batch_report(
    db: Annotated[Path, typer.Argument(help="Results database written by safemall batch.")],
    out: Annotated[Path | None, typer.Option(
        help="Folder for CSV, Parquet, markdown and plots (default: next to the DB).")] = None,
    batch: Annotated[list[str] | None, typer.Option(
        help="Only this batch (repeatable; default: every batch in the DB).")] = None,
    metric: Annotated[list[str] | None, typer.Option(
        help="Metrics for the table and plots (repeatable; default: the key ones).")] = None,
    plots: Annotated[bool, typer.Option(help="Draw plots.")] = True,
    paired: Annotated[str | None, typer.Option(
        help="Also paired differences (95% CI) of every configuration against the one "
             "with this label (use with seeding = \"common\").")] = None,
) -> None:
    """Per-configuration statistics (mean, sd, 95% CI, p5/p50/p95), exports and plots."""
    from sim.batch.paired import UnknownConfiguration
    from sim.batch.report import paired_markdown, write_report
    from sim.batch.store import Store
    from sim.report.text import plural

    out_dir = out or db.with_suffix("")
    for m in metric or []:
        check_metric(m, field="--metric")
    try:
        with Store(db, create=False) as store:
            try:
                tables = write_report(store, out_dir, batches=batch, metrics=metric,
                                      paired=paired)
            except UnknownConfiguration:
                raise ScenarioError(f"no configuration labelled {paired!r}",
                                    field="--paired", source=str(db)) from None
            if plots:
                from viz.batch_plots import plot_batch

                for t in tables:
                    if not t.runs.empty:
                        t.files += plot_batch(store, t, Path(out_dir), metrics=metric)
    except sqlite3.Error as exc:
        raise ScenarioError(f"damaged batch database ({exc})", source=str(db)) from None
    if not tables:
        raise ScenarioError("no batch to report" + (f" named {batch}" if batch else ""),
                            source=str(db))
    console = Console(width=None if sys.stdout.isatty() else 120, highlight=False)
    for t in tables:
        _print_compact(console, t, metric)
        if t.paired is not None:
            print(f"\npaired differences (configuration − {paired}, mean [95% CI]):\n")
            print(paired_markdown(t.paired, paired or ""))
    files = [f for t in tables for f in t.files]
    plots = [f for f in files if f.suffix == ".png"]
    print(f"full tables and plots in {out_dir}")
    for t in tables:
        names = [f.name for f in t.files if f.suffix in (".md", ".xlsx")]
        print(f"  {t.batch.name}: " + ", ".join(names) + ", runs and summary as CSV/Parquet")
    print(f"  {plural(len(plots), 'plot')}")


#: Metrics in the terminal summary (the files hold every metric).
TERMINAL_METRICS = 3


def _print_compact(console: Console, t: Any, metrics: list[str] | None) -> None:
    """A short table per batch: configuration, runs, up to three metrics as mean [CI]."""
    from sim.batch.report import comparison_rows
    from sim.report.text import metric_label, plural

    ms, rows = comparison_rows(t, metrics)
    ms = ms[:TERMINAL_METRICS]
    n_ok = int((t.runs["status"] == "ok").sum())
    title = (f"{t.batch.name}: {plural(len(t.configs), 'configuration')}, "
             f"{plural(n_ok, 'run')} ok, {len(t.runs) - n_ok} failed — mean [95% CI]")
    tbl = Table(title=title, title_justify="left")
    tbl.add_column("configuration", overflow="fold", max_width=40)
    tbl.add_column("runs", justify="right")
    for m in ms:
        tbl.add_column(metric_label(m), justify="right", overflow="fold", max_width=28)
    for r in rows:
        cells = [c.text() if not r.no_data else "[yellow]no data[/]" for c in r.cells]
        runs = f"{r.runs - r.failed}" + (f" [red](+{r.failed} failed)[/]" if r.failed else "")
        tbl.add_row(r.label, runs, *cells[:TERMINAL_METRICS])
    console.print(tbl)


def adequacy(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    vary: Annotated[str, typer.Option(help="The dotted key to vary, e.g. security.guards.")],
    target: Annotated[list[str], typer.Option(
        help='A target "metric.stat <= value" (stats: mean, p50, p95, max); repeatable.')],
    values: Annotated[str | None, typer.Option(
        help="Candidate values, comma-separated: 10,20,40,80.")] = None,
    lo: Annotated[float | None, typer.Option(help="Smallest candidate.")] = None,
    hi: Annotated[float | None, typer.Option(help="Largest candidate.")] = None,
    step: Annotated[float | None, typer.Option(help="Step between candidates (1).")] = None,
    replications: Annotated[int, typer.Option(help="Replications per value.")] = 50,
    max_replications: Annotated[int | None, typer.Option(
        help="Double replications up to this when only the bound fails.")] = None,
    confidence: Annotated[float, typer.Option(
        help="Joint confidence that every target holds at the answer.")] = 0.95,
    db: Annotated[Path | None, typer.Option(
        help="Results database to reuse and extend (default: results/adequacy.db).")] = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes.")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override a scenario field (repeatable).")] = None,
    seed: Annotated[int | None, typer.Option(
        help="Root seed of new runs (default: the scenario's seed).")] = None,
    largest: Annotated[bool, typer.Option(
        help="Find the largest adequate value instead (targets get harder as it grows).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    keep_going: Annotated[bool, typer.Option(
        help="Record failed runs and go on (default: the first failed run stops the search "
        "with its error).")] = False,
    uncertain: Annotated[bool, typer.Option(
        "--uncertain", help="Sample the scenario's assumptions jointly with the seeds; "
        "--confidence is then the probability asked of P(every target met).")] = False,
    samples: Annotated[int, typer.Option(
        min=2, help="--uncertain: assumption sets (Latin hypercube).")] = 20,
    seeds_per_sample: Annotated[int, typer.Option(
        min=1, help="--uncertain: seeds per candidate and assumption set.")] = 5,
    params: Annotated[list[str] | None, typer.Option(
        "--params", help="--uncertain: only these assumptions (default: all it uses).")
    ] = None,
    out: Annotated[Path | None, typer.Option(
        help="--uncertain: folder for the probability-curve plot.")] = None,
) -> None:
    """Smallest value of --vary meeting every --target with the stated confidence."""
    from sim.batch.adequacy import (
        candidate_values,
        check_candidates,
        check_confidence,
        find_adequate,
        parse_target,
    )
    from sim.batch.store import Store
    from sim.io.scenario_files import load_scenario

    targets = [parse_target(t) for t in target]
    for t in targets:
        check_metric(t.metric, field="--target")
    check_confidence(confidence)
    cands = candidate_values(values, lo, hi, step)
    scn = load_scenario(scenario, set_ or [])
    if seed is not None:
        check_seed(seed)
    for name, n in (("--replications", replications), ("--max-replications",
                                                        max_replications)):
        if n is not None and not 1 <= n <= MAX_REPLICATIONS:
            raise ScenarioError(f"must be from 1 to {MAX_REPLICATIONS:,}, got {n}",
                                field=name, source="<command line>")
    # every candidate applied to the scenario (the --vary key, security overrides) before
    # anything runs or is stored
    check_candidates(scenario, vary, cands, set_ or [])
    root = seed if seed is not None else scn.seed
    db_path = db or Path("results") / "adequacy.db"
    if uncertain:
        from sim.cli.uncertain_cmd import run_uncertain

        run_uncertain(scenario, vary, targets, cands, probability=confidence,
                      samples=samples, seeds=seeds_per_sample, params=params,
                      sets=set_ or [], root_seed=root, db_path=db_path, workers=workers,
                      scheduler=scheduler, as_json=as_json, out=out)
        return
    store = Store(db_path)
    err = Console(stderr=True)

    def _announce(plan: Any) -> None:
        err.print(f"adequacy of [bold]{vary}[/]: {plan.describe()}", soft_wrap=True)

    try:
        backend = _backend(workers, scheduler)
    except BaseException:
        store.close()
        raise
    try:
        with _sigterm_as_interrupt(), _progress_bar(f"adequacy {vary}") as tick:
            res = find_adequate(store, backend, scenario, vary, targets, cands,
                                replications=replications, max_replications=max_replications,
                                confidence=confidence, sets=set_ or [], root_seed=root,
                                largest=largest, progress=tick, on_plan=_announce,
                                explain=_staffing_explainer(scenario, set_ or [], vary),
                                validate=False, keep_going=keep_going)
    except KeyboardInterrupt:
        store.close()
        err.print(f"interrupted; finished runs are stored in {db_path}")
        raise typer.Exit(130) from None
    finally:
        backend.close()
    store.close()
    if as_json:
        print(json.dumps(res.to_json()))
        if res.answer is None:
            raise typer.Exit(1)
        return
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    tbl = Table(title=f"adequacy of {vary} — each target at {res.per_target_confidence:.4g} "
                      f"confidence (joint ≥ {confidence:g})")
    tbl.add_column(vary, justify="right")
    tbl.add_column("runs (reused+new, failed)", justify="right")
    for t in targets:
        tbl.add_column(f"{t}\nestimate / bound", justify="right")
    tbl.add_column("binds")
    tbl.add_column("verdict")

    def _f(x: float) -> str:
        if x != x:
            return "—"
        return "∞" if x == float("inf") else ("-∞" if x == float("-inf") else f"{x:,.1f}")

    for ev in sorted(res.evidence, key=lambda e: e.value):
        row = [str(ev.value), f"{ev.n} ({ev.n_reused}+{ev.n_new}, {ev.failed})"]
        for c in ev.checks:
            mark = "[green]✓[/]" if c.passed else "[red]✗[/]"
            row.append(f"{_f(c.estimate)} / {_f(c.bound)} {mark}")
        row.append(ev.binding.target.metric if len(ev.checks) > 1 else "")
        row.append("[green]meets all[/]" if ev.passed else "[red]fails[/]")
        tbl.add_row(*row)
    console.print(tbl)
    for ev in sorted(res.evidence, key=lambda e: e.value):
        if ev.staffing:
            console.print(f"{vary} = {ev.value}: {ev.staffing}", highlight=False)
    for n in res.notes:
        console.print(f"note: {n}", highlight=False)
    if res.answer is None:
        print(f"answer: no value of {vary} among the candidates meets every target; "
              f"{res.why()}")
        raise typer.Exit(1)
    word = "largest" if largest else "smallest"
    print(f"answer: {vary} = {res.answer} is the {word} candidate from which every "
          f"{'smaller' if largest else 'larger'} one meets every target "
          f"({'; '.join(str(t) for t in targets)}) with {confidence:.0%} confidence; "
          f"{res.why()} [study {res.batch!r} in {db_path}]")


def _staffing_explainer(scenario: Path, sets: list[str], vary: str) -> Any:
    """``value → "L1 10 posts + 4 beats; …; team 7, 44 kits"`` for a scenario with a
    security plan (``None`` without one)."""
    from sim.batch.spec import override
    from sim.io.scenario_files import InputCache
    from sim.security.deployment import deploy

    cache = InputCache()

    def explain(value: Any) -> str | None:
        scn = cache.scenario(scenario, [*sets, override(vary, value)])
        plan = scn.security
        if plan is None:
            return None
        dep = deploy(plan, cache.network(scn))
        team = plan.team.members if plan.team is not None and plan.has("team") else 0
        return (f"{dep.guards} guards: {dep.summary() or 'none placed'}; team {team}, "
                f"{plan.equipment.responder_kits} kits")

    return explain


def register(app: typer.Typer) -> None:
    """Attach ``batch`` (run, report) and ``adequacy`` to the CLI."""
    app.add_typer(batch_app, name="batch")
    app.command("adequacy")(adequacy)
