"""Engine benchmark: the three bundled drills against a bare SimPy loop of resource hops.

Run by hand (not a test)::

    .venv/bin/python bench/bench_engine.py [--reps 7]

For each mall it prints occupants, simulated SimPy events, wall seconds, moves per
second, the ratio of moves per second to a bare SimPy loop measured in the same process
right before each run (the median over ``--reps`` such pairs, and their range)
(each hop of the bare loop = request a ``simpy.Resource``, hold it for a timeout,
release), and peak memory (tracemalloc of the run, plus the process's max RSS).

``run_scenario`` pauses Python's cyclic garbage collector during a run; the bare loop is
timed both with the collector on and off and the faster rate is the reference, so the
pause cannot flatter the ratio. The collection of a finished run's world, which happens
after the run, is timed separately (``gc s``).
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import time
import tracemalloc
from pathlib import Path

import simpy

from sim.io.scenario_files import InputCache
from sim.run.runner import run_scenario

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


def bare_rate(reps: int) -> float:
    """Best bare hop rate over ``reps`` rounds, each with the collector on and off."""
    best = 0.0
    for _ in range(reps):
        best = max(best, bare_simpy_hops_per_s())
        gc.disable()
        try:
            best = max(best, bare_simpy_hops_per_s())
        finally:
            gc.enable()
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, python {platform.python_version()}, simpy {simpy.__version__}")
    print(f"{'mall':10} {'occupants':>9} {'events':>9} {'moves':>8} {'wall s':>7} "
          f"{'moves/s':>9} {'bare hops/s':>11} {'ratio':>6} {'range':>11} {'trace MB':>8} "
          f"{'gc s':>5} {'cold s':>6}")
    for mall in ("compact", "riverside", "grand"):
        inputs = InputCache()
        scn = inputs.scenario(ROOT / "scenarios" / f"drill_{mall}.toml",
                              ["output.lower_bound=false"])
        net = inputs.network(scn)  # build the graphs outside the timing
        t0 = time.perf_counter()
        run_scenario(scn, network=net)  # cold: per-network tables and trees are built in this run
        cold = time.perf_counter() - t0
        gc.collect()
        best = None
        ratios: list[float] = []
        gc_s = 0.0
        for _ in range(args.reps):
            # each run is paired with a bare loop measured right before it, so a change
            # of the machine's speed affects both sides of that pair's ratio alike
            bare = bare_rate(1)
            t0 = time.perf_counter()
            res = run_scenario(scn, keep_world=True, network=net)
            wall = time.perf_counter() - t0
            events = next(res.world.env._eid)  # scheduled SimPy events in the run
            moves = res.metrics["moves"]
            ratios.append(moves / wall / bare)
            row = (res.metrics["occupants"], events, moves, wall, bare)
            best = row if best is None or row[3] < best[3] else best
            del res
            t0 = time.perf_counter()
            gc.collect()  # the dropped world: collected after the run, timed apart
            gc_s = max(gc_s, time.perf_counter() - t0)
        tracemalloc.start()  # memory in a separate run: tracing slows Python down
        run_scenario(scn, network=net)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert best is not None
        n, ev, moves, wall, bare = best
        mb = peak / 1e6
        ratios.sort()
        med = ratios[len(ratios) // 2]
        print(f"{mall:10} {n:9,} {ev:9,} {moves:8,} {wall:7.2f} {moves / wall:9,.0f} "
              f"{bare:11,.0f} {med:6.2f} {ratios[0]:5.2f}–{ratios[-1]:4.2f} {mb:8.0f} "
              f"{gc_s:5.2f} {cold:6.2f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the process: {rss:,.0f} MB")
    print("wall s, moves/s and bare hops/s: the fastest run and its paired bare loop; "
          "ratio: the median of the paired ratios (range: lowest–highest); cold s: the "
          "first run in the process, which also builds the per-network tables")


if __name__ == "__main__":
    main()
