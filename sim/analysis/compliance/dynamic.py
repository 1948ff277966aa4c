"""Dynamic checks: run a mall's scenarios with replications and judge performance targets.

Scenarios (naming rule, documented in ``docs/compliance.md``)
------------------------------------------------------------
Every ``*.toml`` directly in the scenario folder (default ``scenarios/`` beside
``layouts/``) whose file name, split at ``_``, contains the mall's folder name as a word:
``drill_grand.toml``, ``fire_atrium_grand.toml``, ``crush_exit_grand_peak.toml``,
``knife_attack_grand.toml``. Its **family** comes from the name: ``crush`` when a word
contains ``crush``; ``attack`` when a word is ``attack`` or ``ramming``; else the first
word when it is
``drill``, ``fire``, ``robbery``, ``hostage``, ``sabotage`` or ``explosion`` (the drill
types of SM-1.2c); else ``other``. Missing families are simply not run.

Each scenario runs with the **security plan under check** (``security.plan`` is set to
it), ``replications`` times, replication ``r`` of scenario ``i`` seeded by
``SeedSequence(seed, spawn_key=(i, r))``, from the batch machinery's
:func:`sim.batch.seeds.run_seed` and :func:`sim.batch.worker.execute_run` (on a
:class:`sim.batch.executors.LocalPool` when ``workers > 1``).

Targets
-------
``sim/analysis/compliance/targets.toml`` (or ``--targets FILE``): see that file. A target is judged
per scenario on the plain estimate of its statistic over the replications
(:func:`sim.batch.stats.point_stat`); a run that reports the metric as ``null`` counts as
the worst case; a scenario whose runs never report it gives ``not_applicable``. For a
ratio, a ``null`` denominator means it never happened (``aset_min_s``: no occupied space
became untenable, ASET is unbounded) and the ratio is 0.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.analysis.compliance.inputs import CheckInputs
from sim.batch.executors import LocalPool, default_workers
from sim.batch.seeds import run_seed, spawn_key
from sim.batch.stats import point_stat
from sim.batch.worker import RunTask, execute_run
from sim.errors import ScenarioError
from sim.io.toml import read_toml
from sim.model.validation import Number, first_error
from sim.report.text import plural

DEFAULT_TARGETS: Final = Path(__file__).with_name("targets.toml")
FAMILIES: Final = ("drill", "fire", "crush", "attack", "robbery", "hostage", "sabotage",
                   "explosion", "other")
#: Families named by a scenario file's first word (the six drill types of SM-1.2c, drills).
_FIRST_WORD: Final = ("drill", "fire", "robbery", "hostage", "sabotage", "explosion")
_OPS: Final[dict[str, Callable[[float, float], bool]]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt}


class Target(BaseModel):
    """One performance target (a row of ``targets.toml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str
    title_zh: str = ""
    """The title in Chinese (the report's Chinese version)."""
    metric: str
    stat: str = "p95"
    op: Literal["<=", "<", ">=", ">"] = "<="
    value: Number
    unit: str = ""
    divide_by: str | None = None
    factor: Number = 1.0
    families: list[str] = Field(default_factory=list)
    clauses: list[str] = Field(default_factory=list)
    cites: str = ""

    def with_value(self, value: float) -> Target:
        """A copy with another threshold."""
        return self.model_copy(update={"value": float(value)})

    def applies_to(self, family: str) -> bool:
        """True when the target judges scenarios of ``family``."""
        return not self.families or family in self.families

    def describe(self) -> str:
        """``t_alarm_s p95 <= 120 s``."""
        m = self.metric + (f" × {self.factor:g} / {self.divide_by}" if self.divide_by else
                           (f" × {self.factor:g}" if self.factor != 1 else ""))
        return f"{m} {self.stat} {self.op} {self.value:g}{(' ' + self.unit) if self.unit else ''}"


class _TargetsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    schema_: Literal["safemall/targets/1"] = Field(alias="schema")
    targets: list[Target] = Field(min_length=1)


def load_targets(path: str | Path | None = None) -> list[Target]:
    """Read target definitions (default: the bundled ``targets.toml``)."""
    p = Path(path) if path is not None else DEFAULT_TARGETS
    raw = read_toml(p, ScenarioError)
    try:
        tf = _TargetsFile.model_validate(raw)
    except ValidationError as exc:
        fld, reason = first_error(exc, raw)
        raise ScenarioError(reason, field=fld, source=str(p)) from None
    for i, t in enumerate(tf.targets):
        try:
            _stat(np.array([1.0]), t.stat)
        except ValueError:
            raise ScenarioError(f"unknown statistic {t.stat!r}; use mean, max, min or pNN",
                                field=f"targets[{t.id!r}].stat", source=str(p)) from None
        bad = [f for f in t.families if f not in FAMILIES]
        if bad:
            raise ScenarioError(f"unknown family {bad[0]!r}; expected one of "
                                f"{', '.join(FAMILIES)}", field=f"targets[{i}].families",
                                source=str(p))
    return list(tf.targets)


def _stat(values: np.ndarray, stat: str) -> float:
    """The plain estimate of ``stat`` (as the batch machinery computes it)."""
    return float(point_stat(values, stat))


def scenario_family(stem: str) -> str:
    """The family of a scenario file name (see module doc)."""
    words = stem.lower().split("_")
    if any("crush" in w for w in words):
        return "crush"
    if any(w in ("attack", "ramming") for w in words):
        return "attack"
    if words[0] in _FIRST_WORD:
        return words[0]
    return "other"


def discover_scenarios(mall: str, scenario_dir: Path) -> list[tuple[str, Path]]:
    """``(family, path)`` of the mall's scenarios, drills first, then by name."""
    if not scenario_dir.is_dir():
        return []
    out = [(scenario_family(p.stem), p) for p in sorted(scenario_dir.glob("*.toml"))
           if mall.lower() in p.stem.lower().split("_")]
    return sorted(out, key=lambda fp: (FAMILIES.index(fp[0]), fp[1].name))


@dataclass(frozen=True)
class Judgement:
    """A target judged on one scenario."""

    target: Target
    scenario: str
    family: str
    status: str
    n: int
    values: tuple[float | None, ...] = ()
    estimate: float | None = None
    threshold: float | None = None
    required: str = ""
    actual: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON-able mapping."""
        return {"target": self.target.id, "title": self.target.title,
                "metric": self.target.metric, "scenario": self.scenario,
                "family": self.family, "status": self.status, "n": self.n,
                "required": self.required, "actual": self.actual,
                "estimate": self.estimate, "clauses": list(self.target.clauses),
                "cites": self.target.cites,
                "values": [None if v is None or not math.isfinite(v) else v
                           for v in self.values]}


@dataclass
class DynamicResult:
    """Everything ``--dynamic`` found."""

    replications: int
    seed: int
    scenarios: list[tuple[str, str]] = field(default_factory=list)
    """``(family, path)`` of the scenarios run."""
    judgements: list[Judgement] = field(default_factory=list)
    failed_runs: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-able mapping."""
        return {"replications": self.replications, "seed": self.seed,
                "scenarios": [{"family": f, "path": p} for f, p in self.scenarios],
                "targets": [j.to_json() for j in self.judgements],
                "failed_runs": self.failed_runs, "notes": self.notes}


def run_value(m: dict[str, Any], t: Target) -> tuple[bool, float | None]:
    """(metric present, value) of one run; ``None`` when reported as null."""
    if t.metric not in m or (t.divide_by is not None and t.divide_by not in m):
        return False, None
    v = m.get(t.metric)
    if v is None or not isinstance(v, int | float):
        return True, None
    x = float(v) * t.factor
    if t.divide_by is not None:
        d = m.get(t.divide_by)
        if d is None:  # the denominator never happened (e.g. ASET: nothing untenable)
            return True, 0.0
        if not isinstance(d, int | float) or d <= 0:
            return True, None
        x /= float(d)
    return True, x


def judge(target: Target, scenario: str, family: str,
          runs: Sequence[dict[str, Any]]) -> Judgement:
    """Judge one target on the metrics of one scenario's replications."""
    if not target.applies_to(family):
        return Judgement(target, scenario, family, "not_applicable", 0,
                         required=target.describe(), actual=f"not judged for {family}")
    got = [run_value(m, target) for m in runs]
    if not runs or not any(p for p, _ in got):
        return Judgement(target, scenario, family, "not_applicable", len(runs),
                         required=target.describe(), actual="metric not produced")
    worst = math.inf if target.op in ("<=", "<") else -math.inf
    vals = [v if v is not None else worst for p, v in got if p]
    est = _stat(np.asarray(vals, dtype=float), target.stat)
    ok = _OPS[target.op](est, target.value)  # the unrounded estimate decides
    nulls = sum(1 for p, v in got if p and v is None)
    unit = f" {target.unit}" if target.unit else ""
    actual = (f"{target.stat} = {shown(est, target.value)}{unit}" if math.isfinite(est)
              else f"{target.stat} = never") + f" over {plural(len(vals), 'run')}"
    if nulls:
        actual += f" ({nulls} without a value, counted as worst)"
    if target.divide_by is not None:
        free = sum(1 for m in runs if m.get(target.metric) is not None
                   and target.divide_by in m and m.get(target.divide_by) is None)
        if free:
            actual += f" ({free} with no {target.divide_by}: ratio 0)"
    return Judgement(target, scenario, family, "pass" if ok else "fail", len(vals),
                     values=tuple(v for p, v in got if p), estimate=est if math.isfinite(est)
                     else None, threshold=target.value, required=target.describe(),
                     actual=actual)


def shown(x: float, threshold: float) -> str:
    """``x`` with enough digits that it never looks equal to ``threshold`` unless it is.

    >>> shown(3.996, 4.0), shown(180.04, 180.0), shown(4.0, 4.0), shown(123.456, 300.0)
    ('3.996', '180.04', '4', '123.5')
    """
    for digits in range(4, 12):
        text = f"{x:.{digits}g}"
        if float(text) == x or (float(text) == threshold) == (x == threshold):
            return text
    return repr(x)


def _run_all(paths: Sequence[Path], overrides: tuple[str, ...], replications: int, seed: int,
             workers: int, progress: Callable[[str], None] | None
             ) -> dict[str, list[dict[str, Any] | str]]:
    """Metrics (or an error text) of every replication, per scenario path."""
    tasks = [RunTask(batch_id=0, config_id=i, config_index=i, rep=r,
                     scenario_path=str(p.resolve()), overrides=overrides,
                     seed_entropy=seed, spawn_key=spawn_key(i, r))
             for r in range(replications) for i, p in enumerate(paths)]
    if any(run_seed(seed, t.config_index, t.rep).spawn_key != t.spawn_key for t in tasks):
        raise RuntimeError("seed layout differs from sim.batch.seeds.run_seed")
    out: dict[str, list[dict[str, Any] | str]] = {str(p): [] for p in paths}
    done = 0
    if workers == 1 or len(tasks) == 1:
        outcomes = (execute_run(t) for t in tasks)
        pairs = zip(tasks, outcomes, strict=True)
        for t, o in pairs:
            out[str(paths[t.config_index])].append(o.metrics if o.status == "ok" and o.metrics
                                                   else (o.error or "failed").splitlines()[0])
            done += 1
            if progress is not None and (done % max(1, len(paths)) == 0 or done == len(tasks)):
                progress(f"dynamic: {done}/{len(tasks)} runs")
        return out
    pool = LocalPool(min(workers, len(tasks)) if workers > 1 else
                     min(default_workers(), len(tasks)))
    try:
        futs = {pool.submit(t): t for t in tasks}
        for f in list(futs):
            t = futs[f]
            o = pool.result(f)
            out[str(paths[t.config_index])].append(o.metrics if o.status == "ok" and o.metrics
                                                   else (o.error or "failed").splitlines()[0])
            done += 1
            if progress is not None:
                progress(f"dynamic: {done}/{len(tasks)} runs")
    finally:
        pool.close()
    return out


def run_dynamic(inp: CheckInputs, targets: Sequence[Target], *, replications: int = 10,
                workers: int = 1, scenario_dir: Path | None = None, seed: int = 2017,
                progress: Callable[[str], None] | None = None,
                runner: Callable[..., dict[str, list[dict[str, Any] | str]]] | None = None
                ) -> DynamicResult:
    """Run the mall's scenarios with the plan under check and judge every target."""
    mall = inp.mall_dir.resolve().name
    sdir = scenario_dir if scenario_dir is not None else \
        inp.mall_dir.resolve().parent.parent / "scenarios"
    found = discover_scenarios(mall, sdir)
    res = DynamicResult(replications, seed, [(f, str(p)) for f, p in found])
    if not found:
        res.notes.append(f"no scenarios for {mall!r} in {sdir} (naming rule: *_{mall}*.toml)")
        return res
    res.notes += missing_families(mall, found)
    plan = json.dumps(str(inp.plan_path.resolve()))
    overrides = (f"security.plan={plan}",)
    run = runner or _run_all
    metrics = run([p for _, p in found], overrides, replications, seed, workers, progress)
    judge_scenarios(res, found, metrics, targets)
    return res


def missing_families(mall: str, found: Sequence[tuple[str, Path]]) -> list[str]:
    """Notes for the main families (drill, fire, crush, attack) without a scenario."""
    present = {f for f, _ in found}
    return [f"no {fam} scenario for {mall}: its targets are not judged"
            for fam in ("drill", "fire", "crush", "attack") if fam not in present]


def judge_scenarios(res: DynamicResult, found: Sequence[tuple[str, Path]],
                    metrics: dict[str, list[dict[str, Any] | str]],
                    targets: Sequence[Target]) -> DynamicResult:
    """Judge every target on every scenario's runs (metrics, or an error text per run)."""
    for fam, p in found:
        runs = metrics.get(str(p), [])
        ok = [m for m in runs if isinstance(m, dict)]
        bad = [m for m in runs if isinstance(m, str)]
        if bad:
            res.failed_runs[str(p)] = bad
            res.notes.append(f"{p.name}: {len(bad)} of {len(runs)} runs failed: {bad[0]}")
        for t in targets:
            j = judge(t, p.stem, fam, ok)
            if not ok and bad and t.applies_to(fam):
                j = replace(j, status="not_specified", actual=f"all {len(bad)} runs failed")
            res.judgements.append(j)
    return res
