"""One error tree for every input problem SafeMall reports.

Every error renders as one line, ``source: entry.field: reason``, so the CLI can print it
and exit with status 2 instead of showing a traceback.
"""

from __future__ import annotations

import unicodedata


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped (``\\n``, ``\\x00``)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " or unicodedata.category(c)[0] != "C"
                   else repr(c)[1:-1] for c in text)


def _clip(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters (a huge value must not flood a line)."""
    return text if len(text) <= limit else f"{text[:limit - 25]}... ({len(text):,} characters)"


class SafeMallError(Exception):
    """Base class for every error SafeMall raises on bad input or impossible scenarios."""

    def __init__(self, reason: str, *, field: str = "", source: str = "<memory>") -> None:
        reason, field = _clip(one_line(str(reason)), 600), _clip(one_line(str(field)), 200)
        source = _clip(one_line(str(source)), 600)
        self.reason, self.field, self.source = reason, field, source
        where = f"{source}: {field}: " if field else f"{source}: "
        super().__init__(f"{where}{reason}")

    def with_source(self, source: str) -> SafeMallError:
        """Return a copy of this error that names ``source`` (a file path)."""
        return type(self)(self.reason, field=self.field, source=source)


class LayoutError(SafeMallError):
    """A floor plan is malformed (unknown key, bad geometry, unreachable exit, ...)."""


class ScenarioError(SafeMallError):
    """A scenario or batch file is malformed or refers to something that does not exist."""


class SecurityPlanError(SafeMallError):
    """A security plan is malformed or refers to unknown spaces, openings or shops."""


class ReplayError(SafeMallError):
    """A replay file is corrupted, truncated or of an unknown version."""
