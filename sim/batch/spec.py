"""Batch files (``schema = "safemall/batch/1"``): a base scenario, a sweep, replications.

A batch expands into an ordered list of *configurations*. Each configuration is the base
scenario plus a list of ``dotted.key=value`` overrides (exactly what ``safemall run --set``
takes); each is run ``replications`` times, every replication with its own child seed
(:mod:`sim.batch.seeds`). The format is documented in ``docs/batch-format.md``.

Expansion order is fixed and part of the format, because a configuration's index is part
of its seeds: explicit ``[[configs]]`` in file order (or one empty configuration), each
combined with every point of ``[grid]``, the grid's keys varying in file order with the
*last* key fastest (``itertools.product``).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.engine.metrics import check_metric
from sim.errors import SafeMallError, ScenarioError
from sim.io.scenario_files import InputCache
from sim.io.toml import read_toml, toml_value
from sim.model import limits
from sim.model.scenario import parse_value
from sim.model.validation import Number, Seed, Whole, first_error

SCHEMA = "safemall/batch/1"
#: A batch name: starts with a letter or digit; letters, digits, ``_``, ``-``, ``.`` after
#: (so never ``..``, ``/`` or an absolute path).
BATCH_NAME = r"^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_.-]*$"
Seeding = Literal["independent", "common"]


def _check_kv(items: list[str]) -> list[str]:
    for item in items:
        if "=" not in item or not item.split("=", 1)[0].strip():
            raise ValueError(f"expected key=value, got {item!r}")
    return items


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UntilCI(_Strict):
    """Sequential stopping: add replications until the CI is narrow enough."""

    metric: str = Field(min_length=1)
    """The metric whose 95% confidence interval is watched (e.g. ``t_evacuation_s``)."""
    rel: Number = Field(gt=0, lt=1)
    """Target half-width of the 95% CI relative to the mean (0.05 = ±5%)."""
    max_replications: Whole = Field(default=500, ge=2, le=limits.MAX_REPLICATIONS)
    """Never run more than this many replications of one configuration."""


class ConfigEntry(_Strict):
    """One ``[[configs]]`` table: an explicit configuration."""

    label: str = ""
    scenario: str | None = None
    """Another scenario file for this configuration (relative to the batch file)."""
    overrides: list[str] = Field(default_factory=list, max_length=limits.MAX_OVERRIDES)
    """``dotted.key=value`` strings, as ``--set`` takes them."""
    set: dict[str, Any] = Field(default_factory=dict, max_length=limits.MAX_OVERRIDES)
    """The same as a table: ``set = { "security.guards" = 20 }``."""

    @field_validator("overrides")
    @classmethod
    def _kv(cls, v: list[str]) -> list[str]:
        return _check_kv(v)


class BatchFile(_Strict):
    """A validated batch file (before expansion)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: Literal["safemall/batch/1"] = Field(alias="schema")
    name: str = Field(default="", max_length=100)
    """An identifier (letters, digits, ``_ . -``; no ``/``, no ``..``): it names the
    default database ``results/<name>.db``."""
    description: str = ""
    scenario: str = Field(min_length=1)
    """Base scenario file, relative to the batch file."""
    replications: Whole = Field(default=50, ge=1, le=limits.MAX_REPLICATIONS)
    root_seed: Seed | None = None
    """Root of every seed in the batch; if omitted, fresh entropy is drawn and recorded."""
    seeding: Seeding = "independent"
    overrides: list[str] = Field(default_factory=list, max_length=limits.MAX_OVERRIDES)
    """Overrides applied to every configuration, before the configuration's own."""
    grid: dict[str, Any] = Field(default_factory=dict, max_length=limits.MAX_OVERRIDES)
    configs: list[ConfigEntry] = Field(default_factory=list)
    until_ci: UntilCI | None = None

    @field_validator("overrides")
    @classmethod
    def _kv(cls, v: list[str]) -> list[str]:
        return _check_kv(v)

    @field_validator("name")
    @classmethod
    def _identifier(cls, v: str) -> str:
        if v and not re.match(BATCH_NAME, v):
            raise ValueError(f"{v!r} is not a batch name: use letters, digits, '_', '-' "
                             "and '.' (no '/', no '..'); it names results/<name>.db")
        return v


def default_name(stem: str) -> str:
    """A batch name made from a file name (characters outside the identifier set → ``_``)."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", stem).replace("..", "_")
    return name if re.match(BATCH_NAME, name) else f"batch_{name}"


@dataclass(frozen=True)
class Config:
    """One configuration of a batch: a scenario file plus overrides."""

    index: int
    scenario_path: str
    """Absolute path of the scenario file."""
    overrides: tuple[str, ...]
    """Every override applied, base ones first (``key=value`` strings)."""
    params: dict[str, Any] = field(hash=False, compare=False)
    """What distinguishes this configuration: swept keys → values (plus ``config``)."""
    label: str = ""


@dataclass(frozen=True)
class BatchSpec:
    """An expanded batch: what to run, how often, with which seeds."""

    name: str
    source: str
    description: str
    configs: tuple[Config, ...]
    replications: int
    root_entropy: int
    seeding: Seeding
    until_ci: UntilCI | None
    raw: dict[str, Any] = field(hash=False, compare=False)

    @property
    def n_runs(self) -> int:
        """Runs in the batch without sequential stopping."""
        return len(self.configs) * self.replications


def override(key: str, value: Any) -> str:
    """The ``key=value`` override string for ``value``."""
    return f"{key}={toml_value(value)}"


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """``key=value`` strings as a key → parsed value mapping (later keys win)."""
    out: dict[str, Any] = {}
    for item in items:
        k, v = item.split("=", 1)
        out[k.strip()] = parse_value(v.strip())
    return out


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as dotted keys (``{a = {b = 1}}`` → ``{"a.b": 1}``)."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _label(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={toml_value(v)}" for k, v in params.items()) or "base"


def load_batch(path: str | Path, *, extra_overrides: Sequence[str] = (),
               validate_scenarios: bool = True) -> BatchSpec:
    """Read, validate and expand a batch file.

    Parameters
    ----------
    path : str or Path
        The batch TOML file.
    extra_overrides : sequence of str
        ``key=value`` overrides applied to every configuration after the file's own base
        overrides (``safemall batch FILE --set ...``).
    validate_scenarios : bool
        Validate every configuration's scenario (and geometry changes) now, so that a bad
        sweep value fails before any run starts.

    Raises
    ------
    ScenarioError
        One line naming the batch file and the field (``grid.security.guards`` ...).
    """
    p = Path(path)
    src = str(p)
    raw = read_toml(p, ScenarioError)
    try:
        bf = BatchFile.model_validate(raw)
    except ValidationError as exc:
        fld, reason = first_error(exc, raw)
        raise ScenarioError(reason, field=fld, source=src) from None

    grid = flatten(bf.grid)
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise ScenarioError("expected a non-empty list of values",
                                field=f"grid.{key}", source=src)
    n_configs = max(1, len(bf.configs)) * math.prod(len(v) for v in grid.values())
    if n_configs > limits.MAX_CONFIGS:
        raise ScenarioError(f"expands to {n_configs:,} configurations, more than the "
                            f"{limits.MAX_CONFIGS:,} accepted", field="grid", source=src)
    base_dir = p.parent
    base_scn = str((base_dir / bf.scenario).resolve())
    entries = list(bf.configs) or [ConfigEntry()]
    configs: list[Config] = []
    grid_points = list(itertools.product(*grid.values())) if grid else [()]
    for ci, entry in enumerate(entries):
        scn = str((base_dir / entry.scenario).resolve()) if entry.scenario else base_scn
        own = [*entry.overrides,
               *(override(k, v) for k, v in flatten(entry.set).items())]
        for point in grid_points:
            swept = dict(zip(grid.keys(), point, strict=True))
            params: dict[str, Any] = {}
            if bf.configs:
                params["config"] = entry.label or f"#{ci}"
            params.update(swept)
            ovr = (*bf.overrides, *extra_overrides, *own,
                   *(override(k, v) for k, v in swept.items()))
            label = " · ".join(x for x in (entry.label, _label(swept) if swept else "") if x)
            configs.append(Config(index=len(configs), scenario_path=scn, overrides=ovr,
                                  params=params, label=label or "base"))
    # configurations differing only in labels are allowed; identical overrides are not
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for c in configs:
        ident = (c.scenario_path, c.overrides)
        if ident in seen:
            raise ScenarioError(f"configuration #{c.index} repeats #{seen[ident]} "
                                f"({c.label})", field="configs", source=src)
        seen[ident] = c.index
    root = bf.root_seed
    if root is None:
        import numpy as np

        root = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if bf.until_ci is not None:
        check_metric(bf.until_ci.metric, field="until_ci.metric", source=src)
    spec = BatchSpec(name=bf.name or default_name(p.stem), source=str(p.resolve()),
                     description=bf.description, configs=tuple(configs),
                     replications=bf.replications, root_entropy=int(root),
                     seeding=bf.seeding, until_ci=bf.until_ci, raw=raw)
    if validate_scenarios:
        validate_configs(spec.configs, source=src,
                         base_field="configs" if bf.configs or not grid else "grid")
    return spec


def validate_configs(configs: Sequence[Config], *, source: str,
                     base_field: str = "configs") -> None:
    """Read every configuration's scenario (with its layout, plan and geometry); the
    first problem raises.

    The message names the batch file, the configuration and the scenario field:
    ``batch.toml: configs[3] (security.guards=-1): occupants.count: must be >= 0``.
    """
    cache = InputCache()
    for c in configs:
        where = f"{base_field}[{c.index}] ({c.label})"
        try:
            cache.scenario(c.scenario_path, c.overrides)
        except SafeMallError as exc:
            if exc.source not in (c.scenario_path, "<memory>", "<command line>"):
                # the layout or the plan it names
                inner = f"{exc.source}: {exc.field}: {exc.reason}" if exc.field \
                    else f"{exc.source}: {exc.reason}"
            elif exc.field:
                inner = f"{exc.field}: {exc.reason}"
            else:  # the scenario file itself cannot be read
                inner = f"scenario: {exc.reason} ({exc.source})"
            raise ScenarioError(inner, field=where, source=source) from None


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes ("" if it cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""
