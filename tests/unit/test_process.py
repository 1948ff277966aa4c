"""The engine's fast process behaves like ``simpy.Process`` for every yield the engine uses.

Each case runs the same generator twice: as a :class:`simpy.Process` that first waits the
start delay, and as an :class:`~sim.engine.process.OccupantProcess` started with that
delay. Both must see the same values at the same times, end with the same value and, on
failure, crash the run the same way. The expected traces are written out by hand from
SimPy's documented semantics (they are not computed by the code under test).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import pytest
import simpy
from simpy.events import NORMAL

from sim.engine.process import OccupantProcess

Trace = list[tuple[float, Any]]
Body = Callable[[simpy.Environment, Trace], Generator[Any, Any, Any]]


class Boom(RuntimeError):
    pass


def _timeouts(env: simpy.Environment, log: Trace) -> Generator[Any, Any, Any]:
    log.append((env.now, "start"))
    v = yield env.timeout(2.0)
    log.append((env.now, v))
    v = yield env.timeout(0.5, value="half")
    log.append((env.now, v))
    return "done"


def _events(env: simpy.Environment, log: Trace) -> Generator[Any, Any, Any]:
    """Plain events: succeeded by another process, scheduled directly (as a door wakes a
    queue head), and already processed."""
    ev = env.event()

    def other() -> Generator[Any, Any, Any]:
        yield env.timeout(3.0)
        ev.succeed("opened")

    env.process(other())
    v = yield ev
    log.append((env.now, v))
    woken = env.event()
    woken._ok = True
    woken._value = "go"
    env.schedule(woken, NORMAL, 1.5)
    v = yield woken
    log.append((env.now, v))
    v = yield ev  # processed already: resumes at once with its value
    log.append((env.now, v))
    return len(log)


def _failure_caught(env: simpy.Environment, log: Trace) -> Generator[Any, Any, Any]:
    ev = env.event()

    def other() -> Generator[Any, Any, Any]:
        yield env.timeout(1.0)
        ev.fail(Boom("door jammed"))

    env.process(other())
    try:
        yield ev
    except Boom as exc:
        log.append((env.now, f"caught {exc}"))
    yield env.timeout(1.0)
    log.append((env.now, "after"))
    return None


def _failure_uncaught(env: simpy.Environment, log: Trace) -> Generator[Any, Any, Any]:
    yield env.timeout(1.0)
    log.append((env.now, "about to fail"))
    raise Boom("inside the process")


def _condition(env: simpy.Environment, log: Trace) -> Generator[Any, Any, Any]:
    a, b = env.timeout(4.0, value="a"), env.timeout(2.0, value="b")
    res = yield a | b
    log.append((env.now, sorted(res.values())))
    return "c"


CASES: dict[str, tuple[Body, Trace, Any]] = {
    # name: (body, expected trace with start delay 10 s, expected return value)
    "timeouts": (_timeouts, [(10.0, "start"), (12.0, None), (12.5, "half")], "done"),
    "events": (_events, [(13.0, "opened"), (14.5, "go"), (14.5, "opened")], 3),
    "failure caught": (_failure_caught, [(11.0, "caught door jammed"), (12.0, "after")],
                       None),
    "condition": (_condition, [(12.0, ["b"])], "c"),
}


def _simpy(body: Body, delay: float) -> tuple[Trace, Any]:
    env = simpy.Environment()
    log: Trace = []

    def wrapped() -> Generator[Any, Any, Any]:
        yield env.timeout(delay)
        return (yield from body(env, log))

    p = env.process(wrapped())
    env.run()
    return log, p.value


def _fast(body: Body, delay: float) -> tuple[Trace, Any, bool]:
    env = simpy.Environment()
    log: Trace = []
    p = OccupantProcess(env, body(env, log), delay)
    waiter_saw: list[Any] = []

    def waiter() -> Generator[Any, Any, Any]:
        waiter_saw.append((yield p))

    env.process(waiter())
    env.run()
    return log, p.value, waiter_saw == [p.value]


@pytest.mark.parametrize("name", list(CASES))
def test_same_values_at_the_same_times_as_simpy(name: str) -> None:
    body, expected, value = CASES[name]
    ref_log, ref_value = _simpy(body, 10.0)
    assert (ref_log, ref_value) == (expected, value)  # SimPy as documented
    log, got, waiter_ok = _fast(body, 10.0)
    assert (log, got) == (expected, value)
    assert waiter_ok  # a process waiting on it gets its return value, as with SimPy


def test_an_uncaught_failure_crashes_the_run_like_simpy() -> None:
    for make in ("simpy", "fast"):
        env = simpy.Environment()
        log: Trace = []
        if make == "simpy":
            env.process(_failure_uncaught(env, log))
        else:
            OccupantProcess(env, _failure_uncaught(env, log), 0.0)
        with pytest.raises(Boom, match="inside the process"):
            env.run()
        assert log == [(1.0, "about to fail")]


def test_nobody_waiting_means_no_end_event() -> None:
    """The saving: a finished process nobody waits on schedules no end event."""
    counts = {}
    for make in ("simpy", "fast"):
        env = simpy.Environment()
        if make == "simpy":
            def delayed(env: simpy.Environment = env) -> Generator[Any, Any, Any]:
                yield env.timeout(1.0)
                yield env.timeout(1.0)
            env.process(delayed())
        else:
            def body(env: simpy.Environment = env) -> Generator[Any, Any, Any]:
                yield env.timeout(1.0)
            OccupantProcess(env, body(), 1.0)
        env.run()
        counts[make] = next(env._eid)  # events scheduled so far
        assert env.now == 2.0
    # SimPy: Initialize, two timeouts, the process's end; fast: two timeouts
    assert counts == {"simpy": 4, "fast": 2}


def test_restart_in_moves_an_unstarted_process_earlier_and_cancel_stops_it() -> None:
    env = simpy.Environment()
    log: Trace = []
    p = OccupantProcess(env, _timeouts(env, log), 30.0)
    env.run(until=5.0)
    assert p.restart_in(3.0)  # now at 5 s: start at 8 s instead of 30 s
    env.run(until=9.0)
    assert log == [(8.0, "start")]
    assert not p.restart_in(1.0)  # started: it cannot be moved
    q = OccupantProcess(env, _timeouts(env, []), 1.0)
    q.cancel()
    env.run()
    assert log == [(8.0, "start"), (10.0, None), (10.5, "half")]
    assert q.callbacks == []  # never resumed, never ended
