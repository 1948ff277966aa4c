"""Adequacy search: the smallest value of one quantity that meets every target.

``safemall adequacy SCENARIO --vary security.guards --target "t_contact_after_incident_s.p95
<= 120" --target "attack_victims.mean <= 3"`` runs replications of the scenario at candidate
values of ``--vary`` and returns the smallest value at which *every* target holds with
the stated confidence.

Decision rule
    A target ``metric.stat <= x`` holds at a value when the one-sided upper confidence
    bound of ``stat`` (:func:`sim.batch.stats.confidence_bound`: t bound for ``mean``,
    order-statistic bound for ``pXX``, the sample maximum for ``max``) is ``<= x``;
    ``>=`` targets use the lower bound. With k targets each is tested at confidence
    ``1 - (1 - c)/k`` (Bonferroni), so all hold together with confidence at least ``c``.
    A missing value (a time that never came, e.g. no responder arrived) counts as the
    worst case (+inf for ``<=``, -inf for ``>=``); failed runs are left out and shown.

Search
    Every candidate is evaluated (the grid; no bisection, which would assume that the
    targets get easier as the value grows). The answer is the smallest candidate from
    which every larger candidate meets every target (``largest=True`` mirrors this: the
    largest value from which every smaller one passes, e.g. the largest occupant load
    that evacuates in time). A candidate below the answer that passes on its own, and a
    target whose metric gets clearly worse from one candidate to the next larger one
    (paired 95 % CI over the common seeds, :mod:`sim.batch.paired`), are reported as
    **not monotone**. Each candidate says which target **binds** (the one closest to
    failing, or failing by most, relative to its threshold) and, for staffing, where
    its guards stand (``explain``: posts, patrols and beats by level).

Replications
    ``replications`` per value (raised to the minimum an order-statistic bound needs),
    and where a value fails only because the bound is wide (every point estimate meets
    its target), doubled up to ``max_replications``. The total (candidates ×
    replications, how many are stored already, how many more may be added) is
    announced before any run starts (:class:`SearchPlan`), and one progress bar covers
    the whole grid. Runs come from the database whenever a stored configuration has the
    same scenario file (unchanged) and the same overrides, whichever batch stored it;
    new runs use common random numbers (seeding "common") so neighbouring values see the
    same occupants.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch.executors import Backend
from sim.batch.paired import paired
from sim.batch.runner import ProgressFn, execute
from sim.batch.spec import Config, file_sha256, override, parse_overrides, validate_configs
from sim.batch.stats import confidence_bound, order_stat_index, point_stat, quantile_of
from sim.batch.store import BatchRow, ConfigRow, Store
from sim.engine.metrics import metric_value
from sim.errors import ScenarioError
from sim.model.scenario import parse_value

_TARGET = re.compile(
    r"^\s*(?P<metric>.+?)\.(?P<stat>mean|max|min|p\d+(?:\.\d+)?)\s*"
    r"(?P<op><=|>=|<|>)\s*(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Target:
    """``metric.stat OP value``, e.g. ``t_contact_after_incident_s.p95 <= 120``."""

    metric: str
    stat: str
    op: str
    value: float

    @property
    def side(self) -> str:
        """Which confidence bound decides: ``upper`` for ``<=``/``<``."""
        return "upper" if self.op in ("<=", "<") else "lower"

    def holds(self, x: float) -> bool:
        """Whether ``x`` meets the target."""
        if math.isnan(x):
            return False
        return {"<=": x <= self.value, "<": x < self.value, ">=": x >= self.value,
                ">": x > self.value}[self.op]

    def __str__(self) -> str:
        return f"{self.metric}.{self.stat} {self.op} {self.value:g}"


def parse_target(text: str) -> Target:
    """Read ``"metric.stat <= value"`` (stats: mean, max, min, pXX).

    Raises
    ------
    ScenarioError
        The text does not have that shape.
    """
    m = _TARGET.match(text)
    if m is None:
        raise ScenarioError(f"cannot read {text!r}; expected e.g. "
                            "\"t_evacuation_s.p95 <= 360\" (stats: mean, p50, p95, max)",
                            field="--target", source="<command line>")
    stat = m["stat"]
    if stat.startswith("p"):
        try:
            quantile_of(stat)
        except ValueError:
            raise ScenarioError(f"percentile out of range in {text!r}", field="--target",
                                source="<command line>") from None
    value = float(m["value"])
    if not math.isfinite(value):
        raise ScenarioError(f"the threshold in {text!r} must be a finite number",
                            field="--target", source="<command line>")
    return Target(m["metric"], stat, m["op"], value)


@dataclass
class Check:
    """One target at one value: the estimate, the bound used, and the verdict."""

    target: Target
    estimate: float
    bound: float
    passed: bool

    @property
    def margin(self) -> float:
        """How far the bound is inside the target, relative to it (negative: fails)."""
        t = self.target
        if math.isnan(self.bound):
            return -math.inf
        gap = (t.value - self.bound) if t.side == "upper" else (self.bound - t.value)
        if math.isinf(gap):
            return gap
        return gap / max(abs(t.value), 1e-9)


@dataclass
class Evidence:
    """What was learned at one candidate value."""

    value: Any
    n: int
    n_reused: int
    n_new: int
    failed: int
    checks: list[Check]
    by_seed: dict[str, dict[Any, float]] = field(default_factory=dict, repr=False)
    """Metric → seed → value (for paired comparisons between candidates)."""
    staffing: str | None = None
    """Where the candidate's guards stand (posts, patrols, beats by level), if known."""

    @property
    def passed(self) -> bool:
        """Every target holds."""
        return all(c.passed for c in self.checks)

    @property
    def binding(self) -> Check:
        """The target closest to failing (or failing by most), by relative margin."""
        return min(self.checks, key=lambda c: c.margin)


@dataclass
class AdequacyResult:
    """The answer (``None`` if no candidate is adequate) and its evidence."""

    vary: str
    answer: Any
    targets: list[Target]
    confidence: float
    per_target_confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    batch: str = ""
    plan: SearchPlan | None = None
    largest: bool = False

    def answer_evidence(self) -> Evidence | None:
        """The evidence of the answer."""
        return next((e for e in self.evidence if e.value == self.answer), None)

    def why(self) -> str:
        """What binds at the answer and what fails just below it, in words."""
        e = self.answer_evidence()
        if e is None:
            if not self.evidence:
                return ""
            top = (min if self.largest else max)(self.evidence, key=lambda x: x.value)
            fails = [c for c in top.checks if not c.passed]
            return f"at {self.vary} = {top.value} " + ", ".join(
                f"{c.target} fails (bound {_w(c.bound)})" for c in fails)
        b = e.binding
        text = f"binding target {b.target} (bound {_w(b.bound)})"
        vals = [x.value for x in self.evidence]
        i = vals.index(self.answer)
        j = (i + 1 if i + 1 < len(vals) else None) if self.largest else \
            (i - 1 if i > 0 else None)
        if j is not None and vals[j] != self.answer:
            below = self.evidence[j]
            if not below.passed:
                fails = [c for c in below.checks if not c.passed]
                text += (f"; at {self.vary} = {below.value} "
                         + ", ".join(f"{c.target} fails (bound {_w(c.bound)})" for c in fails))
        return text

    def to_json(self) -> dict[str, Any]:
        """A JSON-able summary."""
        return {
            "vary": self.vary, "answer": self.answer, "confidence": self.confidence,
            "per_target_confidence": self.per_target_confidence,
            "targets": [str(t) for t in self.targets], "notes": self.notes,
            "batch": self.batch, "why": self.why(),
            "runs": ({"candidates": len(self.plan.candidates),
                      "replications": self.plan.replications, "total": self.plan.total,
                      "stored": self.plan.reused, "new": self.plan.new}
                     if self.plan else None),
            "evidence": [{"value": e.value, "n": e.n, "reused": e.n_reused, "new": e.n_new,
                          "failed": e.failed, "passed": e.passed, "staffing": e.staffing,
                          "binding": str(e.binding.target),
                          "checks": [{"target": str(c.target), "estimate": _j(c.estimate),
                                      "bound": _j(c.bound), "passed": c.passed,
                                      "margin": _j(c.margin)}
                                     for c in e.checks]}
                         for e in sorted(self.evidence, key=lambda e: e.value)],
        }


def _w(x: float) -> str:
    return "∞" if x == math.inf else "-∞" if x == -math.inf else f"{x:,.3g}"


def _j(x: float) -> float | str | None:
    if math.isnan(x):
        return None
    return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")


def min_replications_for(targets: Sequence[Target], confidence: float) -> int:
    """Fewest replications for which every quantile target has a finite bound."""
    need = 2
    for t in targets:
        if t.stat.startswith("p"):
            p = quantile_of(t.stat)
            n = 1
            while order_stat_index(n, p, confidence, t.side) is None:  # type: ignore[arg-type]
                n += 1
                if n > 100_000:
                    raise ScenarioError(f"{t} needs more than 100000 replications",
                                        field="--target", source="<command line>")
            need = max(need, n)
    return need


def check(values_by_metric: dict[str, np.ndarray], targets: Sequence[Target],
          confidence: float) -> list[Check]:
    """Decide every target from per-metric values (missing = worst case)."""
    out = []
    for t in targets:
        x = values_by_metric.get(t.metric, np.zeros(0))
        worst = math.inf if t.side == "upper" else -math.inf
        x = np.where(np.isnan(x), worst, x)
        est = point_stat(x, t.stat) if len(x) else math.nan
        bound = confidence_bound(x, t.stat, confidence, t.side) if len(x) else worst  # type: ignore[arg-type]
        out.append(Check(t, est, bound, t.holds(bound)))
    return out


@dataclass
class SearchPlan:
    """What the search will run, announced before it starts."""

    candidates: list[Any]
    replications: int
    """Runs per candidate."""
    requested: int
    """Replications asked for (``replications`` may be raised above it)."""
    reused: int
    """Runs already in the database that the search uses."""
    new: int
    """Runs to start now."""
    extra_max: int
    """Most runs that may be added where a bound is too wide (``max_replications``)."""

    @property
    def total(self) -> int:
        """Runs the grid needs (reused and new)."""
        return len(self.candidates) * self.replications

    def describe(self) -> str:
        """One line, e.g. ``8 candidates × 59 replications = 472 runs (0 stored, 472 new)``."""
        text = (f"{len(self.candidates)} candidates × {self.replications} replications = "
                f"{self.total} runs ({self.reused} stored, {self.new} to run)")
        if self.replications > self.requested:
            text += f"; replications raised from {self.requested}"
        if self.extra_max:
            text += f"; up to {self.extra_max} more where only a bound is too wide"
        return text


class _Study:
    """The adequacy study's own batch in the database, and run reuse across batches."""

    def __init__(self, store: Store, backend: Backend, scenario: Path, vary: str,
                 sets: Sequence[str], root_seed: int, progress: ProgressFn | None,
                 keep_going: bool = True) -> None:
        self.store, self.backend, self.progress = store, backend, progress
        self.keep_going = keep_going
        self.scenario = str(scenario.resolve())
        self.sha = file_sha256(self.scenario)
        self.vary, self.sets = vary, tuple(sets)
        ident = json.dumps([self.scenario, vary, sorted(sets), root_seed])
        digest = hashlib.sha256(ident.encode()).hexdigest()[:8]
        self.name = f"adequacy:{scenario.stem}:{vary}:{digest}"
        self.batch: BatchRow = store.open_batch(
            name=self.name, kind="adequacy", source=self.scenario,
            description=f"adequacy search over {vary}", root_entropy=root_seed,
            seeding="common", replications=0, until_ci=None,
            spec={"scenario": self.scenario, "vary": vary, "set": list(sets)}, resume=True)

    def config(self, value: Any) -> Config:
        ovr = (*self.sets, override(self.vary, value))
        return Config(index=-1, scenario_path=self.scenario, overrides=ovr,
                      params={self.vary: value}, label=f"{self.vary}={value}")

    def matching(self, cfg: Config) -> list[ConfigRow]:
        want = parse_overrides(cfg.overrides)
        rows = self.store.con.execute(
            "SELECT id FROM configs WHERE scenario_path = ? AND scenario_sha256 = ?",
            (self.scenario, self.sha)).fetchall()
        ids = {r[0] for r in rows}
        return [c for c in self.store.configs() if c.id in ids
                and parse_overrides(c.overrides) == want]

    def own(self, cfg: Config) -> ConfigRow:
        for c in self.matching(cfg):
            if c.batch_id == self.batch.id:
                return c
        stored = self.store.configs(self.batch.id)
        idx = max((c.index for c in stored), default=-1) + 1
        new = Config(index=idx, scenario_path=cfg.scenario_path, overrides=cfg.overrides,
                     params=cfg.params, label=cfg.label)
        return self.store.add_configs(self.batch, [new])[0]

    def runs_of(self, value: Any) -> tuple[ConfigRow, list[Any], int]:
        """The study's configuration of ``value``, its distinct stored runs (any batch,
        one per seed) and how many of them belong to the study's own configuration."""
        cfg = self.config(value)
        own = self.own(cfg)
        pool = self.matching(cfg)
        runs = self.store.runs(config_ids=[c.id for c in pool])
        seen: set[tuple[int, tuple[int, ...]]] = set()
        uniq = []
        for r in runs:  # the same seed stored twice (two batches) is one run
            key = (r.seed_entropy, r.spawn_key)
            if key not in seen:
                seen.add(key)
                uniq.append(r)
        return own, uniq, sum(1 for r in runs if r.config_id == own.id)

    def fill(self, want: dict[Any, int]) -> dict[Any, tuple[list[Any], int]]:
        """Run what is missing so every value has ``want[value]`` runs, in one pass over
        all values (one progress bar for the whole search); value → (runs, new runs)."""
        before = {v: self.runs_of(v) for v in want}
        configs, targets = [], {}
        for v, (own, uniq, own_runs) in before.items():
            missing = max(0, want[v] - len(uniq))
            if missing:
                configs.append(own)
                targets[own.id] = own_runs + missing
        if configs:
            execute(self.store, self.batch, configs, targets, self.backend,
                    progress=self.progress, keep_going=self.keep_going)
        out = {}
        for v in want:
            _, uniq, _ = self.runs_of(v)
            out[v] = (uniq, len(uniq) - len(before[v][1]))
        return out

    def evidence(self, value: Any, runs: Sequence[Any], n_new: int,
                 targets: Sequence[Target], confidence: float) -> Evidence:
        ok = [r for r in runs if r.status == "ok" and r.metrics]
        vals: dict[str, np.ndarray] = {}
        by_seed: dict[str, dict[Any, float]] = {}
        for t in targets:
            xs = []
            seeds: dict[Any, float] = {}
            for r in ok:
                x = metric_value(r.metrics, t.metric)
                xs.append(x)
                seeds[(r.seed_entropy, r.spawn_key)] = x
            vals[t.metric] = np.asarray(xs, float)
            by_seed[t.metric] = seeds
        return Evidence(value, len(runs), len(runs) - n_new, n_new, len(runs) - len(ok),
                        check(vals, targets, confidence), by_seed=by_seed)


def check_confidence(confidence: float) -> float:
    """``confidence`` if it is strictly between 0 and 1, else a one-line error."""
    if not 0 < confidence < 1:
        raise ScenarioError(f"must be between 0 and 1, got {confidence}",
                            field="--confidence", source="<command line>")
    return confidence


def check_candidates(scenario: str | Path, vary: str, candidates: Sequence[Any],
                     sets: Sequence[str] = (), *, validate: bool = True) -> list[Any]:
    """The candidates, sorted; each is applied to the scenario and checked (``--vary``
    key, value, security overrides) before any run starts or anything is stored.

    Raises
    ------
    ScenarioError
        A candidate is not a number, or makes the scenario invalid.
    """
    for v in candidates:
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise ScenarioError(f"candidates are numbers (the search orders them), got "
                                f"{v!r}", field="--values", source="<command line>")
    cands = sorted(set(candidates))
    if not cands:
        raise ScenarioError("no candidate values", field="--values", source="<command line>")
    if validate:
        path = str(Path(scenario).resolve())
        validate_configs([Config(i, path, (*sets, override(vary, v)), {}, f"{vary}={v}")
                          for i, v in enumerate(cands)], source=str(scenario),
                         base_field="--values")
    return cands


def find_adequate(store: Store, backend: Backend, scenario: str | Path, vary: str,
                  targets: Sequence[Target], candidates: Sequence[Any], *,
                  replications: int = 50, max_replications: int | None = None,
                  confidence: float = 0.95, sets: Sequence[str] = (), root_seed: int = 0,
                  largest: bool = False, progress: ProgressFn | None = None,
                  on_plan: Callable[[SearchPlan], None] | None = None,
                  explain: Callable[[Any], str | None] | None = None,
                  validate: bool = True, keep_going: bool = True) -> AdequacyResult:
    """Evaluate every candidate; the smallest (``largest``: largest) value from which
    every larger (smaller) candidate meets every target. See the module notes.

    ``on_plan`` is called with the :class:`SearchPlan` before any run starts;
    ``explain(value)`` describes a candidate (e.g. where its guards stand).

    Raises
    ------
    ScenarioError
        No targets or candidates, or a candidate makes the scenario invalid.
    """
    if not targets:
        raise ScenarioError("give at least one --target", field="--target",
                            source="<command line>")
    check_confidence(confidence)
    cands = check_candidates(scenario, vary, candidates, sets, validate=validate)
    scn = Path(scenario)
    study = _Study(store, backend, scn, vary, sets, root_seed, progress, keep_going)
    c_each = 1 - (1 - confidence) / len(targets)
    res = AdequacyResult(vary, None, list(targets), confidence, c_each, batch=study.name,
                         largest=largest)
    n0 = max(replications, min_replications_for(targets, c_each))
    if n0 > replications:
        res.notes.append(f"replications raised from {replications} to {n0}: the "
                         f"order-statistic bound at {c_each:.4g} confidence needs it")
    n_max = max(n0, max_replications or n0)
    stored = {v: len(study.runs_of(v)[1]) for v in cands}
    extra = 0
    if n_max > n0:
        extra = len(cands) * (n_max - n0)
    res.plan = SearchPlan(cands, n0, replications, sum(min(stored[v], n0) for v in cands),
                          sum(max(0, n0 - stored[v]) for v in cands), extra)
    if on_plan is not None:
        on_plan(res.plan)
    got = study.fill(dict.fromkeys(cands, n0))
    ev = {v: study.evidence(v, got[v][0], got[v][1], targets, c_each) for v in cands}
    # a candidate failing only because its bound is wide gets more runs, up to n_max
    n = n0
    while n < n_max:
        wide = [v for v, e in ev.items() if not e.passed
                and all(c.target.holds(c.estimate) for c in e.checks)]
        if not wide:
            break
        n = min(2 * n, n_max)
        more = study.fill(dict.fromkeys(wide, n))
        for v in wide:
            new = ev[v].n_new + more[v][1]
            ev[v] = study.evidence(v, more[v][0], new, targets, c_each)
    for v in cands:
        if explain is not None:
            ev[v].staffing = explain(v)
    res.evidence = [ev[v] for v in cands]
    res.answer, lone = answer_of(cands, [ev[v].passed for v in cands], largest=largest)
    if res.answer is None:
        res.notes.append(f"no value in {cands[0]}…{cands[-1]} meets every target")
    if lone:
        res.notes.append(
            f"not monotone: {', '.join(map(str, lone))} meet every target but a "
            f"{'smaller' if largest else 'larger'} candidate does not; the answer is the "
            f"value from which every {'smaller' if largest else 'larger'} candidate passes")
    res.notes += _trend_notes(res.evidence, targets, vary, largest)
    return res


def answer_of(values: Sequence[Any], passed: Sequence[bool], *,
              largest: bool = False) -> tuple[Any, list[Any]]:
    """The smallest value (sorted ascending) from which every larger one passes
    (``largest``: the largest from which every smaller one passes), or ``None``; and the
    values that pass on the wrong side of it (outcomes not monotone)."""
    order = list(values)[::-1] if largest else list(values)
    ok = list(passed)[::-1] if largest else list(passed)
    k = len(order)
    while k > 0 and ok[k - 1]:
        k -= 1
    answer = order[k] if k < len(order) else None
    return answer, [order[i] for i in range(k) if ok[i]]


def _trend_notes(evidence: Sequence[Evidence], targets: Sequence[Target],
                 vary: str, largest: bool = False) -> list[str]:
    """Targets whose metric gets clearly worse (paired 95 % CI) from one candidate to the
    next larger one (``largest``: clearly better): not monotone in ``vary`` there."""


    notes = []
    for a, b in itertools.pairwise(evidence):
        for t in targets:
            sa, sb = a.by_seed.get(t.metric, {}), b.by_seed.get(t.metric, {})
            keys = sorted(set(sa) & set(sb))
            if len(keys) < 3:
                continue
            d = paired([sa[k] for k in keys], [sb[k] for k in keys], metric=t.metric)
            worse = d.ci_lo > 0 if t.side == "upper" else d.ci_hi < 0
            better = d.ci_hi < 0 if t.side == "upper" else d.ci_lo > 0
            if better if largest else worse:
                word = "better" if largest else "worse"
                notes.append(f"not monotone: {t.metric} gets {word} from {vary}={a.value} to "
                             f"{b.value} (paired difference {d.diff:+.3g}, 95% CI "
                             f"[{d.ci_lo:.3g}, {d.ci_hi:.3g}], {d.n} seeds)")
    return notes


def candidate_values(values: str | None, lo: float | None, hi: float | None,
                     step: float | None) -> list[Any]:
    """Candidates from ``--values 10,20,40`` or ``--lo --hi [--step]`` (integers by default).

    Raises
    ------
    ScenarioError
        Neither or a malformed range.
    """
    if values:
        out = [parse_value(v.strip()) for v in values.split(",") if v.strip()]
        if not out:
            raise ScenarioError("empty list", field="--values", source="<command line>")
        return out
    if lo is None or hi is None:
        raise ScenarioError("give --values or both --lo and --hi", field="--values",
                            source="<command line>")
    for name, x in (("--lo", lo), ("--hi", hi), ("--step", step)):
        if x is not None and not math.isfinite(x):
            raise ScenarioError(f"must be a finite number, got {x}", field=name,
                                source="<command line>")
    if hi < lo:
        raise ScenarioError(f"--hi {hi} is below --lo {lo}", field="--hi",
                            source="<command line>")
    st = step if step is not None else 1
    if st <= 0:
        raise ScenarioError("must be > 0", field="--step", source="<command line>")
    integral = all(float(x).is_integer() for x in (lo, hi, st))
    k = math.floor((hi - lo) / st + 1e-9)
    if k > 100_000:
        raise ScenarioError(f"{k + 1} candidates; use a larger --step", field="--step",
                            source="<command line>")
    vals = [lo + i * st for i in range(k + 1)]
    return [round(v) for v in vals] if integral else [round(v, 10) for v in vals]
