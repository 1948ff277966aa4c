"""The IMO congestion measure of a run (longest time a cell holds 4 p/m²), by hand."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.run.runner import congested_time


def _moves(start: list[int], passages: list[tuple[float, int, int]],
           removed: list[tuple[float, int]]) -> dict[str, np.ndarray]:
    return {"start_cell": np.array(start, np.int64),
            "t": np.array([p[0] for p in passages], float),
            "from": np.array([p[1] for p in passages], np.int64),
            "to": np.array([p[2] for p in passages], np.int64),
            "removed_t": np.array([r[0] for r in removed], float),
            "removed_cell": np.array([r[1] for r in removed], np.int64)}


WORLD = SimpleNamespace(
    cell_ids=["hall#0", "out#0", "kiosk#0", "lobby#0"],
    area=[2.0, 100.0, 0.25, 10.0],          # 4 p/m²: 8, (exit), 1 (too small), 40 persons
    is_exit=[False, True, False, False],
)


def test_longest_congestion_is_summed_over_the_spells_of_one_cell() -> None:
    # hall starts with 8 = 4 p/m² × 2 m²: congested 0-10 s, 7 from 10 s, 8 again 15-30 s,
    # then 7: 10 + 15 = 25 s. The kiosk holds 1 person (4 p/m²) all along but is too small
    # to judge; the lobby never fills (5 of 40).
    moves = _moves([0] * 8 + [2] + [3] * 5,
                   [(10.0, 0, 1), (15.0, 3, 0), (30.0, 0, 1)],
                   [(40.0, 3)])
    t, space = congested_time(WORLD, moves, 100.0)
    assert t == pytest.approx(25.0)
    assert space == "hall"


def test_congestion_stops_at_the_horizon_and_counts_removals() -> None:
    # hall fills to 8 at 20 s; one person is removed (safe or harmed) at 70 s; horizon 50 s
    moves = _moves([0] * 7 + [3] * 3, [(20.0, 3, 0)], [(70.0, 0)])
    assert congested_time(WORLD, moves, 50.0) == (pytest.approx(30.0), "hall")
    assert congested_time(WORLD, moves, 100.0) == (pytest.approx(50.0), "hall")


def test_no_congestion_gives_zero_and_no_space() -> None:
    assert congested_time(WORLD, _moves([0] * 7, [], []), 100.0) == (0.0, "")


def test_a_cell_congested_at_its_last_event_stays_so_until_the_horizon() -> None:
    # hall fills at 20 s and stays full; the lobby's later events belong to another cell
    moves = _moves([0] * 7 + [3] * 3, [(20.0, 3, 0), (25.0, 3, 1)], [])
    assert congested_time(WORLD, moves, 100.0) == (pytest.approx(80.0), "hall")
