"""The mutation harness: every named defect of the engine is caught by a verification case.

Prints the table defect → cases that caught it (visible in the CI log).
"""

from __future__ import annotations

import pytest

from sim.analysis.verification.mutations import (
    BASELINE,
    DEFECTS,
    applied,
    format_table,
    run_harness,
)

REQUIRED = {"double free speed", "infinite door capacity", "no speed–density law",
            "doubled stair capacity", "halved stair capacity", "door headway ignoring width",
            "doubled jam density", "widened demographic ranges", "pre-movement ignored",
            "smoke speed factor ignored", "one exit silently closed"}


def test_the_issue_s_defects_are_all_in_the_list():
    assert {d.name for d in DEFECTS} >= REQUIRED


def test_a_defect_is_undone_after_its_block():
    import sim.engine.population as pop
    from sim.engine.world import World

    before = (pop.free_speeds, pop.GROUP_RANGES_MPS, World._headways, World.__init__)
    for d in DEFECTS:
        with applied(d):
            pass
    assert (pop.free_speeds, pop.GROUP_RANGES_MPS, World._headways, World.__init__) == before


@pytest.mark.slow
def test_every_defect_is_caught(capsys):
    rows = run_harness(workers=2)
    with capsys.disabled():
        print("\n" + format_table(rows))
    base = next(r for r in rows if r.defect == BASELINE)
    assert not base.caught_by, f"the unbroken engine fails {base.caught_by}"
    missed = [r.defect for r in rows if not r.caught]
    assert not missed, f"defects no case catches: {missed}"
