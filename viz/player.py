"""Timeline and state of a replay at any time, without pygame.

:class:`Tracks` precomputes, once per replay, index arrays over the waypoints (sorted by
entity then time) so that the position of every entity at time ``t`` is one
``numpy.searchsorted`` over a monotone key plus a linear interpolation: about a
millisecond per 10,000 entities. :class:`Player` is the clock of a video player over it
(play, pause, speed ×0.25…×64, step, seek, next event).

Conventions
-----------
* Between two waypoints of one entity its position is the linear interpolation; its
  state and level are those of the earlier waypoint (a waypoint's state holds *from* it
  on). At the time of a waypoint, the waypoint's own state applies.
* An entity is not drawn before its first waypoint. After its last waypoint it stays
  where it is (a casualty, a guard on post), except that an entity whose last state is
  ``SAFE`` disappears :data:`SAFE_LINGER_S` seconds later (it has left the building).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from sim.engine.replay import Replay, State

#: Playback speeds selectable with ``[`` and ``]``.
SPEEDS: Final = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
#: Seconds a person stays drawn (green) at the door after reaching safety.
SAFE_LINGER_S: Final = 5.0
#: States that count as casualties.
CASUALTY_STATES: Final = (State.INJURED, State.INCAPACITATED, State.DEAD)
#: Mark kinds that switch the alarm on (prefix match: ``alarm_general`` counts).
ALARM_PREFIX: Final = "alarm"


@dataclass
class Snapshot:
    """Every entity at one time."""

    t: float
    x: np.ndarray  # float32 metres
    y: np.ndarray
    level: np.ndarray  # uint16 replay level index
    state: np.ndarray  # uint8 State code
    visible: np.ndarray  # bool: drawn at t


class Tracks:
    """Vectorised access to all entity tracks of a replay."""

    def __init__(self, replay: Replay) -> None:
        wp = replay.waypoints
        n = len(replay.entity_kind)
        self.n = n
        self.kind = np.asarray(replay.entity_kind, dtype=np.uint8)
        ent = wp["entity"].astype(np.int64)
        counts = np.bincount(ent, minlength=n)[:n] if len(ent) else np.zeros(n, np.int64)
        self.start = np.zeros(n, np.int64)
        if n:
            self.start[1:] = np.cumsum(counts)[:-1]
        self.has = counts > 0
        self.end = np.maximum(self.start + counts - 1, self.start)
        t = wp["t"].astype(np.float64)
        self.t = t
        self.x = np.ascontiguousarray(wp["x"], dtype=np.float32)
        self.y = np.ascontiguousarray(wp["y"], dtype=np.float32)
        self.level = np.ascontiguousarray(wp["level"], dtype=np.uint16)
        self.state = np.ascontiguousarray(wp["state"], dtype=np.uint8)
        if len(t):
            self.t0 = min(float(t.min()), 0.0)
            self.span = float(t.max()) - self.t0 + 1.0
        else:
            self.t0, self.span = 0.0, 1.0
            # keep index arithmetic valid with one dummy row
            self.t = np.zeros(1)
            self.x = self.y = np.zeros(1, np.float32)
            self.level = np.zeros(1, np.uint16)
            self.state = np.zeros(1, np.uint8)
        # monotone key: entity * span + (t - t0); entity-major, then time
        self.key = ent * self.span + (t - self.t0)
        self.base = np.arange(n, dtype=np.float64) * self.span
        self.first_t = np.where(self.has, self.t[np.minimum(self.start, len(self.t) - 1)],
                                np.inf)
        self.last_t = np.where(self.has, self.t[np.minimum(self.end, len(self.t) - 1)], -np.inf)
        self.last_state = self.state[np.minimum(self.end, len(self.state) - 1)]
        self.duration = float(t.max()) if len(t) else 0.0
        self._cache: Snapshot | None = None

    def index_at(self, t: float) -> np.ndarray:
        """Index of each entity's current waypoint (the last one at or before ``t``)."""
        if not len(self.key):
            return np.zeros(self.n, np.int64)
        q = self.base + (float(t) - self.t0)
        idx = np.searchsorted(self.key, q, side="right") - 1
        return np.clip(idx, self.start, self.end)

    def at(self, t: float) -> Snapshot:
        """Positions, levels, states and visibility of every entity at ``t``."""
        c = self._cache
        if c is not None and c.t == t:
            return c
        idx = self.index_at(t)
        nxt = np.minimum(idx + 1, self.end)
        ta = self.t[idx]
        dt = self.t[nxt] - ta
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(dt > 0, (t - ta) / dt, 0.0)
        f = np.clip(f, 0.0, 1.0).astype(np.float32)
        xa, ya = self.x[idx], self.y[idx]
        x = xa + f * (self.x[nxt] - xa)
        y = ya + f * (self.y[nxt] - ya)
        state = self.state[idx]
        gone = (state == State.SAFE) & (idx == self.end) & (t > ta + SAFE_LINGER_S)
        visible = self.has & (t >= self.first_t) & ~gone
        snap = Snapshot(float(t), x, y, self.level[idx], state, visible)
        self._cache = snap
        return snap

    def positions_at(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)`` of every entity at ``t`` (metres, float32)."""
        s = self.at(t)
        return s.x, s.y

    def levels_at(self, t: float) -> np.ndarray:
        """Replay level index of every entity at ``t``."""
        return self.at(t).level

    def states_at(self, t: float) -> np.ndarray:
        """State code of every entity at ``t``."""
        return self.at(t).state

    def safe_times(self, kind: int = 0) -> np.ndarray:
        """Sorted times at which entities of ``kind`` first reached ``SAFE``."""
        rows = np.flatnonzero(self.state == State.SAFE) if len(self.key) else np.zeros(0, int)
        if not len(rows):
            return np.zeros(0)
        ent = np.searchsorted(self.start, rows, side="right") - 1
        keep = self.kind[ent] == kind
        rows, ent = rows[keep], ent[keep]
        first = np.unique(ent, return_index=True)[1]
        return np.sort(self.t[rows[first]])


@dataclass
class Counts:
    """Occupant counts at one time."""

    inside: int
    safe: int
    casualties: int
    dead: int
    not_arrived: int


class Player:
    """The clock of a replay: play, pause, speed, step, seek, next event."""

    def __init__(self, replay: Replay, tracks: Tracks | None = None, *,
                 speed: float = 1.0, playing: bool = True) -> None:
        self.replay = replay
        self.tracks = tracks or Tracks(replay)
        self.duration = max(replay.duration_s, self.tracks.duration,
                            float(replay.series_t[-1]) if len(replay.series_t) else 0.0)
        marks = list(replay.marks)
        t_alarm = (replay.meta.get("metrics") or {}).get("t_alarm_s")
        if isinstance(t_alarm, int | float) and math.isfinite(t_alarm) and not any(
                str(m.get("kind", "")).startswith(ALARM_PREFIX) for m in marks):
            # the run reports an alarm time but no alarm mark: show it all the same
            marks.append({"t": float(t_alarm), "kind": "alarm", "label": "alarm (metrics)"})
        self.marks: list[dict[str, Any]] = sorted(marks, key=lambda m: float(m["t"]))
        self.mark_t = np.asarray([float(m["t"]) for m in self.marks], dtype=np.float64)
        self.t = 0.0
        self.playing = playing
        self.speed_index = _nearest_speed(speed)
        self.occupant = self.tracks.kind == 0

    # -- clock -------------------------------------------------------------------------

    @property
    def speed(self) -> float:
        return SPEEDS[self.speed_index]

    @property
    def step_s(self) -> float:
        """Sim seconds per ``,``/``.`` step: one second, or a wall second's worth when fast."""
        return max(1.0, self.speed)

    def tick(self, wall_dt: float) -> None:
        """Advance by ``wall_dt`` wall seconds when playing; stop at the end."""
        if self.playing:
            self.t = min(self.t + wall_dt * self.speed, self.duration)
            if self.t >= self.duration:
                self.playing = False

    def toggle(self) -> None:
        if not self.playing and self.t >= self.duration:
            self.t = 0.0
        self.playing = not self.playing

    def faster(self) -> None:
        self.speed_index = min(self.speed_index + 1, len(SPEEDS) - 1)

    def slower(self) -> None:
        self.speed_index = max(self.speed_index - 1, 0)

    def set_speed(self, speed: float) -> None:
        self.speed_index = _nearest_speed(speed)

    def step(self, n: int = 1) -> None:
        """Pause and move ``n`` steps (negative: back)."""
        self.playing = False
        self.seek(self.t + n * self.step_s)

    def seek(self, t: float) -> None:
        self.t = float(min(max(t, 0.0), self.duration))

    def next_event(self) -> dict[str, Any] | None:
        """Seek to the first mark strictly after now; return it (``None`` at the end)."""
        i = int(np.searchsorted(self.mark_t, self.t + 1e-6, side="right"))
        if i >= len(self.marks):
            return None
        self.seek(self.mark_t[i])
        return self.marks[i]

    def prev_event(self) -> dict[str, Any] | None:
        """Seek to the last mark strictly before now."""
        i = int(np.searchsorted(self.mark_t, self.t - 1e-6, side="left")) - 1
        if i < 0:
            self.seek(0.0)
            return None
        self.seek(self.mark_t[i])
        return self.marks[i]

    # -- state at the clock ------------------------------------------------------------

    def snapshot(self, t: float | None = None) -> Snapshot:
        return self.tracks.at(self.t if t is None else t)

    def counts(self, t: float | None = None) -> Counts:
        t = self.t if t is None else t
        s = self.tracks.at(t)
        occ = self.occupant & self.tracks.has
        arrived = occ & (t >= self.tracks.first_t)
        safe = arrived & (s.state == State.SAFE)
        cas = arrived & np.isin(s.state, CASUALTY_STATES)
        dead = arrived & (s.state == State.DEAD)
        inside = arrived & ~safe & (s.state != State.DEAD)
        return Counts(int(inside.sum()), int(safe.sum()), int(cas.sum()), int(dead.sum()),
                      int((occ & ~arrived).sum()))

    def marks_until(self, t: float | None = None) -> list[dict[str, Any]]:
        t = self.t if t is None else t
        return self.marks[: int(np.searchsorted(self.mark_t, t, side="right"))]

    def alarm(self, t: float | None = None) -> dict[str, Any] | None:
        """The latest alarm mark at or before ``t``, or ``None`` before any alarm."""
        for m in reversed(self.marks_until(t)):
            if str(m.get("kind", "")).startswith(ALARM_PREFIX):
                return m
        return None

    def series_index(self, t: float | None = None) -> int:
        """Index of the space-series sample in effect at ``t`` (``-1`` before the first)."""
        st = self.replay.series_t
        if not len(st):
            return -1
        return int(np.searchsorted(st, self.t if t is None else t, side="right")) - 1

    def series_at(self, name: str, t: float | None = None) -> np.ndarray | None:
        """One row of a space series at ``t`` (per ``replay.cell_ids``), or ``None``."""
        arr = self.replay.series.get(name)
        i = self.series_index(t)
        if arr is None or i < 0:
            return None
        return np.asarray(arr[i])


def _nearest_speed(speed: float) -> int:
    return int(np.argmin([abs(math.log(s) - math.log(max(speed, 1e-3))) for s in SPEEDS]))


def frame_times(duration: float, fps: float, speed: float) -> np.ndarray:
    """Times of exported frames: ``i * speed / fps`` for ``i = 0 .. floor(duration*fps/speed)``.

    So a ``duration``-second replay gives ``floor(duration / speed * fps) + 1`` frames.
    """
    n = math.floor(duration * fps / speed + 1e-9) + 1
    return np.arange(n, dtype=np.float64) * (speed / fps)


def evacuation_curve(tracks: Tracks, kind: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(t, evacuated)`` step curve: persons of ``kind`` who reached ``SAFE`` by ``t``."""
    ts = tracks.safe_times(kind)
    return ts, np.arange(1, len(ts) + 1)


def occupancy_by_level(tracks: Tracks, times: Sequence[float], n_levels: int) -> np.ndarray:
    """``(len(times), n_levels)`` occupants inside (not safe, not dead) on each level."""
    out = np.zeros((len(times), max(n_levels, 1)), dtype=np.int64)
    occ = tracks.kind == 0
    for i, t in enumerate(times):
        s = tracks.at(float(t))
        m = occ & s.visible & (s.state != State.SAFE) & (s.state != State.DEAD)
        out[i] = np.bincount(s.level[m], minlength=out.shape[1])[: out.shape[1]]
    return out
