"""Fuzz every kind of input: bundled layouts, scenarios, security plans, batch files,
``--set`` values, batch databases, replays, DXF drawings and IMDF archives.

Each case is a valid bundled or fixture input broken by :mod:`tests.fuzz.fuzz_mutations`,
run through the real command line (:mod:`tests.fuzz.fuzz_harness`), and must either run
correctly or be refused with exit status 2 and one line, within 5 s and 2 GB. Cases are
drawn deterministically (``derandomize``), so CI runs the same ones every time;
``SAFEMALL_FUZZ_SCALE=10`` draws ten times as many.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import shutil
import sqlite3
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from tests.fuzz.fuzz_harness import REPO, WORKER, check
from tests.fuzz.fuzz_mutations import mutate_text, mutated, toml_text

pytestmark = pytest.mark.slow

SCALE = float(os.environ.get("SAFEMALL_FUZZ_SCALE", "1"))
FIXTURES = REPO / "tests" / "fixtures"
EXAMPLE_LAYOUT = tomllib.loads((FIXTURES / "example_layout.toml").read_text())
EXAMPLE_PLAN = tomllib.loads((FIXTURES / "example_security.toml").read_text())
COMPACT = REPO / "layouts" / "compact"
COMPACT_LAYOUT = tomllib.loads((COMPACT / "layout.toml").read_text())
COMPACT_PLAN = tomllib.loads((COMPACT / "security.toml").read_text())

HAZARDS: dict[str, dict[str, Any]] = {
    "drill": {"kind": "drill", "space": "hall"},
    "fire": {"kind": "fire", "space": "hall", "peak_kw": 5000.0},
    "crush": {"kind": "crush", "space": "hall", "panic_radius": 2},
    "attack": {"kind": "attack", "space": "hall", "attackers": 1},
    "explosion": {"kind": "explosion", "space": "hall", "charge_kg": 5.0},
    "hostage": {"kind": "hostage", "space": "upper"},
    "vehicle": {"kind": "vehicle"},
    "sabotage": {"kind": "sabotage", "devices": ["pa", "cctv"]},
}


def scenario(hazard: str, count: int = 100) -> dict[str, Any]:
    return {"schema": "safemall/scenario/1", "name": f"fuzz {hazard}", "layout": "layout.toml",
            "security": "security.toml", "seed": 11, "duration_s": 1800.0,
            "occupants": {"count": count},
            "population": {"free_speed_mps": {"mean": 1.2, "sd": 0.2, "min": 0.6,
                                              "max": 1.6}},
            "premovement": {"model": "lognormal", "mean_s": 30.0, "sd_s": 10.0,
                            "by_kind": {"shop": {"mean_s": 40.0, "sd_s": 10.0}}},
            "routing": {"policy": "nearest"}, "movement": {"max_cell_area_m2": 300.0},
            "hazards": [HAZARDS[hazard]]}


#: No "explain" phase: it traces every line of a failing case, which takes minutes on
#: the huge inputs this suite makes.
SETTINGS: dict[str, Any] = {
    "deadline": None, "derandomize": True, "database": None,
    "suppress_health_check": list(HealthCheck),
    "phases": [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]}


def examples(n: int) -> int:
    return max(1, round(n * SCALE))


@contextmanager
def folder() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="safemall-fuzz-"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def write_toml(path: Path, doc: Any, data: st.DataObject) -> None:
    text = toml_text(doc, tomli_w.dumps)
    assume(text is not None)
    assert text is not None
    path.write_text(mutate_text(text, data), encoding="utf-8", errors="surrogatepass")


def example_mall(d: Path, scn: dict[str, Any] | None = None) -> Path:
    """The example layout and plan in ``d``, and ``scn`` as scenario.toml (its path)."""
    (d / "layout.toml").write_text(tomli_w.dumps(EXAMPLE_LAYOUT))
    (d / "security.toml").write_text(tomli_w.dumps(EXAMPLE_PLAN))
    if scn is not None:
        (d / "scenario.toml").write_text(tomli_w.dumps(scn))
    return d / "scenario.toml"


def duration_of(doc: Any) -> float | None:
    d = doc.get("duration_s", 3600.0) if isinstance(doc, dict) else None
    return float(d) if isinstance(d, int | float) and not isinstance(d, bool) else None


# ---------------------------------------------------------------------- layouts


@settings(max_examples=examples(220), **SETTINGS)
@given(st.data())
def test_fuzz_layouts(data: st.DataObject) -> None:
    base = data.draw(st.sampled_from([EXAMPLE_LAYOUT, COMPACT_LAYOUT]), label="base")
    doc, what = mutated(base, data)
    with folder() as d:
        write_toml(d / "layout.toml", doc, data)
        check(WORKER.run(["layout", "validate", str(d / "layout.toml")], d, "layout",
                         "; ".join(what)))


# -------------------------------------------------------------------- scenarios


@settings(max_examples=examples(300), **SETTINGS)
@given(st.data())
def test_fuzz_scenarios(data: st.DataObject) -> None:
    hazard = data.draw(st.sampled_from(sorted(HAZARDS)), label="hazard")
    doc, what = mutated(scenario(hazard), data)
    with folder() as d:
        example_mall(d)
        write_toml(d / "scenario.toml", doc, data)
        o = WORKER.run(["run", str(d / "scenario.toml"), "--json"], d, "scenario",
                       f"{hazard}: " + "; ".join(what))
        check(o, duration_s=duration_of(doc))


KEYS = sorted({".".join(map(str, p)) for p in
               __import__("tests.fuzz.fuzz_mutations", fromlist=["paths"]).paths(
                   scenario("drill"))} | {"security.guards", "security.team",
                                          "security.operators", "security.disable",
                                          "security.barriers", "hazard.t_s",
                                          "geometry.widths.south-door", "geometry.closed",
                                          "premovement.explicit"})
VALUES = ["0", "-1", "nan", "inf", "-inf", "1e308", "1e-9", "true", "[]", "{}", "[1, 2]",
          "{a = 1}", '"text"', "", "2.5", "10000000", "9223372036854775807", '["south-door"]',
          '{"0" = 5.0}', "[[[[[[[[[[1]]]]]]]]]]", "abc\ndef"]


@settings(max_examples=examples(140), **SETTINGS)
@given(st.data())
def test_fuzz_set_overrides(data: st.DataObject) -> None:
    sets = data.draw(st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)),
                              min_size=1, max_size=3), label="sets")
    with folder() as d:
        argv = ["run", str(example_mall(d, scenario("drill"))), "--json"]
        for k, v in sets:
            argv += ["--set", f"{k}={v}"]
        dur = next((float(v) for k, v in reversed(sets) if k == "duration_s"
                    and v.replace(".", "").isdigit()), 1800.0)
        check(WORKER.run(argv, d, "--set", " ".join(f"{k}={v}" for k, v in sets)),
              duration_s=dur)


# --------------------------------------------------------------- security plans


@settings(max_examples=examples(150), **SETTINGS)
@given(st.data())
def test_fuzz_security_plans(data: st.DataObject) -> None:
    compact = data.draw(st.booleans(), label="compact")
    plan, what = mutated(COMPACT_PLAN if compact else EXAMPLE_PLAN, data)
    with folder() as d:
        scn = scenario("drill", count=150)
        if compact:
            scn["layout"] = str(COMPACT / "layout.toml")
            scn["hazards"] = [{"kind": "drill", "space": "L1-shop-N05"}]
        else:
            (d / "layout.toml").write_text(tomli_w.dumps(EXAMPLE_LAYOUT))
        (d / "scenario.toml").write_text(tomli_w.dumps(scn))
        write_toml(d / "security.toml", plan, data)
        o = WORKER.run(["run", str(d / "scenario.toml"), "--json"], d, "security plan",
                       "; ".join(what))
        check(o, duration_s=1800.0)


# --------------------------------------------------------------------- batches

BATCH: dict[str, Any] = {
    "schema": "safemall/batch/1", "name": "fuzz", "scenario": "scenario.toml",
    "replications": 2, "root_seed": 5, "overrides": ["occupants.count=40"],
    "grid": {"security.guards": [2, 4]},
    "configs": [{"label": "a"}, {"label": "b", "set": {"routing.policy": "quickest"}}],
}


@settings(max_examples=examples(80), **SETTINGS)
@given(st.data())
def test_fuzz_batch_files(data: st.DataObject) -> None:
    doc, what = mutated(BATCH, data)
    with folder() as d:
        example_mall(d, scenario("drill", count=40))
        write_toml(d / "batch.toml", doc, data)
        work = d / "work"
        work.mkdir()
        o = WORKER.run(["batch", str(d / "batch.toml"), "--workers", "0", "--db",
                        str(d / "b.db")], work, "batch file", "; ".join(what))
        check(o, batch=True)
        # nothing written outside the folder's results (names are identifiers)
        assert not [p for p in work.rglob("*") if p.is_file()
                    and p.parent.name != "results"], list(work.rglob("*"))


# --------------------------------------------------------------- batch databases


@pytest.fixture(scope="module")
def stored_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.cli_harness import run_here

    d = tmp_path_factory.mktemp("stored")
    example_mall(d, scenario("drill", count=40))
    (d / "batch.toml").write_text(tomli_w.dumps(BATCH))
    r = run_here(["batch", str(d / "batch.toml"), "--workers", "0", "--db", str(d / "b.db")])
    assert r.rc == 0, r.err
    return d / "b.db"


DB_VALUES = ["{bad json", "[]", "null", "", "1e999", "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]",
             '{"t_evacuation_s": "NaN"}', "-1", "x" * 10_000, None, 3.5, -7,
             '{"a": ' * 2000 + "1" + "}" * 2000]


@settings(max_examples=examples(70), **SETTINGS)
@given(st.data())
def test_fuzz_batch_databases(stored_batch: Path, data: st.DataObject) -> None:
    with folder() as d:
        db = d / "b.db"
        shutil.copy(stored_batch, db)
        con = sqlite3.connect(db)
        for _ in range(data.draw(st.integers(1, 3), label="edits")):
            table = data.draw(st.sampled_from(["runs", "configs", "batches", "meta"]),
                              label="table")
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            col = data.draw(st.sampled_from(cols), label="column")
            value = data.draw(st.sampled_from(DB_VALUES), label="value")
            with contextlib.suppress(sqlite3.Error):  # a constraint may refuse the edit
                con.execute(f"UPDATE {table} SET {col} = ?", (value,))  # noqa: S608
        con.commit()
        con.close()
        if data.draw(st.booleans(), label="truncate"):
            raw = db.read_bytes()
            db.write_bytes(raw[:data.draw(st.integers(0, len(raw)), label="cut")])
        o = WORKER.run(["batch", "report", str(db), "--no-plots", "--out", str(d / "rep")],
                       d, "batch database")
        check(o)
        o = WORKER.run(["run", "--from-batch", str(db), "1", "--json"], d,
                       "batch database")
        check(o, duration_s=1800.0)


# --------------------------------------------------------------------- replays


@pytest.fixture(scope="module")
def replay_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.cli_harness import run_here

    d = tmp_path_factory.mktemp("replay")
    r = run_here(["run", str(example_mall(d, scenario("fire", count=60))), "--replay",
                  str(d / "run.replay")])
    assert r.rc == 0, r.err
    return d / "run.replay"


@settings(max_examples=examples(110), **SETTINGS)
@given(st.data())
def test_fuzz_replays(replay_file: Path, data: st.DataObject) -> None:
    with zipfile.ZipFile(replay_file) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    header = json.loads(members["header.json"])
    how = data.draw(st.sampled_from(["header", "header", "bytes", "array", "truncate"]),
                    label="how")
    if how == "header":
        h, _ = mutated(header, data, max_mutations=2)
        try:
            members["header.json"] = json.dumps(h).encode()
        except (ValueError, RecursionError):
            assume(False)
    elif how == "array":
        name = data.draw(st.sampled_from(sorted(m for m in members if m.endswith(".npy"))),
                         label="member")
        raw = bytearray(members[name])
        at = data.draw(st.integers(0, max(0, len(raw) - 1)), label="at")
        if raw:
            raw[at] ^= 0xFF
        members[name] = bytes(raw)
    with folder() as d:
        out = d / "bad.replay"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, blob in members.items():
                z.writestr(name, blob)
        if how in ("bytes", "truncate"):
            raw = bytearray(out.read_bytes())
            at = data.draw(st.integers(0, len(raw) - 1), label="byte")
            if how == "bytes":
                raw[at] ^= data.draw(st.integers(1, 255), label="xor")
            else:
                del raw[at:]
            out.write_bytes(bytes(raw))
        check(WORKER.run(["plot", str(out), "--kind", "evacuation", "--out",
                          str(d / "fig.png")], d, "replay"))


# ------------------------------------------------------------------- importers


@settings(max_examples=examples(60), **SETTINGS)
@given(st.data())
def test_fuzz_imdf_archives(data: st.DataObject) -> None:
    src = FIXTURES / "import" / "small_venue.imdf.zip"
    with zipfile.ZipFile(src) as z:
        files = {n: json.loads(z.read(n)) for n in z.namelist()}
    name = data.draw(st.sampled_from(sorted(files)), label="file")
    files[name], what = mutated(files[name], data)
    with folder() as d:
        out = d / "venue.imdf.zip"
        with zipfile.ZipFile(out, "w") as z:
            for n, doc in files.items():
                try:
                    z.writestr(n, json.dumps(doc))
                except (ValueError, RecursionError):
                    assume(False)
        check(WORKER.run(["layout", "import-imdf", str(out), "--out",
                          str(d / "mall" / "layout.toml")], d, "IMDF",
                         f"{name}: " + "; ".join(what)))


DXF_NUMBERS = ["inf", "-inf", "nan", "1e308", "-1e308", "1e12", "0", "abc", "", "1e-320",
               "99999999999999999999"]


@settings(max_examples=examples(50), **SETTINGS)
@given(st.data())
def test_fuzz_dxf_drawings(data: st.DataObject) -> None:
    lines = (FIXTURES / "import" / "small_mall.dxf").read_text().splitlines()
    # group codes 10-39 carry coordinates: the next line is a number
    coords = [i + 1 for i in range(0, len(lines) - 1)
              if lines[i].strip().isdigit() and 10 <= int(lines[i].strip()) <= 39]
    edits = []
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        i = data.draw(st.sampled_from(coords), label="line")
        lines[i] = data.draw(st.sampled_from(DXF_NUMBERS), label="value")
        edits.append(f"line {i + 1} = {lines[i]!r}")
    text = "\n".join(lines) + "\n"
    if data.draw(st.integers(0, 4), label="cut") == 0:
        text = text[:data.draw(st.integers(0, len(text)), label="at")]
    with folder() as d:
        (d / "m.dxf").write_text(text)
        check(WORKER.run(["layout", "import-dxf", str(d / "m.dxf"), "--map",
                          str(FIXTURES / "import" / "layers.toml"), "--out",
                          str(d / "mall" / "layout.toml")], d, "DXF", "; ".join(edits)))


def test_fuzz_bases_are_valid() -> None:
    """The unbroken inputs run and evacuate everyone (so a refusal is the mutation's)."""
    with folder() as d:
        for hz in sorted(HAZARDS):
            doc = scenario(hz)
            if hz == "hostage":  # released siege_s (1200 s) after the police arrive, whose
                doc["duration_s"] = 3600.0  # response time is drawn (up to ~12 min)
            o = WORKER.run(["run", str(example_mall(d, doc)), "--json"], d, "base")
            check(o, duration_s=doc["duration_s"])
            assert o.rc == 0, o.stderr
            m = json.loads(o.stdout)
            assert m["occupants"] == 100 and (m["inside"] == 0 or hz == "sabotage"), m
    assert math.isfinite(random.random())
