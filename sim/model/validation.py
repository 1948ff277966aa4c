"""Turn pydantic validation errors into SafeMall's one-line messages.

Shared by the layout, security-plan, scenario and batch loaders so that every file
reports its problems the same way: ``file: entry.field: reason`` where an entry in a
list of tables is named by its ``id`` (``spaces['hall'].kind``) when it has one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError

from sim.model import limits

# -- the numeric types of every input model --------------------------------------------
#
# One strict numeric type for all inputs: a ``Number`` is a finite float (an integer is
# taken as a float), never a boolean, a string or NaN/inf; a ``Whole`` is an integer,
# never a boolean, a float or a string. Bounded aliases carry the physical limits of
# :mod:`sim.model.limits`; models add tighter ``Field`` bounds where a field needs them.
# ``tests/unit/test_input_types.py`` checks that no input model has a bare float or int.

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A finite real number (no NaN, no inf, no boolean, no string)."""
Whole = Annotated[int, Field(strict=True)]
"""An integer (no boolean, no float, no string)."""

Coordinate = Annotated[Number, Field(ge=-limits.MAX_COORD_M, le=limits.MAX_COORD_M)]
"""A plan coordinate (m)."""
Length = Annotated[Number, Field(ge=0, le=limits.MAX_EXTENT_M)]
"""A length or distance (m), 0 allowed."""
PositiveLength = Annotated[Number, Field(gt=0, le=limits.MAX_EXTENT_M)]
"""A length (m) above 0."""
Width = Annotated[Number, Field(gt=0, le=limits.MAX_OPENING_WIDTH_M)]
"""A clear width (m) above 0."""
Speed = Annotated[Number, Field(gt=0, le=limits.MAX_PERSON_SPEED_MPS)]
"""A person's speed (m/s) above 0."""
Seconds = Annotated[Number, Field(ge=0, le=limits.MAX_TIME_S)]
"""A time or delay (s), 0 allowed."""
PositiveSeconds = Annotated[Number, Field(gt=0, le=limits.MAX_TIME_S)]
"""A duration (s) above 0."""
TimeStep = Annotated[Number, Field(ge=limits.MIN_TIME_STEP_S, le=3600.0)]
"""A hazard's or sampler's time step (s)."""
Share = Annotated[Number, Field(ge=0, le=1)]
"""A probability or share in [0, 1]."""
Density = Annotated[Number, Field(gt=0, le=limits.MAX_DENSITY_PM2)]
"""A crowd density (persons/m²) above 0."""
Rate = Annotated[Number, Field(ge=0, le=limits.MAX_RATE)]
"""A per-minute rate or a dimensionless factor, 0 allowed."""
Staff = Annotated[Whole, Field(ge=0, le=limits.MAX_STAFF)]
"""A number of staff (guards, members, operators, officers)."""
Count = Annotated[Whole, Field(ge=0, le=limits.MAX_OCCUPANTS)]
"""A number of people or items."""
Seed = Annotated[Whole, Field(ge=0, lt=2**63)]
"""A root seed."""


def nesting_depth_exceeds(value: Any, limit: int = limits.MAX_NESTING) -> bool:
    """Whether tables/arrays in ``value`` nest deeper than ``limit`` (iterative walk)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if depth >= limit:
                return True
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            if depth >= limit:
                return True
            stack.extend((v, depth + 1) for v in node)
    return False


def _unique_ids(items: list[Any]) -> list[Any]:
    seen: set[str] = set()
    for item in items:
        key = getattr(item, "id", None)
        if key is None:
            continue
        if key in seen:
            raise ValueError(f"duplicate id {key!r}")
        seen.add(key)
    return items


def UniqueIds(item: Any) -> Any:
    """A list of tables with an ``id`` each, at most ``MAX_ITEMS`` long, ids unique."""
    return Annotated[list[item], Field(max_length=limits.MAX_ITEMS),
                     AfterValidator(_unique_ids)]


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


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _reason(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind in {"float_type", "float_parsing"}:
        noun = "a boolean" if isinstance(value, bool) else type(value).__name__
        return f"expected a number, got {_shown(value)} ({noun})"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        noun = "a boolean" if isinstance(value, bool) else type(value).__name__
        return f"expected a whole number, got {_shown(value)} ({noun})"
    if kind == "finite_number":
        return f"must be a finite number, got {_shown(value)}"
    if kind == "too_long":
        return f"at most {ctx.get('max_length', '?')} entries, got {ctx.get('actual_length', '?')}"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required field is missing"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        sym = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
               "less_than_equal": "<="}[kind]
        bound = next(iter(ctx.values()), "?")
        return f"must be {sym} {bound:g}, got {_shown(value)}" if isinstance(bound, float) \
            else f"must be {sym} {bound}, got {_shown(value)}"
    if kind == "literal_error":
        return f"unknown value {_shown(value)}; expected {ctx.get('expected', '')}"
    msg = str(err.get("msg", "invalid value"))
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    return f"{msg} (got {_shown(value)})" if value is not None else msg


_NOT_TAGS = frozenset({"missing", "extra_forbidden"})


def _clean_loc(err: Mapping[str, Any], raw: Any) -> tuple[list[Any], int]:
    """The error's location inside ``raw`` without pydantic's union-member tags, and how
    many of its steps were found in ``raw`` (deeper is a better guess of the culprit)."""
    loc = [k for k in err.get("loc", ()) if not (isinstance(k, str) and k.startswith("function-"))]
    clean: list[Any] = []
    node = raw
    found = 0
    for i, key in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, Mapping) and key in node:
            clean.append(key)
            node = node[key]
            found += 1
        elif isinstance(node, Sequence) and not isinstance(node, str) and isinstance(key, int):
            clean.append(key)
            node = node[key] if 0 <= key < len(node) else None
            found += 1
        elif isinstance(key, str) and (not last or err.get("type") not in _NOT_TAGS):
            continue  # a union member's tag ('float', 'SpeedDist', 'constrained-float')
        elif isinstance(node, Mapping):
            clean.append(key)  # a missing or unknown key
            break
        else:
            break
    return clean, found


def first_error(exc: ValidationError, raw: Any) -> tuple[str, str]:
    """The ``(field, reason)`` of the most specific error in ``exc``, located in ``raw``.

    Of a union's alternatives the one whose location reaches deepest into ``raw`` is
    reported (``free_speed_mps.sd: must be >= 0`` rather than ``free_speed_mps: expected
    a number``), else the first.
    """
    errs = exc.errors()
    locs = [_clean_loc(err, raw) for err in errs]
    # deepest first; then an error about the value's content over one about its type
    # (a table given for ``free_speed_mps`` is judged as the table, not as a number)
    k = max(range(len(errs)), key=lambda i: (locs[i][1], not str(errs[i].get("type", ""))
                                             .endswith("_type"), -i))
    best, best_loc = errs[k], locs[k][0]
    # alternatives of one union value are one problem, not several
    others = {tuple(loc) for loc, _ in locs
              if loc[:len(best_loc)] != best_loc and best_loc[:len(loc)] != loc}
    reason = _reason(best)
    if others:
        reason += f" (and {len(others)} more problem{'s' if len(others) > 1 else ''})"
    return location(raw, best_loc), reason


