"""``safemall layout``: validate, draw, describe and generate mall layouts.

Every input problem is raised as a :class:`sim.errors.SafeMallError`; ``sim.cli.main``
prints it as one line and exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

layout_app = typer.Typer(
    name="layout",
    help="Validate, draw, describe and generate mall layouts (safemall/layout/1).",
    no_args_is_help=True,
)

PathArg = Annotated[Path, typer.Argument(help="A layout.toml, or a mall folder holding one.",
                                         show_default=False)]


def _console() -> Console:
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 140, highlight=False)


@layout_app.command("validate")
def validate(path: PathArg,
             strict: Annotated[bool, typer.Option(
                 "--strict", help="Exit with status 1 when there are GB 50016 warnings.")]
             = False) -> int:
    """Check a layout: errors stop with status 2; GB 50016 warnings are listed."""
    from sim.analysis.egress_code import layout_warnings
    from sim.engine.graphs import build_network
    from sim.io.layout_files import load_layout
    from sim.report.text import plural

    lay = load_layout(path)
    warnings = layout_warnings(lay, build_network(lay))
    print(f"ok: {plural(len(lay.levels), 'level')}, {plural(len(lay.spaces), 'space')}, "
          f"{plural(len(lay.openings), 'opening')}")
    for w in warnings:
        print(f"warning: {w}")
    return 1 if strict and warnings else 0


@layout_app.command("show")
def show(path: PathArg,
         out: Annotated[Path, typer.Option("--out", "-o", help="Image file to write.")]
         = Path("plan.png"),
         routes: Annotated[bool, typer.Option("--routes", help="Overlay the route graph.")]
         = False,
         level: Annotated[list[str] | None, typer.Option(
             "--level", help="Draw only this level (repeatable).")] = None,
         security: Annotated[Path | None, typer.Option(
             "--security", help="Draw this security plan on top: posts, patrol routes, "
             "cameras and their coverage, alarm buttons, PA zones, bollards and barriers, "
             "with space ids and a legend.")] = None,
         ids: Annotated[bool, typer.Option("--ids", help="Write every space's id.")] = False,
         dpi: Annotated[int, typer.Option(help="Resolution of raster images.")] = 150) -> int:
    """Draw each level of a layout (spaces by kind, openings, exits) to an image."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.engine.graphs import build_network
    from sim.io.layout_files import load_layout
    from viz.plan import draw_plan

    lay = load_layout(path)
    if security is not None:
        from sim.io.security_files import load_security_plan
        from viz.security_plan import draw_security_plan

        plan = load_security_plan(security, lay)
        fig = draw_security_plan(lay, plan, levels=level or None)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=dpi)
        print(f"wrote {out}")
        return 0
    net = build_network(lay) if routes else None
    fig = draw_plan(lay, net, levels=level or None, space_ids=ids)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi)
    print(f"wrote {out}")
    return 0


@layout_app.command("info")
def info(path: PathArg,
         density: Annotated[str, typer.Option(
             help="End of the GB 50016 density range: high (design) or low.")] = "high",
         ) -> int:
    """Levels, spaces by kind, sales area, exits and GB 50016 design occupancy."""
    from rich.table import Table

    from sim.analysis.layout_figures import layout_figures
    from sim.engine.graphs import build_network
    from sim.errors import SafeMallError
    from sim.io.layout_files import load_layout

    if density not in ("high", "low"):
        raise SafeMallError(f"must be high or low, got {density!r}", field="--density",
                            source="safemall layout info")
    lay = load_layout(path)
    f = layout_figures(lay, build_network(lay), "high" if density == "high" else "low")
    con = _console()
    m = lay.mall
    con.print(f"[bold]{m.name}[/bold]  ({lay.source})")
    con.print(f"sprinklered: {'yes' if m.sprinklered else 'no'}   fire-resistance grade: "
              f"{m.fire_resistance_grade}   above-ground storeys: "
              f"{f.above_ground_storeys}" + (f"   city: {m.city}" if m.city else ""))
    if f.widths_unavailable is not None:
        con.print(f"[red]GB 50016 widths not available: {f.widths_unavailable}[/red]")
    t = Table(title="Levels", title_justify="left")
    for col in ("level", "name", "storey", "elev. m", "floor m²", "sales m²",
                "density p/m²", "occupancy", "exits", "stairs to grade m", "required m"):
        t.add_column(col, justify="left" if col in ("level", "name") else "right")
    for lv in f.levels:
        t.add_row(lv.id, lv.name, str(lv.storey), f"{lv.elevation_m:+.1f}",
                  f"{lv.floor_m2:,.0f}", f"{lv.sales_m2:,.0f}",
                  f"{lv.density_pm2:.2f}" if lv.sales_m2 else "—", f"{lv.occupancy:,}",
                  str(lv.exits), "—" if lv.stair_width_m is None else f"{lv.stair_width_m:.1f}",
                  f"{lv.stair_required.width_m:.1f}" if lv.stair_required else "—")
    t.add_row("total", "", "", "", "", f"{f.sales_m2_total:,.0f}", "",
              f"{f.occupancy_total:,}", "", "", "", style="bold")
    con.print(t)

    k = Table(title="Spaces by kind", title_justify="left")
    for col in ("kind", "count", "area m²"):
        k.add_column(col, justify="left" if col == "kind" else "right")
    for kind, (n, area) in f.spaces_by_kind.items():
        k.add_row(kind, str(n), f"{area:,.0f}" if kind != "exit" else "—")
    con.print(k)

    eg = Table(title="Sales area and egress", title_justify="left", show_header=False)
    eg.add_column("what")
    eg.add_column("value", justify="right")
    declared = f"{m.sales_area_m2:,.0f} m²" if m.sales_area_m2 is not None else "—"
    eg.add_row("sales area declared", declared)
    eg.add_row("sales area derived (shop + corridor + atrium)",
               f"{lay.derived_sales_area_m2:,.0f} m²")
    shops = f.spaces_by_kind.get("shop", (0, 0.0))[0]
    eg.add_row("shops (of which anchors)", f"{shops} ({f.anchors})")
    eg.add_row("exit spaces", str(len(lay.exits)))
    eg.add_row("exterior doors at grade", str(len(f.exterior_doors_at_grade)))
    eg.add_row("total exterior door width at grade",
               f"{f.exterior_width_at_grade_m:.1f} m (stair discharges "
               f"{f.stair_discharge_width_m:.1f} m)")
    short = f.exit_width_short_m
    if f.exit_required is not None and short is not None:
        eg.add_row(f"design occupancy ({f.which} density)", f"{f.occupancy_total:,} persons")
        eg.add_row("GB 50016 required width at grade", str(f.exit_required))
        ok = short >= -1e-6
        eg.add_row("exit width check",
                   f"[{'green' if ok else 'red'}]{'meets' if ok else 'SHORT'} "
                   f"({short:+.1f} m)[/]")
    eg.add_row("stair flights / escalators", f"{f.stair_flights} / {f.escalators}")
    eg.add_row("cells (default split) / portals", f"{f.cells:,} / {f.portals:,}")
    eg.add_row("route graph nodes / edges", f"{f.route_nodes:,} / {f.route_edges:,}")
    eg.add_row("GB 50016 warnings", str(len(f.warnings)))
    con.print(eg)
    for w in f.warnings:
        con.print(f"warning: {w}", markup=False)
    return 0


@layout_app.command("generate")
def generate(name: Annotated[str, typer.Argument(
                 help="compact, riverside or grand.", show_default=False)],
             out: Annotated[Path | None, typer.Option(
                 "--out", "-o", help="Folder to write (default: layouts/NAME).")] = None,
             ) -> int:
    """Write a bundled mall's layout.toml (and a security.toml placeholder if absent)."""
    from sim.generate.mall import write_mall

    path = write_mall(name, out if out is not None else Path("layouts") / name)
    print(f"wrote {path}")
    return 0


def register(app: typer.Typer) -> None:
    """Add the ``layout`` command group to the ``safemall`` app (once)."""
    if any(g.typer_instance is layout_app for g in app.registered_groups):
        return
    app.add_typer(layout_app, name="layout")
