"""The table of verification cases: how a case is declared, run and reported.

A case is a function returning a :class:`Check` (what was expected, what came out, the
tolerance and the verdict), declared with :func:`case`, which gives it an id, a name,
its kind and its source::

    @case("AT-01", "RiMEA 1 corridor speed", kind="engine", source="RiMEA 1 [J1]")
    def at01() -> Check:
        ...
        return Check("30.08 s", f"{t:.2f} s", "±0.01 s", abs(t - 30.08) <= 0.01)

``kind`` says honestly what the row exercises: ``"engine"`` cases run
:func:`sim.run.run_scenario` on a building and measure the outcome; ``"formula"`` cases
evaluate a law or a lookup the engine uses, without running it. Adding a case is
writing one such function in a module listed in :data:`CASE_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sim.analysis.verification.bound import bound_ledger

Kind = Literal["engine", "formula"]

CASE_MODULES: tuple[str, ...] = (
    "sim.analysis.verification.cases_rimea",
    "sim.analysis.verification.cases_flow",
    "sim.analysis.verification.cases_stairs",
    "sim.analysis.verification.cases_fire",
    "sim.analysis.verification.cases_smoke",
    "sim.analysis.verification.cases_formula",
)
"""Modules whose ``@case`` functions make up the suite, in table order."""


@dataclass(frozen=True)
class Check:
    """The outcome of one case: expected and obtained (as text), tolerance, verdict."""

    expected: str
    obtained: str
    tolerance: str
    passed: bool


@dataclass(frozen=True)
class CaseResult:
    """One row of the verification table."""

    id: str
    name: str
    kind: Kind
    expected: str
    obtained: str
    tolerance: str
    passed: bool
    source: str


@dataclass(frozen=True)
class Case:
    """A declared case: its identity and the function that runs it."""

    id: str
    name: str
    kind: Kind
    source: str
    fn: Callable[[], Check]

    def run(self) -> CaseResult:
        """Run the case; an exception is a failed row, reported, not hidden.

        Every engine run of an engine case is also checked against the quickest-flow
        bound from published capacities (:mod:`sim.analysis.verification.bound`): a run that
        beats it fails the case.
        """
        try:
            with bound_ledger() as ledger:
                c = self.fn()
            obtained, passed = c.obtained, bool(c.passed)
            beaten = [b for b in ledger if b.beaten]
            if beaten:
                b = min(beaten, key=lambda x: x.t_evacuation_s / x.bound_s)
                obtained += (f"; a run beats the published-capacity bound "
                             f"({b.t_evacuation_s:.1f} s < {b.bound_s:.1f} s)")
                passed = False
            elif self.kind == "engine" and ledger:
                r = min(b.t_evacuation_s / b.bound_s for b in ledger if b.bound_s > 0) \
                    if any(b.bound_s > 0 for b in ledger) else float("nan")
                obtained += f"; t/T*pub ≥ {r:.2f}"
            return CaseResult(self.id, self.name, self.kind, c.expected, obtained,
                              c.tolerance, passed, self.source)
        except Exception as exc:
            return CaseResult(self.id, self.name, self.kind, "-",
                              f"error: {type(exc).__name__}: {exc}", "-", False, self.source)


_REGISTRY: dict[str, Case] = {}


def case(case_id: str, name: str, *, kind: Kind, source: str
         ) -> Callable[[Callable[[], Check]], Callable[[], Check]]:
    """Declare a verification case (decorator)."""
    def wrap(fn: Callable[[], Check]) -> Callable[[], Check]:
        if case_id in _REGISTRY and _REGISTRY[case_id].fn is not fn:
            raise ValueError(f"verification case {case_id} declared twice")
        _REGISTRY[case_id] = Case(case_id, name, kind, source, fn)
        return fn
    return wrap


def all_cases() -> dict[str, Case]:
    """Every declared case, in table order (imports the case modules)."""
    for mod in CASE_MODULES:
        importlib.import_module(mod)
    return dict(_REGISTRY)


def run_cases(ids: list[str] | None = None, kind: Kind | None = None) -> list[CaseResult]:
    """Run the named cases (all by default; optionally one kind) in table order."""
    out = []
    for cid, c in all_cases().items():
        if ids and cid not in ids:
            continue
        if kind is not None and c.kind != kind:
            continue
        out.append(c.run())
    return out
