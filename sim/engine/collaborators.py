"""What a :class:`~sim.engine.world.World` holds besides its crowd: declared interfaces.

The world is built by the engine; the security plan's alarm chain and staff
(:mod:`sim.security`) and the hazards (:mod:`sim.hazards`) are built on top of it and plug
in through these interfaces, so the engine never imports them:

* :class:`Signals` — the events processes wait for instead of polling each other's state;
* :class:`AlarmService` — what hazards ask of the alarm chain (incidents, detectors);
* :class:`StaffService` — the staff as the run sees them (their end-of-run metrics);
* :class:`HazardRun` — one hazard acting in the world (its end-of-run metrics and replay
  series).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import simpy


class Signals:
    """Cross-process events of one run; each succeeds once, with the time it happened.

    ``alarm_sounded``
        The alarm sounded (bell, zoned or general; a drill's alarm; or word spread by
        guards where there are neither alarm devices nor PA).
    ``police_arrived``
        The police reached the mall.
    ``attack_stopped``
        Every attacker of an attack has been stopped.
    """

    __slots__ = ("alarm_sounded", "attack_stopped", "env", "police_arrived")

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.alarm_sounded = env.event()
        self.police_arrived = env.event()
        self.attack_stopped = env.event()

    def fire(self, event: simpy.Event, delay_s: float = 0.0) -> None:
        """Let ``event`` happen now (or ``delay_s`` from now); later calls do nothing."""
        if delay_s > 0:
            self.env.timeout(delay_s).callbacks.append(lambda _: self.fire(event))
        elif not event.triggered:
            event.succeed(self.env.now)


class StaffService(Protocol):
    """The security staff of a run, as the run itself needs them."""

    def finish(self) -> None:
        """Record the staff's end-of-run metrics."""


class AlarmService(Protocol):
    """The alarm chain as hazards use it (:class:`sim.security.alarm.AlarmChain`)."""

    plan: Any
    """The security plan in force (``None`` without one)."""
    staff: Any
    """The staff on duty (:class:`sim.security.staff.Staff`), ``None`` without a plan."""
    detector_cells: dict[int, str]
    """Cell → detector kind."""

    def incident(self, kind: str, cell_fn: Callable[[], int], *, visible: bool = True,
                 threat: bool = False, responders_needed: int = 2, **data: Any) -> Any:
        """Open an incident now; detection channels start racing."""

    def resolve(self, inc: Any) -> None:
        """The incident is over."""

    def detector_triggered(self, inc: Any, cell: int) -> None:
        """Smoke or heat reached a detector in ``cell``."""

    def staff_perceived(self, inc: Any, staff_id: int, role: str) -> None:
        """A staff member (or, ``role="occupant"``, a bystander) saw the incident."""

    def drill(self, spec: Any) -> None:
        """A drill's alarm, raised by the duty room now."""

    def fail(self, what: str) -> None:
        """A device fails now (sabotage)."""


class HazardRun(Protocol):
    """One hazard acting in a world, kept in :attr:`World.hazards` in start order."""

    kind: str

    def finish(self) -> None:
        """Record the hazard's end-of-run metrics."""

    def series(self, ts: np.ndarray) -> dict[str, np.ndarray]:
        """Replay series per cell at times ``ts`` (s); empty when it has none."""
