"""Result objects of the compliance checker: one :class:`ClauseResult` per clause.

A result says whether a clause is met (``pass``), not met (``fail``), does not apply to
this mall (``not_applicable``, e.g. the car-park cameras of a mall without a car park)
or cannot be judged from the files (``not_specified``: below 10,000 m² SM-1.3b sets no
number; a documents-only clause needs a document review). ``not_specified`` is never a
silent pass: it is listed in the report and in the summary counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal

Status = Literal["pass", "fail", "not_applicable", "not_specified"]
STATUSES: Final[tuple[str, ...]] = ("pass", "fail", "not_applicable", "not_specified")


@dataclass(frozen=True)
class Evidence:
    """Spaces, openings and devices (ids) that a verdict rests on, plus free-text notes."""

    spaces: tuple[str, ...] = ()
    openings: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.spaces or self.openings or self.devices or self.notes)

    def to_json(self) -> dict[str, list[str]]:
        """Lists instead of tuples."""
        return {k: list(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class ClauseResult:
    """The verdict on one clause.

    ``evidence`` is what was found (the devices, spaces and openings that satisfy the
    clause, or the counts); ``missing`` is what falls short (uncovered spaces, doors
    without bollards, shops of groups that are not adjacent): the report highlights it
    on the plan. ``remedies`` say what to change to comply ("add 4 guards").
    """

    id: str
    title: str
    status: Status
    required: str = ""
    actual: str = ""
    evidence: Evidence = field(default_factory=Evidence)
    missing: Evidence = field(default_factory=Evidence)
    remedies: tuple[str, ...] = ()
    kind: str = ""
    source: str = "static"
    """``static`` (layout + plan), ``drills`` (the log), ``document``, ``GB 50016``."""
    facts: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    """The numbers the verdict rests on (e.g. SM-1.3b: ``area_m2``, ``required``,
    ``have``), so a report can spell out each requirement's formula in any language
    (:mod:`sim.report.formulas`)."""

    @property
    def failed(self) -> bool:
        """True when the clause is not met."""
        return self.status == "fail"

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable mapping."""
        return {
            "id": self.id, "title": self.title, "kind": self.kind, "source": self.source,
            "status": self.status, "required": self.required, "actual": self.actual,
            "evidence": self.evidence.to_json(), "missing": self.missing.to_json(),
            "remedies": list(self.remedies), "facts": dict(self.facts),
        }


def summarise(results: list[ClauseResult]) -> dict[str, int]:
    """Count results by status (every status present, zero when absent)."""
    out = dict.fromkeys(STATUSES, 0)
    for r in results:
        out[r.status] += 1
    return out


def verdict(results: list[ClauseResult]) -> Literal["pass", "fail"]:
    """``fail`` when any clause fails, else ``pass`` (not-specified clauses are listed)."""
    return "fail" if any(r.failed for r in results) else "pass"
