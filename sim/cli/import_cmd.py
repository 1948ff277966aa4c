"""``safemall layout import-dxf | import-imdf | import-osm | export``: plans in and out.

The commands join the ``layout`` group (:mod:`sim.cli.layout_cmd`). Every input problem
is a one-line :class:`~sim.errors.LayoutError` (exit status 2); the import report is
printed and written next to the output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from sim.cli import layout_cmd
from sim.errors import LayoutError


def _finish(res: Any, out: Path, header: str, quiet: bool) -> None:
    from sim.io.importers.report import report_path_for
    from sim.io.layout_files import dump_layout_toml

    out.parent.mkdir(parents=True, exist_ok=True)
    rp = report_path_for(out)
    res.report.write(rp)
    if quiet:
        typer.echo(res.report.summary())
    else:
        typer.echo(res.report.text(limit_per_code=20), nl=False)
    typer.echo(f"report written to {rp}")
    if res.error is not None:
        raise LayoutError(f"import did not give a valid layout: {res.error.reason}"
                          + (f" ({res.error.field})" if res.error.field else "")
                          + f"; see {rp}", source=res.error.source)
    out.write_text(header + dump_layout_toml(res.data), encoding="utf-8")
    lay = res.layout
    from sim.report.text import plural

    n_spaces = sum(1 for s in lay.spaces.values() if not s.is_exit)
    typer.echo(f"layout written to {out}: {plural(len(lay.levels), 'level')}, "
               f"{plural(n_spaces, 'space')}, {plural(len(lay.exits), 'exit')}, "
               f"{plural(len(lay.openings), 'opening')}, "
               f"sales area {lay.derived_sales_area_m2:,.0f} m²")


def import_dxf(
    plans: Annotated[list[Path], typer.Argument(
        help="PLAN.dxf; several files (one per level) with --level-from file.")],
    map_: Annotated[Path, typer.Option("--map", help="Layer map (TOML); see "
                                       "docs/import-export.md.")],
    out: Annotated[Path, typer.Option(help="Layout TOML to write.")],
    units: Annotated[str | None, typer.Option(
        help="Drawing units m|cm|mm|in|ft; default: the map's, else $INSUNITS.")] = None,
    level_from: Annotated[str, typer.Option(
        help="layer: levels by layer prefix (one DXF); file: one DXF per level.")] = "layer",
    level: Annotated[list[str] | None, typer.Option(
        help="With --level-from file: the level of each file, in order (repeatable); "
             "default: the map's levels in order.")] = None,
    tolerance: Annotated[float | None, typer.Option(
        help="Door-to-space tolerance in m (default: the map's, 0.5).")] = None,
    drop_unreachable: Annotated[bool, typer.Option(
        help="Leave out spaces that cannot reach an exit (reported) instead of failing.")
    ] = False,
    name: Annotated[str | None, typer.Option(help="Mall name.")] = None,
    quiet: Annotated[bool, typer.Option(help="Print only the report's summary line.")] = False,
) -> None:
    """Import a DXF floor plan: closed polylines -> spaces, door blocks/lines -> openings."""
    from sim.io.importers.dxf import import_dxf as run
    from sim.io.importers.dxf import load_layer_map

    if level_from not in ("layer", "file"):
        raise LayoutError(f"unknown value {level_from!r}; expected layer or file",
                          field="--level-from")
    lmap = load_layer_map(map_)
    res = run(plans, lmap, units=units, level_from=level_from,  # type: ignore[arg-type]
              file_levels=level, drop_unreachable=drop_unreachable, name=name,
              tolerance_m=tolerance)
    src = ", ".join(p.name for p in plans)
    header = (f"# Imported by `safemall layout import-dxf` from {src} with the layer map "
              f"{map_.name}.\n# source_id = DXF entity handle; the import report is "
              f"{out.stem}.import-report.txt.\n")
    _finish(res, out, header, quiet)


Fixes = Annotated[Path | None, typer.Option(
    "--fixes", help="Overrides file (TOML) with repairs kept across data updates; the "
    "options below add to it. See docs/import-export.md.")]
ExitOpt = Annotated[list[str] | None, typer.Option(
    "--exit", help="Make ID an exit: an opening or entrance point touching one space, or a "
    "space (an exterior door is added on its edge nearest the outline). Repeatable.")]
DropOpt = Annotated[list[str] | None, typer.Option(
    "--drop", help="Leave out the space ID (space id or source feature id). Repeatable.")]
CategoryOpt = Annotated[list[str] | None, typer.Option(
    "--category", help="Override a category: CATEGORY=KIND (repeatable).")]
LinkOpt = Annotated[bool | None, typer.Option(
    "--link-stairs/--no-link-stairs", help="Join stair/escalator units that overlap in "
    "plan on consecutive levels when no traversal does (each link reported).")]
LinkTolOpt = Annotated[float | None, typer.Option(
    "--link-tolerance", help="Metres the lower plan is widened by in the overlap test "
    "(default 1).")]
NoInferOpt = Annotated[list[str] | None, typer.Option(
    "--no-infer", help="Switch an inference off: exits (doors on the outline, entrance "
    "units), categories (vehicle openings between rooms), room-doors (OSM). Repeatable.")]
WalkOpt = Annotated[str | None, typer.Option(
    "--walkway-rooms", help="A walkway that fully contains rooms: carve (default), drop "
    "or keep.")]
OutlineTolOpt = Annotated[float | None, typer.Option(
    "--outline-tolerance", help="Metres from the building outline still 'on' it "
    "(default 1: wall thickness).")]
ExitWidthOpt = Annotated[float | None, typer.Option(
    "--exit-width", help="Clear width (m) of exterior doors added for --exit SPACE "
    "(default 1.8).")]
DropUnreachable = Annotated[bool, typer.Option(
    help="Leave out spaces that cannot reach an exit (reported) instead of failing.")]


def _options(fixes: Path | None, exit_: list[str] | None, drop: list[str] | None,
             category: list[str] | None, link_stairs: bool | None,
             link_tolerance: float | None, no_infer: list[str] | None,
             walkway_rooms: str | None, outline_tolerance: float | None,
             exit_width: float | None, drop_unreachable: bool) -> Any:
    from sim.io.importers.options import INFERENCES, ImportOptions, load_fixes, parse_category

    base = load_fixes(fixes) if fixes is not None else ImportOptions()
    off = set(no_infer or [])
    for name in off:
        if name not in INFERENCES:
            raise LayoutError(f"unknown inference {name!r}; expected one of "
                              f"{', '.join(INFERENCES)}", field="--no-infer")
    return base.with_cli(
        exit=exit_ or [], drop=drop or [], category=parse_category(category or []),
        link_stairs=link_stairs, link_tolerance_m=link_tolerance,
        walkway_rooms=walkway_rooms, outline_tolerance_m=outline_tolerance,
        exit_width_m=exit_width, drop_unreachable=drop_unreachable or None,
        infer_exits=False if "exits" in off else None,
        fix_categories=False if "categories" in off else None,
        room_doors=False if "room-doors" in off else None)


def import_imdf(
    venue: Annotated[Path, typer.Argument(help="VENUE.imdf.zip or an IMDF folder.")],
    out: Annotated[Path, typer.Option(help="Layout TOML to write.")],
    storey_height: Annotated[float, typer.Option(
        help="Metres per level ordinal (elevation = ordinal x this).")] = 5.0,
    category: CategoryOpt = None,
    tolerance: Annotated[float, typer.Option(
        help="Opening-to-unit tolerance in m.")] = 0.5,
    drop_unreachable: DropUnreachable = False,
    name: Annotated[str | None, typer.Option(help="Mall name (default: the venue's).")] = None,
    quiet: Annotated[bool, typer.Option(help="Print only the report's summary line.")] = False,
    fixes: Fixes = None, exit_: ExitOpt = None, drop: DropOpt = None,
    link_stairs: LinkOpt = None, link_tolerance: LinkTolOpt = None,
    no_infer: NoInferOpt = None, walkway_rooms: WalkOpt = None,
    outline_tolerance: OutlineTolOpt = None, exit_width: ExitWidthOpt = None,
) -> None:
    """Import an IMDF archive: units -> spaces, openings -> openings, traversals -> stairs."""
    from sim.io.importers.imdf import import_imdf as run

    opts = _options(fixes, exit_, drop, category, link_stairs, link_tolerance, no_infer,
                    walkway_rooms, outline_tolerance, exit_width, drop_unreachable)
    res = run(venue, storey_height_m=storey_height, tolerance_m=tolerance, name=name,
              options=opts)
    header = (f"# Imported by `safemall layout import-imdf` from {venue.name}.\n"
              "# Coordinates: metres in a local transverse Mercator centred on the venue "
              "(see the report).\n# source_id = IMDF feature id; the import report is "
              f"{out.stem}.import-report.txt.\n")
    _finish(res, out, header, quiet)


def import_osm(
    source: Annotated[Path, typer.Argument(
        help="FILE.osm, FILE.osm.pbf or FILE.geojson (OpenStreetMap, Simple Indoor "
             "Tagging).")],
    out: Annotated[Path, typer.Option(help="Layout TOML to write.")],
    storey_height: Annotated[float, typer.Option(
        help="Metres per level (elevation = level x this).")] = 5.0,
    category: CategoryOpt = None,
    tolerance: Annotated[float, typer.Option(
        help="Door-to-space tolerance in m.")] = 0.5,
    drop_unreachable: DropUnreachable = False,
    name: Annotated[str | None, typer.Option(help="Mall name (default: the mall's).")] = None,
    quiet: Annotated[bool, typer.Option(help="Print only the report's summary line.")] = False,
    fixes: Fixes = None, exit_: ExitOpt = None, drop: DropOpt = None,
    link_stairs: LinkOpt = None, link_tolerance: LinkTolOpt = None,
    no_infer: NoInferOpt = None, walkway_rooms: WalkOpt = None,
    outline_tolerance: OutlineTolOpt = None, exit_width: ExitWidthOpt = None,
) -> None:
    """Import OpenStreetMap indoor data (Simple Indoor Tagging): rooms, corridors, areas,
    doors, entrances, stairs and shops."""
    from sim.io.importers.osm import import_osm as run

    opts = _options(fixes, exit_, drop, category, link_stairs, link_tolerance, no_infer,
                    walkway_rooms, outline_tolerance, exit_width, drop_unreachable)
    res = run(source, storey_height_m=storey_height, tolerance_m=tolerance, name=name,
              options=opts)
    header = (f"# Imported by `safemall layout import-osm` from {source.name}.\n"
              "# Data (c) OpenStreetMap contributors, ODbL 1.0. Coordinates: metres in a "
              "local transverse Mercator (see the report).\n# source_id = OSM element "
              f"(way/123, node/45); the import report is {out.stem}.import-report.txt.\n")
    _finish(res, out, header, quiet)


def export(
    path: Annotated[Path, typer.Argument(help="layout.toml or a mall folder.")],
    geojson: Annotated[Path | None, typer.Option(
        help="Write spaces (Polygons) and openings (Points) as GeoJSON, local metres.")] = None,
    graphml: Annotated[Path | None, typer.Option(
        help="Write both graphs: OUT.graphml -> OUT.space.graphml and OUT.route.graphml.")
    ] = None,
    dxf: Annotated[Path | None, typer.Option(
        help="Write a DXF (and OUT.layers.toml, the map that reads it back).")] = None,
    dxf_units: Annotated[str, typer.Option(help="DXF units: m or mm.")] = "m",
) -> None:
    """Export a layout as GeoJSON, GraphML (space and route graphs) and/or DXF."""
    from sim.io import exporters
    from sim.io.layout_files import load_layout

    if geojson is None and graphml is None and dxf is None:
        raise click.UsageError("give at least one of --geojson, --graphml, --dxf")
    if dxf_units not in ("m", "mm"):
        raise LayoutError(f"unknown value {dxf_units!r}; expected m or mm", field="--dxf-units")
    layout = load_layout(path)
    if geojson is not None:
        data = exporters.layout_to_geojson(layout)
        geojson.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                           encoding="utf-8")
        typer.echo(f"GeoJSON written to {geojson}: {len(data['features'])} features "
                   "(local metres)")
    if graphml is not None:
        sp, rp = exporters.write_graphml(layout, graphml)
        typer.echo(f"GraphML written to {sp} (space graph) and {rp} (route graph)")
    if dxf is not None:
        mp = dxf.with_name(f"{dxf.stem}.layers.toml")
        exporters.write_dxf(layout, dxf, units=dxf_units, map_out=mp)
        typer.echo(f"DXF written to {dxf} with its layer map {mp}")


_COMMANDS = (("import-dxf", import_dxf), ("import-imdf", import_imdf),
             ("import-osm", import_osm), ("export", export))


def _name_of(info: Any) -> str | None:
    for cand in (getattr(info, "name", None),
                 getattr(getattr(getattr(info, "typer_instance", None), "info", None),
                         "name", None)):
        if isinstance(cand, str):
            return cand
    return None


def _attach(group: typer.Typer) -> None:
    have = {c.name for c in group.registered_commands}
    for name, fn in _COMMANDS:
        if name not in have:
            group.command(name)(fn)


def register(app: typer.Typer) -> None:
    """Add ``import-dxf``, ``import-imdf`` and ``export`` to the ``layout`` group.

    Joins the app's ``layout`` group when it has one; otherwise registers
    :data:`sim.cli.layout_cmd.layout_app` first. Calling it twice adds nothing twice.
    """
    for g in app.registered_groups:
        if _name_of(g) == "layout" and g.typer_instance is not None:
            _attach(g.typer_instance)
            return
    layout_cmd.register(app)
    _attach(layout_cmd.layout_app)
