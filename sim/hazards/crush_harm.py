"""Death by compressive asphyxia in a sustained extreme crowd density.

Rule
----
A person in a cell whose density has stayed at or above ``density_pm2`` (7 persons/m²)
for a continuous spell of at least ``onset_s`` (30 s) is being compressed, and dies at a
hazard of ``rate_per_min`` per minute of further compression: each person draws an
exponential resistance once and dies when the accumulated hazard exceeds it. The dose
does not decay (a person released and compressed again keeps what they took), but no dose
accrues outside a compressive spell.

Sources (``docs/harm-calibration.md`` §Crush has the records):

* 7 persons/m²: Fruin's critical density of a static crowd (7.1 p/m², a Fruin-derived
  chart [F15]); "at about 7 p/m² the crowd becomes almost a fluid mass" [F16][F17].
* 30 s: Still, "about 30 s of compression restricts blood flow to the brain" [F20].
* ``rate_per_min`` = 0.006 per minute (range 0.003-0.013): the lethality of two recorded
  crushes over their exposure. Itaewon 2022: 159 killed among the ~1,370 people of a
  3.2 m x ~45 m alley at 9-10.7 p/m² [F1][F2][F3] (alley length and headcount
  **assumed**), trapped 10-40 min → 0.003-0.013 per min; Hillsborough 1989: 96 killed
  among ~2,000-3,000 in pens 3-4 [F9][F10][F11] over 5-15 min → 0.003-0.009 per min.
  Still's "about 6 minutes to compressive asphyxia" [F20] is the time for the people in
  the worst positions (fallen, against a barrier); a cell-average hazard spreads it over
  everyone in the cell. No source read gives a dose-response curve
  (docs/harm-calibration.md §3): this is the simplest rule that reproduces the recorded
  lethality, and it is an **assumption** in form.

At densities the model reaches only when a crowd pushes (a cell's jam cap is 4 p/m²;
pushing in a crush raises it to 7 p/m², :mod:`sim.hazards.crush`), so an orderly
evacuation never kills by this rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.assumptions import declare

__all__ = ["ASPHYXIA_DENSITY_PM2", "ASPHYXIA_ONSET_S", "ASPHYXIA_RATE_PER_MIN",
           "AsphyxiaDose"]

_C = ("crush",)
DENSITY = declare(
    "crush.asphyxia_density_pm2", default=7.0, unit="persons/m²", low=6.5, high=8.0,
    dist="uniform", valid_min=1.0, status="sourced", used_by=_C,
    source="Fruin-derived chart (EPJ Data Science 2012, Table 1): static-crowd critical "
           "density 7.1 persons/m²; Fruin 1993: at about 7 p/m² the crowd becomes a fluid "
           "mass", name="Density at which a crowd compresses people")
ONSET = declare(
    "crush.asphyxia_onset_s", default=30.0, unit="s", low=15.0, high=60.0,
    dist="uniform", valid_min=0.0, status="sourced", used_by=_C,
    source="G.K. Still (Stuff/Washington Post 2022): about 30 s of compression restricts "
           "blood flow to the brain", name="Compression before harm begins")
RATE = declare(
    "crush.asphyxia_rate_per_min", default=0.006, unit="1/min", low=0.003, high=0.013,
    dist="loguniform", valid_min=0.0, status="fitted", used_by=_C,
    source="lethality of Itaewon 2022 (159 killed of ~1,370 in the alley, 10-40 min; "
           "headcount assumed) and Hillsborough 1989 (96 of ~2,000-3,000, 5-15 min): "
           "0.003-0.013 per min of compression; docs/harm-calibration.md",
    name="Death hazard per minute of compression (compressive asphyxia)")
ASPHYXIA_DENSITY_PM2 = DENSITY.default
"""Density (p/m²) at which a crowd compresses people: Fruin's static critical 7.1 [F15]."""
ASPHYXIA_ONSET_S = ONSET.default
"""Continuous compression before harm begins (s): Still [F20]."""
ASPHYXIA_RATE_PER_MIN = RATE.default
"""Death hazard per minute of compression (Itaewon and Hillsborough lethality)."""


@dataclass
class AsphyxiaDose:
    """Compression dose of every person; :meth:`step` returns who dies now."""

    resistance: np.ndarray
    """Exponential(1) per person, drawn once."""
    density_pm2: float = ASPHYXIA_DENSITY_PM2
    onset_s: float = ASPHYXIA_ONSET_S
    rate_per_min: float = ASPHYXIA_RATE_PER_MIN

    def __post_init__(self) -> None:
        self.dose = np.zeros(len(self.resistance))
        self.dead = np.zeros(len(self.resistance), dtype=bool)
        self.spell: np.ndarray | None = None

    def compressive(self, count: np.ndarray, area: np.ndarray) -> np.ndarray:
        """Cells at or above the asphyxia density (count ≥ ⌊area · density⌋, as caps)."""
        need = np.floor(area * self.density_pm2)
        return (area > 0) & (count >= np.maximum(need, 1))

    def step(self, count: np.ndarray, area: np.ndarray, cell_of: np.ndarray,
             present: np.ndarray, dt_s: float) -> np.ndarray:
        """Advance ``dt_s`` seconds; indices of the people who die now.

        ``cell_of[i]`` is person ``i``'s cell; ``present`` marks people still in the
        building and alive.
        """
        comp = self.compressive(count, area)
        if self.spell is None:
            self.spell = np.zeros(len(count))
        self.spell = np.where(comp, self.spell + dt_s, 0.0)
        lethal = comp & (self.spell > self.onset_s)
        if not lethal.any():
            return np.empty(0, dtype=int)
        exposed = present & ~self.dead & lethal[cell_of]
        self.dose[exposed] += self.rate_per_min * dt_s / 60.0
        new = np.flatnonzero(exposed & (self.dose >= self.resistance))
        self.dead[new] = True
        return new
