"""Find and load what ``safemall check`` judges: layout, security plan, drill log.

Naming rule (documented in ``docs/compliance.md``):

* ``safemall check layouts/grand`` → ``layouts/grand/layout.toml``,
  ``layouts/grand/security.toml`` and, if present, ``layouts/grand/drills.toml``;
* ``safemall check layouts/grand/security-understaffed.toml`` → that plan, the layout its
  ``layout`` field names (relative to the plan's folder), and the drill log
  ``drills-understaffed.toml`` beside it (a plan ``security-X.toml`` pairs with
  ``drills-X.toml``; when that file is missing, with ``drills.toml``);
* a ``layout.toml`` as the target → the ``security.toml`` beside it;
* ``--security`` and ``--drills`` override the plan and the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.analysis.compliance.drills import DrillLog, load_drill_log
from sim.errors import SafeMallError, SecurityPlanError
from sim.io.input_file import is_dir
from sim.io.layout_files import load_layout
from sim.io.toml import read_toml
from sim.model.layout import Layout
from sim.model.security_plan import SecurityPlan, check_references, plan_from_dict


@dataclass(frozen=True)
class CheckInputs:
    """The three files of a check, loaded and validated."""

    layout: Layout
    plan: SecurityPlan
    log: DrillLog | None
    layout_path: Path
    plan_path: Path
    log_path: Path | None

    @property
    def mall_dir(self) -> Path:
        """The folder of the layout (the mall's folder)."""
        return self.layout_path.parent


def _read_toml(p: Path, err: type[SafeMallError]) -> dict[str, object]:
    return read_toml(p, err)


def default_log_for(plan_path: Path) -> Path | None:
    """``security-X.toml`` → ``drills-X.toml`` (else ``drills.toml``), if it exists."""
    stem = plan_path.stem
    names = []
    if stem.startswith("security-"):
        names.append(f"drills-{stem.removeprefix('security-')}.toml")
    names.append("drills.toml")
    for n in names:
        cand = plan_path.parent / n
        if cand.is_file():
            return cand
    return None


def resolve_inputs(target: str | Path, *, security: str | Path | None = None,
                   drills: str | Path | None = None) -> CheckInputs:
    """Load the layout, plan and log for ``target`` (see module doc)."""
    t = Path(target)
    layout_path: Path | None = None
    if is_dir(t):
        layout_path = t / "layout.toml"
        plan_path = Path(security) if security else t / "security.toml"
    elif t.suffix == ".toml" and t.is_file():
        raw = _read_toml(t, SecurityPlanError)
        schema = str(raw.get("schema", ""))
        if schema.startswith("safemall/layout"):
            layout_path = t
            plan_path = Path(security) if security else t.parent / "security.toml"
        elif schema.startswith("safemall/security") or security is None:
            plan_path = Path(security) if security else t
        else:
            plan_path = Path(security)
    else:
        raise SecurityPlanError("no such mall folder or file", source=str(t))
    raw_plan = _read_toml(plan_path, SecurityPlanError)
    plan = plan_from_dict(raw_plan, None, source=str(plan_path))
    if layout_path is None:
        layout_path = plan_path.parent / plan.layout
    layout = load_layout(layout_path)
    check_references(plan, layout)
    log_path = Path(drills) if drills else default_log_for(plan_path)
    log = load_drill_log(log_path) if log_path is not None else None
    return CheckInputs(layout, plan, log, layout_path, plan_path, log_path)
