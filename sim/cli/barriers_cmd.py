"""``safemall barriers``: rank road entrances by the harm a bollard there prevents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def barriers(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML with a vehicle hazard.")],
    replications: Annotated[int, typer.Option(
        "--replications", "-n", min=1, help="Runs per entrance and variant.")] = 5,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")
                    ] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override any scenario field (repeatable).")] = None,
    entrance: Annotated[list[str] | None, typer.Option(
        help="Only these entrances (repeatable; default: every road entrance).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run the vehicle scenario at every road entrance with and without a bollard there,
    and rank the entrances by the harm (vehicle_victims) the bollard prevents."""
    from sim.analysis.barriers import rank_entrances
    from sim.cli.checks import check_seed
    from sim.io.scenario_files import load_scenario

    if seed is not None:
        check_seed(seed)
    rows = rank_entrances(load_scenario(scenario, set_ or []), replications=replications,
                          seed=seed, workers=workers, entrances=entrance or None)
    if as_json:
        print(json.dumps(rows))
        return
    t = Table(title=f"Harm prevented by a bollard, {replications} replications each")
    for col in ("rank", "entrance", "existing", "victims without", "victims with",
                "prevented", "± 95% CI", "impact m/s"):
        t.add_column(col, justify="right" if col not in ("entrance", "existing") else "left")
    for r in rows:
        def f(v: float | None) -> str:
            return "—" if v is None else f"{v:.2f}"
        t.add_row(str(r["rank"]), r["entrance"], ", ".join(r["existing_barriers"]) or "—",
                  f(r["harm_without"]), f(r["harm_with_bollard"]), f(r["prevented"]),
                  f(r["prevented_ci_half"]), f(r["impact_speed_mps"]))
    Console(width=160).print(t)


def register(app: typer.Typer) -> None:
    """Attach ``barriers`` to the CLI."""
    app.command("barriers")(barriers)
