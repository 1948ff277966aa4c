"""Hazard kinds: each module registers a pydantic spec and a SimPy starter.

A hazard talks to the rest of the model only through the :class:`sim.engine.world.World` (space
conditions, blocked openings, cues, incidents for the alarm chain), so a new hazard is
one new module plus one line in :data:`_MODULES`, not edits across the engine.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError
from sim.model.validation import first_error

if TYPE_CHECKING:
    from sim.engine.world import World
    from sim.model.scenario import Scenario


@dataclass(frozen=True)
class HazardKind:
    """A registered hazard: its spec model and the function that starts it in a world."""

    name: str
    spec: type[BaseModel]
    start: Callable[[World, Any], None]


_REGISTRY: dict[str, HazardKind] = {}
_MODULES = (
    "sim.hazards.drill",
    "sim.hazards.fire",
    "sim.hazards.crush",
    "sim.hazards.attack",
    "sim.hazards.vehicle",
    "sim.hazards.explosion",
    "sim.hazards.robbery",
    "sim.hazards.hostage",
    "sim.hazards.sabotage",
)
_loaded = False


def register(kind: HazardKind) -> None:
    """Add a hazard kind (called by hazard modules at import)."""
    _REGISTRY[kind.name] = kind


def _load() -> None:
    global _loaded
    if not _loaded:
        for m in _MODULES:
            importlib.import_module(m)
        _loaded = True


def kinds() -> dict[str, HazardKind]:
    """All registered hazard kinds by name."""
    _load()
    return dict(_REGISTRY)


def parse_hazard(raw: dict[str, Any], index: int, *, source: str) -> BaseModel:
    """Validate one ``[[hazards]]`` table against its kind's spec."""
    _load()
    kind = raw.get("kind")
    fld = f"hazards[{index}]"
    if kind not in _REGISTRY:
        names = ", ".join(sorted(_REGISTRY))
        raise ScenarioError(f"unknown hazard kind {kind!r}; expected one of {names}",
                            field=f"{fld}.kind", source=source)
    try:
        return _REGISTRY[kind].spec.model_validate(raw)
    except ValidationError as exc:
        sub, reason = first_error(exc, raw)
        raise ScenarioError(reason, field=f"{fld}.{sub}", source=source) from None


def validate_hazards(scenario: Scenario, *, source: str) -> None:
    """Raise :class:`ScenarioError` on the first invalid hazard of ``scenario``."""
    for i, raw in enumerate(scenario.hazards):
        parse_hazard(raw, i, source=source)


def start_hazards(world: World) -> None:
    """Parse and start every hazard of the world's scenario."""
    for i, raw in enumerate(world.scenario.hazards):
        spec = parse_hazard(raw, i, source=world.scenario.source)
        _REGISTRY[raw["kind"]].start(world, spec)
