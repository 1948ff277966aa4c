"""What SafeMall accepts: physical bounds on input numbers and caps on the work an input
may ask for. Every loader and importer reads them from here (documented in
``docs/limits.md``); an input outside them is refused with a one-line error before any
work starts.

Physical bounds say what a user of the field would expect; they are generous, so a real
mall never meets them, and tight enough that a typo (an extra three zeros, a unit slip of
mm for m) or a non-number is caught where it is read:

* person speeds: above 0 and at most 10 m/s. Usain Bolt's peak of 12.4 m/s lasts a few
  metres; walking is 0.5–2 m/s (SFPE, Weidmann 1993) and running 3–6 m/s.
* vehicle speeds: at most 70 m/s (252 km/h); accelerations at most 15 m/s² (1.5 g,
  beyond any road car's braking).
* opening widths: at most 50 m (a whole mall frontage of shutters is about 20 m).
* plan extents: one space at most 5 km across; coordinates within 1,000 km of the
  origin (importers shift survey coordinates to the plan's corner).
* level elevations within ±1,000 m (the tallest building is 828 m).
* times (events, delays, durations): at most one day, 86,400 s.
* time steps of hazards and samplers: at least 0.1 s.

Work caps keep every accepted input within seconds and a few hundred MB per run on a
laptop; each is at least ten times the largest bundled mall or plan.
"""

from __future__ import annotations

from typing import Final

# -- physical bounds -------------------------------------------------------------------

MAX_PERSON_SPEED_MPS: Final = 10.0
"""Fastest speed of any person (m/s): free walking, running, guards, attackers."""
MAX_VEHICLE_SPEED_MPS: Final = 70.0
"""Fastest vehicle (m/s)."""
MAX_ACCEL_MPS2: Final = 15.0
"""Largest acceleration or deceleration of a vehicle (m/s²)."""
MAX_OPENING_WIDTH_M: Final = 50.0
"""Widest opening (m)."""
MAX_EXTENT_M: Final = 5_000.0
"""Largest extent of one space, and largest length of anything walked (m)."""
MAX_COORD_M: Final = 1_000_000.0
"""Largest absolute plan coordinate (m)."""
MAX_ELEVATION_M: Final = 1_000.0
"""Largest absolute level elevation (m)."""
MAX_HEIGHT_M: Final = 200.0
"""Tallest clear height of a space (m)."""
MAX_STEP_MM: Final = 1_000.0
"""Largest stair riser or tread (mm)."""
MAX_TIME_S: Final = 86_400.0
"""Longest time of anything: an event time, a delay, a run's duration (s)."""
MIN_TIME_STEP_S: Final = 0.1
"""Shortest time step of a hazard or sampler (s)."""
MIN_CELL_SIZE: Final = 1.0
"""Smallest cell limit: ``max_cell_area_m2`` (m²) and ``max_cell_length_m`` (m)."""
MAX_DENSITY_PM2: Final = 12.0
"""Highest crowd density anyone may configure (persons/m²; 9–10 is the physical limit)."""
MAX_RATE: Final = 1_000.0
"""Largest per-minute rate or dimensionless factor (victims/min, injuries/min, ...)."""
MAX_CHARGE_KG: Final = 10_000.0
"""Largest explosive charge (kg TNT)."""
MAX_FIRE_KW: Final = 1_000_000.0
"""Largest fire heat release rate (kW); a fully involved store is 10-50 MW."""

# -- work caps -------------------------------------------------------------------------

MAX_OCCUPANTS: Final = 200_000
"""Most people in one run (the grand mall's design load is about 30,000)."""
MAX_STAFF: Final = 10_000
"""Most staff of one kind (guards, posts' counts, team members, operators, officers)."""
MAX_ITEMS: Final = 100_000
"""Most entries in one list of an input file (spaces, openings, posts, cameras, ...)."""
MAX_CELLS_PER_SPACE: Final = 10_000
"""Most cells one space may be split into."""
MAX_CELLS: Final = 50_000
"""Most cells of a whole network (the grand mall has 691)."""
MAX_PANIC_RADIUS: Final = 1_000
"""Largest crush ``panic_radius`` (openings)."""
MAX_REPLICATIONS: Final = 100_000
"""Most replications of one configuration."""
MAX_CONFIGS: Final = 100_000
"""Most configurations of one batch."""
MAX_OVERRIDES: Final = 1_000
"""Most ``key=value`` overrides (and grid keys) of a batch file or one configuration."""
MAX_INPUT_BYTES: Final = 64 * 1024 * 1024
"""Largest TOML, JSON or GeoJSON input file (bytes)."""
MAX_DRAWING_BYTES: Final = 512 * 1024 * 1024
"""Largest DXF drawing (bytes)."""
MAX_NESTING: Final = 64
"""Deepest nesting of tables and arrays in a TOML or JSON input."""
