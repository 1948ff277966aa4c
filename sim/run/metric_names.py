"""The metric names a run can report (``docs/metrics.md``), for checking options early.

``--target``, ``--metric`` and ``until_ci.metric`` name metrics; a name that no run can
ever report is refused before any run starts, with the closest declared names as a hint.
A metric that is a table (``exit_counts``, ``aset_s``, ``sweep_complete_s``) is addressed
by its name and a key: ``sweep_complete_s.zone-1``. ``tests/unit/test_metric_names.py``
keeps this list, the documentation and what runs report in step.
"""

from __future__ import annotations

import difflib
from typing import Final

from sim.errors import ScenarioError

METRIC_NAMES: Final[frozenset[str]] = frozenset((
    "aset_censored_levels", "aset_level_s", "aset_min_s", "aset_origin_s", "aset_s",
    "attack_deaths", "attack_equipped_kits", "attack_stopped_by", "attack_victims",
    "attack_victims_per_min_after_responder", "attack_victims_per_min_before_responder",
    "attackers_neutralised", "blocked_by", "casualties", "cordon_cells", "crush_falls",
    "deadlocks_resolved", "design_fire", "detected_by", "evacuated",
    "exhaust_started_s", "exit_counts", "explosion_deaths",
    "explosion_neighbour_injuries", "explosion_victims", "exposed_fed_0_1",
    "fed_ge_0_3", "fed_ge_1", "fed_max", "fruin_los_share", "guard_distance_m_max",
    "guard_distance_m_mean", "guided_cues", "hostages", "hotspots", "hrr_peak_kw",
    "impact_speed_mps", "incapacitated_fire", "injured_crush", "injured_on_stairs",
    "inside", "intercepted", "locked_exits", "margin_level_s", "margin_min_level_s",
    "margin_s", "margin_space", "max_time_above_4pm2_s", "max_time_above_critical_s",
    "mean_premovement_s", "min_layer_level_m", "min_visibility_level_m", "moves",
    "occupants", "openings_lost", "origin_layer_max_c", "peak_density_by_space",
    "peak_density_pm2", "peak_density_space", "responders_at_incident",
    "responders_injured", "responders_killed", "robber_escaped", "robbery_exit",
    "robbery_target", "rset_level_s", "rset_over_aset_max", "rset_s", "sabotaged",
    "second_device_victims", "seed", "seed_entropy", "shops_locked", "shutters_at_1_8m",
    "shutters_closed", "smoke_level_first_s", "smoke_levels_reached",
    "smoke_spaces_reached", "spawn_key", "sprinkler_activated_s", "sprinklered",
    "staff_guards", "staff_kits", "staff_officers", "staff_team", "sweep_complete_s",
    "t95_evacuation_s", "t_alarm_s", "t_contact_after_incident_s", "t_contact_s",
    "t_cordon_s", "t_detected_s", "t_dispatched_after_incident_s", "t_dispatched_s",
    "t_end_s", "t_evacuation_s", "t_first_lockdown_s",
    "t_first_responder_after_incident_s", "t_first_responder_s",
    "t_hostages_released_s", "t_intercepted_s", "t_lower_bound_s",
    "t_neutralised_after_incident_s", "t_neutralised_s", "t_pa_s", "t_police_arrived_s",
    "t_police_called_s", "t_reported_s", "t_robber_out_s", "t_sabotage_s",
    "t_verified_s", "time_above_4pm2_s", "time_above_critical_s", "turned_back",
    "vehicle_blocked", "vehicle_deaths", "vehicle_entrance", "vehicle_stopped_at",
    "vehicle_victims", "vent_limit_kw", "vents_opened_s", "wall_s", "zone_cells",
    "zone_evacuated_s",
))


def check_metric(name: str, *, field: str, source: str = "<command line>") -> str:
    """``name`` if its first part is a declared metric, else a one-line ScenarioError."""
    head = name.split(".", 1)[0]
    if head in METRIC_NAMES:
        return name
    close = difflib.get_close_matches(head, sorted(METRIC_NAMES), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else \
        " (docs/metrics.md lists every metric)"
    raise ScenarioError(f"no run reports a metric {head!r}{hint}", field=field,
                        source=source)
