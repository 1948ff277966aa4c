"""Every bad input named in issue 14, as a user would meet it on the command line.

Each one must give one line on stderr naming the file and the field, with exit status 2,
quickly; a valid one must give a correct run. Expected messages are written from the
documented bounds (docs/limits.md), not read from the code.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.cli_harness import REPO, SAFEMALL, assert_one_line_error, run_here, run_piped

FIXTURES = REPO / "tests" / "fixtures"
LAYOUT = tomllib.loads((FIXTURES / "example_layout.toml").read_text())
PLAN = tomllib.loads((FIXTURES / "example_security.toml").read_text())
SCENARIO: dict[str, Any] = {
    "schema": "safemall/scenario/1", "layout": "layout.toml", "security": "security.toml",
    "seed": 1, "duration_s": 1800, "occupants": {"count": 100},
    "hazard": {"kind": "drill", "space": "hall"},
}


def _dig(d: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for k in keys[:-1]:
        d = d[int(k)] if isinstance(d, list) else d.setdefault(k, {})
    if isinstance(d, list):
        d[int(keys[-1])] = value
    else:
        d[keys[-1]] = value


def mall(tmp: Path, *, layout: dict[str, Any] | None = None, plan: dict[str, Any] | None = None,
         scenario: dict[str, Any] | None = None) -> Path:
    """Write layout.toml, security.toml and scenario.toml in ``tmp``; the scenario's path."""
    (tmp / "layout.toml").write_text(tomli_w.dumps(layout or LAYOUT))
    (tmp / "security.toml").write_text(tomli_w.dumps(plan or PLAN))
    p = tmp / "scenario.toml"
    p.write_text(tomli_w.dumps(scenario or SCENARIO))
    return p


def changed(base: dict[str, Any], **paths: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(base))
    for k, v in paths.items():
        _dig(out, k.replace("__", "."), v)
    return out


def space(layout: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in layout["spaces"] if s["id"] == sid)


@pytest.fixture(scope="module", autouse=True)
def _warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Import the commands once, so that the times below are the work, not the imports."""
    run_here(["layout", "validate", "layouts/compact"])
    run_here(["run", str(mall(tmp_path_factory.mktemp("warm"))), "--json"])
    import viz.plots  # noqa: F401 - matplotlib's first import is slow


def quick(args: list[str], *, limit_s: float = 5.0, cwd: Path | None = None) -> Any:
    """Run in this process; a refusal must come within ``limit_s`` seconds."""
    if cwd is not None:
        cwd.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    r = run_here(args, cwd=cwd)
    assert time.perf_counter() - t0 < limit_s, f"took {time.perf_counter() - t0:.1f} s"
    return r


# --------------------------------------------------------------------------- hangs


def test_huge_rect_is_refused_at_once(tmp_path: Path) -> None:
    lay = json.loads(json.dumps(LAYOUT))
    space(lay, "upper")["rect"] = [0, 0, 1e308, 1e308]
    mall(tmp_path, layout=lay)
    r = quick(["layout", "validate", str(tmp_path / "layout.toml")], limit_s=2.5)
    assert_one_line_error(r, "layout.toml", "spaces['upper'].rect[2]", "must be <= 1e+06")


def test_square_kilometre_room_is_quick_and_ten_kilometres_refused(tmp_path: Path) -> None:
    lay = json.loads(json.dumps(LAYOUT))
    space(lay, "hall")["polygon"] = [[0, 0], [1000, 0], [1000, 1000], [0, 1000]]
    mall(tmp_path, layout=lay)
    r = quick(["layout", "validate", str(tmp_path / "layout.toml")], limit_s=5.0)
    assert r.rc == 0 and r.out.startswith("ok: "), r.err
    space(lay, "hall")["polygon"] = [[0, 0], [10_000, 0], [10_000, 10_000], [0, 10_000]]
    mall(tmp_path, layout=lay)
    r = quick(["layout", "validate", str(tmp_path / "layout.toml")], limit_s=2.5)
    assert_one_line_error(r, "spaces['hall'].polygon", "spans 10,000 m x 10,000 m",
                          "at most 5,000 m")


def test_tiny_cells_are_refused(tmp_path: Path) -> None:
    scn = mall(tmp_path)
    r = quick(["run", str(scn), "--set", "movement.max_cell_area_m2=1e-3"], limit_s=3.0)
    assert_one_line_error(r, "scenario.toml", "movement.max_cell_area_m2", "must be >= 1")
    # allowed limits that would cut a space into too many cells: refused before cutting
    lay = json.loads(json.dumps(LAYOUT))
    space(lay, "hall")["polygon"] = [[0, 0], [1000, 0], [1000, 1000], [0, 1000]]
    scn = mall(tmp_path, layout=lay)
    r = quick(["run", str(scn), "--set", "movement.max_cell_area_m2=1", "--set",
               "movement.max_cell_length_m=1"], limit_s=3.0)
    assert_one_line_error(r, "layout.toml", "spaces['hall']", "1,000,000 cells",
                          "10,000 accepted per space")


def test_panic_radius(tmp_path: Path) -> None:
    scn = mall(tmp_path, scenario=changed(SCENARIO, hazard={"kind": "crush", "space": "hall"}))
    r = quick(["run", str(scn), "--set", "hazards.0.panic_radius=1e9"])
    assert_one_line_error(r, "hazards[0].panic_radius",
                          "expected a whole number, got 1000000000.0 (float)")
    r = quick(["run", str(scn), "--set", "hazards.0.panic_radius=1000000000"])
    assert_one_line_error(r, "hazards[0].panic_radius", "must be <= 1000")
    # the largest radius is a correct run: the zone stops growing with the building
    r = quick(["run", str(scn), "--json", "--set", "hazards.0.panic_radius=1000"], limit_s=20)
    assert r.rc == 0, r.err
    m = json.loads(r.out)
    assert m["evacuated"] + m["casualties"] == m["occupants"] == 100


@pytest.mark.parametrize(("hazard", "key"), [
    ({"kind": "fire", "space": "hall"}, "hazards.0.step_s"),
    ({"kind": "crush", "space": "hall"}, "hazards.0.sample_s"),
    ({"kind": "drill", "space": "hall"}, "movement.deadlock_check_s"),
    ({"kind": "drill", "space": "hall"}, "output.sample_dt_s"),
])
def test_time_steps_have_a_floor(tmp_path: Path, hazard: dict[str, Any], key: str) -> None:
    scn = mall(tmp_path, scenario=changed(SCENARIO, hazard=hazard))
    r = quick(["run", str(scn), "--set", f"{key}=1e-6"])
    field = key.replace("hazards.0", "hazards[0]")
    floor = "1" if "deadlock" in key else "0.1"
    assert_one_line_error(r, "scenario.toml", field, f"must be >= {floor}, got 1e-06")


def test_validating_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "layout.fifo"
    os.mkfifo(fifo)
    r = quick(["layout", "validate", str(fifo)], limit_s=3.0)
    assert_one_line_error(r, str(fifo), "is a FIFO, not a file")


def test_ten_million_guards(tmp_path: Path) -> None:
    scn = mall(tmp_path)
    r = quick(["run", str(scn), "--set", "security.guards=10000000"])
    assert_one_line_error(r, "security.guards", "from 0 to 10,000", "10000000")
    for count, why in ((1e7, "expected a whole number, got 10000000.0"),
                       (10_000_000, "must be <= 10000")):
        plan = json.loads(json.dumps(PLAN))
        plan["guards"]["posts"][0]["count"] = count
        mall(tmp_path, plan=plan)
        r = quick(["run", str(scn)])
        assert_one_line_error(r, "security.toml", "guards.posts['door'].count", why)


# ------------------------------------------------------------------- tracebacks


def test_nan_elevation(tmp_path: Path) -> None:
    mall(tmp_path, layout=changed(LAYOUT, levels__0__elevation_m=math.nan))
    r = quick(["layout", "validate", str(tmp_path / "layout.toml")])
    assert_one_line_error(r, "levels['L1'].elevation_m", "must be a finite number, got nan")


def test_inf_in_a_rect(tmp_path: Path) -> None:
    lay = json.loads(json.dumps(LAYOUT))
    space(lay, "upper")["rect"] = [0, 0, math.inf, 4]
    mall(tmp_path, layout=lay)
    r = quick(["layout", "validate", str(tmp_path / "layout.toml")])
    assert_one_line_error(r, "spaces['upper'].rect[2]", "must be a finite number, got inf")


@pytest.mark.parametrize(("override", "field", "why"), [
    ("occupants.scale=inf", "occupants.scale", "must be a finite number, got inf"),
    ("population.groups={under30=1.0, over50=-0.5}", "population.groups.over50",
     "must be >= 0, got -0.5"),
    ('premovement.explicit={"0"=-5.0}', "premovement.explicit.0", "must be >= 0, got -5.0"),
    ("geometry.widths={south-door=inf}", "geometry.widths.south-door",
     "must be a finite number, got inf"),
    ("security.operators=nan", "security.operators", "must be a whole number"),
    ("population.free_speed_mps={mean=1.2, sd=-0.1}", "population.free_speed_mps.sd",
     "must be >= 0, got -0.1"),
])
def test_overrides_that_gave_tracebacks(tmp_path: Path, override: str, field: str,
                                        why: str) -> None:
    r = quick(["run", str(mall(tmp_path)), "--set", override])
    assert_one_line_error(r, "scenario.toml", f": {field}: ", why)


def test_negative_seed(tmp_path: Path) -> None:
    r = quick(["run", str(mall(tmp_path)), "--seed", "-1"])
    assert_one_line_error(r, "--seed", "must be from 0 to 2**63 - 1, got -1")


def test_toml_nested_a_hundred_thousand_deep(tmp_path: Path) -> None:
    p = tmp_path / "deep.toml"
    p.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    r = quick(["layout", "validate", str(p)])
    assert_one_line_error(r, "deep.toml", "nest too deeply")
    r = quick(["run", str(mall(tmp_path)), "--set", "seed=" + "[" * 5000 + "]" * 5000])
    assert_one_line_error(r, "seed", "nests too deeply")


def test_dev_zero_and_long_and_nul_file_names(tmp_path: Path) -> None:
    r = quick(["layout", "validate", "/dev/zero"], limit_s=2.5)
    assert_one_line_error(r, "/dev/zero", "is a character device, not a file")
    long_name = str(tmp_path / ("x" * 300))
    r = quick(["layout", "validate", long_name])
    assert_one_line_error(r, "File name too long")
    r = quick(["layout", "validate", "lay\x00out.toml"])
    assert_one_line_error(r, "safemall layout validate", "'path'", "embedded null byte")
    scn = mall(tmp_path, scenario=changed(SCENARIO, layout="lay\x00out.toml"))
    r = quick(["run", str(scn)])
    assert_one_line_error(r, "scenario.toml: layout: the path contains a NUL byte")


def _tiny_batch(tmp: Path, name: str = "tiny", reps: int = 2, extra: str = "") -> Path:
    mall(tmp)
    b = tmp / "batch.toml"
    b.write_text(f'schema = "safemall/batch/1"\nname = "{name}"\nscenario = "scenario.toml"\n'
                 f"replications = {reps}\nroot_seed = 7\n{extra}")
    return b


def test_tampered_batch_database(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    r = run_here(["batch", str(_tiny_batch(tmp_path)), "--workers", "0", "--db", str(db)])
    assert r.rc == 0, r.err
    con = sqlite3.connect(db)
    con.execute("UPDATE runs SET metrics_json = '{bad json' WHERE id = 1")
    con.commit()
    con.close()
    r = quick(["batch", "report", str(db), "--out", str(tmp_path / "rep"), "--no-plots"])
    assert_one_line_error(r, "t.db", "damaged batch database", "runs[1].metrics_json")
    r = quick(["run", "--from-batch", str(db), "1"])
    assert_one_line_error(r, "t.db", "runs[1].metrics_json is not valid JSON")
    con = sqlite3.connect(db)
    con.execute("UPDATE runs SET metrics_json = '{}'")
    con.execute("UPDATE configs SET overrides_json = '[1, 2'")
    con.commit()
    con.close()
    r = quick(["run", "--from-batch", str(db), "2"])
    assert_one_line_error(r, "t.db", "configs.overrides_json is not valid JSON")


def _replay(tmp: Path) -> Path:
    out = tmp / "run.replay"
    r = run_here(["run", str(mall(tmp)), "--replay", str(out)])
    assert r.rc == 0, r.err
    return out


def _rewrite_header(src: Path, dst: Path, **changes: Any) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "header.json":
                h = json.loads(data)
                h.update(changes)
                data = json.dumps(h).encode()
            zout.writestr(info, data)


def test_replay_with_an_absurd_waypoint_count(tmp_path: Path) -> None:
    bad = tmp_path / "bad.replay"
    _rewrite_header(_replay(tmp_path), bad, n_waypoints=10**15)
    r = quick(["plot", str(bad), "--out", str(tmp_path / "f.png")], limit_s=3.0)
    assert_one_line_error(r, "bad.replay", "header.json.n_waypoints", "must be from 0 to")
    _rewrite_header(_replay(tmp_path), bad, n_waypoints=400_000_000)
    r = quick(["plot", str(bad), "--out", str(tmp_path / "f.png")], limit_s=3.0)
    assert_one_line_error(r, "bad.replay", "waypoints/", "expected")


def test_last_resort_handler_is_one_line_and_debug_shows_the_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.io.layout_files as lf

    def boom(path: Any) -> Any:
        raise RuntimeError("something nobody foresaw\nsecond line")

    monkeypatch.setattr(lf, "load_layout", boom)
    r = run_here(["layout", "validate", "layouts/compact"])
    assert r.rc == 3
    lines = r.error_lines
    assert len(lines) == 1 and lines[0].startswith("error: internal error (RuntimeError: "
                                                   "something nobody foresaw\\nsecond line)")
    assert "rerun with --debug" in lines[0]
    with pytest.raises(RuntimeError, match="nobody foresaw"):
        run_here(["layout", "validate", "layouts/compact", "--debug"])


# ------------------------------------------------------------ silently wrong


@pytest.mark.parametrize(("value", "why"), [
    ("0", "must be > 0, got 0"), ("-1.0", "must be > 0, got -1.0"),
    ("nan", "must be a finite number, got nan"), ("-inf", "must be a finite number, got -inf"),
    ("inf", "must be a finite number, got inf"), ("11", "must be <= 10, got 11"),
])
def test_free_speeds_that_strand_people(tmp_path: Path, value: str, why: str) -> None:
    r = quick(["run", str(mall(tmp_path)), "--set", f"population.free_speed_mps={value}"])
    assert_one_line_error(r, "population.free_speed_mps", why)


def test_min_above_max(tmp_path: Path) -> None:
    scn = mall(tmp_path)
    r = quick(["run", str(scn), "--set",
               "population.free_speed_mps={mean=1.2, sd=0.2, min=2.0, max=1.0}"])
    assert_one_line_error(r, "population.free_speed_mps", "min 2 is above max 1")
    r = quick(["run", str(scn), "--set", "premovement.min_s=100", "--set",
               "premovement.max_s=10"])
    assert_one_line_error(r, "premovement", "min_s 100 is above max_s 10")
    r = quick(["run", str(scn), "--set", "premovement.by_kind.shop={min_s=9.0, max_s=1.0}"])
    assert_one_line_error(r, "premovement.by_kind.shop", "min_s 9 is above max_s 1")


@pytest.mark.parametrize(("where", "edit", "field"), [
    ("layout", ("openings", "south-door", "width_m"), "openings['south-door'].width_m"),
    ("layout", ("spaces", "stair-A", "length_m"), "spaces['stair-A'].length_m"),
    ("layout", ("spaces", "stair-A", "riser_mm"), "spaces['stair-A'].riser_mm"),
    ("plan", ("guards", None, "speed_mps"), "guards.speed_mps"),
])
def test_inf_no_longer_passes_positive_checks(tmp_path: Path, where: str,
                                              edit: tuple[str, str | None, str],
                                              field: str) -> None:
    lay, plan = json.loads(json.dumps(LAYOUT)), json.loads(json.dumps(PLAN))
    table, eid, key = edit
    doc = lay if where == "layout" else plan
    target = doc[table] if eid is None else next(x for x in doc[table] if x["id"] == eid)
    target[key] = math.inf
    scn = mall(tmp_path, layout=lay, plan=plan)
    r = quick(["run", str(scn)])
    assert_one_line_error(r, f"{where if where == 'layout' else 'security'}.toml", field,
                          "must be a finite number, got inf")


@pytest.mark.parametrize(("override", "field"), [
    ("hazards.0.peak_kw=inf", "hazards[0].peak_kw"),
    ("hazards.0.t_s=inf", "hazards[0].t_s"),
    ("duration_s=inf", "duration_s"),
    ("population.stair_speed_up_mps=inf", "population.stair_speed_up_mps"),
])
def test_inf_in_scenarios(tmp_path: Path, override: str, field: str) -> None:
    scn = mall(tmp_path, scenario=changed(SCENARIO, hazard={"kind": "fire", "space": "hall"}))
    r = quick(["run", str(scn), "--set", override])
    assert_one_line_error(r, "scenario.toml", field, "must be a finite number, got inf")


def test_booleans_are_not_numbers(tmp_path: Path) -> None:
    lay = json.loads(json.dumps(LAYOUT))
    next(o for o in lay["openings"] if o["id"] == "south-door")["width_m"] = True
    mall(tmp_path, layout=lay)
    r = quick(["layout", "validate", str(tmp_path / "layout.toml")])
    assert_one_line_error(r, "openings['south-door'].width_m",
                          "expected a number, got true (a boolean)")
    r = quick(["run", str(mall(tmp_path)), "--set", "duration_s=true"])
    assert_one_line_error(r, "duration_s", "expected a number, got true (a boolean)")
    r = quick(["run", str(mall(tmp_path)), "--set", "occupants.count=true"])
    assert_one_line_error(r, "occupants.count", "expected a whole number, got true")


def test_explicit_delays_nan_and_missing_people(tmp_path: Path) -> None:
    scn = mall(tmp_path)
    r = quick(["run", str(scn), "--set", 'premovement.explicit={"3"=nan}'])
    assert_one_line_error(r, "premovement.explicit.3", "must be a finite number, got nan")
    r = quick(["run", str(scn), "--set", 'premovement.explicit={"100"=5.0}'])
    assert_one_line_error(r, "premovement.explicit.100", "occupant 100 does not exist",
                          "indices 0 to 99")
    r = quick(["run", str(scn), "--set", 'premovement.explicit={"x"=5.0}'])
    assert_one_line_error(r, "premovement", "'x' is not an occupant index")
    # the last person exists: a correct run in which person 99 starts at 500 s
    r = quick(["run", str(scn), "--json", "--set", 'premovement.explicit={"99"=500.0}'],
              limit_s=20)
    m = json.loads(r.out)
    assert r.rc == 0 and m["evacuated"] == 100 and m["t_evacuation_s"] > 500


def test_duplicate_ids_in_a_plan(tmp_path: Path) -> None:
    plan = json.loads(json.dumps(PLAN))
    plan["guards"]["posts"].append(dict(plan["guards"]["posts"][0]))
    mall(tmp_path, plan=plan)
    r = quick(["run", str(tmp_path / "scenario.toml")])
    assert_one_line_error(r, "security.toml", "guards.posts", "duplicate id 'door'")
    plan = json.loads(json.dumps(PLAN))
    plan["cctv"]["cameras"].append(dict(plan["cctv"]["cameras"][0]))
    mall(tmp_path, plan=plan)
    r = quick(["run", str(tmp_path / "scenario.toml")])
    assert_one_line_error(r, "security.toml", "cctv.cameras", "duplicate id 'c1'")


def test_batch_report_refuses_a_foreign_database(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    con.execute("INSERT INTO notes (text) VALUES ('mine')")
    con.commit()
    con.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    r = quick(["batch", "report", str(db), "--out", str(tmp_path / "rep")])
    assert_one_line_error(r, "other.db", "not a SafeMall batch database")
    r = quick(["batch", str(_tiny_batch(tmp_path)), "--workers", "0", "--db", str(db)])
    assert_one_line_error(r, "other.db", "not a SafeMall batch database")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.glob("other.db*")) == ["other.db"]
    text = tmp_path / "notes.txt"
    text.write_text("plain text")
    r = quick(["batch", "report", str(text)])
    assert_one_line_error(r, "notes.txt", "not a SafeMall batch database")
    assert text.read_text() == "plain text"


def test_batch_report_opens_the_database_read_only(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    assert run_here(["batch", str(_tiny_batch(tmp_path)), "--workers", "0", "--db",
                     str(db)]).rc == 0
    os.chmod(db, 0o444)
    try:
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        r = run_here(["batch", "report", str(db), "--out", str(tmp_path / "rep"),
                      "--no-plots"])
        assert r.rc == 0, r.err
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    finally:
        os.chmod(db, 0o644)


# ------------------------------------------------------------- files, processes


@pytest.mark.parametrize("name", ["../../outside/pwned", "/abs/pwned", "a/b", ".hidden",
                                  "x..y"])
def test_batch_names_are_identifiers(tmp_path: Path, name: str) -> None:
    if name.startswith("/"):
        name = str(tmp_path / "abs" / "pwned")
    r = quick(["batch", str(_tiny_batch(tmp_path, name=name)), "--workers", "0"],
              cwd=tmp_path / "work")
    assert_one_line_error(r, "batch.toml", "name", "is not a batch name")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "batch.toml", "layout.toml", "scenario.toml", "security.toml", "work"]
    assert not any((tmp_path / "work").iterdir())


def test_default_database_lives_under_results(tmp_path: Path) -> None:
    b = _tiny_batch(tmp_path, name="my-batch.v2")
    r = run_here(["batch", str(b), "--workers", "0"], cwd=tmp_path)
    assert r.rc == 0, r.err
    assert (tmp_path / "results" / "my-batch.v2.db").is_file()


def test_keys_with_a_newline_make_one_line(tmp_path: Path) -> None:
    r = quick(["run", str(mall(tmp_path)), "--set", "occupants.co\nunt=5"])
    line = assert_one_line_error(r, "occupants.co\\nunt")
    assert "\n" not in line


def test_doc_examples_of_overrides_run(tmp_path: Path) -> None:
    # docs/scenario-format.md: a density scenario takes --set occupants.count
    r = run_here(["run", "scenarios/drill_compact.toml", "--json", "--set",
                  "occupants.count=500", "--set", "routing.policy=quickest"], cwd=REPO)
    assert r.rc == 0, r.err
    assert json.loads(r.out)["occupants"] == 500


# ------------------------------------------------------------ options up front


def test_adequacy_checks_vary_and_targets_before_running(tmp_path: Path) -> None:
    scn = mall(tmp_path)
    db = tmp_path / "a.db"
    base = ["adequacy", str(scn), "--values", "0,4", "--workers", "0", "--db", str(db)]
    r = quick([*base, "--vary", "security.gaurds", "--target",
               "t_evacuation_s.mean <= 300"])
    assert_one_line_error(r, "--values[0] (security.gaurds=0)", "security.gaurds",
                          "unknown key")
    r = quick([*base, "--vary", "security.guards", "--target",
               "t_first_responder.p95 <= 180"])
    assert_one_line_error(r, "--target", "'t_first_responder'",
                          "did you mean t_first_responder_s")
    assert not db.exists()


def test_report_metric_and_verify_case_are_checked(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    assert run_here(["batch", str(_tiny_batch(tmp_path)), "--workers", "0", "--db",
                     str(db)]).rc == 0
    out = tmp_path / "rep"
    r = quick(["batch", "report", str(db), "--metric", "attack_victim", "--out", str(out)])
    assert_one_line_error(r, "--metric", "'attack_victim'", "did you mean attack_victims")
    r = quick(["batch", "report", str(db), "--metric", "attack_victims", "--out", str(out)])
    assert_one_line_error(r, "m.db", "--metric", "no stored run reports metric "
                          "'attack_victims'")
    assert not out.exists()
    r = quick(["verify", "--case", "nonexistent"])
    assert_one_line_error(r, "--case", "unknown verification case 'nonexistent'")


def test_first_failing_run_stops_the_batch_unless_keep_going(tmp_path: Path) -> None:
    # person 500 does not exist in a run of 100: found when the run places people
    b = _tiny_batch(tmp_path, extra='overrides = [\'premovement.explicit={"500"=1.0}\']\n')
    r = run_here(["batch", str(b), "--workers", "0", "--db", str(tmp_path / "f.db")])
    assert r.rc == 2 and "Traceback" not in r.err
    last = r.error_lines[-1]  # after the batch's header: the run's error, one line
    for part in ("f.db", "of configuration 0 failed", "ScenarioError",
                 "premovement.explicit.500", "occupant 500 does not exist", "--keep-going"):
        assert part in last, last
    r = run_here(["batch", str(b), "--workers", "0", "--db", str(tmp_path / "g.db"),
                  "--keep-going"])
    assert r.rc == 0 and "2 runs this time (2 failed)" in r.out, r.err


# ------------------------------------------------------------- DXF and IMDF


def _dxf(path: Path, mutate: Any = None, insunits: int = 6) -> None:
    import ezdxf

    doc = ezdxf.new("R2018")
    doc.header["$INSUNITS"] = insunits
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (20, 0), (20, 4), (0, 4)], close=True,
                       dxfattribs={"layer": "CORR"})
    msp.add_lwpolyline([(0, 4), (10, 4), (10, 10), (0, 10)], close=True,
                       dxfattribs={"layer": "SHOP"})
    msp.add_line((4, 4), (5.2, 4), dxfattribs={"layer": "DOOR"})
    msp.add_line((0, 1), (0, 3), dxfattribs={"layer": "EXIT"})
    if mutate is not None:
        mutate(doc, msp)
    doc.saveas(path)


DXF_MAP = ('schema = "safemall/dxf-map/1"\n[layers]\nCORR = "corridor"\nSHOP = "shop"\n'
           'DOOR = "door"\nEXIT = "exit_door"\n')


def _import_dxf(tmp: Path, name: str, mutate: Any = None, insunits: int = 6) -> Any:
    (tmp / "map.toml").write_text(DXF_MAP)
    _dxf(tmp / f"{name}.dxf", mutate, insunits)
    return run_piped(["layout", "import-dxf", str(tmp / f"{name}.dxf"), "--map",
                      str(tmp / "map.toml"), "--out", str(tmp / name / "layout.toml")])


def test_dxf_with_an_infinite_vertex(tmp_path: Path) -> None:
    r = _import_dxf(tmp_path, "inf", lambda d, m: m.add_lwpolyline(
        [(30, 0), (math.inf, 0), (40, 4), (30, 4)], close=True, dxfattribs={"layer": "SHOP"}))
    assert r.rc == 0 and r.err == "", r.err  # the rest imports; nothing on stderr
    assert "implausible-geometry" in r.out and "not a finite number; skipped" in r.out


def test_dxf_with_a_self_inserting_block(tmp_path: Path) -> None:
    def loop(doc: Any, msp: Any) -> None:
        blk = doc.blocks.new("LOOP")
        blk.add_line((0, 0), (1, 0))
        blk.add_blockref("LOOP", (1, 0))
        msp.add_blockref("LOOP", (5, 5), dxfattribs={"layer": "SHOP"})
        msp.add_blockref("LOOP", (6, 4), dxfattribs={"layer": "DOOR"})

    r = _import_dxf(tmp_path, "loop", loop)
    assert r.rc == 0 and r.err == "", r.err
    assert r.out.count("cyclic-block") == 2 and "'LOOP' inserts itself" in r.out


def test_truncated_dxf(tmp_path: Path) -> None:
    _dxf(tmp_path / "ok.dxf")
    data = (tmp_path / "ok.dxf").read_bytes()
    (tmp_path / "cut.dxf").write_bytes(data[:len(data) // 2])
    (tmp_path / "map.toml").write_text(DXF_MAP)
    r = run_piped(["layout", "import-dxf", str(tmp_path / "cut.dxf"), "--map",
                   str(tmp_path / "map.toml"), "--out", str(tmp_path / "o" / "layout.toml")])
    assert_one_line_error(r, "cut.dxf", "not a readable DXF")


def test_dxf_door_of_two_million_kilometres(tmp_path: Path) -> None:
    # drawn in mm: a door 2e12 mm long would be a 2,000,000 km opening
    def huge(doc: Any, msp: Any) -> None:
        msp.add_line((4000, 4000), (4000 + 2e12, 4000), dxfattribs={"layer": "DOOR"})

    def mm(doc: Any, msp: Any) -> None:  # the same plan drawn in millimetres
        for e in msp:
            e.scale_uniform(1000)
        huge(doc, msp)

    r = _import_dxf(tmp_path, "door", mm, insunits=4)
    assert r.err == "" or r.rc == 2
    assert "implausible-geometry" in r.out and "door: a coordinate is more than 1,000,000 m" \
        in r.out
    # a door 60 m wide (within the plan's extent) is too wide for any opening
    def wide(doc: Any, msp: Any) -> None:
        msp.add_line((0, 10), (60, 10), dxfattribs={"layer": "DOOR"})

    r = _import_dxf(tmp_path, "wide", wide)
    assert "door: 60.0 m wide, more than the 50 m an opening may be" in r.out


def _imdf(tmp: Path, name: str, mutate: Any) -> Path:
    src = FIXTURES / "import" / "small_venue.imdf.zip"
    out = tmp / f"{name}.imdf.zip"
    with zipfile.ZipFile(src) as z:
        files = {n: json.loads(z.read(n)) for n in z.namelist()}
    mutate(files)
    with zipfile.ZipFile(out, "w") as z:
        for n, d in files.items():
            z.writestr(n, json.dumps(d))
    return out


def test_imdf_with_nan_and_inf_coordinates(tmp_path: Path) -> None:
    def nan_unit(files: dict[str, Any]) -> None:
        files["unit.geojson"]["features"][0]["geometry"]["coordinates"][0][1] = \
            [math.nan, math.inf]

    p = _imdf(tmp_path, "nan", nan_unit)
    r = run_piped(["layout", "import-imdf", str(p), "--out", str(tmp_path / "n" / "l.toml")])
    assert "Warning" not in r.err and len(r.error_lines) <= 1, r.err
    assert "implausible-geometry" in r.out and "unit feature: a coordinate is not a finite " \
        "number" in r.out
    assert "numeric-warning" in r.out  # shapely's RuntimeWarning, in the report


def test_imdf_level_ordinal_of_a_billion(tmp_path: Path) -> None:
    def high(files: dict[str, Any]) -> None:
        files["level.geojson"]["features"][1]["properties"]["ordinal"] = 1_000_000_000

    p = _imdf(tmp_path, "ord", high)
    r = run_piped(["layout", "import-imdf", str(p), "--out", str(tmp_path / "o" / "l.toml")])
    assert r.rc == 0 and r.err == "", r.err
    assert "ordinal 1000000000 is beyond ±200 storeys" in r.out
    lay = tomllib.loads((tmp_path / "o" / "l.toml").read_text())
    assert max(abs(lv["elevation_m"]) for lv in lay["levels"]) <= 1000


# -------------------------------------------------------------- batch processes


def _spin_batch(tmp: Path, reps: int) -> Path:
    mall(tmp, scenario=changed(SCENARIO, occupants={"count": 1500}))
    b = tmp / "spin.toml"
    b.write_text('schema = "safemall/batch/1"\nname = "spin"\nscenario = "scenario.toml"\n'
                 f"replications = {reps}\nroot_seed = 3\n")
    return b


def test_killing_the_runner_leaves_no_process_behind(tmp_path: Path) -> None:
    import psutil

    b = _spin_batch(tmp_path, reps=400)
    proc = subprocess.Popen([SAFEMALL, "batch", str(b), "--workers", "2", "--db",
                             str(tmp_path / "k.db")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    family: list[psutil.Process] = []
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            kids = psutil.Process(proc.pid).children(recursive=True)
            workers = [k for k in kids if "forkserver" in " ".join(k.cmdline())]
            if len(workers) >= 3:  # the forkserver and two workers are up
                family = kids
                break
            time.sleep(0.1)
        assert family, "the batch did not start its workers"
        time.sleep(1.0)
        proc.kill()
        proc.wait(timeout=10)
        _, alive = psutil.wait_procs(family, timeout=10)
        assert not alive, f"left running: {[p.cmdline()[:3] for p in alive]}"
    finally:
        for p in family:
            if p.is_running():
                p.kill()


def test_two_resuming_runners_share_the_work(tmp_path: Path) -> None:
    """Two ``--resume`` sessions at once on one database both finish, every run stored once
    (that each run is also *computed* once is the thread test below)."""
    b = _spin_batch(tmp_path, reps=16)
    db = tmp_path / "s.db"
    cmd = [SAFEMALL, "batch", str(b), "--workers", "1", "--db", str(db), "--resume"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    ran = [int(out.split(" runs this time")[0].rsplit(" ", 1)[-1]) for out, _ in outs]
    assert sum(ran) == 16, ran  # each run stored by one of the two
    con = sqlite3.connect(db)
    rows = con.execute("SELECT config_id, rep, COUNT(*) FROM runs GROUP BY config_id, rep")
    assert sorted((r[1], r[2]) for r in rows) == [(k, 1) for k in range(16)]
    assert con.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0
    con.close()


def test_claims_make_concurrent_runners_compute_each_run_once(tmp_path: Path) -> None:
    """Two runners in threads, each with its own connection: every run is computed once."""
    import threading

    from sim.batch.executors import InlinePool
    from sim.batch.runner import run_batch
    from sim.batch.spec import load_batch
    from sim.batch.store import Store

    spec = load_batch(_spin_batch(tmp_path, reps=12))
    computed: list[tuple[int, int]] = []

    class Counting(InlinePool):
        def submit(self, task: Any) -> Any:
            computed.append((task.config_id, task.rep))
            return super().submit(task)

    errors: list[BaseException] = []

    def runner() -> None:
        try:
            with Store(tmp_path / "c.db") as st:
                run_batch(spec, st, Counting(), resume=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert sorted(computed) == sorted(set(computed)) and len(computed) == 12


def test_sys_executable_is_the_test_environment() -> None:
    assert Path(SAFEMALL).exists(), sys.executable
