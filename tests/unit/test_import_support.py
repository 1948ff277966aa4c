"""Helpers shared by the importer / exporter tests, and a check of their fixtures."""

from __future__ import annotations

from pathlib import Path

import typer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IMPORT = FIXTURES / "import"
REPO = Path(__file__).resolve().parents[2]


def run_cli(monkeypatch, argv: list[str], capsys=None) -> int:  # type: ignore[no-untyped-def]
    """Run ``safemall`` with only the import/export commands registered, on a fresh app."""
    import sim.cli.main as cli_main

    app = typer.Typer(name="safemall", no_args_is_help=True, add_completion=False,
                      pretty_exceptions_enable=False)
    monkeypatch.setattr(cli_main, "app", app)
    monkeypatch.setattr(cli_main, "_COMMAND_MODULES", ("sim.cli.import_cmd",))
    return cli_main.main(argv)


def test_fixtures_present() -> None:
    for name in ("small_mall.dxf", "defects.dxf", "layers.toml", "small_venue.imdf.zip"):
        assert (IMPORT / name).is_file(), name
