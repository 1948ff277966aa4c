"""Read TOML input files as plain data, with one-line errors naming the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sim.errors import SafeMallError


def read_toml(path: Any, error: type[SafeMallError], what: str = "file") -> dict[str, Any]:
    """Parse a TOML file as data, or raise ``error`` with a one-line message naming it.

    ``tomllib`` only ever builds plain data (never ``eval``, ``exec`` or ``pickle``).
    """
    p = Path(path)
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"cannot read {what} ({exc.strerror})", source=str(p)) from None
    except UnicodeDecodeError:
        raise error(f"not a UTF-8 text {what}", source=str(p)) from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"not valid TOML: {exc}", source=str(p)) from None
