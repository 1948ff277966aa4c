"""Viewer benchmark: replay size and load time, seek time, frame rate (headless).

Usage::

    python bench/bench_viewer.py [--occupants 30000] [--shop-waypoints 14] [--replay FILE]

Builds a synthetic grand-mall replay (``layouts/grand`` if present, else the built-in
seven-level mall; about 25 waypoints per occupant) unless ``--replay`` is given, writes
it, reads it back, then drives the viewer under ``SDL_VIDEODRIVER=dummy`` at 1280x720:
frames per second while playing at x8 (one level; all levels; density layer on), and the
time of a seek (jump to a random time and draw the frame).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np

from sim.engine.replay import Replay
from sim.io.replay_file import read_replay, write_replay


def _fps(viewer, seconds: float, t0: float) -> tuple[float, float]:
    """Frames per second (wall clock) and CPU milliseconds per frame while playing at x8."""
    p = viewer.player
    p.seek(t0)
    p.playing = True
    p.set_speed(8)
    viewer.draw()
    n = 0
    cpu0 = time.process_time()
    start = last = time.perf_counter()
    while time.perf_counter() - start < seconds:
        now = time.perf_counter()
        viewer.frame(now - last)
        last = now
        n += 1
        if not p.playing:
            p.seek(t0)
            p.playing = True
    return n / (time.perf_counter() - start), 1e3 * (time.process_time() - cpu0) / max(n, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--occupants", type=int, default=30_000)
    ap.add_argument("--shop-waypoints", type=int, default=14)
    ap.add_argument("--replay", type=Path, help="use this replay instead of a synthetic one")
    ap.add_argument("--seconds", type=float, default=4.0, help="seconds per fps measurement")
    ap.add_argument("--size", default="1280x720")
    a = ap.parse_args()
    w, h = (int(v) for v in a.size.split("x"))

    with tempfile.TemporaryDirectory() as tmp:
        if a.replay is None:
            from viz.synthetic import make_synthetic_replay

            t = time.perf_counter()
            replay: Replay = make_synthetic_replay(None, a.occupants, seed=1, scenario="fire",
                                                   shop_waypoints=a.shop_waypoints)
            print(f"synthetic replay built in {time.perf_counter() - t:.1f} s")
            path = Path(tmp) / "grand.replay"
            t = time.perf_counter()
            write_replay(replay, path)
            t_write = time.perf_counter() - t
        else:
            path, t_write = a.replay, float("nan")
        size_mb = path.stat().st_size / 1e6
        loads = []
        for _ in range(3):
            t = time.perf_counter()
            replay = read_replay(path)
            loads.append(time.perf_counter() - t)
        t_load = min(loads)

        from viz.geometry import PlanGeometry, network_params
        from viz.player import Tracks
        from viz.viewer import Viewer

        t = time.perf_counter()
        tracks = Tracks(replay)
        t_tracks = time.perf_counter() - t
        t = time.perf_counter()
        geom = PlanGeometry(replay.layout, network_params=network_params(replay.meta))
        t_geom = time.perf_counter() - t
        n_occ = int(np.sum(replay.entity_kind == 0))
        wp_per = len(replay.waypoints) / max(len(replay.entity_kind), 1)

        pos = []
        for tt in np.linspace(0.05, 0.95, 20) * replay.duration_s:
            t = time.perf_counter()
            tracks._cache = None
            tracks.at(float(tt))
            pos.append(time.perf_counter() - t)

        t = time.perf_counter()
        viewer = Viewer(replay, size=(w, h), tracks=tracks, geometry=geom, playing=False)
        viewer.draw()
        t_first = time.perf_counter() - t
        # the busiest moment: most occupants visible and not safe
        t_busy = float(next(m["t"] for m in replay.marks if m["kind"].startswith("alarm")
                            )) + 60.0 if replay.marks else replay.duration_s * 0.2
        snap = tracks.at(t_busy)
        level_counts = np.bincount(snap.level[snap.visible & (replay.entity_kind == 0)])
        viewer.view.level = int(geom.replay_level_map(replay.level_ids)[
            int(np.argmax(level_counts))])
        drawn = int(level_counts.max())
        fps_one = _fps(viewer, a.seconds, t_busy)
        viewer.view.all_levels = True
        fps_all = _fps(viewer, a.seconds, t_busy)
        viewer.view.all_levels = False
        viewer.view.density = True
        fps_dens = _fps(viewer, a.seconds, t_busy)
        viewer.view.density = False
        # stress: every entity drawn on the one level shown
        saved = viewer.renderer.level_map.copy()
        viewer.renderer.level_map[:] = viewer.view.level
        fps_all_one = _fps(viewer, a.seconds, t_busy)
        stress = int((tracks.at(t_busy).visible & (replay.entity_kind == 0)).sum())
        viewer.renderer.level_map[:] = saved

        rng = np.random.default_rng(0)
        seeks, seeks_cpu = [], []
        for tt in rng.uniform(0, replay.duration_s, 25):
            t, c = time.perf_counter(), time.process_time()
            viewer.player.seek(float(tt))
            viewer.draw()
            seeks.append(time.perf_counter() - t)
            seeks_cpu.append(time.process_time() - c)

    print()
    print(f"replay: {len(replay.entity_kind):,} entities ({n_occ:,} occupants), "
          f"{len(replay.waypoints):,} waypoints ({wp_per:.1f} per entity), "
          f"{len(replay.cell_ids):,} cells, {replay.duration_s:.0f} s")
    print(f"file size        : {size_mb:8.2f} MB   (target < 50 MB)")
    print(f"write time       : {t_write:8.2f} s")
    print(f"load time        : {t_load:8.3f} s    (read_replay, best of 3; target < 2 s)")
    print(f"  + tracks index : {t_tracks:8.3f} s")
    print(f"  + plan/cells   : {t_geom:8.3f} s")
    print(f"  + first frame  : {t_first:8.3f} s")
    print(f"positions_at     : {1e3 * statistics.median(pos):8.2f} ms median, "
          f"{1e3 * max(pos):.2f} ms max (target < 10 ms)")
    print(f"seek + draw      : {1e3 * statistics.median(seeks):8.1f} ms median, "
          f"{1e3 * max(seeks):.1f} ms max wall; {1e3 * max(seeks_cpu):.1f} ms max CPU "
          "(target < 200 ms)")
    print(f"{w}x{h}, playing at x8 (target >= 30 fps); 'cpu' = process CPU per frame:")
    rows = (("one level", fps_one, f"{drawn:,} occupants on the busiest level"),
            ("all levels", fps_all, f"{len(geom.levels)} levels side by side"),
            ("stress", fps_all_one, f"{stress:,} occupants drawn on one level"),
            ("density on", fps_dens, "one level, Fruin layer"))
    for name, (fps, cpu_ms), what in rows:
        print(f"fps {name:<13}: {fps:8.1f}   cpu {cpu_ms:5.1f} ms/frame = {1e3 / cpu_ms:6.1f} "
              f"fps on an idle core   ({what})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine          : {os.cpu_count()} cores, load average {load:.2f} during the run")


if __name__ == "__main__":
    main()
