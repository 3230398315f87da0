"""Tests of the seed statistics on hand-computed cases."""

import math

import pytest

from sasrec_tf.reporting import stats


def test_mean_and_sample_std():
  assert stats.mean([1.0, 2.0, 3.0, 4.0]) == 2.5
  # deviations -1.5, -0.5, 0.5, 1.5 -> sum of squares 5, / (4 - 1)
  assert stats.sample_std([1.0, 2.0, 3.0, 4.0]) == pytest.approx(math.sqrt(5.0 / 3.0))


def test_one_and_zero_seeds():
  assert stats.mean([0.5]) == 0.5
  assert math.isnan(stats.sample_std([0.5]))
  assert math.isnan(stats.mean([]))
  assert stats.format_mean_std([0.5]) == "0.5000 ± n/a (n=1)"
  assert stats.format_mean_std([]) == "n/a"
  low, high = stats.confidence_interval([0.5])
  assert math.isnan(low) and math.isnan(high)


def test_confidence_interval():
  # n=3, mean 2, std 1, t_{0.975, 2} = 4.302652729911275 -> half width 4.3027 / sqrt(3)
  low, high = stats.confidence_interval([1.0, 2.0, 3.0])
  half = 4.302652729911275 / math.sqrt(3.0)
  assert low == pytest.approx(2.0 - half) and high == pytest.approx(2.0 + half)
  summary = stats.summarize([1.0, 2.0, 3.0])
  assert (summary.n, summary.mean, summary.std) == (3, 2.0, 1.0)
  with pytest.raises(ValueError):
    stats.confidence_interval([1.0, 2.0], level=1.5)


def test_paired_t_test_hand_computed():
  a = [0.60, 0.62, 0.61]
  b = [0.58, 0.59, 0.60]
  # differences 0.02, 0.03, 0.01: mean 0.02, std 0.01, t = 0.02 / (0.01 / sqrt(3)) = sqrt(12);
  # with 2 dof the t cdf is 1/2 + t / (2 sqrt(2 + t^2)), so p = 1 - sqrt(12 / 14) = 0.07418.
  test = stats.paired_t_test(a, b, seeds=[1, 2, 3])
  assert test.n == 3 and test.seeds == (1, 2, 3)
  assert test.mean_diff == pytest.approx(0.02)
  assert test.std_diff == pytest.approx(0.01)
  assert test.t_statistic == pytest.approx(2 * math.sqrt(3.0))
  assert test.p_value == pytest.approx(1.0 - math.sqrt(12.0 / 14.0))


def test_paired_t_test_degenerate_cases():
  same = stats.paired_t_test([0.5, 0.6], [0.5, 0.6])
  assert math.isnan(same.t_statistic) and same.p_value == 1.0
  shifted = stats.paired_t_test([0.6, 0.7], [0.5, 0.6])
  assert shifted.t_statistic == math.inf and shifted.p_value == 0.0
  single = stats.paired_t_test([0.6], [0.5])
  assert single.n == 1 and math.isnan(single.p_value)
  with pytest.raises(ValueError, match="differ in length"):
    stats.paired_t_test([0.1, 0.2], [0.1])


def test_paired_by_seed_uses_common_seeds():
  test = stats.paired_by_seed({1: 0.60, 2: 0.62, 3: 0.61, 9: 1.0}, {3: 0.60, 1: 0.58, 2: 0.59})
  assert test.seeds == (1, 2, 3)
  assert test.mean_diff == pytest.approx(0.02)


def test_one_sample_t_test():
  t, p = stats.one_sample_t_test([1.0, 2.0, 3.0], 2.0)
  assert t == pytest.approx(0.0) and p == pytest.approx(1.0)
  assert all(math.isnan(x) for x in stats.one_sample_t_test([1.0], 2.0))


def test_format_number():
  assert stats.format_number(0.53601) == "0.5360"
  assert stats.format_number(None) == "n/a"
  assert stats.format_number(float("nan")) == "n/a"
  assert stats.format_number(1406.0) == "1406"
  assert stats.format_number(15.429) == "15.43"
