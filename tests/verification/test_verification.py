"""The published verification cases (the same as ``safemall verify``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sim.analysis.verification import all_cases
from sim.analysis.verification import published as pub

CASES = all_cases()


@pytest.mark.parametrize("case_id", list(CASES))
def test_case(case_id):
    res = CASES[case_id].run()
    assert res.passed, f"{res.id}: expected {res.expected}, obtained {res.obtained}"


def test_every_case_says_what_it_runs():
    kinds = {c.kind for c in CASES.values()}
    assert kinds == {"engine", "formula"}
    # the rows the issue named run the engine, their formula twins are labelled
    for cid in ("AT-04", "AT-11", "AT-14", "AT-16", "FD-1", "FD-2", "ST-1", "HY-1", "HY-2",
                "MG-1", "MG-2", "CF-1", "RM-11", "SM-1", "QD-1"):
        assert CASES[cid].kind == "engine", cid
    for cid in ("AT-09f", "AT-11f", "AT-13f", "AT-14f", "AT-15f"):
        assert CASES[cid].kind == "formula", cid


def test_expected_values_are_not_imported_from_the_engine():
    """The published constants live in the verification package, not in ``sim.movement``
    or ``sim.population`` (a case that imported its expected value from the code under
    test could not fail)."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(pub))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and m.startswith("sim")}, imported
    assert pub.RIMEA7_RANGES_MPS["under30"] == (0.58, 1.61)
    assert pub.SFPE_STAIRS[(7.0, 11.0)] == (1.08, 1.01)


def test_verify_cli_json_lists_cases_and_kinds():
    r = subprocess.run([sys.executable, "-m", "sim.cli.main", "verify", "--json",
                        "--case", "AT-09f", "--case", "AT-11f"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["id"] for x in rows] == ["AT-09f", "AT-11f"] and all(x["passed"] for x in rows)
    assert {x["kind"] for x in rows} == {"formula"}


def test_verify_cli_bad_kind_is_one_line_exit_2():
    r = subprocess.run([sys.executable, "-m", "sim.cli.main", "verify", "--kind", "both"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
