"""The replay file format: exact round trip, and one-line errors naming the member."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from sim.engine.replay import SCHEMA, WAYPOINT_DTYPE, Replay, State
from sim.errors import ReplayError
from sim.io.layout_files import load_layout
from sim.io.replay_file import HEADER, read_replay, write_replay
from viz.synthetic import make_synthetic_replay

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOLDEN = FIXTURES / "replays" / "example_attack_v1.replay.zip"


@pytest.fixture(scope="module")
def replay() -> Replay:
    lay = load_layout(FIXTURES / "example_layout.toml")
    r = make_synthetic_replay(lay, 150, seed=3, scenario="fire", shop_waypoints=2)
    r.entity_label[0] = "visitor ü 1 (café)"
    r.meta["nested"] = {"list": [1, 2.5, None, "x"], "inf": float("inf")}
    return r


@pytest.fixture
def written(tmp_path: Path, replay: Replay) -> Path:
    return write_replay(replay, tmp_path / "run.replay")


def _assert_same(a: Replay, b: Replay) -> None:
    assert a.waypoints.dtype == b.waypoints.dtype == WAYPOINT_DTYPE
    assert a.waypoints.tobytes() == b.waypoints.tobytes()
    assert np.array_equal(a.entity_kind, b.entity_kind)
    assert a.entity_kind.dtype == b.entity_kind.dtype
    assert a.entity_label == b.entity_label
    assert a.marks == b.marks
    assert a.cell_ids == b.cell_ids
    assert a.level_ids == b.level_ids
    assert a.layout == b.layout
    assert json.dumps(a.meta, sort_keys=True) == json.dumps(b.meta, sort_keys=True)
    assert a.series_t.tobytes() == b.series_t.tobytes()
    assert sorted(a.series) == sorted(b.series)
    for k in a.series:
        assert a.series[k].dtype == b.series[k].dtype == np.float32
        assert a.series[k].tobytes() == b.series[k].tobytes()


def test_round_trip_is_exact(replay: Replay, written: Path) -> None:
    back = read_replay(written)
    _assert_same(replay, back)
    assert back.duration_s == replay.duration_s
    # and again: writing what was read gives the same content
    again = read_replay(write_replay(back, written.with_name("again.replay")))
    _assert_same(back, again)


def test_container_is_zip_of_json_and_npy(written: Path) -> None:
    with zipfile.ZipFile(written) as zf:
        names = zf.namelist()
        header = json.loads(zf.read(HEADER))
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
    assert names[0] == HEADER
    assert header["schema"] == SCHEMA
    assert {"waypoints/t.npy", "waypoints/x.npy", "entity_kind.npy",
            "series/occupancy.npy", "series/smoke_extinction_per_m.npy"} <= set(names)
    assert set(header["arrays"]) == set(names) - {HEADER}
    for spec in header["arrays"].values():
        assert {"dtype", "shape", "crc32"} <= set(spec)
        assert "O" not in spec["dtype"]


def test_numpy_scalars_in_meta_are_written_as_json(tmp_path: Path, replay: Replay) -> None:
    r = Replay(layout=replay.layout, meta={"metrics": {"n": np.int64(3), "t": np.float32(1.5),
                                                      "a": np.arange(3)}},
               entity_kind=replay.entity_kind, entity_label=replay.entity_label,
               waypoints=replay.waypoints, level_ids=replay.level_ids)
    back = read_replay(write_replay(r, tmp_path / "m.replay"))
    assert back.meta["metrics"] == {"n": 3, "t": 1.5, "a": [0, 1, 2]}


def test_empty_replay_round_trips(tmp_path: Path) -> None:
    r = Replay(layout={}, meta={}, entity_kind=np.zeros(0, np.uint8), entity_label=[],
               waypoints=np.zeros(0, WAYPOINT_DTYPE))
    back = read_replay(write_replay(r, tmp_path / "e.replay"))
    _assert_same(r, back)


def test_golden_v1_file_still_reads(tmp_path: Path) -> None:
    r = read_replay(GOLDEN)
    assert len(r.entity_kind) == 126 and len(r.waypoints) == 886
    assert [m["kind"] for m in r.marks][:2] == ["attack", "alarm"]
    assert r.level_ids == ["L1", "L2"]
    assert (r.waypoints["state"] == State.SAFE).sum() > 100
    _assert_same(r, read_replay(write_replay(r, tmp_path / "g.replay")))


# -- errors --------------------------------------------------------------------------------

def _member_span(path: Path, member: str) -> tuple[int, int]:
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    return start, start + info.compress_size


def _one_line(exc: ReplayError, path: Path, member: str) -> None:
    msg = str(exc)
    assert "\n" not in msg
    assert str(path) in msg
    assert member in msg


@pytest.mark.parametrize("member", ["header.json", "entity_kind.npy", "waypoints/t.npy",
                                    "waypoints/state.npy", "series/occupancy.npy"])
def test_flipped_byte_names_the_member(written: Path, member: str) -> None:
    a, b = _member_span(written, member)
    data = bytearray(written.read_bytes())
    data[(a + b) // 2] ^= 0xFF
    written.write_bytes(bytes(data))
    with pytest.raises(ReplayError) as ei:
        read_replay(written)
    _one_line(ei.value, written, member)


@pytest.mark.parametrize("member", ["header.json", "waypoints/x.npy", "series/occupancy.npy"])
def test_truncated_file_names_the_member(written: Path, member: str) -> None:
    a, b = _member_span(written, member)
    written.write_bytes(written.read_bytes()[: (a + b) // 2])
    with pytest.raises(ReplayError, match="truncated") as ei:
        read_replay(written)
    _one_line(ei.value, written, member)


def test_truncated_directory(written: Path) -> None:
    written.write_bytes(written.read_bytes()[:-30])
    with pytest.raises(ReplayError, match="zip directory") as ei:
        read_replay(written)
    assert "\n" not in str(ei.value)


def _rewrite(src: Path, dst: Path, edit_header=None, replace: dict[str, bytes] | None = None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == HEADER and edit_header is not None:
                h = json.loads(data)
                edit_header(h)
                data = json.dumps(h).encode()
            if replace and info.filename in replace:
                data = replace[info.filename]
            zout.writestr(info.filename, data)
    return dst


def test_wrong_schema(written: Path, tmp_path: Path) -> None:
    bad = _rewrite(written, tmp_path / "v2.replay",
                   lambda h: h.__setitem__("schema", "safemall/replay/2"))
    with pytest.raises(ReplayError, match="unsupported schema 'safemall/replay/2'") as ei:
        read_replay(bad)
    _one_line(ei.value, bad, "header.json.schema")


def test_manifest_shape_mismatch(written: Path, tmp_path: Path) -> None:
    def edit(h: dict) -> None:
        h["arrays"]["waypoints/x.npy"]["shape"] = [3]

    bad = _rewrite(written, tmp_path / "s.replay", edit)
    with pytest.raises(ReplayError) as ei:
        read_replay(bad)
    _one_line(ei.value, bad, "waypoints/x.npy")


def test_checksum_mismatch_is_caught_even_with_valid_zip(written: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(written) as zf:
        raw = bytearray(zf.read("waypoints/y.npy"))
    raw[-1] ^= 0x01  # a valid .npy with one changed value, re-zipped with a fresh CRC
    bad = _rewrite(written, tmp_path / "c.replay", replace={"waypoints/y.npy": bytes(raw)})
    with pytest.raises(ReplayError, match="checksum") as ei:
        read_replay(bad)
    _one_line(ei.value, bad, "waypoints/y.npy")


def test_pickled_object_array_is_refused(written: Path, tmp_path: Path) -> None:
    import io

    buf = io.BytesIO()
    np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)

    def edit(h: dict) -> None:
        h["arrays"]["entity_kind.npy"]["dtype"] = "|O"

    bad = _rewrite(written, tmp_path / "p.replay", edit,
                   replace={"entity_kind.npy": buf.getvalue()})
    with pytest.raises(ReplayError, match="not allowed") as ei:
        read_replay(bad)
    _one_line(ei.value, bad, "entity_kind.npy")
    # and a pickle hidden behind an honest-looking manifest fails in np.load
    bad2 = _rewrite(written, tmp_path / "p2.replay", replace={"entity_kind.npy": buf.getvalue()})
    with pytest.raises(ReplayError) as ei:
        read_replay(bad2)
    _one_line(ei.value, bad2, "entity_kind.npy")


def test_missing_member_and_inconsistent_waypoints(written: Path, tmp_path: Path,
                                                   replay: Replay) -> None:
    with zipfile.ZipFile(written) as zin, \
            zipfile.ZipFile(tmp_path / "m.replay", "w") as zout:
        for info in zin.infolist():
            if info.filename != "waypoints/level.npy":
                zout.writestr(info, zin.read(info))
    with pytest.raises(ReplayError, match="member is missing") as ei:
        read_replay(tmp_path / "m.replay")
    _one_line(ei.value, tmp_path / "m.replay", "waypoints/level.npy")

    wp = replay.waypoints.copy()
    wp["entity"][0] = len(replay.entity_kind) + 5
    bad = Replay(layout=replay.layout, meta={}, entity_kind=replay.entity_kind,
                 entity_label=replay.entity_label, waypoints=wp)
    with pytest.raises(ReplayError, match=r"waypoints/entity\.npy"):
        write_replay(bad, tmp_path / "w.replay")


def test_not_a_replay(tmp_path: Path) -> None:
    p = tmp_path / "x.replay"
    p.write_text("hello")
    with pytest.raises(ReplayError, match="not a replay file"):
        read_replay(p)
    with pytest.raises(ReplayError, match="no such file"):
        read_replay(tmp_path / "missing.replay")
