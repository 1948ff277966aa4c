"""``safemall assumptions`` and ``docs/assumptions.md``, generated from the register."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.analysis.assumptions_table import markdown
from sim.cli.main import main
from sim.model.assumptions import all_assumptions

ROOT = Path(__file__).resolve().parents[2]


def test_docs_assumptions_md_is_the_register() -> None:
    """Regenerate with ``safemall assumptions --markdown > docs/assumptions.md``."""
    doc = (ROOT / "docs" / "assumptions.md").read_text(encoding="utf-8")
    assert doc.rstrip("\n") == markdown(all_assumptions()).rstrip("\n")
    for a in all_assumptions():
        assert f"| `{a.key}` |" in doc


def test_json_of_a_scenario_lists_only_what_its_hazards_use(
        capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["assumptions", "--scenario", str(ROOT / "scenarios/knife_attack_grand.toml"),
               "--json", "--set", "assumptions.knife.harm_rate_per_min=4"])
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert rc == 0
    assert rows["knife.harm_rate_per_min"]["value"] == 4.0
    assert rows["knife.harm_rate_per_min"]["default"] == 9.09
    assert "police.travel_time_s" in rows and "premovement.alarm.mean_s" in rows
    assert not any(k.startswith(("crush.", "fire.", "vehicle.", "firearm.")) for k in rows)


def test_crush_scenario_has_no_knife_or_police_parameters(
        capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["assumptions", "--scenario",
               str(ROOT / "scenarios/atrium_crush_riverside.toml"), "--json"])
    keys = {r["key"] for r in json.loads(capsys.readouterr().out)}
    assert rc == 0 and "crush.injury_rate_per_min" in keys and "staff.hold_density_pm2" in keys
    assert "crush.asphyxia_rate_per_min" in keys
    assert not any(k.startswith(("knife.", "attack.", "police.")) for k in keys)


def test_bad_override_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["assumptions", "--scenario", str(ROOT / "scenarios/knife_attack_grand.toml"),
               "--set", "assumptions.knife.harm=4"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "\n" not in err and "assumptions.knife.harm" in err
