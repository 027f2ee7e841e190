"""The intervals against published values and their basic promises."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.stats_math import mean_interval, nps_interval, t_quantile_975, wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17, table I (Wilson, no continuity correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_published_values(k: int, n: int, low: float, high: float) -> None:
    interval = wilson(k, n)
    assert interval.estimate == pytest.approx(k / n)
    assert interval.low == pytest.approx(low, abs=1e-4)
    assert interval.high == pytest.approx(high, abs=1e-4)


@given(n=st.integers(1, 5000), data=st.data())
def test_wilson_stays_in_bounds_and_holds_the_estimate(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    interval = wilson(k, n)
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.7062), (5, 2.5706), (30, 2.0423), (31, 2.0395), (40, 2.0211), (60, 2.0003),
     (120, 1.9799), (1000, 1.9623)],
)  # fmt: skip
def test_t_quantile_matches_the_tables(df: int, expected: float) -> None:
    assert t_quantile_975(df) == pytest.approx(expected, abs=2e-4)


def test_t_quantile_decreases_towards_the_normal() -> None:
    values = [t_quantile_975(df) for df in range(1, 400)]
    assert all(a > b for a, b in itertools.pairwise(values))
    assert values[-1] > 1.959963984540054


def test_mean_interval_is_student_t() -> None:
    interval = mean_interval([1, 0, 2, 0, 2], [1, 2, 3, 4, 5])  # answers 1, 3, 3, 5, 5
    sd = math.sqrt(((1 - 3.4) ** 2 + 2 * (3 - 3.4) ** 2 + 2 * (5 - 3.4) ** 2) / 4)
    half = 2.7764451 * sd / math.sqrt(5)
    assert interval.estimate == pytest.approx(3.4)
    assert (interval.low, interval.high) == pytest.approx((3.4 - half, 3.4 + half))


def test_nps_interval_is_the_adjusted_wald_of_rocks_2016() -> None:
    interval = nps_interval(promoters=50, detractors=20, n=100)
    p, d = 50.75 / 103, 20.75 / 103
    half = 1.959963984540054 * math.sqrt((p + d - (p - d) ** 2) / 103)
    assert interval.estimate == pytest.approx(0.30)
    assert (interval.low, interval.high) == pytest.approx((p - d - half, p - d + half))


@given(n=st.integers(1, 2000), data=st.data())
def test_nps_interval_stays_within_minus_one_and_one(n: int, data: st.DataObject) -> None:
    promoters = data.draw(st.integers(0, n))
    detractors = data.draw(st.integers(0, n - promoters))
    interval = nps_interval(promoters, detractors, n)
    assert -1.0 <= interval.low <= interval.high <= 1.0
    assert -1.0 <= interval.estimate <= 1.0


def test_empty_samples_are_refused() -> None:
    with pytest.raises(ValueError):
        wilson(0, 0)
    with pytest.raises(ValueError):
        nps_interval(0, 0, 0)
    with pytest.raises(ValueError):
        mean_interval([0, 0], [1, 2])
