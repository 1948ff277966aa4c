"""What staff do in a crush: they change flows (holding customers, metering doors), never a
cell's capacity; and nobody is left walking back and forth inside."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

from tests.conftest import FIXTURES, ROOT, hazard_runs, run_dict
from tests.unit.test_hazard_common import plan_file, run

CRUSH_IN_CORRIDOR = {"kind": "crush", "trigger": "panic", "space": "corr", "t_s": 5.0,
                     "panic_radius": 0}


def _marks(res, *kinds):
    return [m for m in res.marks if m.kind in kinds]


def test_everyone_leaves_when_the_only_way_out_crosses_the_avoided_incident_cell():
    """The example mall's only exit is in the crush's own cell, which the guided PA tells
    people to avoid: they turn back once at each opening into it, then go through."""
    layout = tomllib.loads((FIXTURES / "example_layout.toml").read_text())
    res = run_dict(layout, {"seed": 11, "occupants": {"count": 100},
                            "movement": {"max_cell_area_m2": 300.0},
                            "security": {"plan": str(FIXTURES / "example_security.toml")},
                            "hazards": [{"kind": "crush", "space": "hall"}],
                            "duration_s": 1800.0}, keep_world=True)
    assert res.metrics["inside"] == 0 and res.metrics["evacuated"] == 100
    turns = Counter(i for i, _q in res.world._turned_at)
    assert max(turns.values(), default=0) <= 2  # hall#0 has 2 doors


def test_shop_officers_keep_their_customers_through_the_pa_until_a_minute_of_calm(
        tmp_path: Path):
    res = run([CRUSH_IN_CORRIDOR], plan=plan_file(tmp_path), count=1500, duration_s=3000)
    (hold,), (pa,), (release,) = (_marks(res, k) for k in ("shops_hold", "pa",
                                                           "shops_release"))
    held = int(hold.label.split(" hold ")[1].split()[0])
    assert held > 0 and hold.t < pa.t < release.t
    # the PA did not send them out: all of them were still in the shops at the release,
    # which came once no cell had been above 4 p/m² for all_clear_s (60 s)
    assert release.label == f"{held} customers sent out"
    assert release.t >= hold.t + 60.0
    assert not res.world.kept and res.metrics["inside"] == 0


def test_without_shop_officers_nobody_is_held(tmp_path: Path):
    res = run([CRUSH_IN_CORRIDOR], plan=plan_file(tmp_path, officers=False), count=1500,
              duration_s=3000)
    assert not _marks(res, "shops_hold", "shops_release")


def test_metering_guards_hold_doors_but_never_change_how_densely_a_cell_packs():
    """Riverside atrium crush: guards meter the stairs the panic packs; each metered cell
    keeps the cap the pushing gave it (7 p/m²; the dropped rule reset it to the 4 p/m²
    jam cap), and every door is back at its own rate once the guards leave."""
    from sim.io.scenario_files import load_scenario
    from sim.run.runner import run_scenario

    res = run_scenario(load_scenario(ROOT / "scenarios" / "atrium_crush_riverside.toml"),
                       seed=1, keep_world=True)
    w = res.world
    crush = hazard_runs(w, "crush")[0]
    zone = crush._zone(crush.spec.panic_radius)
    assert _marks(res, "metering") and crush.metered & zone
    for c in crush.metered:
        pushed = max(w.base_cap[c], int(w.area[c] * 7.0)) if c in zone else w.base_cap[c]
        assert w.cap[c] == pushed
    assert all(d.headway == d.base_headway for d in w.doors)
