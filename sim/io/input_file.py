"""Reading input files safely: regular files only, read with a size cap, one-line errors.

Every loader reads its bytes through :func:`read_input_bytes`, so that a FIFO never
blocks, ``/dev/zero`` is never read to exhaustion, a file larger than the cap is refused
before it is read, and an unreadable path (no such file, a name too long, a NUL byte, no
permission) is a :class:`~sim.errors.SafeMallError` naming the file.
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from sim.errors import SafeMallError
from sim.model.limits import MAX_INPUT_BYTES, MAX_NESTING
from sim.model.validation import nesting_depth_exceeds

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _what_is(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"  # pragma: no cover - every other kind is listed


def path_problem(exc: BaseException, what: str = "file") -> str:
    """A short reason for an ``OSError`` or ``ValueError`` raised by a path operation."""
    if isinstance(exc, ValueError):
        why = "the path contains a NUL byte" if "null" in str(exc) else str(exc)
        return f"cannot read {what} ({why})"
    if isinstance(exc, OSError):
        return f"cannot read {what} ({exc.strerror or type(exc).__name__})"
    return str(exc)  # pragma: no cover


def is_dir(path: str | Path) -> bool:
    """``Path.is_dir`` that says false (instead of raising) for any unusable path."""
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False


def check_input_file(path: str | Path, error: type[SafeMallError], what: str = "file", *,
                     limit: int = MAX_INPUT_BYTES) -> int:
    """Size (bytes) of a regular file of at most ``limit`` bytes, else ``error``.

    For inputs a library opens itself (DXF drawings, zip archives): refuse FIFOs, devices,
    directories and oversize files before the library starts reading.
    """
    src = str(path)
    try:
        st = os.stat(path)
    except (OSError, ValueError) as exc:
        raise error(path_problem(exc, what), source=src) from None
    if not stat.S_ISREG(st.st_mode):
        raise error(f"is {_what_is(st.st_mode)}, not a {what}", source=src)
    if st.st_size > limit:
        raise error(f"{what} is {st.st_size:,} bytes, more than the {limit:,} accepted",
                    source=src)
    return st.st_size


def read_input_bytes(path: str | Path, error: type[SafeMallError], what: str = "file", *,
                     limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or ``error`` in one line.

    The file is opened non-blocking (a FIFO swapped in cannot block) and checked with
    ``fstat`` on the open descriptor, then read with a cap of ``limit + 1`` bytes (a file
    that grows while read is refused too).
    """
    src = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise error(f"is a directory, not a {what}", source=src) from None
    except (OSError, ValueError) as exc:
        raise error(path_problem(exc, what), source=src) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise error(f"is {_what_is(st.st_mode)}, not a {what}", source=src)
        if st.st_size > limit:
            raise error(f"{what} is {st.st_size:,} bytes, more than the {limit:,} accepted",
                        source=src)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise error(f"{what} grew past the {limit:,} bytes accepted while being read",
                        source=src)
        return b"".join(chunks)
    except OSError as exc:
        raise error(path_problem(exc, what), source=src) from None
    finally:
        os.close(fd)


def _decode(data: bytes, error: type[SafeMallError], what: str, src: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"not a UTF-8 text {what}", source=src) from None


def parse_toml_text(text: str, error: type[SafeMallError], what: str = "file", *,
                    source: str = "<memory>") -> dict[str, Any]:
    """Parse TOML text as plain data (``tomllib``: never eval, exec or pickle)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"not valid TOML: {exc}", source=source) from None
    except RecursionError:
        raise error(f"tables or arrays nest too deeply (more than {MAX_NESTING} levels)",
                    source=source) from None
    except MemoryError:
        raise error(f"{what} is too large to parse", source=source) from None
    if nesting_depth_exceeds(data):
        raise error(f"tables or arrays nest too deeply (more than {MAX_NESTING} levels)",
                    source=source)
    return data


def read_toml_file(path: str | Path, error: type[SafeMallError], what: str = "file", *,
                   limit: int = MAX_INPUT_BYTES) -> dict[str, Any]:
    """Read and parse a TOML file (capped, regular files only), or ``error`` in one line."""
    src = str(path)
    text = _decode(read_input_bytes(path, error, what, limit=limit), error, what, src)
    return parse_toml_text(text, error, what, source=src)


def parse_json_text(text: str | bytes, error: type[SafeMallError], what: str = "JSON", *,
                    source: str = "<memory>", field: str = "") -> Any:
    """Parse JSON as plain data; bad JSON, deep nesting or exhaustion is ``error``."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise error(f"not valid {what} ({exc})", field=field, source=source) from None
    except RecursionError:
        raise error(f"{what} nests too deeply", field=field, source=source) from None
    except MemoryError:
        raise error(f"{what} is too large to parse", field=field, source=source) from None
    if nesting_depth_exceeds(data):
        raise error(f"{what} nests too deeply (more than {MAX_NESTING} levels)",
                    field=field, source=source)
    return data


def read_json_file(path: str | Path, error: type[SafeMallError], what: str = "JSON file", *,
                   limit: int = MAX_INPUT_BYTES) -> Any:
    """Read and parse a JSON file (capped, regular files only)."""
    src = str(path)
    text = _decode(read_input_bytes(path, error, what, limit=limit), error, what, src)
    return parse_json_text(text, error, what, source=src)
