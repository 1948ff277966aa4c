"""Security-plan validation: one-line errors naming the file and the field."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.errors import SecurityPlanError
from sim.generate.security_plan import dumps_toml, generate_plan, joint_defence_groups
from sim.io.layout_files import load_layout
from sim.io.security_files import load_security_plan

SMALL = Path(__file__).parents[1] / "fixtures" / "compliance" / "small"
Raw = dict[str, Any]


def _base() -> Raw:
    return tomllib.loads((SMALL / "security.toml").read_text(encoding="utf-8"))


def _unknown_post_space(p: Raw) -> None:
    p["guards"]["posts"][0]["space"] = "mezzanine"


def _unknown_camera_opening(p: Raw) -> None:
    p["cctv"]["cameras"][0]["openings"] = ["back-door"]


def _unknown_shop(p: Raw) -> None:
    p["groups"][0]["shops"].append("S999")


def _corridor_as_shop(p: Raw) -> None:
    p["shop_officers"]["missing"] = ["C1"]


def _shop_in_two_groups(p: Raw) -> None:
    p["groups"][1]["shops"].append(p["groups"][0]["shops"][0])


def _negative_guards(p: Raw) -> None:
    p["guards"]["total"] = -1


def _unknown_key(p: Raw) -> None:
    p["team"]["captain"] = "x"


def _barrier_without_place(p: Raw) -> None:
    p["barriers"][0].pop("opening")


CASES: list[tuple[Callable[[Raw], None], str, str]] = [
    (_unknown_post_space, "guards.posts['post-gate'].space", "unknown space 'mezzanine'"),
    (_unknown_camera_opening, "cctv.cameras['cam-C1'].openings",
     "unknown opening 'back-door'"),
    (_unknown_shop, "groups['group-01'].shops", "unknown space 'S999'"),
    (_corridor_as_shop, "shop_officers.missing", "'C1' is a corridor, not a shop"),
    (_shop_in_two_groups, "groups['group-02'].shops", "already in group 'group-01'"),
    (_negative_guards, "guards.total", "must be >= 0"),
    (_unknown_key, "team.captain", "unknown key"),
    (_barrier_without_place, "barriers['isolation-main-door']",
     "give exactly one of opening or space"),
]


@pytest.mark.parametrize(("mutate", "field", "reason"), CASES,
                         ids=[c[0].__name__.strip("_") for c in CASES])
def test_bad_plan_gives_one_line_naming_file_and_field(tmp_path: Path,
                                                       mutate: Callable[[Raw], None],
                                                       field: str, reason: str) -> None:
    raw = copy.deepcopy(_base())
    mutate(raw)
    f = tmp_path / "security.toml"
    f.write_text(dumps_toml(raw), encoding="utf-8")
    with pytest.raises(SecurityPlanError) as exc:
        load_security_plan(f, load_layout(SMALL))
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(f"{f}: {field}: "), msg
    assert reason in msg


def test_generated_groups_are_adjacent_and_sized() -> None:
    from sim.analysis.compliance.adjacency import group_components
    from sim.engine.graphs import build_network

    lay = load_layout(SMALL)
    net = build_network(lay)
    groups = joint_defence_groups(lay, net)
    shops = sorted(s.id for s in lay.iter_kind("shop"))
    assert sorted(s for g in groups for s in g) == shops
    for g in groups:
        assert 5 <= len(g) <= 10
        assert len(group_components(net, g)) == 1


def test_generated_plan_round_trips_through_toml() -> None:
    lay = load_layout(SMALL)
    plan = generate_plan(lay)
    assert tomllib.loads(dumps_toml(plan)) == plan
    assert plan["guards"]["total"] == sum(p["count"] for p in plan["guards"]["posts"]) + sum(
        p["count"] for p in plan["guards"]["patrols"])


def test_generator_does_not_depend_on_hash_seed() -> None:
    import subprocess
    import sys

    code = ("import hashlib, json; from sim.io.layout_files import load_layout; "
            "from sim.generate.security_plan import generate_plan; "
            f"l = load_layout({str(SMALL)!r}); "
            "print(hashlib.md5(json.dumps(generate_plan(l)).encode()).hexdigest())")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": str(k), "PATH": ""}).stdout
            for k in (1, 2, 3)}
    assert len(outs) == 1


def test_the_documented_example_is_a_valid_plan() -> None:
    import re

    doc = (Path(__file__).parents[2] / "docs" / "security-format.md").read_text(encoding="utf-8")
    block = re.search(r"## A complete example.*?```toml\n(.*?)```", doc, re.S)
    assert block is not None
    from sim.model.security_plan import plan_from_dict

    plan = plan_from_dict(tomllib.loads(block.group(1)), load_layout(SMALL))
    assert plan.guards.total == 20 and plan.team is not None and plan.approaches
