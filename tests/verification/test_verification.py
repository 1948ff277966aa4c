"""The published verification cases (the same as ``safemall verify``)."""

from __future__ import annotations

import pytest

from sim.analysis.verification import CASES


@pytest.mark.parametrize("case_id", list(CASES))
def test_case(case_id):
    res = CASES[case_id]()
    assert res.passed, f"{res.id}: expected {res.expected}, obtained {res.obtained}"


def test_verify_cli_json_lists_every_case():
    import json
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "sim.cli.main", "verify", "--json",
                        "--case", "AT-09", "--case", "AT-11"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["id"] for x in rows] == ["AT-09", "AT-11"] and all(x["passed"] for x in rows)
