"""GB 50016-2014 table 5.5.21-2: design density of shop sales halls by storey.

The table behind ``density = "gb50016"`` occupant loads and the egress-code checks
(:mod:`sim.analysis.egress_code`). Source keys ``[F1]`` … are listed in
``docs/standards.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

Which = Literal["high", "low"]

#: Clause of table 5.5.21-2 (density of shop sales halls).
CLAUSE_DENSITY: Final = "GB 50016 5.5.21"

#: Sales-hall design density (persons/m²) by storey, (low, high). Table 5.5.21-2.
#: Storeys 1–2: 0.43–0.60 [F2]; storey 3: 0.39–0.54 [F1]; storey 4 and above: 0.30–0.42
#: (**UNVERIFIED**, memory of the table, no retrieved source); B1: 0.60 [F1]; B2: 0.56
#: [F1]. Floors below B2 take the B2 value (our extension, **UNVERIFIED**).
SALES_DENSITY: Final[Mapping[str, tuple[float, float]]] = {
    "1-2": (0.43, 0.60),   # [F2]
    "3": (0.39, 0.54),     # [F1]
    "4+": (0.30, 0.42),    # UNVERIFIED
    "B1": (0.60, 0.60),    # [F1]
    "B2": (0.56, 0.56),    # [F1]; also used below B2 (UNVERIFIED extension)
}
#: Showrooms for building materials, furniture and lighting use 30 % of the table [F1].
SHOWROOM_FACTOR: Final = 0.30
#: Shop tags that take :data:`SHOWROOM_FACTOR`.
SHOWROOM_TAGS: Final = frozenset({
    "shop_category:furniture", "shop_category:building_materials", "shop_category:lighting"})


def check_which(which: str) -> None:
    """Raise ``ValueError`` unless ``which`` is "high" or "low"."""
    if which not in ("high", "low"):
        raise ValueError(f"which must be 'high' or 'low', got {which!r}")


def density_band(storey: int) -> str:
    """The row of table 5.5.21-2 for a GB storey number (1, 2, … above; -1, -2 … below)."""
    if storey >= 4:
        return "4+"
    if storey == 3:
        return "3"
    if storey >= 1:
        return "1-2"
    if storey == -1:
        return "B1"
    return "B2"


def design_density(storey: int, which: Which = "high") -> float:
    """Design density (persons/m²) of a sales hall on ``storey``, table 5.5.21-2.

    Examples
    --------
    >>> design_density(1), design_density(3, "low"), design_density(-2)
    (0.6, 0.39, 0.56)
    """
    check_which(which)
    low, high = SALES_DENSITY[density_band(storey)]
    return high if which == "high" else low
