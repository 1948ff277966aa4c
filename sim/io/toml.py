"""Read TOML input files as plain data, with one-line errors naming the file."""

from __future__ import annotations

from typing import Any

from sim.errors import SafeMallError
from sim.io.input_file import read_toml_file


def read_toml(path: Any, error: type[SafeMallError], what: str = "file") -> dict[str, Any]:
    """Parse a TOML file as data, or raise ``error`` with a one-line message naming it.

    Regular files only, at most :data:`sim.model.limits.MAX_INPUT_BYTES`, nesting at most
    :data:`sim.model.limits.MAX_NESTING` deep (:mod:`sim.io.input_file`); ``tomllib``
    only ever builds plain data (never ``eval``, ``exec`` or ``pickle``).
    """
    return read_toml_file(path, error, what)
