"""RiMEA test cases that apply to a network model (RiMEA 3.0 tests 1, 5, 7, 9–12, 14, 15).

Expected values are the RiMEA criteria as implemented by JuPedSim's test suite [J1] and
the RiMEA annex [R1][R2]; RiMEA 2, 3 and 13 (stairs) are in
:mod:`sim.analysis.verification.cases_stairs`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.analysis.verification import build as b
from sim.analysis.verification import published as pub
from sim.analysis.verification.registry import Check, case
from sim.run.runner import RunResult


@case("AT-01", "RiMEA 1 corridor speed, k = 1..10 cells", kind="engine",
      source="RiMEA 1 [J1][J3]")
def at01_corridor_speed() -> Check:
    """40 m at 1.33 m/s takes 40/1.33 = 30.08 s whatever the number of cells."""
    times = []
    for k in range(1, 11):
        res = b.run(b.corridor(40.0), {"occupants": {"per_space": {"start": 1}},
                                       "population": {"free_speed_mps": 1.33},
                                       "premovement": {"model": "none"}},
                    cell_len=40.0 / k + 1e-6, cell_area=1e6)
        times.append(float(b.pass_times(res, "end")[0] - b.pass_times(res, "in")[0]))
    exp = 40.0 / 1.33
    ok = all(abs(t - exp) <= 0.01 for t in times) and all(26 <= t <= 34 for t in times)
    return Check(f"{exp:.2f} s", f"{min(times):.3f}–{max(times):.3f} s", "±0.01 s; 26–34 s", ok)


@case("AT-03", "RiMEA 5 pre-movement 10..100 s", kind="engine", source="RiMEA 5 [J1]")
def at03_premovement() -> Check:
    """Ten people in an 8 × 5 m room start moving exactly at 10, 20, ..., 100 s."""
    lay = b.room_with_doors(8.0, 5.0, [("door", 1.0, (8.0, 2.5))], kind="shop")
    res = b.run(lay, {"occupants": {"per_space": {"room": 10}},
                      "premovement": {"model": "fixed",
                                      "explicit": {str(i): 10.0 * (i + 1) for i in range(10)}}})
    assert res.world is not None
    starts = np.array(res.world.t_start)
    err = float(np.max(np.abs(starts - 10.0 * (np.arange(10) + 1))))
    first_pass = float(np.min(b.pass_times(res, "door")))
    ok = err <= 0.1 and first_pass >= 10.0
    return Check("t_start = t_pre; nobody out before 10 s",
                 f"max error {err:.2e} s; first out at {first_pass:.1f} s", "≤ 1 step (0.1 s)", ok)


@case("AT-04", "RiMEA 7 demographics, 4 × 50 agents", kind="engine", source="RiMEA 7 [Z][J1]")
def at04_demographics() -> Check:
    """Speeds drawn per Weidmann group stay inside the group's published range.

    Ranges (m/s, RiMEA 7 / Weidmann): under 30: 0.58–1.61; 30–50: 1.41–1.54; over 50:
    0.68–1.41; limited mobility 0.46–0.76 (:data:`published.RIMEA7_RANGES_MPS`). Each
    group's drawn speeds must also spread over most of its range (a generator that drew
    one constant inside the range would not be RiMEA 7).
    """
    lay = b.room_with_doors(20.0, 20.0, [("door", 2.0, (20.0, 10.0))], kind="shop")
    bad, total, narrow = 0, 0, []
    for group, (lo, hi) in pub.RIMEA7_RANGES_MPS.items():
        pop: dict[str, Any] = ({"groups": {"under30": 1.0}, "limited_mobility_share": 1.0}
                               if group == "limited" else {"groups": {group: 1.0}})
        res = b.run(lay, {"occupants": {"per_space": {"room": 50}}, "population": pop,
                          "premovement": {"model": "none"}, "duration_s": 5.0})
        assert res.world is not None
        v = np.array(res.world.v0)
        bad += int(np.sum((v < lo) | (v > hi)))
        total += len(v)
        if np.ptp(v) < 0.5 * (hi - lo):
            narrow.append(group)
    ok = bad == 0 and not narrow
    return Check("0 speeds outside the ranges; each range spanned",
                 f"{bad} of {total} outside" + (f"; narrow: {', '.join(narrow)}" if narrow else ""),
                 "0 violations", ok)


def rimea9(closed: bool, seed: int = 1) -> RunResult:
    """RiMEA 9: 1000 people in a 30 × 20 m room with four 1 m doors (two if ``closed``)."""
    doors = [("d1", 1.0, (7.5, 0.0)), ("d2", 1.0, (22.5, 0.0)), ("d3", 1.0, (7.5, 20.0)),
             ("d4", 1.0, (22.5, 20.0))]
    if closed:
        doors = doors[2:]
    return b.run(b.room_with_doors(30.0, 20.0, doors),
                 {"occupants": {"per_space": {"room": 1000}}, "premovement": {"model": "none"},
                  "duration_s": 3000}, seed=seed, cell_len=30.0, cell_area=600.0)


@case("AT-05", "RiMEA 9 four vs two doors (1000 agents)", kind="engine",
      source="RiMEA 9 [R1][J1][H1]")
def at05_rimea9() -> Check:
    """Closing two of four 1 m doors about doubles the time; hydraulic 275 s / 549 s.

    SFPE: a 1 m door passes 1.3 × (1.0 − 0.3) = 0.91 p/s, so 1000 people need
    1000 / 3.64 = 275 s through four and 549 s through two (flow-limited).
    """
    t4 = rimea9(False).metrics["t_evacuation_s"]
    t2 = rimea9(True).metrics["t_evacuation_s"]
    ratio = t2 / t4
    ok = 1.6 <= ratio <= 2.4 and b.within(t4, 275.0, 0.2) and b.within(t2, 549.0, 0.2)
    return Check("≈ 275 s / 549 s, ratio ≈ 2.0", f"{t4:.1f} s / {t2:.1f} s, ratio {ratio:.2f}",
                 "ratio 1.6–2.4; times ±20 %", ok)


@case("AT-06", "RiMEA 10 assigned exits, 23 agents in 12 rooms", kind="engine",
      source="RiMEA 10 [J1]")
def at06_assigned() -> Check:
    """23 people in 12 rooms all use their assigned exit (the far one, on purpose)."""
    spaces: list[dict[str, Any]] = [
        {"id": "corr", "kind": "corridor", "level": "L1", "rect": [0, 5, 60, 3]},
        {"id": "west", "kind": "exit", "level": "L1"},
        {"id": "east", "kind": "exit", "level": "L1"}]
    openings: list[dict[str, Any]] = [
        {"id": "exit-w", "between": ["corr", "west"], "width_m": 2.0, "at": [0, 6.5]},
        {"id": "exit-e", "between": ["corr", "east"], "width_m": 2.0, "at": [60, 6.5]}]
    per: dict[str, int] = {}
    assigned: dict[str, str] = {}
    for k in range(12):
        side = k % 2
        x = 10.0 * (k // 2)
        rid = f"r{k}"
        spaces.append({"id": rid, "kind": "shop", "level": "L1",
                       "rect": [x, 0 if side == 0 else 8, 10, 5]})
        openings.append({"id": f"door{k}", "between": [rid, "corr"], "width_m": 1.0,
                         "at": [x + 5, 5 if side == 0 else 8]})
        per[rid] = 2 if k < 11 else 1
        assigned[rid] = "exit-e" if x < 30 else "exit-w"
    res = b.run(b.layout(spaces, openings),
                {"occupants": {"per_space": per}, "premovement": {"model": "none"},
                 "routing": {"policy": "assigned", "assigned": assigned}})
    w = res.world
    assert w is not None
    ok_n = sum(int(w.exit_used[i] == w.portal_index[assigned[w.cell_space[w.start_cell[i]]]])
               for i in range(w.n))
    return Check("100 % use the assigned exit", f"{ok_n}/{w.n}", "exact", ok_n == w.n == 23)


@case("AT-07", "RiMEA 12 bottleneck: no jam in room 2", kind="engine",
      source="RiMEA 12 [R2][J1]")
def at07_bottleneck() -> Check:
    """150 people: room 1 → 1.2 m corridor → room 2 → exit; the jam stays in room 1."""
    lay = b.layout(
        [{"id": "room1", "kind": "shop", "level": "L1", "rect": [0, 0, 10, 10]},
         {"id": "corr", "kind": "corridor", "level": "L1", "rect": [10, 4.5, 6, 1.2]},
         {"id": "room2", "kind": "shop", "level": "L1", "rect": [16, 0, 10, 10]},
         {"id": "out", "kind": "exit", "level": "L1"}],
        [{"id": "c-in", "between": ["room1", "corr"], "width_m": 1.2, "at": [10, 5.1]},
         {"id": "c-out", "between": ["corr", "room2"], "width_m": 1.2, "at": [16, 5.1]},
         {"id": "exit", "between": ["room2", "out"], "width_m": 2.0, "at": [26, 5]}])
    res = b.run(lay, {"occupants": {"per_space": {"room1": 150}},
                      "premovement": {"model": "none"}, "population": {"free_speed_mps": 1.34}})
    j_corr = b.steady_flow_ps(b.pass_times(res, "c-out"))
    j_exit = b.steady_flow_ps(b.pass_times(res, "exit"))
    w = res.world
    assert w is not None
    q_in = w.doors[w.portal_index["c-in"]].max_queue
    q_exit = w.doors[w.portal_index["exit"]].max_queue
    ok = j_exit <= j_corr + 0.05 and q_exit <= 1 and q_in >= 50
    return Check("J_exit ≤ J_corridor + 0.05; queue only in room 1",
                 f"J_corr {j_corr:.3f}, J_exit {j_exit:.3f} p/s; "
                 f"max queue room 1 {q_in}, room 2 {q_exit}", "+0.05 p/s", ok)


STAGGERED = {"model": "uniform", "min_s": 0.0, "max_s": 60.0}
"""Starts spread over a minute, so that later starters see the queue (RiMEA 11: people
switch exits "when it jams")."""


def _two_exit_room(policy: str) -> RunResult:
    """RiMEA 11: 300 people in the west part (8 × 10 m) of a 20 × 10 m room; exit A (1 m)
    in its west wall, exit B (2 m) at the end of a 20 m corridor from its east wall, so
    A is the nearer exit for everyone (≤ 9.4 m against ≥ 32 m)."""
    lay = b.layout(
        [{"id": "west", "kind": "shop", "level": "L1", "rect": [0, 0, 8, 10]},
         {"id": "east", "kind": "shop", "level": "L1", "rect": [8, 0, 12, 10]},
         {"id": "corr", "kind": "corridor", "level": "L1", "rect": [20, 4, 20, 2]},
         {"id": "outA", "kind": "exit", "level": "L1"},
         {"id": "outB", "kind": "exit", "level": "L1"}],
        [{"id": "A", "between": ["west", "outA"], "width_m": 1.0, "at": [0, 5]},
         {"id": "w-e", "between": ["west", "east"], "width_m": 10.0, "at": [8, 5]},
         {"id": "e-c", "between": ["east", "corr"], "width_m": 2.0, "at": [20, 5]},
         {"id": "B", "between": ["corr", "outB"], "width_m": 2.0, "at": [40, 5]}])
    return b.run(lay, {"occupants": {"per_space": {"west": 300}}, "premovement": STAGGERED,
                       "routing": {"policy": policy}}, cell_len=40, cell_area=1e4)


def _share(res: RunResult, exit_id: str) -> float:
    return float(len(b.pass_times(res, exit_id))) / max(res.metrics["occupants"], 1)


@case("RM-11", "RiMEA 11 choice of escape route (two exits)", kind="engine",
      source="RiMEA 11 [J1]")
def rm11_route_choice() -> Check:
    """Most people take the nearest exit; some switch to the other when it jams.

    Everyone starts nearer to exit A (1 m) than to exit B (2 m, 20 m further), over the
    first minute. Choosing by distance (``nearest``) sends all of them to A; choosing with
    the queue in view (``quickest``) must keep most at A and send some to B once A jams.
    """
    near = _share(_two_exit_room("nearest"), "A")
    quick = _two_exit_room("quickest")
    qa, qb = _share(quick, "A"), _share(quick, "B")
    ok = near == 1.0 and 0.5 < qa < 1.0 and qb > 0.0
    return Check("nearest: 100 % via A; quickest: most via A, some via B",
                 f"nearest {near:.0%} A; quickest {qa:.0%} A / {qb:.0%} B",
                 "as stated", ok)


@case("RM-14", "RiMEA 14 route choice short vs long (two storeys)", kind="engine",
      source="RiMEA 14 [J1]")
def rm14_short_long() -> Check:
    """People upstairs choose between a near and a far stair to the ground floor exit.

    RiMEA 14 asks to document the choice (short / long / mixed / configurable). SafeMall:
    configurable; by distance (``nearest``) everyone takes the short route; ``quickest``
    weighs the queues at the *exits* only, so a jam at the short stair does not move
    anyone to the long one here (documented in ``docs/verification.md``): short as well.
    """
    def build(policy: str) -> RunResult:
        lay = b.layout(
            [{"id": "up", "kind": "shop", "level": "L2", "rect": [0, 0, 12, 10]},
             {"id": "up-east", "kind": "shop", "level": "L2", "rect": [12, 0, 28, 10]},
             {"id": "s-near", "kind": "stair", "levels": ["L1", "L2"], "rect": [0, 10, 2, 6],
              "length_m": 8.0, "riser_mm": 178, "tread_mm": 279},
             {"id": "s-far", "kind": "stair", "levels": ["L1", "L2"], "rect": [38, 10, 2, 6],
              "length_m": 8.0, "riser_mm": 178, "tread_mm": 279},
             {"id": "down", "kind": "corridor", "level": "L1", "rect": [0, 16, 40, 4]},
             {"id": "out", "kind": "exit", "level": "L1"}],
            [{"id": "w-e", "between": ["up", "up-east"], "width_m": 10.0, "at": [12, 5]},
             {"id": "n-top", "between": ["up", "s-near"], "width_m": 1.2, "at": [1, 10]},
             {"id": "f-top", "between": ["up-east", "s-far"], "width_m": 1.2, "at": [39, 10]},
             {"id": "n-foot", "between": ["s-near", "down"], "width_m": 1.2, "at": [1, 16]},
             {"id": "f-foot", "between": ["s-far", "down"], "width_m": 1.2, "at": [39, 16]},
             {"id": "exit", "between": ["down", "out"], "width_m": 3.0, "at": [0, 18]}],
            levels=(("L1", 0.0), ("L2", 5.0)))
        # the 200 people stand in the west 12 m, near the near stair
        return b.run(lay, {"occupants": {"per_space": {"up": 200}}, "premovement": STAGGERED,
                           "routing": {"policy": policy}}, cell_len=40, cell_area=1e4)
    near = build("nearest")
    quick = build("quickest")
    n_short = len(b.pass_times(near, "n-top")) / 200
    q_short = len(b.pass_times(quick, "n-top")) / 200
    ok = n_short == 1.0 and q_short == 1.0
    return Check("short route (nearest and quickest)",
                 f"nearest {n_short:.0%} short; quickest {q_short:.0%} short", "100 %", ok)


@case("RM-15", "RiMEA 15 corner between short and long corridor", kind="engine",
      source="RiMEA 15 (JuPedSim test 15) [J1]")
def rm15_corner() -> Check:
    """Evacuation through an L-shaped corridor takes between the short and long straight ones.

    Short: 10 m straight; long: 20 m straight; corner: 10 m, turn, 10 m (2 m wide each),
    50 people each.
    """
    def straight(length: float) -> float:
        lay = b.layout(
            [{"id": "room", "kind": "shop", "level": "L1", "rect": [-10, -4, 10, 10]},
             {"id": "c", "kind": "corridor", "level": "L1", "rect": [0, 0, length, 2]},
             {"id": "out", "kind": "exit", "level": "L1"}],
            [{"id": "in", "between": ["room", "c"], "width_m": 2.0, "at": [0, 1]},
             {"id": "end", "between": ["c", "out"], "width_m": 2.0, "at": [length, 1]}])
        return float(b.run(lay, {"occupants": {"per_space": {"room": 50}},
                                 "premovement": {"model": "none"}}).metrics["t_evacuation_s"])
    lay = b.layout(
        [{"id": "room", "kind": "shop", "level": "L1", "rect": [-10, -4, 10, 10]},
         {"id": "c1", "kind": "corridor", "level": "L1", "rect": [0, 0, 10, 2]},
         {"id": "c2", "kind": "corridor", "level": "L1", "rect": [8, 2, 2, 8]},
         {"id": "out", "kind": "exit", "level": "L1"}],
        [{"id": "in", "between": ["room", "c1"], "width_m": 2.0, "at": [0, 1]},
         {"id": "turn", "between": ["c1", "c2"], "width_m": 2.0, "at": [9, 2]},
         {"id": "end", "between": ["c2", "out"], "width_m": 2.0, "at": [9, 10]}])
    t_corner = float(b.run(lay, {"occupants": {"per_space": {"room": 50}},
                                 "premovement": {"model": "none"}}).metrics["t_evacuation_s"])
    t_short, t_long = straight(10.0), straight(20.0)
    ok = t_short < t_corner < t_long
    return Check("t_short < t_corner < t_long",
                 f"{t_short:.1f} < {t_corner:.1f} < {t_long:.1f} s", "strict", ok)
