"""Hypothesis strategies shared by the property tests: random small malls and scenarios."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


@st.composite
def grid_mall(draw: st.DrawFn, *, max_rooms: int = 8) -> dict[str, Any]:
    """A random orthogonal mall: a corridor spine with rooms on both sides, 1–3 exits.

    Rooms are 6–12 m deep, 5–10 m wide; some rooms connect to their neighbour; one level
    or two joined by a stair. Every room reaches an exit.
    """
    n_rooms = draw(st.integers(2, max_rooms))
    corridor_w = draw(st.sampled_from([2.0, 3.0, 4.0]))
    two_levels = draw(st.booleans())
    spaces: list[dict[str, Any]] = []
    openings: list[dict[str, Any]] = []
    x = 0.0
    per_side = (n_rooms + 1) // 2
    widths = [draw(st.floats(5.0, 10.0)) for _ in range(per_side)]
    length = sum(widths)
    spaces.append({"id": "corr", "kind": "corridor", "level": "L1",
                   "rect": [0.0, 0.0, length, corridor_w]})
    k = 0
    for side in (0, 1):
        x = 0.0
        for i in range(per_side):
            if k >= n_rooms:
                break
            w = widths[i]
            depth = draw(st.floats(6.0, 12.0))
            y = -depth if side == 0 else corridor_w
            rid = f"r{k}"
            spaces.append({"id": rid, "kind": "shop", "level": "L1", "rect": [x, y, w, depth]})
            door_w = draw(st.sampled_from([0.9, 1.2, 1.8]))
            openings.append({"id": f"d{k}", "between": [rid, "corr"], "width_m": door_w,
                             "at": [x + w / 2, 0.0 if side == 0 else corridor_w]})
            if i > 0 and draw(st.booleans()):
                openings.append({"id": f"j{k}", "between": [f"r{k - 1}", rid], "width_m": 1.0,
                                 "at": [x, y + depth / 2]})
            x += w
            k += 1
    n_exits = draw(st.integers(1, 3))
    for e in range(n_exits):
        spaces.append({"id": f"out{e}", "kind": "exit", "level": "L1"})
        at = [0.0, corridor_w / 2] if e == 0 else [length, corridor_w / 2] if e == 1 \
            else [length / 2, 0.0 if not spaces[1]["rect"][1] < 0 else corridor_w]
        openings.append({"id": f"exit{e}", "between": ["corr", f"out{e}"],
                         "width_m": draw(st.sampled_from([1.0, 1.6, 2.4])), "at": at})
    levels = [{"id": "L1", "elevation_m": 0.0}]
    if two_levels:
        levels.append({"id": "L2", "elevation_m": 5.0})
        spaces.append({"id": "upper", "kind": "corridor", "level": "L2",
                       "rect": [0.0, 0.0, length, corridor_w]})
        spaces.append({"id": "stair", "kind": "stair", "levels": ["L1", "L2"],
                       "rect": [length, 0.0, 4.0, corridor_w], "length_m": 8.0})
        openings.append({"id": "s-low", "between": ["corr", "stair"], "width_m": corridor_w,
                         "at": [length, corridor_w / 2], "level": "L1"})
        openings.append({"id": "s-high", "between": ["upper", "stair"], "width_m": corridor_w,
                         "at": [length + 4.0, corridor_w / 2], "level": "L2"})
    return {"schema": "safemall/layout/1", "mall": {"name": "random"}, "levels": levels,
            "spaces": spaces, "openings": openings}
