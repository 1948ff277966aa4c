"""Stairs: speed (RiMEA 2, 3), capacity per stair type and width (SFPE), the jam at a
stair foot (RiMEA 13) and multi-level hydraulic hand calculations."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.analysis.verification import build as b
from sim.analysis.verification import hand_calc as hc
from sim.analysis.verification import published as pub
from sim.analysis.verification.registry import Check, case
from sim.run.runner import RunResult, peak_density

INCH_MM = 25.4
FREE_SPEED_MPS = 1.19
"""SFPE free walking speed on the level, k(1 − 0.266 × 0.54) = 1.40 × 0.856 (m/s)."""


def _stair_layout(length: float) -> dict[str, Any]:
    return b.layout(
        [{"id": "low", "kind": "shop", "level": "L1", "rect": [0, 0, 4, 4]},
         {"id": "stair", "kind": "stair", "levels": ["L1", "L2"], "rect": [4, 0, length, 2],
          "length_m": length},
         {"id": "high", "kind": "shop", "level": "L2", "rect": [4 + length, 0, 4, 4]},
         {"id": "out-low", "kind": "exit", "level": "L1"},
         {"id": "out-high", "kind": "exit", "level": "L2"}],
        [{"id": "foot", "between": ["low", "stair"], "width_m": 2.0, "at": [4, 1]},
         {"id": "head", "between": ["high", "stair"], "width_m": 2.0, "at": [4 + length, 1]},
         {"id": "exit-low", "between": ["low", "out-low"], "width_m": 1.0, "at": [0, 2]},
         {"id": "exit-high", "between": ["high", "out-high"], "width_m": 1.0,
          "at": [8 + length, 2]}],
        levels=(("L1", 0.0), ("L2", 6.0)))


@case("AT-02", "RiMEA 2/3 stair up 8 m / down 10 m", kind="engine", source="RiMEA 2, 3 [J1]")
def at02_stairs() -> Check:
    """JuPedSim variant: 8 m up at 0.5 m/s (16.0 s ± 5 %); 10 m down at 0.65 m/s (15.38 s ± 1 s).

    The speeds are fixed as in JuPedSim's tests; the engine's own stair law is checked
    by ST-2 (speed of a lone walker on each stair type).
    """
    up = b.run(_stair_layout(8.0), {
        "occupants": {"per_space": {"low": 1}},
        "population": {"free_speed_mps": 1.3, "stair_speed_up_mps": 0.5},
        "premovement": {"model": "none"},
        "routing": {"policy": "assigned", "assigned": {"low": "exit-high"}}})
    t_up = float(b.pass_times(up, "head")[0] - b.pass_times(up, "foot")[0])
    down = b.run(_stair_layout(10.0), {
        "occupants": {"per_space": {"high": 1}},
        "population": {"free_speed_mps": 1.3, "stair_speed_down_mps": 0.65},
        "premovement": {"model": "none"},
        "routing": {"policy": "assigned", "assigned": {"high": "exit-low"}}})
    t_down = float(b.pass_times(down, "foot")[0] - b.pass_times(down, "head")[0])
    ok = abs(t_up - 16.0) <= 0.05 * 16.0 and abs(t_down - 10 / 0.65) <= 1.0
    return Check("16.00 s / 15.38 s", f"{t_up:.2f} s / {t_down:.2f} s", "±5 % / ±1 s", ok)


def _flight_building(flight_w: float, door_w: float, riser_mm: float, tread_mm: float,
                     length_m: float = 9.5) -> dict[str, Any]:
    """Room on L2 → door → flight down to L1 → 10 × 10 m lobby → 4 m exit door."""
    return b.layout(
        [{"id": "room", "kind": "shop", "level": "L2", "rect": [0, 0, 20, 10]},
         {"id": "flight", "kind": "stair", "levels": ["L1", "L2"],
          "rect": [20, 0, 8.0, flight_w], "length_m": length_m,
          "riser_mm": riser_mm, "tread_mm": tread_mm},
         {"id": "lobby", "kind": "corridor", "level": "L1", "rect": [28, 0, 10, 10]},
         {"id": "out", "kind": "exit", "level": "L1"}],
        [{"id": "top", "between": ["room", "flight"], "width_m": door_w,
          "at": [20, flight_w / 2]},
         {"id": "foot", "between": ["flight", "lobby"], "width_m": door_w,
          "at": [28, flight_w / 2]},
         {"id": "exit", "between": ["lobby", "out"], "width_m": 4.0, "at": [38, 5]}],
        levels=(("L1", 0.0), ("L2", 5.0)))


def _flight_run(flight_w: float, door_w: float, riser_in: float, tread_in: float,
                n: int = 200, seed: int = 1) -> RunResult:
    return b.run(_flight_building(flight_w, door_w, riser_in * INCH_MM, tread_in * INCH_MM),
                 {"occupants": {"per_space": {"room": n}}, "premovement": {"model": "none"}},
                 seed=seed)


def _flight_flow(res: RunResult) -> float:
    """Persons/s through the flight: 10th–90th percentile passages at its head and foot."""
    return 0.5 * (b.steady_flow_ps(b.pass_times(res, "top"))
                  + b.steady_flow_ps(b.pass_times(res, "foot")))


@case("ST-1", "Stair capacity per SFPE stair type and width", kind="engine",
      source="SFPE Handbook stair Fs,max [H1]")
def st1_stair_capacity() -> Check:
    """200 people down one flight as wide as its doors: flow = Fs,max × (W − 0.30 m).

    SFPE maximum specific flows (p/s per m of effective width): 7.5/10 in 0.94,
    7/11 in 1.01, 6.5/12 in 1.09, 6.5/13 in 1.16; effective width = clear width less a
    0.15 m boundary layer each side. The doors (1.3 p/s/m) never control. Flights 1.2 m
    and 2.4 m wide: the flow must also double-and-a-bit with width
    (2.1 / 0.9 = 2.33 times).
    """
    rows, ok = [], True
    for riser, tread in pub.SFPE_STAIRS:
        got = []
        for w in (1.2, 2.4):
            exp = pub.stair_flow_ps(w, riser, tread)
            f = _flight_flow(_flight_run(w, w, riser, tread))
            ok = ok and b.within(f, exp, 0.10)
            got.append((f, exp))
        ratio = got[1][0] / got[0][0]
        ok = ok and b.within(ratio, 2.1 / 0.9, 0.10)
        rows.append(f"{riser:g}/{tread:g}: {got[0][0]:.2f} ({got[0][1]:.2f}), "
                    f"{got[1][0]:.2f} ({got[1][1]:.2f})")
    return Check("Fs,max × (W − 0.3) at W = 1.2 / 2.4 m (in brackets)", "; ".join(rows),
                 "±10 %; ratio 2.33 ± 10 %", ok)


@case("ST-2", "Lone walker's stair speed per SFPE stair type", kind="engine",
      source="SFPE Handbook stair k [H1]")
def st2_stair_speed() -> Check:
    """One person down each stair type walks the slope at k_stair / k_level of their
    level free speed (SFPE: k = 1.00, 1.08, 1.16, 1.23 m/s against 1.40 on the level)."""
    rows, ok = [], True
    for (riser, tread), (k, _) in pub.SFPE_STAIRS.items():
        res = b.run(_flight_building(1.5, 1.5, riser * INCH_MM, tread * INCH_MM),
                    {"occupants": {"per_space": {"room": 1}}, "premovement": {"model": "none"},
                     "population": {"free_speed_mps": FREE_SPEED_MPS}})
        t = float(b.pass_times(res, "foot")[0] - b.pass_times(res, "top")[0])
        exp = 9.5 / (FREE_SPEED_MPS * k / pub.SFPE_K_LEVEL)
        ok = ok and b.within(t, exp, 0.02)
        rows.append(f"{riser:g}/{tread:g}: {t:.2f} ({exp:.2f})")
    return Check("9.5 m at 1.19 × k/1.40 m/s (s, in brackets)", "; ".join(rows), "±2 %", ok)


@case("AT-08", "RiMEA 13 jam in front of an upward stair", kind="engine", source="RiMEA 13 [J1]")
def at08_stair_jam() -> Check:
    """A 2 m corridor feeding a 1 m upward stair: the stair passes less, the jam is at its foot."""
    lay = b.layout(
        [{"id": "room", "kind": "shop", "level": "L1", "rect": [0, 0, 10, 10]},
         {"id": "corr", "kind": "corridor", "level": "L1", "rect": [10, 4, 10, 2]},
         {"id": "stair", "kind": "stair", "levels": ["L1", "L2"], "rect": [20, 4.5, 6, 1.0],
          "length_m": 7.0, "riser_mm": 178, "tread_mm": 279},
         {"id": "top", "kind": "corridor", "level": "L2", "rect": [26, 0, 6, 10]},
         {"id": "out", "kind": "exit", "level": "L2"}],
        [{"id": "c-in", "between": ["room", "corr"], "width_m": 2.0, "at": [10, 5]},
         {"id": "s-in", "between": ["corr", "stair"], "width_m": 1.0, "at": [20, 5]},
         {"id": "s-out", "between": ["stair", "top"], "width_m": 1.0, "at": [26, 5]},
         {"id": "exit", "between": ["top", "out"], "width_m": 2.0, "at": [32, 5]}],
        levels=(("L1", 0.0), ("L2", 4.0)))
    res = b.run(lay, {"occupants": {"per_space": {"room": 150}}, "premovement": {"model": "none"}})
    j_corr = b.steady_flow_ps(b.pass_times(res, "c-in"))
    j_stair = b.steady_flow_ps(b.pass_times(res, "s-in"))
    w = res.world
    assert w is not None
    _, _, peak = peak_density(w, res.moves)
    corr_peak = int(peak[w.cell_index["corr"]])
    ok = j_corr - j_stair >= 0.05 and corr_peak >= 10
    return Check("J_stair < J_corridor by ≥ 0.05 p/s; queue at stair foot",
                 f"J_corr {j_corr:.3f}, J_stair {j_stair:.3f} p/s; corridor peak {corr_peak}",
                 "≥ 0.05 p/s", ok)


def _mean_time(build: Any, seeds: tuple[int, ...] = (1, 2, 3)) -> float:
    return float(np.mean([build(s).metrics["t_evacuation_s"] for s in seeds]))


@case("HY-1", "Two-level building, one flight: door- vs flight-controlled", kind="engine",
      source="SFPE hydraulic model [H1]")
def hy1_two_level() -> Check:
    """200 people on L2 leave by one 7/11 flight (9.5 m slope) to a lobby and exit.

    (a) 1.2 m doors on a 1.5 m flight: doors control, 1.3 × 0.9 = 1.17 p/s (the flight
    carries 1.01 × 1.2 = 1.21); (b) 1.2 m doors on a 1.2 m flight: the flight controls,
    1.01 × 0.9 = 0.909 p/s. Hand calculation: the queue forms at once (dense room), then
    N / F_c, then the last person walks the flight at the speed of the flow's density
    (lower root) and 10 m across the lobby (free speed). Mean of three seeds.
    """
    k_st = pub.SFPE_STAIRS[(7.0, 11.0)][0]
    out = []
    ok = True
    for flight_w in (1.5, 1.2):
        control = min(pub.door_flow_ps(1.2), pub.stair_flow_ps(flight_w, 7.0, 11.0))
        exp, calc = hc.evacuation_time_s(200, control, 0.0, [
            hc.Leg("flight", 9.5, k_st, pub.effective_width(flight_w, "stair")),
            hc.Leg("lobby", 10.0, pub.SFPE_K_LEVEL, pub.effective_width(10.0, "corridor"))])
        got = _mean_time(lambda s, fw=flight_w: b.run(
            _flight_building(fw, 1.2, 7 * INCH_MM, 11 * INCH_MM),
            {"occupants": {"per_space": {"room": 200}}, "premovement": {"model": "none"}},
            seed=s))
        ok = ok and b.within(got, exp, 0.10)
        out.append((flight_w, got, exp, calc))
    ok = ok and out[1][1] > out[0][1] * 1.15
    return Check("; ".join(f"{w} m flight: {c}" for w, _, _, c in out),
                 "; ".join(f"{w} m flight: {g:.1f} s" for w, g, _, _ in out),
                 "±10 % of the hand calculation", ok)


def _three_storey(seed: int) -> RunResult:
    """Rooms on L3 and L2 (150 people each) → flights of 1.5 m (7/11, 7.5 m slope)
    through an L2 landing → L1 lobby → 2 m exit."""
    stair = {"riser_mm": 7 * INCH_MM, "tread_mm": 11 * INCH_MM, "length_m": 7.5}
    lay = b.layout(
        [{"id": "room3", "kind": "shop", "level": "L3", "rect": [0, 0, 20, 10]},
         {"id": "room2", "kind": "shop", "level": "L2", "rect": [0, 0, 20, 10]},
         {"id": "f32", "kind": "stair", "levels": ["L2", "L3"], "rect": [20, 0, 6, 1.5],
          **stair},
         {"id": "landing2", "kind": "corridor", "level": "L2", "rect": [26, 0, 3, 3]},
         {"id": "f21", "kind": "stair", "levels": ["L1", "L2"], "rect": [29, 0, 6, 1.5],
          **stair},
         {"id": "lobby", "kind": "corridor", "level": "L1", "rect": [35, 0, 10, 3]},
         {"id": "out", "kind": "exit", "level": "L1"}],
        [{"id": "d3", "between": ["room3", "f32"], "width_m": 1.5, "at": [20, 0.75]},
         {"id": "f32-foot", "between": ["f32", "landing2"], "width_m": 1.5, "at": [26, 0.75]},
         {"id": "d2", "between": ["room2", "landing2"], "width_m": 1.5, "at": [26, 2.25]},
         {"id": "f21-top", "between": ["landing2", "f21"], "width_m": 1.5, "at": [29, 0.75]},
         {"id": "f21-foot", "between": ["f21", "lobby"], "width_m": 1.5, "at": [35, 0.75]},
         {"id": "exit", "between": ["lobby", "out"], "width_m": 2.0, "at": [45, 1.5]}],
        levels=(("L1", 0.0), ("L2", 4.0), ("L3", 8.0)))
    # room2's door opens onto the landing: room2 lies beside the flight on L2
    lay["spaces"][1]["rect"] = [6, 3, 20, 10]
    lay["openings"][2]["at"] = [26, 3]
    return b.run(lay, {"occupants": {"per_space": {"room3": 150, "room2": 150}},
                       "premovement": {"model": "none"}}, seed=seed)


@case("HY-2", "Three storeys → stair → exit (merge at the L2 landing)", kind="engine",
      source="SFPE hydraulic model [H1]")
def hy2_three_storey() -> Check:
    """300 people (150 on L3, 150 on L2) down one stair of 1.5 m flights to a 2 m exit.

    Elements: doors 1.5 m → 1.3 × 1.2 = 1.56 p/s; flights 1.01 × 1.2 = 1.212 p/s; exit
    1.3 × 1.7 = 2.21 p/s. The L2 room and the L3 flight merge on the landing into the
    lower flight, which controls (1.212 p/s) from the first seconds: L2 people are at the
    landing within a few metres. t = 0 + 300 / 1.212 + lower flight 7.5 m at the speed of
    its capacity flow (D = 1.88, S = 1.08 × 0.5 = 0.54 m/s) + 10 m of lobby at the
    speed of 1.212 p/s over 2.6 m effective width. Mean of three seeds.
    """
    k_st = pub.SFPE_STAIRS[(7.0, 11.0)][0]
    control = min(pub.stair_flow_ps(1.5, 7.0, 11.0), pub.door_flow_ps(2.0))
    exp, calc = hc.evacuation_time_s(300, control, 0.0, [
        hc.Leg("flight", 7.5, k_st, pub.effective_width(1.5, "stair")),
        hc.Leg("lobby", 10.0, pub.SFPE_K_LEVEL, pub.effective_width(3.0, "corridor"))])
    got = _mean_time(_three_storey)
    return Check(calc, f"{got:.1f} s", "±10 %", b.within(got, exp, 0.10))
