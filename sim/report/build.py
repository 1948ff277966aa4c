"""Collect everything the manager's report shows (``safemall report``).

:func:`build` runs, for one mall and one or more plans (security plans, or mall folders
with their own layout and plan):

1. the **static check** of each plan, clause by clause, with each requirement's facts
   (:mod:`sim.analysis.compliance`);
2. the mall's **scenarios** (drills, fires, attack, robbery, sabotage, vehicle ramming…,
   found by the naming rule of ``check --dynamic``) with every plan, on common seeds, in
   one resumable batch (:mod:`sim.report.scenario_runs`): the **dynamic targets** of
   each plan and, with two plans, their **paired comparison**;
3. the **staffing study** on the attack scenario with the first plan
   (:mod:`sim.report.staffing`);
4. the **barrier ranking** on the vehicle scenario with the first plan, ties marked
   (:mod:`sim.report.bollards`);
5. the **assumptions** the staffing answer uses and any stored **sensitivity** study
   (:mod:`sim.report.assumptions`);
6. the **changes** each plan needs, ranked (:mod:`sim.report.changes`).

The result is one JSON-able mapping (schema ``safemall/report/1``) that
:mod:`sim.report.html` renders in either language. Nothing here draws or prints;
``progress(stage, done, failed, total)`` reports runs as they finish.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sim.analysis.compliance.dynamic import (
    DynamicResult,
    Target,
    discover_scenarios,
    load_targets,
    scenario_family,
)
from sim.analysis.compliance.inputs import CheckInputs, resolve_inputs
from sim.analysis.compliance.report import build_report as compliance_json
from sim.analysis.compliance.static import CheckOptions, check_static
from sim.batch.executors import Backend
from sim.batch.store import Store
from sim.errors import ScenarioError
from sim.report import assumptions as asm
from sim.report import bollards, changes, staffing
from sim.report.scenario_runs import PlanRef, judgements, paired_rows, run_scenarios

SCHEMA: Final = "safemall/report/1"
Progress = Callable[[str, int, int, int], None]


@dataclass
class ReportOptions:
    """How much to run (defaults sized for two shared cores; raise them for narrower CIs)."""

    replications: int = 6
    """Runs per scenario and plan (dynamic targets, the plan comparison)."""
    staffing_replications: int = 10
    """Runs per candidate guard count."""
    staffing_values: Sequence[int] | None = None
    """Candidate guard counts (default: 25–125 % of SM-1.3b's number)."""
    barrier_replications: int = 3
    """Runs per road entrance and variant (with / without a bollard)."""
    seed: int = 2017
    workers: int = 2
    scenarios: Sequence[Path] | None = None
    """Only these scenario files (default: every scenario of the mall)."""
    scenario_dir: Path | None = None
    targets: Sequence[Target] = ()
    staffing: bool = True
    barriers: bool = True
    check: CheckOptions = field(default_factory=CheckOptions)


def resolve_plans(mall: Path, plans: Sequence[Path]) -> list[CheckInputs]:
    """The inputs of every plan: a security plan of the mall, or another mall folder."""
    if not plans:
        return [resolve_inputs(mall)]
    out = []
    for p in plans:
        out.append(resolve_inputs(p) if p.is_dir() else resolve_inputs(mall, security=p))
    return out


def plan_refs(inputs: Sequence[CheckInputs]) -> list[PlanRef]:
    """Labels A, B, … with the plans' names and files."""
    return [PlanRef(chr(ord("A") + i), inp.plan.name or inp.plan_path.stem,
                    inp.layout_path, inp.plan_path) for i, inp in enumerate(inputs)]


def mall_scenarios(mall_dir: Path, opt: ReportOptions) -> list[tuple[str, Path]]:
    """The mall's scenarios by the naming rule (or the given files), drills first."""
    if opt.scenarios:
        return [(scenario_family(p.stem), p) for p in opt.scenarios]
    sdir = opt.scenario_dir or mall_dir.resolve().parent.parent / "scenarios"
    return discover_scenarios(mall_dir.resolve().name, sdir)


def staffing_scenario(found: Sequence[tuple[str, Path]]) -> tuple[str, Path] | None:
    """The threat the guards must answer: the first attack (not a vehicle) scenario, else a
    robbery or hostage one."""
    for fam in ("attack", "robbery", "hostage"):
        for f, p in found:
            if f == fam and not bollards.is_vehicle_scenario(p):
                return f, p
    return None


def _sales(inp: CheckInputs) -> float:
    return round(inp.layout.sales_area_m2, 1)


def build(mall_dir: Path, plans: Sequence[Path], opt: ReportOptions, store: Store,
          backend: Backend, *, progress: Progress | None = None,
          db_path: str = "") -> dict[str, Any]:
    """Every section's data (see module notes)."""
    t0 = time.perf_counter()
    inputs = resolve_plans(mall_dir, plans)
    refs = plan_refs(inputs)
    targets = list(opt.targets) or load_targets()
    found = mall_scenarios(mall_dir, opt)
    mall = mall_dir.resolve().name
    rep: dict[str, Any] = {
        "schema": SCHEMA, "mall": inputs[0].layout.mall.name, "mall_dir": str(mall_dir),
        "generated_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sim_version": _version(), "db": db_path,
        "options": {"replications": opt.replications,
                    "staffing_replications": opt.staffing_replications,
                    "staffing_values": list(opt.staffing_values or []),
                    "barrier_replications": opt.barrier_replications, "seed": opt.seed,
                    "reading": opt.check.reading,
                    "group_distance_m": opt.check.group_distance_m,
                    "guards_per_set": opt.check.guards_per_set},
        "scenarios": [{"family": f, "path": str(p), "stem": p.stem} for f, p in found],
        "stages": {},
    }
    # 1. static
    statics = []
    for inp in inputs:
        res = check_static(inp.layout, inp.plan, inp.log, opt.check)
        statics.append((inp, res))
    # 2. scenarios with every plan
    def stage(name: str) -> Callable[[int, int, int], None] | None:
        if progress is None:
            return None
        return lambda d, f, t: progress(name, d, f, t)

    runs = run_scenarios(store, backend, mall, refs, found, replications=opt.replications,
                         seed=opt.seed, progress=stage("scenarios"))
    rep["stages"]["scenarios"] = round(time.perf_counter() - t0, 1)
    rep["plans"] = []
    dyns: list[DynamicResult] = []
    for i, (inp, res) in enumerate(statics):
        dyn = judgements(runs, i, targets, mall) if found else None
        if dyn is not None:
            dyns.append(dyn)
        cj = compliance_json(inp, res, opt.check, dyn)
        rep["plans"].append({
            "label": refs[i].label, "name": refs[i].name, "layout": str(inp.layout_path),
            "security": str(inp.plan_path), "sales_area_m2": _sales(inp),
            "guards": inp.plan.guards.total, "compliance": cj})
    rep["runs"] = {"scenario_batch": runs.batch, "scenario_runs": runs.n_runs,
                   "new": runs.summary.ran if runs.summary else 0,
                   "failed": runs.summary.failed if runs.summary else 0}
    # comparison
    rep["comparison"] = None
    if len(refs) >= 2 and found:
        rep["comparison"] = {"a": refs[0].label, "b": refs[1].label,
                             "rows": [r.to_json() for r in paired_rows(runs, 0, 1)]}
    # 3. staffing
    rep["staffing"] = None
    st_scn = staffing_scenario(found)
    if opt.staffing and st_scn is not None:
        t1 = time.perf_counter()
        fam, path = st_scn
        inp0 = inputs[0]
        b = next(r for r in statics[0][1] if r.id == "SM-1.3b")
        cands = list(opt.staffing_values or staffing.default_candidates(
            b.facts.get("required"), inp0.plan.guards.total))
        study = staffing.evaluate(store, backend, mall=mall, scenario=path, family=fam,
                                  plan_ref=refs[0], plan=inp0.plan, layout=inp0.layout,
                                  targets=targets, candidates=cands,
                                  replications=opt.staffing_replications, seed=opt.seed,
                                  progress=stage("staffing"))
        rep["staffing"] = study.to_json()
        rep["runs"]["staffing_batch"] = study.batch
        rep["runs"]["staffing_runs"] = len(cands) * opt.staffing_replications
        rep["runs"]["new"] += study.summary.ran if study.summary else 0
        rep["stages"]["staffing"] = round(time.perf_counter() - t1, 1)
    # 4. barriers
    rep["barriers"] = None
    vehicle = next((p for f, p in found if bollards.is_vehicle_scenario(p)), None)
    if opt.barriers and vehicle is not None:
        t2 = time.perf_counter()
        rows = bollards.rank_for_plan(
            vehicle, refs[0], replications=opt.barrier_replications, seed=opt.seed,
            workers=max(1, opt.workers),
            progress=(lambda d, t: progress("barriers", d, 0, t)) if progress else None)
        rep["barriers"] = {"scenario": vehicle.stem, "replications": opt.barrier_replications,
                           "plan": refs[0].label, "rows": rows}
        rep["runs"]["barrier_runs"] = sum(2 * (r.get("replications") or 0) for r in rows)
        rep["stages"]["barriers"] = round(time.perf_counter() - t2, 1)
    # 5. assumptions and sensitivity
    rep["assumptions"] = _assumptions(st_scn, refs[0], targets)
    rep["sensitivity"] = asm.stored_sensitivity(
        store, [p for _, p in found],
        metrics=sorted({t.metric for t in targets} | {"attack_victims", "injured_crush",
                                                      "margin_s"}))
    # 6. changes, per plan
    for i, p in enumerate(rep["plans"]):
        cj = p["compliance"]
        tj = [dict(j, title=j["title"], threshold=_threshold(targets, j["target"]))
              for j in (cj.get("dynamic") or {}).get("targets", [])]
        p["changes"] = [c.to_json() for c in changes.plan_changes(
            cj["clauses"], tj, staffing=rep["staffing"] if i == 0 else None,
            bollards=(rep["barriers"] or {}).get("rows", []) if i == 0 else (),
            study_exists=rep["staffing"] is not None)]
    rep["runs"]["seconds"] = round(time.perf_counter() - t0, 1)
    return rep


def _threshold(targets: Sequence[Target], tid: str) -> float | None:
    return next((t.value for t in targets if t.id == tid), None)


def _assumptions(st_scn: tuple[str, Path] | None, ref: PlanRef,
                 targets: Sequence[Target]) -> dict[str, Any]:
    out: dict[str, Any] = {"scenario": None, "rows": [], "n": 0, "assumed": 0,
                           "targets_assumed": asm.assumed_targets(targets)}
    if st_scn is None:
        return out
    try:
        used = asm.used_assumptions(st_scn[1], ref.overrides())
    except ScenarioError:
        return out
    ordered = asm.by_status(used)
    out.update(scenario=st_scn[1].stem, rows=[asm.assumption_row(a) for a in ordered],
               n=len(used), assumed=sum(a.status == "assumed" for a in used))
    return out


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("safemall")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"
