"""Turn pydantic validation errors into SafeMall's one-line messages.

Shared by the layout, security-plan, scenario and batch loaders so that every file
reports its problems the same way: ``file: entry.field: reason`` where an entry in a
list of tables is named by its ``id`` (``spaces['hall'].kind``) when it has one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError


def _entry_name(container: Any, key: Any) -> tuple[str, Any]:
    """Render one step of a location path, naming list items by their ``id``."""
    if isinstance(key, int) and isinstance(container, Sequence) and not isinstance(container, str):
        item = container[key] if 0 <= key < len(container) else None
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            return f"[{item['id']!r}]", item
        return f"[{key}]", item
    if isinstance(container, Mapping):
        return f".{key}", container.get(key)
    return f".{key}", None


def location(raw: Any, loc: Sequence[Any]) -> str:
    """Dotted path of ``loc`` inside ``raw``, e.g. ``openings['south-door'].width_m``."""
    parts: list[str] = []
    node = raw
    for key in loc:
        text, node = _entry_name(node, key)
        parts.append(text)
    return "".join(parts).lstrip(".") or "<root>"


def _reason(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required field is missing"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        sym = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
               "less_than_equal": "<="}[kind]
        bound = next(iter(ctx.values()), "?")
        return f"must be {sym} {bound}, got {value!r}"
    if kind == "literal_error":
        return f"unknown value {value!r}; expected {ctx.get('expected', '')}"
    msg = str(err.get("msg", "invalid value"))
    return f"{msg} (got {value!r})" if value is not None and kind != "value_error" else msg


def first_error(exc: ValidationError, raw: Any) -> tuple[str, str]:
    """The ``(field, reason)`` of the first error in ``exc``, located inside ``raw``."""
    errs = exc.errors()
    err = errs[0]
    loc = [k for k in err.get("loc", ()) if not (isinstance(k, str) and k.startswith("function-"))]
    # pydantic reports the failing union member / literal tag as an extra loc step
    clean: list[Any] = []
    node = raw
    for key in loc:
        if isinstance(node, Mapping) and key in node:
            clean.append(key)
            node = node[key]
        elif isinstance(node, Sequence) and not isinstance(node, str) and isinstance(key, int):
            clean.append(key)
            node = node[key] if 0 <= key < len(node) else None
        elif isinstance(node, Mapping):
            clean.append(key)  # a missing or unknown key
            break
        else:
            break
    reason = _reason(err)
    if len(errs) > 1:
        reason += f" (and {len(errs) - 1} more problem{'s' if len(errs) > 2 else ''})"
    return location(raw, clean), reason


