"""Zone model of smoke in a mall: one hot layer per zone, stepped in time (no SimPy, no I/O).

The fire hazard (:mod:`sim.hazards.fire`) builds a :class:`SmokeModel` from the plan
(:mod:`sim.hazards.smoke_geometry`: one zone per space, the stacked atrium spaces of a void
merged into one tall zone), calls :meth:`SmokeModel.advance` every few simulated seconds
and reads the layer of each zone. Heights are **absolute elevations** (m above grade), so
a void that opens to the galleries of several levels is one zone whose interface the
galleries see at their own floor height.

State and geometry
------------------
Each zone holds one well-mixed upper layer: gas mass m (kg), excess enthalpy
e = m c_p (T − T_a) (kJ), and the masses of soot, CO, CO₂ and O₂ in it. With ρT = 353 kg·K/m³
the layer volume is V = (m T_a + e/c_p)/353, its interface y = ceiling − V/A (clipped to the
floor) and its temperature T = T_a + e/(m c_p). Every transfer moves a fraction of all these
quantities, so mass, energy and species are conserved exactly except through vents,
exhaust and wall losses.

Physics, one sub-step (≤ 1 s)
-----------------------------
1. **Fire.** Q(t) = α (t − t_ign)², capped at ``peak_kw``; with sprinklers, once the link
   operates (DETACT-QS lag in the Alpert ceiling jet, or a fixed time), Q holds at
   max(Q(t_a), ``sprinklered_kw``): GB 51251 §4.6.7 (:mod:`sim.hazards.design_fires`).
   **Ventilation limit**: no more than ``vent_limit_kw`` (1500 A_v √h_v, PD 7974-1 eq 33)
   burns inside the room of origin; the rest burns in the outflow at its openings, its heat
   joining the gas that leaves.
2. **Plume in the origin.** The axisymmetric plume of NFPA 92 / GB 51251 eq 4.6.11-1
   entrains m_p(Q_c, z) kg/s of air, z the clear height above the fire base, Q_c = (1 − χ_r) Q
   (χ_r = 0.3: Q_c = 0.7 Q as GB 51251); ``plume="zukoski"`` uses 0.076 Q^(1/3) z^(5/3) (the
   Yamana–Tanaka entrainment) instead. Midpoint rule in z. The air drawn in is never less
   than Q/3000 kg/s (Huggett: 3 MJ per kg of air): a room whose layer reaches the floor still
   receives the air its fire burns, which bounds the layer at about 900 K above ambient
   instead of heating it without limit.
3. **Openings.** Hot gas flows through an opening from the side whose layer reaches deeper
   below the opening's top: weir flow m = (2/3) C_d W ρ_a (2 g (T_a/T)(1 − T_a/T))^(1/2)
   ΔD^(3/2) on the difference ΔD of the two layers' depths in the opening (Karlsson &
   Quintiere / SFPE hot-layer vent flow; C_d 0.7, ``smoke.discharge_coeff``). A link
   carries nothing until the smoke front has crossed its source zone (``delay_s``:
   distance / front speed).
4. **Spill plumes.** When gas enters a zone whose interface is above the opening's top, it
   rises as a spill plume to the layer. Its total mass there is the balcony spill plume
   m = 0.36 (Q_c W²)^(1/3) (z_b + 0.25 H) (NFPA 92 / GB 51251 eq 4.6.11-3), Q_c the
   convective heat flux actually crossing the edge, W the opening width or the gap between
   channelling screens, H the edge height above the opening's floor, z_b the rise; the air
   it entrains is that minus the gas that came through. This is the shop front into the mall
   street and the balcony edge into the atrium, and, through the void, the smoke that reaches
   the galleries of every level the void opens to (an opening whose top is below the void's
   interface lets the void's layer into the gallery).
5. **Exhaust and vents.** A running mechanical system draws its volume flow from the layers
   of its zones (shared in proportion to their layer volumes), each inlet at most the
   plug-holing limit V_max = 4.16 γ d^(5/2) (ΔT/T_0)^(1/2) (GB 51251 §4.6.14). An open
   natural vent passes m = C_d A ρ_a (2 g d θ T_a)^(1/2)/T_s. Make-up air is assumed.
6. **Wall losses.** The layer loses h_w (A + P d)(T − T_a) to the ceiling and the walls it
   touches (h_w = :data:`WALL_HEAT_TRANSFER_KW_M2K`, **assumption**; set 0 for the adiabatic
   layer of NFPA 92 / GB 51251 hand calculations, K = 1).
7. **Species.** Soot, CO and CO₂ at their yields per kg of fuel (Q/ΔH_c); O₂ consumed at
   Q/13 100 kJ per kg (Huggett). Extinction K = 8700 m²/kg × soot density (Mulholland &
   Croarkin 2000, flaming).

Every assumed value is declared in the assumptions register (``smoke.*``, ``fire.*``:
``safemall assumptions``); the fire hazard passes the run's values to the model.

Numerics: every link moves at most half the volume that would level the two layers, a zone
never sends out more than 0.9 of its layer per sub-step. The model is vectorised (numpy) over
zones and links.

Not modelled: wind, stack effect in closed shafts, the lower layer's contamination, the
layer's radiation to the fuel, make-up air velocities, sprinkler spray cooling.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.hazards import plumes
from sim.hazards.fire_physics import (
    CP_AIR_KJ_KG_K,
    KELVIN,
    RHO_T_KG_K_M3,
    alpert_ceiling_jet,
    link_temperature_c,
)
from sim.model.assumptions import declare

__all__ = [
    "MAX_SUBSTEP_S",
    "OUTSIDE",
    "SOOT_MASS_EXTINCTION_M2_KG",
    "SPRINKLER_RADIUS_M",
    "VENT_DISCHARGE_COEFF",
    "WALL_HEAT_TRANSFER_KW_M2K",
    "ExhaustSystem",
    "FireSpec",
    "NaturalVent",
    "SmokeLink",
    "SmokeModel",
    "SmokeZone",
    "ZoneState",
]

OUTSIDE = "__outside__"
"""Pseudo-zone id for the open air; a link to it is an exterior opening."""
_F = ("fire",)
SOOT_MASS_EXTINCTION_M2_KG = declare(
    "smoke.soot_mass_extinction_m2_kg", default=8700.0, unit="m²/kg", low=7600.0,
    high=9800.0, dist="uniform", valid_min=1000.0, status="sourced", used_by=_F,
    source="Mulholland & Croarkin, Fire and Materials 24 (2000): 8700 ± 1100 m²/kg for "
           "flaming fuels", name="Mass-specific extinction coefficient of soot").default
"""Mass-specific extinction coefficient of flaming soot, m²/kg (register default)."""
VENT_DISCHARGE_COEFF = declare(
    "smoke.discharge_coeff", default=0.7, unit="—", low=0.6, high=0.8, dist="uniform",
    valid_min=0.1, valid_max=1.0, status="assumed", used_by=_F,
    source="assumed: textbook doorway coefficient (Karlsson & Quintiere 0.6–0.7)",
    name="Discharge coefficient of doorways and openings for smoke").default
"""Discharge coefficient of doorways and openings (register default)."""
SPRINKLER_RADIUS_M = declare(
    "smoke.sprinkler_radius_m", default=2.5, unit="m", low=1.5, high=3.5, dist="uniform",
    valid_min=0.1, status="assumed", used_by=_F,
    source="assumed: half-diagonal of a 3.5 m × 3.5 m sprinkler grid",
    name="Distance of the first sprinkler head from the plume axis").default
"""Radial distance of the first sprinkler head from the plume axis, m (register default)."""
SPRINKLER_RTI = declare(
    "smoke.sprinkler_rti", default=50.0, unit="(m·s)^½", low=25.0, high=100.0,
    dist="loguniform", valid_min=1.0, status="sourced", used_by=_F,
    source="quick-response sprinklers in enclosed shopping centres: RTI < 50 (Scottish "
           "Technical Handbook 2.C.15)", name="Sprinkler response time index").default
"""Sprinkler response time index, (m·s)^½ (register default)."""
SPRINKLER_RATING_C = declare(
    "smoke.sprinkler_rating_c", default=68.0, unit="°C", low=57.0, high=93.0,
    dist="uniform", valid_min=40.0, status="assumed", used_by=_F,
    source="assumed: ordinary-temperature glass bulb (68 °C, red)",
    name="Sprinkler operating temperature").default
"""Sprinkler link rating, °C (register default)."""
WALL_HEAT_TRANSFER_KW_M2K = declare(
    "smoke.wall_heat_transfer_kw_m2k", default=0.01, unit="kW/(m²·K)", low=0.005,
    high=0.025, dist="loguniform", valid_min=0.0, status="assumed", used_by=_F,
    source="assumed: convection plus radiation to cold boundaries early in a fire, "
           "5–15 W/(m²·K) in zone-model practice; gives small rooms Karlsson & Quintiere's "
           "λ_c 0.6–0.9", name="Heat-transfer coefficient from a smoke layer to its "
           "ceiling and walls").default
"""h_w of the wall losses, kW/(m²·K) (register default). It makes small rooms lose 50–80 %
of their heat (Karlsson & Quintiere's λ_c = 0.6–0.9) and tall atria little."""
MAX_SUBSTEP_S = 1.0
"""Longest internal integration step, s."""
SPILL_COEFF = 0.36
"""Coefficient of the balcony spill plume (NFPA 92 / GB 51251 eq 4.6.11-3)."""
O2_HEAT_KJ_KG = 13100.0
"""Heat released per kg of oxygen consumed (Huggett 1980), kJ/kg."""
AIR_O2_MASS_FRACTION = 0.232
"""Mass fraction of oxygen in air."""

_G = plumes.G_MPS2
_M_AIR = 28.97
_M_CO = 28.01
_M_CO2 = 44.01
_M_O2 = 32.0
_EPS = 1e-9
_MAX_OUT = 0.9


@dataclass(frozen=True, slots=True)
class SmokeZone:
    """A volume that holds one smoke layer: a space, or the void of a stack of atria.

    Attributes
    ----------
    id : str
        Unique id (not :data:`OUTSIDE`).
    area_m2 : float
        Plan area, m² (> 0).
    floor_m, ceiling_m : float
        Absolute elevations of its floor and ceiling, m (ceiling > floor).
    perimeter_m : float
        Wall length, m (0: taken as 4 √A).
    """

    id: str
    area_m2: float
    floor_m: float
    ceiling_m: float
    perimeter_m: float = 0.0


@dataclass(frozen=True, slots=True)
class SmokeLink:
    """An opening between two zones, or to :data:`OUTSIDE`.

    Attributes
    ----------
    a, b : str
        Zone ids (either may be :data:`OUTSIDE`, not both).
    width_m : float
        Clear width, m (> 0).
    bottom_m, top_m : float
        Absolute elevations of the opening's sill and head (its soffit, or the bottom of a
        downstand or smoke curtain), m.
    id : str
        The layout opening it stands for (devices find it by this id).
    spill_width_m : float or None
        Spill width set by channelling screens; None: the opening's width.
    delay_s : float
        Time for the smoke front to cross each side's zone before this opening carries
        anything, s: (from ``a``, from ``b``).
    """

    a: str
    b: str
    width_m: float
    bottom_m: float
    top_m: float
    id: str = ""
    spill_width_m: float | None = None
    delay_s: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True, slots=True)
class ExhaustSystem:
    """A mechanical smoke-exhaust system: fans drawing ``rate_m3_s`` from ``zones``."""

    id: str
    zones: tuple[str, ...]
    rate_m3_s: float
    inlets_per_zone: int = 1
    gamma: float = 1.0


@dataclass(frozen=True, slots=True)
class NaturalVent:
    """A roof or high-level vent of ``area_m2`` in ``zone`` (discharge coefficient ``cd``)."""

    id: str
    zone: str
    area_m2: float
    cd: float = 0.6


@dataclass(frozen=True, slots=True)
class FireSpec:
    """The design fire.

    Attributes
    ----------
    origin : str
        Zone of the fire.
    alpha_kw_s2 : float
        t² growth coefficient, kW/s².
    peak_kw : float
        Steady HRR the fire grows to without sprinkler control, kW.
    ignition_s : float
        Ignition time, s.
    base_m : float or None
        Elevation of the fire's base, m (None: the origin zone's floor).
    sprinklered : bool
        Sprinklers protect the fire.
    sprinklered_kw : float or None
        Lowest HRR a sprinklered fire holds at after the sprinklers operate (the code's
        sprinklered design fire), kW; None: it holds at its HRR at activation.
    sprinkler_activation_s : float or None
        Fixed activation time (absolute), s; None: computed (RTI model).
    sprinkler_height_m : float or None
        Height of the sprinkler heads above the fire base, m (None: origin ceiling − base).
    soot_yield, co_yield, co2_yield : float
        Mass yields per kg of fuel.
    heat_of_combustion_kj_kg : float
        Effective heat of combustion, kJ/kg.
    radiative_fraction : float
        χ_r; the convective HRR is Q_c = (1 − χ_r) Q.
    plume : {"nfpa92", "zukoski"}
        Entrainment law of the fire plume.
    vent_limit_kw : float
        Most HRR that can burn inside the origin, kW.
    """

    origin: str
    alpha_kw_s2: float
    peak_kw: float
    ignition_s: float = 0.0
    base_m: float | None = None
    sprinklered: bool = False
    sprinklered_kw: float | None = None
    sprinkler_activation_s: float | None = None
    sprinkler_height_m: float | None = None
    soot_yield: float = 0.05
    co_yield: float = 0.04
    co2_yield: float = 1.5
    heat_of_combustion_kj_kg: float = 20000.0
    radiative_fraction: float = 1.0 - plumes.CONVECTIVE_FRACTION
    plume: Literal["nfpa92", "zukoski"] = "nfpa92"
    vent_limit_kw: float = math.inf


@dataclass(frozen=True, slots=True)
class ZoneState:
    """Snapshot of one zone's layer.

    Attributes
    ----------
    interface_m : float
        Absolute elevation of the layer's lower surface, m (the ceiling when clean).
    depth_m : float
        Layer depth, m.
    temperature_c : float
        Layer temperature, °C.
    extinction_per_m : float
        Extinction coefficient K, 1/m.
    co_ppm, co2_pct, o2_pct : float
        Layer gas composition (ppm, % by volume).
    reached_s : float or None
        When smoke first entered the zone, s.
    """

    interface_m: float
    depth_m: float
    temperature_c: float
    extinction_per_m: float
    co_ppm: float
    co2_pct: float
    o2_pct: float
    reached_s: float | None


class SmokeModel:
    """Hot-layer smoke over a network of zones (see the module docstring for the physics).

    Parameters
    ----------
    zones, links : sequences
        The zones and the open links between them (closed doors are not listed).
    fire : FireSpec
        The design fire.
    exhaust, vents : sequences
        Mechanical systems and natural vents; none runs until started/opened.
    ambient_c : float
        Ambient temperature, °C.
    wall_heat_transfer_kw_m2k : float
        h_w of the wall losses (0: adiabatic layers).
    sprinkler_activation_temp_c, rti, sprinkler_radius_m : float
        Sprinkler link rating (°C), response time index ((m·s)^½) and radial distance of
        the first head from the plume axis (m).
    soot_extinction_m2_kg, discharge_coeff : float
        Mass-specific extinction of soot (m²/kg) and discharge coefficient of openings.
    """

    def __init__(self, zones: Sequence[SmokeZone], links: Sequence[SmokeLink], fire: FireSpec,
                 *, exhaust: Sequence[ExhaustSystem] = (), vents: Sequence[NaturalVent] = (),
                 ambient_c: float = 20.0,
                 wall_heat_transfer_kw_m2k: float = WALL_HEAT_TRANSFER_KW_M2K,
                 sprinkler_activation_temp_c: float = SPRINKLER_RATING_C,
                 rti: float = SPRINKLER_RTI,
                 sprinkler_radius_m: float = SPRINKLER_RADIUS_M,
                 soot_extinction_m2_kg: float = SOOT_MASS_EXTINCTION_M2_KG,
                 discharge_coeff: float = VENT_DISCHARGE_COEFF) -> None:
        _validate(zones, links, fire, exhaust, vents, ambient_c, rti,
                  wall_heat_transfer_kw_m2k)
        self.ids = [z.id for z in zones]
        self.index = {zid: i for i, zid in enumerate(self.ids)}
        n = len(zones)
        self.area = np.array([z.area_m2 for z in zones], dtype=float)
        self.floor = np.array([z.floor_m for z in zones], dtype=float)
        self.ceiling = np.array([z.ceiling_m for z in zones], dtype=float)
        self.perimeter = np.array([z.perimeter_m if z.perimeter_m > 0 else 4.0 * math.sqrt(
            z.area_m2) for z in zones], dtype=float)
        self.fire = fire
        self.ta_k = ambient_c + KELVIN
        self.ambient_c = ambient_c
        self.rho_a = RHO_T_KG_K_M3 / self.ta_k
        self.h_w = wall_heat_transfer_kw_m2k
        self._act_temp_c = sprinkler_activation_temp_c
        self._rti = rti
        self._spr_r = sprinkler_radius_m
        self._km = soot_extinction_m2_kg
        self._cd = discharge_coeff

        self.link_ids = [ln.id for ln in links]
        self.la = np.array([self.index.get(ln.a, -1) for ln in links], dtype=np.int64)
        self.lb = np.array([self.index.get(ln.b, -1) for ln in links], dtype=np.int64)
        self.lw = np.array([ln.width_m for ln in links], dtype=float)
        self.lbot = np.array([ln.bottom_m for ln in links], dtype=float)
        self.ltop0 = np.array([ln.top_m for ln in links], dtype=float)
        self.ltop = self.ltop0.copy()
        self.lspill = np.array([ln.spill_width_m or ln.width_m for ln in links], dtype=float)
        self.ldelay = np.array([ln.delay_s for ln in links], dtype=float).reshape(-1, 2)
        self.lopen = np.ones(len(links), dtype=bool)
        self.links_of_opening: dict[str, list[int]] = {}
        for k, ln in enumerate(links):
            if ln.id:
                self.links_of_opening.setdefault(ln.id, []).append(k)

        self.exhaust = list(exhaust)
        pairs = [(j, self.index[z], s.inlets_per_zone * s.gamma)
                 for j, s in enumerate(self.exhaust) for z in s.zones]
        self._ex_sys = np.array([p[0] for p in pairs], dtype=np.int64)
        self._ex_zone = np.array([p[1] for p in pairs], dtype=np.int64)
        self._ex_coef = np.array([4.16 * p[2] for p in pairs], dtype=float)
        self._ex_rate = np.array([s.rate_m3_s for s in self.exhaust], dtype=float)
        self._ex_active = np.zeros(len(self.exhaust), dtype=bool)
        self.exhaust_on = [False] * len(self.exhaust)
        self.exhaust_started_s: dict[str, float] = {}
        self.vents = list(vents)
        self._vent_zone = np.array([self.index[v.zone] for v in self.vents], dtype=np.int64)
        self.vent_open = [False] * len(self.vents)
        self.vent_opened_s: dict[str, float] = {}

        # layer contents: one array, rows m, e, soot, CO, CO2, O2 (views below), so that a
        # transfer moves all six quantities in one operation
        self.content = np.zeros((6, n))
        self.m, self.e, self.soot, self.co, self.co2, self.o2 = self.content
        self.reached = np.full(n, np.inf)

        self.origin = self.index[fire.origin]
        self.base_m = fire.base_m if fire.base_m is not None else float(self.floor[self.origin])
        self.t = min(0.0, fire.ignition_s)
        self.reached[self.origin] = fire.ignition_s
        self._fixed_act = fire.sprinkler_activation_s if fire.sprinklered else None
        self._detect = fire.sprinklered and fire.sprinkler_activation_s is None
        self._detected_act: float | None = None
        self._link_c = ambient_c
        self._spr_h = fire.sprinkler_height_m if fire.sprinkler_height_m is not None else max(
            float(self.ceiling[self.origin]) - self.base_m, 0.1)

        # diagnostics of the last sub-step (for verification and metrics)
        self.plume_kg_s = 0.0
        self.hrr_inside_kw = 0.0
        self.hrr_peak_kw = 0.0
        self.spill_total_kg_s = np.zeros(len(links))
        self.spill_in_kg_s = np.zeros(len(links))
        self.spill_qc_kw = np.zeros(len(links))
        self.link_flow_kg_s = np.zeros(len(links))
        """Smoke mass flow through every link in the last sub-step, kg/s (+: from a to b)."""
        self.exhaust_kg_s = np.zeros(len(self.exhaust))
        self.vent_kg_s = np.zeros(len(self.vents))
        self.layer_max_c = np.full(n, ambient_c)

    # ------------------------------------------------------------------ controls
    def set_link_top(self, opening_id: str, top_m: float) -> None:
        """Lower the head of every link of ``opening_id`` to ``top_m`` (a curtain, a shutter
        stopped at 1.8 m); never above its geometric head."""
        for k in self.links_of_opening.get(opening_id, ()):
            self.ltop[k] = max(self.lbot[k], min(self.ltop0[k], top_m))

    def close_link(self, opening_id: str) -> None:
        """Close every link of ``opening_id`` (a fire shutter down to the floor)."""
        for k in self.links_of_opening.get(opening_id, ()):
            self.lopen[k] = False

    def start_exhaust(self, system_id: str) -> None:
        """Start a mechanical exhaust system (no effect if it runs already)."""
        for k, s in enumerate(self.exhaust):
            if s.id == system_id and not self.exhaust_on[k]:
                self.exhaust_on[k] = True
                self._ex_active[k] = True
                self.exhaust_started_s[s.id] = self.t

    def open_vent(self, vent_id: str) -> None:
        """Open a natural vent (no effect if open already)."""
        for k, v in enumerate(self.vents):
            if v.id == vent_id and not self.vent_open[k]:
                self.vent_open[k] = True
                self.vent_opened_s[v.id] = self.t

    # ------------------------------------------------------------------ state
    @property
    def time_s(self) -> float:
        """Current model time, s."""
        return self.t

    @property
    def sprinkler_activated_s(self) -> float | None:
        """Time the first sprinkler operated, s, or None."""
        act = self._activation_s()
        return act if act is not None and act <= self.t else None

    def hrr_kw(self, t_s: float | None = None) -> float:
        """Total heat release rate at ``t_s`` (default: now), kW."""
        f = self.fire
        t = self.t if t_s is None else t_s
        te = t - f.ignition_s
        if te <= 0.0:
            return 0.0
        q = min(f.alpha_kw_s2 * te * te, f.peak_kw)
        act = self._activation_s()
        if act is not None and t > act:
            ta = max(act - f.ignition_s, 0.0)
            q_act = min(f.alpha_kw_s2 * ta * ta, f.peak_kw)
            hold = max(q_act, f.sprinklered_kw) if f.sprinklered_kw is not None else q_act
            q = min(q, hold)
        return q

    def volumes(self) -> np.ndarray:
        """Layer volume of every zone, m³."""
        return (self.m * self.ta_k + self.e / CP_AIR_KJ_KG_K) / RHO_T_KG_K_M3

    def interfaces(self) -> np.ndarray:
        """Absolute elevation of every zone's layer interface, m."""
        return np.maximum(self.floor, self.ceiling - self.volumes() / self.area)

    def temperatures_c(self) -> np.ndarray:
        """Layer temperature of every zone, °C (ambient where clean)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            dt = np.where(self.m > _EPS, self.e / (CP_AIR_KJ_KG_K * np.maximum(self.m, _EPS)),
                          0.0)
        return self.ambient_c + dt

    def extinctions(self) -> np.ndarray:
        """Extinction coefficient K of every zone's layer, 1/m."""
        v = self.volumes()
        return np.where(v > 1e-9, self._km * self.soot / np.maximum(v, 1e-9), 0.0)

    def gases(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(CO ppm, CO₂ %, O₂ %) by volume of every zone's layer (ambient where clean)."""
        mm = np.maximum(self.m, _EPS)
        smoky = self.m > _EPS
        co = np.where(smoky, 1e6 * self.co / mm * (_M_AIR / _M_CO), 0.0)
        co2 = np.where(smoky, 100.0 * self.co2 / mm * (_M_AIR / _M_CO2), 0.04)
        o2 = np.where(smoky, 100.0 * self.o2 / mm * (_M_AIR / _M_O2), 20.9)
        return co, co2, np.clip(o2, 0.0, 20.9)

    def state(self, zone_id: str) -> ZoneState:
        """Snapshot of one zone (KeyError if unknown)."""
        i = self.index[zone_id]
        y = float(self.interfaces()[i])
        co, co2, o2 = self.gases()
        r = float(self.reached[i])
        return ZoneState(y, float(self.ceiling[i]) - y, float(self.temperatures_c()[i]),
                         float(self.extinctions()[i]), float(co[i]), float(co2[i]),
                         float(o2[i]), r if math.isfinite(r) else None)

    @property
    def reached_zones(self) -> list[str]:
        """Ids of the zones smoke has entered, in arrival order."""
        idx = np.flatnonzero(np.isfinite(self.reached))
        return [self.ids[i] for i in idx[np.argsort(self.reached[idx], kind="stable")]]

    # ------------------------------------------------------------------ time stepping
    def advance(self, t_s: float) -> None:
        """Advance to absolute time ``t_s`` in sub-steps of at most :data:`MAX_SUBSTEP_S`.

        Raises
        ------
        ValueError
            If ``t_s`` is earlier than now or not finite.
        """
        t_s = float(t_s)
        if not math.isfinite(t_s):
            raise ValueError(f"t_s must be finite, got {t_s!r}")
        if t_s < self.t:
            raise ValueError(f"time cannot go backwards: {t_s} < {self.t}")
        span = t_s - self.t
        if span == 0.0:
            return
        steps = max(1, math.ceil(span / MAX_SUBSTEP_S - 1e-9))
        t0 = self.t
        for k in range(steps):
            t1 = t_s if k == steps - 1 else t0 + span * (k + 1) / steps
            self._step(self.t, t1)
            self.t = t1

    def _activation_s(self) -> float | None:
        return self._fixed_act if self._fixed_act is not None else self._detected_act

    def _step(self, t0: float, t1: float) -> None:
        fire = self.fire
        if t1 <= fire.ignition_s:
            return
        t0 = max(t0, fire.ignition_s)
        dt = t1 - t0
        q_ext = self._burn(t0, dt)
        if self._detect and self._detected_act is None:
            self._sprinkler(t1, dt)
        self._transfer(t1, dt, q_ext)
        self._extract(dt)
        self._wall_loss(dt)
        np.maximum(self.layer_max_c, self.temperatures_c(), out=self.layer_max_c)

    def _burn(self, t0: float, dt: float) -> float:
        """Fire and plume in the origin; returns the HRR burning outside its openings, kW."""
        f = self.fire
        o = self.origin
        q = self.hrr_kw(t0 + 0.5 * dt)
        self.hrr_peak_kw = max(self.hrr_peak_kw, q)
        q_in = min(q, f.vent_limit_kw)
        self.hrr_inside_kw = q_in
        if q_in <= 0.0:
            self.plume_kg_s = 0.0
            return max(q - q_in, 0.0)
        qc = (1.0 - f.radiative_fraction) * q_in
        a = self.area[o]
        ta = self.ta_k

        def vol_of(m: float, e: float) -> float:
            return (m * ta + e / CP_AIR_KJ_KG_K) / RHO_T_KG_K_M3

        def plume(z: float) -> float:
            z = max(z, 0.0)
            mp = (plumes.zukoski_plume_kg_s(q_in, z) if f.plume == "zukoski"
                  else plumes.axisymmetric_plume_kg_s(qc, z))
            return max(mp, q_in / plumes.HUGGETT_KJ_PER_KG_AIR)

        ceil = self.ceiling[o]
        y0 = max(self.floor[o], ceil - vol_of(self.m[o], self.e[o]) / a)
        m0 = plume(y0 - self.base_m)
        yh = max(self.floor[o], ceil - vol_of(self.m[o] + 0.5 * dt * m0,
                                                self.e[o] + 0.5 * dt * qc) / a)
        mp = plume(yh - self.base_m)
        self.plume_kg_s = mp
        fuel = q_in / f.heat_of_combustion_kj_kg * dt
        self.m[o] += mp * dt + fuel
        self.e[o] += qc * dt
        self.soot[o] += f.soot_yield * fuel
        self.co[o] += f.co_yield * fuel
        self.co2[o] += f.co2_yield * fuel
        self.o2[o] += AIR_O2_MASS_FRACTION * mp * dt - q_in * dt / O2_HEAT_KJ_KG
        return max(q - q_in, 0.0)

    def _sprinkler(self, t1: float, dt: float) -> None:
        o = self.origin
        q = self.hrr_kw(t1)
        gas_c = self.ambient_c
        u = 0.0
        if q > 0.0:
            dtk, u = alpert_ceiling_jet(q, self._spr_h, self._spr_r)
            gas_c += dtk
        if self.m[o] > _EPS and self.interfaces()[o] < self.ceiling[o] - 0.05:
            gas_c = max(gas_c, float(self.temperatures_c()[o]))
        self._link_c = link_temperature_c(self._link_c, gas_c, u, self._rti, dt)
        if self._link_c >= self._act_temp_c:
            self._detected_act = t1

    def _transfer(self, t1: float, dt: float, q_ext_kw: float) -> None:
        """Flows through open links, with spill-plume entrainment on the receiving side."""
        self.spill_total_kg_s[:] = 0.0
        self.spill_in_kg_s[:] = 0.0
        self.spill_qc_kw[:] = 0.0
        self.link_flow_kg_s[:] = 0.0
        if not len(self.la):
            return
        ta = self.ta_k
        vol = self.volumes()
        y = np.maximum(self.floor, self.ceiling - vol / self.area)
        smoky = self.m > _EPS
        tk = np.where(smoky, ta + self.e / (CP_AIR_KJ_KG_K * np.maximum(self.m, _EPS)), ta)
        la, lb = self.la, self.lb
        ins_a = la >= 0
        ins_b = lb >= 0
        ia = np.where(ins_a, la, 0)
        ib = np.where(ins_b, lb, 0)
        top, bot = self.ltop, self.lbot
        ya = np.where(ins_a & smoky[ia], y[ia], np.inf)
        yb = np.where(ins_b & smoky[ib], y[ib], np.inf)
        da = np.clip(top - np.maximum(ya, bot), 0.0, None)
        db = np.clip(top - np.maximum(yb, bot), 0.0, None)
        from_a = da > db
        head = np.abs(da - db)
        src = np.where(from_a, la, lb)
        dst = np.where(from_a, lb, la)
        srci = np.where(src >= 0, src, 0)
        delay = np.where(from_a, self.ldelay[:, 0], self.ldelay[:, 1])
        ok = self.lopen & (head > 1e-6) & (src >= 0) & (self.reached[srci] + delay <= t1)
        if not ok.any():
            if q_ext_kw > 0.0:
                self._external_heat(np.zeros(0, dtype=np.int64), np.zeros(0), q_ext_kw, dt)
            return
        k = np.flatnonzero(ok)
        s = src[k]
        r = dst[k]
        ts = tk[s]
        ratio = ta / ts
        mflow = (2.0 / 3.0) * self._cd * self.lw[k] * self.rho_a * np.sqrt(
            2.0 * _G * ratio * np.clip(1.0 - ratio, 0.0, None)) * head[k] ** 1.5
        v = mflow * ts / RHO_T_KG_K_M3 * dt
        a_s = self.area[s]
        ri = np.where(r >= 0, r, 0)
        a_r = np.where(r >= 0, self.area[ri], np.inf)
        with np.errstate(invalid="ignore"):
            share = np.where(r >= 0, a_s * a_r / (a_s + a_r), a_s)
        v = np.minimum(v, 0.5 * head[k] * share)
        out = np.bincount(s, weights=v, minlength=len(self.m))
        scale = np.where(out > 0, np.minimum(1.0, _MAX_OUT * vol / np.maximum(out, 1e-12)), 1.0)
        v = v * scale[s]
        frac = v / np.maximum(vol[s], 1e-12)
        moved = self.content[:, s] * frac
        self.content *= 1.0 - np.bincount(s, weights=frac, minlength=len(self.m))
        inside = r >= 0
        rr = r[inside]
        np.add.at(self.content.T, rr, moved[:, inside].T)
        newly = inside & ~np.isfinite(self.reached[ri])
        self.reached[r[newly]] = t1
        # spill plumes: gas entering below the receiver's interface rises and entrains
        m_in = moved[0] / dt
        qconv = moved[1] / dt
        self.link_flow_kg_s[k] = np.where(from_a[k], m_in, -m_in)
        if q_ext_kw > 0.0:
            qconv = qconv + self._external_heat(k, m_in, q_ext_kw, dt)
        rise = np.where(inside, y[ri] - top[k], -1.0)
        sp = inside & (rise > 0.0) & (qconv > 0.0)
        if sp.any():
            kk = k[sp]
            h_edge = top[kk] - bot[kk]
            # balcony spill plume, vectorised plumes.balcony_spill_plume_kg_s
            mt = SPILL_COEFF * (qconv[sp] * self.lspill[kk] ** 2) ** (1.0 / 3.0) \
                * (rise[sp] + 0.25 * h_edge)
            me = np.maximum(mt - m_in[sp], 0.0) * dt
            rsp = r[sp]
            me = np.minimum(me, 0.5 * rise[sp] * self.area[rsp] * self.rho_a)
            np.add.at(self.m, rsp, me)
            np.add.at(self.o2, rsp, AIR_O2_MASS_FRACTION * me)
            self.spill_total_kg_s[kk] = m_in[sp] + me / dt
            self.spill_in_kg_s[kk] = m_in[sp]
            self.spill_qc_kw[kk] = qconv[sp]

    def _external_heat(self, k: np.ndarray, m_in: np.ndarray, q_ext_kw: float,
                       dt: float) -> np.ndarray:
        """Fuel burning outside the origin's openings: its convective heat and products go
        with the origin's outflow (shared by mass); returns the heat flux per moved link."""
        f = self.fire
        o = self.origin
        qc = (1.0 - f.radiative_fraction) * q_ext_kw
        fuel = q_ext_kw / f.heat_of_combustion_kj_kg * dt
        add = np.zeros(len(k))
        mine = (self.la[k] == o) | (self.lb[k] == o)
        from_o = mine & (m_in > 0)
        dsts = np.where(self.la[k] == o, self.lb[k], self.la[k])
        total = float(m_in[from_o].sum()) if len(k) else 0.0
        if total <= 0.0:
            targets, weights = np.array([o]), np.array([1.0])
        else:
            targets = dsts[from_o]
            weights = m_in[from_o] / total
            add[from_o] = qc * weights
        for tgt, wgt in zip(targets.tolist(), weights.tolist(), strict=True):
            if tgt < 0:
                continue
            self.m[tgt] += fuel * wgt
            self.e[tgt] += qc * dt * wgt
            self.soot[tgt] += f.soot_yield * fuel * wgt
            self.co[tgt] += f.co_yield * fuel * wgt
            self.co2[tgt] += f.co2_yield * fuel * wgt
            self.o2[tgt] -= q_ext_kw * dt * wgt / O2_HEAT_KJ_KG
            if not math.isfinite(self.reached[tgt]):
                self.reached[tgt] = self.t + dt
        return add

    def _extract(self, dt: float) -> None:
        """Mechanical exhaust and natural vents."""
        self.exhaust_kg_s[:] = 0.0
        self.vent_kg_s[:] = 0.0
        if not (any(self.exhaust_on) or any(self.vent_open)):
            return
        ta = self.ta_k
        vol = self.volumes()
        y = np.maximum(self.floor, self.ceiling - vol / self.area)
        depth = self.ceiling - y
        tk = self.temperatures_c() + KELVIN
        take = np.zeros(len(self.m))
        if self._ex_active.any():
            # per (system, zone) pair: share of the system's rate by layer volume, each
            # inlet at most the plug-holing limit (plumes.plugholing_limit_m3_s, vectorised)
            ps, pz = self._ex_sys, self._ex_zone
            on = self._ex_active[ps] & (depth[pz] > 0.01) & (self.m[pz] > _EPS)
            wgt = np.where(on, vol[pz], 0.0)
            wsum = np.bincount(ps, weights=wgt, minlength=len(self.exhaust))
            alloc = np.where(on, self._ex_rate[ps] * wgt / np.maximum(wsum[ps], 1e-12), 0.0)
            dtk = np.clip(tk[pz] - ta, 0.0, None)
            vmax = self._ex_coef * np.clip(depth[pz], 0.0, None) ** 2.5 * np.sqrt(dtk / ta)
            got = np.minimum(alloc, vmax) * dt
            np.add.at(take, pz, got)
            self.exhaust_kg_s[:] = np.bincount(ps, weights=got * RHO_T_KG_K_M3 / tk[pz],
                                               minlength=len(self.exhaust)) / dt
        for j, vent in enumerate(self.vents):
            if not self.vent_open[j]:
                continue
            z = int(self._vent_zone[j])
            mv = plumes.natural_vent_kg_s(vent.area_m2, vent.cd, float(depth[z]),
                                          float(tk[z]), ta)
            take[z] += mv * float(tk[z]) / RHO_T_KG_K_M3 * dt
            self.vent_kg_s[j] = mv
        frac = np.where(vol > 1e-12, np.minimum(take / np.maximum(vol, 1e-12), _MAX_OUT), 0.0)
        self.content *= 1.0 - frac

    def _wall_loss(self, dt: float) -> None:
        if self.h_w <= 0.0:
            return
        smoky = self.m > _EPS
        if not smoky.any():
            return
        depth = self.ceiling - np.maximum(self.floor, self.ceiling - self.volumes() / self.area)
        contact = self.area + self.perimeter * depth
        rate = np.where(smoky, self.h_w * contact / (CP_AIR_KJ_KG_K * np.maximum(self.m, _EPS)),
                        0.0)
        self.e *= np.exp(-rate * dt)


def _validate(zones: Sequence[SmokeZone], links: Sequence[SmokeLink], fire: FireSpec,
              exhaust: Sequence[ExhaustSystem], vents: Sequence[NaturalVent],
              ambient_c: float, rti: float, h_w: float) -> None:
    ids: set[str] = set()
    for z in zones:
        if z.id == OUTSIDE:
            raise ValueError(f"zone id {OUTSIDE!r} is reserved for the open air")
        if z.id in ids:
            raise ValueError(f"duplicate zone id {z.id!r}")
        if not (z.area_m2 > 0.0 and z.ceiling_m > z.floor_m):
            raise ValueError(f"zone {z.id!r}: area_m2 > 0 and ceiling_m > floor_m required")
        ids.add(z.id)
    for ln in links:
        for end in (ln.a, ln.b):
            if end != OUTSIDE and end not in ids:
                raise ValueError(f"link {ln.a!r}-{ln.b!r}: unknown zone {end!r}")
        if ln.a == ln.b:
            raise ValueError(f"link {ln.a!r}-{ln.b!r} joins a zone to itself")
        if not ln.width_m > 0.0 or not ln.top_m > ln.bottom_m:
            raise ValueError(f"link {ln.a!r}-{ln.b!r}: width_m > 0 and top_m > bottom_m "
                             "required")
    if fire.origin not in ids:
        raise ValueError(f"fire origin {fire.origin!r} is not a zone")
    if fire.alpha_kw_s2 < 0.0 or fire.peak_kw < 0.0:
        raise ValueError("fire alpha_kw_s2 and peak_kw must be >= 0")
    for y in (fire.soot_yield, fire.co_yield):
        if not 0.0 <= y <= 1.0:
            raise ValueError("soot_yield and co_yield must be within 0-1")
    if fire.heat_of_combustion_kj_kg <= 0.0 or not 0.0 <= fire.radiative_fraction < 1.0:
        raise ValueError("heat_of_combustion_kj_kg > 0 and 0 <= radiative_fraction < 1 required")
    if fire.sprinkler_activation_s is not None and not fire.sprinklered:
        raise ValueError("sprinkler_activation_s given for an unsprinklered fire")
    for s in exhaust:
        if s.rate_m3_s < 0.0 or s.inlets_per_zone < 1 or not s.zones:
            raise ValueError(f"exhaust {s.id!r}: rate >= 0, inlets >= 1 and zones required")
        for zid in s.zones:
            if zid not in ids:
                raise ValueError(f"exhaust {s.id!r}: unknown zone {zid!r}")
    for v in vents:
        if v.zone not in ids or v.area_m2 <= 0.0 or not 0.0 < v.cd <= 1.0:
            raise ValueError(f"vent {v.id!r}: known zone, area > 0 and 0 < cd <= 1 required")
    if rti <= 0.0 or h_w < 0.0:
        raise ValueError("rti > 0 and wall_heat_transfer_kw_m2k >= 0 required")
    if ambient_c + KELVIN <= 0.0:
        raise ValueError("ambient_c below absolute zero")
