"""``safemall barriers``: rank road entrances by the harm a rated bollard there prevents."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def barriers(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML with a vehicle hazard.")],
    replications: Annotated[int, typer.Option(
        "--replications", "-n", min=2, help="Runs per entrance and rating (common seeds).")
    ] = 5,
    rating: Annotated[list[str] | None, typer.Option(
        help="Crash rating to try (repeatable; ASTM 'M50-P1', DoS 'K12', IWA/PAS "
             "'V/7200[N3C]/80/90:1.1'). Default: the lightest car test, M30, M40, M50.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")
                    ] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override any scenario field (repeatable).")] = None,
    entrance: Annotated[list[str] | None, typer.Option(
        help="Only these entrances (repeatable; default: every road entrance).")] = None,
    no_retarget: Annotated[bool, typer.Option(
        "--no-retarget", help="A stopped driver does not try another entrance.")] = False,
    db: Annotated[Path | None, typer.Option(
        help="Keep the runs in this batch database (default: a temporary one).")] = None,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes (0: inline).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run the vehicle at every road entrance with no barrier there and with a bollard of
    each rating on its barrier line, over common seeds, and rank the entrances by the
    casualties each rating prevents; entrances whose 95 % intervals overlap share a rank
    (a tie)."""
    from sim.analysis.barriers import DEFAULT_RATINGS, rank_barriers
    from sim.cli.checks import check_seed

    if seed is not None:
        check_seed(seed)

    def progress(done: int, failed: int, total: int) -> None:
        if not as_json and sys.stderr.isatty():
            print(f"\r{done}/{total} runs", end="", file=sys.stderr, flush=True)

    rows = rank_barriers(scenario, overrides=set_ or [], ratings=rating or DEFAULT_RATINGS,
                         replications=replications, seed=seed, workers=workers,
                         entrances=entrance or None, db=db, retarget=not no_retarget,
                         progress=progress)
    if as_json:
        print(json.dumps([r.to_json() for r in rows]))
        return
    if sys.stderr.isatty():
        print(file=sys.stderr)
    console = Console(width=170)
    for name in dict.fromkeys(r.rating for r in rows):
        part = [r for r in rows if r.rating == name]
        t = Table(title=f"Bollard rated {part[0].to_json()['rating']} "
                        f"({part[0].to_json()['rating_energy_kj']:,.0f} kJ): casualties "
                        f"prevented, {replications} common seeds")
        for col in ("rank", "entrance", "barrier line", "impact km/h", "vehicle kJ",
                    "stopped", "casualties without", "with", "prevented [95% CI]",
                    "deaths prevented"):
            t.add_column(col, justify="left" if col in ("entrance", "barrier line")
                         else "right")
        for r in part:
            lo, hi = r.prevented_ci
            t.add_row(f"{r.rank}{' =' if r.tie else ''}", r.entrance, ", ".join(r.line),
                      f"{r.impact_speed_mps * 3.6:.0f}", f"{r.energy_kj:.0f}",
                      f"{r.stopped_share:.0%}", f"{r.victims.mean_a:.2f}",
                      f"{r.victims.mean_b:.2f}", f"{r.prevented:.2f} [{lo:.2f}, {hi:.2f}]",
                      f"{-r.deaths.diff:.2f}")
        console.print(t)
    console.print("'=' marks a tie: its 95 % interval overlaps that of the best entrance "
                  "of its rank.")


def register(app: typer.Typer) -> None:
    """Attach ``barriers`` to the CLI."""
    app.command("barriers")(barriers)
