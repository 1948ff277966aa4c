"""GeoJSON and GraphML export, the `layout export` command and its registration."""

from __future__ import annotations

import json
import math
from pathlib import Path

import networkx as nx
import pytest
import typer

from sim.cli import import_cmd, layout_cmd
from sim.engine.graphs import build_network
from sim.io.exporters import graphml_paths, layout_to_geojson, write_graphml
from sim.io.layout_files import load_layout
from tests.unit.test_import_support import FIXTURES, run_cli

EXAMPLE = FIXTURES / "example_layout.toml"


def test_geojson_features() -> None:
    lay = load_layout(EXAMPLE)
    gj = layout_to_geojson(lay)
    assert gj["type"] == "FeatureCollection"
    assert "local metres" in gj["properties"]["coordinates"]
    assert gj["properties"]["units"] == "m"
    spaces = [f for f in gj["features"] if f["properties"]["feature"] == "space"]
    openings = [f for f in gj["features"] if f["properties"]["feature"] == "opening"]
    assert len(spaces) == len(lay.spaces) and len(openings) == len(lay.openings)
    hall = next(f for f in spaces if f["properties"]["id"] == "hall")
    ring = hall["geometry"]["coordinates"][0]
    assert hall["geometry"]["type"] == "Polygon" and ring[0] == ring[-1] and len(ring) == 5
    assert hall["properties"]["area_m2"] == 1200.0 and hall["properties"]["tags"] == \
        ["main_entrance"]
    stair = next(f for f in spaces if f["properties"]["id"] == "stair-A")
    assert stair["properties"]["levels"] == ["L1", "L2"] and stair["properties"]["length_m"] == 12
    exit_ = next(f for f in spaces if f["properties"]["kind"] == "exit")
    assert exit_["geometry"] == {"type": "Point", "coordinates": [20.0, 0.0]}
    door = next(f for f in openings if f["properties"]["id"] == "south-door")
    assert door["geometry"]["coordinates"] == [20.0, 0.0]
    assert door["properties"]["width_m"] == 2.4 and door["properties"]["is_exit"] is True
    assert door["properties"]["between"] == ["hall", "out-south"]
    json.dumps(gj)  # serialisable


def test_graphml_two_files_scalar_attributes(tmp_path: Path) -> None:
    lay = load_layout(EXAMPLE)
    sp, rp = write_graphml(lay, tmp_path / "ex.graphml")
    assert (sp.name, rp.name) == ("ex.space.graphml", "ex.route.graphml")
    assert graphml_paths(tmp_path / "plan") == (tmp_path / "plan.space.graphml",
                                                 tmp_path / "plan.route.graphml")
    net = build_network(lay)
    sg = nx.read_graphml(sp, force_multigraph=True)
    rg = nx.read_graphml(rp)
    assert sg.number_of_nodes() == net.space_graph.number_of_nodes()
    assert sg.number_of_edges() == net.space_graph.number_of_edges()
    assert rg.number_of_nodes() == net.route_graph.number_of_nodes()
    assert rg.number_of_edges() == net.route_graph.number_of_edges()
    hall = sg.nodes["hall"]
    assert hall["centroid_x"] == pytest.approx(20.0) and hall["centroid_y"] == pytest.approx(15.0)
    assert sg.nodes["stair-A"]["levels"] == "L1,L2"
    assert "centroid_x" not in sg.nodes["out-south"]          # NaN left out
    for _, d in list(sg.nodes(data=True)) + list(rg.nodes(data=True)):
        assert all(isinstance(v, str | int | float | bool) for v in d.values())
    lengths = [d["length_m"] for _, _, d in rg.edges(data=True)]
    assert all(x > 0 and math.isfinite(x) for x in lengths)
    door = rg.nodes["south-door"]
    assert door["at_x"] == 20.0 and door["opening"] == "south-door"


def test_cli_export(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    gj, gm, dx = tmp_path / "o.geojson", tmp_path / "o.graphml", tmp_path / "o.dxf"
    rc = run_cli(monkeypatch, ["layout", "export", str(EXAMPLE), "--geojson", str(gj),
                               "--graphml", str(gm), "--dxf", str(dx)])
    assert rc == 0, capsys.readouterr().err
    assert json.loads(gj.read_text())["type"] == "FeatureCollection"
    assert (tmp_path / "o.space.graphml").exists() and (tmp_path / "o.route.graphml").exists()
    assert dx.exists() and (tmp_path / "o.layers.toml").exists()
    assert run_cli(monkeypatch, ["layout", "export", str(EXAMPLE)]) == 2
    rc = run_cli(monkeypatch, ["layout", "export", str(tmp_path / "none.toml"), "--geojson",
                               str(gj)])
    assert rc == 2 and "none.toml" in capsys.readouterr().err


def _names(group: typer.Typer) -> set[str]:
    return {c.name for c in group.registered_commands if c.name}


def test_registration_joins_an_existing_layout_group() -> None:
    app = typer.Typer()
    theirs = typer.Typer(name="layout")
    app.add_typer(theirs, name="layout")
    import_cmd.register(app)
    import_cmd.register(app)                                   # idempotent
    assert len(app.registered_groups) == 1
    assert _names(theirs) == {"import-dxf", "import-imdf", "import-osm", "export"}
    assert len(theirs.registered_commands) == 4


def test_registration_before_the_layout_group() -> None:
    app = typer.Typer()
    import_cmd.register(app)                        # registers the layout group first
    layout_cmd.register(app)                        # then nothing twice
    assert [g.typer_instance for g in app.registered_groups] == [layout_cmd.layout_app]
    cmd = typer.main.get_command(app)
    assert {"validate", "info", "import-dxf", "import-imdf", "export"} <= set(
        cmd.commands["layout"].commands)  # type: ignore[attr-defined]
