"""Summaries of repeated runs: mean, sample std, t confidence intervals, paired t-tests.

Conventions: the std is the sample std (ddof=1), so one seed has no std (nan, printed "n/a");
confidence intervals use Student's t with n - 1 degrees of freedom and are nan below two seeds.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Mapping, Optional, Sequence, Tuple

import numpy as np
from scipy import stats as scipy_stats

NA = "n/a"
_ZERO_SPREAD = 1e-12


def _array(values: Sequence[float]) -> np.ndarray:
  arr = np.asarray(list(values), dtype=np.float64)
  if arr.ndim != 1:
    raise ValueError(f"expected a flat sequence of numbers, got shape {arr.shape}")
  return arr


def mean(values: Sequence[float]) -> float:
  """Arithmetic mean; nan for no values."""
  arr = _array(values)
  return float(arr.mean()) if arr.size else math.nan


def sample_std(values: Sequence[float]) -> float:
  """Sample standard deviation (ddof=1); nan for fewer than two values."""
  arr = _array(values)
  return float(arr.std(ddof=1)) if arr.size >= 2 else math.nan


def confidence_interval(values: Sequence[float], level: float = 0.95) -> Tuple[float, float]:
  """Two-sided Student-t confidence interval of the mean; (nan, nan) below two values."""
  if not 0.0 < level < 1.0:
    raise ValueError(f"level must be in (0, 1), got {level}")
  arr = _array(values)
  if arr.size < 2:
    return (math.nan, math.nan)
  half = scipy_stats.t.ppf(0.5 + level / 2.0, df=arr.size - 1) * arr.std(ddof=1) / math.sqrt(
      arr.size)
  center = float(arr.mean())
  return (center - float(half), center + float(half))


@dataclasses.dataclass(frozen=True)
class Summary:
  """Mean, sample std and t confidence interval of one metric over seeds."""

  n: int
  mean: float
  std: float
  ci_low: float
  ci_high: float
  level: float = 0.95

  def to_dict(self) -> dict:
    return dataclasses.asdict(self)


def summarize(values: Sequence[float], level: float = 0.95) -> Summary:
  """Summary of per-seed values (nan fields where undefined)."""
  arr = _array(values)
  low, high = confidence_interval(arr, level)
  return Summary(n=int(arr.size), mean=mean(arr), std=sample_std(arr), ci_low=low, ci_high=high,
                 level=level)


@dataclasses.dataclass(frozen=True)
class PairedTest:
  """Paired t-test of model A against model B over the same seeds (difference = A - B)."""

  n: int
  mean_diff: float
  std_diff: float
  t_statistic: float
  p_value: float
  seeds: Tuple[int, ...] = ()

  def to_dict(self) -> dict:
    out = dataclasses.asdict(self)
    out["seeds"] = list(self.seeds)
    return out


def paired_t_test(a: Sequence[float], b: Sequence[float],
                  seeds: Optional[Sequence[int]] = None) -> PairedTest:
  """Two-sided paired t-test on per-seed values of two models (position i = the same seed).

  Constant differences (std below 1e-12, i.e. zero up to float rounding) give t = +-inf and
  p = 0 when they are non-zero, t = nan and p = 1 when they are all zero (again up to 1e-12).
  Fewer than two pairs give nan t and p.

  Raises:
    ValueError: a and b differ in length.
  """
  xa, xb = _array(a), _array(b)
  if xa.shape != xb.shape:
    raise ValueError(f"paired samples differ in length: {xa.size} vs {xb.size}")
  diff = xa - xb
  n = int(diff.size)
  seeds = tuple(int(s) for s in seeds) if seeds is not None else ()
  if n < 2:
    return PairedTest(n, mean(diff), math.nan, math.nan, math.nan, seeds)
  mean_diff, std_diff = float(diff.mean()), float(diff.std(ddof=1))
  if std_diff <= _ZERO_SPREAD:  # constant differences (up to rounding): t is undefined
    if abs(mean_diff) <= _ZERO_SPREAD:
      return PairedTest(n, 0.0, 0.0, math.nan, 1.0, seeds)
    return PairedTest(n, mean_diff, 0.0, math.copysign(math.inf, mean_diff), 0.0, seeds)
  result = scipy_stats.ttest_rel(xa, xb)
  return PairedTest(n, mean_diff, std_diff, float(result.statistic), float(result.pvalue), seeds)


def paired_by_seed(a: Mapping[int, float], b: Mapping[int, float]) -> PairedTest:
  """Paired t-test over the seeds both models have (seed -> value mappings)."""
  common = sorted(set(a) & set(b))
  return paired_t_test([a[s] for s in common], [b[s] for s in common], seeds=common)


def one_sample_t_test(values: Sequence[float], reference: float) -> Tuple[float, float]:
  """Two-sided t-test of the seeds' mean against a fixed number (e.g. the reported value).

  Returns:
    (t statistic, p value); nan below two values or when all values are equal.
  """
  arr = _array(values)
  if arr.size < 2 or float(arr.std(ddof=1)) <= _ZERO_SPREAD:
    return (math.nan, math.nan)
  result = scipy_stats.ttest_1samp(arr, reference)
  return (float(result.statistic), float(result.pvalue))


def format_number(value: Optional[float], digits: int = 4) -> str:
  """Fixed decimals for metric-sized numbers, fewer for large ones; "n/a" for nan or None."""
  if value is None or (isinstance(value, float) and math.isnan(value)):
    return NA
  if math.isinf(value):
    return "inf" if value > 0 else "-inf"
  if abs(value) >= 1000:
    return f"{value:.0f}"
  if abs(value) >= 10:
    return f"{value:.{max(1, digits - 2)}f}"
  return f"{value:.{digits}f}"


def format_mean_std(values: Sequence[float], digits: int = 4) -> str:
  """'0.5360 ± 0.0021 (n=3)'; the std of a single seed is shown as 'n/a'."""
  summary = summarize(values)
  if summary.n == 0:
    return NA
  return (f"{format_number(summary.mean, digits)} ± {format_number(summary.std, digits)} "
          f"(n={summary.n})")
