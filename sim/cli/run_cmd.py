"""``safemall run`` and ``safemall verify``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from sim.cli.checks import check_names, check_seed
from sim.io.scenario_files import load_scenario
from sim.run.runner import RunResult, run_scenario

#: Metrics shown first in the summary table, in order (labels and units: the catalogue).
SUMMARY_KEYS = (
    "occupants", "evacuated", "inside", "casualties", "t_evacuation_s", "t95_evacuation_s",
    "t_lower_bound_s", "peak_density_pm2", "peak_density_space", "congested_time_s",
    "congested_space", "congested_share", "t_alarm_s",
    "t_first_responder_s", "t_contact_s", "t_neutralised_s", "t_police_arrived_s",
    "deadlocks_resolved", "wall_s",
)


def print_summary(res: RunResult, console: Console) -> None:
    """A readable table of the run's main metrics (every value with its unit) and exits."""
    from sim.report.text import fmt_value, metric_info

    m = res.metrics
    t = Table(title=f"{res.scenario.name or Path(res.scenario.source).stem} — seed {m['seed']}")
    t.add_column("metric")
    t.add_column("key", style="dim")
    t.add_column("value", justify="right")
    for key in SUMMARY_KEYS:
        if key in m:
            t.add_row(metric_info(key).label, key, fmt_value(key, m[key]))
    shown = set(SUMMARY_KEYS) | {"exit_counts"}
    for key in sorted(m):
        v = m[key]
        if key not in shown and isinstance(v, int | float | str) and not isinstance(v, bool) \
                and key not in ("seed", "seed_entropy", "moves", "t_end_s"):
            t.add_row(metric_info(key).label, key, fmt_value(key, v))
    console.print(t)
    if m.get("exit_counts"):
        e = Table(title="persons per exit")
        e.add_column("opening")
        e.add_column("persons", justify="right")
        for k, v in sorted(m["exit_counts"].items(), key=lambda kv: -kv[1]):
            e.add_row(k, f"{v:,}")
        console.print(e)


class _SafeColumn(ProgressColumn):
    """``done/total safe``; ``done safe`` until the run has reported how many there are."""

    def render(self, task: Task) -> Text:
        done = int(task.completed)
        if task.total is None:
            return Text(f"{done:,} safe")
        return Text(f"{done:,}/{int(task.total):,} safe")


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, set | tuple):
        return list(o)
    raise TypeError(type(o).__name__)


def run(
    scenario: Annotated[Path | None, typer.Argument(
        help="Scenario TOML file (not needed with --from-batch).")] = None,
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override any field: --set occupants.count=500 (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    replay: Annotated[Path | None, typer.Option(help="Write a replay file here.")] = None,
    watch: Annotated[bool, typer.Option(help="Open the replay viewer after the run.")] = False,
    from_batch: Annotated[tuple[Path, int] | None, typer.Option(
        "--from-batch", help="Re-run one run of a batch database exactly: DB RUN_ID.")] = None,
) -> None:
    """Run one scenario and print its metrics (a table, or JSON with --json)."""
    console = Console(stderr=True)
    seed_arg: Any = seed if seed is None else check_seed(seed)
    if from_batch is not None:
        from sim.batch.store import load_run_spec

        spec = load_run_spec(from_batch[0], from_batch[1])
        scn = load_scenario(spec.scenario_path, [*spec.overrides, *(set_ or [])])
        seed_arg = spec.seed_sequence()
    elif scenario is None:
        raise typer.BadParameter("give a scenario file, or --from-batch DB RUN_ID")
    else:
        scn = load_scenario(scenario, set_ or [])
    record = replay is not None or watch
    if as_json or not sys.stderr.isatty():
        res = run_scenario(scn, seed=seed_arg, record_tracks=record)
    else:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      _SafeColumn(),
                      TextColumn("t = {task.fields[t]:,.0f} s"), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("evacuating", total=None, t=0.0)

            def _tick(t_s: float, done: int, n: int) -> None:
                bar.update(task, completed=done, total=n, t=t_s)

            res = run_scenario(scn, seed=seed_arg, record_tracks=record, progress=_tick)
    if replay is not None:
        from sim.io.replay_file import write_replay

        write_replay(res.to_replay(), replay)
    if as_json:
        print(json.dumps(res.to_json(), default=_json_default))
    else:
        print_summary(res, Console())
        if replay is not None:
            Console().print(f"replay written to {replay}")
    if watch:
        from viz.viewer import open_viewer

        open_viewer(res.to_replay())


def verify(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    case: Annotated[list[str] | None, typer.Option(help="Run only these case ids.")] = None,
    kind: Annotated[str | None, typer.Option(
        help="Run only 'engine' cases (they run the simulator) or 'formula' cases.")] = None,
    mutations: Annotated[bool, typer.Option(
        "--mutations", help="Break the engine on purpose, one defect at a time, and show "
        "which cases catch each defect.")] = False,
) -> None:
    """Run the verification suite (RiMEA, IMO, SFPE, laboratory data, fire) and print each
    case: engine cases run the simulator, formula cases check the laws it uses."""
    if kind not in (None, "engine", "formula"):
        raise typer.BadParameter("give engine or formula", param_hint="--kind")
    if mutations:
        from sim.analysis.verification.mutations import format_table, run_harness

        rows = run_harness(workers=2)
        if as_json:
            print(json.dumps([r.__dict__ for r in rows], default=_json_default))
        else:
            print(format_table(rows))
        if not all(r.caught for r in rows):
            raise typer.Exit(1)
        return
    from sim.analysis.verification import all_cases, run_cases

    if case:
        check_names(case, all_cases(), option="--case", what="verification case")
    results = run_cases(case, kind)  # type: ignore[arg-type]
    if as_json:
        print(json.dumps([r.__dict__ for r in results], default=_json_default))
    else:
        t = Table(title="SafeMall verification")
        for col in ("case", "kind", "test", "expected", "obtained", "tolerance", "result"):
            t.add_column(col, overflow="fold")
        for r in results:
            t.add_row(r.id, r.kind, r.name, r.expected, r.obtained, r.tolerance,
                      "[green]pass[/]" if r.passed else "[red]FAIL[/]")
        Console(width=200).print(t)
        n_ok = sum(r.passed for r in results)
        n_eng = sum(r.kind == "engine" for r in results)
        print(f"{n_ok} passed, {len(results) - n_ok} failed "
              f"({n_eng} engine cases run the simulator, {len(results) - n_eng} check formulas)")
    if not all(r.passed for r in results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach ``run`` and ``verify`` to the CLI."""
    app.command("run")(run)
    app.command("verify")(verify)
