"""Adequacy search: the smallest value of one quantity that meets every target.

``safemall adequacy SCENARIO --vary security.guards --target "t_first_responder_s.p95 <=
180" --target "attack_victims.mean <= 3"`` runs replications of the scenario at candidate
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
    The targets are assumed to get easier as the value grows (more guards, wider doors),
    so the candidates are bisected: the largest candidate is checked first (if it fails,
    no candidate is adequate), then the interval is halved. The answer ``v`` was checked
    and passed; the candidate below it was checked and failed (unless ``v`` is the
    smallest). ``largest=True`` mirrors this (largest value still adequate, e.g. the
    largest occupant load that evacuates in time).

Replications
    ``replications`` per value (raised to the minimum an order-statistic bound needs),
    and if a value fails only because the bound is wide (every point estimate meets its
    target), doubled up to ``max_replications``. Runs come from the database whenever a
    stored configuration has the same scenario file (unchanged) and the same overrides,
    whichever batch stored it; new runs use common random numbers (seeding "common") so
    neighbouring values see the same occupants.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch.executors import Backend
from sim.batch.runner import ProgressFn, execute
from sim.batch.spec import Config, file_sha256, override, parse_overrides, validate_configs
from sim.batch.stats import confidence_bound, order_stat_index, point_stat, quantile_of
from sim.batch.store import BatchRow, ConfigRow, Store
from sim.errors import ScenarioError
from sim.model.scenario import parse_value

_TARGET = re.compile(
    r"^\s*(?P<metric>.+?)\.(?P<stat>mean|max|min|p\d+(?:\.\d+)?)\s*"
    r"(?P<op><=|>=|<|>)\s*(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Target:
    """``metric.stat OP value``, e.g. ``t_first_responder_s.p95 <= 180``."""

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


@dataclass
class Evidence:
    """What was learned at one candidate value."""

    value: Any
    n: int
    n_reused: int
    n_new: int
    failed: int
    checks: list[Check]

    @property
    def passed(self) -> bool:
        """Every target holds."""
        return all(c.passed for c in self.checks)


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

    def to_json(self) -> dict[str, Any]:
        """A JSON-able summary."""
        return {
            "vary": self.vary, "answer": self.answer, "confidence": self.confidence,
            "per_target_confidence": self.per_target_confidence,
            "targets": [str(t) for t in self.targets], "notes": self.notes,
            "batch": self.batch,
            "evidence": [{"value": e.value, "n": e.n, "reused": e.n_reused, "new": e.n_new,
                          "failed": e.failed, "passed": e.passed,
                          "checks": [{"target": str(c.target), "estimate": _j(c.estimate),
                                      "bound": _j(c.bound), "passed": c.passed}
                                     for c in e.checks]}
                         for e in sorted(self.evidence, key=lambda e: e.value)],
        }


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

    def evaluate(self, value: Any, n: int, targets: Sequence[Target],
                 confidence: float) -> Evidence:
        cfg = self.config(value)
        own = self.own(cfg)
        n_new = 0
        while True:
            pool = self.matching(cfg)
            runs = self.store.runs(config_ids=[c.id for c in pool])
            seen: set[tuple[int, tuple[int, ...]]] = set()
            uniq = []
            for r in runs:  # the same seed stored twice (two batches) is one run
                key = (r.seed_entropy, r.spawn_key)
                if key not in seen:
                    seen.add(key)
                    uniq.append(r)
            if len(uniq) >= n:
                break
            own_runs = sum(1 for r in runs if r.config_id == own.id)
            s = execute(self.store, self.batch, [own], {own.id: own_runs + n - len(uniq)},
                        self.backend, progress=self.progress, keep_going=self.keep_going)
            n_new += s.ran
            if s.ran == 0:  # pragma: no cover - nothing could be added
                break
        return self._evidence(value, uniq, len(uniq) - n_new, n_new, targets, confidence)

    def _evidence(self, value: Any, runs: Sequence[Any], n_reused: int, n_new: int,
                  targets: Sequence[Target], confidence: float) -> Evidence:
        ok = [r for r in runs if r.status == "ok" and r.metrics]
        vals: dict[str, np.ndarray] = {}
        for t in targets:
            xs = []
            for r in ok:
                v = r.metrics.get(t.metric) if "." not in t.metric else _dig(r.metrics,
                                                                             t.metric)
                xs.append(float(v) if isinstance(v, int | float)
                          and not isinstance(v, bool) else math.nan)
            vals[t.metric] = np.asarray(xs, float)
        return Evidence(value, len(runs), n_reused, n_new, len(runs) - len(ok),
                        check(vals, targets, confidence))


def _dig(m: dict[str, Any], dotted: str) -> Any:
    if dotted in m:
        return m[dotted]
    node: Any = m
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


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
            raise ScenarioError(f"candidates are numbers (the search bisects them), got "
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
                  validate: bool = True, keep_going: bool = True) -> AdequacyResult:
    """Bisect ``candidates`` for the smallest (``largest``: largest) adequate value.

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
    if largest:
        cands = cands[::-1]
    scn = Path(scenario)
    study = _Study(store, backend, scn, vary, sets, root_seed, progress, keep_going)
    c_each = 1 - (1 - confidence) / len(targets)
    res = AdequacyResult(vary, None, list(targets), confidence, c_each, batch=study.name)
    n0 = max(replications, min_replications_for(targets, c_each))
    if n0 > replications:
        res.notes.append(f"replications raised from {replications} to {n0}: the "
                         f"order-statistic bound at {c_each:.4g} confidence needs it")
    n_max = max(n0, max_replications or n0)
    cache: dict[Any, Evidence] = {}

    def ok(i: int) -> bool:
        v = cands[i]
        n = n0
        while True:
            ev = study.evaluate(v, n, targets, c_each)
            if ev.passed or n >= n_max or not all(c.target.holds(c.estimate)
                                                  for c in ev.checks):
                break
            n = min(2 * n, n_max)
        cache[v] = ev
        return ev.passed

    lo, hi = 0, len(cands) - 1
    if not ok(hi):
        res.notes.append(f"no value in {cands[0]}…{cands[-1]} meets every target")
    else:
        while lo < hi:
            mid = (lo + hi) // 2
            if ok(mid):
                hi = mid
            else:
                lo = mid + 1
        res.answer = cands[hi]
    res.evidence = list(cache.values())
    return res


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
