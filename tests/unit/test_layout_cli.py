"""``safemall layout validate|show|info|generate`` and ``viz.plan.draw_plan``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from sim.cli import layout_cmd
from sim.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "fixtures" / "example_layout.toml"
COMPACT = ROOT / "layouts" / "compact" / "layout.toml"

#: Runs the real entry point; registers the layout group even if ``sim.cli.main`` does
#: not list it yet (``register`` is idempotent).
_RUNNER = ("import sys; from sim.cli import layout_cmd, main; main._register(); "
           "layout_cmd.register(main.app); sys.exit(main.main(sys.argv[1:]))")


def run(*args: str | Path) -> int:
    cli_main._register()
    layout_cmd.register(cli_main.app)
    return cli_main.main([str(a) for a in args])


def bad_layout(tmp_path: Path) -> Path:
    p = tmp_path / "bad.toml"
    p.write_text(tomli_w.dumps({
        "schema": "safemall/layout/1", "mall": {"name": "Bad"},
        "levels": [{"id": "L1", "elevation_m": 0.0}],
        "spaces": [{"id": "hall", "level": "L1", "kind": "atrium", "rect": [0, 0, 10, 10]},
                   {"id": "out", "level": "L1", "kind": "exit"}],
        "openings": [{"id": "d", "between": ["hall", "out"], "width_m": 0, "at": [5, 0]}]}),
        encoding="utf-8")
    return p


def test_validate_ok_with_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("layout", "validate", EXAMPLE) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ok: 2 levels, 4 spaces, 3 openings"
    assert out[1:] and all(line.startswith("warning: ") for line in out[1:])
    assert any("[GB 50016 5.5.8]" in line for line in out)


def test_validate_strict_fails_on_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("layout", "validate", "--strict", EXAMPLE) == 1
    assert run("layout", "validate", "--strict", COMPACT.parent) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "ok: 1 level, 71 spaces, 79 openings"


def test_validate_bad_input_exits_2_with_one_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run("layout", "validate", bad_layout(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: ") and "bad.toml: openings['d'].width_m: must be > 0" in err


def test_validate_bad_input_in_a_subprocess(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _RUNNER, "layout", "validate",
                           str(bad_layout(tmp_path))], capture_output=True, text=True,
                          cwd=ROOT, check=False, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "openings['d'].width_m" in proc.stderr


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("layout", "info", tmp_path / "nope.toml") == 2
    assert "nope.toml: cannot read file" in capsys.readouterr().err


def test_show_writes_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.png"
    assert run("layout", "show", EXAMPLE, "--out", out, "--routes") == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {out}" in capsys.readouterr().out


def test_show_one_level_of_a_bundled_mall(tmp_path: Path) -> None:
    out = tmp_path / "l2.png"
    assert run("layout", "show", ROOT / "layouts" / "riverside", "--out", out,
               "--level", "L2") == 0
    assert out.stat().st_size > 10_000


def test_show_unknown_level_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("layout", "show", EXAMPLE, "--out", tmp_path / "x.png", "--level", "L9") == 2
    err = capsys.readouterr().err
    assert "--level: unknown level 'L9'" in err and err.count("\n") == 1


def test_info_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("layout", "info", COMPACT) == 0
    out = capsys.readouterr().out
    for text in ("Compact Mall", "Levels", "Spaces by kind", "sales area derived",
                 "total exterior door width at grade", "GB 50016 required width at grade",
                 "design occupancy (high density)", "cells (default split)", "meets"):
        assert text in out, text


def test_info_low_density_and_bad_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("layout", "info", EXAMPLE, "--density", "low") == 0
    assert "0.43" in capsys.readouterr().out
    assert run("layout", "info", EXAMPLE, "--density", "medium") == 2
    assert "--density: must be high or low" in capsys.readouterr().err


def test_generate_writes_layout_and_placeholder(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert run("layout", "generate", "compact", "--out", tmp_path / "c") == 0
    assert (tmp_path / "c" / "layout.toml").read_text(encoding="utf-8") == \
        COMPACT.read_text(encoding="utf-8")
    assert (tmp_path / "c" / "security.toml").exists()
    assert run("layout", "generate", "nowhere", "--out", tmp_path / "n") == 2
    assert "unknown mall 'nowhere'" in capsys.readouterr().err


def test_draw_plan_api_highlights_and_single_axes() -> None:
    from matplotlib.figure import Figure

    from sim.engine.graphs import build_network
    from sim.io.layout_files import load_layout
    from viz.plan import draw_plan

    lay = load_layout(EXAMPLE)
    fig = draw_plan(lay, build_network(lay), levels=["L1"], highlight_spaces=["hall"],
                    highlight_openings=["south-door"])
    assert isinstance(fig, Figure) and fig.axes[0].get_title().startswith("L1")
    assert fig._suptitle is not None and fig._suptitle.get_text() == "Example"
    one = draw_plan(lay, ax_per_level=False)
    assert len([ax for ax in one.axes if ax.get_visible()]) == 1
