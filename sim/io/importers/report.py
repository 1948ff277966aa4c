"""The import report: every decision an importer made and everything it did not understand.

An importer never guesses silently. Each thing it skipped, assumed or doubts becomes a
:class:`Finding` with the source entity (DXF handle or IMDF feature id), its layer or
feature type, the level, a short machine-readable ``code`` and a one-line message.
The CLI prints the report and writes it next to the output as
``<stem>.import-report.txt``. The codes are listed in ``docs/import-export.md``.
"""

from __future__ import annotations

import functools
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from sim.errors import LayoutError

Severity = Literal["error", "warning", "info"]
_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the importer did not understand, skipped or assumed.

    ``severity``: ``error`` (something in the source was not imported), ``warning``
    (imported, but doubtful: check the drawing) or ``info`` (a documented decision,
    e.g. a unit conversion or a stair length taken from the polygon).
    """

    severity: Severity
    code: str
    message: str
    source_id: str = ""
    layer: str = ""
    level: str = ""

    def __str__(self) -> str:
        where = []
        if self.source_id:
            where.append(f"#{self.source_id}")
        if self.layer:
            where.append(f"layer {self.layer}")
        if self.level:
            where.append(f"level {self.level}")
        loc = f" [{', '.join(where)}]" if where else ""
        return f"{self.severity:<7} {self.code}{loc}: {self.message}"


@dataclass(frozen=True, slots=True)
class Repair:
    """One thing that blocks a valid layout, and the exact option that fixes it.

    ``affected``: how many spaces it strands (the ranking key); ``option``: the command
    line option (``--exit ID``, ``--link-stairs``, ``--category CAT=KIND``,
    ``--drop ID``); ``line``: the same repair as a line of the overrides file.
    """

    affected: int
    problem: str
    option: str
    line: str

    def __str__(self) -> str:
        return f"{self.problem}\n      fix: {self.option}    (fixes file: {self.line})"


@dataclass
class ImportReport:
    """Findings of one import, plus summary figures (``stats``) and, when the result does
    not validate, the ranked :class:`Repair` list."""

    source: str
    importer: str
    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, float | int | str] = field(default_factory=dict)
    repairs: list[Repair] = field(default_factory=list)

    def add(self, severity: Severity, code: str, message: str, *, source_id: str = "",
            layer: str = "", level: str = "") -> Finding:
        """Record a finding and return it."""
        f = Finding(severity, code, message, str(source_id), layer, level)
        self.findings.append(f)
        return f

    def error(self, code: str, message: str, **where: str) -> Finding:
        """Record something that was not imported."""
        return self.add("error", code, message, **where)

    def warning(self, code: str, message: str, **where: str) -> Finding:
        """Record something imported but doubtful."""
        return self.add("warning", code, message, **where)

    def info(self, code: str, message: str, **where: str) -> Finding:
        """Record a documented decision."""
        return self.add("info", code, message, **where)

    def by_code(self, code: str) -> list[Finding]:
        """Findings with the given code, in the order found."""
        return [f for f in self.findings if f.code == code]

    def codes(self) -> Counter[str]:
        """How many findings of each code."""
        return Counter(f.code for f in self.findings)

    def count(self, severity: Severity) -> int:
        """How many findings of one severity."""
        return sum(1 for f in self.findings if f.severity == severity)

    def summary(self) -> str:
        """One line: source, figures and the number of findings by severity."""
        figs = ", ".join(f"{k} {v}" for k, v in self.stats.items())
        return (f"{self.importer} import of {self.source}: {figs}; "
                f"{self.count('error')} errors, {self.count('warning')} warnings, "
                f"{self.count('info')} notes")

    def sorted_findings(self) -> list[Finding]:
        """Findings by severity (errors first), stable within a severity."""
        return sorted(self.findings, key=lambda f: _ORDER[f.severity])

    def text(self, *, limit_per_code: int | None = None) -> str:
        """The report as text; ``limit_per_code`` shortens long runs of one code."""
        lines = [self.summary()]
        if self.repairs:
            lines.append(f"What blocks a valid layout ({len(self.repairs)}, most spaces "
                         "first), and the fix for each:")
            lines += [f"  {k}. {r}" for k, r in enumerate(self.repairs, 1)]
            lines.append("Findings:")
        shown: Counter[str] = Counter()
        hidden: Counter[str] = Counter()
        for f in self.sorted_findings():
            if limit_per_code is not None and shown[f.code] >= limit_per_code:
                hidden[f.code] += 1
                continue
            shown[f.code] += 1
            lines.append(f"  {f}")
        for code, n in hidden.items():
            lines.append(f"  ... and {n} more {code} (see the report file)")
        return "\n".join(lines) + "\n"

    def write(self, path: str | Path) -> Path:
        """Write the full report as text; return the path."""
        p = Path(path)
        p.write_text(self.text(), encoding="utf-8")
        return p


def report_path_for(out: str | Path) -> Path:
    """``layout.toml`` -> ``layout.import-report.txt`` in the same folder."""
    p = Path(out)
    return p.with_name(f"{p.stem}.import-report.txt")


_F = TypeVar("_F", bound=Callable[..., Any])


def capture_warnings(fn: _F) -> _F:
    """Run an importer with Python warnings (numpy's and shapely's ``RuntimeWarning``)
    caught, and add each distinct one to the result's report as a ``numeric-warning``
    finding instead of printing it on stderr."""
    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fn(*args, **kwargs)
        counts = Counter(f"{w.category.__name__}: {w.message}" for w in caught)
        for text, n in counts.items():
            result.report.warning("numeric-warning", text + (f" ({n} times)" if n > 1 else "")
                                  + "; check the geometry near non-finite or degenerate "
                                  "coordinates")
        return result
    return inner  # type: ignore[return-value]


def malformed_data(importer: str) -> Callable[[_F], _F]:
    """Turn what an importer trips over in malformed source data (a list where a table
    belongs, a string where a number does) into a one-line :class:`LayoutError` naming the
    file; ``--debug`` shows where it was found."""
    import shapely.errors

    def deco(fn: _F) -> _F:
        @functools.wraps(fn)
        def inner(path: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(path, *args, **kwargs)
            except (TypeError, AttributeError, KeyError, ValueError, IndexError, OverflowError,
                    RecursionError, shapely.errors.ShapelyError) as exc:
                raise LayoutError(f"malformed {importer} data ({type(exc).__name__}: {exc}); "
                                  "rerun with --debug to see where", source=str(path)) from exc
        return inner  # type: ignore[return-value]
    return deco
