"""Reading inputs with caps, metric names, linear cell splitting and run claims."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.graphs import MIN_SHARED_EDGE_M, build_network
from sim.engine.metrics import METRICS, check_metric
from sim.errors import LayoutError, ScenarioError
from sim.io.input_file import check_input_file, read_input_bytes, read_toml_file
from sim.model.layout_schema import layout_from_dict
from sim.model.validation import nesting_depth_exceeds

REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ input files


def test_regular_files_only_and_read_with_a_cap(tmp_path: Path) -> None:
    f = tmp_path / "a.toml"
    f.write_text('x = 1\n')
    assert read_input_bytes(f, LayoutError) == b"x = 1\n"
    with pytest.raises(LayoutError, match="is a directory, not a file"):
        read_input_bytes(tmp_path, LayoutError)
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    t0 = time.perf_counter()
    with pytest.raises(LayoutError, match="is a FIFO, not a layout"):
        read_input_bytes(fifo, LayoutError, "layout")
    assert time.perf_counter() - t0 < 1.0  # opened non-blocking: no writer needed
    with pytest.raises(LayoutError, match="is a character device"):
        read_input_bytes("/dev/zero", LayoutError)
    big = tmp_path / "big.toml"
    with big.open("wb") as fh:  # sparse: 100 MB that take no disk
        fh.truncate(100 * 1024 * 1024)
    with pytest.raises(LayoutError, match=r"104,857,600 bytes, more than the 67,108,864"):
        read_input_bytes(big, LayoutError)
    with pytest.raises(LayoutError, match="file is 6 bytes, more than the 5 accepted"):
        check_input_file(f, LayoutError, limit=5)  # 6 bytes
    with pytest.raises(LayoutError, match="NUL byte"):
        read_input_bytes("a\x00b", LayoutError)


def test_toml_nesting_and_encoding(tmp_path: Path) -> None:
    f = tmp_path / "n.toml"
    f.write_text("a = " + "[" * 70 + "]" * 70)  # parses, but nests beyond 64
    with pytest.raises(ScenarioError, match="nest too deeply"):
        read_toml_file(f, ScenarioError)
    f.write_text("a = " + "[" * 60 + "]" * 60)
    assert read_toml_file(f, ScenarioError)["a"]
    f.write_bytes(b"a = '\xff'")
    with pytest.raises(ScenarioError, match="not a UTF-8 text file"):
        read_toml_file(f, ScenarioError)
    assert nesting_depth_exceeds({"a": [[[1]]]}, limit=3)
    assert not nesting_depth_exceeds({"a": [[1]]}, limit=3)


# ----------------------------------------------------------------- metric names


def _documented() -> set[str]:
    names: set[str] = set()
    for row in (REPO / "docs" / "metrics.md").read_text().splitlines():
        if row.startswith("|"):
            names |= set(re.findall(r"`([a-z][a-z0-9_]*)`", row.split("|")[1]))
    text = (REPO / "docs" / "hazards-attacks.md").read_text()
    for m in re.finditer(r"\* Metrics:(.*?)(?=\n\n|\n\*|\n#)", text, re.S):
        names |= set(re.findall(r"`([a-z][a-z0-9_]*)`", m.group(1)))
    return names


def test_declared_metric_names_are_the_documented_ones() -> None:
    assert set(METRICS) == _documented()


def test_check_metric() -> None:
    assert check_metric("aset_s.L1-hall", field="--target") == "aset_s.L1-hall"
    with pytest.raises(ScenarioError, match="did you mean t_evacuation_s"):
        check_metric("t_evacuaton_s", field="--target")


# ------------------------------------------------------------- cell splitting


def _room(poly: list[tuple[float, float]]) -> dict[str, object]:
    return {"schema": "safemall/layout/1", "mall": {"name": "x"},
            "levels": [{"id": "L1", "elevation_m": 0}],
            "spaces": [{"id": "room", "kind": "corridor", "level": "L1", "polygon": poly},
                       {"id": "out", "kind": "exit", "level": "L1"}],
            "openings": [{"id": "d", "between": ["room", "out"], "width_m": 1.0,
                          "at": list(poly[0])}]}


@settings(max_examples=30, deadline=None)
@given(w=st.integers(5, 120), h=st.integers(5, 120), notch=st.integers(0, 4),
       area=st.sampled_from([20.0, 60.0, 300.0]), length=st.sampled_from([4.0, 9.0, 20.0]))
def test_cells_are_joined_exactly_where_they_share_an_edge(w: int, h: int, notch: int,
                                                           area: float, length: float) -> None:
    """The linear neighbour search finds the pairs the quadratic definition finds."""
    cut = min(w, h) * notch / 10.0
    poly = [(0.0, 0.0), (float(w), 0.0), (float(w), float(h) - cut),
            (float(w) - cut, float(h) - cut), (float(w) - cut, float(h)), (0.0, float(h))]
    if cut == 0:
        poly = [(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))]
    net = build_network(layout_from_dict(_room(poly)), max_cell_area_m2=area,
                        max_cell_length_m=length)
    ids = list(net.cells_of_space["room"])
    want = set()
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            sa, sb = net.cells[a].shape, net.cells[b].shape
            shared = sa.boundary.intersection(sb.boundary)  # type: ignore[union-attr]
            if not shared.is_empty and shared.length >= MIN_SHARED_EDGE_M:
                want.add((a, b))
    got = {(p.a, p.b) for p in net.portals.values() if p.virtual}
    assert got == want
    assert sum(net.cells[c].area_m2 for c in ids) == pytest.approx(
        net.layout.spaces["room"].area_m2)


def test_cell_counts_are_refused_before_cutting() -> None:
    poly = [(0.0, 0.0), (4000.0, 0.0), (4000.0, 4000.0), (0.0, 4000.0)]
    t0 = time.perf_counter()
    # 4,000 m x 4,000 m / 300 m² per cell = 53,333.3: 53,334 cells (the area limit decides)
    with pytest.raises(LayoutError, match=r"spaces\[.room.\].*53,334 cells, more than the "
                       r"10,000 accepted per space"):
        build_network(layout_from_dict(_room(poly)))
    assert time.perf_counter() - t0 < 1.0


# ------------------------------------------------------------------ run claims


def test_claims(tmp_path: Path) -> None:
    from sim.batch.store import Store
    from sim.batch.worker import RunOutcome, RunTask

    with Store(tmp_path / "c.db") as st:
        assert st.claim(1, 0, "me") == "mine"
        assert st.claim(1, 0, "me") == "mine"  # claiming again is harmless
        assert st.claim(1, 0, "you") == "taken"  # I am alive
        # a claim of a process that has ended is taken over
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
        st.con.execute("UPDATE claims SET pid = ? WHERE config_id = 1",
                       (int(dead.stdout),))
        assert st.claim(1, 0, "you") == "mine"
        # ... and so is one without a heartbeat for 2 minutes, on another host
        st.con.execute("UPDATE claims SET host = 'elsewhere', heartbeat = heartbeat - 121")
        assert st.claim(1, 0, "me") == "mine"
        st.heartbeat("me")
        assert st.claim(1, 0, "you") == "taken"
        # storing the run drops the claim; then it is simply stored
        bid = st.open_batch(name="b", kind="batch", source="s", description="",
                            root_entropy=1, seeding="independent", replications=1,
                            until_ci=None, spec={}, resume=False).id
        st.con.execute("INSERT INTO configs (id, batch_id, config_index, scenario_path, "
                       "overrides_json, params_json) VALUES (1, ?, 0, 's', '[]', '{}')",
                       (bid,))
        task = RunTask(bid, 1, 0, 0, "s", (), 1, (0, 0))
        st.write_run(task, RunOutcome("ok", {"occupants": 3}, None, None, 0.1, "w"))
        assert st.con.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0
        assert st.claim(1, 0, "you") == "stored"
        out = st.stored_outcome(1, 0)
        assert out is not None and out.metrics == {"occupants": 3}
        st.claim(2, 0, "me")
        st.release_claims("me")
        assert st.con.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0
