"""``safemall check`` (compliance, static and dynamic) and ``safemall security generate``.

Exit status of ``check``: 0 when no clause or target fails, 1 when any does, 2 on bad
input (one line naming the file and the field). Documented in ``docs/compliance.md``.
"""

from __future__ import annotations

import base64
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.analysis.compliance.dynamic import DynamicResult
    from sim.analysis.compliance.inputs import CheckInputs
    from sim.analysis.compliance.model import ClauseResult

security_app = typer.Typer(name="security", help="Security plans (safemall/security/1).",
                           no_args_is_help=True)

_STYLE = {"pass": "green", "fail": "bold red", "not_applicable": "dim",
          "not_specified": "yellow"}


def check(
    target: Annotated[Path, typer.Argument(
        help="A mall folder (layout.toml + security.toml [+ drills.toml]) or a security plan.",
        show_default=False)],
    security: Annotated[Path | None, typer.Option(help="The security plan to check.")] = None,
    drills: Annotated[Path | None, typer.Option(help="The drill and training log.")] = None,
    period: Annotated[str | None, typer.Option(
        help="Drill-log period: YYYY or YYYY-MM-DD:YYYY-MM-DD (default: the log's year).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON report.")] = False,
    report: Annotated[Path | None, typer.Option(
        help="Write a self-contained HTML report here (and the JSON beside it).")] = None,
    lenient: Annotated[bool, typer.Option(
        "--lenient", help="SM-1.3b lenient reading (lower band at 20,000 m², floor above "
                          "30,000 m²).")] = False,
    group_distance: Annotated[float, typer.Option(
        help="Largest door-to-door walk (m) between adjacent shops (SM-1.3e).")] = 60.0,
    dynamic: Annotated[bool, typer.Option(
        "--dynamic", help="Also run the mall's scenarios and judge the performance targets.")]
    = False,
    replications: Annotated[int, typer.Option(help="Replications per scenario (--dynamic).")]
    = 10,
    workers: Annotated[int, typer.Option(
        help="Worker processes for --dynamic (0: one per core; 1: in-process).")] = 0,
    scenarios: Annotated[Path | None, typer.Option(
        help="Scenario folder for --dynamic (default: ../../scenarios from the mall folder).")]
    = None,
    targets: Annotated[Path | None, typer.Option(
        help="Target definitions (default: sim/analysis/compliance/targets.toml).")] = None,
    responder_s: Annotated[float | None, typer.Option(
        help="First-responder target (s) at p95, overriding the targets file.")] = None,
    seed: Annotated[int, typer.Option(help="Root seed of the --dynamic replications.")] = 2017,
) -> int:
    """Check a mall against the Safe Mall plan and GB 50016, clause by clause."""
    from sim.analysis.compliance.drills import parse_period
    from sim.analysis.compliance.inputs import resolve_inputs
    from sim.analysis.compliance.report import build_report, render_html
    from sim.analysis.compliance.static import CheckOptions, check_static
    from sim.engine.graphs import build_network

    if replications < 1:
        raise typer.BadParameter("must be >= 1", param_hint="--replications")
    from sim.cli.checks import check_seed

    check_seed(seed)
    if responder_s is not None and not 0 < responder_s <= 86_400:
        raise typer.BadParameter(f"must be a time in seconds from 0 to 86400, got "
                                 f"{responder_s}", param_hint="--responder-s")
    inp = resolve_inputs(target, security=security, drills=drills)
    opt = CheckOptions(reading="lenient" if lenient else "strict",
                       group_distance_m=group_distance,
                       period=parse_period(period) if period else None)
    net = build_network(inp.layout)
    results = check_static(inp.layout, inp.plan, inp.log, opt, network=net)
    dyn: DynamicResult | None = None
    if dynamic:
        from sim.analysis.compliance.dynamic import load_targets, run_dynamic

        tg = load_targets(targets)
        if responder_s is not None:
            tg = [t.with_value(responder_s)
                  if t.metric == "t_first_responder_after_incident_s" else t
                  for t in tg]
        dyn = run_dynamic(inp, tg, replications=replications, workers=workers,
                          scenario_dir=scenarios, seed=seed,
                          progress=None if as_json else _progress_printer())
    rep = build_report(inp, results, opt, dyn)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        figs = _figures(inp, results, dyn, net)
        report.write_text(render_html(rep, figs), encoding="utf-8")
        report.with_suffix(".json").write_text(json.dumps(rep, indent=1, ensure_ascii=False),
                                               encoding="utf-8")
    if as_json:
        print(json.dumps(rep, ensure_ascii=False))
    else:
        _print_tables(inp, results, dyn, rep)
        if report is not None:
            print(f"report written to {report} (and {report.with_suffix('.json')})")
    return 1 if rep["verdict"] == "fail" else 0


def _progress_printer() -> Any:
    def show(msg: str) -> None:
        print(msg, file=sys.stderr)
    return show


def _short_remedy(r: ClauseResult, width: int = 64) -> str:
    """The first remedy, cut to ``width`` (the JSON and HTML carry them all)."""
    if r.status in ("pass", "not_applicable") or not r.remedies:
        return ""
    if r.source == "document":
        return "document review"
    first = r.remedies[0]
    text = first if len(first) <= width else first[: width - 1].rstrip(" ,:") + "…"
    return text + (f" (+{len(r.remedies) - 1})" if len(r.remedies) > 1 else "")


def _print_tables(inp: CheckInputs, results: list[ClauseResult], dyn: DynamicResult | None,
                  rep: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160, highlight=False)
    t = Table(title=f"{inp.layout.mall.name}: {inp.plan_path}", title_justify="left")
    for col, kw in (("clause", {"no_wrap": True}), ("status", {"no_wrap": True}),
                    ("required", {"ratio": 3}), ("actual", {"ratio": 3}),
                    ("remedy", {"ratio": 4})):
        t.add_column(col, overflow="fold", **kw)
    for r in results:
        t.add_row(r.id, f"[{_STYLE[r.status]}]{r.status}[/]", r.required, r.actual,
                  _short_remedy(r))
    console.print(t)
    if dyn is not None:
        d = Table(title="dynamic targets", title_justify="left")
        for col in ("target", "scenario", "status", "required", "actual", "n"):
            d.add_column(col, overflow="fold")
        for j in dyn.judgements:
            d.add_row(j.target.id, j.scenario, f"[{_STYLE[j.status]}]{j.status}[/]",
                      j.required, j.actual, str(j.n))
        console.print(d)
        for note in dyn.notes:
            console.print(f"[dim]{note}[/]")
    c = rep["counts"]
    v = rep["verdict"]
    line = (f"verdict: [{_STYLE[v]}]{v.upper()}[/] — {c['pass']} pass, {c['fail']} fail, "
            f"{c['not_applicable']} not applicable, {c['not_specified']} not specified")
    if dyn is not None:
        from collections import Counter

        dc = Counter(j.status for j in dyn.judgements)
        line += (f"; dynamic targets: {dc['pass']} pass, {dc['fail']} fail, "
                 f"{dc['not_applicable']} not applicable, {dc['not_specified']} not specified")
    console.print(line)


def _png(fig: Figure, dpi: int = 90) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figures(inp: CheckInputs, results: list[ClauseResult], dyn: DynamicResult | None,
             net: Any) -> dict[str, str]:
    """Base64 PNGs for the report: the plan with shortfalls, target distributions."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from sim.analysis.compliance.report import shortfalls

    figs: dict[str, str] = {}
    spaces, openings = shortfalls(inp.layout, results)
    from viz.plan import draw_plan

    if inp.layout.levels:
        levels = [lv.id for lv in inp.layout.levels]
        fig = draw_plan(inp.layout, None, levels=levels, highlight_spaces=spaces,
                        highlight_openings=openings)
        figs["plan"] = _png(fig, dpi=60 if len(levels) > 4 else 75)
    if dyn is not None:
        for j in dyn.judgements:
            vals = [v for v in j.values if v is not None]
            if not vals:
                continue
            f = Figure(figsize=(3.2, 1.6))
            ax = f.subplots()
            ax.hist(vals, bins=min(20, max(5, len(vals) // 2)), color="#6baed6")
            if j.threshold is not None:
                ax.axvline(j.threshold, color="#e31a1c", linewidth=1.2)
            if j.estimate is not None:
                ax.axvline(j.estimate, color="#08306b", linestyle="--", linewidth=1)
            ax.set_xlabel(f"{j.target.metric}{' (ratio)' if j.target.divide_by else ''}",
                          fontsize=7)
            ax.tick_params(labelsize=6)
            f.tight_layout()
            figs[f"dyn:{j.target.id}:{j.scenario}"] = _png(f, dpi=80)
    return figs


@security_app.command("generate")
def generate(
    layout: Annotated[Path, typer.Argument(help="A layout.toml or a mall folder.",
                                           show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Plan file to write.")]
    = Path("security.toml"),
    understaffed: Annotated[bool, typer.Option(
        "--understaffed", help="Write the deliberately under-staffed variant.")] = False,
) -> int:
    """Write a realistic security plan for a layout (see docs/security-format.md)."""
    from sim.generate.security_plan import write_plan
    from sim.io.layout_files import load_layout
    from sim.io.security_files import load_security_plan

    lay = load_layout(layout)
    out.parent.mkdir(parents=True, exist_ok=True)
    plan = write_plan(lay, out, understaffed=understaffed)
    load_security_plan(out, lay)  # what we wrote must load
    g = plan["guards"]
    from sim.report.text import plural

    print(f"wrote {out}: {plural(g['total'], 'guard')} ({plural(len(g['posts']), 'post')}, "
          f"{plural(len(g['patrols']), 'patrol')}), {plural(len(plan['groups']), 'group')}, "
          f"{plural(len(plan['cctv']['cameras']), 'camera')}")
    return 0


def register(app: typer.Typer) -> None:
    """Add ``check`` and the ``security`` group to the ``safemall`` app (once)."""
    if any(g.typer_instance is security_app for g in app.registered_groups):
        return
    app.command("check")(check)
    app.add_typer(security_app, name="security")
