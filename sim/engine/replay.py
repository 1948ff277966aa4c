"""What a run leaves for the viewer: tracks of every person, marks, space series.

The simulation core fills a :class:`Replay` in memory; :mod:`sim.io.replay_file` writes
and reads it (versioned, no pickle), and :mod:`viz` draws it. Positions between two
waypoints of one entity are linear interpolations; a person queuing at a door has two
waypoints at the same place (arrival, passage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final

import numpy as np

SCHEMA: Final = "safemall/replay/1"


class State(IntEnum):
    """What an entity is doing from a waypoint on (stored as ``uint8``)."""

    UNAWARE = 0
    MOVING = 1
    QUEUING = 2
    SHELTERING = 3
    INJURED = 4
    INCAPACITATED = 5
    SAFE = 6
    DEAD = 7
    # staff and threats
    ON_POST = 10
    PATROLLING = 11
    RESPONDING = 12
    ENGAGED = 13
    DIRECTING = 14
    SWEEPING = 15
    ATTACKING = 20
    NEUTRALISED = 21
    FLEEING = 22


ENTITY_KINDS: Final = ("occupant", "guard", "team", "officer", "attacker", "vehicle", "police",
                       "robber")

#: dtype of one waypoint row: entity index, time (s), position (m), level index, state.
WAYPOINT_DTYPE: Final = np.dtype([("entity", "<u4"), ("t", "<f4"), ("x", "<f4"), ("y", "<f4"),
                                  ("level", "<u2"), ("state", "u1")])


@dataclass
class Replay:
    """Everything needed to redraw a run.

    Attributes
    ----------
    layout : dict
        The layout mapping (``sim.model.layout_schema.layout_to_dict``), rebuilt with
        ``sim.model.layout_schema.layout_from_dict``.
    meta : dict
        Scenario summary, seed, metrics, SafeMall version.
    entity_kind : numpy.ndarray
        ``uint8`` index into :data:`ENTITY_KINDS` for every entity.
    entity_label : list of str
        A short label per entity (``"guard 3 (gate)"``); may be empty strings.
    waypoints : numpy.ndarray
        Rows of :data:`WAYPOINT_DTYPE`, sorted by entity then time.
    marks : list of dict
        Timeline events ``{"t": s, "kind": "alarm", "label": "..."}``, sorted by ``t``.
    cell_ids : list of str
        Cells (see :mod:`sim.engine.graphs`) that the space series refer to.
    series_t : numpy.ndarray
        Sample times (s) of the space series.
    series : dict of str to numpy.ndarray
        ``(len(series_t), len(cell_ids))`` float32 arrays: ``occupancy`` (persons),
        and with a fire ``smoke_extinction_per_m``, ``smoke_layer_m``, ``temperature_c``.
    """

    layout: dict[str, Any]
    meta: dict[str, Any]
    entity_kind: np.ndarray
    entity_label: list[str]
    waypoints: np.ndarray
    marks: list[dict[str, Any]] = field(default_factory=list)
    cell_ids: list[str] = field(default_factory=list)
    series_t: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    series: dict[str, np.ndarray] = field(default_factory=dict)
    level_ids: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        """Time of the last waypoint or mark (s)."""
        t = float(self.waypoints["t"].max()) if len(self.waypoints) else 0.0
        if self.marks:
            t = max(t, max(float(m["t"]) for m in self.marks))
        return t
