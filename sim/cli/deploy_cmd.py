"""``safemall deploy MALL --guards N [--out FILE]``: where N guards stand, and how close.

Prints the deployment of :mod:`sim.security.deployment` (posts at their openings,
pinned patrols, beats placed by p-median on the design occupants) and its coverage per
level: the share of sales area and of design occupants within 60/120/180 s walking of a
responding guard. ``--out`` writes it as a security plan (``safemall/security/1``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.errors import SecurityPlanError


def deploy_cmd(
    target: Annotated[Path, typer.Argument(
        help="A mall folder (layout.toml + security.toml) or a security plan.",
        show_default=False)],
    guards: Annotated[int | None, typer.Option(
        help="Guards to deploy by the rule (default: the plan as written).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the deployment as a security plan here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> int:
    """Deploy guards on posts, patrols and beats; print the deployment and its coverage."""
    from sim.analysis.compliance.inputs import resolve_inputs
    from sim.engine.graphs import build_network
    from sim.io.security_files import load_security_plan
    from sim.io.toml import dumps_readable
    from sim.security.deployment import COVERAGE_S, coverage, deploy, deployment_plan

    if guards is not None and guards < 0:
        raise SecurityPlanError(f"must be a whole number >= 0, got {guards}",
                                field="--guards", source="<command line>")
    inp = resolve_inputs(target)
    net = build_network(inp.layout)
    dep = deploy(inp.plan, net, guards)
    cov = coverage(dep, net, inp.plan.guards.speed_mps)
    if out is not None:
        raw = deployment_plan(inp.plan, dep, net)
        raw["layout"] = os.path.relpath(inp.layout_path.resolve(), out.resolve().parent)
        raw["name"] = (f"{inp.plan.name or inp.layout.mall.name}: {dep.guards} guards "
                       "deployed by the rule")
        out.parent.mkdir(parents=True, exist_ok=True)
        head = (f"# Written by `safemall deploy {target} --guards {dep.guards}` from "
                f"{inp.plan_path}.\n# Deployment rule: sim/security/deployment.py; "
                "format: docs/security-format.md.\n\n")
        out.write_text(head + dumps_readable(raw), encoding="utf-8")
        load_security_plan(out, inp.layout)  # what we wrote must load
    if as_json:
        print(json.dumps(_to_json(dep, cov)))
        return 0
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    how = "by the deployment rule" if dep.rule == "rule" else "as the plan writes them"
    console.print(f"[bold]{inp.layout.mall.name}[/]: {dep.guards} guards {how} "
                  f"({inp.plan_path}); {dep.summary() or 'nobody placed'}")
    tbl = Table(title="deployment")
    for col in ("station", "kind", "role", "level", "where", "guards"):
        tbl.add_column(col, justify="right" if col == "guards" else "left")
    for s in dep.stations:
        where = net.cells[s.cells[0]].space + (f" at {s.opening}" if s.opening else "")
        if len(s.cells) > 1:
            where += f" (+{len(s.cells) - 1} waypoints)"
        tbl.add_row(s.id, s.kind, s.role, s.level, where, str(s.count))
    console.print(tbl)
    ct = Table(title="coverage: share within walking time of a responding guard "
                     f"(at {inp.plan.guards.speed_mps:g} m/s, uncrowded)")
    ct.add_column("level")
    ct.add_column("sales area m²", justify="right")
    ct.add_column("design occupants", justify="right")
    ct.add_column("guards (post/patrol/beat)", justify="right")
    for x in COVERAGE_S:
        ct.add_column(f"area ≤{x:g} s", justify="right")
    for x in COVERAGE_S:
        ct.add_column(f"occupants ≤{x:g} s", justify="right")
    ct.add_column("mean s", justify="right")
    for r in cov:
        g = r.guards
        ct.add_row(r.level, f"{r.sales_area_m2:,.0f}", f"{r.occupants:,.0f}",
                   f"{g['post']}/{g['patrol']}/{g['beat']}",
                   *(f"{r.area_share[x]:.0%}" for x in COVERAGE_S),
                   *(f"{r.occupant_share[x]:.0%}" for x in COVERAGE_S),
                   "—" if r.mean_time_s == float("inf") else f"{r.mean_time_s:.0f}")
    console.print(ct)
    for n in dep.notes:
        console.print(f"note: {n}")
    if dep.unstaffed:
        console.print("not fully staffed: " + ", ".join(dep.unstaffed))
    if out is not None:
        console.print(f"wrote {out}")
    return 0


def _to_json(dep: Any, cov: Any) -> dict[str, Any]:
    def share(d: dict[float, float]) -> dict[str, float]:
        return {f"{k:g}": round(v, 4) for k, v in d.items()}

    return {
        "guards": dep.guards, "rule": dep.rule, "placed": dep.placed,
        "unstaffed": list(dep.unstaffed), "notes": list(dep.notes),
        "stations": [{"id": s.id, "kind": s.kind, "role": s.role, "level": s.level,
                      "cells": list(s.cells), "opening": s.opening, "guards": s.count,
                      "responds": s.responds} for s in dep.stations],
        "coverage": [{"level": r.level, "sales_area_m2": round(r.sales_area_m2, 1),
                      "occupants": round(r.occupants, 1), "guards": r.guards,
                      "area_share": share(r.area_share),
                      "occupant_share": share(r.occupant_share),
                      "mean_time_s": None if r.mean_time_s == float("inf")
                      else round(r.mean_time_s, 1)} for r in cov],
    }


def register(app: typer.Typer) -> None:
    """Add ``deploy`` to the ``safemall`` app."""
    app.command("deploy")(deploy_cmd)
