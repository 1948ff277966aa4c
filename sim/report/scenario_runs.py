"""The report's scenario runs: every scenario of the mall with every plan, on common seeds.

One batch in the batch store (:mod:`sim.batch`) holds them: a configuration per (plan,
scenario), each with the overrides ``layout=…`` and ``security.plan=…`` of its plan, all
with ``seeding = "common"`` so replication ``k`` of every configuration has the same seed
(the same shoppers, speeds and draws). The batch is named after what it runs (plans,
scenarios, their file contents, the seed), so running the report again resumes it and
only runs what is missing; any run can be repeated alone with ``safemall run
--from-batch DB RUN_ID``.

From these runs come the dynamic targets of each plan (judged as ``safemall check
--dynamic`` judges them, :func:`sim.analysis.compliance.dynamic.judge_scenarios`) and the
paired comparison of two plans (:func:`paired_rows`): per scenario and metric, the mean
of the per-seed differences B − A with its 95 % t interval, and how many seeds moved
each way.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from sim.analysis.compliance.dynamic import (
    DynamicResult,
    Target,
    judge_scenarios,
    missing_families,
)
from sim.batch.executors import Backend
from sim.batch.runner import ProgressFn, RunSummary, run_batch
from sim.batch.spec import BatchSpec, Config, file_sha256, override
from sim.batch.stats import summarize
from sim.batch.store import Store
from sim.report.text import metric_info

#: Metrics where a larger value is better (every other compared metric: smaller is better).
HIGHER_IS_BETTER: Final = frozenset({"evacuated", "attackers_neutralised", "intercepted",
                                     "margin_s", "aset_min_s", "guided_cues"})
#: Metrics compared between plans when a scenario reports them, in this order.
COMPARED: Final = ("t_alarm_s", "t_first_responder_s", "t_neutralised_s", "attack_victims",
                   "attack_deaths", "vehicle_victims", "casualties", "injured_crush",
                   "t95_evacuation_s", "t_evacuation_s", "peak_density_pm2", "margin_s",
                   "t_police_arrived_s")


@dataclass(frozen=True)
class PlanRef:
    """One plan under study: its label (A, B, …), name, layout and security plan files."""

    label: str
    name: str
    layout_path: Path
    plan_path: Path

    def overrides(self) -> tuple[str, ...]:
        """The scenario overrides that make a scenario run with this plan (and layout)."""
        return (override("layout", str(self.layout_path.resolve())),
                override("security.plan", str(self.plan_path.resolve())))

    def digest(self) -> str:
        """What the plan's runs depend on: its files' contents."""
        return file_sha256(str(self.layout_path)) + file_sha256(str(self.plan_path))


@dataclass
class ScenarioRuns:
    """The metrics of every run: ``metrics[(plan index, scenario path)][rep]`` is the
    run's metrics, an error line for a failed run, or ``None`` if it is missing."""

    batch: str
    plans: list[PlanRef]
    scenarios: list[tuple[str, Path]]
    replications: int
    seed: int
    metrics: dict[tuple[int, str], list[dict[str, Any] | str | None]] = field(
        default_factory=dict)
    summary: RunSummary | None = None

    def of(self, plan: int, scenario: Path) -> list[dict[str, Any] | str | None]:
        """Every replication's outcome for one plan and scenario."""
        return self.metrics.get((plan, str(scenario)), [])

    @property
    def n_runs(self) -> int:
        """Runs this study needs."""
        return len(self.plans) * len(self.scenarios) * self.replications


def batch_name(mall: str, plans: Sequence[PlanRef], scenarios: Sequence[tuple[str, Path]],
               seed: int) -> str:
    """A name that changes whenever the runs would."""
    ident = json.dumps([[p.label, str(p.plan_path.resolve()), p.digest()] for p in plans]
                       + [[str(s.resolve()), file_sha256(str(s))] for _, s in scenarios]
                       + [seed])
    return f"report:{mall}:{hashlib.sha256(ident.encode()).hexdigest()[:10]}"


def configs(plans: Sequence[PlanRef], scenarios: Sequence[tuple[str, Path]]) -> list[Config]:
    """One configuration per (plan, scenario), plans outermost."""
    out = []
    for i, p in enumerate(plans):
        for j, (_, s) in enumerate(scenarios):
            out.append(Config(index=i * len(scenarios) + j, scenario_path=str(s.resolve()),
                              overrides=p.overrides(),
                              params={"plan": p.label, "scenario": s.stem},
                              label=f"{p.label} · {s.stem}"))
    return out


def run_scenarios(store: Store, backend: Backend, mall: str, plans: Sequence[PlanRef],
                  scenarios: Sequence[tuple[str, Path]], *, replications: int, seed: int,
                  progress: ProgressFn | None = None) -> ScenarioRuns:
    """Run (or complete) every plan on every scenario; collect the metrics."""
    name = batch_name(mall, plans, scenarios, seed)
    res = ScenarioRuns(name, list(plans), list(scenarios), replications, seed)
    if not scenarios:
        return res
    cfgs = configs(plans, scenarios)
    spec = BatchSpec(name=name, source=str(scenarios[0][1].resolve()),
                     description=f"safemall report {mall}: {len(plans)} plans × "
                                 f"{len(scenarios)} scenarios",
                     configs=tuple(cfgs), replications=replications, root_entropy=seed,
                     seeding="common", until_ci=None,
                     raw={"report": mall, "plans": [str(p.plan_path) for p in plans]})
    res.summary = run_batch(spec, store, backend, resume=True, progress=progress)
    batch = store.batch(name)
    assert batch is not None
    rows = {c.id: c.index for c in store.configs(batch.id)}
    n_s = len(scenarios)
    for i in range(len(plans)):
        for _, s in scenarios:
            res.metrics[(i, str(s))] = [None] * replications
    for r in store.runs(batch_id=batch.id):
        idx = rows[r.config_id]
        key = (idx // n_s, str(scenarios[idx % n_s][1]))
        if r.rep < replications:
            res.metrics[key][r.rep] = (r.metrics if r.status == "ok" and r.metrics
                                       else _error(store, r.id))
    return res


def _error(store: Store, run_id: int) -> str:
    row = store.con.execute("SELECT error FROM runs WHERE id = ?", (run_id,)).fetchone()
    return ((row[0] if row else None) or "failed").splitlines()[0]


def judgements(runs: ScenarioRuns, plan: int, targets: Sequence[Target],
               mall: str) -> DynamicResult:
    """The dynamic targets of one plan, judged on its runs."""
    res = DynamicResult(runs.replications, runs.seed,
                        [(f, str(p)) for f, p in runs.scenarios])
    res.notes += missing_families(mall, runs.scenarios)
    per_path = {str(p): [m for m in runs.of(plan, p) if m is not None]
                for _, p in runs.scenarios}
    return judge_scenarios(res, runs.scenarios, per_path, targets)


@dataclass(frozen=True)
class PairRow:
    """Plan B against plan A on one metric of one scenario, over common seeds."""

    scenario: str
    family: str
    metric: str
    n: int
    """Seeds with a value under both plans."""
    dropped: int
    mean_a: float
    ci_a: tuple[float, float]
    mean_b: float
    ci_b: tuple[float, float]
    diff: float
    diff_ci: tuple[float, float]
    better: int
    """Seeds where B did better than A."""
    worse: int

    @property
    def verdict(self) -> str:
        """``better``, ``worse`` (B against A) or ``no_clear`` (the CI holds 0)."""
        lo, hi = self.diff_ci
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return "no_clear"
        up = self.metric in HIGHER_IS_BETTER
        if lo > 0:
            return "better" if up else "worse"
        if hi < 0:
            return "worse" if up else "better"
        return "no_clear"

    def to_json(self) -> dict[str, Any]:
        """JSON-able mapping (NaN as null)."""
        def j(x: float) -> float | None:
            return x if math.isfinite(x) else None
        return {"scenario": self.scenario, "family": self.family, "metric": self.metric,
                "n": self.n, "dropped": self.dropped, "mean_a": j(self.mean_a),
                "ci_a": [j(x) for x in self.ci_a], "mean_b": j(self.mean_b),
                "ci_b": [j(x) for x in self.ci_b], "diff": j(self.diff),
                "diff_ci": [j(x) for x in self.diff_ci], "better": self.better,
                "worse": self.worse, "verdict": self.verdict}


def _values(runs: Sequence[dict[str, Any] | str | None], metric: str) -> np.ndarray:
    out = []
    for m in runs:
        v = m.get(metric) if isinstance(m, dict) else None
        out.append(float(v) if isinstance(v, int | float) and not isinstance(v, bool)
                   else math.nan)
    return np.asarray(out, dtype=float)


def paired_rows(runs: ScenarioRuns, a: int = 0, b: int = 1) -> list[PairRow]:
    """Per scenario, every compared metric either plan reports: B − A over common seeds."""
    out = []
    for fam, p in runs.scenarios:
        ra, rb = runs.of(a, p), runs.of(b, p)
        present = {k for m in [*ra, *rb] if isinstance(m, dict) for k in m}
        for metric in COMPARED:
            if metric not in present:
                continue
            xa, xb = _values(ra, metric), _values(rb, metric)
            ok = np.isfinite(xa) & np.isfinite(xb)
            kind = metric_info(metric).shape
            sa = summarize(xa[ok], kind=kind)
            sb = summarize(xb[ok], kind=kind)
            d = xb[ok] - xa[ok]
            sd = summarize(d)
            up = metric in HIGHER_IS_BETTER
            better = int(((d > 0) if up else (d < 0)).sum())
            worse = int(((d < 0) if up else (d > 0)).sum())
            out.append(PairRow(p.stem, fam, metric, int(ok.sum()), int((~ok).sum()),
                               sa["mean"], (sa["ci_lo"], sa["ci_hi"]), sb["mean"],
                               (sb["ci_lo"], sb["ci_hi"]), sd["mean"],
                               (sd["ci_lo"], sd["ci_hi"]), better, worse))
    return out
