"""Write a synthetic replay file (until the engine's replays are at hand, and for benches).

Usage::

    python tools/make_synthetic_replay.py OUT.replay [--layout PATH | --grand-like]
        [-n 30000] [--scenario drill|fire|attack] [--seed 0] [--shop-waypoints 4]

Without ``--layout`` it uses ``layouts/grand/layout.toml`` when that exists, else the
seven-level grand-like mall of :func:`viz.synthetic.grand_like_layout`. The data only
has the right shape (see :mod:`viz.synthetic`); it is not a simulation.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.errors import SafeMallError
from sim.io.layout_files import load_layout
from sim.io.replay_file import write_replay
from sim.model.layout_schema import layout_from_dict
from viz.synthetic import default_layout, grand_like_layout, make_synthetic_replay


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--layout", type=Path, help="layout TOML (or mall folder)")
    ap.add_argument("--grand-like", action="store_true",
                    help="use the built-in seven-level mall even if layouts/grand exists")
    ap.add_argument("-n", "--occupants", type=int, default=1000)
    ap.add_argument("--scenario", choices=("drill", "fire", "attack"), default="drill")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shop-waypoints", type=int, default=4,
                    help="wandering waypoints per occupant before the alarm")
    ap.add_argument("--guards", type=int, default=None)
    a = ap.parse_args(argv)
    try:
        if a.layout is not None:
            layout = load_layout(a.layout)
        elif a.grand_like:
            layout = layout_from_dict(grand_like_layout(), source="<grand-like>")
        else:
            layout = default_layout()
        t0 = time.perf_counter()
        replay = make_synthetic_replay(layout, a.occupants, seed=a.seed, scenario=a.scenario,
                                       shop_waypoints=a.shop_waypoints, n_guards=a.guards)
        t1 = time.perf_counter()
        write_replay(replay, a.out)
        t2 = time.perf_counter()
    except SafeMallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size = a.out.stat().st_size
    print(f"{a.out}: {len(replay.entity_kind):,} entities, {len(replay.waypoints):,} "
          f"waypoints, {replay.duration_s:.0f} s, {size / 1e6:.2f} MB "
          f"(built in {t1 - t0:.1f} s, written in {t2 - t1:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
