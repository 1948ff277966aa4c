"""Words and numbers for people: counted nouns, metric labels with units, values."""

from __future__ import annotations

import pytest

from sim.report.text import fmt_number, fmt_value, metric_info, metric_label, plural


@pytest.mark.parametrize(("n", "noun", "text"), [
    (1, "level", "1 level"), (2, "level", "2 levels"), (0, "patrol", "0 patrols"),
    (1, "patrol", "1 patrol"), (1, "person", "1 person"), (3, "person", "3 persons"),
    (2, "entry", "2 entries"), (2, "box", "2 boxes"), (12_345, "run", "12,345 runs"),
])
def test_plural(n: int, noun: str, text: str) -> None:
    assert plural(n, noun) == text


def test_values_carry_their_unit() -> None:
    # times in seconds with three significant figures, whatever their size
    assert fmt_value("t_first_responder_s", 5.0) == "5.00 s"
    assert fmt_value("t_first_responder_s", 35.04) == "35.0 s"
    assert fmt_value("t_evacuation_s", 476.6) == "477 s"
    assert fmt_value("peak_density_pm2", 3.996) == "4.00 p/m²"
    assert fmt_value("t_neutralised_s", None) == "—"
    assert fmt_number(1234567) == "1,234,567"


def test_labels_name_the_unit() -> None:
    assert metric_info("t_first_responder_s").unit == "s"
    assert metric_info("peak_density_pm2").unit == "p/m²"
    assert metric_label("peak_density_pm2").endswith("(p/m²)")
    assert "_" not in metric_label("t_first_responder_s")
    assert metric_info("exit_counts.south-door").label.endswith(": south-door")
