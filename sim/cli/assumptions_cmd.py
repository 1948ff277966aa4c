"""``safemall assumptions``: list the assumptions register (all, or a scenario's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def assumptions(
    scenario: Annotated[Path | None, typer.Option(
        "--scenario", help="Only the assumptions this scenario's hazards and plan use.")
    ] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override any scenario field (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_markdown: Annotated[bool, typer.Option(
        "--markdown", help="Print docs/assumptions.md (the whole register).")] = False,
) -> None:
    """List model parameters not fixed by a code or standard: default, range, source,
    status (sourced / fitted / assumed) and the override key."""
    from sim.analysis.assumptions_table import fmt, markdown, scenario_assumptions
    from sim.model.assumptions import all_assumptions

    if as_markdown:
        print(markdown(all_assumptions()))
        return
    overrides: dict[str, float] = {}
    if scenario is not None:
        from sim.io.scenario_files import load_scenario

        scn = load_scenario(scenario, set_ or [])
        items = scenario_assumptions(scn)
        overrides = dict(scn.assumptions)
    else:
        items = all_assumptions()
    if as_json:
        print(json.dumps([a.as_dict() | {"value": overrides.get(a.key, a.value)}
                          for a in items]))
        return
    title = f"{len(items)} assumptions" + (f" used by {scenario}" if scenario else "")
    t = Table(title=title)
    for col in ("key", "value", "range", "unit", "status", "source"):
        t.add_column(col, overflow="fold")
    for a in items:
        v = overrides.get(a.key)
        value = fmt(a.default) if v is None else f"{fmt(v)} (default {fmt(a.default)})"
        t.add_row(a.key, value, f"{fmt(a.low)}–{fmt(a.high)} {a.dist}", a.unit, a.status,
                  a.source)
    Console(width=200).print(t)


def register(app: typer.Typer) -> None:
    """Attach ``assumptions`` to the CLI."""
    app.command("assumptions")(assumptions)
