"""Command-line options checked before any work starts (one-line errors, exit 2)."""

from __future__ import annotations

from collections.abc import Iterable

from sim.errors import ScenarioError

#: Seeds are non-negative and below 2**63 (numpy ``SeedSequence`` entropy, SQLite text).
MAX_SEED = 2**63 - 1


def check_seed(seed: int, option: str = "--seed") -> int:
    """``seed`` if it is a valid root seed, else a one-line :class:`ScenarioError`."""
    if not 0 <= seed <= MAX_SEED:
        raise ScenarioError(f"must be from 0 to 2**63 - 1, got {seed}", field=option,
                            source="<command line>")
    return seed


def check_names(given: Iterable[str], known: Iterable[str], *, option: str,
                what: str) -> list[str]:
    """Every name in ``given`` must be one of ``known`` (listed in the error)."""
    known_list = list(known)
    names = list(given)
    for name in names:
        if name not in known_list:
            import difflib

            close = difflib.get_close_matches(name, known_list, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else \
                f"; expected one of {', '.join(known_list)}"
            raise ScenarioError(f"unknown {what} {name!r}{hint}", field=option,
                                source="<command line>")
    return names
