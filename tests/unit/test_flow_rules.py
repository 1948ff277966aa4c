"""The engine's flow rules at openings: doors onto flights, and the receiving side."""

from __future__ import annotations

import pytest

from sim.analysis.verification import build as b
from sim.analysis.verification.cases_stairs import _flight_building

IN = 25.4


def _two_level(flight_w: float, door_w: float):
    lay = _flight_building(flight_w, door_w, 7 * IN, 11 * IN)
    return b.run(lay, {"occupants": {"per_space": {"room": 5}},
                       "premovement": {"model": "none"}})


@pytest.mark.parametrize(("flight_w", "door_w", "flow"), [
    (1.5, 1.2, 1.3 * 0.9),    # the door controls: SFPE 1.3 p/s/m × (1.2 − 0.3)
    (1.2, 1.2, 1.01 * 0.9),   # the flight controls: 1.01 × (1.2 − 0.3)
    (1.5, 2.0, 1.01 * 1.2),   # a wide door on a narrower flight: the flight's own width
    (2.4, 2.4, 1.01 * 2.1),
])
def test_a_door_onto_a_flight_passes_the_smaller_of_the_two(flight_w, door_w, flow):
    w = _two_level(flight_w, door_w).world
    for opening in ("top", "foot"):
        door = w.doors[w.portal_index[opening]]
        assert 1.0 / door.base_headway[0] == pytest.approx(flow, rel=1e-9)
        assert 1.0 / door.base_headway[1] == pytest.approx(flow, rel=1e-9)


def test_a_flight_is_counted_over_its_sloped_surface():
    w = _two_level(1.5, 1.5).world
    c = w.cell_index["flight"]
    assert w.area[c] == pytest.approx(1.5 * 9.5)  # not the 1.5 × 8 m plan
    assert w.wcap[c] == int(1.5 * 9.5 * 1.88)


def test_receiving_side_stretches_headways_only_in_dense_orderly_cells():
    w = _two_level(1.5, 1.5).world
    c = w.cell_index["lobby"]  # 100 m²
    w.count[c] = 150  # 1.5 p/m²: below the density of maximum flow
    assert w.supply_headway_factor(c) == 1.0
    w.count[c] = 300  # 3.0 p/m²: SFPE J(1.88) / J(3.0) = 0.940 / 0.605 = 1.55
    j = lambda d: d * (1 - 0.266 * d)  # noqa: E731
    assert w.supply_headway_factor(c) == pytest.approx(j(1 / (2 * 0.266)) / j(3.0), rel=0.01)
    w.wcap[c] = w.cap[c]  # a pushing crowd (crush hazard): no orderly admission
    assert w.supply_headway_factor(c) == 1.0
    assert w.supply_headway_factor(w.cell_index["out"]) == 1.0
