"""Confidence intervals for the scores, in plain Python (no SciPy in the image).

- Shares (csat, yes_rate, effort): the Wilson score interval, which stays inside [0, 1] and keeps
  its coverage with few answers, unlike the textbook Wald interval.
- NPS: the adjusted-Wald interval for a difference of two proportions of one trinomial sample
  (Rocks 2016, The American Statistician): add 3 to n and 3/4 to promoters and to detractors,
  then use Var(P - D) = (P + D - (P - D)^2) / n.
- Mean: Student's t interval, mean +- t(0.975, n - 1) * s / sqrt(n).

Every answer counts as one observation, so n is the number of answers, not of respondents.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
# t(0.975, df) for df = 1..30; above 30 the Cornish-Fisher expansion is accurate to 1e-4.
_T975 = (
    12.7062047,
    4.3026527,
    3.1824463,
    2.7764451,
    2.5705818,
    2.4469119,
    2.3646243,
    2.3060041,
    2.2621572,
    2.2281389,
    2.2009852,
    2.1788128,
    2.1603687,
    2.1447867,
    2.1314495,
    2.1199053,
    2.1098155,
    2.1009220,
    2.0930241,
    2.0859634,
    2.0796138,
    2.0738731,
    2.0686576,
    2.0638986,
    2.0595386,
    2.0555294,
    2.0518305,
    2.0484071,
    2.0452296,
    2.0422725,
)


@dataclass(frozen=True)
class Interval:
    """A point estimate and its 95 % interval, on the metric's own scale."""

    estimate: float
    low: float
    high: float


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """Return the share `successes / n` with its Wilson interval, all in 0-1."""
    if n <= 0:
        raise ValueError("a share needs at least one answer")
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    share = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (share + z2 / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / denominator
    # Rounding must not lift the bound over an estimate of 0 (or 1) it mathematically equals.
    return Interval(share, min(share, max(0.0, centre - half)), max(share, min(1.0, centre + half)))


def nps_interval(promoters: int, detractors: int, n: int, z: float = Z95) -> Interval:
    """Return the NPS (-1 to 1) and its adjusted-Wald interval."""
    if n <= 0:
        raise ValueError("an NPS needs at least one answer")
    if promoters < 0 or detractors < 0 or promoters + detractors > n:
        raise ValueError("promoters and detractors must fit in n")
    estimate = (promoters - detractors) / n
    adjusted_n = n + 3
    p = (promoters + 0.75) / adjusted_n
    d = (detractors + 0.75) / adjusted_n
    centre = p - d
    half = z * math.sqrt(max(0.0, p + d - centre * centre) / adjusted_n)
    return Interval(estimate, max(-1.0, centre - half), min(1.0, centre + half))


def t_quantile_975(df: int) -> float:
    """Return the 97.5th percentile of Student's t with `df` degrees of freedom."""
    if df < 1:
        raise ValueError("df must be at least 1")
    if df <= len(_T975):
        return _T975[df - 1]
    z = Z95
    z3, z5, z7, z9 = z**3, z**5, z**7, z**9
    # Abramowitz & Stegun 26.7.5
    return (
        z
        + (z3 + z) / (4 * df)
        + (5 * z5 + 16 * z3 + 3 * z) / (96 * df**2)
        + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df**3)
        + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df**4)
    )


def mean_interval(counts: Sequence[int], values: Sequence[int]) -> Interval:
    """Return the mean of a histogram (`counts[i]` answers of `values[i]`) and its t interval."""
    n = sum(counts)
    if n <= 0:
        raise ValueError("a mean needs at least one answer")
    mean = sum(c * v for c, v in zip(counts, values, strict=True)) / n
    if n == 1:
        return Interval(mean, mean, mean)
    squares = sum(c * (v - mean) ** 2 for c, v in zip(counts, values, strict=True))
    half = t_quantile_975(n - 1) * math.sqrt(squares / (n - 1) / n)
    return Interval(mean, mean - half, mean + half)
