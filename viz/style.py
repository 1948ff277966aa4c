"""Colours and symbols shared by the viewer, the exporter and the plots.

Colours are ``(r, g, b)`` tuples in 0..255; :func:`mpl` converts one for matplotlib.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from sim.engine.replay import ENTITY_KINDS, State

RGB = tuple[int, int, int]

BACKGROUND: Final[RGB] = (28, 30, 36)
WALL: Final[RGB] = (40, 42, 48)
TEXT: Final[RGB] = (235, 235, 240)
TEXT_DIM: Final[RGB] = (160, 163, 175)
PANEL_BG: Final[RGB] = (18, 20, 26)

#: Fill colour of every space kind (light, so dots stand out).
SPACE_FILL: Final[dict[str, RGB]] = {
    "shop": (214, 206, 190),
    "corridor": (236, 234, 228),
    "atrium": (222, 232, 240),
    "stair": (190, 200, 222),
    "escalator": (200, 190, 222),
    "exit": (170, 220, 170),
    "plaza": (206, 222, 198),
    "parking": (200, 200, 200),
    "cctv_room": (226, 196, 196),
    "duty_room": (226, 206, 186),
    "finance_room": (230, 214, 170),
    "gate": (206, 220, 214),
    "service": (208, 208, 200),
}
DEFAULT_FILL: Final[RGB] = (215, 215, 215)

OPENING_COLOUR: Final[dict[str, RGB]] = {
    "door": (150, 110, 60),
    "opening": (245, 245, 245),
    "shutter": (90, 110, 160),
    "fire_door": (200, 40, 40),
}
EXIT_COLOUR: Final[RGB] = (20, 160, 60)

#: Dot colour of every entity state.
STATE_COLOUR: Final[dict[int, RGB]] = {
    State.UNAWARE: (110, 110, 120),
    State.MOVING: (30, 110, 230),
    State.QUEUING: (240, 160, 0),
    State.SHELTERING: (140, 60, 200),
    State.INJURED: (235, 80, 30),
    State.INCAPACITATED: (190, 0, 0),
    State.SAFE: (20, 170, 60),
    State.DEAD: (0, 0, 0),
    State.ON_POST: (0, 130, 130),
    State.PATROLLING: (0, 160, 160),
    State.RESPONDING: (250, 110, 180),
    State.ENGAGED: (220, 0, 120),
    State.DIRECTING: (0, 190, 210),
    State.SWEEPING: (90, 200, 200),
    State.ATTACKING: (220, 0, 0),
    State.NEUTRALISED: (120, 120, 120),
    State.FLEEING: (255, 90, 0),
}
UNKNOWN_STATE_COLOUR: Final[RGB] = (255, 0, 255)

#: Short names shown in legends and help.
STATE_NAME: Final[dict[int, str]] = {int(s): s.name.lower() for s in State}

#: How each entity kind is drawn: ``dot`` or a shape name; big symbols carry a letter.
KIND_SHAPE: Final[dict[str, str]] = {
    "occupant": "dot",
    "guard": "triangle",
    "team": "square",
    "officer": "diamond",
    "attacker": "big",
    "vehicle": "big",
    "police": "big",
    "robber": "big",
}
BIG_LETTER: Final[dict[str, str]] = {"attacker": "A", "vehicle": "V", "police": "P",
                                     "robber": "R"}
BIG_COLOUR: Final[dict[str, RGB]] = {
    "attacker": (210, 0, 0),
    "vehicle": (150, 0, 60),
    "police": (20, 40, 170),
    "robber": (160, 60, 0),
}
KIND_INDEX: Final[dict[str, int]] = {k: i for i, k in enumerate(ENTITY_KINDS)}

#: Timeline mark colours by mark kind (unknown kinds are grey).
MARK_COLOUR: Final[dict[str, RGB]] = {
    "fire": (255, 120, 0),
    "ignition": (255, 120, 0),
    "detection": (255, 200, 0),
    "detected": (255, 200, 0),
    "incident": (255, 70, 0),
    "untenable": (190, 90, 40),
    "openings_lost": (150, 80, 40),
    "alarm": (230, 30, 30),
    "attack": (200, 0, 0),
    "first_responder": (250, 110, 180),
    "neutralised": (120, 200, 120),
    "police": (60, 90, 255),
    "last_out": (20, 170, 60),
    "all_clear": (20, 170, 60),
}
MARK_DEFAULT: Final[RGB] = (200, 200, 200)


def mark_colour(kind: str) -> RGB:
    """Colour of a timeline mark; prefixes match (``alarm_general`` is an alarm)."""
    if kind in MARK_COLOUR:
        return MARK_COLOUR[kind]
    for key, col in MARK_COLOUR.items():
        if kind.startswith(key):
            return col
    return MARK_DEFAULT


# --- Fruin level of service (walkways, m² per person) -----------------------------------

#: Lower bounds of area per person (m²) for LoS A..E; below the last is F.
FRUIN_BOUNDS_M2: Final = (3.25, 2.32, 1.39, 0.93, 0.46)
FRUIN_LETTERS: Final = ("A", "B", "C", "D", "E", "F")
FRUIN_COLOUR: Final[tuple[RGB, ...]] = (
    (46, 160, 67),    # A
    (140, 200, 60),   # B
    (240, 220, 50),   # C
    (250, 160, 40),   # D
    (235, 80, 30),    # E
    (170, 0, 40),     # F
)


def fruin_index(persons: np.ndarray, area_m2: np.ndarray) -> np.ndarray:
    """Fruin LoS index 0..5 (A..F) per cell; -1 where nobody is or the area is 0.

    Bands (m²/person): A > 3.25, B 2.32–3.25, C 1.39–2.32, D 0.93–1.39, E 0.46–0.93,
    F < 0.46. A is strict (3.25 is B); every other boundary value belongs to the better
    band (2.32 is B, 0.46 is E).
    """
    persons = np.asarray(persons, dtype=np.float64)
    area = np.asarray(area_m2, dtype=np.float64)
    ok = (persons > 0) & (area > 0)
    per = np.divide(area, persons, out=np.full(np.broadcast(persons, area).shape, np.inf),
                    where=ok)
    a, b, c, d, e = FRUIN_BOUNDS_M2
    idx = np.select([per > a, per >= b, per >= c, per >= d, per >= e], [0, 1, 2, 3, 4], 5)
    return np.where(ok, idx, -1).astype(np.int8)


def mpl(c: RGB, alpha: float | None = None) -> tuple[float, ...]:
    """A 0..255 colour as a matplotlib RGB(A) tuple."""
    rgb = (c[0] / 255, c[1] / 255, c[2] / 255)
    return rgb if alpha is None else (*rgb, alpha)


def state_lut() -> np.ndarray:
    """``(256, 3)`` uint8 table: state code → colour."""
    lut = np.tile(np.array(UNKNOWN_STATE_COLOUR, np.uint8), (256, 1))
    for code, col in STATE_COLOUR.items():
        lut[int(code)] = col
    return lut


def fmt_clock(t: float, tenths: bool = False) -> str:
    """``hh:mm:ss`` (``mm:ss`` under an hour), optionally with tenths."""
    sign = "-" if t < 0 else ""
    t = abs(t)
    h, rem = divmod(int(t), 3600)
    m, s = divmod(rem, 60)
    base = f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
    if tenths:
        base += f".{int((t - int(t)) * 10) % 10}"
    return sign + base


# --- print-friendly series (plots in reports) --------------------------------------------

#: Smallest font of legends and tick labels in report figures (pt): readable when printed.
LEGEND_PT: Final = 8.0
#: Markers and line styles cycled with colour, so series differ in grey print too.
SERIES_MARKERS: Final = ("o", "s", "^", "D", "v", "P", "X", "*")
SERIES_LINES: Final = ("-", "--", "-.", ":")


def series_colours(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` colours for ordered series: viridis from dark to 0.78, whose light end stays
    visible on white paper (viridis' own yellow end does not) and whose lightness rises
    monotonically, so the order survives grey printing."""
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    if n <= 1:
        return [cmap(0.35)]
    return [cmap(0.78 * i / (n - 1)) for i in range(n)]
