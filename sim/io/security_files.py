"""Security plan files: read and validate ``security.toml``."""

from __future__ import annotations

from pathlib import Path

from sim.errors import SecurityPlanError
from sim.io.input_file import is_dir
from sim.io.toml import read_toml
from sim.model.layout import Layout
from sim.model.security_plan import SecurityPlan, plan_from_dict


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

