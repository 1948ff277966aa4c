"""The results database: one SQLite file, written only by the parent process.

Every finished run is committed on its own the moment its result arrives (WAL journal,
``synchronous = NORMAL``): killing the runner, a worker or the machine's power loses at
most the runs that were still in flight (an OS crash may also lose the last few
commits), and ``--resume`` runs exactly the missing ``(configuration, replication)``
pairs. ``UNIQUE(config_id, rep)`` makes a duplicate impossible.

Tables (see ``docs/batch-format.md``)::

    batches  one row per batch (or adequacy study): name, root seed, seeding, spec JSON
    configs  one row per configuration: index, scenario path, overrides JSON, params JSON
    runs     one row per finished run: rep, seed entropy + spawn key, status ok/failed,
             metrics JSON, evacuation curve JSON, wall time, error text, worker

Seed entropies are stored as decimal TEXT (they may exceed SQLite's 64-bit integers).
Any metric can be queried in SQL with ``json_extract(metrics_json, '$.t_evacuation_s')``.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch.spec import BatchSpec, Config, file_sha256
from sim.batch.worker import RunOutcome, RunTask
from sim.errors import ScenarioError
from sim.io.input_file import path_problem
from sim.version import __version__

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL DEFAULT 'batch',
    source          TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    root_entropy    TEXT NOT NULL,
    seeding         TEXT NOT NULL,
    replications    INTEGER NOT NULL,
    until_ci_json   TEXT,
    spec_json       TEXT NOT NULL,
    sim_version     TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS configs (
    id              INTEGER PRIMARY KEY,
    batch_id        INTEGER NOT NULL REFERENCES batches(id),
    config_index    INTEGER NOT NULL,
    label           TEXT NOT NULL DEFAULT '',
    scenario_path   TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL DEFAULT '',
    overrides_json  TEXT NOT NULL,
    params_json     TEXT NOT NULL,
    UNIQUE (batch_id, config_index)
);
CREATE TABLE IF NOT EXISTS runs (
    id              INTEGER PRIMARY KEY,
    batch_id        INTEGER NOT NULL REFERENCES batches(id),
    config_id       INTEGER NOT NULL REFERENCES configs(id),
    rep             INTEGER NOT NULL,
    seed_entropy    TEXT NOT NULL,
    spawn_key       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    metrics_json    TEXT,
    curve_json      TEXT,
    t_evacuation_s  REAL,
    wall_s          REAL NOT NULL,
    error           TEXT,
    worker          TEXT NOT NULL DEFAULT '',
    finished_at     TEXT NOT NULL,
    UNIQUE (config_id, rep)
);
CREATE TABLE IF NOT EXISTS claims (
    config_id       INTEGER NOT NULL,
    rep             INTEGER NOT NULL,
    owner           TEXT NOT NULL,
    host            TEXT NOT NULL,
    pid             INTEGER NOT NULL,
    heartbeat       REAL NOT NULL,
    PRIMARY KEY (config_id, rep)
);
CREATE INDEX IF NOT EXISTS runs_by_batch ON runs (batch_id, status);
CREATE INDEX IF NOT EXISTS configs_by_scenario ON configs (scenario_path);
"""


#: A claim not refreshed for this long (s) is taken over (its runner is presumed dead).
CLAIM_TTL_S = 120.0


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _host_pid() -> tuple[str, int]:
    return socket.gethostname(), os.getpid()


def _stale(row: Sequence[Any], now: float) -> bool:
    """Whether a claim ``(owner, host, pid, heartbeat)`` belongs to a dead runner."""
    _, host, pid, beat = row
    if now - float(beat) > CLAIM_TTL_S:
        return True
    if host == socket.gethostname():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return False


@dataclass(frozen=True)
class ConfigRow:
    """A configuration as stored."""

    id: int
    batch_id: int
    index: int
    label: str
    scenario_path: str
    scenario_sha256: str
    overrides: tuple[str, ...]
    params: dict[str, Any]


@dataclass(frozen=True)
class BatchRow:
    """A batch as stored."""

    id: int
    name: str
    kind: str
    source: str
    root_entropy: int
    seeding: str
    replications: int
    until_ci: dict[str, Any] | None


@dataclass(frozen=True)
class RunRow:
    """A finished run as stored (metrics parsed)."""

    id: int
    config_id: int
    rep: int
    status: str
    metrics: dict[str, Any] | None
    seed_entropy: int
    spawn_key: tuple[int, ...]


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to re-run one stored run exactly (``run --from-batch``)."""

    run_id: int
    batch: str
    config_index: int
    rep: int
    scenario_path: str
    overrides: list[str]
    seed_entropy: int
    spawn_key: tuple[int, ...]
    status: str
    metrics: dict[str, Any] | None

    def seed_sequence(self) -> np.random.SeedSequence:
        """The run's exact child seed."""
        return np.random.SeedSequence(self.seed_entropy, spawn_key=self.spawn_key)


#: The tables every SafeMall batch database has.
_TABLES = frozenset({"meta", "batches", "configs", "runs"})


def _check_safemall(con: sqlite3.Connection, src: str, *, empty_ok: bool) -> None:
    """Refuse a database that is not SafeMall's (an empty one only when ``empty_ok``)."""
    tables = {r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    if not tables and empty_ok:
        return
    if not tables >= _TABLES:
        raise ScenarioError("not a SafeMall batch database (it has no SafeMall tables); "
                            "give another --db", source=src)
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None or row[0] != str(SCHEMA_VERSION):
        raise ScenarioError(f"SafeMall batch database of schema version "
                            f"{row[0] if row else '?'}; this SafeMall reads {SCHEMA_VERSION}",
                            source=src)


def _damaged(src: str, where: str, exc: BaseException) -> ScenarioError:
    return ScenarioError(f"damaged batch database: {where} ({type(exc).__name__}: {exc})",
                         source=src)


def _json(text: Any, src: str, where: str) -> Any:
    """A JSON column's value; a damaged one is a one-line :class:`ScenarioError`."""
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise _damaged(src, f"{where} is not valid JSON", exc) from None


def _entropy(text: Any, src: str, where: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError) as exc:
        raise _damaged(src, f"{where} is not a seed", exc) from None


def _spawn_key(text: Any, src: str, where: str) -> tuple[int, ...]:
    key = _json(text, src, where)
    if not isinstance(key, list) or not all(isinstance(k, int) and not isinstance(k, bool)
                                            and k >= 0 for k in key):
        raise ScenarioError(f"damaged batch database: {where} is not a spawn key", source=src)
    return tuple(key)


def _strings(text: Any, src: str, where: str) -> tuple[str, ...]:
    items = _json(text, src, where)
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise ScenarioError(f"damaged batch database: {where} is not a list of overrides",
                            source=src)
    return tuple(items)


def _table(text: Any, src: str, where: str) -> dict[str, Any]:
    value = _json(text, src, where)
    if not isinstance(value, dict):
        raise ScenarioError(f"damaged batch database: {where} is not a JSON object",
                            source=src)
    return value


class Store:
    """The batch results database (one connection, used by one thread).

    ``create=True`` (``safemall batch``, ``adequacy``) opens it for writing, creating the
    file and its tables when missing; an existing file must be an empty or a SafeMall
    database (another SQLite file is refused, never altered). ``create=False`` (``batch
    report``) opens an existing SafeMall database read-only.
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        self.read_only = not create
        src = str(self.path)
        try:
            exists = self.path.exists()
            is_file = self.path.is_file()
        except (OSError, ValueError) as exc:
            raise ScenarioError(path_problem(exc, "database"), source=src) from None
        if not create and not exists:
            raise ScenarioError("no such database", source=src)
        if exists and not is_file:
            raise ScenarioError("not a database file", source=src)
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.con = sqlite3.connect(src, timeout=60.0, isolation_level=None)
                self._create(src)
                self.con.execute("PRAGMA synchronous=NORMAL")
                self.con.execute("PRAGMA foreign_keys=ON")
            else:
                self.con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                           timeout=60.0, isolation_level=None)
                _check_safemall(self.con, src, empty_ok=False)
        except sqlite3.DatabaseError as exc:
            raise ScenarioError(f"not a SafeMall batch database ({exc})", source=src) from None
        except OSError as exc:
            raise ScenarioError(path_problem(exc, "database"), source=src) from None

    def _create(self, src: str) -> None:
        """Check the file and create the tables in one write transaction, so that a second
        runner opening the same new file waits instead of seeing half the tables; a foreign
        database is left as it was (nothing is written before the check). SQLite answers
        "locked" without waiting when two connections switch a new file to WAL together:
        that is retried for up to 60 s."""
        con = self.con
        for attempt in range(600):
            try:
                con.execute("BEGIN IMMEDIATE")
                try:
                    _check_safemall(con, src, empty_ok=True)
                    for stmt in _SCHEMA.split(";"):
                        if stmt.strip():
                            con.execute(stmt)
                    con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                                (str(SCHEMA_VERSION),))
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
                con.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 599:
                    raise
                if con.in_transaction:
                    con.execute("ROLLBACK")
                time.sleep(0.1)

    def close(self) -> None:
        """Close the connection (every run is already committed)."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- batches and configurations ---------------------------------------------------

    def batch(self, name: str) -> BatchRow | None:
        """The stored batch called ``name``, if any."""
        row = self.con.execute(
            "SELECT id, name, kind, source, root_entropy, seeding, replications, "
            "until_ci_json FROM batches WHERE name = ?", (name,)).fetchone()
        return None if row is None else _batch_row(row, str(self.path))

    def batches(self) -> list[BatchRow]:
        """Every stored batch, oldest first."""
        rows = self.con.execute(
            "SELECT id, name, kind, source, root_entropy, seeding, replications, "
            "until_ci_json FROM batches ORDER BY id").fetchall()
        return [_batch_row(r, str(self.path)) for r in rows]

    def check_new(self, name: str, *, resume: bool) -> None:
        """Refuse to start batch ``name`` again unless ``resume`` (it is stored already)."""
        if not resume and self.batch(name) is not None:
            raise ScenarioError(
                f"already holds batch {name!r}; pass --resume to run what is missing, "
                "or another --db", source=str(self.path))

    def open_batch(self, *, name: str, kind: str, source: str, description: str,
                   root_entropy: int, seeding: str, replications: int,
                   until_ci: dict[str, Any] | None, spec: dict[str, Any],
                   resume: bool) -> BatchRow:
        """Create the batch row, or check a stored one against this spec (resume).

        Raises
        ------
        ScenarioError
            The batch exists and ``resume`` is false, or it was stored with another root
            seed or seeding (its runs could not be continued consistently).
        """
        self.check_new(name, resume=resume)
        old = self.batch(name)
        if old is not None:
            if old.root_entropy != root_entropy or old.seeding != seeding:
                raise ScenarioError(
                    f"batch {name!r} was stored with root seed {old.root_entropy} "
                    f"({old.seeding}); this file gives {root_entropy} ({seeding}): "
                    "use another --db", field="root_seed", source=str(self.path))
            self.con.execute(
                "UPDATE batches SET replications = ?, until_ci_json = ?, spec_json = ?, "
                "updated_at = ? WHERE id = ?",
                (replications, json.dumps(until_ci) if until_ci else None,
                 json.dumps(spec, default=str), _now(), old.id))
            return self._must_batch(name)
        cur = self.con.execute(
            "INSERT OR IGNORE INTO batches (name, kind, source, description, root_entropy, "
            "seeding, replications, until_ci_json, spec_json, sim_version, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, kind, source, description, str(root_entropy), seeding, replications,
             json.dumps(until_ci) if until_ci else None, json.dumps(spec, default=str),
             __version__, _now(), _now()))
        if not cur.rowcount:  # another runner stored it a moment ago: check it as above
            return self.open_batch(name=name, kind=kind, source=source,
                                   description=description, root_entropy=root_entropy,
                                   seeding=seeding, replications=replications,
                                   until_ci=until_ci, spec=spec, resume=resume)
        return self._must_batch(name)

    def _must_batch(self, name: str) -> BatchRow:
        got = self.batch(name)
        if got is None:  # pragma: no cover - written just before
            raise RuntimeError(f"batch {name!r} vanished from {self.path}")
        return got

    def add_configs(self, batch: BatchRow, configs: Sequence[Config]) -> list[ConfigRow]:
        """Store the batch's configurations; stored ones must match by index.

        Raises
        ------
        ScenarioError
            A stored configuration with the same index has other overrides (the sweep
            changed: its seeds would now belong to another configuration).
        """
        self.con.execute("BEGIN IMMEDIATE")
        try:
            # read inside the write lock: a concurrent runner may have stored them
            stored = {c.index: c for c in self.configs(batch.id)}
            for c in configs:
                old = stored.get(c.index)
                if old is not None:
                    if old.scenario_path != c.scenario_path or old.overrides != c.overrides:
                        raise ScenarioError(
                            f"configuration #{c.index} differs from the stored one "
                            f"({old.label!r} vs {c.label!r}); the sweep changed, use "
                            "another --db", field="configs", source=str(self.path))
                    continue
                self.con.execute(
                    "INSERT INTO configs (batch_id, config_index, label, scenario_path, "
                    "scenario_sha256, overrides_json, params_json) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (batch.id, c.index, c.label, c.scenario_path,
                     file_sha256(c.scenario_path), json.dumps(list(c.overrides)),
                     json.dumps(c.params, default=str)))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        by_index = {c.index: c for c in self.configs(batch.id)}
        return [by_index[c.index] for c in configs]

    def configs(self, batch_id: int | None = None) -> list[ConfigRow]:
        """Configurations of one batch (or of all), by index."""
        q = ("SELECT id, batch_id, config_index, label, scenario_path, scenario_sha256, "
             "overrides_json, params_json FROM configs")
        args: tuple[Any, ...] = ()
        if batch_id is not None:
            q += " WHERE batch_id = ?"
            args = (batch_id,)
        rows = self.con.execute(q + " ORDER BY batch_id, config_index", args).fetchall()
        src = str(self.path)
        return [ConfigRow(id=r[0], batch_id=r[1], index=r[2], label=r[3],
                          scenario_path=r[4], scenario_sha256=r[5],
                          overrides=_strings(r[6], src, f"configs[{r[0]}].overrides_json"),
                          params=_table(r[7], src, f"configs[{r[0]}].params_json"))
                for r in rows]

    # -- runs --------------------------------------------------------------------------

    def runs(self, *, batch_id: int | None = None,
             config_ids: Sequence[int] | None = None) -> list[RunRow]:
        """Finished runs (ok and failed) of a batch or of some configurations."""
        q = ("SELECT id, config_id, rep, status, metrics_json, seed_entropy, spawn_key "
             "FROM runs")
        conds: list[str] = []
        args: list[Any] = []
        if batch_id is not None:
            conds.append("batch_id = ?")
            args.append(batch_id)
        if config_ids is not None:
            conds.append("config_id IN (SELECT value FROM json_each(?))")
            args.append(json.dumps(list(config_ids)))
        if conds:
            q += " WHERE " + " AND ".join(conds)
        rows = self.con.execute(q + " ORDER BY config_id, rep", args).fetchall()
        src = str(self.path)
        return [RunRow(id=r[0], config_id=r[1], rep=r[2], status=r[3],
                       metrics=_table(r[4], src, f"runs[{r[0]}].metrics_json") if r[4]
                       else None,
                       seed_entropy=_entropy(r[5], src, f"runs[{r[0]}].seed_entropy"),
                       spawn_key=_spawn_key(r[6], src, f"runs[{r[0]}].spawn_key"))
                for r in rows]

    def write_run(self, task: RunTask, outcome: RunOutcome) -> int | None:
        """Commit one finished run at once; ``None`` if it was already stored."""
        m = outcome.metrics or {}
        t_evac = m.get("t_evacuation_s")
        cur = self.con.execute(
            "INSERT OR IGNORE INTO runs (batch_id, config_id, rep, seed_entropy, spawn_key, "
            "status, metrics_json, curve_json, t_evacuation_s, wall_s, error, worker, "
            "finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (task.batch_id, task.config_id, task.rep, str(task.seed_entropy),
             json.dumps(list(task.spawn_key)), outcome.status,
             json.dumps(outcome.metrics) if outcome.metrics is not None else None,
             json.dumps(outcome.curve) if outcome.curve is not None else None,
             float(t_evac) if isinstance(t_evac, int | float) else None,
             round(outcome.wall_s, 4), outcome.error, outcome.worker, _now()))
        self.con.execute("DELETE FROM claims WHERE config_id = ? AND rep = ?",
                         (task.config_id, task.rep))
        return cur.lastrowid if cur.rowcount else None

    # -- claims: concurrent runners on one database share the work ----------------------

    def claim(self, config_id: int, rep: int, owner: str) -> str:
        """Claim run ``(config_id, rep)`` for ``owner`` before starting it.

        Returns ``"mine"`` (start it), ``"stored"`` (another runner finished it) or
        ``"taken"`` (a live runner is computing it). A claim whose runner has died (same
        host, process gone) or has not shown a sign of life for :data:`CLAIM_TTL_S` is
        taken over.
        """
        host, pid = _host_pid()
        now = time.time()
        self.con.execute("BEGIN IMMEDIATE")
        try:
            done = self.con.execute("SELECT 1 FROM runs WHERE config_id = ? AND rep = ?",
                                    (config_id, rep)).fetchone()
            if done is not None:
                self.con.execute("COMMIT")
                return "stored"
            row = self.con.execute("SELECT owner, host, pid, heartbeat FROM claims "
                                   "WHERE config_id = ? AND rep = ?",
                                   (config_id, rep)).fetchone()
            if row is not None and row[0] != owner and not _stale(row, now):
                self.con.execute("COMMIT")
                return "taken"
            self.con.execute("INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?, ?, ?)",
                             (config_id, rep, owner, host, pid, now))
            self.con.execute("COMMIT")
            return "mine"
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def heartbeat(self, owner: str) -> None:
        """Show that ``owner`` is alive: its claims stay valid for another TTL."""
        self.con.execute("UPDATE claims SET heartbeat = ? WHERE owner = ?",
                         (time.time(), owner))

    def release_claims(self, owner: str) -> None:
        """Drop every claim of ``owner`` (its runner is stopping)."""
        self.con.execute("DELETE FROM claims WHERE owner = ?", (owner,))

    def stored_outcome(self, config_id: int, rep: int) -> RunOutcome | None:
        """The stored result of a run (stored by any runner), or ``None``."""
        row = self.con.execute("SELECT id, status, metrics_json FROM runs "
                               "WHERE config_id = ? AND rep = ?", (config_id, rep)).fetchone()
        if row is None:
            return None
        metrics = _table(row[2], str(self.path), f"runs[{row[0]}].metrics_json") \
            if row[2] else None
        return RunOutcome(row[1], metrics, None, None, 0.0, "")

    def delete_failed(self, batch_id: int) -> int:
        """Forget the failed runs of a batch (``--retry-failed``); returns how many."""
        cur = self.con.execute("DELETE FROM runs WHERE batch_id = ? AND status = 'failed'",
                               (batch_id,))
        return cur.rowcount

    def curves(self, batch_id: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(config_id, curve)`` for every ok run of a batch."""
        for cid, text in self.con.execute(
                "SELECT config_id, curve_json FROM runs WHERE batch_id = ? AND status = 'ok' "
                "AND curve_json IS NOT NULL ORDER BY config_id, rep", (batch_id,)):
            yield cid, _table(text, str(self.path), f"runs of configuration {cid}: curve_json")

    def counts(self, batch_id: int) -> tuple[int, int]:
        """``(runs stored, of which failed)`` for a batch."""
        row = self.con.execute(
            "SELECT COUNT(*), COALESCE(SUM(status = 'failed'), 0) FROM runs "
            "WHERE batch_id = ?", (batch_id,)).fetchone()
        return int(row[0]), int(row[1])


def _batch_row(r: Sequence[Any], src: str = "<database>") -> BatchRow:
    return BatchRow(id=r[0], name=r[1], kind=r[2], source=r[3],
                    root_entropy=_entropy(r[4], src, f"batches[{r[1]!r}].root_entropy"),
                    seeding=r[5], replications=r[6],
                    until_ci=_table(r[7], src, f"batches[{r[1]!r}].until_ci_json") if r[7]
                    else None)


def spec_record(spec: BatchSpec) -> dict[str, Any]:
    """The JSON kept with a batch: its file's contents and where it came from."""
    return {"source": spec.source, "file": spec.raw}


def load_run_spec(db_path: str | Path, run_id: int) -> RunSpec:
    """How to re-run run ``run_id`` of the database exactly.

    Raises
    ------
    ScenarioError
        No such database or run.
    """
    p = Path(db_path)
    src = str(p)
    try:
        if not p.is_file():
            raise ScenarioError("no such database", source=src)
    except (OSError, ValueError) as exc:
        raise ScenarioError(path_problem(exc, "database"), source=src) from None
    try:
        con = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True, timeout=60.0)
        _check_safemall(con, src, empty_ok=False)
        row = con.execute(
            "SELECT r.id, b.name, c.config_index, r.rep, c.scenario_path, c.overrides_json, "
            "r.seed_entropy, r.spawn_key, r.status, r.metrics_json FROM runs r "
            "JOIN configs c ON c.id = r.config_id JOIN batches b ON b.id = r.batch_id "
            "WHERE r.id = ?", (int(run_id),)).fetchone()
        con.close()
    except sqlite3.DatabaseError as exc:
        raise ScenarioError(f"not a SafeMall batch database ({exc})", source=str(p)) from None
    if row is None:
        raise ScenarioError(f"no run with id {run_id}", field="RUN_ID", source=str(p))
    where = f"runs[{row[0]}]"
    return RunSpec(run_id=row[0], batch=row[1], config_index=row[2], rep=row[3],
                   scenario_path=row[4],
                   overrides=list(_strings(row[5], src, f"{where}: configs.overrides_json")),
                   seed_entropy=_entropy(row[6], src, f"{where}.seed_entropy"),
                   spawn_key=_spawn_key(row[7], src, f"{where}.spawn_key"),
                   status=row[8],
                   metrics=_table(row[9], src, f"{where}.metrics_json") if row[9] else None)
