"""Scenario files: read a scenario with its layout and security plan, parsed once.

:func:`load_scenario` is the one loader: it reads the scenario TOML, applies ``--set``
overrides to the mapping *before* validation (an override is validated exactly like the
file), reads the layout and the security plan it names (paths relative to the scenario
file) and returns a typed :class:`~sim.model.scenario.Scenario` holding them. Nothing
after it reads a file: :func:`sim.run.runner.run_scenario` takes the object.

Callers that read many scenarios (a batch worker, an adequacy search, the barrier
ranking) keep an :class:`InputCache` and pass it: each file is then parsed once per
cache (an edited file, told by its modification time and size, is read again).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.engine.graphs import Network, build_network
from sim.errors import LayoutError, ScenarioError, SecurityPlanError
from sim.io.input_file import is_dir
from sim.io.toml import read_toml
from sim.model.layout import Layout
from sim.model.layout_schema import layout_from_dict
from sim.model.scenario import Scenario, apply_overrides, assemble, parse_scenario
from sim.model.security_plan import SecurityPlan, plan_from_dict

_FileKey = tuple[str, int, int]


def _key(path: Path) -> _FileKey:
    """The file's identity for the cache: resolved path, modification time, size."""
    try:
        st = path.stat()
        return (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except (OSError, ValueError, RuntimeError):
        return (str(path), -1, -1)  # the read below raises the one-line error


def _file(path: str | Path, default_name: str) -> Path:
    p = Path(path)
    return p / default_name if is_dir(p) else p


class InputCache:
    """Parsed input files and the networks built from them, owned by one caller.

    A CLI command makes none (each file is read once anyway); a batch worker keeps one
    for its lifetime so that every replication of every configuration reuses the parsed
    layout, plan and scenario, and the cell network of each building.
    """

    def __init__(self, max_networks: int = 16) -> None:
        self._toml: dict[tuple[_FileKey, str], dict[str, Any]] = {}
        self._layouts: dict[_FileKey, Layout] = {}
        self._plans: dict[tuple[_FileKey, int], SecurityPlan] = {}
        self._scenarios: dict[tuple[_FileKey, tuple[str, ...]], Scenario] = {}
        self._networks: dict[tuple[int, float, float], Network] = {}
        self._max_networks = max_networks

    def toml(self, path: Path, error: type[ScenarioError | LayoutError | SecurityPlanError]
             ) -> dict[str, Any]:
        """A TOML file as data (a fresh copy the caller may change)."""
        k = (_key(path), error.__name__)
        hit = self._toml.get(k)
        if hit is None:
            hit = read_toml(path, error)
            self._toml[k] = hit
        return _copy(hit)

    def layout(self, path: str | Path) -> Layout:
        """The validated layout in ``path`` (a folder means its ``layout.toml``)."""
        p = _file(path, "layout.toml")
        k = _key(p)
        hit = self._layouts.get(k)
        if hit is None:
            hit = layout_from_dict(self.toml(p, LayoutError), source=str(p))
            self._layouts[k] = hit
        return hit

    def plan(self, path: str | Path, layout: Layout) -> SecurityPlan:
        """The security plan in ``path`` (a folder: its ``security.toml``), checked
        against ``layout``."""
        p = _file(path, "security.toml")
        k = (_key(p), id(layout))
        hit = self._plans.get(k)
        if hit is None:
            hit = plan_from_dict(self.toml(p, SecurityPlanError), layout, source=str(p))
            self._plans[k] = hit
        return hit

    def scenario(self, path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
        """The scenario in ``path`` with ``overrides`` (``dotted.key=value``) applied."""
        p = Path(path)
        ov = tuple(overrides)
        k = (_key(p), ov)
        hit = self._scenarios.get(k)
        if hit is None:
            hit = _load(p, ov, self)
            self._scenarios[k] = hit
        return hit

    def network(self, scenario: Scenario) -> Network:
        """The cell network of the scenario's building at its cell sizes (built once)."""
        mvs = scenario.movement
        k = (id(scenario.layout), mvs.max_cell_area_m2, mvs.max_cell_length_m)
        hit = self._networks.get(k)
        if hit is None or hit.layout is not scenario.layout:
            hit = build_network(scenario.layout, max_cell_area_m2=mvs.max_cell_area_m2,
                                max_cell_length_m=mvs.max_cell_length_m)
            if len(self._networks) >= self._max_networks:
                self._networks.pop(next(iter(self._networks)))
            self._networks[k] = hit
        return hit


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _resolve(base: Path, name: str, field: str, source: str) -> Path:
    """A file named in a scenario, resolved against the scenario's folder."""
    if "\x00" in name:
        raise ScenarioError("the path contains a NUL byte", field=field, source=source)
    p = Path(name)
    if p.is_absolute():
        return p
    try:
        return (base / p).resolve()
    except (OSError, ValueError, RuntimeError) as exc:  # a symlink loop, a name too long
        raise ScenarioError(f"not a usable path ({exc})", field=field, source=source) from None


def _load(path: Path, overrides: tuple[str, ...], cache: InputCache) -> Scenario:
    src = str(path)
    raw = apply_overrides(cache.toml(path, ScenarioError), overrides, source=src)
    parts = parse_scenario(raw, source=src)  # the scenario's own problems come first
    lay = raw.get("layout")
    if lay is None:
        raise ScenarioError("required field is missing", field="layout", source=src)
    if not isinstance(lay, str):
        raise ScenarioError(f"must be a file name, got {lay!r}", field="layout", source=src)
    layout = cache.layout(_resolve(path.parent, lay, "layout", src))
    plan = None
    if parts.security is not None:
        name = parts.security[0]
        plan_path = _resolve(path.parent, name, "security.plan", src) if name else \
            Path(layout.source).parent / "security.toml"
        plan = cache.plan(plan_path, layout)
    return assemble(parts, layout=layout, plan=plan)


def load_scenario(path: str | Path, overrides: Iterable[str] = (), *,
                  cache: InputCache | None = None) -> Scenario:
    """Read a scenario file with its layout and plan, apply ``--set`` overrides, validate.

    Parameters
    ----------
    path : path
        The scenario TOML file.
    overrides : iterable of str
        ``dotted.key=value`` changes, applied to the file's mapping before validation.
    cache : InputCache, optional
        Reuse files already parsed by this cache (and keep the new ones in it).

    Raises
    ------
    ScenarioError, LayoutError, SecurityPlanError
        One line naming the file and the field.
    """
    return (cache or InputCache()).scenario(path, overrides)
