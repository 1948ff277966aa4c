"""Figures: every kind writes a PNG, from a replay and from a result JSON; batch bands."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from sim.engine.replay import Replay
from sim.errors import ReplayError
from sim.io.layout_files import load_layout
from sim.io.replay_file import write_replay
from viz import plots
from viz.synthetic import make_synthetic_replay

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def replay() -> Replay:
    lay = load_layout(FIXTURES / "example_layout.toml")
    return make_synthetic_replay(lay, 200, seed=5, scenario="fire", shop_waypoints=1)


@pytest.mark.parametrize("kind", plots.KINDS)
def test_every_kind_writes_a_png(replay: Replay, kind: str, tmp_path: Path) -> None:
    out = plots.plot(replay, kind, tmp_path / f"{kind}.png", t=120.0)
    assert out.read_bytes()[:8] == PNG
    assert out.stat().st_size > 5_000


def test_heatmap_counts_match_series(replay: Replay) -> None:
    fig = plots.density_heatmap(replay, 100.0, levels=["L1"])
    title = fig.axes[0].get_title()
    i = int(np.searchsorted(replay.series_t, 100.0, side="right")) - 1
    from viz.geometry import PlanGeometry

    geom = PlanGeometry(replay.layout)
    l1 = {geom.cell_ids[c] for c in geom.levels[geom.level_index["L1"]].cells}
    want = sum(float(v) for c, v in zip(replay.cell_ids, replay.series["occupancy"][i],
                                        strict=True) if c in l1)
    assert title.startswith("L1") and f": {round(want)} persons" in title
    plt.close(fig)


def test_heatmap_moment_is_the_peak_of_crowding(replay: Replay) -> None:
    """The default moment has the most persons in cells at Fruin E or worse (≥ 1.08
    p/m²), not the largest single-cell count; without any crowd, peak occupancy."""
    import dataclasses

    from viz.geometry import PlanGeometry

    geom = PlanGeometry(replay.layout)
    cmap = geom.series_cell_map(replay.cell_ids)
    area = geom.cell_area[cmap]
    small = int(np.argmin(np.where(area > 0, area, np.inf)))
    n_t, n_c = len(replay.series_t), len(replay.cell_ids)
    occ = np.zeros((n_t, n_c), np.float32)
    # sample 3: everybody in, 0.5 p/m² everywhere (the most persons inside, sparse);
    # sample 7: a crowd of 2 p/m² in the smallest cell, nobody else
    occ[3] = 0.5 * area
    occ[7, small] = 2.0 * area[small]
    assert occ[3].sum() > occ[7].sum()
    crowd = dataclasses.replace(replay, series={**replay.series, "occupancy": occ.copy()})
    t, why = plots.peak_moment(crowd)
    assert t == pytest.approx(float(replay.series_t[7])) and why.startswith("peak crowding")
    occ[7, small] = 0.5 * area[small]  # nobody crowded: the moment most are inside
    calm = dataclasses.replace(replay, series={**replay.series, "occupancy": occ})
    t, why = plots.peak_moment(calm)
    assert t == pytest.approx(float(replay.series_t[3])) and why.startswith("peak occupancy")
    fig = plots.density_heatmap(crowd, None, levels=["L1"])
    assert "peak crowding" in fig._suptitle.get_text()  # type: ignore[union-attr]
    plt.close(fig)


def test_exit_counts_fall_back_to_safe_waypoints(replay: Replay) -> None:
    r = Replay(layout=replay.layout, meta={}, entity_kind=replay.entity_kind,
               entity_label=replay.entity_label, waypoints=replay.waypoints)
    counts = plots.exit_counts(r)
    assert sum(counts.values()) == len(np.unique(
        replay.waypoints["entity"][replay.waypoints["state"] == 6]))
    assert counts == replay.meta["metrics"]["exit_counts"]


def test_evacuation_band() -> None:
    rng = np.random.default_rng(1)
    curves = []
    for _ in range(20):
        t = np.sort(rng.uniform(30, 300, 100))
        curves.append((t, np.arange(1, 101)))
    fig, ax = plt.subplots()
    plots.evacuation_band(curves, ax)
    med = ax.lines[0].get_ydata()
    assert med[0] == 0 and med[-1] == 100
    assert np.all(np.diff(med) >= 0)
    plt.close(fig)


def test_result_json_and_batch(tmp_path: Path, replay: Replay) -> None:
    from viz.player import Tracks, evacuation_curve

    t, n = evacuation_curve(Tracks(replay))
    one = {"metrics": replay.meta["metrics"], "marks": replay.marks,
           "evacuation_curve": {"t": t.tolist(), "evacuated": n.tolist()}}
    p = tmp_path / "result.json"
    p.write_text(json.dumps(one))
    src = plots.load_source(p)
    for kind in ("evacuation", "exits", "alarm"):
        assert plots.plot(src, kind, tmp_path / f"r_{kind}.png").read_bytes()[:8] == PNG
    with pytest.raises(ReplayError, match="needs a replay"):
        plots.plot(src, "heatmap", tmp_path / "x.png")
    batch = {"metrics": {"t_lower_bound_s": 90.0},
             "replications": [{"evacuation_curve": {"t": (t * s).tolist(),
                                                    "evacuated": n.tolist()}}
                              for s in (0.9, 1.0, 1.1, 1.2)]}
    assert plots.plot(batch, "evacuation", tmp_path / "band.png").read_bytes()[:8] == PNG


def test_cli_plot(tmp_path: Path, replay: Replay,
                  capsys: pytest.CaptureFixture[str]) -> None:
    import importlib

    import sim.cli.main as m

    m._register()
    names = {c.name for c in m.app.registered_commands}
    if "plot" not in names:  # until sim.cli.main lists sim.cli.plot_cmd
        importlib.import_module("sim.cli.plot_cmd").register(m.app)
    main = m.main
    path = write_replay(replay, tmp_path / "run.replay")
    out = tmp_path / "h.png"
    assert main(["plot", str(path), "--kind", "heatmap", "--t", "60", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG
    assert main(["plot", str(path), "--kind", "pie", "--out", str(out)]) == 2
    assert "unknown kind 'pie'" in capsys.readouterr().err
