"""Small buildings and measurements shared by the verification cases.

Every engine case builds its layout and scenario in memory and runs them through
:func:`run`, which calls :func:`sim.run.run_scenario` exactly as ``safemall run`` does
and then checks the run against the quickest-flow bound built from published capacities
(:mod:`sim.analysis.verification.bound`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np

from sim.analysis.verification.bound import record_run
from sim.model.layout_schema import layout_from_dict
from sim.model.scenario import scenario_from_dict
from sim.run.runner import RunResult, run_scenario

F = TypeVar("F", bound=Callable[..., Any])
_CACHES: list[Any] = []


def cached(fn: F) -> F:
    """Memoise a measurement shared by several cases (cleared by :func:`clear_caches`)."""
    wrapped = lru_cache(maxsize=64)(fn)
    _CACHES.append(wrapped)
    return wrapped  # type: ignore[return-value]


def clear_caches() -> None:
    """Forget every memoised measurement (the engine changed: a mutation was applied)."""
    for c in _CACHES:
        c.cache_clear()


def layout(spaces: list[dict[str, Any]], openings: list[dict[str, Any]],
           levels: tuple[tuple[str, float], ...] = (("L1", 0.0),)) -> dict[str, Any]:
    """A layout mapping (``safemall/layout/1``) from spaces, openings and levels."""
    return {"schema": "safemall/layout/1", "mall": {"name": "verification"},
            "levels": [{"id": i, "elevation_m": e} for i, e in levels],
            "spaces": spaces, "openings": openings}


def run(lay: dict[str, Any], scenario: dict[str, Any], *, seed: int = 1,
        cell_len: float = 20.0, cell_area: float = 300.0) -> RunResult:
    """Run ``scenario`` on ``lay`` through :func:`sim.run.run_scenario` (world kept)."""
    layout_obj = layout_from_dict(lay, source="<verification>")
    scn = scenario_from_dict({"schema": "safemall/scenario/1", "seed": seed, **scenario,
                              "movement": {"max_cell_length_m": cell_len,
                                           "max_cell_area_m2": cell_area,
                                           **scenario.get("movement", {})}},
                             layout=layout_obj, source="<verification>")
    res = run_scenario(scn, keep_world=True)
    record_run(layout_obj, scn, res)
    return res


def pass_times(res: RunResult, opening: str) -> np.ndarray:
    """Times (s) at which people passed ``opening``, in order."""
    k = res.portal_ids.index(opening)
    return res.moves["t"][res.moves["portal"] == k]


def passers(res: RunResult, opening: str) -> np.ndarray:
    """Who passed ``opening``, in order of passage."""
    k = res.portal_ids.index(opening)
    return res.moves["person"][res.moves["portal"] == k]


def steady_flow_ps(times: np.ndarray) -> float:
    """Mean flow (persons/s) between the 10th and the 90th percentile passage."""
    t = np.sort(times)
    a, b = t[int(0.1 * len(t))], t[int(0.9 * len(t)) - 1]
    return (int(0.9 * len(t)) - 1 - int(0.1 * len(t))) / max(b - a, 1e-9)


def corridor(length: float, width: float = 2.0) -> dict[str, Any]:
    """A start room, a straight corridor and an exit at its far end (RiMEA 1)."""
    return layout(
        [{"id": "start", "kind": "shop", "level": "L1", "rect": [-2.0, 0, 2.0, width]},
         {"id": "corridor", "kind": "corridor", "level": "L1", "rect": [0, 0, length, width]},
         {"id": "out", "kind": "exit", "level": "L1"}],
        [{"id": "in", "between": ["start", "corridor"], "width_m": width,
          "at": [0, width / 2]},
         {"id": "end", "between": ["corridor", "out"], "width_m": width,
          "at": [length, width / 2]}])


def room_with_doors(w: float, h: float, doors: list[tuple[str, float, tuple[float, float]]],
                    kind: str = "atrium") -> dict[str, Any]:
    """One ``w`` × ``h`` room and exits through the given ``(id, width, at)`` doors."""
    return layout([{"id": "room", "kind": kind, "level": "L1", "rect": [0, 0, w, h]},
                   {"id": "out", "kind": "exit", "level": "L1"}],
                  [{"id": d, "between": ["room", "out"], "width_m": dw, "at": list(at)}
                   for d, dw, at in doors])


@cached
def door_flow_run(width: float, flow: str, n: int = 300, seed: int = 1) -> float:
    """Measured flow (persons/s) of ``n`` people leaving a 20 × 20 m room by one door."""
    lay = room_with_doors(20.0, 20.0, [("door", width, (20.0, 10.0))])
    res = run(lay, {"occupants": {"per_space": {"room": n}}, "premovement": {"model": "none"},
                    "movement": {"flow": flow}}, seed=seed, cell_len=40, cell_area=1e4)
    return steady_flow_ps(pass_times(res, "door"))


def within(obtained: float, expected: float, rel: float) -> bool:
    """True when ``obtained`` is within ``rel`` (a fraction) of ``expected``."""
    return abs(obtained - expected) <= rel * abs(expected)
