"""``kind = "fire"``: a code design fire whose smoke spreads through the mall while people leave.

Every ``step_s`` (5 s) the fire process advances the zone model (:mod:`sim.hazards.smoke`
over :mod:`sim.hazards.smoke_geometry`: shop plume and layer, spill plumes at shop fronts
and balcony edges, the atrium void rising to the galleries of every level) and applies it
to the building and the crowd. ``docs/fire-and-smoke.md`` documents every rule and value.

* **Design fire** (:mod:`sim.hazards.design_fires`): t² growth to the GB 51251-2017
  Table 4.6.7 steady HRR of the origin's occupancy (or BRE 368's, ``design_fire =
  "bre368"``); sprinklered, it holds at max(Q at sprinkler operation, the sprinklered table
  value) (GB 51251 §4.6.7). ``peak_kw`` overrides the unsprinklered value,
  ``sprinklered_kw`` the sprinklered one; ``sprinkler_hold = "activation"`` holds at the HRR
  at sprinkler operation instead (the cap of a sprinkler-controlled fire without a code
  floor).
* **Smoke control** (the security plan's ``[smoke_control]``, each removable with
  ``--set 'security.disable=["exhaust"]'`` etc.): mechanical exhaust starts 15 s after
  smoke is detected in one of its spaces, natural vents and automatic smoke curtains act
  60 s after, fire shutters run down in 30 s (to 1.8 m on an evacuation route at smoke
  detection, to the floor on heat detection; then the opening is closed for people too).
  Without working detectors the fire control room starts them when the fire is verified.
* **Tenability per space**, at the space's own floor height (a gallery sees the void's
  layer): untenable when the layer is below the clear height H_q = 1.6 + 0.1 H (GB 51251
  §4.6.9) and hotter than 60 °C, or thicker than the visibility limit (10 m in large
  spaces, 5 m in small ones), or above 500 ppm CO; or when the radiant flux from the layer
  at head height reaches 2.5 kW/m². The first time is that space's ASET.
* **People**: below head height (1.8 m) they walk at the Frantzich–Nilsson (or Fridolf)
  speed for the layer's extinction; FED accrues per person from CO, CO₂, O₂, convective
  heat (in the layer) and radiant heat from the layer (always), also after
  incapacitation (at ``fed_incapacitation``, 0.3); a space whose smoke is below head height
  with visibility under ``turn_back_visibility_m`` (3 m), or which is untenable, is avoided:
  routes are recomputed and people reaching an opening into it turn back when another way
  that crosses no avoided space exists (:meth:`sim.engine.routing.Router.clear_way`,
  checked at every opening).
* **Detection**: a smoke detector fires when the layer at its ceiling has K ≥ 0.05 1/m, a
  heat detector at 57 °C, feeding the alarm chain like any other incident.

ASET per level is evaluated until ``aset_horizon_s`` after ignition: after the last person
has left, the smoke model runs on alone (no SimPy) so that a level's ASET is known even when
it comes after its RSET.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.engine.replay import State
from sim.engine.world import World
from sim.errors import ScenarioError
from sim.hazards import _common as cm
from sim.hazards import design_fires, plumes
from sim.hazards import fire_physics as fp
from sim.hazards.smoke import ExhaustSystem, FireSpec, NaturalVent, SmokeModel
from sim.hazards.smoke_geometry import build_geometry
from sim.model.assumptions import declare
from sim.model.exterior import OUTDOOR_KINDS
from sim.model.hazard_specs import FireHazardSpec

_F = ("fire",)
_SPEC_PARAMS = {
    "soot_yield": declare(
        "fire.soot_yield", default=0.05, unit="kg/kg", low=0.01, high=0.2, dist="loguniform",
        valid_min=1e-6, valid_max=1.0, status="sourced", used_by=_F,
        source="SFPE Handbook (Tewarson) yields: well-ventilated mixed retail fuels 0.01-0.1, "
               "polyurethane and polystyrene up to 0.2; NFPA Journal 2008: below 0.05 rarely "
               "justifiable for atria", name="Soot yield of the design fire"),
    "co_yield": declare(
        "fire.co_yield", default=0.04, unit="kg/kg", low=0.01, high=0.2, dist="loguniform",
        valid_min=0.0, valid_max=1.0, status="sourced", used_by=_F,
        source="SFPE Handbook (Tewarson): well-ventilated 0.004-0.05; under-ventilated "
               "fires reach about 0.2", name="CO yield of the design fire"),
    "co2_yield": declare(
        "fire.co2_yield", default=1.5, unit="kg/kg", low=1.0, high=2.7, dist="uniform",
        valid_min=0.0, valid_max=5.0, status="assumed", used_by=_F,
        source="assumed: CO2 yields of common polymers and wood 1.3-2.7 kg/kg (SFPE Handbook, "
               "Tewarson; not read here)", name="CO2 yield of the design fire"),
    "radiative_fraction": declare(
        "fire.radiative_fraction", default=0.3, unit="share of HRR", low=0.2, high=0.4,
        dist="uniform", valid_min=0.0, valid_max=0.9, status="sourced", used_by=_F,
        source="GB 51251-2017 §4.6.11 calculation sheet and NFPA 92: Q_c = 0.7 Q",
        name="Radiated share of the heat release (Q_c = (1 - χ_r) Q)"),
    "wall_heat_transfer_kw_m2k": "smoke.wall_heat_transfer_kw_m2k",
    "front_speed_mps": "smoke.front_speed_mps",
    "fed_incapacitation": declare(
        "fed.incapacitation", default=0.3, unit="FED", low=0.3, high=1.0, dist="uniform",
        valid_min=0.01, status="sourced", used_by=_F,
        source="ISO 13571 / SFPE: FED 0.3-0.5 may represent incapacitation of sensitive "
               "people; FED 1 the median", name="FED at which a person is incapacitated"),
    "turn_back_visibility_m": declare(
        "fire.turn_back_visibility_m", default=3.0, unit="m", low=1.5, high=6.0,
        dist="uniform", valid_min=0.0, status="assumed", used_by=_F,
        source="assumed: Bryan (1977), as quoted in the SFPE Handbook, found people who turned "
               "back in smoke reported about 3 m of visibility (not read here)",
        name="Visibility below which people turn back from smoke"),
    "openings_lost_after_s": declare(
        "fire.openings_lost_after_s", default=120.0, unit="s", low=30.0, high=300.0,
        dist="loguniform", valid_min=0.0, status="assumed", used_by=_F, source="assumed",
        name="Time after the origin becomes untenable until its openings are lost"),
}
"""Spec field → its register entry (a field left unset takes the run's value)."""
_RUN_PARAMS = {
    "large_space_m2": declare(
        "fire.large_space_m2", default=400.0, unit="m²", low=200.0, high=1000.0,
        dist="loguniform", valid_min=1.0, status="assumed", used_by=_F,
        source="assumed: Chinese performance-based design names no area for 'large spaces' "
               "(10 m visibility) against small ones (5 m)",
        name="Floor area from which a room counts as a large space"),
    "detector_k": declare(
        "fire.smoke_detector_extinction_per_m", default=0.05, unit="1/m", low=0.02, high=0.15,
        dist="loguniform", valid_min=0.001, status="assumed", used_by=_F,
        source="assumed: point smoke detectors respond at about 0.5 dB/m obscuration",
        name="Extinction at which a smoke detector operates"),
    "cue_visibility_m": declare(
        "fire.smoke_cue_visibility_m", default=30.0, unit="m", low=10.0, high=60.0,
        dist="uniform", valid_min=0.0, status="assumed", used_by=_F,
        source="assumed: people notice a smoke layer overhead once it visibly thickens",
        name="Visibility in the layer at which people notice smoke"),
    "exhaust_start_s": declare(
        "smoke.exhaust_start_s", default=15.0, unit="s", low=10.0, high=60.0,
        dist="uniform", valid_min=0.0, status="sourced", used_by=_F,
        source="GB 51251-2017 §5.2.2: exhaust fans start within 15 s of the zone's alarm "
               "(recalled, UNVERIFIED)", name="Exhaust start after detection"),
    "vent_open_s": declare(
        "smoke.vent_open_s", default=60.0, unit="s", low=15.0, high=120.0, dist="uniform",
        valid_min=0.0, status="sourced", used_by=_F,
        source="GB 51251-2017 §5.2.6: automatic smoke vents open within 60 s (recalled, "
               "UNVERIFIED)", name="Natural vent opening after detection"),
    "curtain_drop_s": declare(
        "smoke.curtain_drop_s", default=60.0, unit="s", low=15.0, high=120.0, dist="uniform",
        valid_min=0.0, status="sourced", used_by=_F,
        source="GB 51251-2017 §5.2.5: automatic smoke curtains down within 60 s (recalled, "
               "UNVERIFIED)", name="Automatic smoke curtain drop after detection"),
    "shutter_travel_s": declare(
        "smoke.shutter_travel_s", default=30.0, unit="s", low=15.0, high=90.0, dist="uniform",
        valid_min=0.0, status="assumed", used_by=_F,
        source="assumed: fire shutters run 2-7.5 m/min; a storey in 30 s",
        name="Fire shutter travel after its trigger"),
}
"""Run-level fire parameters read once from the register (name → assumption)."""

HEAD_HEIGHT_M = 1.8
"""Head height of a standing adult, m: below it people breathe the layer."""
HEAT_DETECTOR_C = 57.0
"""Rating of a fixed-temperature heat detector, °C (EN 54-5 class A1 typical)."""
TENABLE_TEMP_C = 60.0
"""Gas temperature limit at head height once smoke is below the clear height, °C [A1][E12]."""
TENABLE_CO_PPM = 500.0
"""CO limit in the smoke once it is below the clear height, ppm (Chinese performance-based
design practice, UNVERIFIED; the NFPA Journal checklist uses 800 ppm [E12])."""
VISIBILITY_LARGE_M = 10.0
"""Visibility limit in large spaces, m [V1][E12]."""
VISIBILITY_SMALL_M = 5.0
"""Visibility limit in small spaces, m (Chinese performance-based design practice,
UNVERIFIED)."""
SHUTTER_STOP_M = 1.8
"""A fire shutter on an evacuation route first stops 1.8 m above the floor (GB 50116-2013
§4.6.3, recalled, UNVERIFIED)."""
_LARGE_KINDS = frozenset({"corridor", "atrium", "parking", "plaza"})
_PUBLIC_KINDS = frozenset({"shop", "corridor", "atrium", "escalator", "parking"})


def start(world: World, spec: FireHazardSpec) -> None:
    """Validate the origin and schedule the fire."""
    if spec.space not in world.layout.spaces:
        raise ScenarioError(f"unknown space {spec.space!r}", field="hazards[fire].space",
                            source=world.scenario.source)
    if world.layout.spaces[spec.space].kind in OUTDOOR_KINDS:
        raise ScenarioError("a fire cannot start outside (an exit or plaza)",
                            field="hazards[fire].space", source=world.scenario.source)
    FireProcess(world, spec)


class FireProcess:
    """The running fire of one world."""

    kind = "fire"

    def __init__(self, world: World, given: FireHazardSpec) -> None:
        self.w = world
        spec: Any = world.fill(given, _SPEC_PARAMS)
        self.spec = spec
        """The spec with every unset parameter taken from the run's assumptions."""
        self.p = {name: world.param(a.key) for name, a in _RUN_PARAMS.items()}
        lay = world.layout
        origin = lay.spaces[spec.space]
        plan = cm.plan_of(world)
        self.plan = plan

        def has(device: str) -> bool:
            return plan is not None and plan.has(device)

        sprinklered = spec.sprinklered
        if sprinklered is None:
            covered = plan is None or (plan.has("sprinklers") and (
                plan.fire_systems.all or spec.space in plan.fire_systems.spaces))
            base = origin.sprinklered if origin.sprinklered is not None else lay.mall.sprinklered
            sprinklered = bool(base and covered)
        self.sprinklered = sprinklered
        alpha = spec.alpha_kw_s2 or fp.T2_ALPHA_KW_S2[spec.growth]
        unspr, src_u = design_fires.design_steady_kw(origin.kind, False, spec.design_fire)
        spr, src_s = design_fires.design_steady_kw(origin.kind, True, spec.design_fire)
        if spec.peak_kw is not None:
            unspr, src_u = spec.peak_kw, "peak_kw given"
        if spec.sprinklered_kw is not None:
            spr, src_s = spec.sprinklered_kw, "sprinklered_kw given"
        spr = min(spr, unspr)
        self.design_source = src_s if sprinklered else src_u

        sc = plan.smoke_control if plan is not None else None
        screens = {s.opening: s.spill_width_m for s in sc.screens} \
            if sc is not None and has("screens") else {}
        geo = build_geometry(lay, spill_widths=screens, front_speed_mps=spec.front_speed_mps,
                             shopfront_head_m=world.param("smoke.shopfront_head_m"))
        self.geo = geo
        zone_o = geo.zone_of_space[spec.space]
        zones = {z.id: z for z in geo.zones}
        vent_openings = [(ln.width_m, ln.top_m - ln.bottom_m) for ln in geo.links
                         if zone_o in (ln.a, ln.b)]
        vent_limit = plumes.ventilation_limit_kw(vent_openings) \
            if zone_o not in geo.voids else math.inf
        self.vent_limit_kw = vent_limit
        fire = FireSpec(
            origin=zone_o, alpha_kw_s2=alpha, peak_kw=unspr, ignition_s=spec.t_s,
            base_m=geo.floor_m[spec.space], sprinklered=sprinklered,
            sprinklered_kw=spr if (sprinklered and spec.sprinkler_hold == "code") else None,
            sprinkler_activation_s=spec.sprinkler_activation_s if sprinklered else None,
            sprinkler_height_m=origin.height_m, soot_yield=spec.soot_yield,
            co_yield=spec.co_yield, co2_yield=spec.co2_yield,
            radiative_fraction=spec.radiative_fraction, plume=spec.plume,
            vent_limit_kw=vent_limit)
        exhaust, self.exhaust_spaces = (self._exhaust(sc, geo, zones, spr)
                                        if sc is not None and has("exhaust") else ([], {}))
        vents = [NaturalVent(v.id, geo.zone_of_space[v.space], v.area_m2, v.cd)
                 for v in sc.vents] if sc is not None and has("vents") else []
        self.model = SmokeModel(
            geo.zones, geo.links, fire, exhaust=exhaust, vents=vents,
            wall_heat_transfer_kw_m2k=spec.wall_heat_transfer_kw_m2k,
            sprinkler_activation_temp_c=world.param("smoke.sprinkler_rating_c"),
            rti=world.param("smoke.sprinkler_rti"),
            sprinkler_radius_m=world.param("smoke.sprinkler_radius_m"),
            soot_extinction_m2_kg=world.param("smoke.soot_mass_extinction_m2_kg"),
            discharge_coeff=world.param("smoke.discharge_coeff"))
        self.fed_kw = {"rmv_l_min": world.param("fed.rmv_l_min"),
                       "cohb_pct": world.param("fed.cohb_incapacitation_pct")}
        m = self.model
        # devices: fixed curtains now, the rest on detection
        self.curtains = list(sc.curtains) if sc is not None and has("curtains") else []
        for c in self.curtains:
            if not c.automatic:
                self._drop_curtain(c.opening, c.depth_m)
        self.shutters = list(sc.shutters) if sc is not None and has("shutters") else []
        self.shutter_stage: dict[str, int] = {s.opening: 0 for s in self.shutters}
        self.vent_spaces = {v.id: v.space for v in sc.vents} \
            if sc is not None and has("vents") else {}
        self.pending: list[tuple[float, str, str, float]] = []  # (t, action, target, value)
        self.armed: set[tuple[str, str]] = set()

        # per space: zone, floor, height, clear height, visibility limit, cells
        sids = [s for s in lay.spaces if geo.zone_of_space[s] in m.index]
        self.sids = sids
        self.s_zone = np.array([m.index[geo.zone_of_space[s]] for s in sids], dtype=np.int64)
        self.s_floor = np.array([geo.floor_m[s] for s in sids])
        self.s_height = np.array([geo.height_m[s] for s in sids])
        self.s_clear = np.array([design_fires.clear_height_m(h) for h in self.s_height])
        elev = sorted(lv.elevation_m for lv in lay.levels)
        storey = {lv.id: next((e - lv.elevation_m for e in elev if e > lv.elevation_m),
                              math.inf) for lv in lay.levels}
        self.s_storey = np.array([min(geo.height_m[s], storey[lay.spaces[s].level])
                                  for s in sids])
        """Height up to which a space's smoke is "in its storey" (a gallery: the next floor)."""
        big = self.p["large_space_m2"]
        self.s_vis = np.array([VISIBILITY_LARGE_M if (lay.spaces[s].kind in _LARGE_KINDS or
                                                      lay.spaces[s].area_m2 >= big)
                               else VISIBILITY_SMALL_M for s in sids])
        self.s_level = [lay.spaces[s].level for s in sids]
        self.s_public = np.array([lay.spaces[s].kind in _PUBLIC_KINDS for s in sids])
        self.space_cells = {sid: [world.cell_index[c] for c in world.net.cells_of_space[sid]]
                            for sid in lay.spaces}
        self.s_cells = [self.space_cells[s] for s in sids]
        self.s_index = {s: k for k, s in enumerate(sids)}
        self.origin_cells = self.space_cells[spec.space]
        self.origin_zone_spaces = {s for s, z in geo.zone_of_space.items() if z == zone_o}
        self.cell_space_idx = np.full(len(world.cell_ids), -1, dtype=np.int64)
        for k, cells in enumerate(self.s_cells):
            self.cell_space_idx[cells] = k
        self.fed = np.zeros(world.n)
        self.aset: dict[str, float] = {}
        self.smoke_first: dict[str, float] = {}
        self.det_smoke: dict[str, float] = {}
        self.det_heat: dict[str, float] = {}
        self.detected_cells: set[int] = set()
        self.cued_spaces: set[str] = set()
        self.avoided: set[str] = set()
        self.min_layer: dict[str, float] = {}
        self.min_vis: dict[str, float] = {}
        self.lost = False
        self.snap_t: list[float] = []
        self.snap: list[dict[int, tuple[float, float, float]]] = []
        self.incapacitated = 0
        self.inc: Any = None
        self.t_end_people: float | None = None
        self.offline = False
        """True once the people are gone and the smoke runs on alone to the ASET horizon."""
        world.hazards.append(self)
        world.replay_meta["fire"] = {"space": spec.space, "at": list(origin.centroid)}
        world.env.process(self.run())

    # ------------------------------------------------------------------ set-up helpers
    def _exhaust(self, sc: Any, geo: Any, zones: dict[str, Any], spr_kw: float
                 ) -> tuple[list[ExhaustSystem], dict[str, list[str]]]:
        """Runtime exhaust systems with GB 51251 rates and inlets where the plan gives none."""
        lay = self.w.layout
        zone_rate: dict[str, float] = {}
        for ex in sc.exhaust:
            if ex.kind == "zone":
                area = sum(lay.spaces[s].area_m2 for s in ex.spaces)
                h = max(lay.spaces[s].height_m for s in ex.spaces)
                zone_rate[ex.id] = design_fires.zone_exhaust_m3_h(area, h, design=False)
        out, spaces = [], {}
        for ex in sc.exhaust:
            zs = tuple(dict.fromkeys(geo.zone_of_space[s] for s in ex.spaces
                                     if geo.zone_of_space[s] in zones))
            if not zs:
                continue
            if ex.rate_m3_h is not None:
                rate = ex.rate_m3_h
            elif ex.kind == "atrium":
                members = {m for z in zs for m in geo.voids.get(z, (z,))}
                around = [zone_rate[o.id] for o in sc.exhaust if o.kind == "zone" and any(
                    lay.openings[q].other(s) in members for s in o.spaces
                    for q in lay.openings_of[s])]
                rate = design_fires.atrium_exhaust_m3_h(max(around, default=0.0))
            else:
                area = sum(lay.spaces[s].area_m2 for s in ex.spaces)
                h = max(lay.spaces[s].height_m for s in ex.spaces)
                rate = design_fires.zone_exhaust_m3_h(area, h)
            rate_s = rate / 3600.0
            inlets = ex.inlets or design_fires.inlets_needed(
                rate_s / len(zs), max(zones[z].ceiling_m - zones[z].floor_m for z in zs),
                spr_kw)
            out.append(ExhaustSystem(ex.id, zs, rate_s, inlets))
            spaces[ex.id] = list(ex.spaces)
        return out, spaces

    def _drop_curtain(self, opening: str, depth_m: float) -> None:
        m = self.model
        for k in m.links_of_opening.get(opening, ()):
            ceiling = m.ltop0[k]
            m.ltop[k] = max(m.lbot[k], min(m.ltop[k], ceiling - depth_m))

    # ------------------------------------------------------------------ process
    def run(self) -> Any:
        w, spec = self.w, self.spec
        env = w.env
        yield env.timeout(spec.t_s)
        w.mark("fire", f"ignition in {spec.space} ({self.design_source})")
        chain = cm.chain_of(w)
        origin_cell = self.origin_cells[0]
        self.inc = chain.incident("fire", lambda: origin_cell, visible=True, threat=False,
                                  responders_needed=2)
        while True:
            yield env.timeout(spec.step_s)
            self.step(spec.step_s)
            if w.evacuated + w.casualties >= w.n:
                self.t_end_people = env.now
                chain.resolve(self.inc)
                return

    def _local(self) -> dict[str, np.ndarray]:
        """Layer seen in every space at its own floor height (vectorised)."""
        m = self.model
        zi = self.s_zone
        y = m.interfaces()[zi]
        temp = m.temperatures_c()[zi]
        k = m.extinctions()[zi]
        co, co2, o2 = (g[zi] for g in m.gases())
        smoky = m.m[zi] > 1e-9
        h = np.clip(y - self.s_floor, 0.0, self.s_height)
        depth = np.where(smoky, self.s_height - h, 0.0)
        below = smoky & (h < HEAD_HEIGHT_M)
        vis = np.where(k > 0, fp.VISIBILITY_C_REFLECTING / np.maximum(k, 1e-12), np.inf)
        above_head = np.clip(np.minimum(depth, self.s_height - HEAD_HEIGHT_M), 0.0, None)
        q_rad = fp.layer_radiant_flux_kw_m2(temp, k, above_head)
        low = smoky & (h < self.s_clear)
        bad = (low & ((temp > TENABLE_TEMP_C) | (vis < self.s_vis) | (co > TENABLE_CO_PPM))) \
            | (q_rad >= fp.RADIANT_TENABILITY_KW_M2)
        return {"h": h, "depth": depth, "temp": temp, "k": k, "co": co, "co2": co2, "o2": o2,
                "below": below, "vis": vis, "q_rad": q_rad, "bad": bad, "smoky": smoky}

    def step(self, dt: float) -> None:
        """Advance the smoke and apply it to the building and the crowd (one ``step_s``)."""
        w, spec = self.w, self.spec
        now = w.env.now
        self.model.advance(now)
        loc = self._local()
        self._record(now, loc)
        self._detect(now, loc)
        self._devices(now)
        n_cells = len(w.cell_ids)
        rate = np.zeros(n_cells)
        snap: dict[int, tuple[float, float, float]] = {}
        avoid_new: list[int] = []
        for k in np.flatnonzero(loc["smoky"]).tolist():
            sid = self.sids[k]
            cells = self.s_cells[k]
            below = bool(loc["below"][k])
            kk = float(loc["k"][k])
            factor = (fp.speed_in_smoke_mps(1.2, kk, spec.speed_model) / 1.2) if below else 1.0
            r = fp.fed_rate_per_s(co_ppm=float(loc["co"][k]), co2_pct=float(loc["co2"][k]),
                                  o2_pct=float(loc["o2"][k]),
                                  temp_c=float(loc["temp"][k]) if below else 20.0,
                                  smoke_below_head=below,
                                  radiant_kw_m2=float(loc["q_rad"][k]), **self.fed_kw)
            for c in cells:
                w.speed_factor[c] = factor
                rate[c] = r
                snap[c] = (kk, float(loc["h"][k]), float(loc["temp"][k]))
            dense = below and float(loc["vis"][k]) < spec.turn_back_visibility_m
            if (dense or bool(loc["bad"][k])) and sid not in self.avoided:
                self.avoided.add(sid)
                avoid_new.extend(cells)
            if float(loc["vis"][k]) < self.p["cue_visibility_m"] and sid not in self.cued_spaces:
                self.cued_spaces.add(sid)
                for i in w.unaware_in(cells):
                    w.cue(i, "incident")
        if avoid_new:
            for c in avoid_new:
                w.avoid[c] = True
            w.router.recompute()
        self.snap_t.append(now)
        self.snap.append(snap)
        self._dose(rate, dt)
        self._openings_lost(now)

    def _record(self, now: float, loc: dict[str, np.ndarray]) -> None:
        """ASET, first smoke and the lowest layer / visibility per space."""
        for k in np.flatnonzero(loc["smoky"]).tolist():
            sid = self.sids[k]
            if loc["h"][k] < self.s_storey[k] - 0.05 and sid not in self.smoke_first:
                self.smoke_first[sid] = now
            if bool(loc["bad"][k]) and sid not in self.aset:
                self.aset[sid] = now
                if not self.offline:
                    self.w.mark("untenable", f"{sid} untenable")
            h = float(loc["h"][k])
            if h < self.min_layer.get(sid, math.inf):
                self.min_layer[sid] = h
            v = float(loc["vis"][k]) if loc["below"][k] else math.inf
            if v < self.min_vis.get(sid, math.inf):
                self.min_vis[sid] = v

    def _detect(self, now: float, loc: dict[str, np.ndarray]) -> None:
        """Detectors at the ceiling of every smoky space; detection times per space."""
        chain = cm.chain_of(self.w)
        for k in np.flatnonzero(loc["smoky"] & (loc["depth"] > 0.0)).tolist():
            sid = self.sids[k]
            kk, temp = float(loc["k"][k]), float(loc["temp"][k])
            for c in self.s_cells[k]:
                kind = chain.detector_cells.get(c) if chain.works("detectors") else None
                if kind is None:
                    continue
                smoke_hit = kind == "smoke" and kk >= self.p["detector_k"]
                heat_hit = temp >= HEAT_DETECTOR_C
                if smoke_hit or heat_hit:
                    self.det_smoke.setdefault(sid, now)
                if heat_hit:
                    self.det_heat.setdefault(sid, now)
                if (smoke_hit or (kind == "heat" and heat_hit)) and c not in self.detected_cells \
                        and self.inc is not None:
                    self.detected_cells.add(c)
                    chain.detector_triggered(self.inc, c)

    def _trigger(self, sid: str, heat: bool) -> float | None:
        """When the devices of space ``sid`` are told: detection there; without a working
        detector there, the fire control room starts the devices of the fire's own smoke
        zone when the fire is verified. Heat-only actions wait for heat detection."""
        t = (self.det_heat if heat else self.det_smoke).get(sid)
        if t is None and not heat and sid in self.origin_zone_spaces \
                and not self._detector_works(sid) \
                and self.inc is not None and self.inc.t_verified is not None:
            t = self.inc.t_verified
        return t

    def _detector_works(self, sid: str) -> bool:
        chain = cm.chain_of(self.w)
        return chain.works("detectors") and any(
            c in chain.detector_cells for c in self.space_cells[sid])

    def _devices(self, now: float) -> None:
        """Arm devices whose zone has detected the fire; act on those whose time has come."""
        lay = self.w.layout
        m = self.model

        def arm(key: tuple[str, str], t: float | None, delay: float, value: float = 0.0
                ) -> None:
            if t is not None and key not in self.armed:
                self.armed.add(key)
                self.pending.append((t + delay, key[0], key[1], value))

        for sysm in m.exhaust:
            ts = [self._trigger(s, False) for s in self.exhaust_spaces.get(sysm.id, ())]
            t = min((x for x in ts if x is not None), default=None)
            arm(("exhaust", sysm.id), t, self.p["exhaust_start_s"])
        for vid, space in self.vent_spaces.items():
            arm(("vent", vid), self._trigger(space, False), self.p["vent_open_s"])
        for c in self.curtains:
            if c.automatic:
                o = lay.openings[c.opening]
                t = min((x for x in (self._trigger(o.a, False), self._trigger(o.b, False))
                         if x is not None), default=None)
                arm(("curtain", c.opening), t, self.p["curtain_drop_s"], c.depth_m)
        for s in self.shutters:
            o = lay.openings[s.opening]
            smoke = min((x for x in (self._trigger(o.a, False), self._trigger(o.b, False))
                         if x is not None), default=None)
            heat = min((x for x in (self._trigger(o.a, True), self._trigger(o.b, True))
                        if x is not None), default=None)
            travel = self.p["shutter_travel_s"]
            if s.evacuation_route:
                arm(("shutter_stop", s.opening), smoke, travel)
                arm(("shutter_close", s.opening), heat, travel)
            else:
                arm(("shutter_close", s.opening), smoke, travel)
        due = [p for p in self.pending if p[0] <= now + 1e-9]
        if not due:
            return
        self.pending = [p for p in self.pending if p[0] > now + 1e-9]
        close: list[str] = []
        for _t, action, target, value in sorted(due):
            if action == "exhaust":
                m.start_exhaust(target)
                self._mark(f"exhaust {target} running")
            elif action == "vent":
                m.open_vent(target)
                self._mark(f"vent {target} open")
            elif action == "curtain":
                self._drop_curtain(target, value)
            elif action == "shutter_stop" and self.shutter_stage[target] < 1:
                self.shutter_stage[target] = 1
                bottom = lay.level(lay.openings[target].level).elevation_m
                m.set_link_top(target, bottom + SHUTTER_STOP_M)
                self._mark(f"shutter {target} at 1.8 m")
            elif action == "shutter_close" and self.shutter_stage[target] < 2:
                self.shutter_stage[target] = 2
                m.close_link(target)
                close.append(target)
        if close and not self.offline:
            self._close_for_people(close)

    def _mark(self, label: str) -> None:
        if not self.offline:
            self.w.mark("smoke_control", label)

    def _close_for_people(self, openings: list[str]) -> None:
        w = self.w
        qs = [w.portal_index[o] for o in openings if o in w.portal_index]
        qs = [q for q in qs if not w.doors[q].blocked]
        for q in qs:
            w.doors[q].close()
        if qs:
            w.router.block_many(qs)
        w.mark("smoke_control", f"fire shutters closed: {', '.join(openings)}")

    def _dose(self, rate: np.ndarray, dt: float) -> None:
        """FED for everyone still inside, incapacitated people included (vectorised)."""
        w = self.w
        if not w.n:
            return
        cell_of = np.fromiter(w.cell_of, dtype=np.int64, count=w.n)
        state = np.fromiter(w.state, dtype=np.int64, count=w.n)
        inside = (state != State.SAFE) & (state != State.DEAD)
        self.fed += rate[cell_of] * dt * inside
        alive = inside & (state != State.INCAPACITATED)
        hit = np.flatnonzero((self.fed >= self.spec.fed_incapacitation) & alive)
        for person in hit.tolist():
            w.remove(person, State.INCAPACITATED)
            self.incapacitated += 1

    def _openings_lost(self, now: float) -> None:
        w, spec = self.w, self.spec
        origin_bad = self.aset.get(spec.space)
        if not self.lost and origin_bad is not None \
                and now - origin_bad >= spec.openings_lost_after_s:
            self.lost = True
            doors = sorted({q for c in self.origin_cells for q in w.portals_of[c]})
            for q in doors:
                w.doors[q].close()
            w.router.block_many(doors)
            w.mark("openings_lost", f"openings of {spec.space} lost to fire")

    # ------------------------------------------------------------------ results
    def _to_horizon(self) -> None:
        """Run the smoke on alone (no people) to the ASET horizon."""
        self.offline = True
        horizon = self.spec.t_s + self.spec.aset_horizon_s
        t = self.model.time_s
        step = self.spec.step_s
        while t + 1e-9 < horizon:
            t = min(horizon, t + step)
            self.model.advance(t)
            loc = self._local()
            self._record(t, loc)
            self._detect_quiet(t, loc)
            self._devices(t)

    def _detect_quiet(self, now: float, loc: dict[str, np.ndarray]) -> None:
        """Detection times only (the alarm chain is finished)."""
        for k in np.flatnonzero(loc["smoky"] & (loc["depth"] > 0.0)).tolist():
            sid = self.sids[k]
            if float(loc["k"][k]) >= self.p["detector_k"] \
                    or float(loc["temp"][k]) >= HEAT_DETECTOR_C:
                self.det_smoke.setdefault(sid, now)
            if float(loc["temp"][k]) >= HEAT_DETECTOR_C:
                self.det_heat.setdefault(sid, now)

    def finish(self) -> None:
        """Fire metrics (``docs/metrics.md``): ASET per space and level, RSET, margins,
        doses, smoke reach and the devices' times."""
        w = self.w
        m = w.metrics
        self._to_horizon()
        t_safe = np.asarray(w.t_safe, dtype=float)
        safe = t_safe[np.isfinite(t_safe)]
        rset = float(safe.max()) if len(safe) else None
        occupied0 = {w.cell_space[c] for c in w.start_cell}
        occupied = [self.aset[s] for s in occupied0 if s in self.aset]
        m["aset_s"] = {k: round(v, 1) for k, v in sorted(self.aset.items())}
        m["aset_min_s"] = float(min(occupied)) if occupied else None
        m["rset_s"] = rset
        last_out: dict[str, float] = {}
        leave_level: dict[str, float] = {}
        log = w.log
        lvl_ids = w.level_ids
        for k in range(0, len(log), 5):  # rows of (t, person, portal, from, to)
            t, frm, to = log[k], int(log[k + 3]), int(log[k + 4])
            last_out[w.cell_space[frm]] = t
            if not w.is_stair[frm] and (w.is_stair[to] or w.is_exit[to]
                                        or w.cell_level[to] != w.cell_level[frm]):
                leave_level[lvl_ids[w.cell_level[frm]]] = t
        pairs = [(s, self.aset[s], last_out[s]) for s in self.aset if s in last_out]
        # someone was harmed (never left) in a space that became untenable: that space's
        # RSET is unbounded, so the worst ratio is null ("never"), judged as the worst case
        stuck = {w.cell_space[c] for c in w.removed_cell} & set(self.aset)
        if pairs:
            worst = min(pairs, key=lambda p: p[1] - p[2])
            m["margin_s"] = round(worst[1] - worst[2], 1)
            m["margin_space"] = worst[0]
            m["rset_over_aset_max"] = None if stuck else round(
                max(r / max(a, 1e-9) for _, a, r in pairs), 4)
        else:
            m["margin_s"] = None
            m["margin_space"] = None
            m["rset_over_aset_max"] = None if stuck else 0.0
        # per level: ASET of the level's public spaces but the origin (censored at the horizon)
        horizon = self.spec.t_s + self.spec.aset_horizon_s
        aset_lvl: dict[str, float] = {}
        for k, sid in enumerate(self.sids):
            if sid == self.spec.space or not self.s_public[k]:
                continue
            lv = self.s_level[k]
            aset_lvl[lv] = min(aset_lvl.get(lv, horizon), self.aset.get(sid, horizon))
        levels = [lv for lv in lvl_ids if lv in aset_lvl]
        m["aset_level_s"] = {lv: round(aset_lvl[lv], 1) for lv in levels}
        m["aset_censored_levels"] = sum(1 for lv in levels if aset_lvl[lv] >= horizon)
        m["rset_level_s"] = {lv: round(leave_level[lv], 1) for lv in levels
                             if lv in leave_level}
        margins = {lv: round(aset_lvl[lv] - leave_level[lv], 1) for lv in levels
                   if lv in leave_level}
        m["margin_level_s"] = margins
        m["margin_min_level_s"] = min(margins.values()) if margins else None
        m["aset_origin_s"] = self.aset.get(self.spec.space)
        first: dict[str, float] = {}
        low: dict[str, float] = {}
        vis: dict[str, float] = {}
        for k, sid in enumerate(self.sids):
            lv = self.s_level[k]
            if sid in self.smoke_first:
                first[lv] = min(first.get(lv, math.inf), self.smoke_first[sid])
            if self.s_public[k] and sid in self.min_layer:
                low[lv] = min(low.get(lv, math.inf), self.min_layer[sid])
            if self.s_public[k] and math.isfinite(self.min_vis.get(sid, math.inf)):
                vis[lv] = min(vis.get(lv, math.inf), self.min_vis[sid])
        m["smoke_level_first_s"] = {lv: round(first[lv], 1) for lv in lvl_ids if lv in first}
        m["smoke_levels_reached"] = len(first)
        m["min_layer_level_m"] = {lv: round(low[lv], 2) for lv in lvl_ids if lv in low}
        m["min_visibility_level_m"] = {lv: round(vis[lv], 2) for lv in lvl_ids if lv in vis}
        m["exposed_fed_0_1"] = int(np.sum(self.fed >= 0.1))
        m["fed_ge_0_3"] = int(np.sum(self.fed >= 0.3))
        m["fed_ge_1"] = int(np.sum(self.fed >= 1.0))
        m["fed_max"] = round(float(self.fed.max()), 4) if w.n else 0.0
        m["incapacitated_fire"] = self.incapacitated
        m["turned_back"] = len(w.turned_back)
        mdl = self.model
        m["sprinkler_activated_s"] = mdl.sprinkler_activated_s
        m["sprinklered"] = self.sprinklered
        m["design_fire"] = self.design_source
        m["hrr_peak_kw"] = round(mdl.hrr_peak_kw, 1)
        m["vent_limit_kw"] = round(self.vent_limit_kw, 1) if math.isfinite(
            self.vent_limit_kw) else None
        m["origin_layer_max_c"] = round(float(mdl.layer_max_c[mdl.origin]), 1)
        m["smoke_spaces_reached"] = len(self.smoke_first)
        m["exhaust_started_s"] = {k: round(v, 1) for k, v in mdl.exhaust_started_s.items()}
        m["vents_opened_s"] = {k: round(v, 1) for k, v in mdl.vent_opened_s.items()}
        m["shutters_closed"] = sum(1 for v in self.shutter_stage.values() if v >= 2)
        m["shutters_at_1_8m"] = sum(1 for v in self.shutter_stage.values() if v == 1)

    def series(self, ts: np.ndarray) -> dict[str, np.ndarray]:
        """Smoke extinction, local layer height and temperature per cell at times ``ts``."""
        w = self.w
        n = len(w.cell_ids)
        out = {"smoke_extinction_per_m": np.zeros((len(ts), n), np.float32),
               "smoke_layer_m": np.full((len(ts), n), np.nan, np.float32),
               "temperature_c": np.full((len(ts), n), 20.0, np.float32)}
        if not self.snap_t:
            return out
        idx = np.searchsorted(np.asarray(self.snap_t), ts, side="right") - 1
        for row, k in enumerate(idx):
            if k < 0:
                continue
            for c, (ke, z, temp) in self.snap[k].items():
                out["smoke_extinction_per_m"][row, c] = ke
                out["smoke_layer_m"][row, c] = z
                out["temperature_c"][row, c] = temp
        return out


