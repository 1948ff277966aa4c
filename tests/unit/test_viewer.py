"""The pygame viewer, driven headless by synthetic events; rendering; export; CLI."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import time
from pathlib import Path

import numpy as np
import pygame
import pytest

from sim.engine.replay import Replay, State
from sim.io.layout_files import load_layout
from sim.io.replay_file import write_replay
from viz import style
from viz.synthetic import make_synthetic_replay
from viz.viewer import NoDisplayError, Viewer, open_viewer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SIZE = (900, 560)


@pytest.fixture(scope="module")
def replay() -> Replay:
    lay = load_layout(FIXTURES / "example_layout.toml")
    return make_synthetic_replay(lay, 150, seed=11, scenario="attack", shop_waypoints=3)


@pytest.fixture
def viewer(replay: Replay) -> Viewer:
    v = Viewer(replay, size=SIZE, speed=1.0, playing=True)
    v.draw()
    return v


def key(k: int, ch: str = "", mod: int = 0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, unicode=ch, mod=mod,
                                         scancode=0))


def mouse(kind: int, pos: tuple[int, int], **kw: object) -> None:
    pygame.event.post(pygame.event.Event(kind, pos=pos, **kw))


def test_space_pauses_and_resumes(viewer: Viewer) -> None:
    assert viewer.player.playing
    key(pygame.K_SPACE, " ")
    viewer.pump()
    assert not viewer.player.playing
    t = viewer.player.t
    viewer.frame(0.5)
    assert viewer.player.t == t  # paused: the clock stands still
    key(pygame.K_SPACE, " ")
    viewer.frame(0.5)
    assert viewer.player.playing and viewer.player.t == pytest.approx(t + 0.5)


def test_main_loop_runs_and_quits_on_window_close(viewer: Viewer) -> None:
    viewer.run(max_frames=3)
    assert viewer.player.t > 0 and viewer.running
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    viewer.run(max_frames=10)
    assert not viewer.running


def test_click_and_drag_on_timeline_seeks(viewer: Viewer) -> None:
    r, p = viewer.renderer, viewer.player
    y = r.timeline_rect.y + 34
    x1 = int(r.t_to_x(0.4 * p.duration))
    mouse(pygame.MOUSEBUTTONDOWN, (x1, y), button=1)
    viewer.pump()
    tol = p.duration / (r.timeline_rect.w - 128) + 1e-6
    assert p.t == pytest.approx(r.x_to_t(x1)) and abs(p.t - 0.4 * p.duration) <= tol
    x2 = int(r.t_to_x(0.75 * p.duration))
    mouse(pygame.MOUSEMOTION, (x2, y), rel=(x2 - x1, 0), buttons=(1, 0, 0))
    viewer.pump()
    assert abs(p.t - 0.75 * p.duration) <= tol
    mouse(pygame.MOUSEBUTTONUP, (x2, y), button=1)
    mouse(pygame.MOUSEMOTION, (x1, y), rel=(x1 - x2, 0), buttons=(0, 0, 0))
    viewer.pump()
    assert abs(p.t - 0.75 * p.duration) <= tol  # released: moving no longer seeks
    # dragging past the end clamps
    mouse(pygame.MOUSEBUTTONDOWN, (r.timeline_rect.right - 2, y), button=1)
    viewer.pump()
    assert p.t == p.duration


def test_seek_and_render_is_fast(viewer: Viewer) -> None:
    t0 = time.perf_counter()
    for f in (0.9, 0.1, 0.5):
        viewer.player.seek(f * viewer.player.duration)
        viewer.draw()
    assert (time.perf_counter() - t0) / 3 < 0.2


def test_level_keys_density_and_others(viewer: Viewer) -> None:
    v, r, p = viewer.view, viewer.renderer, viewer.player
    key(pygame.K_2, "2")
    viewer.pump()
    assert v.level == 1 and not v.all_levels
    assert [t.level for t in r.tiles()] == [1]
    assert r.geom.levels[1].id == "L2"
    key(pygame.K_a, "a")
    viewer.pump()
    assert v.all_levels and len(r.tiles()) == 2
    key(pygame.K_1, "1")
    viewer.pump()
    assert v.level == 0 and not v.all_levels

    p.seek(p.duration * 0.2)
    p.playing = False
    before = pygame.surfarray.array3d(viewer.draw()).copy()
    key(pygame.K_d, "d")
    viewer.pump()
    assert v.density
    after = pygame.surfarray.array3d(viewer.draw())
    assert (before != after).any()
    key(pygame.K_d, "d")
    viewer.pump()
    assert not v.density

    key(pygame.K_RIGHTBRACKET, "]")
    key(pygame.K_RIGHTBRACKET, "]")
    viewer.pump()
    assert p.speed == 4.0
    key(pygame.K_LEFTBRACKET, "[")
    viewer.pump()
    assert p.speed == 2.0
    p.seek(0.0)
    key(pygame.K_n, "n")
    viewer.pump()
    assert p.t == pytest.approx(min(float(m["t"]) for m in p.marks if float(m["t"]) > 0))
    t = p.t
    key(pygame.K_PERIOD, ".")
    viewer.pump()
    assert p.t == pytest.approx(t + p.step_s) and not p.playing
    key(pygame.K_COMMA, ",")
    viewer.pump()
    assert p.t == pytest.approx(t)
    key(pygame.K_h, "h")
    viewer.pump()
    assert v.help
    viewer.draw()  # the help overlay renders
    key(pygame.K_ESCAPE)
    viewer.pump()
    assert not v.help and viewer.running
    pan = list(v.pan)
    key(pygame.K_LEFT)
    viewer.pump()
    assert v.pan[0] > pan[0]
    z = v.zoom
    key(pygame.K_EQUALS, "+")
    viewer.pump()
    assert v.zoom > z
    key(pygame.K_f, "f")
    viewer.pump()
    assert v.zoom == 1.0 and v.pan == [0.0, 0.0]
    # drag on the plan pans
    c = r.plan_rect.center
    mouse(pygame.MOUSEBUTTONDOWN, c, button=1)
    mouse(pygame.MOUSEMOTION, (c[0] + 30, c[1] + 10), rel=(30, 10), buttons=(1, 0, 0))
    mouse(pygame.MOUSEBUTTONUP, (c[0] + 30, c[1] + 10), button=1)
    viewer.pump()
    assert v.pan == [30.0, 10.0]
    key(pygame.K_q, "q")
    viewer.pump()
    assert not viewer.running


def _expected_xy(replay: Replay, e: int, t: float) -> tuple[float, float, int, int]:
    """Position, level and state of entity ``e`` at ``t``, from the raw waypoints."""
    rows = replay.waypoints[replay.waypoints["entity"] == e]
    i = int(np.searchsorted(rows["t"], t, side="right")) - 1
    a, b = rows[i], rows[min(i + 1, len(rows) - 1)]
    f = 0.0 if b["t"] <= a["t"] else (t - a["t"]) / (b["t"] - a["t"])
    return (float(a["x"] + f * (b["x"] - a["x"])), float(a["y"] + f * (b["y"] - a["y"])),
            int(a["level"]), int(a["state"]))


def test_rendered_dots_are_where_the_model_says(replay: Replay) -> None:
    v = Viewer(replay, size=SIZE, window=False, playing=False, level="L1")
    v.view.legend = False
    r, p = v.renderer, v.player
    t = float(next(m["t"] for m in replay.marks if m["kind"] == "alarm")) + 45.0
    p.seek(t)
    canvas = v.draw()
    snap = p.snapshot(t)
    tile = r.tiles()[0]
    vis = np.flatnonzero(snap.visible & (snap.level == 0))
    sx, sy = tile.project(snap.x[vis].astype(float), snap.y[vis].astype(float))
    chosen: list[int] = []
    kinds = replay.entity_kind
    for k, e in enumerate(vis):
        if kinds[e] != 0 or snap.state[e] != State.MOVING:
            continue
        d = np.hypot(sx - sx[k], sy - sy[k])
        d[k] = np.inf
        near_other = (kinds[vis] != 0) & (d < 30)
        if d.min() < 7 or near_other.any() or not r.plan_rect.inflate(-20, -20).collidepoint(
                sx[k], sy[k]):
            continue
        x, y, _, st = _expected_xy(replay, int(e), t)
        chosen.append(int(e))
        px = tile.project(np.float64(x), np.float64(y))
        pos = (int(np.rint(px[0])), int(np.rint(px[1])))
        assert r.project_entity(int(e), t) == pos
        assert tuple(canvas.get_at(pos))[:3] == style.STATE_COLOUR[st], (e, pos)
        if len(chosen) == 3:
            break
    assert len(chosen) == 3
    # and where nobody is there is no dot colour: the far corner of the plan rect
    corner = (r.plan_rect.x + 2, r.plan_rect.bottom - 3)
    assert tuple(canvas.get_at(corner))[:3] == style.BACKGROUND


def test_open_viewer_without_display_is_one_clear_line(replay: Replay,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    with pytest.raises(NoDisplayError) as ei:
        open_viewer(replay)
    msg = str(ei.value)
    assert "\n" not in msg and "--export" in msg and "--screenshot" in msg


# -- export --------------------------------------------------------------------------------

def test_export_gif_frame_count(replay: Replay, tmp_path: Path) -> None:
    from PIL import Image

    from viz.export import export

    fps, speed = 8.0, 64.0
    n = export(replay, tmp_path / "run.gif", fps=fps, speed=speed, size=(320, 200))
    expected = int(np.floor(replay.duration_s / speed * fps)) + 1
    assert n == expected
    with Image.open(tmp_path / "run.gif") as im:
        assert im.n_frames == expected
        assert im.size == (320, 200)


def test_export_frames_and_mp4(replay: Replay, tmp_path: Path) -> None:
    import imageio_ffmpeg

    from viz.export import export

    n = export(replay, tmp_path / "frames", fps=4, speed=64, size=(320, 200), level="all")
    pngs = sorted((tmp_path / "frames").glob("frame_*.png"))
    assert n == len(pngs) == int(replay.duration_s / 64 * 4) + 1
    assert pygame.image.load(str(pngs[0])).get_size() == (320, 200)
    n = export(replay, tmp_path / "run.mp4", fps=10, speed=32, size=(321, 201))
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "run.mp4"))
    assert frames == n == int(replay.duration_s / 32 * 10) + 1


# -- CLI -----------------------------------------------------------------------------------

def _main_with_commands():
    """``sim.cli.main.main`` with ``replay`` and ``plot`` registered (until main lists them)."""
    import importlib

    import sim.cli.main as m

    m._register()
    names = {c.name for c in m.app.registered_commands}
    for mod in ("sim.cli.replay_cmd", "sim.cli.plot_cmd"):
        if mod.split(".")[-1].removesuffix("_cmd") not in names:
            importlib.import_module(mod).register(m.app)
    return m.main


@pytest.fixture
def cli():
    return _main_with_commands()


def test_cli_screenshot_and_no_display(cli, replay: Replay, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_replay(replay, tmp_path / "run.replay")
    out = tmp_path / "shot.png"
    assert cli(["replay", str(path), "--screenshot", "t=100", str(out), "--size", "640x400",
                "--level", "all"]) == 0
    assert pygame.image.load(str(out)).get_size() == (640, 400)
    capsys.readouterr()
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    assert cli(["replay", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--export" in err
    assert cli(["replay", str(path), "--screenshot", "soon", str(out)]) == 2
    assert "--screenshot" in capsys.readouterr().err
    assert cli(["replay", str(tmp_path / "nope.replay"), "--export", str(tmp_path / "a.gif")]) == 2
    assert "no such file" in capsys.readouterr().err
