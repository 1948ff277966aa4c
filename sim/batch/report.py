"""Batch reports: per-configuration statistics, CSV/Parquet export, a paste-ready table.

``safemall batch report DB [--out DIR]`` writes, per batch in the database:

``<batch>_runs.csv|.parquet``
    One row per stored run: configuration, swept parameters, replication, run id (for
    ``safemall run --from-batch``), seed, status, error, and every metric (nested
    mappings flattened: ``exit_counts.south-door``).
``<batch>_summary.csv|.parquet``
    One row per (configuration, metric): n, missing, failed, mean, sd, 95% CI
    (``ci_lo``, ``ci_hi``, ``ci_half``, and ``ci_method``: ``t`` for times and other
    numbers, ``bootstrap`` for counts, ``exact`` for yes/no proportions, so no interval
    leaves the metric's range), min, p5, p50, p95, max (see :mod:`sim.batch.stats`).
``<batch>_table.md``
    A markdown comparison table, one row per configuration (also those without a single
    finished run): ``mean [CI]`` and p95 of the key metrics, headed by their names and
    units from the metric catalogue.
``<batch>_paired.csv``, ``<batch>_paired.md``
    Paired differences (:mod:`sim.batch.paired`): for a batch with common seeding
    (``seeding = "common"``) every key metric between consecutive configurations and
    against the first; with ``--paired LABEL`` (any batch) also every other configuration
    against the one labelled ``LABEL``. Each: the mean of the per-replication differences
    with its 95% t interval, how many seeds moved each way and a verdict. The CSV has one
    row per (comparison, metric), ``against`` naming the comparison.
``<batch>.xlsx``
    An Excel workbook with one sheet per table: ``comparison``, ``summary``, ``runs``.
``<batch>_*.png``
    Plots, drawn by the CLI with :mod:`viz.batch_plots` (the core draws nothing).

Parquet keeps column types (CSV turns every missing time into an empty string and every
parameter list into text); CSV opens in any spreadsheet. Both are written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.batch.paired import PairedDiff, batch_pairs, markdown_pairs
from sim.batch.spec import flatten
from sim.batch.stats import summarize
from sim.batch.store import BatchRow, ConfigRow, Store
from sim.errors import ScenarioError
from sim.report.text import fmt_number, metric_info, metric_label

if TYPE_CHECKING:
    import pandas as pd

#: Metrics that identify a run rather than measure it (kept in the runs table only).
IDENTITY = frozenset({"seed", "seed_entropy", "spawn_key"})

#: Metrics shown in the comparison table when present and varying, in this order.
KEY_METRICS = ("t_evacuation_s", "t95_evacuation_s", "casualties", "attack_victims",
               "t_contact_after_incident_s", "t_neutralised_after_incident_s",
               "t_first_responder_after_incident_s", "t_alarm_s", "peak_density_pm2",
               "inside", "injured_crush")

#: At most this many metrics in the default comparison table (``--metric`` for others).
MAX_TABLE_METRICS = 6

#: Statistic columns of the summary table.
STAT_COLUMNS = ("n", "missing", "mean", "sd", "ci_lo", "ci_hi", "ci_half", "min", "p5",
                "p50", "p95", "max")
#: Columns of the summary table after the statistics.
SUMMARY_EXTRA = ("ci_method",)


def flatten_metrics(metrics: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys (``exit_counts.south-door``)."""
    return flatten(metrics, prefix)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def numeric_metrics(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Metric names whose every present value is a number or missing (None)."""
    seen: dict[str, bool] = {}
    for m in rows:
        for k, v in m.items():
            if k in IDENTITY:
                continue
            ok = v is None or _is_number(v)
            seen[k] = seen.get(k, True) and ok
    return [k for k, ok in seen.items() if ok]


def swept_params(configs: Sequence[ConfigRow]) -> list[str]:
    """Parameters whose value differs between configurations, in first-seen order."""
    keys: list[str] = []
    for c in configs:
        for k in c.params:
            if k not in keys:
                keys.append(k)
    vals = {k: {json.dumps(c.params.get(k), sort_keys=True) for c in configs} for k in keys}
    varying = [k for k in keys if len(vals[k]) > 1]
    return varying or keys


def _param_cell(v: Any) -> Any:
    """A parameter value as a table cell (lists and tables as compact TOML-ish text)."""
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    return v


@dataclass
class BatchTables:
    """The runs and summary tables of one batch."""

    batch: BatchRow
    configs: list[ConfigRow]
    params: list[str]
    metrics: list[str]
    runs: pd.DataFrame
    summary: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    paired: pd.DataFrame | None = None


def runs_frame(store: Store, batch: BatchRow) -> tuple[pd.DataFrame, list[ConfigRow],
                                                       list[str], list[str]]:
    """Every stored run of ``batch`` as one row; also its configs, params and metrics."""
    import pandas as pd

    configs = store.configs(batch.id)
    by_id = {c.id: c for c in configs}
    params = swept_params(configs)
    runs = store.runs(batch_id=batch.id)
    err = dict(store.con.execute(
        "SELECT id, error FROM runs WHERE batch_id = ? AND status = 'failed'",
        (batch.id,)).fetchall())
    wall = dict(store.con.execute("SELECT id, wall_s FROM runs WHERE batch_id = ?",
                                  (batch.id,)).fetchall())
    flat = [flatten_metrics(r.metrics) if r.metrics else {} for r in runs]
    metrics = numeric_metrics(flat)
    exit_cols = [m for m in metrics if m.startswith("exit_counts.")]
    records = []
    for r, fm in zip(runs, flat, strict=True):
        c = by_id.get(r.config_id)
        if c is None:
            raise ScenarioError(f"damaged batch database: runs[{r.id}] belongs to batch "
                                f"{batch.name!r} but its configuration {r.config_id} does not",
                                source=str(store.path))
        rec: dict[str, Any] = {"batch": batch.name, "config_index": c.index,
                               "config_label": c.label}
        rec.update({p: _param_cell(c.params.get(p)) for p in params})
        rec.update(rep=r.rep, run_id=r.id, status=r.status,
                   seed_entropy=str(r.seed_entropy), spawn_key=json.dumps(list(r.spawn_key)),
                   run_wall_s=wall.get(r.id), error=(err.get(r.id) or "").split("\n")[0])
        for m in metrics:
            v = fm.get(m)
            if v is None and m in exit_cols and r.status == "ok":
                v = 0  # an exit nobody used does not appear in exit_counts
            rec[m] = float(v) if isinstance(v, int | float) and not isinstance(v, bool) \
                else np.nan
        records.append(rec)
    cols = ["batch", "config_index", "config_label", *params, "rep", "run_id", "status",
            "seed_entropy", "spawn_key", "run_wall_s", "error", *metrics]
    df = pd.DataFrame.from_records(records, columns=cols)
    return df, configs, params, metrics


def summary_frame(runs: pd.DataFrame, configs: Sequence[ConfigRow], params: Sequence[str],
                  metrics: Sequence[str], confidence: float = 0.95) -> pd.DataFrame:
    """Per configuration and metric: n, missing, failed and the statistics columns.

    Only ``ok`` runs enter the statistics; ``failed`` counts the others.
    """
    import pandas as pd

    rows = []
    for c in configs:
        sub = runs[runs["config_index"] == c.index]
        ok = sub[sub["status"] == "ok"]
        n_failed = int((sub["status"] == "failed").sum())
        for m in metrics:
            kind = metric_info(m).shape
            x = ok[m].to_numpy(dtype=float)
            s = summarize(x, confidence, kind=kind)
            row: dict[str, Any] = {"config_index": c.index, "config_label": c.label}
            row.update({p: _param_cell(c.params.get(p)) for p in params})
            row.update(metric=m, failed=n_failed)
            row.update({k: s[k] for k in STAT_COLUMNS})
            row["n"] = int(row["n"])
            row["missing"] = int(row["missing"])
            row["ci_method"] = ("none" if row["n"] < 2 else "exact" if kind == "flag"
                                else "bootstrap" if kind == "count" else "t")
            rows.append(row)
    cols = ["config_index", "config_label", *params, "metric", "failed", *STAT_COLUMNS,
            *SUMMARY_EXTRA]
    return pd.DataFrame.from_records(rows, columns=cols)


def batch_tables(store: Store, batch: BatchRow, confidence: float = 0.95) -> BatchTables:
    """Runs and summary tables of one stored batch."""
    runs, configs, params, metrics = runs_frame(store, batch)
    summary = summary_frame(runs, configs, params, metrics, confidence)
    return BatchTables(batch, configs, params, metrics, runs, summary)


def _fmt(v: float) -> str:
    return fmt_number(v)


def choose_metrics(tables: BatchTables, wanted: Sequence[str] | None = None) -> list[str]:
    """The table's metrics: ``wanted`` (those present), else the key metrics present."""
    if wanted:
        return [m for m in wanted if m in tables.metrics]
    present = [m for m in KEY_METRICS if m in tables.metrics]
    s = tables.summary
    # leave out metrics that are the same in every run of every configuration
    varying = [m for m in present
               if not (s[s["metric"] == m]["sd"].fillna(0).eq(0).all()
                       and s[s["metric"] == m]["mean"].nunique(dropna=False) <= 1)]
    return (varying or present)[:MAX_TABLE_METRICS]


@dataclass(frozen=True)
class Cell:
    """One metric of one configuration in the comparison table."""

    metric: str
    n: int
    missing: int
    mean: float
    ci_lo: float
    ci_hi: float
    p95: float

    def text(self, *, p95: bool = False) -> str:
        """``"30.0 [10.4, 49.6]"`` (``—`` without a value)."""
        if self.n == 0:
            return "—"
        if p95:
            return _fmt(self.p95)
        miss = f" ({self.missing} missing)" if self.missing else ""
        return f"{_fmt(self.mean)} [{_fmt(self.ci_lo)}, {_fmt(self.ci_hi)}]{miss}"


@dataclass(frozen=True)
class Row:
    """One configuration of the comparison table."""

    config_index: int
    label: str
    params: tuple[Any, ...]
    runs: int
    failed: int
    cells: tuple[Cell, ...]

    @property
    def no_data(self) -> bool:
        """No run of this configuration finished (every one failed, or none ran)."""
        return self.runs == self.failed


def comparison_rows(tables: BatchTables, metrics: Sequence[str] | None = None
                    ) -> tuple[list[str], list[Row]]:
    """The metrics compared and one row per configuration, those without data included."""
    ms = choose_metrics(tables, metrics)
    s = tables.summary
    rows = []
    for c in tables.configs:
        sub = s[s["config_index"] == c.index]
        failed = int(sub["failed"].iloc[0]) if len(sub) else 0
        n_runs = int((tables.runs["config_index"] == c.index).sum())
        cells = []
        for m in ms:
            r = sub[sub["metric"] == m]
            if r.empty:
                cells.append(Cell(m, 0, 0, *(4 * [math.nan])))
                continue
            r0 = r.iloc[0]
            cells.append(Cell(m, int(r0["n"]), int(r0["missing"]), float(r0["mean"]),
                              float(r0["ci_lo"]), float(r0["ci_hi"]), float(r0["p95"])))
        rows.append(Row(c.index, c.label, tuple(_param_cell(c.params.get(p))
                                                for p in tables.params),
                        n_runs, failed, tuple(cells)))
    return ms, rows


def comparison_frame(tables: BatchTables, metrics: Sequence[str] | None = None
                     ) -> pd.DataFrame:
    """The comparison table with numbers as numbers (the workbook's first sheet)."""
    import pandas as pd

    _, rows = comparison_rows(tables, metrics)
    recs = []
    for r in rows:
        rec: dict[str, Any] = {"configuration": r.label}
        rec.update(dict(zip(tables.params, r.params, strict=True)))
        rec.update({"runs": r.runs, "failed": r.failed})
        for c in r.cells:
            lab = metric_label(c.metric)
            rec.update({f"{lab} mean": c.mean, f"{lab} 95% CI low": c.ci_lo,
                        f"{lab} 95% CI high": c.ci_hi, f"{lab} p95": c.p95,
                        f"{lab} runs with a value": c.n})
        recs.append(rec)
    return pd.DataFrame.from_records(recs)


def markdown_table(tables: BatchTables, metrics: Sequence[str] | None = None) -> str:
    """One row per configuration: runs, failures, ``mean [95% CI]`` and p95 per metric."""
    ms, rows = comparison_rows(tables, metrics)
    head = [*(tables.params or ["configuration"]), "runs", "failed"]
    for m in ms:
        head += [f"{metric_label(m)} mean [95% CI]", f"{metric_label(m)} p95"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---:" if i >= len(tables.params or [1]) else "---"
                            for i in range(len(head))) + "|"]
    for r in rows:
        cells = [str(p) for p in r.params] if tables.params else [r.label]
        cells += [str(r.runs), str(r.failed)]
        for c in r.cells:
            cells += ["no data" if r.no_data else c.text(), c.text(p95=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_workbook(tables: BatchTables, path: str | Path,
                   metrics: Sequence[str] | None = None) -> Path:
    """An Excel workbook, one sheet per table: comparison, summary, runs (openpyxl)."""
    import pandas as pd

    p = Path(path)
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        for name, df in (("comparison", comparison_frame(tables, metrics)),
                         ("summary", tables.summary), ("runs", tables.runs)):
            df.to_excel(xw, sheet_name=name, index=False)
            sheet = xw.sheets[name]
            sheet.freeze_panes = "B2"
            for col in sheet.columns:  # widths that show the headers
                width = max(len(str(col[0].value or "")), 8)
                sheet.column_dimensions[col[0].column_letter].width = min(width + 2, 40)
    return p


#: Columns of the paired-differences frame and of ``<batch>_paired.csv``.
PAIRED_COLUMNS = ("against", "config_index", "config_label", "baseline_label", "metric", "n",
                  "missing", "mean_baseline", "mean_config", "diff", "sd", "ci_lo", "ci_hi",
                  "ci_half", "better", "worse", "verdict")


def _pairs_records(diffs: Sequence[PairedDiff], configs: Sequence[ConfigRow],
                   against: str) -> list[dict[str, Any]]:
    index_of = {c.label: c.index for c in configs}
    return [{"against": against, "config_index": index_of.get(d.b), "config_label": d.b,
             "baseline_label": d.a, "metric": d.metric, "n": d.n, "missing": d.dropped,
             "mean_baseline": d.mean_a, "mean_config": d.mean_b, "diff": d.diff, "sd": d.sd,
             "ci_lo": d.ci_lo, "ci_hi": d.ci_hi, "ci_half": d.ci_half, "better": d.better,
             "worse": d.worse, "verdict": d.verdict} for d in diffs]


def paired_frame(tables: BatchTables, baseline: str, metrics: Sequence[str],
                 confidence: float = 0.95) -> pd.DataFrame:
    """Per (configuration, metric): the paired difference to the ``baseline`` configuration
    (:func:`sim.batch.paired.batch_pairs`), one row each, columns :data:`PAIRED_COLUMNS`.

    Runs are matched by replication index; only ``ok`` runs enter. Raises
    :class:`sim.batch.paired.UnknownConfiguration` when no configuration has the label ``baseline``.
    """
    import pandas as pd

    diffs = batch_pairs(tables.runs, tables.configs, metrics, baseline=baseline,
                        confidence=confidence)
    return pd.DataFrame.from_records(_pairs_records(diffs, tables.configs, "baseline"),
                                     columns=list(PAIRED_COLUMNS))


def write_pairs(t: BatchTables, stem: Path, metrics: Sequence[str] | None = None,
                confidence: float = 0.95, baseline: str | None = None) -> list[Path]:
    """Write ``<stem>_paired.csv`` and ``.md``: against ``baseline`` (a label, when given;
    kept in ``t.paired``) and, for a common-seeded batch of several configurations, each
    configuration against the previous and against the first (nothing else: no files)."""
    import pandas as pd

    ms = choose_metrics(t, metrics)
    rows: list[dict[str, Any]] = []
    md = [f"### {t.batch.name}: paired differences\n"]
    if t.batch.seeding != "common":
        md.append("\nThis batch uses independent seeds: replication k of two configurations "
                  "ran on different seeds, so these differences are not paired (they keep "
                  "the noise of the placements).\n")
    if baseline is not None:
        t.paired = paired_frame(t, baseline, ms, confidence)
        rows += t.paired.to_dict("records")
        md.append(f"\n#### configuration − {baseline} (mean [{confidence:.0%} CI])\n\n"
                  + paired_markdown(t.paired, baseline))
    if t.batch.seeding == "common" and len(t.configs) > 1:
        for against in ("previous", "first"):
            if against == "first" and len(t.configs) < 3:
                continue
            diffs = batch_pairs(t.runs, t.configs, ms, against=against, confidence=confidence)
            rows += _pairs_records(diffs, t.configs, against)
            md.append(f"\n#### each configuration against the {against}\n\n"
                      + markdown_pairs(diffs, confidence))
    if not rows:
        return []
    csv = Path(f"{stem}_paired.csv")
    pd.DataFrame.from_records(rows, columns=list(PAIRED_COLUMNS)).to_csv(csv, index=False)
    mdp = Path(f"{stem}_paired.md")
    mdp.write_text("".join(md), encoding="utf-8")
    return [csv, mdp]


def paired_markdown(frame: pd.DataFrame, baseline: str) -> str:
    """The paired differences as a table: one row per configuration, one column per metric
    (``mean config − mean baseline [95% CI]``, n pairs when some are missing)."""
    metrics = list(dict.fromkeys(frame["metric"]))
    labels = list(dict.fromkeys(frame["config_label"]))
    head = ["configuration − " + baseline, *(metric_label(m) for m in metrics)]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * len(metrics)]
    base_row = [f"{baseline} (mean)"]
    for m in metrics:  # the first comparison with pairs (one without any has no mean)
        means = frame.loc[(frame["metric"] == m) & (frame["n"] > 0), "mean_baseline"]
        base_row.append(_fmt(float(means.iloc[0])) if len(means) else "—")
    lines.append("| " + " | ".join(base_row) + " |")
    for lab in labels:
        cells = [lab]
        for m in metrics:
            r = frame[(frame["config_label"] == lab) & (frame["metric"] == m)]
            if r.empty or not r["n"].iloc[0]:
                cells.append("—")
                continue
            r0 = r.iloc[0]
            miss = f" (n={int(r0['n'])})" if r0["missing"] else ""
            cells.append(f"{_fmt(r0['diff'])} [{_fmt(r0['ci_lo'])}, {_fmt(r0['ci_hi'])}]{miss}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def write_report(store: Store, out_dir: str | Path, *, batches: Sequence[str] | None = None,
                 metrics: Sequence[str] | None = None, confidence: float = 0.95,
                 paired: str | None = None) -> list[BatchTables]:
    """Write tables and exports for every (or the named) batch of the database.

    Plots are drawn on top of these tables by :func:`viz.batch_plots.plot_batch`.
    Named batches and metrics are checked before anything is written.
    """
    stored = store.batches()
    for name in batches or []:
        if name not in {b.name for b in stored}:
            raise ScenarioError(f"no batch {name!r} in this database (it holds "
                                f"{', '.join(repr(b.name) for b in stored) or 'none'})",
                                field="--batch", source=str(store.path))
    all_tables = [batch_tables(store, b, confidence) for b in stored
                  if not batches or b.name in batches]
    for m in metrics or []:  # checked before anything is written
        if not any(m in t.metrics for t in all_tables):
            have = sorted({x for t in all_tables for x in t.metrics})
            raise ScenarioError(f"no stored run reports metric {m!r} (the runs report "
                                f"{', '.join(have[:12]) or 'no metric'}"
                                f"{' …' if len(have) > 12 else ''})",
                                field="--metric", source=str(store.path))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = []
    for t in all_tables:
        b = t.batch
        stem = out / _safe(b.name)
        for name, df in (("runs", t.runs), ("summary", t.summary)):
            csv = Path(f"{stem}_{name}.csv")
            df.to_csv(csv, index=False)
            pq = Path(f"{stem}_{name}.parquet")
            df.to_parquet(pq, index=False)
            t.files += [csv, pq]
        md = Path(f"{stem}_table.md")
        md.write_text(f"### {b.name}\n\n" + markdown_table(t, metrics), encoding="utf-8")
        t.files.append(md)
        t.files.append(write_workbook(t, Path(f"{stem}.xlsx"), metrics))
        t.files += write_pairs(t, stem, metrics, confidence, baseline=paired)
        result.append(t)
    return result
