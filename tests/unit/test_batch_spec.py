"""Batch files: parsing, expansion order, one-line errors, override text, seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.batch.seeds import run_seed, spawn_key
from sim.batch.spec import load_batch, override, parse_overrides, toml_value
from sim.errors import ScenarioError
from sim.model.scenario import parse_value

LAYOUT = Path(__file__).resolve().parents[1] / "fixtures" / "example_layout.toml"

SCENARIO = f"""\
schema = "safemall/scenario/1"
layout = "{LAYOUT.as_posix()}"
seed = 3
duration_s = 2000
[occupants]
count = 100
[premovement]
model = "lognormal"
mean_s = 30
sd_s = 10
[hazard]
kind = "drill"
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.toml"
    p.write_text(SCENARIO)
    return p


def _batch(tmp_path: Path, body: str, name: str = "b.toml") -> Path:
    p = tmp_path / name
    p.write_text('schema = "safemall/batch/1"\nscenario = "tiny.toml"\n' + body)
    return p


def test_grid_expands_last_key_fastest(tmp_path: Path, scenario: Path) -> None:
    p = _batch(tmp_path, 'replications = 3\nroot_seed = 7\n[grid]\n'
                         '"occupants.count" = [10, 20]\n'
                         'geometry.widths.south-door = [1.2, 2.4, 3.6]\n')
    spec = load_batch(p)
    assert spec.name == "b" and spec.replications == 3 and spec.root_entropy == 7
    assert [c.params for c in spec.configs] == [
        {"occupants.count": n, "geometry.widths.south-door": w}
        for n in (10, 20) for w in (1.2, 2.4, 3.6)]
    assert spec.configs[4].overrides == ("occupants.count=20",
                                         "geometry.widths.south-door=2.4")
    assert [c.index for c in spec.configs] == list(range(6))
    assert spec.n_runs == 18
    assert all(c.scenario_path == str(scenario.resolve()) for c in spec.configs)


def test_configs_times_grid_and_base_overrides(tmp_path: Path, scenario: Path) -> None:
    p = _batch(tmp_path, 'overrides = ["duration_s=900"]\n'
                         '[grid]\n"occupants.count" = [10, 20]\n'
                         '[[configs]]\nlabel = "narrow"\n'
                         'set = { "geometry.widths.south-door" = 1.0 }\n'
                         '[[configs]]\nlabel = "slow stair"\n'
                         'overrides = ["geometry.widths={stair-foot = 0.9}"]\n')
    spec = load_batch(p)
    assert [(c.params["config"], c.params["occupants.count"]) for c in spec.configs] == [
        ("narrow", 10), ("narrow", 20), ("slow stair", 10), ("slow stair", 20)]
    assert spec.configs[0].overrides == ("duration_s=900", "geometry.widths.south-door=1.0",
                                         "occupants.count=10")
    assert spec.configs[3].overrides[1] == "geometry.widths={stair-foot = 0.9}"
    assert spec.configs[3].label == "slow stair · occupants.count=20"


def test_closing_the_only_way_out_is_caught_before_running(tmp_path: Path,
                                                          scenario: Path) -> None:
    p = _batch(tmp_path, '[[configs]]\nlabel = "stair shut"\n'
                         'set = { "geometry.closed" = ["stair-head"] }\n')
    with pytest.raises(ScenarioError, match=r"b\.toml: configs\[0\] \(stair shut\): "
                                            r"geometry\.closed: closing stair-head leaves 'upper'"):
        load_batch(p)


@pytest.mark.parametrize(("body", "pattern"), [
    ('replications = 0\n', r"b\.toml: replications: must be >= 1, got 0"),
    ('replicatons = 5\n', r"b\.toml: replicatons: unknown key"),
    ('[grid]\n"occupants.count" = []\n', r"b\.toml: grid\.occupants\.count: expected a non-empty"),
    ('[grid]\n"occupants.count" = [10, -5]\n',
     r"b\.toml: grid\[1\] \(occupants\.count=-5\): occupants\.count: must be >= 0"),
    ('[grid]\n"geometry.widths.nope" = [1.0]\n',
     r"b\.toml: grid\[0\] .*geometry\.widths\.nope: unknown opening 'nope'"),
    ('until_ci = { metric = "t_evacuation_s", rel = 2 }\n', r"b\.toml: until_ci\.rel: must be < 1"),
    ('[[configs]]\noverrides = ["nonsense"]\n', r"b\.toml: configs\[0\]\.overrides: .*key=value"),
    ('[[configs]]\nset = { "occupants.count" = 5 }\n'
     '[[configs]]\noverrides = ["occupants.count=5"]\n',
     r"b\.toml: configs: configuration #1 repeats #0"),
])
def test_errors_are_one_line_naming_file_and_field(tmp_path: Path, scenario: Path, body: str,
                                                   pattern: str) -> None:
    p = _batch(tmp_path, body)
    with pytest.raises(ScenarioError, match=pattern) as err:
        load_batch(p)
    assert "\n" not in str(err.value)


def test_missing_scenario_and_bad_toml(tmp_path: Path) -> None:
    p = tmp_path / "b.toml"
    p.write_text('schema = "safemall/batch/1"\nscenario = "absent.toml"\n')
    with pytest.raises(ScenarioError, match=r"b\.toml: configs\[0\] \(base\): scenario: cannot"):
        load_batch(p)
    p.write_text("schema = ")
    with pytest.raises(ScenarioError, match=r"b\.toml: not valid TOML"):
        load_batch(p)
    p.write_text('schema = "safemall/batch/2"\nscenario = "x.toml"\n')
    with pytest.raises(ScenarioError, match=r"b\.toml: schema: unknown value"):
        load_batch(p)


@pytest.mark.parametrize("value", [3, -2, 1.5, 1e-7, True, "north-door", "a \"q\" b",
                                   ["x", "y"], [1, 2.5], {"a-b": 1.0, "c": [1]}, []])
def test_override_text_round_trips(value: object) -> None:
    assert parse_value(toml_value(value)) == value
    assert parse_overrides([override("k.l", value)]) == {"k.l": value}


def test_root_seed_drawn_when_absent(tmp_path: Path, scenario: Path) -> None:
    a = load_batch(_batch(tmp_path, ""))
    b = load_batch(_batch(tmp_path, ""))
    assert a.root_entropy != b.root_entropy and a.root_entropy > 2**64


def test_seeds_depend_only_on_indices() -> None:
    s = run_seed(99, 3, 5)
    assert s.entropy == 99 and s.spawn_key == (3, 5)
    # the same child as numpy's spawn tree, without the stateful spawn()
    tree = np.random.SeedSequence(99).spawn(4)[3].spawn(6)[5]
    assert np.array_equal(s.generate_state(4), tree.generate_state(4))
    assert spawn_key(3, 5, "common") == (5,) == spawn_key(0, 5, "common")
    assert run_seed(99, 3, 5).generate_state(2).tolist() == s.generate_state(2).tolist()
    with pytest.raises(ValueError):
        spawn_key(-1, 0)
