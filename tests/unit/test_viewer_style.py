"""Fruin level-of-service bands and colour tables used by the viewer and the plots."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.replay import State
from viz import style


@pytest.mark.parametrize(("m2_per_person", "letter"), [
    (10.0, "A"), (3.26, "A"), (3.25, "B"), (2.5, "B"), (2.32, "B"), (2.0, "C"), (1.39, "C"),
    (1.2, "D"), (0.93, "D"), (0.7, "E"), (0.46, "E"), (0.45, "F"), (0.2, "F"),
])
def test_fruin_bands(m2_per_person: float, letter: str) -> None:
    idx = style.fruin_index(np.array([1.0]), np.array([m2_per_person]))
    assert style.FRUIN_LETTERS[int(idx[0])] == letter


def test_fruin_empty_cells() -> None:
    idx = style.fruin_index(np.array([0.0, 3.0, 3.0, 2.0]), np.array([10.0, 0.0, 1.0, 1.0]))
    assert list(idx) == [-1, -1, 5, 4]


def test_every_state_has_a_colour() -> None:
    lut = style.state_lut()
    for s in State:
        assert tuple(lut[int(s)]) == style.STATE_COLOUR[s]
    assert len({style.STATE_COLOUR[s] for s in State}) == len(State)


def test_clock_format() -> None:
    assert style.fmt_clock(65.25, tenths=True) == "01:05.2"
    assert style.fmt_clock(3725) == "1:02:05"
