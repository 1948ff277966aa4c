"""Fire and smoke through the engine: smoke filling (AT-14) and walking in smoke (SM-1).

The mall-smoke cases (NFPA 92 filling, plumes, spill plumes, the GB 51251 sheet, the shop →
mall street → atrium hand calculation) are in :mod:`.cases_smoke`.
"""

from __future__ import annotations

import math
from typing import Any

from sim.analysis.verification import build as b
from sim.analysis.verification import published as pub
from sim.analysis.verification.registry import Check, case
from sim.hazards.fire import FireProcess
from sim.run.runner import RunResult

CONSTANT_1MW = {"kind": "fire", "alpha_kw_s2": 1e4, "peak_kw": 1000.0, "sprinklered": False}
"""A fire at 1000 kW within a third of a second of ignition (Yamana–Tanaka's steady Q)."""
YAMANA_TANAKA = {**CONSTANT_1MW, "plume": "zukoski"}
"""The same fire with the Zukoski plume 0.076 Q^(1/3) z^(5/3), the entrainment behind
Yamana–Tanaka filling (the engine's default plume is NFPA 92's)."""


def _snapshots(res: RunResult, space: str) -> list[tuple[float, float, float, float]]:
    """The fire's record of ``space``: (t s, extinction 1/m, layer height m, layer °C)."""
    w = res.world
    assert w is not None
    fire = next(h for h in w.hazards if isinstance(h, FireProcess))
    c = w.cell_index[w.net.cells_of_space[space][0]]
    return [(t, *s[c]) for t, s in zip(fire.snap_t, fire.snap, strict=True) if c in s]


def yamana_tanaka_m(t_s: float, q_kw: float, area_m2: float, height_m: float,
                    gas_temp_k: float) -> float:
    """NUREG-1805 FDT eq 2.10: z = [2kQ^(1/3)t/(3A) + H^(-2/3)]^(-3/2), k = 0.076/ρ_g,
    ρ_g = 353/T_g (eq 2.12–2.13)."""
    k = 0.076 * gas_temp_k / 353.0
    return (2.0 * k * q_kw ** (1.0 / 3.0) * t_s / (3.0 * area_m2)
            + height_m ** (-2.0 / 3.0)) ** -1.5


@case("AT-14", "Smoke filling of a closed room through the engine (Yamana–Tanaka)",
      kind="engine", source="NUREG-1805 FDT eq 2.10–2.13 [C1]")
def at14_engine_filling() -> Check:
    """A 1 MW fire in a 12.5 × 20 m (250 m²) room 4.5 m high, its one door closed off by
    a person still inside the next room: the engine's layer height at 30, 60 and 90 s
    against FDT eq 2.10 with k from the engine's layer temperature at that time.

    The layer stays above the 2.1 m door soffit until 90 s, so nothing leaves the room and
    eq 2.10 applies. The fire uses the Zukoski plume (``plume = "zukoski"``), the entrainment
    eq 2.10 rests on. (With the FDT example's k = 0.12, i.e. a 284 °C layer, eq 2.10 gives
    1.887 m at 90 s: AT-14f. The engine's layer is cooler, heat being lost to the ceiling
    and walls, so it fills more slowly.)
    """
    lay = b.layout(
        [{"id": "hall", "kind": "shop", "level": "L1", "rect": [0, 0, 12.5, 20], "height_m": 4.5},
         {"id": "far", "kind": "shop", "level": "L1", "rect": [12.5, 0, 10, 10]},
         {"id": "out", "kind": "exit", "level": "L1"}],
        [{"id": "d", "between": ["hall", "far"], "width_m": 1.0, "at": [12.5, 5]},
         {"id": "x", "between": ["far", "out"], "width_m": 1.0, "at": [22.5, 5]}])
    res = b.run(lay, {"occupants": {"per_space": {"far": 1}},
                      "premovement": {"explicit": {"0": 500.0}}, "duration_s": 95,
                      "hazards": [{**YAMANA_TANAKA, "space": "hall"}]})
    rows, ok = [], True
    for t, _, z, temp_c in _snapshots(res, "hall"):
        if t in (30.0, 60.0, 90.0):
            exp = yamana_tanaka_m(t, 1000.0, 250.0, 4.5, temp_c + 273.15)
            ok = ok and b.within(z, exp, 0.03)
            rows.append((t, z, exp, temp_c))
    ok = ok and len(rows) == 3
    return Check("eq 2.10 at the layer temperature: " + "; ".join(
                     f"{t:.0f} s {e:.3f} m ({c:.0f} °C)" for t, _, e, c in rows),
                 "; ".join(f"{t:.0f} s {z:.3f} m" for t, z, _, _ in rows), "±3 %", ok)


def _walk_through_smoke() -> tuple[RunResult, list[float]]:
    lay = b.layout(
        [{"id": "west", "kind": "shop", "level": "L1", "rect": [-6, 0, 6, 10]},
         {"id": "hall", "kind": "shop", "level": "L1", "rect": [0, 0, 10, 10], "height_m": 3.0},
         {"id": "out", "kind": "exit", "level": "L1"}],
        [{"id": "w", "between": ["west", "hall"], "width_m": 1.0, "at": [0, 5]},
         {"id": "x", "between": ["hall", "out"], "width_m": 1.0, "at": [10, 5]}])
    starts = [10.0, 50.0, 60.0, 70.0, 80.0, 90.0]
    hazards: list[dict[str, Any]] = [{"kind": "drill", "t_s": 0.0, "alarm": "general"},
                                     {**CONSTANT_1MW, "space": "hall", "soot_yield": 0.01}]
    res = b.run(lay, {"occupants": {"per_space": {"west": len(starts)}},
                      "population": {"free_speed_mps": 1.2},
                      "premovement": {"explicit": {str(i): s for i, s in enumerate(starts)}},
                      "duration_s": 300, "hazards": hazards})
    return res, starts


@case("SM-1", "Walking speed in smoke measured in the engine", kind="engine",
      source="Frantzich & Nilsson 2003 [J2][S13]")
def sm1_speed_in_smoke() -> Check:
    """People cross a 10 m room filling with smoke (1 MW, soot yield 0.01) one at a time.

    Below head height (1.8 m) the Frantzich–Nilsson speed v = v0 (1 − 0.057/0.706 K),
    at least 0.3 m/s for v0 = 1.2, applies at the extinction coefficient K the smoke
    model reports when they enter; above it (the first walker, at 10 s) they walk at
    their free speed 1.2 m/s. Crossing time = 10 m / v.
    """
    res, _ = _walk_through_smoke()
    t_in = dict(zip(b.passers(res, "w").tolist(), b.pass_times(res, "w").tolist(), strict=True))
    t_out = dict(zip(b.passers(res, "x").tolist(), b.pass_times(res, "x").tolist(), strict=True))
    snaps = _snapshots(res, "hall")
    rows, ok, slowed = [], True, 0
    for p in sorted(t_in):
        te = t_in[p]
        before = [s for s in snaps if s[0] <= te + 1e-9]
        k, z = (before[-1][1], before[-1][2]) if before else (0.0, 3.0)
        v = 1.2
        if z < 1.8:
            v = max(pub.FRANTZICH_NILSSON_FLOOR_MPS,
                    1.2 * (1.0 - pub.FRANTZICH_NILSSON_SLOPE * k))
            slowed += 1
        exp = math.dist((0, 5), (10, 5)) / v
        got = t_out[p] - te
        ok = ok and b.within(got, exp, 0.01)
        rows.append((k if z < 1.8 else 0.0, got, exp))
    ok = ok and slowed >= 4 and len(rows) == 6
    return Check("10 m / v(K): " + ", ".join(f"K {k:.2f}: {e:.2f} s" for k, _, e in rows),
                 ", ".join(f"{g:.2f} s" for _, g, _ in rows), "±1 %", ok)
