"""Mutation harness: break the engine on purpose, one defect at a time, and see which
verification cases notice.

Each :class:`Defect` monkeypatches the engine (never the verification suite) in a fresh
Python process (spawned, one per defect), runs every case of ``safemall verify`` and
reports the ids of the cases that failed. A defect no case catches is a hole in the
verification: the harness fails. Run it with ``safemall verify --mutations``;
``tests/verification/test_mutations.py`` runs it in CI and prints the table.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sim.engine.movement as mv
import sim.engine.population as pop
import sim.engine.world as world
import sim.hazards.plumes as pl
import sim.hazards.smoke as sm
from sim.analysis.verification.build import clear_caches
from sim.analysis.verification.registry import run_cases
from sim.engine.routing import Router
from sim.engine.world import World
from sim.hazards.fire import FireProcess
from sim.hazards.smoke import SmokeModel


class Patcher:
    """Replace attributes for the duration of a ``with`` block (like pytest's monkeypatch)."""

    def __init__(self) -> None:
        self._undo: list[tuple[Any, str, Any]] = []

    def setattr(self, obj: Any, name: str, value: Any) -> None:
        """Set ``obj.name = value``, remembering the old value."""
        self._undo.append((obj, name, getattr(obj, name)))
        setattr(obj, name, value)

    def wrap(self, obj: Any, name: str, make: Callable[[Any], Any]) -> None:
        """Replace ``obj.name`` by ``make(original)``."""
        self.setattr(obj, name, make(getattr(obj, name)))

    def undo(self) -> None:
        """Restore everything, newest first."""
        while self._undo:
            obj, name, old = self._undo.pop()
            setattr(obj, name, old)


@dataclass(frozen=True)
class Defect:
    """A named way of breaking the engine."""

    name: str
    description: str
    apply: Callable[[Patcher], None]


def _double_free_speed(p: Patcher) -> None:
    p.wrap(pop, "free_speeds", lambda f: lambda world, n: 2.0 * f(world, n))


def _infinite_door_capacity(p: Patcher) -> None:
    p.setattr(World, "_headways", lambda self, *a, **k: (1e-6, 1e-6))


def _no_speed_density_law(p: Patcher) -> None:
    p.setattr(world, "_relative_speed_table", lambda model: [1.0] * world._REL_STEPS)


def _stair_capacity(factor: float) -> Callable[[Patcher], None]:
    def apply(p: Patcher) -> None:
        def make(f: Any) -> Any:
            def stair(riser_mm: Any, tread_mm: Any) -> tuple[float, float]:
                k, fs = f(riser_mm, tread_mm)
                return k, fs * factor
            return stair
        p.wrap(mv, "sfpe_stair_constants", make)
    return apply


def _headway_ignores_width(p: Patcher) -> None:
    def make(f: Any) -> Any:
        def headways(self: Any, width_m: float, a: int, b: int, level: int,
                     virtual: bool) -> tuple[float, float]:
            return f(self, width_m if virtual else 1.0, a, b, level, virtual)
        return headways
    p.wrap(World, "_headways", make)


def _double_jam_density(p: Patcher) -> None:
    def make(f: Any) -> Any:
        def init(self: Any, *a: Any, **k: Any) -> None:
            f(self, *a, **k)
            self.cap = [c if c >= 10**9 else 2 * c for c in self.cap]
            self.base_cap = list(self.cap)
        return init
    p.wrap(World, "__init__", make)


def _widened_demographics(p: Patcher) -> None:
    p.setattr(pop, "GROUP_RANGES_MPS", {"under30": (0.2, 3.0), "age30_50": (1.41, 1.54),
                                        "over50": (0.68, 1.41)})


def _premovement_ignored(p: Patcher) -> None:
    def make(f: Any) -> Any:
        def cue(self: Any, person: int, cue: str, *, delay_s: float | None = None) -> None:
            f(self, person, cue, delay_s=0.0)
        return cue
    p.wrap(World, "cue", make)


def _smoke_speed_ignored(p: Patcher) -> None:
    def make(f: Any) -> Any:
        def step(self: Any, dt: float) -> None:
            f(self, dt)
            self.w.speed_factor[:] = [1.0] * len(self.w.speed_factor)
        return step
    p.wrap(FireProcess, "step", make)


def _no_spill_entrainment(p: Patcher) -> None:
    p.setattr(sm, "SPILL_COEFF", 0.0)


def _plume_halved(p: Patcher) -> None:
    p.wrap(pl, "axisymmetric_plume_kg_s", lambda f: lambda qc, z: 0.5 * f(qc, z))


def _exhaust_ignored(p: Patcher) -> None:
    p.setattr(SmokeModel, "start_exhaust", lambda self, system_id: None)


def _exit_silently_closed(p: Patcher) -> None:
    def make(f: Any) -> Any:
        def init(self: Any, world: Any) -> None:
            f(self, world)
            if len(self.exits) > 1:
                self.blocked.add(self.exits[-1])
                self.recompute()
        return init
    p.wrap(Router, "__init__", make)


def _stairs_at_level_speed(p: Patcher) -> None:
    p.setattr(pop, "_stair_ratios", lambda world, model: (1.0, 1.0))


def _no_boundary_layer(p: Patcher) -> None:
    p.setattr(mv, "effective_width_m", lambda clear_width_m, element: clear_width_m)


def _no_supply_throttle(p: Patcher) -> None:
    p.setattr(World, "supply_headway_factor", lambda self, cell: 1.0)


DEFECTS: tuple[Defect, ...] = (
    Defect("double free speed", "everyone's free walking speed × 2", _double_free_speed),
    Defect("infinite door capacity", "every opening passes a person every 1 µs",
           _infinite_door_capacity),
    Defect("no speed–density law", "walking speed ignores the density of the cell",
           _no_speed_density_law),
    Defect("doubled stair capacity", "stair Fs,max × 2", _stair_capacity(2.0)),
    Defect("halved stair capacity", "stair Fs,max × 0.5", _stair_capacity(0.5)),
    Defect("door headway ignoring width", "every door passes as if 1 m wide",
           _headway_ignores_width),
    Defect("doubled jam density", "cells hold twice as many people", _double_jam_density),
    Defect("widened demographic ranges", "RiMEA 7 under-30 range 0.2–3.0 m/s",
           _widened_demographics),
    Defect("pre-movement ignored", "everyone starts the moment they are cued",
           _premovement_ignored),
    Defect("smoke speed factor ignored", "people walk through smoke at free speed",
           _smoke_speed_ignored),
    Defect("one exit silently closed", "the last exit of the building is never used",
           _exit_silently_closed),
    Defect("no spill-plume entrainment", "smoke entering a space below its layer takes in "
           "no air", _no_spill_entrainment),
    Defect("fire plume halved", "the axisymmetric plume entrains half", _plume_halved),
    Defect("exhaust ignored", "mechanical smoke exhaust never starts", _exhaust_ignored),
    Defect("stairs walked at level speed", "no SFPE stair k", _stairs_at_level_speed),
    Defect("no boundary layer", "effective width = clear width", _no_boundary_layer),
    Defect("no receiving-side throttle", "dense cells accept flow at capacity",
           _no_supply_throttle),
)


@contextmanager
def applied(defect: Defect) -> Iterator[None]:
    """The engine with ``defect`` for the duration of the block (memoised measurements of
    the verification suite are forgotten on the way in and out)."""
    p = Patcher()
    clear_caches()
    try:
        defect.apply(p)
        yield
    finally:
        p.undo()
        clear_caches()


def failing_cases(defect_name: str | None) -> list[str]:
    """Ids of the verification cases that fail with the named defect (``None``: none)."""
    if defect_name is None:
        return [r.id for r in run_cases() if not r.passed]
    defect = next(d for d in DEFECTS if d.name == defect_name)
    with applied(defect):
        return [r.id for r in run_cases() if not r.passed]


@dataclass(frozen=True)
class Row:
    """One line of the harness table."""

    defect: str
    description: str
    caught_by: list[str]
    seconds: float

    @property
    def caught(self) -> bool:
        """True when at least one case failed (for the baseline: when none did)."""
        return bool(self.caught_by) if self.defect != BASELINE else not self.caught_by


BASELINE = "(no defect)"


def _timed(name: str | None) -> tuple[list[str], float]:
    t0 = time.perf_counter()
    return failing_cases(name), time.perf_counter() - t0


def run_harness(workers: int = 2, names: list[str] | None = None) -> list[Row]:
    """Run the baseline and every defect, each in a fresh spawned process, ``workers`` at
    a time."""
    todo: list[tuple[str | None, str]] = [(None, "the engine as it is")]
    todo += [(d.name, d.description) for d in DEFECTS if names is None or d.name in names]
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=mp.get_context("spawn"),
                             max_tasks_per_child=1) as pool:
        results = list(pool.map(_timed, [name for name, _ in todo]))
    return [Row(name or BASELINE, desc, ids, secs)
            for (name, desc), (ids, secs) in zip(todo, results, strict=True)]


def format_table(rows: list[Row]) -> str:
    """The table defect → cases that caught it, as plain text."""
    w = max(len(r.defect) for r in rows)
    lines = [f"{'defect':<{w}}  caught  cases that failed", "-" * (w + 60)]
    for r in rows:
        verdict = "yes" if r.caught else "NO"
        if r.defect == BASELINE:
            verdict = "ok" if r.caught else "FAIL"
        cases = ", ".join(r.caught_by) if r.caught_by else "—"
        lines.append(f"{r.defect:<{w}}  {verdict:<6}  {cases}")
    n = sum(r.caught for r in rows if r.defect != BASELINE)
    lines.append(f"{n} of {len(rows) - 1} defects caught")
    return "\n".join(lines)
