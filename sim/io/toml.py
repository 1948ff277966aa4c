"""TOML files: read input files as plain data (one-line errors naming the file), and
write readable TOML (:func:`dumps_readable`) for generated layouts and plans."""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
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


# ---------------------------------------------------------------------------- writing

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(key: str) -> str:
    """A table key: bare when it can be, else a quoted string."""
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """``value`` as one line of TOML value text (scalars, arrays, inline tables).

    Strings are written as JSON strings, which are valid TOML basic strings.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{" + (f" {inner} " if inner else "") + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a TOML value")


def _array(key: str, items: Sequence[Any], width: int) -> str:
    """``key = [...]`` on one line, or one item per line when longer than ``width``."""
    one = f"{toml_key(key)} = {toml_value(items)}"
    if len(one) <= width:
        return one
    return f"{toml_key(key)} = [\n" + "".join(f"    {toml_value(x)},\n" for x in items) + "]"


def _is_table_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, Mapping) for x in v)


def _inline_ok(items: Sequence[Mapping[str, Any]], width: int = 140) -> bool:
    return all(len(toml_value(x)) <= width and not any(
        isinstance(y, Mapping | list) and len(toml_value(y)) > 60 for y in x.values())
        for x in items)


def _section(path: str, table: Mapping[str, Any], out: list[str], width: int, *,
             array: bool = False) -> None:
    head = f"[[{path}]]" if array else f"[{path}]" if path else ""
    body: list[str] = []
    later: list[tuple[str, Any]] = []
    for k, v in table.items():
        if isinstance(v, Mapping) or (_is_table_list(v) and (not path or not _inline_ok(v))):
            later.append((k, v))
        elif isinstance(v, list | tuple):
            body.append(_array(k, v, width))
        else:
            body.append(f"{toml_key(k)} = {toml_value(v)}")
    if head:
        out.append(head)
    out.extend(body)
    out.append("")
    for k, v in later:
        sub = f"{path}.{toml_key(k)}" if path else toml_key(k)
        if isinstance(v, Mapping):
            _section(sub, v, out, width)
        else:
            for item in v:
                _section(sub, item, out, width, array=True)


def dumps_readable(data: Mapping[str, Any], *, width: int = 96) -> str:
    """TOML text people can read and diff: scalars first, then sub-tables in order.

    An array stays on one line when it fits in ``width`` characters (a point
    ``[12.5, 40.0]``, a short polygon), else one item per line (a polygon: one point per
    line, never one coordinate per line); lists of small tables are inline tables inside
    a section and ``[[sections]]`` at the top level. What it writes reads back equal.
    """
    out: list[str] = []
    _section("", data, out, width)
    text = "\n".join(out).rstrip() + "\n"
    if tomllib.loads(text) != _plain(data):
        raise ValueError("the TOML written does not read back equal")  # pragma: no cover
    return text


def _plain(v: Any) -> Any:
    """Tuples as lists and mappings as dicts, as ``tomllib`` reads them back."""
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v
