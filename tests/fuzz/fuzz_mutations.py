"""Hypothesis strategies that break valid inputs the way files get broken.

A mutation picks a place in a parsed document (any table key or array item, at any depth)
and does one of: drop it, give it a value of the wrong type, a non-finite or extreme
number, duplicate an array item (duplicate ids), nest it deep in arrays, make it huge
(long arrays, long strings), or point a reference at something that does not exist.
Text mutations then may cut the file short, put a NUL byte or garbage in it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

Path_ = tuple[Any, ...]

EXTREME_NUMBERS: tuple[Any, ...] = (
    math.nan, math.inf, -math.inf, 0, 0.0, -0.0, -1, -1.0, 1e-308, 5e-324, 1e-6, 1e6, 1e7,
    1e9, 1e12, 1e300, 1e308, -1e308, 2**31, 2**53 + 1, 2**63 - 1, -(2**63), 10_000_000,
)
WRONG_TYPES: tuple[Any, ...] = ("text", "", True, False, [], {}, [1, 2, 3], {"x": 1},
                                ["a", "b"], [[0, 0], [1, 1]], "1e3", "nan")
KINDS = ("drop", "type", "number", "number", "duplicate", "nest", "huge", "reference")


#: Of a long array only this many items (spread over it) are mutation places.
SAMPLE_ITEMS = 6


def paths(doc: Any, prefix: Path_ = (), depth: int = 0) -> list[Path_]:
    """Key and item paths in ``doc`` (not the root); long arrays and deep nests sampled."""
    out: list[Path_] = []
    if depth > 40:
        return out
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append((*prefix, k))
            out.extend(paths(v, (*prefix, k), depth + 1))
    elif isinstance(doc, list):
        n = len(doc)
        idx = range(n) if n <= SAMPLE_ITEMS else sorted({0, 1, n // 3, n // 2, n - 2, n - 1})
        for i in idx:
            out.append((*prefix, i))
            out.extend(paths(doc[i], (*prefix, i), depth + 1))
    return out


def _parent(doc: Any, path: Path_) -> Any:
    node = doc
    for k in path[:-1]:
        node = node[k]
    return node


def _numbers() -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(EXTREME_NUMBERS),
                     st.floats(allow_nan=True, allow_infinity=True),
                     st.integers(min_value=-(2**63), max_value=2**63 - 1))


def mutate(doc: Any, data: st.DataObject) -> str:
    """Apply one random mutation to ``doc`` in place; return what it did."""
    ps = paths(doc)
    if not ps:
        return "nothing to mutate"
    path = data.draw(st.sampled_from(ps), label="path")
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    parent = _parent(doc, path)
    key = path[-1]
    value = parent[key]
    if kind == "drop":
        del parent[key]
    elif kind == "type":
        parent[key] = copy.deepcopy(data.draw(st.sampled_from(WRONG_TYPES), label="wrong"))
    elif kind == "number":
        parent[key] = data.draw(_numbers(), label="number")
    elif kind == "duplicate":
        if isinstance(parent, list):
            parent.append(copy.deepcopy(value))
        elif isinstance(value, list) and value:
            value.append(copy.deepcopy(value[0]))
        else:
            parent[key] = [value, value]
    elif kind == "nest":
        depth = data.draw(st.sampled_from([2, 8, 65, 200]), label="depth")
        for _ in range(depth):
            value = [value]
        parent[key] = value
    elif kind == "huge":
        n = data.draw(st.sampled_from([1000, 20_000, 100_000]), label="n")
        if isinstance(value, list) and value:
            parent[key] = [copy.deepcopy(value[0]) for _ in range(n)] \
                if n <= 20_000 else value * (n // max(1, len(value)))
        elif isinstance(value, str):
            unit = value[:8] or "x"
            parent[key] = unit * (n // len(unit))  # about n characters
        else:
            parent[key] = data.draw(st.sampled_from([1e300, 10**18, 10**7]), label="big")
    elif kind == "reference":
        parent[key] = data.draw(st.sampled_from(["nowhere", "L9", "exit-nope", "hall#7", "",
                                                 "../../etc/passwd", "a\nb", "x\x00y"]),
                                label="ref")
    return f"{kind} at {'.'.join(map(str, path))}"


def mutated(base: Any, data: st.DataObject, *, max_mutations: int = 3) -> tuple[Any, list[str]]:
    """A deep copy of ``base`` with 1 to ``max_mutations`` mutations applied."""
    doc = copy.deepcopy(base)
    done = [mutate(doc, data)
            for _ in range(data.draw(st.integers(1, max_mutations), label="mutations"))]
    return doc, done


TEXT_MUTATIONS = ("none", "none", "none", "truncate", "nul", "garbage", "deep")


def mutate_text(text: str, data: st.DataObject) -> str:
    """Break the serialised file itself (most often: leave it alone)."""
    kind = data.draw(st.sampled_from(TEXT_MUTATIONS), label="text")
    if kind == "truncate" and text:
        return text[:data.draw(st.integers(0, len(text) - 1), label="cut")]
    if kind == "nul":
        at = data.draw(st.integers(0, len(text)), label="at")
        return text[:at] + "\x00" + text[at:]
    if kind == "garbage":
        return text + data.draw(st.sampled_from(["\n[[[", "\nx = ", "\n= 3", "\n\xff\xfe",
                                                 "\n[spaces]\n", "\nschema = 3"]),
                                label="garbage")
    if kind == "deep":
        depth = data.draw(st.sampled_from([100, 1000, 100_000]), label="deep")
        return text + "\nzz = " + "[" * depth + "]" * depth + "\n"
    return text


def toml_text(doc: Any, dump: Callable[[Any], str]) -> str | None:
    """``doc`` as TOML, or ``None`` when TOML cannot hold it (a NUL byte in a key, an
    array nested deeper than the writer recurses)."""
    try:
        return dump(doc)
    except (TypeError, ValueError, RecursionError):
        return None
