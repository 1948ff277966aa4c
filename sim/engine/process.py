"""The fast SimPy process of an occupant, isolated from the rest of the engine.

:class:`OccupantProcess` relies on SimPy internals (``Event._ok``, ``Event._value``,
``Event._defused``, ``Environment._active_proc``, ``Environment.schedule`` and a
process's ``_generator`` and ``_target``) to save one SimPy event per person at the start
and one at the end. Those internals are not a public API, so:

* ``pyproject.toml`` pins SimPy to the range this was tested with (``>=4.1,<4.2``);
* ``tests/unit/test_process.py`` checks that it behaves like :class:`simpy.Process` for
  every kind of ``yield`` the engine uses (timeouts, plain events succeeding and
  failing, a processed event, conditions, another process), and fails if SimPy changes
  what it relies on.
"""

from __future__ import annotations

from typing import Any

import simpy
from simpy.events import Timeout


class OccupantProcess(simpy.Process):
    """The SimPy process of one occupant, lean enough for a hundred thousand of them.

    It is a :class:`simpy.Process` (its generator yields events and is resumed with
    their values, failures are thrown into it) with three differences, each saving a
    SimPy event per person:

    - it starts ``delay`` seconds after creation with no ``Initialize`` event: its first
      target is the pre-movement :class:`~simpy.events.Timeout`, whose value ``None``
      starts the generator;
    - when the generator returns and nothing waits for the process, it is marked processed
      at once instead of being scheduled as an end event nobody listens to;
    - :meth:`cancel` detaches it from the event it waits on, and :meth:`restart_in`
      moves a process that has not started yet to an earlier start, so a person re-cued
      to an earlier start neither wakes a second time nor needs a new process.
    """

    def __init__(self, env: simpy.Environment, generator: Any, delay: float) -> None:
        self.env = env
        self.callbacks: Any = []
        self._generator = generator
        t = Timeout(env, delay)
        t.callbacks.append(self._resume)
        self._target = t

    def restart_in(self, delay: float) -> bool:
        """Start ``delay`` s from now instead; false if the generator already started."""
        t = self._target
        g: Any = self._generator
        if t is None or t.callbacks is None or self._resume not in t.callbacks or \
                g.gi_frame is None or g.gi_suspended or g.gi_running:
            return False
        t.callbacks.remove(self._resume)
        t = Timeout(self.env, delay)
        t.callbacks.append(self._resume)
        self._target = t
        return True

    def cancel(self) -> None:
        """Never resume again (the person has a newer process)."""
        t = self._target
        if t is not None and t.callbacks is not None and self._resume in t.callbacks:
            t.callbacks.remove(self._resume)
        self._target = None  # type: ignore[assignment]

    def _resume(self, event: simpy.Event) -> None:
        env = self.env
        env._active_proc = self
        gen = self._generator
        while True:
            try:
                if event._ok:
                    event = gen.send(event._value)
                else:
                    event._defused = True
                    exc = type(event._value)(*event._value.args)
                    exc.__cause__ = event._value
                    event = gen.throw(exc)
            except StopIteration as stop:
                self._ok = True
                self._value = stop.value
                if self.callbacks:
                    env.schedule(self)
                else:
                    self.callbacks = None  # processed: a later ``yield`` resumes at once
                event = None  # type: ignore[assignment]
                break
            except BaseException as err:
                self._ok = False
                self._value = err
                env.schedule(self)  # a failed process crashes the run, as in SimPy
                event = None  # type: ignore[assignment]
                break
            cbs = event.callbacks
            if cbs is not None:
                cbs.append(self._resume)
                break
        self._target = event
        env._active_proc = None
