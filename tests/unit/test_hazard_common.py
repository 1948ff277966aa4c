"""A small mall and plan for the attack-type hazard tests, and the shared helpers' rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.hazards import _common as cm
from tests.conftest import run_dict


def mall() -> dict[str, Any]:
    """A corridor with four shops (s1 a jewellery shop), a road plaza and two exits."""
    spaces: list[dict[str, Any]] = [
        {"id": "corr", "kind": "corridor", "level": "L1", "rect": [0, 0, 60, 6]},
        {"id": "plaza", "kind": "plaza", "level": "L1", "rect": [20, -20, 20, 20],
         "tags": ["road"]},
        {"id": "road", "kind": "exit", "level": "L1", "tags": ["road"]},
        {"id": "out-w", "kind": "exit", "level": "L1"},
        {"id": "out-e", "kind": "exit", "level": "L1", "tags": ["road"]},
    ]
    openings: list[dict[str, Any]] = [
        {"id": "main", "between": ["corr", "plaza"], "width_m": 6.0, "at": [30, 0],
         "tags": ["main_entrance"]},
        {"id": "plaza-road", "between": ["plaza", "road"], "width_m": 20.0, "at": [30, -20]},
        {"id": "west", "between": ["corr", "out-w"], "width_m": 2.0, "at": [0, 3]},
        {"id": "east", "between": ["corr", "out-e"], "width_m": 2.0, "at": [60, 3]},
    ]
    for k in range(4):
        tags = ["shop_category:jewellery"] if k == 1 else []
        spaces.append({"id": f"s{k}", "kind": "shop", "level": "L1",
                       "rect": [15 * k, 6, 15, 10], "tags": tags})
        openings.append({"id": f"d{k}", "between": [f"s{k}", "corr"], "width_m": 1.5,
                         "at": [15 * k + 7.5, 6]})
    return {"schema": "safemall/layout/1", "mall": {"name": "test"},
            "levels": [{"id": "L1", "elevation_m": 0.0}], "spaces": spaces,
            "openings": openings}


def plan_file(tmp: Path, *, guards: int = 6, forks: int = 3, shields: int = 3,
              team: int = 0, bollards: tuple[str, ...] = (), bumps: int = 0,
              police_s: float = 300.0, officers: bool = True, name: str = "plan") -> str:
    """Write a security plan for :func:`mall` and return its path."""
    lines = ['schema = "safemall/security/1"', 'duty_room = "corr"', "[guards]",
             f"total = {guards}", "equipped = true",
             "[[guards.posts]]", 'id = "p"', 'space = "corr"', f"count = {guards}",
             'role = "post"']
    if team:
        lines += ["[team]", f"members = {team}", 'base = "corr"']
    lines += ["[shop_officers]", f"per_shop = {1 if officers else 0}",
              "[cctv]", "operators = 1", "[[cctv.cameras]]", 'id = "c"', 'space = "corr"',
              "[alarm]", "police_link = true", f"police_travel_s = {police_s}",
              "[[alarm.buttons]]", 'id = "b"', 'space = "corr"',
              "[[pa.zones]]", 'id = "all"', "all = true",
              "[equipment]", f"forks = {forks}", f"shields = {shields}"]
    for o in bollards:
        lines += ["[[barriers]]", f'id = "bollard-{o}"', 'kind = "bollard"', f'opening = "{o}"']
    lines += ["[[approaches]]", 'id = "a-main"', 'to = "main"', "length_m = 60.0",
              f"speed_bumps = {bumps}"]
    p = tmp / f"{name}.toml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(p)


def run(hazards: list[dict[str, Any]], *, plan: str | None = None, count: int = 300,
        seed: int = 1, plaza: bool = True, **kw: Any) -> Any:
    """Run :func:`mall` with ``hazards`` (and a plan file) and keep the world."""
    kinds = ["shop", "corridor", "plaza"] if plaza else ["shop", "corridor"]
    scn: dict[str, Any] = {"occupants": {"count": count, "in_kinds": kinds}, "seed": seed,
                           "hazards": hazards, "output": {"lower_bound": False}, **kw}
    if plan is not None:
        scn["security"] = {"plan": plan}
    return run_dict(mall(), scn, keep_world=True)


def test_harm_takes_a_person_out_once():
    res = run([{"kind": "sabotage"}], count=20)
    w = res.world
    assert cm.harm(w, 0, "test", fatal=False)
    assert not cm.harm(w, 0, "test", fatal=True)
    assert w.casualties == 1 and list(w.harmed_by) == [0]


def test_entrance_cells_and_default_entrance():
    res = run([{"kind": "sabotage"}], count=10)
    w = res.world
    assert cm.default_entrance(w) == "main"
    out, inside = cm.entrance_cells(w, "main", "x")
    assert w.cell_space[out] == "plaza" and w.cell_space[inside] == "corr"


def test_open_path_avoids_closed_doors():
    res = run([{"kind": "sabotage"}], count=10)
    w = res.world
    s1 = w.cell_index[w.net.cells_of_space["s1"][0]]
    corr = [w.cell_index[c] for c in w.net.cells_of_space["corr"]]
    assert cm.open_path(w, corr[0], s1)
    q = cm.opening_portal(w, "d1", "x")
    w.doors[q].blocked = True
    assert cm.open_path(w, corr[0], s1) == []
