"""``kind = "fire"``: a t² fire whose smoke changes the building while people leave.

Every ``step_s`` (5 s) the fire process advances the smoke-network model
(:mod:`sim.hazards.smoke`, one hot layer per space) and applies it to the crowd:

* **speed** — people in a space whose layer is below head height (1.8 m) walk at the
  Frantzich–Nilsson (or Fridolf) speed for its extinction coefficient, as a factor of
  their own speed (VERIFICATION.md §5.3);
* **exposure** — FED is integrated per person (Purser, :func:`fed_rate_per_s`) from the
  gases and heat of the layer they stand in when it is below head height; at
  ``fed_incapacitation`` (0.3 by default, configurable) they are incapacitated;
* **tenability** — a space whose layer falls below 2 m with hot gas or poor visibility
  is untenable (ASET of that space); people avoid untenable spaces when another way
  exists (routing penalty), and the origin's openings are lost ``openings_lost_after_s``
  after the origin becomes untenable (routes recomputed);
* **perception** — smoke that cuts visibility below 30 m cues the unaware people in
  that space (a smoke cue, as JuPedSim users asked for);
* **detection** — a smoke detector fires when smoke reaches its space (K ≥ 0.05 1/m),
  a heat detector at 57 °C; cameras, staff and occupants detect the fire through the
  alarm chain like any other incident.

Design-fire defaults (assumptions, flagged in ``docs/fire-and-crush.md``): medium t²
growth, peak 5 MW in a sprinklered mall (the fire is capped at sprinkler activation
anyway) and 10 MW unsprinklered for shops and atria, 5 MW for a car in a car park;
soot yield 0.05, CO yield 0.04 (well-ventilated mixed fuels).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.engine.replay import State
from sim.engine.world import World
from sim.errors import ScenarioError
from sim.hazards import fire_physics as fp
from sim.hazards.registry import HazardKind, register
from sim.hazards.smoke import OUTSIDE, FireSpec, SmokeLink, SmokeModel, SmokeSpace
from sim.model.assumptions import declare

_F = ("fire",)
_SPEC_PARAMS = {
    "soot_yield": declare(
        "fire.soot_yield", default=0.05, unit="kg/kg", low=0.01, high=0.2, dist="loguniform",
        valid_min=1e-6, valid_max=1.0, status="sourced", used_by=_F,
        source="SFPE Handbook (Tewarson) yields: well-ventilated mixed retail fuels 0.01-0.1, "
               "polyurethane and polystyrene up to 0.2",
        name="Soot yield of the design fire"),
    "co_yield": declare(
        "fire.co_yield", default=0.04, unit="kg/kg", low=0.01, high=0.2, dist="loguniform",
        valid_min=0.0, valid_max=1.0, status="sourced", used_by=_F,
        source="SFPE Handbook (Tewarson): well-ventilated 0.004-0.05; under-ventilated "
               "fires reach about 0.2",
        name="CO yield of the design fire"),
    "spread_delay_s": declare(
        "smoke.spread_delay_s", default=30.0, unit="s", low=10.0, high=60.0,
        dist="uniform", valid_min=0.0, status="assumed", used_by=_F,
        source="assumed: transport time of the smoke front to a neighbouring space",
        name="Delay before smoke reaching a link's top is in the neighbour space"),
    "openings_lost_after_s": declare(
        "fire.openings_lost_after_s", default=120.0, unit="s", low=30.0, high=300.0,
        dist="loguniform", valid_min=0.0, status="assumed", used_by=_F, source="assumed",
        name="Time after the origin becomes untenable until its openings are lost"),
}
"""Spec field → its register entry (a field left unset takes the run's value)."""

HEAD_HEIGHT_M = 1.8
SMOKE_CUE_VISIBILITY_M = 30.0
SMOKE_DETECTOR_K = 0.05
HEAT_DETECTOR_C = 57.0


class FireHazardSpec(BaseModel):
    """A fire at ``space`` igniting at ``t_s``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["fire"] = "fire"
    space: str
    t_s: float = Field(default=0.0, ge=0)
    growth: Literal["slow", "medium", "fast", "ultrafast"] = "medium"
    alpha_kw_s2: float | None = Field(default=None, gt=0)
    peak_kw: float | None = Field(default=None, gt=0)
    sprinklered: bool | None = None
    sprinkler_activation_s: float | None = Field(default=None, ge=0)
    soot_yield: float | None = Field(default=None, gt=0)
    co_yield: float | None = Field(default=None, ge=0)
    fed_incapacitation: float = Field(default=0.3, gt=0)
    speed_model: Literal["frantzich_nilsson", "fridolf"] = "frantzich_nilsson"
    spread_delay_s: float | None = Field(default=None, ge=0)
    openings_lost_after_s: float | None = Field(default=None, ge=0)
    step_s: float = Field(default=5.0, gt=0)


def start(world: World, spec: FireHazardSpec) -> None:
    """Validate the origin and schedule the fire."""
    if spec.space not in world.layout.spaces:
        raise ScenarioError(f"unknown space {spec.space!r}", field="hazards[fire].space",
                            source=world.scenario.source)
    if world.layout.spaces[spec.space].is_exit:
        raise ScenarioError("a fire cannot start outside (an exit space)",
                            field="hazards[fire].space", source=world.scenario.source)
    FireProcess(world, spec)


class FireProcess:
    """The running fire of one world."""

    def __init__(self, world: World, given: FireHazardSpec) -> None:
        self.w = world
        spec: Any = world.fill(given, _SPEC_PARAMS)
        self.spec = spec
        """The spec with every unset parameter taken from the run's assumptions."""
        lay = world.layout
        origin = lay.spaces[spec.space]
        sprinklered = spec.sprinklered
        if sprinklered is None:
            plan = world.alarm_chain.plan if world.alarm_chain is not None else None
            covered = plan is None or plan.fire_systems.all \
                or spec.space in plan.fire_systems.spaces
            base = origin.sprinklered if origin.sprinklered is not None else lay.mall.sprinklered
            sprinklered = bool(base and covered)
        self.sprinklered = sprinklered
        alpha = spec.alpha_kw_s2 or fp.T2_ALPHA_KW_S2[spec.growth]
        peak = spec.peak_kw or (5000.0 if (sprinklered or origin.kind == "parking") else 10000.0)
        self.fire = FireSpec(origin=spec.space, alpha_kw_s2=alpha, peak_kw=peak,
                             ignition_s=spec.t_s, sprinklered=sprinklered,
                             sprinkler_activation_s=spec.sprinkler_activation_s
                             if sprinklered else None,
                             soot_yield=spec.soot_yield, co_yield=spec.co_yield)
        spaces = [SmokeSpace(s.id, max(s.area_m2, 1.0), s.height_m)
                  for s in lay.spaces.values() if not s.is_exit]
        exits = set(lay.exits)
        links = []
        for o in lay.openings.values():
            a = OUTSIDE if o.a in exits else o.a
            b = OUTSIDE if o.b in exits else o.b
            if a == OUTSIDE and b == OUTSIDE:
                continue
            links.append(SmokeLink(a, b, o.width_m))
        self.model = SmokeModel(spaces, links, self.fire, spread_delay_s=spec.spread_delay_s,
                                heat_loss_fraction=world.param("smoke.heat_loss_fraction"))
        self.space_cells = {sid: [world.cell_index[c] for c in world.net.cells_of_space[sid]]
                            for sid in lay.spaces}
        self.origin_cells = self.space_cells[spec.space]
        self.fed = np.zeros(world.n)
        self.fed_max = np.zeros(world.n)
        self.aset: dict[str, float] = {}
        self.occupied0 = {world.cell_space[c] for c in world.start_cell}
        self.detected_cells: set[int] = set()
        self.cued_spaces: set[str] = set()
        self.hrr_peak = 0.0
        self.lost = False
        self.snap_t: list[float] = []
        self.snap: list[dict[int, tuple[float, float, float]]] = []
        self.incapacitated = 0
        self.inc: Any = None
        world.finishers.append(self.finish)
        world.hazard_procs.append(self)
        world.extra_series = self.series
        world.env.process(self.run())

    # ------------------------------------------------------------------ process
    def run(self) -> Any:
        w, spec = self.w, self.spec
        env = w.env
        yield env.timeout(spec.t_s)
        w.mark("fire", f"ignition in {spec.space}")
        chain = w.alarm_chain
        origin_cell = self.origin_cells[0]
        self.inc = chain.incident("fire", lambda: origin_cell, visible=True, threat=False,
                                  responders_needed=2)
        while True:
            yield env.timeout(spec.step_s)
            self.step(spec.step_s)
            if w.evacuated + w.casualties >= w.n:
                chain.resolve(self.inc)
                return

    def step(self, dt: float) -> None:
        """Advance the smoke and apply it to the crowd (one ``step_s``)."""
        w, spec = self.w, self.spec
        now = w.env.now
        m = self.model
        m.advance(now)
        self.hrr_peak = max(self.hrr_peak, m.hrr_kw())
        n_cells = len(w.cell_ids)
        rate = np.zeros(n_cells)
        snap: dict[int, tuple[float, float, float]] = {}
        newly_bad: list[int] = []
        for sid in m.reached_spaces:
            st = m.state(sid)
            cells = self.space_cells[sid]
            below = st.layer_height_m < HEAD_HEIGHT_M
            k = st.extinction_per_m
            factor = (fp.speed_in_smoke_mps(1.2, k, spec.speed_model) / 1.2) if below else 1.0
            r = fp.fed_rate_per_s(co_ppm=st.co_ppm, temp_c=st.temperature_c,
                                  smoke_below_head=below)
            for c in cells:
                w.speed_factor[c] = factor
                rate[c] = r
                snap[c] = (k, st.layer_height_m, st.temperature_c)
            if st.untenable_since_s is not None and sid not in self.aset:
                self.aset[sid] = st.untenable_since_s
                w.mark("untenable", f"{sid} untenable")
                newly_bad.extend(cells)
            vis = fp.visibility_m(k)
            if vis < SMOKE_CUE_VISIBILITY_M and sid not in self.cued_spaces:
                self.cued_spaces.add(sid)
                for i in w.unaware_in(cells):
                    w.cue(i, "incident")
            if self.inc is not None:
                for c in cells:
                    if c in self.detected_cells:
                        continue
                    kind = w.alarm_chain.detector_cells.get(c)
                    if (kind == "smoke" and k >= SMOKE_DETECTOR_K) or (
                            kind == "heat" and st.temperature_c >= HEAT_DETECTOR_C):
                        self.detected_cells.add(c)
                        w.alarm_chain.detector_triggered(self.inc, c)
        if newly_bad:
            for c in newly_bad:
                w.avoid[c] = True
            w.router.recompute()
        self.snap_t.append(now)
        self.snap.append(snap)
        # FED for everyone still inside (vectorised)
        cell_of, alive = w.cells_and_exposed()
        inc = rate[cell_of] * dt * alive
        self.fed += inc
        hit = np.flatnonzero((self.fed >= spec.fed_incapacitation) & alive)
        for person in hit.tolist():
            w.remove(person, State.INCAPACITATED)
            self.incapacitated += 1
        # openings lost to fire
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
    def finish(self) -> None:
        """Fire metrics: ASET per space, RSET, margin, exposure, incapacitation."""
        w = self.w
        m = w.metrics
        t_safe = np.asarray(w.t_safe, dtype=float)
        safe = t_safe[np.isfinite(t_safe)]
        rset = float(safe.max()) if len(safe) else None
        occupied = [self.aset[s] for s in self.occupied0 if s in self.aset]
        aset_min = float(min(occupied)) if occupied else None
        m["aset_s"] = {k: round(v, 1) for k, v in sorted(self.aset.items())}
        m["aset_min_s"] = aset_min
        m["rset_s"] = rset
        # per space: RSET of a space = the last time anyone left it; the margin that matters
        # is ASET - RSET of the same space (people far from the fire leave later, safely)
        last_out: dict[str, float] = {}
        log = w.log
        for k in range(0, len(log), 5):  # rows of (t, person, portal, from, to)
            last_out[w.cell_space[int(log[k + 3])]] = log[k]
        pairs = [(s, self.aset[s], last_out[s]) for s in self.aset if s in last_out]
        if pairs:
            worst = min(pairs, key=lambda p: p[1] - p[2])
            m["margin_s"] = round(worst[1] - worst[2], 1)
            m["margin_space"] = worst[0]
            m["rset_over_aset_max"] = round(max(r / max(a, 1e-9) for _, a, r in pairs), 4)
        else:
            m["margin_s"] = None
            m["margin_space"] = None
            m["rset_over_aset_max"] = 0.0 if self.aset else None
        m["exposed_fed_0_1"] = int(np.sum(self.fed >= 0.1))
        m["fed_max"] = round(float(self.fed.max()), 4) if w.n else 0.0
        m["incapacitated_fire"] = self.incapacitated
        m["sprinkler_activated_s"] = self.model.sprinkler_activated_s
        m["sprinklered"] = self.sprinklered
        m["hrr_peak_kw"] = round(self.hrr_peak, 1)
        m["smoke_spaces_reached"] = len(self.model.reached_spaces)

    def series(self, ts: np.ndarray) -> dict[str, np.ndarray]:
        """Smoke extinction, layer height and temperature per cell at times ``ts``."""
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


register(HazardKind("fire", FireHazardSpec, start))
