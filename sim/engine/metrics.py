"""The metrics a run reports, declared once, and the collector that records them.

Every metric is a :class:`Metric`: its key, its unit, a short human label (for tables and
reports), what it means, what kind of value it holds and which part of the model emits it
(the run itself, the security plan's alarm chain and staff, or a hazard kind). A run's
:class:`MetricCollector` accepts only declared keys, so a metric cannot appear without
its declaration; ``docs/metrics.md`` is generated from :data:`METRICS`
(:func:`metrics_markdown`, kept in step by a test).

Times are seconds from the start of the scenario, densities persons/m², distances metres.
A metric that does not apply to a run (no fire, no attacker) is absent; one that applies
but never happened (someone never got out) is ``null``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from sim.errors import ScenarioError

Shape = Literal["number", "count", "flag", "text", "mapping", "list"]
"""What a metric's value is: a number, a whole count, true/false, an id or word, a
mapping (key → number, flattened as ``metric.key`` in batch tables), or a list."""

#: Who emits metrics, in the order of the documentation.
EMITTERS: Final = ("run", "security", "fire", "crush", "attack", "vehicle", "explosion",
                   "robbery", "hostage", "sabotage", "drill")

_SECTIONS: Final = {
    "run": "Every run",
    "security": "Alarm chain and staff (with a security plan)",
    "fire": "Fire (`kind = \"fire\"`)",
    "crush": "Crowd crush (`kind = \"crush\"`)",
    "attack": "Attack (`kind = \"attack\"`)",
    "vehicle": "Vehicle ramming (`kind = \"vehicle\"`)",
    "explosion": "Explosion (`kind = \"explosion\"`)",
    "robbery": "Robbery (`kind = \"robbery\"`)",
    "hostage": "Hostage-taking (`kind = \"hostage\"`)",
    "sabotage": "Sabotage (`kind = \"sabotage\"`)",
    "drill": "Drill (`kind = \"drill\"`)",
}


@dataclass(frozen=True, slots=True)
class Metric:
    """One reported quantity."""

    key: str
    unit: str
    """Unit of the value (of each value, for mappings and lists); "" when it has none."""
    label: str
    """Short human name, for tables and reports (no unit)."""
    meaning: str
    shape: Shape
    emitters: tuple[str, ...]
    """The first emitter is where the metric is documented; others may set it too."""


def _m(key: str, unit: str, label: str, meaning: str, shape: Shape, *emitters: str) -> Metric:
    return Metric(key, unit, label, meaning, shape, emitters)


_DECLARED: Final = (
    # ---------------------------------------------------------------- every run
    _m("scenario", "", "scenario", "the scenario's name (its file name when unnamed)",
       "text", "run"),
    _m("occupants", "persons", "occupants", "people in the mall at t = 0", "count", "run"),
    _m("evacuated", "persons", "evacuated", "people who reached an exit", "count", "run"),
    _m("inside", "persons", "still inside", "neither out nor harmed when the run ended",
       "count", "run"),
    _m("casualties", "persons", "casualties",
       "taken out of the flow: incapacitated by smoke, killed or injured by an attacker, "
       "a vehicle or a blast", "count", "run"),
    _m("t_evacuation_s", "s", "evacuation time",
       "last person safe; `null` if anyone never got out or was harmed", "number", "run"),
    _m("t95_evacuation_s", "s", "95 % evacuation time",
       "time by which 95 % of occupants were safe (IMO uses the 95th percentile)", "number",
       "run"),
    _m("t_lower_bound_s", "s", "lower bound",
       "quickest-flow lower bound of the cell network with the run's own release times; no "
       "run beats it", "number", "run"),
    _m("peak_density_pm2", "p/m²", "peak density", "highest density of any cell", "number",
       "run"),
    _m("peak_density_space", "", "densest space", "the space of the densest cell", "text",
       "run"),
    _m("congested_time_s", "s", "longest congestion",
       "longest time any cell held 4 p/m² (IMO congestion density), until everyone was "
       "out (or the run ended)", "number", "run"),
    _m("congested_space", "", "most congested space",
       "the space of the cell with the longest congestion", "text", "run"),
    _m("congested_share", "", "congestion share of evacuation time",
       "longest congestion ÷ evacuation time; IMO MSC.1/Circ.1533 calls congestion "
       "significant above 0.10", "number", "run"),
    _m("exit_counts", "persons", "persons per exit", "opening id → persons who left through it",
       "mapping", "run"),
    _m("mean_premovement_s", "s", "mean pre-movement",
       "mean time at which people started moving", "number", "run"),
    _m("moves", "count", "passages", "passages through openings", "count", "run"),
    _m("deadlocks_resolved", "count", "gridlocks resolved",
       "gridlocks resolved by the watchdog", "count", "run"),
    _m("t_end_s", "s", "end of run", "simulated time when the run ended", "number", "run"),
    _m("seed", "", "seed", "the run's seed (`null` for a batch run's child seed)", "count",
       "run"),
    _m("seed_entropy", "", "seed entropy", "entropy of the run's `SeedSequence`", "count",
       "run"),
    _m("spawn_key", "", "spawn key", "spawn key of the run's `SeedSequence` (a batch run's "
       "child seed is `(entropy, spawn_key)`)", "list", "run"),
    _m("wall_s", "s", "wall-clock time", "wall-clock time of the run", "number", "run"),
    # ---------------------------------------------------------------- security
    _m("t_detected_s", "s", "detected", "first detection of an incident", "number",
       "security"),
    _m("detected_by", "", "detected by", "channel of the first detection: detector, camera, "
       "guard, team, officer, occupant, occupant_110, drill", "text", "security"),
    _m("t_reported_s", "s", "reported", "first report reached the duty room", "number",
       "security"),
    _m("t_verified_s", "s", "verified", "first report verified by the duty room", "number",
       "security"),
    _m("t_alarm_s", "s", "alarm", "alarm sounded (bell); with neither alarm devices nor PA, "
       "when guards have spread the word; 0 in a plain evacuation without hazards; null "
       "when an incident happened and no alarm ever sounded", "number",
       "security", "run", "drill"),
    _m("t_incident_s", "s", "incident", "the first incident started (an attacker enters, a "
       "fire ignites, a drill begins …)", "number", "security", "drill"),
    _m("t_alarm_after_incident_s", "s", "alarm after the incident",
       "`t_alarm_s` counted from `t_incident_s`", "number", "security", "drill"),
    _m("t_pa_s", "s", "first PA message", "first public-address message", "number",
       "security"),
    _m("t_police_called_s", "s", "police called", "police called (platform link or phone)",
       "number", "security"),
    _m("t_police_arrived_s", "s", "police arrived", "police arrived at the mall", "number",
       "security"),
    _m("t_first_responder_s", "s", "first responder",
       "first staff member at the incident's cell (any incident)", "number", "security"),
    _m("t_first_responder_after_incident_s", "s", "first responder after the incident",
       "`t_first_responder_s` counted from that incident's start", "number", "security"),
    _m("t_dispatched_s", "s", "first dispatch",
       "first staff member set out for an incident (radio order or own sighting)", "number",
       "security"),
    _m("t_dispatched_after_incident_s", "s", "first dispatch after the incident",
       "`t_dispatched_s` counted from that incident's start", "number", "security"),
    _m("responders_injured", "persons", "responders injured",
       "staff injured by an attacker while in contact", "count", "security"),
    _m("responders_killed", "persons", "responders killed",
       "staff killed by an attacker while in contact", "count", "security"),
    _m("shops_locked", "shops", "shops locked down",
       "shops locked down by their officers or a joint-defence group member", "count",
       "security"),
    _m("t_first_lockdown_s", "s", "first lockdown", "the first shop's shutter down",
       "number", "security"),
    _m("staff_kits", "kits", "responder kits", "responder kits of the plan "
       "(`equipment.kits`); an unequipped responder cannot pin an attacker", "count",
       "security"),
    _m("responders_at_incident", "[s, persons]", "responders at the incident",
       "responders present over time, as [time, count] pairs", "list", "security"),
    _m("sweep_complete_s", "s", "sweeps complete", "zone → when its sweep finished",
       "mapping", "security"),
    _m("guided_cues", "persons", "guided cues",
       "people who got a guided cue (a PA message naming exits, or a guard)", "count",
       "security"),
    _m("guard_distance_m_mean", "m", "mean distance walked by staff",
       "mean distance walked by guards and team members", "number", "security"),
    _m("guard_distance_m_max", "m", "longest distance walked by staff",
       "longest distance walked by a guard or team member", "number", "security"),
    _m("staff_guards", "persons", "guards on duty", "guards on duty in the run", "count",
       "security"),
    _m("staff_team", "persons", "defence team on duty",
       "internal defence team members on duty in the run", "count", "security"),
    _m("staff_officers", "persons", "shop officers on duty",
       "shop security officers on duty in the run", "count", "security"),
    # ---------------------------------------------------------------- fire
    _m("aset_s", "s", "ASET per space",
       "space → when it became untenable (at its own floor height)", "mapping", "fire"),
    _m("aset_min_s", "s", "earliest ASET",
       "earliest untenability among spaces occupied at t = 0", "number", "fire"),
    _m("aset_level_s", "s", "ASET per level",
       "level → earliest untenability among the level's public spaces but the room of "
       "origin; the smoke model runs on after the last person has left, up to "
       "`aset_horizon_s` (1800 s) after ignition, and a level still tenable then reports "
       "that horizon (censored)", "mapping", "fire"),
    _m("aset_censored_levels", "levels", "levels tenable at the horizon",
       "levels still tenable at the ASET horizon", "count", "fire"),
    _m("aset_origin_s", "s", "ASET of the room of origin",
       "the room of origin's untenability", "number", "fire"),
    _m("rset_s", "s", "RSET", "last person out", "number", "fire"),
    _m("rset_level_s", "s", "RSET per level",
       "level → last time anyone left the level's floor (onto a stair, an escalator, "
       "another level or outside)", "mapping", "fire"),
    _m("margin_level_s", "s", "ASET − RSET per level",
       "level → ASET − RSET (a lower bound where ASET is censored)", "mapping", "fire"),
    _m("margin_min_level_s", "s", "smallest level margin",
       "the smallest of `margin_level_s`", "number", "fire"),
    _m("margin_s", "s", "worst ASET − RSET",
       "min over untenable spaces of ASET − RSET of that space (RSET of a space: the last "
       "time anyone left it)", "number", "fire"),
    _m("margin_space", "", "space of the worst margin", "the space of `margin_s`", "text",
       "fire"),
    _m("rset_over_aset_max", "", "worst RSET/ASET",
       "max over spaces that became untenable of RSET/ASET of that space (RSET of a space: "
       "the last time anyone left it); ≤ 0.8 meets a 1.25 safety factor; 0 when no space "
       "became untenable; null when someone was harmed in a space that did", "number",
       "fire"),
    _m("exposed_fed_0_1", "persons", "exposed (FED ≥ 0.1)",
       "people whose FED reached 0.1; doses accrue until the last evacuee is out, also for "
       "incapacitated people", "count", "fire"),
    _m("fed_ge_0_3", "persons", "FED ≥ 0.3",
       "people whose FED reached 0.3 (incapacitation of sensitive people)", "count", "fire"),
    _m("fed_ge_1", "persons", "FED ≥ 1", "people whose FED reached 1 (the median)", "count",
       "fire"),
    _m("fed_max", "", "highest FED", "the highest fractional effective dose of anyone",
       "number", "fire"),
    _m("incapacitated_fire", "persons", "incapacitated by smoke",
       "people whose FED reached the incapacitation threshold (`fed.incapacitation`)",
       "count", "fire"),
    _m("turned_back", "persons", "turned back",
       "people who reached an opening into a smoke-logged (or threatened) space and took "
       "another way", "count", "fire"),
    _m("smoke_level_first_s", "s", "first smoke per level",
       "level → first smoke within the storey of a space of the level (at least 0.05 m "
       "below its ceiling; for an atrium gallery, below the next floor up)", "mapping",
       "fire"),
    _m("smoke_levels_reached", "levels", "levels reached by smoke",
       "levels with a first-smoke time", "count", "fire"),
    _m("min_layer_level_m", "m", "lowest smoke layer per level",
       "level → lowest layer above the floor in the level's public spaces, the room of "
       "origin included", "mapping", "fire"),
    _m("min_visibility_level_m", "m", "lowest visibility per level",
       "level → lowest visibility (while the layer is below head height) in the level's "
       "public spaces", "mapping", "fire"),
    _m("smoke_spaces_reached", "spaces", "spaces reached by smoke",
       "spaces that had smoke", "count", "fire"),
    _m("sprinklered", "", "sprinklered", "whether sprinklers acted on the fire", "flag",
       "fire"),
    _m("sprinkler_activated_s", "s", "sprinkler activation",
       "when the sprinklers operated (`null`: never)", "number", "fire"),
    _m("design_fire", "", "design fire", "the design-fire table row used", "text", "fire"),
    _m("hrr_peak_kw", "kW", "peak heat release rate", "the fire's largest heat release rate",
       "number", "fire"),
    _m("vent_limit_kw", "kW", "ventilation limit",
       "the room of origin's ventilation limit (1500 A √h)", "number", "fire"),
    _m("origin_layer_max_c", "°C", "hottest layer in the room of origin",
       "the room of origin's hottest smoke layer", "number", "fire"),
    _m("exhaust_started_s", "s", "exhaust start", "exhaust system id → when it started",
       "mapping", "fire"),
    _m("vents_opened_s", "s", "vent opening", "natural vent id → when it opened", "mapping",
       "fire"),
    _m("shutters_closed", "shutters", "shutters down", "fire shutters down to the floor",
       "count", "fire"),
    _m("shutters_at_1_8m", "shutters", "shutters at 1.8 m", "fire shutters stopped at 1.8 m",
       "count", "fire"),
    # ---------------------------------------------------------------- crush
    _m("peak_density_by_space", "p/m²", "peak density per space",
       "the ten densest spaces → their peak density", "mapping", "crush"),
    _m("time_above_4pm2_s", "s", "time above 4 p/m² per space",
       "space → time above IMO congestion (4 p/m²)", "mapping", "crush"),
    _m("time_above_critical_s", "s", "time above critical density per space",
       "space → time above the critical density", "mapping", "crush"),
    _m("max_time_above_4pm2_s", "s", "longest time above 4 p/m²",
       "maximum over spaces of the time above 4 p/m²", "number", "crush"),
    _m("max_time_above_critical_s", "s", "longest time above critical density",
       "maximum over spaces of the time above the critical density", "number", "crush"),
    _m("fruin_los_share", "", "Fruin level-of-service shares",
       "Fruin walkway level (A–F) → share of time over occupied cells", "mapping", "crush"),
    _m("injured_crush", "persons", "crush injuries", "dose-based crush injuries", "count",
       "crush"),
    _m("injured_on_stairs", "persons", "crush injuries on stairs",
       "crush injuries on stairs", "count", "crush"),
    _m("crush_falls", "count", "falls", "falls that obstructed openings", "count", "crush"),
    _m("crush_deaths", "persons", "crush deaths",
       "died of compressive asphyxia (density of 7 p/m² or more held for over 30 s; "
       "[harm-calibration.md](harm-calibration.md)); counted in `casualties`", "count",
       "crush"),
    _m("hotspots", "", "hotspots", "spaces with the most time above 4 p/m²", "list",
       "crush"),
    # ---------------------------------------------------------------- attack
    _m("t_neutralised_s", "s", "neutralised",
       "when the last attacker was stopped (`null`: never)", "number", "attack"),
    _m("t_neutralised_after_incident_s", "s", "neutralised after the incident",
       "`t_neutralised_s` counted from the first attacker's entry", "number", "attack"),
    _m("t_contact_s", "s", "contact",
       "a responder (staff or police) physically with an attacker (same cell, within "
       "20 m)", "number", "attack"),
    _m("t_contact_after_incident_s", "s", "contact after the incident",
       "`t_contact_s` counted from the first attacker's entry", "number", "attack"),
    _m("attack_victims", "persons", "attack victims", "people harmed by attackers", "count",
       "attack"),
    _m("attack_deaths", "persons", "attack deaths", "people killed by attackers", "count",
       "attack"),
    _m("attackers_neutralised", "persons", "attackers stopped", "attackers stopped",
       "count", "attack"),
    _m("attack_stopped_by", "", "attack stopped by",
       "who stopped the attack: guards, police, or `record` (a reconstruction's recorded "
       "end, `ended_after_s`)", "text", "attack"),
    _m("attack_victims_per_min_before_responder", "persons/min",
       "victims per minute before a responder",
       "victims per minute from the first entry to the first staff member with an attacker",
       "number", "attack"),
    _m("attack_victims_per_min_after_responder", "persons/min",
       "victims per minute after a responder",
       "victims per minute from the first staff member with an attacker to the end of the "
       "attack", "number", "attack"),
    _m("attack_equipped_kits", "kits", "restraint kits", "the plan's forks + shields",
       "count", "attack"),
    # ---------------------------------------------------------------- vehicle
    _m("vehicle_blocked", "", "vehicle blocked",
       "whether a barrier stopped the vehicle's first attempt", "flag", "vehicle"),
    _m("blocked_by", "", "blocked by", "id of the barrier that stopped it", "text",
       "vehicle"),
    _m("vehicle_victims", "persons", "vehicle victims", "people struck by the vehicle",
       "count", "vehicle"),
    _m("vehicle_deaths", "persons", "vehicle deaths", "people killed by the vehicle",
       "count", "vehicle"),
    _m("impact_speed_mps", "m/s", "impact speed",
       "speed at the (last) entrance rammed, after humps and chicanes", "number", "vehicle"),
    _m("vehicle_energy_kj", "kJ", "vehicle kinetic energy",
       "½ m v² of the vehicle at that impact speed (compared with barrier ratings)",
       "number", "vehicle"),
    _m("barriers_breached", "", "barriers breached",
       "ids of the barriers the vehicle broke through (energy above their rating)", "list",
       "vehicle"),
    _m("vehicle_retargeted_to", "", "vehicle retargeted to",
       "the entrance a stopped driver drove to next (`null`: none)", "text", "vehicle"),
    _m("vehicle_entrance", "", "entrance rammed", "the entrance opening rammed", "text",
       "vehicle"),
    _m("vehicle_stopped_at", "", "vehicle stopped at", "where the vehicle stopped", "text",
       "vehicle"),
    # ---------------------------------------------------------------- explosion
    _m("explosion_victims", "persons", "blast victims", "people killed or injured by blasts",
       "count", "explosion"),
    _m("explosion_deaths", "persons", "blast deaths", "people killed by blasts", "count",
       "explosion"),
    _m("explosion_neighbour_injuries", "persons", "blast injuries next door",
       "people injured in spaces next to the seat", "count", "explosion"),
    _m("second_device_victims", "persons", "second-device victims",
       "victims of the second device", "count", "explosion"),
    _m("openings_lost", "", "openings lost", "openings destroyed by blasts", "list",
       "explosion"),
    # ---------------------------------------------------------------- robbery
    _m("robbery_target", "", "robbery target", "the space robbed", "text", "robbery"),
    _m("robbery_exit", "", "robber's exit", "the exit the robber ran for", "text", "robbery"),
    _m("intercepted", "", "robber intercepted", "whether staff stopped the robber", "flag",
       "robbery"),
    _m("t_intercepted_s", "s", "robber intercepted at", "when staff stopped the robber",
       "number", "robbery"),
    _m("robber_escaped", "", "robber escaped", "whether the robber got out", "flag",
       "robbery"),
    _m("t_robber_out_s", "s", "robber out", "when the robber got out", "number", "robbery"),
    # ---------------------------------------------------------------- hostage
    _m("hostages", "persons", "hostages", "people held in the shop", "count", "hostage"),
    _m("t_cordon_s", "s", "cordon complete", "when every cell next to the shop was held",
       "number", "hostage"),
    _m("zone_evacuated_s", "s", "zone evacuated",
       "when nobody was left in the evacuation zone", "number", "hostage"),
    _m("cordon_cells", "cells", "cordon cells", "cells of the cordon", "count", "hostage"),
    _m("zone_cells", "cells", "zone cells", "cells of the evacuation zone", "count",
       "hostage"),
    _m("t_hostages_released_s", "s", "hostages released", "when the hostages were released",
       "number", "hostage"),
    # ---------------------------------------------------------------- sabotage
    _m("sabotaged", "", "devices sabotaged", "the devices that failed", "list", "sabotage"),
    _m("locked_exits", "", "exits locked", "the exit openings chained shut", "list",
       "sabotage"),
    _m("t_sabotage_s", "s", "sabotage", "when the devices failed", "number", "sabotage"),
)

#: Every metric by key.
METRICS: Final[Mapping[str, Metric]] = {m.key: m for m in _DECLARED}
assert len(METRICS) == len(_DECLARED), "a metric is declared twice"
assert all(e in EMITTERS for m in _DECLARED for e in m.emitters)


def check_metric(name: str, *, field: str, source: str = "<command line>") -> str:
    """``name`` if its first part is a declared metric, else a one-line ScenarioError.

    ``--target``, ``--metric`` and ``until_ci.metric`` name metrics; a name no run can
    ever report is refused before any run starts, with the closest declared names as a
    hint. A mapping metric (``exit_counts``, ``aset_s``, ``sweep_complete_s``) is addressed
    by its name and a key: ``sweep_complete_s.zone-1``.
    """
    head = name.split(".", 1)[0]
    if head in METRICS:
        return name
    close = difflib.get_close_matches(head, sorted(METRICS), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else \
        " (docs/metrics.md lists every metric)"
    raise ScenarioError(f"no run reports a metric {head!r}{hint}", field=field,
                        source=source)


def metric_value(metrics: Mapping[str, Any] | None, name: str) -> float:
    """A run's value of metric ``name`` as a float; NaN when the run has no metrics, does
    not report it, or reports something that is not a number (None, a name, a table).

    ``name`` is a metric (``margin_s``) or a metric and a key into its table
    (``sweep_complete_s.zone-1``, also ``aset_s.L2.shop`` for a nested table); a flat key
    that itself holds dots is found first.
    """
    if not metrics:
        return math.nan
    node: Any = metrics
    if name in metrics:
        node = metrics[name]
    else:
        for part in name.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return math.nan
            node = node[part]
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) \
        else math.nan


class MetricCollector:
    """The metrics of one run: a mapping that accepts declared keys only.

    Hazards and staff record their metrics here; nothing reads it as a signal between
    processes (those are SimPy events, :class:`sim.engine.world.Signals`).
    """

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    @staticmethod
    def _check(key: str) -> None:
        if key not in METRICS:
            raise KeyError(f"undeclared metric {key!r}: declare it in sim.engine.metrics")

    def __setitem__(self, key: str, value: Any) -> None:
        self._check(key)
        self._values[key] = value

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, else ``default``."""
        return self._values.get(key, default)

    def setdefault(self, key: str, value: Any) -> Any:
        """Set ``key`` unless it is set; its value."""
        self._check(key)
        return self._values.setdefault(key, value)

    def add(self, key: str, k: int = 1) -> None:
        """Add ``k`` to a count (0 when unset)."""
        self[key] = int(self._values.get(key, 0)) + k

    def as_dict(self) -> dict[str, Any]:
        """A copy of the values, in the order they were first set."""
        return dict(self._values)


#: A paragraph under a section's heading in ``docs/metrics.md``.
_NOTES: Final = {
    "fire": "Definitions and criteria: [fire-and-smoke.md](fire-and-smoke.md). Per-level "
            "values are maps level id → value (flattened to `aset_level_s.L2` in batch "
            "reports).",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def metrics_markdown() -> str:
    """``docs/metrics.md``: every metric, grouped by what emits it."""
    out = ["# Metrics", "",
           "`safemall run --json` prints one flat JSON object; batches store the same keys. "
           "Times are", "seconds from the start of the scenario, densities persons/m², "
           "distances metres. A metric", "that does not apply to a run (no fire, no "
           "attacker) is absent; one that applies but never", "happened (someone never got "
           "out) is `null`. Mappings are flattened as `metric.key` in batch", "tables.", "",
           "This page is generated from the declarations in `sim/engine/metrics.py` "
           "(`python tools/make_metrics_doc.py`); a test keeps them in step.",
           ""]
    for emitter in EMITTERS:
        rows = [m for m in _DECLARED if m.emitters[0] == emitter]
        if not rows:
            continue
        out += [f"## {_SECTIONS[emitter]}", ""]
        if emitter in _NOTES:
            out += [_NOTES[emitter], ""]
        out += ["| key | unit | label | meaning |",
                "|---|---|---|---|"]
        for m in rows:
            also = m.emitters[1:]
            extra = f" (also set by: {', '.join(also)})" if also else ""
            out.append(f"| `{m.key}` | {_cell(m.unit) or '—'} | {_cell(m.label)} | "
                       f"{_cell(m.meaning)}{extra} |")
        out.append("")
    return "\n".join(out)
