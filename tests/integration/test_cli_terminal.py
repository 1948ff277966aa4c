"""The command line as people use it: in a terminal (progress bars on), piped, and --json.

The README's first command crashed in a terminal (the progress bar formatted a total of
None) while every piped test passed; these tests run the commands under a
pseudo-terminal so that cannot happen again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.engine.metrics import METRICS
from tests.cli_harness import REPO, SAFEMALL, run_here, run_piped, run_pty

LAYOUT = REPO / "tests" / "fixtures" / "example_layout.toml"
SECURITY = REPO / "tests" / "fixtures" / "example_security.toml"
SCENARIOS = sorted((REPO / "scenarios").glob("*.toml"))


def readme_first_command() -> str:
    """The first command of the README (the first line of its first bash block)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)\n```", text, re.S)
    assert block is not None, "the README opens with a bash block"
    return block.group(1).strip()


@pytest.mark.slow
def test_readme_first_command_runs_in_a_terminal_exactly_as_written() -> None:
    cmd = readme_first_command()
    # the command a new user copies: a fresh venv, an install, the grand mall's drill
    assert cmd.endswith("safemall run scenarios/drill_grand.toml"), cmd
    r = run_pty(cmd, cwd=REPO, timeout=900)
    assert r.rc == 0, r.plain[-3000:]
    assert "Traceback" not in r.plain and "error:" not in r.plain, r.plain[-3000:]
    # the summary table and the exits table of a finished run
    assert "t_evacuation_s" in r.plain and "persons per exit" in r.plain
    occupants = re.search(r"occupants\s*│\s*([\d,]+)", r.plain)
    evacuated = re.search(r"evacuated\s*│\s*([\d,]+)", r.plain)
    assert occupants and evacuated and occupants.group(1) == evacuated.group(1)


def _tiny_scenario(tmp: Path, count: int = 200, security: bool = False) -> Path:
    p = tmp / "tiny.toml"
    sec = f'security = "{SECURITY.as_posix()}"\n' if security else ""
    p.write_text(f'schema = "safemall/scenario/1"\nlayout = "{LAYOUT.as_posix()}"\n{sec}'
                 f"seed = 4\nduration_s = 1800\n[occupants]\ncount = {count}\n"
                 '[hazard]\nkind = "drill"\nspace = "hall"\n')
    return p


def test_run_in_a_terminal_shows_progress_then_the_table(tmp_path: Path) -> None:
    replay = tmp_path / "compact.replay"
    r = run_pty([SAFEMALL, "run", "scenarios/drill_compact.toml", "--replay", str(replay)])
    assert r.rc == 0, r.plain[-3000:]
    assert "evacuating" in r.plain  # the progress bar was drawn
    assert re.search(r"[\d,]+/[\d,]+ safe", r.plain), r.plain[-3000:]
    assert "persons per exit" in r.plain and f"replay written to {replay}" in r.plain
    assert replay.stat().st_size > 0


def test_run_piped_and_json_on_a_bundled_scenario() -> None:
    piped = run_piped(["run", "scenarios/drill_compact.toml"])
    assert piped.rc == 0 and piped.err == "", piped.err
    assert "persons per exit" in piped.out and "evacuating" not in piped.out
    js = run_piped(["run", "scenarios/drill_compact.toml", "--json"])
    assert js.rc == 0 and js.err == "", js.err
    m = json.loads(js.out)
    # the same run: the table's figures are the JSON's
    assert f"{m['occupants']:,}" in piped.out or str(m["occupants"]) in piped.out
    assert m["evacuated"] + m["casualties"] + m["inside"] == m["occupants"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_bundled_scenario_prints_one_json_object(scenario: Path) -> None:
    # a twentieth of the people keeps this fast; every hazard kind and mall is covered
    r = run_here(["run", str(scenario), "--json", "--set", "occupants.scale=0.05"])
    assert r.rc == 0, r.err
    m = json.loads(r.out)
    assert m["occupants"] > 0 and m["evacuated"] + m["casualties"] + m["inside"] \
        == m["occupants"]
    # every metric a run reports is declared (options naming metrics are checked there);
    # "scenario" is the run's name that --json adds
    assert set(m) <= set(METRICS), sorted(set(m) - set(METRICS))


def test_batch_in_a_terminal_and_piped(tmp_path: Path) -> None:
    _tiny_scenario(tmp_path)
    batch = tmp_path / "b.toml"
    batch.write_text('schema = "safemall/batch/1"\nname = "tty"\nscenario = "tiny.toml"\n'
                     'replications = 3\nroot_seed = 1\n[grid]\n"occupants.count" = [50, 80]\n')
    r = run_pty([SAFEMALL, "batch", str(batch), "--workers", "1", "--db",
                 str(tmp_path / "t.db")])
    assert r.rc == 0, r.plain[-3000:]
    assert "6 runs this time (0 failed), 6/6 stored" in r.plain
    assert "runs" in r.plain and "Traceback" not in r.plain
    p = run_piped(["batch", str(batch), "--workers", "1", "--db", str(tmp_path / "p.db")])
    assert p.rc == 0 and "6 runs this time" in p.out, p.err
    rep = run_pty([SAFEMALL, "batch", "report", str(tmp_path / "t.db"), "--out",
                   str(tmp_path / "rep"), "--no-plots"])
    assert rep.rc == 0 and "tty: 2 configurations, 6 runs ok, 0 failed" in rep.plain, rep.plain


def test_adequacy_in_a_terminal(tmp_path: Path) -> None:
    scn = _tiny_scenario(tmp_path, count=60, security=True)
    r = run_pty([SAFEMALL, "adequacy", str(scn), "--vary", "security.guards", "--values",
                 "0,4", "--target", "t_evacuation_s.mean <= 3000", "--replications", "4",
                 "--workers", "1", "--db", str(tmp_path / "a.db")])
    assert r.rc == 0, r.plain[-3000:]
    assert "answer: security.guards = 0" in r.plain


def test_check_and_verify_in_a_terminal() -> None:
    r = run_pty([SAFEMALL, "check", "layouts/compact"])
    assert r.rc in (0, 1) and "Traceback" not in r.plain, r.plain[-3000:]
    assert "SM-1.3" in r.plain
    v = run_pty([SAFEMALL, "verify", "--case", "AT-11f"])
    assert v.rc == 0 and "1 passed, 0 failed" in v.plain, v.plain[-2000:]


def test_layout_commands_in_a_terminal(tmp_path: Path) -> None:
    r = run_pty([SAFEMALL, "layout", "validate", "layouts/compact"])
    assert r.rc == 0 and r.plain.startswith("ok: "), r.plain
    i = run_pty([SAFEMALL, "layout", "info", "layouts/compact"])
    assert i.rc == 0 and "Traceback" not in i.plain, i.plain


def test_an_input_error_in_a_terminal_is_one_line() -> None:
    r = run_pty([SAFEMALL, "run", "scenarios/drill_compact.toml", "--set",
                 "population.free_speed_mps=0"])
    lines = [ln for ln in r.plain.splitlines() if ln.strip()]
    assert r.rc == 2 and len(lines) == 1, r.plain
    assert lines[0] == ("error: scenarios/drill_compact.toml: population.free_speed_mps: "
                        "must be > 0, got 0")
