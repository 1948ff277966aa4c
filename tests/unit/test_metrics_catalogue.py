"""Metrics are declared once (sim.engine.metrics); docs/metrics.md is generated from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.engine.metrics import EMITTERS, METRICS, MetricCollector, metrics_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_docs_page_is_the_declarations() -> None:
    page = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert page == metrics_markdown(), "run: python tools/make_metrics_doc.py"


def test_every_metric_has_a_label_a_meaning_and_a_known_emitter() -> None:
    for m in METRICS.values():
        assert m.label and m.meaning and m.emitters, m.key
        assert set(m.emitters) <= set(EMITTERS), m.key
        assert m.key in metrics_markdown()


def test_collector_refuses_an_undeclared_metric() -> None:
    c = MetricCollector()
    c["t_alarm_s"] = 12.5
    c.add("attack_victims")
    c.add("attack_victims", 2)
    assert c.as_dict() == {"t_alarm_s": 12.5, "attack_victims": 3}
    with pytest.raises(KeyError, match="undeclared metric 't_alarm'"):
        c["t_alarm"] = 1.0
    with pytest.raises(KeyError, match="undeclared"):
        c.setdefault("attack_victim", 0)
