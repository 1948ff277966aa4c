"""The assumptions register: every model parameter not fixed by a code or standard.

Each parameter is declared **once**, in the module that uses it, with
:func:`declare` — its dotted override key (``knife.harm_rate_per_min``), name, unit,
default, plausible range and distribution (for sensitivity and uncertainty analysis),
its source (a citation) and status:

* ``sourced`` — the default is taken from a cited measurement or code commentary;
* ``fitted`` — the default is fitted to cited data (the source names the fit);
* ``assumed`` — an engineering judgement (the source says what it rests on).

Runs read values through :meth:`sim.engine.world.World.param`, resolved once per run
from the defaults here and the scenario's ``[assumptions]`` table (or
``--set assumptions.<key>=<value>``), so a scenario or a sensitivity analysis can vary
any of them. ``safemall assumptions`` lists the register; ``docs/assumptions.md`` is
generated from it.

Distributions over the plausible range ``[low, high]`` (used when sampling):

* ``uniform`` — uniform on ``[low, high]``;
* ``loguniform`` — uniform in ``log`` on ``[low, high]`` (``low > 0``);
* ``triangular`` — triangular on ``[low, high]`` with its mode at the default;
* ``normal`` — normal with mean = default and sd = ``(high − low) / 4`` (the range is
  about ±2 sd), truncated to ``[low, high]``.

Pure core: no printing, drawing or file reading.
"""

from __future__ import annotations

import difflib
import importlib
import math
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

Dist = Literal["uniform", "loguniform", "triangular", "normal"]
Status = Literal["sourced", "fitted", "assumed"]
DISTS: tuple[str, ...] = get_args(Dist)
STATUSES: tuple[str, ...] = get_args(Status)

#: Modules that declare assumptions, imported by :func:`load_all` so that the register is
#: complete before a scenario's ``[assumptions]`` table is checked or a run resolves it
#: (``module:function`` also calls a loader, e.g. the hazard registry's).
PROVIDERS: tuple[str, ...] = (
    "sim.model.scenario",
    "sim.security.alarm",
    "sim.security.staff",
    "sim.hazards.registry",
)

_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


@dataclass(frozen=True, slots=True)
class Assumption:
    """One declared model parameter (see the module doc for the fields' meaning).

    ``valid_min``/``valid_max`` are hard bounds an override must respect (a physical or
    logical limit, e.g. a probability in [0, 1]); ``[low, high]`` is the plausible
    range that sampling covers. ``integer`` parameters are rounded when sampled.
    """

    key: str
    name: str
    unit: str
    default: float
    low: float
    high: float
    dist: Dist
    source: str
    status: Status
    used_by: tuple[str, ...]
    valid_min: float = -math.inf
    valid_max: float = math.inf
    integer: bool = False
    module: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        where = f"assumption {self.key!r}"
        if not _KEY.match(self.key):
            raise ValueError(f"{where}: key must be dotted lower_case (a.b)")
        if self.dist not in DISTS:
            raise ValueError(f"{where}: dist must be one of {', '.join(DISTS)}")
        if self.status not in STATUSES:
            raise ValueError(f"{where}: status must be one of {', '.join(STATUSES)}")
        for name in ("default", "low", "high"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{where}: {name} must be finite")
        if not (self.valid_min <= self.low <= self.default <= self.high <= self.valid_max):
            raise ValueError(f"{where}: need valid_min <= low <= default <= high <= valid_max")
        if self.dist == "loguniform" and self.low <= 0:
            raise ValueError(f"{where}: a loguniform range needs low > 0")
        if not self.used_by:
            raise ValueError(f"{where}: used_by names at least one hazard or subsystem")
        if not self.source.strip():
            raise ValueError(f"{where}: give a source (or what the assumption rests on)")
        if self.integer and (self.default != round(self.default)):
            raise ValueError(f"{where}: integer parameter with a fractional default")

    def from_unit(self, u: float | np.ndarray) -> np.ndarray:
        """Values at quantiles ``u`` ∈ [0, 1] of this parameter's distribution."""
        q = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        lo, hi, mode = self.low, self.high, self.default
        if hi == lo:
            x = np.full_like(q, lo)
        elif self.dist == "uniform":
            x = lo + q * (hi - lo)
        elif self.dist == "loguniform":
            x = np.exp(math.log(lo) + q * (math.log(hi) - math.log(lo)))
        elif self.dist == "triangular":
            c = (mode - lo) / (hi - lo)
            x = np.where(q < c, lo + np.sqrt(q * (hi - lo) * (mode - lo)),
                         hi - np.sqrt((1 - q) * (hi - lo) * (hi - mode)))
        else:  # normal, truncated to [low, high]
            from scipy.stats import truncnorm

            sd = (hi - lo) / 4.0
            x = truncnorm.ppf(q, (lo - mode) / sd, (hi - mode) / sd, loc=mode, scale=sd)
        if self.integer:
            x = np.clip(np.floor(x + 0.5), math.ceil(lo), math.floor(hi))
        return np.asarray(x, dtype=float)

    def check(self, value: Any) -> float:
        """``value`` as a float (an int for integer parameters) if it is a valid override,
        else :class:`ValueError`."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r}")
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"must be finite, got {value!r}")
        if v < self.valid_min or v > self.valid_max:
            raise ValueError(f"{v:g} is outside the valid range "
                             f"[{self.valid_min:g}, {self.valid_max:g}] {self.unit}")
        if self.integer and v != round(v):
            raise ValueError(f"must be a whole number, got {v:g}")
        return int(v) if self.integer else v

    @property
    def value(self) -> float:
        """The default as a run uses it (an int for integer parameters)."""
        return int(self.default) if self.integer else self.default

    def as_dict(self) -> dict[str, Any]:
        """Plain fields (for JSON and tables); infinite bounds as ``None``."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["used_by"] = list(self.used_by)
        for k in ("valid_min", "valid_max"):
            d[k] = None if math.isinf(d[k]) else d[k]
        return d


_REGISTER: dict[str, Assumption] = {}


def declare(key: str, *, default: float, unit: str, low: float, high: float, dist: Dist,
            source: str, status: Status, name: str, used_by: Iterable[str],
            valid_min: float = -math.inf, valid_max: float = math.inf,
            integer: bool = False) -> Assumption:
    """Register a parameter (at import of the module that uses it) and return it.

    Raises
    ------
    ValueError
        When ``key`` is already declared by another declaration, or a field is invalid.
    """
    module = sys._getframe(1).f_globals.get("__name__", "")
    a = Assumption(key=key, name=name, unit=unit, default=float(default), low=float(low),
                   high=float(high), dist=dist, source=source, status=status,
                   used_by=tuple(used_by), valid_min=float(valid_min),
                   valid_max=float(valid_max), integer=integer, module=module)
    old = _REGISTER.get(key)
    if old is not None and not (old == a and old.module == module):
        raise ValueError(f"assumption {key!r} declared twice ({old.module} and {module})")
    _REGISTER[key] = a
    return a


_LOADED = False


def load_all() -> None:
    """Import every module that declares assumptions (once)."""
    global _LOADED
    if not _LOADED:
        _LOADED = True  # set first: a provider may look a key up while it is imported
        for entry in PROVIDERS:
            mod, _, fn = entry.partition(":")
            m = importlib.import_module(mod)
            if fn:
                getattr(m, fn)()


def get(key: str) -> Assumption:
    """The declared assumption ``key``; :class:`KeyError` (with a close match) if none."""
    load_all()
    try:
        return _REGISTER[key]
    except KeyError:
        raise KeyError(unknown_key_message(key)) from None


def all_assumptions() -> list[Assumption]:
    """Every declared assumption, sorted by key."""
    load_all()
    return [_REGISTER[k] for k in sorted(_REGISTER)]


def defaults() -> dict[str, float]:
    """Key → default value of every declared assumption."""
    return {a.key: a.value for a in all_assumptions()}


def unknown_key_message(key: str) -> str:
    """``unknown assumption 'x'`` with the closest declared key, if any."""
    load_all()
    close = difflib.get_close_matches(key, list(_REGISTER), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown assumption {key!r}{hint}"


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables → dotted keys (``{"knife": {"x": 1}}`` → ``{"knife.x": 1}``)."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def validate_overrides(table: Mapping[str, Any]) -> dict[str, float]:
    """Flatten and check an ``[assumptions]`` table.

    Raises
    ------
    KeyError
        An unknown key (message names it and a close match); ``args[1]`` is the key.
    ValueError
        A value that is not a finite number within the parameter's valid range;
        ``args[1]`` is the key.
    """
    out: dict[str, float] = {}
    for key, value in flatten(table).items():
        load_all()
        a = _REGISTER.get(key)
        if a is None:
            raise KeyError(unknown_key_message(key), key)
        try:
            out[key] = a.check(value)
        except ValueError as exc:
            raise ValueError(str(exc), key) from None
    return out


def resolve(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Key → value for one run: the defaults with ``overrides`` applied."""
    out = defaults()
    if overrides:
        out.update(overrides)
    return out


def used_by_tags(hazards: Iterable[Mapping[str, Any]], *, has_security: bool) -> set[str]:
    """Tags a scenario uses: ``evacuation``, ``security`` (with a plan), each hazard's kind
    and ``kind:variant`` (``attack:knife``) for hazards with a ``weapon`` or ``vehicle``."""
    tags = {"evacuation"}
    if has_security:
        tags.add("security")
    for h in hazards:
        kind = str(h.get("kind", ""))
        tags.add(kind)
        for sub in ("weapon", "vehicle"):
            if h.get(sub):
                tags.add(f"{kind}:{h[sub]}")
    return tags


def used_by_scenario(tags: set[str]) -> list[Assumption]:
    """The assumptions whose ``used_by`` meets ``tags`` (see :func:`used_by_tags`)."""
    return [a for a in all_assumptions() if tags.intersection(a.used_by)]
