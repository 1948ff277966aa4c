"""Is the staffing adequate? A candidate grid of guard counts on one threat, explained.

The study runs one scenario (the mall's attack scenario: the threat the guards must
answer) with ``security.guards`` set to each candidate, through the batch store, on
common seeds (replication ``k`` is the same afternoon at every candidate). Every
candidate is run and judged, so the outcome is seen over the whole grid instead of
assumed monotone; the answer is the smallest candidate from which every larger one also
meets the targets, and a grid that is not monotone is said so.

Targets are the dynamic targets (``sim/analysis/compliance/targets.toml``) that apply to
the scenario's family and test a staffing clause (SM-1.3…): for the attack family the
first responder within 3 min (p95) and the attacker stopped within 5 min (p95). Each is
judged like ``check --dynamic``, on the unrounded point estimate over the runs. How sure
we are is said in two ways: the share of runs in which every target's threshold held,
with its exact (Clopper–Pearson) 95 % interval, and, where the runs suffice (59 runs for
a p95), the distribution-free 95 % upper bound of the p95.

For every candidate it says which posts and patrols the guards staff, by level, and the
binding target: the one that fails first below the answer (or, at the answer, the one
with the least margin).

Seam (issue 17): guards are deployed by :func:`staffed`, which reads the deployment
rule (``sim.security.deployment.deploy``). Still to do (lead): let
``sim.batch.adequacy.find_adequate`` (grid, announced runs, binding target) replace
:func:`evaluate`'s grid.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.compliance.dynamic import Target, judge, run_value
from sim.batch.executors import Backend
from sim.batch.runner import ProgressFn, RunSummary, run_batch
from sim.batch.spec import BatchSpec, Config, file_sha256, override
from sim.batch.stats import confidence_bound, proportion_interval
from sim.batch.store import Store
from sim.engine.graphs import build_network
from sim.model.layout import Layout
from sim.model.security_plan import SecurityPlan, apply_overrides
from sim.report.scenario_runs import PlanRef
from sim.security.deployment import deploy

#: Fractions of the SM-1.3b guard count tried by default.
DEFAULT_FRACTIONS = (0.25, 0.5, 0.75, 1.0, 1.25)


def staffing_targets(targets: Sequence[Target], family: str) -> list[Target]:
    """The targets of ``family`` that test a staffing clause (SM-1.3…)."""
    return [t for t in targets if t.applies_to(family)
            and any(c.startswith("SM-1.3") for c in t.clauses)]


def default_candidates(required: int | None, have: int) -> list[int]:
    """Candidates: fractions of the SM-1.3b count (and the plan's own count)."""
    base = required or max(have, 10)
    vals = {max(1, round(base * f)) for f in DEFAULT_FRACTIONS} | {have}
    return sorted(v for v in vals if v > 0)


@dataclass(frozen=True)
class Staffed:
    """A post, patrol or beat staffed at a candidate: its level(s) and guards."""

    kind: str
    id: str
    levels: tuple[str, ...]
    guards: int


def staffed(plan: SecurityPlan, layout: Layout, guards: int) -> list[Staffed]:
    """Where ``guards`` guards stand under the deployment rule
    (:func:`sim.security.deployment.deploy`: posts, pinned patrols, then beats; a beat
    counts as a patrol here)."""
    net = _networks.get(id(layout))
    if net is None or net.layout is not layout:
        net = build_network(layout)
        _networks[id(layout)] = net
    dep = deploy(apply_overrides(plan, {"guards": guards}, layout), net)
    return [Staffed("post" if s.kind == "post" else "patrol", s.id, (s.level,), s.count)
            for s in dep.stations]


_networks: dict[int, Any] = {}


def by_level(items: Sequence[Staffed]) -> dict[str, dict[str, int]]:
    """Level → {"posts": guards, "patrols": guards} (a patrol over levels: its first)."""
    out: dict[str, dict[str, int]] = {}
    for s in items:
        d = out.setdefault(s.levels[0], {"posts": 0, "patrols": 0})
        d["posts" if s.kind == "post" else "patrols"] += s.guards
    return out


@dataclass
class Candidate:
    """What the runs at one guard count showed."""

    guards: int
    n: int
    failed: int
    judgements: list[dict[str, Any]]
    all_met: int
    """Runs in which every target's threshold held."""
    staffed: list[Staffed]

    @property
    def passed(self) -> bool:
        """Every target met (point estimates)."""
        return all(j["status"] == "pass" for j in self.judgements)

    @property
    def share(self) -> tuple[float, float, float]:
        """Share of runs meeting every threshold and its exact 95 % interval."""
        if self.n == 0:
            return math.nan, math.nan, math.nan
        lo, hi = proportion_interval(self.all_met, self.n)
        return self.all_met / self.n, lo, hi


@dataclass
class StaffingStudy:
    """The grid, the answer and its explanation."""

    scenario: str
    family: str
    plan: str
    targets: list[Target]
    replications: int
    candidates: list[Candidate] = field(default_factory=list)
    answer: int | None = None
    monotone: bool = True
    binding: dict[str, Any] | None = None
    batch: str = ""
    summary: RunSummary | None = None
    rule: str = "file"

    def to_json(self) -> dict[str, Any]:
        """JSON-able mapping."""
        def j(x: float) -> float | None:
            return x if isinstance(x, int | float) and math.isfinite(x) else None
        return {
            "scenario": self.scenario, "family": self.family, "plan": self.plan,
            "replications": self.replications, "answer": self.answer,
            "monotone": self.monotone, "binding": self.binding, "batch": self.batch,
            "rule": self.rule,
            "targets": [{"id": t.id, "title": t.title, "title_zh": t.title_zh,
                         "describe": t.describe(), "clauses": t.clauses} for t in self.targets],
            "candidates": [{
                "guards": c.guards, "n": c.n, "failed": c.failed, "passed": c.passed,
                "all_met": c.all_met, "share": [j(x) for x in c.share],
                "judgements": c.judgements,
                "staffed": [{"kind": s.kind, "id": s.id, "levels": list(s.levels),
                             "guards": s.guards} for s in c.staffed],
                "by_level": by_level(c.staffed)} for c in self.candidates]}


def _meets(t: Target, x: float | None) -> bool:
    """One run's value against a target's threshold (missing: the worst case)."""
    if x is None or not math.isfinite(x):
        return False
    return {"<=": x <= t.value, "<": x < t.value, ">=": x >= t.value,
            ">": x > t.value}[t.op]


def _run_value(m: dict[str, Any], t: Target) -> float | None:
    return run_value(m, t)[1]


def _judge_one(t: Target, stem: str, family: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    j = judge(t, stem, family, runs)
    vals = np.asarray([x if (x := _run_value(m, t)) is not None else math.inf
                       for m in runs], dtype=float)
    bound = None
    if t.stat.startswith("p") and len(vals):
        b = confidence_bound(vals, t.stat, 0.95, "upper" if t.op in ("<=", "<") else "lower")
        bound = b if math.isfinite(b) else None
    return {"target": t.id, "status": j.status, "estimate": j.estimate,
            "threshold": t.value, "actual": j.actual, "bound95": bound, "n": j.n}


def _choose(cands: list[Candidate]) -> tuple[int | None, bool]:
    """Smallest candidate from which all larger ones pass; whether the grid is monotone."""
    passed = [c.passed for c in cands]
    monotone = all(not a or b for a, b in itertools.pairwise(passed))
    answer = None
    for i in range(len(cands) - 1, -1, -1):
        if not passed[i]:
            break
        answer = cands[i].guards
    return answer, monotone


def _binding(cands: list[Candidate], answer: int | None) -> dict[str, Any] | None:
    """The target that decides the answer (see module notes)."""
    if not cands:
        return None
    if answer is None:
        top = cands[-1]
        fails = [j for j in top.judgements if j["status"] != "pass"]
        return {"target": fails[0]["target"], "at": top.guards, "actual": fails[0]["actual"],
                "why": "fails at the largest candidate"} if fails else None
    i = next(k for k, c in enumerate(cands) if c.guards == answer)
    if i > 0:
        below = cands[i - 1]
        fails = [j for j in below.judgements if j["status"] != "pass"]
        if fails:
            return {"target": fails[0]["target"], "at": below.guards,
                    "actual": fails[0]["actual"], "why": "fails just below the answer"}

    def margin(j: dict[str, Any]) -> float:
        e, v = j["estimate"], j["threshold"]
        return (v - e) / abs(v) if e is not None and v else math.inf
    judged = [j for j in cands[i].judgements if j["status"] == "pass"]
    if not judged:
        return None
    j = min(judged, key=margin)
    return {"target": j["target"], "at": answer, "actual": j["actual"],
            "why": "least margin at the answer"}


def evaluate(store: Store, backend: Backend, *, mall: str, scenario: Path, family: str,
             plan_ref: PlanRef, plan: SecurityPlan, layout: Layout,
             targets: Sequence[Target], candidates: Sequence[int], replications: int,
             seed: int, progress: ProgressFn | None = None) -> StaffingStudy:
    """Run every candidate (resuming stored runs) and explain the answer."""
    tg = staffing_targets(targets, family)
    study = StaffingStudy(scenario.stem, family, plan_ref.label, tg, replications)
    cands = sorted(set(candidates))
    ident = json.dumps([str(scenario.resolve()), file_sha256(str(scenario)), plan_ref.digest(),
                        cands, seed])
    digest = hashlib.sha256(ident.encode()).hexdigest()[:10]
    name = f"report-staffing:{mall}:{scenario.stem}:{digest}"
    study.batch = name
    cfgs = tuple(Config(index=i, scenario_path=str(scenario.resolve()),
                        overrides=(*plan_ref.overrides(), override("security.guards", g)),
                        params={"security.guards": g}, label=f"security.guards={g}")
                 for i, g in enumerate(cands))
    spec = BatchSpec(name=name, source=str(scenario.resolve()),
                     description=f"staffing study of {mall} on {scenario.stem}",
                     configs=cfgs, replications=replications, root_entropy=seed,
                     seeding="common", until_ci=None, raw={"report": mall})
    study.summary = run_batch(spec, store, backend, resume=True, progress=progress)
    batch = store.batch(name)
    assert batch is not None
    idx = {c.id: c.index for c in store.configs(batch.id)}
    per: dict[int, list[dict[str, Any]]] = {i: [] for i in range(len(cands))}
    failed: dict[int, int] = dict.fromkeys(range(len(cands)), 0)
    for r in store.runs(batch_id=batch.id):
        i = idx[r.config_id]
        if r.rep >= replications:
            continue
        if r.status == "ok" and r.metrics:
            per[i].append(r.metrics)
        else:
            failed[i] += 1
    for i, g in enumerate(cands):
        runs = per[i]
        js = [_judge_one(t, scenario.stem, family, runs) for t in tg]
        met = sum(all(_meets(t, _run_value(m, t)) for t in tg) for m in runs)
        study.candidates.append(Candidate(g, len(runs), failed[i], js, met,
                                          staffed(plan, layout, g)))
    study.answer, study.monotone = _choose(study.candidates)
    study.binding = _binding(study.candidates, study.answer)
    return study
