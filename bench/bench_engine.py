"""Engine benchmark: the three bundled drills against a bare SimPy loop of resource hops.

Run by hand (not a test)::

    .venv/bin/python bench/bench_engine.py [--reps 3]

For each mall it prints occupants, simulated SimPy events, wall seconds, moves per
second, the ratio of moves per second to a bare SimPy loop measured in the same process
(each hop of the bare loop = request a ``simpy.Resource``, hold it for a timeout,
release), and peak memory (tracemalloc of the run, plus the process's max RSS).
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
import tracemalloc
from pathlib import Path

import simpy

from sim.run import load_network, run_scenario
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def bare_simpy_hops_per_s(n_proc: int = 20_000, hops: int = 5) -> float:
    """Hops per second of a bare SimPy model: n processes × hops resource hops."""
    env = simpy.Environment()
    doors = [simpy.Resource(env, capacity=1) for _ in range(200)]

    def walker(env: simpy.Environment, k: int):
        for h in range(hops):
            door = doors[(k * 7 + h) % len(doors)]
            with door.request() as req:
                yield req
                yield env.timeout(0.5)
            yield env.timeout(1.0 + (k % 13) * 0.1)

    for k in range(n_proc):
        env.process(walker(env, k))
    t0 = time.perf_counter()
    env.run()
    return n_proc * hops / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, python {platform.python_version()}, simpy {simpy.__version__}")
    print(f"{'mall':10} {'occupants':>9} {'events':>9} {'moves':>8} {'wall s':>7} "
          f"{'moves/s':>9} {'bare hops/s':>11} {'ratio':>6} {'trace MB':>8}")
    for mall in ("compact", "riverside", "grand"):
        # the bare loop is measured right before each mall, so load changes between
        # malls affect both sides of the ratio alike
        bare = max(bare_simpy_hops_per_s() for _ in range(args.reps))
        scn = load_scenario(ROOT / "scenarios" / f"drill_{mall}.toml",
                            ["output.lower_bound=false"])
        load_network(scn)  # build and cache the graphs outside the timing
        best = None
        for _ in range(args.reps):
            t0 = time.perf_counter()
            res = run_scenario(scn, keep_world=True)
            wall = time.perf_counter() - t0
            events = next(res.world.env._eid)  # scheduled SimPy events in the run
            row = (res.metrics["occupants"], events, res.metrics["moves"], wall)
            best = row if best is None or row[3] < best[3] else best
            del res
        tracemalloc.start()  # memory in a separate run: tracing slows Python down
        run_scenario(scn)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        n, ev, moves, wall = best
        mb = peak / 1e6
        rate = moves / wall
        print(f"{mall:10} {n:9,} {ev:9,} {moves:8,} {wall:7.2f} {rate:9,.0f} "
              f"{bare:11,.0f} {rate / bare:6.2f} {mb:8.0f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the process: {rss:,.0f} MB")


if __name__ == "__main__":
    main()
