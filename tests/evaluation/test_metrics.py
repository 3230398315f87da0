"""Hand-computed checks of the ranking metrics and of ranks_from_scores."""

import math

import numpy as np
import pytest

from sasrec_tf.evaluation import metrics


def test_ndcg_at_10_by_hand():
  got = metrics.ndcg_at_k(np.array([0, 1, 9, 10]), 10)
  np.testing.assert_allclose(got, [1.0, 1 / math.log2(3), 1 / math.log2(11), 0.0])


def test_hit_at_k_and_mrr_by_hand():
  ranks = np.array([0, 4, 5, 49, 50])
  np.testing.assert_array_equal(metrics.hit_at_k(ranks, 5), [1, 1, 0, 0, 0])
  np.testing.assert_array_equal(metrics.hit_at_k(ranks, 50), [1, 1, 1, 1, 0])
  np.testing.assert_allclose(metrics.mrr(ranks), [1, 1 / 5, 1 / 6, 1 / 50, 1 / 51])


def test_summarize_keys_and_means():
  out = metrics.summarize(np.array([0, 1, 9, 10]), ks=(1, 10))
  assert set(out) == {"NDCG@1", "HR@1", "NDCG@10", "HR@10", "MRR", "num_users"}
  assert out["num_users"] == 4
  assert out["HR@1"] == pytest.approx(0.25)
  assert out["HR@10"] == pytest.approx(0.75)
  assert out["NDCG@10"] == pytest.approx((1 + 1 / math.log2(3) + 1 / math.log2(11)) / 4)
  assert out["MRR"] == pytest.approx((1 + 1 / 2 + 1 / 10 + 1 / 11) / 4)


def test_summarize_default_ks_and_empty():
  out = metrics.summarize(np.zeros(3, np.int64))
  for k in (1, 5, 10, 20, 50):
    assert out[f"NDCG@{k}"] == 1.0 and out[f"HR@{k}"] == 1.0
  empty = metrics.summarize(np.zeros(0, np.int64))
  assert empty["num_users"] == 0 and math.isnan(empty["NDCG@10"])


def test_negative_rank_rejected():
  with pytest.raises(ValueError):
    metrics.ndcg_at_k(np.array([-1]), 10)


def test_ranks_counts_strictly_greater_scores():
  scores = np.array([[0.5, 0.9, 0.1, 0.7],   # two negatives above the target
                     [2.0, 1.0, 0.0, -1.0],  # target best
                     [-5.0, 0.0, 1.0, 2.0]])  # target worst
  got = metrics.ranks_from_scores(scores, tie_break="pessimistic")
  np.testing.assert_array_equal(got, [2, 0, 3])


@pytest.mark.parametrize("mode,expected", [("optimistic", [1, 0]), ("pessimistic", [3, 3])])
def test_ties_deterministic_modes(mode, expected):
  # Row 0: one higher, two ties; row 1: three ties.
  scores = np.array([[1.0, 2.0, 1.0, 1.0, 0.0],
                     [1.0, 1.0, 1.0, 1.0, 0.0]])
  np.testing.assert_array_equal(metrics.ranks_from_scores(scores, tie_break=mode), expected)


def test_random_ties_are_uniform_over_the_tied_places():
  scores = np.tile(np.array([[1.0, 2.0, 1.0, 1.0, 0.0]]), (30000, 1))
  got = metrics.ranks_from_scores(scores, tie_break="random", rng=np.random.default_rng(3))
  assert set(np.unique(got)) == {1, 2, 3}
  np.testing.assert_allclose(np.bincount(got)[1:] / got.size, [1 / 3] * 3, atol=0.02)


def test_random_tie_break_reproducible_and_default_rng():
  scores = np.ones((50, 11))
  a = metrics.ranks_from_scores(scores, rng=np.random.default_rng(7))
  b = metrics.ranks_from_scores(scores, rng=np.random.default_rng(7))
  np.testing.assert_array_equal(a, b)
  np.testing.assert_array_equal(metrics.ranks_from_scores(scores),
                                metrics.ranks_from_scores(scores))


def test_no_ties_means_modes_agree():
  scores = np.random.default_rng(0).normal(size=(64, 101))
  modes = [metrics.ranks_from_scores(scores, tie_break=m) for m in metrics.TIE_BREAKS]
  for m in modes[1:]:
    np.testing.assert_array_equal(modes[0], m)


def test_target_column_per_row_and_valid_mask():
  scores = np.array([[5.0, 4.0, 3.0, 2.0],
                     [5.0, 4.0, 3.0, 2.0]])
  cols = np.array([2, 3])
  np.testing.assert_array_equal(metrics.ranks_from_scores(scores, cols, "pessimistic"), [2, 3])
  valid = np.array([[False, True, True, True],   # item 0 does not compete
                    [True, False, False, False]])  # target column is kept even if marked False
  np.testing.assert_array_equal(
      metrics.ranks_from_scores(scores, cols, "pessimistic", valid=valid), [1, 1])


def test_nan_scores_and_bad_arguments_rejected():
  with pytest.raises(ValueError, match="NaN"):
    metrics.ranks_from_scores(np.array([[np.nan, 1.0]]))
  with pytest.raises(ValueError):
    metrics.ranks_from_scores(np.ones((2, 3)), tie_break="first")
  with pytest.raises(ValueError):
    metrics.ranks_from_scores(np.ones(3))


def test_infinite_scores_are_ordinary_numbers():
  scores = np.array([[-np.inf, 0.0, -np.inf], [np.inf, np.inf, 0.0]])
  np.testing.assert_array_equal(metrics.ranks_from_scores(scores, tie_break="optimistic"), [1, 0])
  np.testing.assert_array_equal(metrics.ranks_from_scores(scores, tie_break="pessimistic"), [2, 1])
