"""Studies of variants: the paired comparison adapter and metric extraction."""

from __future__ import annotations

import math

import pytest

from sim.batch.variants import compare, metric_values


def test_compare_is_b_minus_a_per_replication_with_a_t_interval():
    # d = b - a = 1, 2, 3, 4: mean 2.5, sd sqrt(5/3) = 1.2910; t(0.975, 3) = 3.1824
    c = compare([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0])
    assert (c.n, c.dropped, c.mean_a, c.mean_b, c.diff) == (4, 0, 2.5, 5.0, 2.5)
    half = 3.1824 * 1.2910 / 2.0
    assert c.ci_lo == pytest.approx(2.5 - half, abs=1e-3)
    assert c.ci_hi == pytest.approx(2.5 + half, abs=1e-3)


def test_compare_drops_replications_missing_on_either_side():
    c = compare([1.0, math.nan, 3.0, 5.0], [2.0, 2.0, math.nan, 7.0])
    assert (c.n, c.dropped, c.mean_a, c.mean_b, c.diff) == (2, 2, 3.0, 4.5, 1.5)


def test_metric_values_reads_numbers_only():
    runs = [{"x": 2}, {"x": True}, {}, {"x": "a"}, {"x": 1.5}]
    got = metric_values(runs, "x")
    assert got[0] == 2.0 and got[4] == 1.5 and all(math.isnan(v) for v in got[1:4])
    assert list(metric_values([{"y": 3}], lambda m: m["y"] * 2)) == [6.0]
