"""Security plan files: read and validate ``security.toml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.errors import SecurityPlanError
from sim.io.input_file import is_dir
from sim.io.toml import read_toml
from sim.model.layout import Layout
from sim.model.security_plan import SecurityPlan, apply_overrides, plan_from_dict


def load_security_plan(path: str | Path, layout: Layout | None = None) -> SecurityPlan:
    """Read and validate a security plan (against ``layout`` when given).

    Raises
    ------
    SecurityPlanError
        One line naming the file, the entry and the field.
    """
    p = Path(path)
    if is_dir(p):
        p = p / "security.toml"
    raw = read_toml(p, SecurityPlanError)
    return plan_from_dict(raw, layout, source=str(p))


def effective_plan(scenario: Any) -> SecurityPlan | None:
    """The scenario's security plan with its ``[security]`` overrides (None without).

    Loads the layout and the plan files; every problem (a plan that does not load, an
    unknown override key, a bad number of guards) is a one-line error.
    """
    if scenario.security is None:
        return None
    from sim.io.layout_files import load_layout

    lay_path = Path(scenario.layout)
    layout = load_layout(lay_path / "layout.toml" if is_dir(lay_path) else lay_path)
    sec = dict(scenario.security)
    plan_path = Path(sec["plan"]) if sec.get("plan") else \
        Path(layout.source).parent / "security.toml"
    plan = load_security_plan(plan_path, layout)
    return apply_overrides(plan, {k: v for k, v in sec.items() if k != "plan"}, layout,
                           source=scenario.source)
