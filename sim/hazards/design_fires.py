"""Design fires and smoke-exhaust rates from the codes (tables, pure functions).

Design fires
------------
A design fire grows as Q = α t² (NFPA 204 growth classes, :data:`sim.hazards.fire_physics.
T2_ALPHA_KW_S2`) up to a steady heat release rate taken from a code table by the occupancy
of the room of origin and whether it is sprinklered:

* **GB 51251-2017 Table 4.6.7** (:data:`GB51251_STEADY_KW`). Values recalled, **not read in
  the standard** (docs/fire-and-smoke.md §2 marks them UNVERIFIED); the clause itself (Q = α t²,
  "not less than Table 4.6.7") was confirmed in a published calculation sheet [E5]. GB 51251
  sizes exhaust with Q = α t_a² at the sprinklers' operating time t_a, but never below the
  table value: a sprinklered fire grows until its sprinklers operate and then holds at
  max(α t_a², table value) (:func:`sprinklered_hold_kw`).
* **BRE 368** (Morgan et al. 1999, :data:`BRE368_STEADY_KW`): a sprinklered retail unit is a
  5 MW fire of 12 m perimeter (3 m × 3 m), the figure BRE 368 and CIBSE TM19 are commonly
  quoted for; **not read in the report** here. BRE 368 gives no steady value for an
  unsprinklered shop (the fire is then ventilation- or fuel-limited): the table falls back to
  GB 51251 and says so.

Occupancies (:func:`occupancy_of`): ``shop`` → shop (商店); ``corridor``, ``atrium``,
``escalator``, ``plaza`` → other public place (其他公共场所); ``parking`` → car park (汽车库);
``service``, ``cctv_room``, ``duty_room``, ``finance_room``, ``gate`` → office (办公室).

Exhaust rates (GB 51251-2017 §4.6)
----------------------------------
* §4.6.1: design air volume ≥ 1.2 × the calculated one (confirmed [E9]).
* §4.6.3-1: clear height ≤ 6 m: ≥ 60 m³/(h·m²) of the smoke zone and ≥ 15 000 m³/h
  (confirmed [E10]).
* §4.6.3-3: corridor (or gallery) only: ≥ 13 000 m³/h (recalled, UNVERIFIED).
* §4.6.5: atrium = 2 × the largest surrounding zone and ≥ 107 000 m³/h; galleries-only
  exhaust: atrium ≥ 40 000 m³/h (recalled, UNVERIFIED).
* §4.6.9: clear height H_q = 1.6 + 0.1 H′ (H′ > 3 m), H′/2 for corridors and rooms ≤ 3 m
  (confirmed [E5] and a published commentary on §4.6.9).
* §4.6.14: one inlet draws at most V_max (plug-holing, :func:`sim.hazards.plumes.
  plugholing_limit_m3_s`); enough inlets are needed for the design rate (confirmed [E5]).
"""

from __future__ import annotations

import math
from typing import Literal

from sim.hazards import plumes

__all__ = [
    "BRE368_STEADY_KW",
    "DESIGN_FACTOR",
    "GB51251_STEADY_KW",
    "Occupancy",
    "atrium_exhaust_m3_h",
    "clear_height_m",
    "design_steady_kw",
    "inlets_needed",
    "occupancy_of",
    "sprinklered_hold_kw",
    "zone_exhaust_m3_h",
]

Occupancy = Literal["office", "shop", "public", "car_park", "factory", "warehouse"]

GB51251_STEADY_KW: dict[Occupancy, tuple[float, float]] = {
    "office": (6000.0, 1500.0),  # 办公室、教室、客房、走道
    "shop": (10000.0, 3000.0),  # 商店、展览厅
    "public": (8000.0, 2500.0),  # 其他公共场所
    "car_park": (3000.0, 1500.0),  # 汽车库
    "factory": (8000.0, 2500.0),  # 厂房
    "warehouse": (20000.0, 4000.0),  # 仓库
}
"""GB 51251-2017 Table 4.6.7, steady HRR (unsprinklered, sprinklered) in kW by occupancy.
Recalled; UNVERIFIED against the standard (docs/fire-and-smoke.md §2)."""

BRE368_STEADY_KW: dict[Occupancy, tuple[float | None, float | None]] = {
    "shop": (None, 5000.0),
    "public": (None, 5000.0),
}
"""BRE 368 design fires (unsprinklered, sprinklered) in kW; ``None`` where BRE 368 gives no
steady value (GB 51251 is used then). Sprinklered retail unit 5 MW, perimeter 12 m, as
commonly quoted from BRE 368 / CIBSE TM19 (UNVERIFIED: the report was not read here); the mall
itself ("public") is taken to hold shop-like fuel (kiosks, displays)."""

DESIGN_FACTOR = 1.2
"""GB 51251 §4.6.1: the design exhaust volume is at least 1.2 × the calculated one [E9]."""


def occupancy_of(kind: str) -> Occupancy:
    """The Table 4.6.7 occupancy of a layout space kind (see the module docstring)."""
    if kind == "shop":
        return "shop"
    if kind == "parking":
        return "car_park"
    if kind in ("service", "cctv_room", "duty_room", "finance_room", "gate"):
        return "office"
    return "public"


def design_steady_kw(kind: str, sprinklered: bool,
                     table: Literal["gb51251", "bre368"] = "gb51251") -> tuple[float, str]:
    """Steady design HRR (kW) for a fire in a ``kind`` space, and the source it came from."""
    occ = occupancy_of(kind)
    if table == "bre368":
        row = BRE368_STEADY_KW.get(occ)
        value = None if row is None else row[1 if sprinklered else 0]
        if value is not None:
            return value, f"BRE 368 ({occ}, {'sprinklered' if sprinklered else 'unsprinklered'})"
    unspr, spr = GB51251_STEADY_KW[occ]
    src = f"GB 51251-2017 Table 4.6.7 ({occ}, {'sprinklered' if sprinklered else 'unsprinklered'})"
    if table == "bre368":
        src += "; BRE 368 gives none"
    return (spr if sprinklered else unspr), src


def sprinklered_hold_kw(q_at_activation_kw: float, table_kw: float) -> float:
    """GB 51251 §4.6.7: a sprinklered fire holds at α t_a², but never below the table value."""
    return max(q_at_activation_kw, table_kw)


def clear_height_m(height_m: float, *, half_rule: bool = False) -> float:
    """Minimum clear height H_q of GB 51251 §4.6.9, m.

    H_q = 1.6 + 0.1 H′ (confirmed [E5]: H′ = 3 m → 1.9 m, as the calculation sheet uses).
    §4.6.9 lets corridors and rooms no higher than 3 m use H′/2 instead (``half_rule``);
    tenability uses the formula everywhere (the stricter reading). The result never exceeds
    H′. Worked: H′ = 4 m → 2.0 m; H′ = 15.5 m → 3.15 m.
    """
    if height_m <= 0.0:
        raise ValueError("height_m must be > 0")
    if half_rule and height_m <= 3.0:
        return height_m / 2.0
    return min(height_m, 1.6 + 0.1 * height_m)


def zone_exhaust_m3_h(area_m2: float, height_m: float, *, corridor_only: bool = False,
                      design: bool = True) -> float:
    """Exhaust volume of one smoke zone, m³/h (GB 51251 §4.6.3, × 1.2 with ``design``).

    60 m³/(h·m²) and ≥ 15 000 m³/h for clear heights ≤ 6 m; a corridor-only system
    ≥ 13 000 m³/h (UNVERIFIED). Zones higher than 6 m are sized by the plume calculation in
    the standard; here the 60 m³/(h·m²) rule is applied to them as well (a simplification,
    documented).
    """
    if area_m2 <= 0.0:
        raise ValueError("area_m2 must be > 0")
    base = 13000.0 if corridor_only else 15000.0
    rate = max(60.0 * area_m2, base)
    return rate * (DESIGN_FACTOR if design else 1.0)


def atrium_exhaust_m3_h(largest_zone_m3_h: float, *, galleries_only: bool = False,
                        design: bool = True) -> float:
    """Atrium exhaust of GB 51251 §4.6.5, m³/h (UNVERIFIED, recalled): 2 × the largest
    surrounding zone's rate and ≥ 107 000 m³/h; ≥ 40 000 m³/h when only the galleries are
    exhausted. ``largest_zone_m3_h`` is the calculated (not the 1.2×) zone rate."""
    rate = 40000.0 if galleries_only else max(2.0 * largest_zone_m3_h, 107000.0)
    return rate * (DESIGN_FACTOR if design else 1.0)


def inlets_needed(rate_m3_s: float, height_m: float, sprinklered_kw: float,
                  gamma: float = 1.0, ambient_k: float = plumes.T0_K) -> int:
    """Exhaust inlets a smoke zone needs so that none plug-holes at the design state.

    GB 51251 §4.6.14 checks each inlet against V_max at the design smoke layer: depth
    d_b = H′ − H_q (§4.6.9) and temperature from the axisymmetric plume of the sprinklered
    design fire at the clear height (§4.6.11–4.6.13, K = 1). Returns at least 1.
    """
    hq = clear_height_m(height_m)
    db = height_m - hq
    qc = plumes.CONVECTIVE_FRACTION * sprinklered_kw
    m = plumes.axisymmetric_plume_kg_s(qc, hq)
    t_s = ambient_k + plumes.layer_temperature_rise_k(qc, m)
    vmax = plumes.plugholing_limit_m3_s(db, t_s, ambient_k, gamma)
    if vmax <= 0.0:
        return 1
    return max(1, math.ceil(rate_m3_s / vmax - 1e-9))
