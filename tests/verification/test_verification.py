"""The published verification cases (the same as ``safemall verify``)."""

from __future__ import annotations

import pytest

from sim.verification import CASES


@pytest.mark.parametrize("case_id", list(CASES))
def test_case(case_id):
    res = CASES[case_id]()
    assert res.passed, f"{res.id}: expected {res.expected}, obtained {res.obtained}"
