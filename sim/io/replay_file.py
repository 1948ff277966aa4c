"""Write and read replay files (``schema = "safemall/replay/1"``).

A replay file is a zip archive (deflate) holding one ``header.json`` and raw
little-endian ``.npy`` arrays. Nothing is pickled: the header is JSON and every array is
read with ``numpy.load(..., allow_pickle=False)``. The format is documented in
``docs/replay-format.md``.

Every problem (missing file, not a zip, truncated, a flipped byte, an unknown schema, an
array of the wrong dtype or shape, inconsistent waypoints) raises a
:class:`sim.errors.ReplayError` whose message is one line naming the file and the member
or field at fault.
"""

from __future__ import annotations

import io
import json
import math
import stat
import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np

from sim.engine.replay import ENTITY_KINDS, SCHEMA, WAYPOINT_DTYPE, Replay
from sim.errors import ReplayError
from sim.io.input_file import parse_json_text, path_problem
from sim.model.limits import MAX_CELLS

HEADER: Final = "header.json"
#: Waypoint columns stored one ``.npy`` member each (struct of arrays compresses better).
WAYPOINT_COLUMNS: Final = tuple(WAYPOINT_DTYPE.names or ())
#: Largest header accepted (bytes); a larger one is treated as corrupt.
MAX_HEADER_BYTES: Final = 512 * 1024 * 1024
_NPY_HEADER_SLACK: Final = 4096
#: Most entries of the header's lists: timeline marks (a drill of the grand mall has 6),
#: levels, cells (as many as a network may have), recorded series.
MAX_LISTED: Final = {"marks": 10_000, "level_ids": 1_000, "cell_ids": MAX_CELLS, "series": 1_000}
#: Most entities or waypoints a replay may declare (a 3-hour run of 100,000 people moving
#: through 30 openings each is 3 million waypoints).
MAX_ROWS: Final = 500_000_000


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("safemall")
    except Exception:  # pragma: no cover - not installed
        return "unknown"


def _member_of_column(col: str) -> str:
    return f"waypoints/{col}.npy"


def _series_member(name: str) -> str:
    return f"series/{name}.npy"


def _json_default(o: Any) -> Any:
    """numpy scalars and arrays, tuples, sets and paths become JSON values."""
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, set | frozenset):
        return sorted(o, key=str)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"{type(o).__name__} is not JSON-serialisable")


def _check_json_safe(value: Any, where: str, source: str) -> None:
    try:
        json.dumps(value, allow_nan=True, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise ReplayError(f"not JSON-serialisable: {exc}", field=where, source=source) from None


def write_replay(replay: Replay, path: str | Path, *, compresslevel: int = 6) -> Path:
    """Write ``replay`` to ``path`` (conventionally ``*.replay``); return the path.

    The file is written to ``path.tmp`` and renamed, so a crash never leaves a
    half-written replay under the final name.

    Raises
    ------
    ReplayError
        When the replay is inconsistent (checked exactly as on reading) or its
        ``meta``/``layout``/``marks`` are not JSON-serialisable.
    """
    p = Path(path)
    src = str(p)
    arrays = _arrays_of(replay, src)
    for key in ("layout", "meta", "marks"):
        _check_json_safe(getattr(replay, key), key, src)
    _validate(replay, src)

    manifest: dict[str, dict[str, Any]] = {}
    for member, arr in arrays.items():
        manifest[member] = {
            "dtype": arr.dtype.str,
            "shape": list(arr.shape),
            "crc32": zlib.crc32(arr.tobytes()) & 0xFFFFFFFF,
        }
    header = {
        "schema": SCHEMA,
        "writer": f"safemall {_version()}",
        "n_entities": len(replay.entity_kind),
        "n_waypoints": len(replay.waypoints),
        "entity_kinds": list(ENTITY_KINDS),
        "level_ids": list(replay.level_ids),
        "cell_ids": list(replay.cell_ids),
        "series": sorted(replay.series),
        "marks": replay.marks,
        "entity_labels": list(replay.entity_label),
        "meta": replay.meta,
        "layout": replay.layout,
        "arrays": manifest,
    }
    tmp = p.with_name(p.name + ".tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED,
                             compresslevel=compresslevel, allowZip64=True) as zf:
            zf.writestr(HEADER, json.dumps(header, separators=(",", ":"), allow_nan=True,
                                           default=_json_default))
            for member, arr in arrays.items():
                with zf.open(member, "w", force_zip64=arr.nbytes > 2**31) as fh:
                    np.lib.format.write_array(fh, arr, allow_pickle=False)
        tmp.replace(p)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ReplayError(f"cannot write file ({exc.strerror or exc})", source=src) from None
    return p


def _arrays_of(replay: Replay, src: str) -> dict[str, np.ndarray]:
    wp = replay.waypoints
    if wp.dtype != WAYPOINT_DTYPE:
        try:
            wp = np.asarray(wp).astype(WAYPOINT_DTYPE, casting="same_kind")
        except (TypeError, ValueError):
            raise ReplayError(f"dtype {wp.dtype} is not WAYPOINT_DTYPE",
                              field="waypoints", source=src) from None
    out: dict[str, np.ndarray] = {
        "entity_kind.npy": np.ascontiguousarray(replay.entity_kind, dtype="u1"),
    }
    for col in WAYPOINT_COLUMNS:
        out[_member_of_column(col)] = np.ascontiguousarray(
            wp[col], dtype=WAYPOINT_DTYPE[col].newbyteorder("<"))
    out["series_t.npy"] = np.ascontiguousarray(replay.series_t, dtype="<f4")
    for name in sorted(replay.series):
        if not name.replace("_", "").isalnum():
            raise ReplayError("series names are letters, digits and '_'",
                              field=f"series[{name!r}]", source=src)
        out[_series_member(name)] = np.ascontiguousarray(replay.series[name], dtype="<f4")
    return out


def read_replay(path: str | Path) -> Replay:
    """Read and validate a replay file written by :func:`write_replay`.

    Raises
    ------
    ReplayError
        With a one-line message naming the file and the member or field at fault.
    """
    p = Path(path)
    src = str(p)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise ReplayError("no such file", source=src) from None
    except (OSError, ValueError) as exc:
        raise ReplayError(path_problem(exc), source=src) from None
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise ReplayError("not a regular file", source=src)
    try:
        zf = zipfile.ZipFile(p, "r")
    except FileNotFoundError:
        raise ReplayError("no such file", source=src) from None
    except IsADirectoryError:
        raise ReplayError("is a directory, not a replay file", source=src) from None
    except OSError as exc:
        raise ReplayError(f"cannot read file ({exc.strerror or exc})", source=src) from None
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _diagnose(p, src, str(exc)) from None
    with zf:
        header = _read_header(zf, src)
        arrays = {m: _read_array(zf, m, spec, src) for m, spec in header["arrays"].items()}
    return _assemble(header, arrays, src)


def _diagnose(p: Path, src: str, why: str) -> ReplayError:
    """Name the member where an unreadable archive (no zip directory) breaks off."""
    try:
        data = p.read_bytes()
    except OSError as exc:  # pragma: no cover - raced away
        return ReplayError(f"cannot read file ({exc.strerror or exc})", source=src)
    if not data.startswith(b"PK\x03\x04"):
        return ReplayError("not a replay file (not a zip archive)", source=src)
    pos, last = 0, ""
    size = len(data)
    while pos + 30 <= size and data[pos:pos + 4] == b"PK\x03\x04":
        flags, _, _, _, _, csize, _, nlen, elen = struct.unpack(
            "<HHHHIIIHH", data[pos + 6:pos + 30])
        name_end = pos + 30 + nlen
        if name_end > size:
            break
        name = data[pos + 30:name_end].decode("utf-8", "replace")
        extra = data[name_end:name_end + elen]
        if csize == 0xFFFFFFFF:  # zip64: sizes in the extra field
            k = 0
            while k + 4 <= len(extra):
                hid, hlen = struct.unpack("<HH", extra[k:k + 4])
                if hid == 1 and hlen >= 16:
                    csize = struct.unpack("<Q", extra[k + 12:k + 20])[0]
                    break
                k += 4 + hlen
        end = name_end + elen + csize
        if flags & 0x08 or end > size:
            return ReplayError(f"truncated (the file ends {max(end - size, 0)} bytes short "
                               "inside this member)", field=name, source=src)
        pos, last = end, name
    if pos + 4 <= size and data[pos:pos + 4] in (b"PK\x01\x02", b"PK\x05\x06"):
        return ReplayError(f"truncated or corrupted zip directory ({why})",
                           field="zip directory", source=src)
    where = f"after member {last}" if last else "at the start"
    return ReplayError(f"truncated or corrupted {where} ({why})",
                       field=last or "zip directory", source=src)


def _read_member(zf: zipfile.ZipFile, member: str, limit: int, src: str) -> bytes:
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise ReplayError("member is missing", field=member, source=src) from None
    if info.file_size > limit:
        raise ReplayError(f"member is {info.file_size} bytes, more than the {limit} expected",
                          field=member, source=src)
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReplayError(f"corrupted or truncated ({msg})", field=member, source=src) from None


def _read_header(zf: zipfile.ZipFile, src: str) -> dict[str, Any]:
    raw = _read_member(zf, HEADER, MAX_HEADER_BYTES, src)
    header = parse_json_text(raw, ReplayError, "JSON", source=src, field=HEADER)
    if not isinstance(header, dict):
        raise ReplayError("must be a JSON object", field=HEADER, source=src)
    for key in ("n_entities", "n_waypoints"):
        n = header.get(key)
        if isinstance(n, int) and not isinstance(n, bool) and not 0 <= n <= MAX_ROWS:
            raise ReplayError(f"must be from 0 to {MAX_ROWS:,}, got {n:,}",
                              field=f"{HEADER}.{key}", source=src)
    schema = header.get("schema")
    if schema != SCHEMA:
        raise ReplayError(f"unsupported schema {schema!r} (this SafeMall reads {SCHEMA!r})",
                          field=f"{HEADER}.schema", source=src)
    kinds: dict[str, type | tuple[type, ...]] = {
        "n_entities": int, "n_waypoints": int, "level_ids": list, "cell_ids": list,
        "series": list, "marks": list, "entity_labels": list, "meta": dict, "layout": dict,
        "arrays": dict, "entity_kinds": list,
    }
    for key, typ in kinds.items():
        if key not in header:
            raise ReplayError("required field is missing", field=f"{HEADER}.{key}", source=src)
        if not isinstance(header[key], typ) or isinstance(header[key], bool):
            raise ReplayError(f"wrong type {type(header[key]).__name__}",
                              field=f"{HEADER}.{key}", source=src)
    for key in ("level_ids", "cell_ids", "series", "entity_labels", "entity_kinds"):
        if not all(isinstance(v, str) for v in header[key]):
            raise ReplayError("must be a list of strings", field=f"{HEADER}.{key}", source=src)
    for key, most in MAX_LISTED.items():
        if len(header[key]) > most:
            raise ReplayError(f"{len(header[key]):,} entries, more than the {most:,} a replay "
                              "may hold", field=f"{HEADER}.{key}", source=src)
    for i, m in enumerate(header["marks"]):
        if not (isinstance(m, dict) and isinstance(m.get("t"), int | float)
                and isinstance(m.get("kind"), str)):
            raise ReplayError("a mark needs a number 't' and a string 'kind'",
                              field=f"{HEADER}.marks[{i}]", source=src)
    expected = {"entity_kind.npy", "series_t.npy",
                *(_member_of_column(c) for c in WAYPOINT_COLUMNS),
                *(_series_member(s) for s in header["series"])}
    listed = set(header["arrays"])
    for member in sorted(expected - listed):
        raise ReplayError("not listed in the array manifest", field=member, source=src)
    for member in sorted(listed - expected):
        raise ReplayError("unexpected array in the manifest", field=member, source=src)
    for member, spec in header["arrays"].items():
        ok = (isinstance(spec, dict) and isinstance(spec.get("dtype"), str)
              and isinstance(spec.get("shape"), list)
              and all(isinstance(d, int) and d >= 0 for d in spec["shape"])
              and isinstance(spec.get("crc32"), int))
        if not ok:
            raise ReplayError("manifest entry needs dtype, shape and crc32",
                              field=f"{HEADER}.arrays[{member!r}]", source=src)
    return header


def _read_array(zf: zipfile.ZipFile, member: str, spec: Mapping[str, Any],
                src: str) -> np.ndarray:
    try:
        dtype = np.dtype(spec["dtype"])
    except TypeError:
        raise ReplayError(f"unknown dtype {spec['dtype']!r}", field=f"{HEADER}.arrays"
                          f"[{member!r}]", source=src) from None
    if dtype.hasobject or dtype.fields is not None:
        raise ReplayError(f"dtype {spec['dtype']!r} not allowed",
                          field=f"{HEADER}.arrays[{member!r}]", source=src)
    shape = tuple(spec["shape"])
    nbytes = dtype.itemsize * math.prod(shape)
    raw = _read_member(zf, member, nbytes + _NPY_HEADER_SLACK, src)
    try:
        arr = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReplayError(f"not a valid .npy array ({msg})", field=member, source=src) from None
    if not isinstance(arr, np.ndarray):
        raise ReplayError("not a .npy array", field=member, source=src)
    if arr.dtype != dtype or arr.shape != shape:
        raise ReplayError(f"holds {arr.dtype.str}{list(arr.shape)}, manifest says "
                          f"{dtype.str}{list(shape)}", field=member, source=src)
    if zlib.crc32(arr.tobytes()) & 0xFFFFFFFF != spec["crc32"]:
        raise ReplayError("checksum mismatch (corrupted)", field=member, source=src)
    return arr


def _assemble(header: Mapping[str, Any], arrays: Mapping[str, np.ndarray], src: str) -> Replay:
    n_wp = header["n_waypoints"]
    for col in WAYPOINT_COLUMNS:  # every column checked before anything is allocated
        member = _member_of_column(col)
        arr = arrays[member]
        if arr.shape != (n_wp,) or arr.dtype != WAYPOINT_DTYPE[col]:
            raise ReplayError(f"expected {WAYPOINT_DTYPE[col].str}[{n_wp}], got "
                              f"{arr.dtype.str}{list(arr.shape)}", field=member, source=src)
    wp = np.empty(n_wp, dtype=WAYPOINT_DTYPE)
    for col in WAYPOINT_COLUMNS:
        wp[col] = arrays[_member_of_column(col)]
    kinds = arrays["entity_kind.npy"]
    if kinds.dtype != np.uint8:
        raise ReplayError("must be uint8", field="entity_kind.npy", source=src)
    series_t = arrays["series_t.npy"]
    series = {name: arrays[_series_member(name)] for name in header["series"]}
    replay = Replay(
        layout=header["layout"], meta=header["meta"], entity_kind=kinds,
        entity_label=list(header["entity_labels"]), waypoints=wp,
        marks=list(header["marks"]), cell_ids=list(header["cell_ids"]),
        series_t=series_t, series=series, level_ids=list(header["level_ids"]),
    )
    if header["entity_kinds"] != list(ENTITY_KINDS)[: len(header["entity_kinds"])]:
        raise ReplayError("entity kinds differ from this SafeMall's ENTITY_KINDS",
                          field=f"{HEADER}.entity_kinds", source=src)
    if len(kinds) != header["n_entities"]:
        raise ReplayError(f"{len(kinds)} entities, header says {header['n_entities']}",
                          field="entity_kind.npy", source=src)
    _validate(replay, src)
    return replay


def _validate(r: Replay, src: str) -> None:
    """Consistency checks shared by writing and reading."""
    n = len(r.entity_kind)
    if r.entity_kind.ndim != 1:
        raise ReplayError("must be one-dimensional", field="entity_kind", source=src)
    if n and int(r.entity_kind.max()) >= len(ENTITY_KINDS):
        raise ReplayError(f"kind index {int(r.entity_kind.max())} is not in ENTITY_KINDS",
                          field="entity_kind", source=src)
    if len(r.entity_label) != n:
        raise ReplayError(f"{len(r.entity_label)} labels for {n} entities",
                          field="entity_labels", source=src)
    wp = r.waypoints
    if wp.ndim != 1:
        raise ReplayError("must be one-dimensional", field="waypoints", source=src)
    if len(wp):
        ent = wp["entity"]
        if int(ent.max()) >= n:
            raise ReplayError(f"entity index {int(ent.max())} >= {n} entities",
                              field="waypoints/entity.npy", source=src)
        if np.any(np.diff(ent.astype(np.int64)) < 0):
            raise ReplayError("rows are not sorted by entity",
                              field="waypoints/entity.npy", source=src)
        t = wp["t"]
        if not np.all(np.isfinite(t)):
            raise ReplayError("times must be finite", field="waypoints/t.npy", source=src)
        same = ent[1:] == ent[:-1]
        if np.any(same & (t[1:] < t[:-1])):
            raise ReplayError("times decrease within an entity", field="waypoints/t.npy",
                              source=src)
        for col in ("x", "y"):
            if not np.all(np.isfinite(wp[col])):
                raise ReplayError("positions must be finite", field=f"waypoints/{col}.npy",
                                  source=src)
        if r.level_ids and int(wp["level"].max()) >= len(r.level_ids):
            raise ReplayError(f"level index {int(wp['level'].max())} >= "
                              f"{len(r.level_ids)} levels", field="waypoints/level.npy",
                              source=src)
    st = np.asarray(r.series_t)
    if st.ndim != 1 or (len(st) > 1 and np.any(np.diff(st) < 0)):
        raise ReplayError("must be increasing sample times", field="series_t", source=src)
    for name, arr in r.series.items():
        if np.ndim(arr) != 2 or np.shape(arr) != (len(st), len(r.cell_ids)):
            raise ReplayError(f"shape {list(np.shape(arr))}, expected "
                              f"[{len(st)}, {len(r.cell_ids)}] (series_t x cell_ids)",
                              field=f"series/{name}.npy", source=src)
