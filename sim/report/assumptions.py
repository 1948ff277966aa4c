"""Which assumptions the answer rests on, and how sensitive it is to them.

* The parameters a scenario uses come from the assumptions register (issue 19,
  :func:`sim.analysis.assumptions_table.scenario_assumptions`): every model value no
  code or standard fixes, with its default, plausible range, status and source.
* The sensitivity of the answer is shown *where it has been computed*: a
  ``safemall sensitivity`` study stored in the report's database (batches of kind
  ``sensitivity``) for one of the mall's scenarios (the same path, or a file of the same
  name with the same bytes, so a study run in another checkout counts) is re-analysed
  here from its stored
  runs (:func:`sim.analysis.sensitivity.analyze`, the same Morris or Sobol analysis the
  command printed), for the metrics the report judges on that scenario. Without one,
  the report lists the assumptions by status and says how to rank them.
* Readings and thresholds the report itself rests on are listed too: the SM-1.3b
  reading, the joint-defence group distance, the equipment norm, and the targets marked
  ASSUMPTION in ``targets.toml``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.assumptions_table import scenario_assumptions
from sim.analysis.compliance.dynamic import Target
from sim.analysis.sensitivity import analyze, make_design, rows
from sim.analysis.sensitivity_batch import collect
from sim.batch.spec import file_sha256
from sim.batch.store import Store
from sim.io.scenario_files import load_scenario
from sim.model.assumptions import Assumption, get, load_all

_STATUS_ORDER = {"assumed": 0, "fitted": 1, "sourced": 2}


def used_assumptions(scenario: Path, overrides: Sequence[str]) -> list[Assumption]:
    """The register's parameters that ``scenario`` uses (with the plan's overrides)."""
    return scenario_assumptions(load_scenario(scenario, overrides))


def assumption_row(a: Assumption, value: float | None = None) -> dict[str, Any]:
    """One register entry for the report."""
    return {"key": a.key, "name": a.name, "unit": a.unit, "default": a.default,
            "value": a.default if value is None else value, "low": a.low, "high": a.high,
            "dist": a.dist, "status": a.status, "source": a.source,
            "used_by": list(a.used_by)}


def by_status(items: Sequence[Assumption]) -> list[Assumption]:
    """Assumed first, then fitted, then sourced; by key within a status."""
    return sorted(items, key=lambda a: (_STATUS_ORDER.get(a.status, 3), a.key))


def stored_sensitivity(store: Store, scenarios: Sequence[Path],
                       metrics: Sequence[str]) -> list[dict[str, Any]]:
    """Every stored sensitivity study of one of ``scenarios``, re-analysed for the
    ``metrics`` its runs report (ranked indices, noise floor)."""
    load_all()
    wanted = {str(p.resolve()) for p in scenarios}
    by_name = {p.name: p for p in scenarios}
    out = []
    for b in store.batches():
        if b.kind != "sensitivity":
            continue
        spec = _spec(store, b.id)
        if spec.get("scenario") not in wanted and not _same_file(
                store, b.id, by_name.get(Path(str(spec.get("scenario"))).name)):
            continue
        try:
            params = [get(k) for k in spec["params"]]
        except KeyError:
            continue  # a parameter no longer in the register: the study is stale
        k = len(params)
        method = spec["method"]
        cfgs = store.configs(b.id)  # the largest design run so far (designs nest)
        n = (len(cfgs) - 1) // (k + 1 if method == "morris" else k + 2)
        design = make_design(params, method, n, seed=spec["design_seed"],
                             levels=spec.get("levels", 4))
        for m in metrics:
            y, base, _ = collect(store, cfgs, m, spec["seeds"], spec["base_seeds"],
                                 missing=spec.get("missing"))
            if not np.isfinite(y).any():
                continue  # the scenario does not report this metric
            try:
                a = analyze(design, m, y, base, seed=spec["design_seed"])
            except ValueError:
                continue
            out.append({"study": b.name, "scenario": Path(spec["scenario"]).stem,
                        "metric": m, "method": method, "points": a.n_points,
                        "seeds": a.seeds, "noise_floor": a.noise_floor,
                        "base_mean": a.base_mean, "base_sd": a.base_sd, "rows": rows(a)})
    return out


def _same_file(store: Store, batch_id: int, path: Path | None) -> bool:
    """The study ran a scenario file with this name and these exact bytes (run in another
    checkout or folder: the stored SHA-256 of the file matches)."""
    if path is None or not path.is_file():
        return False
    cfgs = store.configs(batch_id)
    return bool(cfgs) and cfgs[0].scenario_sha256 == file_sha256(path)


def _spec(store: Store, batch_id: int) -> dict[str, Any]:
    row = store.con.execute("SELECT spec_json FROM batches WHERE id = ?",
                            (batch_id,)).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def assumed_targets(targets: Sequence[Target]) -> list[str]:
    """Ids of the targets whose threshold is our assumption (their source says so)."""
    return [t.id for t in targets if "ASSUMPTION" in t.cites]
