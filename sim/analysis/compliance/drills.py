"""Drill and training logs (``schema = "safemall/drills/1"``) and clauses SM-1.2b/c.

Documented in ``docs/compliance.md``. A log lists dated training sessions and drills,
and optionally document reviews for the documents-only clauses::

    schema = "safemall/drills/1"
    mall = "Grand"
    period = { start = 2025-01-01, end = 2025-12-31 }   # optional

    [[training]]
    date = 2025-01-14
    audience = ["mall", "shops"]        # default: both
    topics = ["threat briefing", "recognising suspects", "prevention"]
    participants = 180

    [[drills]]
    date = 2025-02-18
    type = "fire"                       # fire robbery hostage attack sabotage explosion
    scenario = "../../scenarios/drill_grand.toml"   # optional
    participants = 240

    [[documents]]
    clause = "SM-1.2a"
    status = "pass"                     # pass | fail
    evidence = "Emergency plan v3 posted at the duty room, checked 2025-03-02"
    reviewer = "District PSB"
    date = 2025-03-02

Rules (SM-1.2b/c)
-----------------
* **Period**: ``--period`` on the command line, else the log's ``period``, else the
  calendar year of the log's latest dated entry.
* **SM-1.2b monthly training**: every calendar month wholly inside the period has a
  training session for mall staff and one for the joint-defence shops' staff (one
  session may serve both: ``audience = ["mall", "shops"]``).
* **SM-1.2c quarterly drills**: every calendar quarter wholly inside the period has a
  drill of each of the six types of the plan: fire, robbery, hostage(-taking), (violent)
  attack / homicide, sabotage, explosion.
* Months or quarters only partly inside the period are not due. A period holding no
  whole month (quarter) gives ``not_specified``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.analysis.compliance.clauses import BY_ID, title
from sim.analysis.compliance.model import ClauseResult, Evidence
from sim.errors import SafeMallError
from sim.io.toml import read_toml
from sim.model.validation import Count, Number, first_error

SCHEMA: Final = "safemall/drills/1"
DrillType = Literal["fire", "robbery", "hostage", "attack", "sabotage", "explosion"]
#: The six drill types of SM-1.2c, in the plan's order.
DRILL_TYPES: Final[tuple[str, ...]] = ("fire", "robbery", "hostage", "attack", "sabotage",
                                       "explosion")
Audience = Literal["mall", "shops"]
_BOTH: Final[tuple[Audience, ...]] = ("mall", "shops")


class DrillLogError(SafeMallError):
    """A drill and training log is malformed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Period(_Strict):
    """An inclusive date range."""

    start: dt.date
    end: dt.date


class Training(_Strict):
    """A security training session (SM-1.2b)."""

    date: dt.date
    audience: list[Audience] = Field(default_factory=lambda: list(_BOTH), min_length=1)
    topics: list[str] = Field(default_factory=list)
    participants: Count | None = None
    hours: Number | None = Field(default=None, gt=0, le=1000)
    note: str = ""


class Drill(_Strict):
    """An emergency-plan drill (SM-1.2c)."""

    date: dt.date
    type: DrillType
    scenario: str = ""
    participants: Count | None = None
    note: str = ""


class DocumentReview(_Strict):
    """A document review of a documents-only clause."""

    clause: str
    status: Literal["pass", "fail"]
    evidence: str = ""
    reviewer: str = ""
    date: dt.date | None = None


class DrillLog(_Strict):
    """A validated drill and training log."""

    schema_: Literal["safemall/drills/1"] = Field(alias="schema")
    mall: str = ""
    period: Period | None = None
    training: list[Training] = Field(default_factory=list)
    drills: list[Drill] = Field(default_factory=list)
    documents: list[DocumentReview] = Field(default_factory=list)
    source: str = "<memory>"

    def dates(self) -> list[dt.date]:
        """Every dated entry."""
        return [t.date for t in self.training] + [d.date for d in self.drills]


def load_drill_log(path: str | Path) -> DrillLog:
    """Read and validate a drill log.

    Raises
    ------
    DrillLogError
        One line naming the file, the entry and the field.
    """
    p = Path(path)
    raw = read_toml(p, DrillLogError)
    return drill_log_from_dict(raw, source=str(p))


def drill_log_from_dict(raw: Mapping[str, Any], *, source: str = "<memory>") -> DrillLog:
    """Validate a parsed log."""
    data = {**raw, "source": source}
    try:
        log = DrillLog.model_validate(data)
    except ValidationError as exc:
        fld, reason = first_error(exc, data)
        raise DrillLogError(reason, field=fld, source=source) from None
    if log.period is not None and log.period.end < log.period.start:
        raise DrillLogError("end is before start", field="period.end", source=source)
    for i, d in enumerate(log.documents):
        if d.clause not in BY_ID:
            raise DrillLogError(f"unknown clause {d.clause!r}", field=f"documents[{i}].clause",
                                source=source)
    return log


def parse_period(text: str) -> Period:
    """``2025`` (a calendar year) or ``2025-01-01:2025-06-30`` (inclusive)."""
    try:
        if ":" in text:
            a, b = text.split(":", 1)
            p = Period(start=dt.date.fromisoformat(a.strip()), end=dt.date.fromisoformat(b.strip()))
        else:
            y = int(text)
            p = Period(start=dt.date(y, 1, 1), end=dt.date(y, 12, 31))
    except (ValueError, ValidationError):
        raise DrillLogError(f"expected YYYY or YYYY-MM-DD:YYYY-MM-DD, got {text!r}",
                            field="--period", source="<command line>") from None
    if p.end < p.start:
        raise DrillLogError("end is before start", field="--period", source="<command line>")
    return p


def log_period(log: DrillLog, period: Period | None = None) -> Period | None:
    """The period to judge: given, else the log's, else the latest entry's calendar year."""
    if period is not None:
        return period
    if log.period is not None:
        return log.period
    dates = log.dates()
    if not dates:
        return None
    y = max(dates).year
    return Period(start=dt.date(y, 1, 1), end=dt.date(y, 12, 31))


def _month_end(y: int, m: int) -> dt.date:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass(frozen=True)
class _Slot:
    label: str
    start: dt.date
    end: dt.date


def months_in(period: Period) -> list[_Slot]:
    """Calendar months wholly inside ``period``."""
    out = []
    y, m = period.start.year, period.start.month
    while dt.date(y, m, 1) <= period.end:
        s, e = dt.date(y, m, 1), _month_end(y, m)
        if s >= period.start and e <= period.end:
            out.append(_Slot(f"{y}-{m:02d}", s, e))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def quarters_in(period: Period) -> list[_Slot]:
    """Calendar quarters wholly inside ``period``."""
    out = []
    for y in range(period.start.year, period.end.year + 1):
        for q in range(4):
            s, e = dt.date(y, 3 * q + 1, 1), _month_end(y, 3 * q + 3)
            if s >= period.start and e <= period.end:
                out.append(_Slot(f"{y}-Q{q + 1}", s, e))
    return out


def _period_text(p: Period) -> str:
    if (p.start.month, p.start.day, p.end.month, p.end.day) == (1, 1, 12, 31) \
            and p.start.year == p.end.year:
        return str(p.start.year)
    return f"{p.start.isoformat()} to {p.end.isoformat()}"


def _schedule_period(cid: str, required: str, unit: str, units_in: Any,
                     log: DrillLog | None, period: Period | None
                     ) -> tuple[Period | None, ClauseResult | None]:
    """The period to judge, or the ``not_specified`` result when there is nothing to judge."""
    if log is None:
        return None, ClauseResult(cid, title(cid), "not_specified", required,
                                  "no drill and training log given", kind="schedule",
                                  source="drills",
                                  remedies=("give a drill and training log (drills.toml)",))
    p = log_period(log, period)
    if p is None or not units_in(p):
        return None, ClauseResult(cid, title(cid), "not_specified", required,
                                  f"the period holds no whole calendar {unit}",
                                  kind="schedule", source="drills",
                                  evidence=Evidence(notes=(f"log {log.source}",)))
    return p, None


def check_training(log: DrillLog | None, period: Period | None = None) -> ClauseResult:
    """SM-1.2b: a training session for mall staff and for the shops in every month."""
    cid = "SM-1.2b"
    p, early = _schedule_period(cid, "monthly training", "month", months_in, log, period)
    if early is not None:
        return early
    assert log is not None and p is not None
    months = months_in(p)
    short: list[str] = []
    remedies: list[str] = []
    for m in months:
        aud: set[str] = set()
        for t in log.training:
            if m.start <= t.date <= m.end:
                aud.update(t.audience)
        lack = [a for a in ("mall", "shops") if a not in aud]
        if lack:
            short.append(f"{m.label}: no training for {' and '.join(lack)}")
    n_ok = len(months) - len(short)
    if short:
        remedies.append("hold and log training in " + ", ".join(s.split(":")[0] for s in short))
    return ClauseResult(
        cid, title(cid), "fail" if short else "pass",
        required="monthly, for mall staff and shops",
        actual=f"{n_ok}/{len(months)} months ({_period_text(p)})",
        evidence=Evidence(notes=(f"log {log.source}", f"{len(log.training)} sessions logged")),
        missing=Evidence(notes=tuple(short)), remedies=tuple(remedies),
        kind="schedule", source="drills",
        facts={"have": n_ok, "need": len(months), "period": _period_text(p),
               "short": [s.split(":")[0] for s in short]})


def check_drills(log: DrillLog | None, period: Period | None = None) -> ClauseResult:
    """SM-1.2c: a drill of each of the six types in every quarter."""
    cid = "SM-1.2c"
    p, early = _schedule_period(cid, "quarterly drills of six types", "quarter", quarters_in,
                                log, period)
    if early is not None:
        return early
    assert log is not None and p is not None
    quarters = quarters_in(p)
    short: list[str] = []
    for q in quarters:
        done = {d.type for d in log.drills if q.start <= d.date <= q.end}
        lack = [t for t in DRILL_TYPES if t not in done]
        if lack:
            short.append(f"{q.label}: no {', '.join(lack)} drill")
    need = len(quarters) * len(DRILL_TYPES)
    have = need - sum(len(s.split(": no ")[1].removesuffix(" drill").split(", "))
                      for s in short)
    remedies = tuple(f"drill in {s.split(':')[0]}: {s.split(': no ')[1].removesuffix(' drill')}"
                     for s in short)
    return ClauseResult(
        cid, title(cid), "fail" if short else "pass",
        required=f"{len(DRILL_TYPES)} types every quarter",
        actual=f"{have}/{need} type-quarters ({_period_text(p)})",
        evidence=Evidence(notes=(f"log {log.source}", f"{len(log.drills)} drills logged",
                                 f"types: {', '.join(DRILL_TYPES)}")),
        missing=Evidence(notes=tuple(short)), remedies=remedies,
        kind="schedule", source="drills",
        facts={"have": have, "need": need, "period": _period_text(p),
               "types": len(DRILL_TYPES)})
