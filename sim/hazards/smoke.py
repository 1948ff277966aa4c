"""Zone-type smoke-network model: one hot layer per space, stepped in time (no SimPy, no I/O).

The engine builds a :class:`SmokeModel` from the plan's spaces and open doorways, calls
:meth:`SmokeModel.advance` every few simulated seconds and reads :meth:`SmokeModel.state` /
:meth:`SmokeModel.untenable` for the spaces its occupants are in. Only spaces already reached by
smoke cost anything per step (an active set in arrival order), so a 2000-space mall over 1800 s
is cheap until the smoke has actually spread.

Physics, choice by choice
-------------------------
Each space holds one well-mixed upper layer described by its gas mass m (kg), excess enthalpy
h = m c_p (T - T_a) (kJ), soot mass and CO mass (kg). The ideal gas law at ambient pressure
(rho T = 353 kg K/m^3, FDT eq 2.13 [C1]) gives the layer volume V = (m T_a + h / c_p) / 353, hence
the interface height z = H - V/A and the temperature T = T_a + h / (m c_p). Volume is linear in
(m, h), so moving gas between spaces conserves volume, mass, energy and species exactly.

1. **Fire** - t-squared growth to the peak (NFPA 204 [T1]) via
   :func:`sim.hazards.fire_physics.hrr_kw`; with sprinklers the HRR is *capped* at its value at
   activation (``sprinkler_mode="cap"``). Sprinkler spray cooling and smoke drag-down are **not**
   modelled.
2. **Origin filling = Yamana-Tanaka** (NUREG-1805 FDT eq 2.10-2.13 [C1]). Plume entrainment
   m_p = 0.076 Q^(1/3) z^(5/3) kg/s (total HRR, fire at floor level). Each sub-step advances
   z^(-2/3) by (2k/3A) Q^(1/3) dt exactly, with k = 0.076 T_g / 353 evaluated from the current
   layer temperature T_g (FDT eq 2.12-2.13), and the entrained mass is rho_g times the volume
   that step adds. With a constant T_g and no openings this *is* eq 2.10 (integral form for the
   time-varying fire). Fuel mass Q/dH_c also joins the layer.
3. **Energy balance** - the layer receives (1 - lambda) Q with a boundary heat-loss fraction
   lambda = 0.7 (:data:`HEAT_LOSS_FRACTION`; Karlsson & Quintiere quote 0.6-0.9 for lambda_c;
   **assumption**, value not read in the reference files). lambda includes the radiated fraction,
   so it is floored at ``FireSpec.radiative_fraction``. Entrained air arrives at ambient
   temperature. Transferred gas keeps its enthalpy (no further losses downstream:
   conservative for temperature).
4. **Soot and CO** - produced at y_s Q/dH_c and y_CO Q/dH_c kg/s and mixed through the layer.
   Extinction K = K_m m_soot / V with K_m = 8700 m^2/kg (Mulholland & Croarkin 2000, flaming;
   **assumption**: value not in the reference files). CO in ppm by volume
   = 1e6 (m_CO / m) (M_air / M_CO).
5. **Spill to neighbours** (engineering approximation, not a standard). A link's top is the door
   soffit, 2.1 m (capped by both ceilings), or the lower of the two ceilings for openings wider
   than 4 m (open-plan joins) (VERIFICATION.md section 5.4 says "propagate to neighbours through
   open doors with a lag (engineering choice, not a standard)"). When a space's interface falls
   below a link's top the neighbour is *reached* ``spread_delay_s`` later (per hop; a transport
   time, not a standard value). From then on hot gas flows through the opening with the weir
   form of the hot-layer vent flow (Karlsson & Quintiere / SFPE)
   m = (2/3) C_d W rho_a sqrt(2 g (T_a/T)(1 - T_a/T)) (d_i - d_j)^(3/2), where d is each side's
   layer depth below the opening top and C_d = 0.7 (**assumption**). Flow runs only from the
   space reached earlier to the one reached later (no back-flow). The neighbour then fills with
   a reduced effective fire: the enthalpy flux through the opening, Q_eff = m c_p (T - T_a), acts
   as a spill plume entraining 0.076 Q_eff^(1/3) r^(5/3) kg/s of ambient air over the rise r from
   the opening top to the neighbour's interface (the axisymmetric plume law applied to a door
   jet: an approximation that dilutes the smoke; without it smoke would arrive undiluted).
6. **Vents** - links to :data:`OUTSIDE` use the same weir flow with no counter-layer and remove
   the gas (mass, heat, soot and CO) from the model. They reduce the layer descent.
7. **Numerics** - sub-steps of at most 1 s. A link moves at most half of the volume that would
   level the two layers, shared between the links of the busier end; while the fire is growing a
   space may not send out more volume than it received in the same sub-step, so interfaces never
   rise during growth (they can rise through vents once the fire is capped or at its peak).
8. **Sprinkler activation** - DETACT-QS link lag (RTI, activation temperature) in the origin's
   ceiling jet: gas temperature max(T_layer, T_a + dT_Alpert(Q, H, r)) and Alpert velocity, with
   the head at r = 2.5 m from the plume axis (:data:`SPRINKLER_RADIUS_M`, about the half-diagonal
   of a 3.5 m x 3.5 m head grid; **assumption**). A fixed ``FireSpec.sprinkler_activation_s``
   overrides the calculation.
9. **Tenability** (VERIFICATION.md section 5.2 [A1][V1]) - a space is untenable when its interface
   is below 2.0 m and (T > 60 degrees C or visibility C/K < 10 m, C = 3), or when its layer is
   hotter than 200 degrees C at any height. Once untenable while the fire is still growing it
   stays untenable (``untenable_since_s`` kept); a space that turns untenable after growth has
   stopped may recover.

Not modelled: mechanical smoke exhaust (GB 51251-2017 rates, MALL-DATA.md section 1.8: add them as
vents if needed), wind, stack effect between floors, oxygen depletion and ventilation-limited
burning (choose ``peak_kw`` at or below 1500 A_v sqrt(h_v) kW, PD 7974-1 eq 33 [C1]; layer
temperatures above about 600 degrees C mean the room has flashed over and the model no longer
applies there), layer radiation, the lower layer's contamination.

Cost: a 2000-space open-plan grid with 1500 spaces reached, advanced every 5 s to 1800 s, takes
about 3 s of CPU in CPython; with door-linked shops only the few reached spaces cost anything.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sim.hazards.fire_physics import (
    CLEAR_LAYER_HEIGHT_M,
    CP_AIR_KJ_KG_K,
    HOT_LAYER_TEMP_LIMIT_C,
    KELVIN,
    PLUME_ENTRAINMENT_KG_S,
    RHO_T_KG_K_M3,
    SMOKE_TEMP_LIMIT_C,
    VISIBILITY_C_REFLECTING,
    VISIBILITY_LIMIT_M,
    alpert_ceiling_jet,
    hrr_kw,
    link_temperature_c,
)
from sim.model.assumptions import declare

__all__ = [
    "DOOR_SOFFIT_M",
    "HEAT_LOSS_FRACTION",
    "MAX_SUBSTEP_S",
    "OPEN_PLAN_WIDTH_M",
    "OUTSIDE",
    "SOOT_MASS_EXTINCTION_M2_KG",
    "SPRINKLER_RADIUS_M",
    "VENT_DISCHARGE_COEFF",
    "FireSpec",
    "SmokeLink",
    "SmokeModel",
    "SmokeSpace",
    "SpaceSmokeState",
]

OUTSIDE = "__outside__"
"""Pseudo-space id for the open air; a link to it is a vent."""
DOOR_SOFFIT_M = 2.1
"""Top of a doorway, m (typical door head height; engineering choice)."""
OPEN_PLAN_WIDTH_M = 4.0
"""Openings wider than this are open-plan joins whose top is the lower ceiling (engineering
choice)."""
HEAT_LOSS_FRACTION = declare(
    "smoke.heat_loss_fraction", default=0.7, unit="share of HRR", low=0.6, high=0.9,
    dist="uniform", valid_min=0.0, valid_max=0.99, status="sourced", used_by=("fire",),
    source="Karlsson & Quintiere, Enclosure Fire Dynamics (2000): lambda_c 0.6-0.9",
    name="Fraction of the heat release lost to boundaries (zone model)").default
"""Fraction of the HRR lost to boundaries (register default; a run passes its own)."""
SOOT_MASS_EXTINCTION_M2_KG = 8700.0
"""Mass-specific extinction coefficient of flaming soot, m^2/kg (Mulholland & Croarkin 2000);
assumption (not in the reference files)."""
VENT_DISCHARGE_COEFF = 0.7
"""Discharge coefficient of doorways and vents (textbook value); assumption."""
SPRINKLER_RADIUS_M = 2.5
"""Radial distance of the first sprinkler head from the plume axis, m; assumption."""
MAX_SUBSTEP_S = 1.0
"""Longest internal integration step, s."""

_G_MPS2 = 9.81
_M_AIR_G_MOL = 28.97
_M_CO_G_MOL = 28.01
_EPS_KG = 1e-9
_MAX_OUT_FRACTION = 0.9


@dataclass(frozen=True, slots=True)
class SmokeSpace:
    """A space (room, shop, corridor segment, atrium cell) that can hold a smoke layer.

    Attributes
    ----------
    id : str
        Unique id (not :data:`OUTSIDE`).
    area_m2 : float
        Floor area, m^2 (> 0).
    height_m : float
        Floor-to-ceiling height, m (> 0).
    """

    id: str
    area_m2: float
    height_m: float


@dataclass(frozen=True, slots=True)
class SmokeLink:
    """An open doorway or opening between two spaces, or a vent when ``b == OUTSIDE``.

    Attributes
    ----------
    a, b : str
        Space ids; either may be :data:`OUTSIDE` (not both).
    width_m : float
        Clear width, m (> 0). Wider than :data:`OPEN_PLAN_WIDTH_M` means an open-plan join.
    """

    a: str
    b: str
    width_m: float


@dataclass(frozen=True, slots=True)
class FireSpec:
    """Design fire in one space.

    Attributes
    ----------
    origin : str
        Space id of the fire.
    alpha_kw_s2 : float
        t-squared growth coefficient, kW/s^2.
    peak_kw : float
        Peak HRR, kW.
    ignition_s : float
        Ignition time, s.
    sprinklered : bool
        Whether the origin has sprinklers.
    sprinkler_activation_s : float or None
        Fixed activation time (absolute, s); None means compute it (RTI model). Only valid when
        ``sprinklered``.
    soot_yield, co_yield : float
        Mass yields, kg per kg of fuel burnt.
    heat_of_combustion_kj_kg : float
        Effective heat of combustion, kJ/kg.
    radiative_fraction : float
        Radiated fraction of the HRR; lower bound of the heat-loss fraction.
    """

    origin: str
    alpha_kw_s2: float
    peak_kw: float
    ignition_s: float = 0.0
    sprinklered: bool = False
    sprinkler_activation_s: float | None = None
    soot_yield: float = 0.05
    co_yield: float = 0.04
    heat_of_combustion_kj_kg: float = 20000.0
    radiative_fraction: float = 0.35


@dataclass(slots=True)
class SpaceSmokeState:
    """Snapshot of one space (a copy: mutating it does not affect the model).

    Attributes
    ----------
    layer_height_m : float
        Interface height above the floor, m (the ceiling height when clean).
    temperature_c : float
        Layer temperature, degrees C (ambient when clean).
    extinction_per_m : float
        Layer extinction coefficient K, 1/m.
    co_ppm : float
        Layer CO concentration, ppm by volume.
    untenable_since_s : float or None
        Time the space became untenable, s; None while tenable.
    """

    layer_height_m: float
    temperature_c: float
    extinction_per_m: float
    co_ppm: float
    untenable_since_s: float | None


class SmokeModel:
    """Hot-layer smoke spread over a network of spaces (see the module docstring for physics).

    Parameters
    ----------
    spaces : sequence of SmokeSpace
        All spaces of the plan.
    links : sequence of SmokeLink
        Open doorways/openings between spaces and vents to :data:`OUTSIDE`. Closed doors are
        simply not listed.
    fire : FireSpec
        The design fire.
    ambient_c : float
        Ambient temperature, degrees C.
    spread_delay_s : float
        Delay per hop between a layer falling below a link's top and smoke reaching the
        neighbour, s (engineering choice, not a standard).
    sprinkler_activation_temp_c : float
        Sprinkler link rating, degrees C.
    rti : float
        Sprinkler response time index, (m s)^(1/2); quick response is < 50 [S11].
    visibility_c : float
        Sign constant for the visibility criterion (3 reflecting, 8 light-emitting).
    """

    def __init__(
        self,
        spaces: Sequence[SmokeSpace],
        links: Sequence[SmokeLink],
        fire: FireSpec,
        *,
        ambient_c: float = 20.0,
        spread_delay_s: float = 30.0,
        sprinkler_activation_temp_c: float = 68.0,
        rti: float = 50.0,
        visibility_c: float = VISIBILITY_C_REFLECTING,
        heat_loss_fraction: float = HEAT_LOSS_FRACTION,
    ) -> None:
        _validate(spaces, links, fire, spread_delay_s, rti, visibility_c, ambient_c)
        n = len(spaces)
        self._ids = [s.id for s in spaces]
        self._index = {sid: i for i, sid in enumerate(self._ids)}
        self._area = [float(s.area_m2) for s in spaces]
        self._height = [float(s.height_m) for s in spaces]
        self._fire = fire
        self._ta_k = ambient_c + KELVIN
        self._ambient_c = ambient_c
        self._rho_a = RHO_T_KG_K_M3 / self._ta_k
        self._delay_s = spread_delay_s
        self._act_temp_c = sprinkler_activation_temp_c
        self._rti = rti
        self._vis_c = visibility_c
        self._layer_fraction = 1.0 - max(heat_loss_fraction, fire.radiative_fraction)

        # adjacency: per space, tuples (neighbour index or -1 for outside, width, top, share)
        deg = [0] * n
        for ln in links:
            for end in (ln.a, ln.b):
                if end != OUTSIDE:
                    deg[self._index[end]] += 1
        adj: list[list[tuple[int, float, float, int]]] = [[] for _ in range(n)]
        for ln in links:
            ia = self._index.get(ln.a, -1)
            ib = self._index.get(ln.b, -1)
            for i, j in ((ia, ib), (ib, ia)):
                if i < 0:
                    continue
                h_other = self._height[j] if j >= 0 else self._height[i]
                ceiling = min(self._height[i], h_other)
                top = ceiling if ln.width_m > OPEN_PLAN_WIDTH_M else min(DOOR_SOFFIT_M, ceiling)
                share = max(deg[i], deg[j] if j >= 0 else 1)
                adj[i].append((j, float(ln.width_m), top, share))
        self._adj = adj
        self._max_top = [max((lk[2] for lk in a), default=0.0) for a in adj]

        self._m = [0.0] * n
        self._h = [0.0] * n
        self._soot = [0.0] * n
        self._co = [0.0] * n
        self._vin = [0.0] * n
        self._order = [-1] * n
        self._arrival: list[float | None] = [None] * n
        self._scheduled = [False] * n
        self._pending: list[tuple[float, int]] = []
        self._active: list[int] = []
        self._since: list[float | None] = [None] * n
        self._sticky = [False] * n

        self._origin = self._index[fire.origin]
        self._t = min(0.0, fire.ignition_s)
        self._activate(self._origin, fire.ignition_s)
        self._fixed_act = fire.sprinkler_activation_s if fire.sprinklered else None
        self._detect = fire.sprinklered and fire.sprinkler_activation_s is None
        self._detected_act: float | None = None
        self._link_c = ambient_c
        self._t_peak = math.sqrt(fire.peak_kw / fire.alpha_kw_s2) if fire.alpha_kw_s2 > 0.0 else 0.0

    # ------------------------------------------------------------------ public API
    @property
    def time_s(self) -> float:
        """Current model time, s."""
        return self._t

    @property
    def sprinkler_activated_s(self) -> float | None:
        """Time the first sprinkler operated, s, or None (not sprinklered / not yet)."""
        act = self._activation_s()
        return act if act is not None and act <= self._t else None

    def hrr_kw(self) -> float:
        """Heat release rate at the current model time, kW."""
        return self._q_at(self._t)

    def advance(self, t_s: float) -> None:
        """Advance the model to absolute time ``t_s`` in sub-steps of at most 1 s.

        Parameters
        ----------
        t_s : float
            Target time, s (>= the current time).

        Raises
        ------
        ValueError
            If ``t_s`` is earlier than the current time or not finite.
        """
        t_s = float(t_s)
        if not math.isfinite(t_s):
            raise ValueError(f"t_s must be finite, got {t_s!r}")
        if t_s < self._t:
            raise ValueError(f"time cannot go backwards: {t_s} < {self._t}")
        span = t_s - self._t
        if span == 0.0:
            return
        steps = max(1, math.ceil(span / MAX_SUBSTEP_S - 1e-9))
        t0 = self._t
        for k in range(steps):
            t_end = t_s if k == steps - 1 else t0 + span * (k + 1) / steps
            self._step(self._t, t_end)
            self._t = t_end

    def state(self, space_id: str) -> SpaceSmokeState:
        """Return a snapshot of ``space_id`` (KeyError if unknown)."""
        i = self._index[space_id]
        m = self._m[i]
        if m <= _EPS_KG:
            return SpaceSmokeState(self._height[i], self._ambient_c, 0.0, 0.0, self._since[i])
        vol = self._volume(i)
        return SpaceSmokeState(
            layer_height_m=max(0.0, self._height[i] - vol / self._area[i]),
            temperature_c=self._ambient_c + self._h[i] / (CP_AIR_KJ_KG_K * m),
            extinction_per_m=SOOT_MASS_EXTINCTION_M2_KG * self._soot[i] / vol,
            co_ppm=1e6 * (self._co[i] / m) * (_M_AIR_G_MOL / _M_CO_G_MOL),
            untenable_since_s=self._since[i],
        )

    def untenable(self, space_id: str) -> bool:
        """True when ``space_id`` is untenable at the current time (KeyError if unknown)."""
        return self._since[self._index[space_id]] is not None

    def arrival_s(self, space_id: str) -> float | None:
        """Time smoke reached ``space_id`` (ignition time for the origin), s, or None."""
        return self._arrival[self._index[space_id]]

    @property
    def reached_spaces(self) -> list[str]:
        """Ids of the spaces reached by smoke, in arrival order."""
        return [self._ids[i] for i in self._active]

    # ------------------------------------------------------------------ internals
    def _activation_s(self) -> float | None:
        return self._fixed_act if self._fixed_act is not None else self._detected_act

    def _q_at(self, t_s: float) -> float:
        f = self._fire
        return hrr_kw(
            t_s,
            alpha_kw_s2=f.alpha_kw_s2,
            peak_kw=f.peak_kw,
            ignition_s=f.ignition_s,
            sprinkler_activation_s=self._activation_s(),
            sprinkler_mode="cap",
        )

    def _volume(self, i: int) -> float:
        return (self._m[i] * self._ta_k + self._h[i] / CP_AIR_KJ_KG_K) / RHO_T_KG_K_M3

    def _activate(self, i: int, t_s: float) -> None:
        self._order[i] = len(self._active)
        self._active.append(i)
        self._arrival[i] = t_s
        self._scheduled[i] = True

    def _step(self, t0: float, t1: float) -> None:
        dt = t1 - t0
        fire = self._fire
        pending = self._pending
        while pending and pending[0][0] <= t0 + 1e-9:
            ta, j = heapq.heappop(pending)
            self._activate(j, ta)
        if t1 <= fire.ignition_s:
            return
        tm = max(t0, fire.ignition_s) + 0.5 * (t1 - max(t0, fire.ignition_s))
        act = self._activation_s()
        q = self._q_at(tm)
        growing = (act is None or tm <= act) and (tm - fire.ignition_s) < self._t_peak
        ta_k = self._ta_k
        m, h, soot, co, vin = self._m, self._h, self._soot, self._co, self._vin
        area, height = self._area, self._height

        # 1. fire source and Yamana-Tanaka entrainment in the origin
        o = self._origin
        if q > 0.0:
            dt_eff = t1 - max(t0, fire.ignition_s)
            q_layer = self._layer_fraction * q
            fuel = q / fire.heat_of_combustion_kj_kg * dt_eff
            a_o = area[o]
            z0 = max(0.0, height[o] - self._volume(o) / a_o)
            dm = 0.0
            if z0 > 1e-6:
                q13 = q ** (1.0 / 3.0)
                if m[o] > _EPS_KG:
                    tg = ta_k + h[o] / (CP_AIR_KJ_KG_K * m[o])
                else:
                    mp = PLUME_ENTRAINMENT_KG_S * q13 * z0 ** (5.0 / 3.0)
                    tg = ta_k + q_layer / (CP_AIR_KJ_KG_K * mp)
                k = PLUME_ENTRAINMENT_KG_S * tg / RHO_T_KG_K_M3
                inv = z0 ** (-2.0 / 3.0) + 2.0 * k * q13 * dt_eff / (3.0 * a_o)
                z1 = inv**-1.5
                dm = (z0 - z1) * a_o * RHO_T_KG_K_M3 / tg
            dh = q_layer * dt_eff
            m[o] += dm + fuel
            h[o] += dh
            soot[o] += fire.soot_yield * fuel
            co[o] += fire.co_yield * fuel
            vin[o] += ((dm + fuel) * ta_k + dh / CP_AIR_KJ_KG_K) / RHO_T_KG_K_M3

        # 2. sprinkler link
        if self._detect and self._detected_act is None:
            self._update_sprinkler(q, t1, dt)

        # 3. spills and vents, in arrival order (upstream first)
        for i in self._active:
            self._transfer_from(i, t1, dt, growing)

        # 4. tenability
        for i in self._active:
            self._update_tenability(i, t1, growing)
            vin[i] = 0.0

    def _update_sprinkler(self, q: float, t1: float, dt: float) -> None:
        o = self._origin
        gas_c = self._ambient_c
        u = 0.0
        if q > 0.0:
            dtk, u = alpert_ceiling_jet(q, self._height[o], SPRINKLER_RADIUS_M)
            gas_c += dtk
        if self._m[o] > _EPS_KG:
            gas_c = max(gas_c, self._ambient_c + self._h[o] / (CP_AIR_KJ_KG_K * self._m[o]))
        self._link_c = link_temperature_c(self._link_c, gas_c, u, self._rti, dt)
        if self._link_c >= self._act_temp_c:
            self._detected_act = t1

    def _transfer_from(self, i: int, t1: float, dt: float, growing: bool) -> None:
        m, h, soot, co, vin = self._m, self._h, self._soot, self._co, self._vin
        mi = m[i]
        if mi <= _EPS_KG:
            return
        ta_k = self._ta_k
        area, height, order = self._area, self._height, self._order
        hi = h[i]
        vol_i = (mi * ta_k + hi / CP_AIR_KJ_KG_K) / RHO_T_KG_K_M3
        a_i = area[i]
        z_i = height[i] - vol_i / a_i
        if z_i < 0.0:
            z_i = 0.0
        if z_i >= self._max_top[i]:
            return
        tg = ta_k + hi / (CP_AIR_KJ_KG_K * mi)
        ratio = ta_k / tg
        # hot-gas volume moved per metre of width per m^1.5 of head in this sub-step
        coef = (
            (2.0 / 3.0)
            * VENT_DISCHARGE_COEFF
            * self._rho_a
            * math.sqrt(2.0 * _G_MPS2 * ratio * (1.0 - ratio))
            * tg
            / RHO_T_KG_K_M3
            * dt
        )
        moves: list[tuple[int, float, float]] = []
        total = 0.0
        oi = order[i]
        for j, width, top, share in self._adj[i]:
            d_i = top - z_i
            if d_i <= 0.0:
                continue
            if j < 0:
                vol = coef * width * d_i**1.5
                cap = 0.5 * d_i * a_i / share
                rise = 0.0
            else:
                oj = order[j]
                if oj < 0:
                    if not self._scheduled[j]:
                        self._scheduled[j] = True
                        heapq.heappush(self._pending, (t1 + self._delay_s, j))
                    continue
                if oj < oi:
                    continue
                a_j = area[j]
                mj = m[j]
                if mj > _EPS_KG:
                    z_j = height[j] - (mj * ta_k + h[j] / CP_AIR_KJ_KG_K) / RHO_T_KG_K_M3 / a_j
                else:
                    z_j = height[j]
                dd = d_i if z_j >= top else d_i - (top - z_j)
                if dd <= 0.0:
                    continue
                vol = coef * width * dd**1.5
                cap = 0.5 * dd * a_i * a_j / (a_i + a_j) / share
                rise = z_j - top
            if vol > cap:
                vol = cap
            if vol > 0.0:
                moves.append((j, vol, rise))
                total += vol
        if total <= 0.0:
            return
        limit = vin[i] if growing else vin[i] + 0.5 * vol_i
        scale = min(1.0, limit / total, _MAX_OUT_FRACTION * vol_i / total)
        if scale <= 0.0:
            return
        si, ci = soot[i], co[i]
        moved = 0.0
        for j, vol, rise in moves:
            vol *= scale
            f = vol / vol_i
            moved += f
            if j < 0:
                continue
            dm = f * mi
            m[j] += dm
            h[j] += f * hi
            soot[j] += f * si
            co[j] += f * ci
            vin[j] += vol
            if rise > 0.0:
                # spill plume: the enthalpy flux through the opening entrains ambient air
                q_eff = dm / dt * CP_AIR_KJ_KG_K * (tg - ta_k)
                me = PLUME_ENTRAINMENT_KG_S * q_eff ** (1.0 / 3.0) * rise ** (5.0 / 3.0) * dt
                me_cap = 0.5 * rise * area[j] * RHO_T_KG_K_M3 / ta_k
                if me > me_cap:
                    me = me_cap
                m[j] += me
                vin[j] += me * ta_k / RHO_T_KG_K_M3
        keep = 1.0 - moved
        m[i] = mi * keep
        h[i] = hi * keep
        soot[i] = si * keep
        co[i] = ci * keep

    def _update_tenability(self, i: int, t1: float, growing: bool) -> None:
        m = self._m[i]
        cond = False
        if m > _EPS_KG:
            vol = self._volume(i)
            z = self._height[i] - vol / self._area[i]
            temp_c = self._ambient_c + self._h[i] / (CP_AIR_KJ_KG_K * m)
            k = SOOT_MASS_EXTINCTION_M2_KG * self._soot[i] / vol
            if temp_c > HOT_LAYER_TEMP_LIMIT_C:
                cond = True
            elif z < CLEAR_LAYER_HEIGHT_M:
                cond = temp_c > SMOKE_TEMP_LIMIT_C or self._vis_c < VISIBILITY_LIMIT_M * k
        since = self._since[i]
        if cond:
            if since is None:
                self._since[i] = t1
                self._sticky[i] = growing
        elif since is not None and not self._sticky[i]:
            self._since[i] = None


def _validate(
    spaces: Sequence[SmokeSpace],
    links: Sequence[SmokeLink],
    fire: FireSpec,
    spread_delay_s: float,
    rti: float,
    visibility_c: float,
    ambient_c: float,
) -> None:
    ids: set[str] = set()
    for s in spaces:
        if s.id == OUTSIDE:
            raise ValueError(f"space id {OUTSIDE!r} is reserved for the open air")
        if s.id in ids:
            raise ValueError(f"duplicate space id {s.id!r}")
        if not (s.area_m2 > 0.0 and s.height_m > 0.0):
            raise ValueError(f"space {s.id!r}: area_m2 and height_m must be > 0")
        ids.add(s.id)
    for ln in links:
        for end in (ln.a, ln.b):
            if end != OUTSIDE and end not in ids:
                raise ValueError(f"link {ln.a!r}-{ln.b!r}: unknown space {end!r}")
        if ln.a == ln.b:
            raise ValueError(f"link {ln.a!r}-{ln.b!r} joins a space to itself")
        if not ln.width_m > 0.0:
            raise ValueError(f"link {ln.a!r}-{ln.b!r}: width_m must be > 0")
    if fire.origin not in ids:
        raise ValueError(f"fire origin {fire.origin!r} is not a space")
    if fire.alpha_kw_s2 < 0.0 or fire.peak_kw < 0.0:
        raise ValueError("fire alpha_kw_s2 and peak_kw must be >= 0")
    if not (0.0 <= fire.soot_yield <= 1.0 and 0.0 <= fire.co_yield <= 1.0):
        raise ValueError("soot_yield and co_yield must be within 0-1")
    if fire.heat_of_combustion_kj_kg <= 0.0 or not 0.0 <= fire.radiative_fraction < 1.0:
        raise ValueError("heat_of_combustion_kj_kg > 0 and 0 <= radiative_fraction < 1 required")
    if fire.sprinkler_activation_s is not None and not fire.sprinklered:
        raise ValueError("sprinkler_activation_s given for an unsprinklered fire")
    if spread_delay_s < 0.0 or rti <= 0.0 or visibility_c <= 0.0:
        raise ValueError("spread_delay_s >= 0, rti > 0 and visibility_c > 0 required")
    if ambient_c + KELVIN <= 0.0:
        raise ValueError("ambient_c below absolute zero")
