"""One strict numeric type for every input: no input model has a bare float or int."""

from __future__ import annotations

import math
import types
import typing
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.analysis.compliance.drills import DrillLog
from sim.analysis.compliance.dynamic import _TargetsFile
from sim.batch.spec import BatchFile
from sim.io.importers.dxf import _MapModel
from sim.model.hazard_specs import SPECS
from sim.model.layout_schema import _LayoutModel
from sim.model.scenario import Scenario
from sim.model.security_plan import SecurityPlan
from sim.model.validation import Number, Whole


def _strict_finite(meta: list[Any]) -> tuple[bool, bool]:
    strict = any(getattr(m, "strict", None) is True for m in meta)
    finite = any(getattr(m, "allow_inf_nan", None) is False for m in meta)
    return strict, finite


def _numeric_leaves(tp: Any, meta: list[Any], where: str) -> typing.Iterator[tuple[str, Any,
                                                                                     list[Any]]]:
    """Every float/int inside a field's type, with the metadata that applies to it."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(tp)
        more: list[Any] = []
        for e in extra:
            more.extend(e.metadata if isinstance(e, FieldInfo) else [e])
            if isinstance(e, FieldInfo):
                more.append(e)
        yield from _numeric_leaves(base, [*meta, *more], where)
        return
    if tp in (float, int):
        yield where, tp, meta
        return
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return  # walked on its own
    for arg in typing.get_args(tp):
        if origin in (dict,) and arg is typing.get_args(tp)[0]:
            continue  # dict keys are strings
        yield from _numeric_leaves(arg, [] if origin not in (typing.Union, types.UnionType)
                                   else meta, where)


def _models(root: type[BaseModel], seen: set[type[BaseModel]]) -> typing.Iterator[
        type[BaseModel]]:
    if root in seen:
        return
    seen.add(root)
    yield root
    for f in root.model_fields.values():
        stack = [f.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                yield from _models(tp, seen)
            stack.extend(typing.get_args(tp))


ROOTS: list[type[BaseModel]] = [Scenario, SecurityPlan, _LayoutModel, BatchFile, DrillLog,
                                _TargetsFile, _MapModel, *SPECS.values()]


def test_every_number_in_every_input_model_is_strict_and_finite() -> None:
    seen: set[type[BaseModel]] = set()
    checked = 0
    bare: list[str] = []
    for root in ROOTS:
        for model in _models(root, seen):
            for name, f in model.model_fields.items():
                meta = list(f.metadata)
                for where, tp, m in _numeric_leaves(f.annotation, meta,
                                                   f"{model.__name__}.{name}"):
                    checked += 1
                    strict, finite = _strict_finite(m)
                    if not strict or (tp is float and not finite):
                        bare.append(where)
    assert not bare, f"bare numbers in input models: {bare}"
    assert checked > 150  # every numeric field of every input model was seen


class _M(BaseModel):
    x: Number = 1.0
    n: Whole = 1


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, True, False, "1.5", None])
def test_number_refuses(bad: Any) -> None:
    with pytest.raises(ValidationError):
        _M(x=bad)


@pytest.mark.parametrize("bad", [True, 2.0, 1e7, "3", math.nan])
def test_whole_refuses(bad: Any) -> None:
    with pytest.raises(ValidationError):
        _M(n=bad)


def test_number_takes_integers_and_whole_takes_big_ones() -> None:
    assert _M(x=2).x == 2.0 and isinstance(_M(x=2).x, float)
    assert _M(n=2**62).n == 2**62
