"""User selection, exclusion rules and sampled candidate lists (SPEC §2.1, §2.3, §5.1)."""

import numpy as np
import pytest

from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out
from sasrec_tf.evaluation import candidates as cand


def big_split(num_users, short_every=0):
  """num_users users with 3 items each (evaluable); every short_every-th user has 2 (not)."""
  lengths = np.full(num_users, 3)
  if short_every:
    lengths[::short_every] = 2
  users = np.repeat(np.arange(1, num_users + 1), lengths)
  items = np.arange(users.size) % 50 + 1
  return split_leave_one_out(SequenceDataset.from_pairs("big", users, items))


def draw(split, users, stage, rule, c=100, seed=0):
  excluded = cand.exclusion_sets(split, users, stage, rule)
  targets = cand.targets(split, users, stage)
  return cand.sample_candidates(excluded, targets, c, np.random.default_rng(seed))


def test_select_users_all_evaluable_when_small(small_split):
  for stage in ("valid", "test"):
    np.testing.assert_array_equal(cand.select_users(small_split, stage), [1, 3, 4])
    np.testing.assert_array_equal(cand.select_users(small_split, stage, max_users=None), [1, 3, 4])


def test_select_users_draws_exactly_max_distinct_users():
  split = big_split(12000)
  users = cand.select_users(split, "valid", 10000, np.random.default_rng(0))
  assert users.size == 10000 and np.unique(users).size == 10000
  assert users.min() >= 1 and users.max() <= 12000
  other = cand.select_users(split, "valid", 10000, np.random.default_rng(1))
  assert not np.array_equal(users, other)
  np.testing.assert_array_equal(
      users, cand.select_users(split, "valid", 10000, np.random.default_rng(0)))
  assert cand.select_users(split, "valid", None).size == 12000


def test_select_users_skips_unevaluable_drawn_users():
  split = big_split(12000, short_every=4)  # users 1, 5, 9, ... have no validation item
  users = cand.select_users(split, "test", 10000, np.random.default_rng(0))
  assert 7000 < users.size < 10000
  assert np.all(split.test[users] > 0)
  assert np.all((users - 1) % 4 != 0)


def test_select_users_without_subsampling_at_threshold():
  split = big_split(10000)
  assert cand.select_users(split, "valid", 10000).size == 10000


def test_candidates_shape_target_and_range(small_split):
  users = cand.select_users(small_split, "test")
  got = draw(small_split, users, "test", "train", c=100)
  assert got.shape == (3, 101) and got.dtype == np.int32
  np.testing.assert_array_equal(got[:, 0], [5, 10, 1])
  assert got[:, 1:].min() >= 1 and got[:, 1:].max() <= small_split.num_items
  for c in (500, 1000, 2000):
    assert draw(small_split, users, "valid", "train", c=c).shape == (3, c + 1)


def test_train_rule_never_draws_training_items_but_may_draw_valid_and_test(dense_split):
  users = np.array([1, 2])
  got = draw(dense_split, users, "test", "train", c=2000)
  negs = got[:, 1:]
  assert not np.isin(negs[0], np.arange(1, 8)).any()
  np.testing.assert_array_equal(np.unique(negs[0]), [8, 9, 10])  # valid and test items drawn
  assert not np.isin(negs[1], [1, 2]).any()
  np.testing.assert_array_equal(np.unique(negs[1]), np.arange(3, 11))
  assert np.unique(negs[0]).size < negs.shape[1]  # with replacement: duplicates


def test_train_rule_negatives_are_uniform_over_allowed_items(dense_split):
  negs = draw(dense_split, np.array([1]), "valid", "train", c=30000)[0, 1:]
  np.testing.assert_allclose(np.bincount(negs, minlength=11)[8:] / negs.size, [1 / 3] * 3,
                             atol=0.02)


def test_tisasrec_rule_excludes_valid_and_test(dense_split):
  users = np.array([1, 2])
  valid_negs = draw(dense_split, users, "valid", "tisasrec", c=2000)[:, 1:]
  np.testing.assert_array_equal(np.unique(valid_negs[0]), [9, 10])  # test item still allowed
  test_negs = draw(dense_split, users, "test", "tisasrec", c=2000)[:, 1:]
  np.testing.assert_array_equal(np.unique(test_negs[0]), [10])
  np.testing.assert_array_equal(np.unique(test_negs[1]), np.arange(5, 11))


def test_history_and_seen_and_none_rules(dense_split):
  users = np.array([2])
  hist = draw(dense_split, users, "valid", "history", c=2000)[0, 1:]
  np.testing.assert_array_equal(np.unique(hist), np.arange(5, 11))
  seen_valid = draw(dense_split, users, "valid", "seen", c=2000)[0, 1:]
  np.testing.assert_array_equal(np.unique(seen_valid), np.arange(3, 11))
  seen_test = draw(dense_split, users, "test", "seen", c=2000)[0, 1:]
  np.testing.assert_array_equal(np.unique(seen_test), np.arange(4, 11))
  none = draw(dense_split, users, "test", "none", c=2000)[0, 1:]
  np.testing.assert_array_equal(np.unique(none), np.arange(1, 11))


def test_exclusion_sets_rows_align_with_users(small_split):
  sets = cand.exclusion_sets(small_split, np.array([4, 1]), "test", "tisasrec")
  np.testing.assert_array_equal(np.nonzero(sets.dense(0, 1)[0])[0], [1, 3, 11, 12])
  np.testing.assert_array_equal(np.nonzero(sets.dense(1, 2)[0])[0], [1, 2, 3, 4, 5])


def test_sampling_is_reproducible(small_split):
  users = np.array([1, 3, 4])
  np.testing.assert_array_equal(draw(small_split, users, "valid", "train", seed=5),
                                draw(small_split, users, "valid", "train", seed=5))
  assert not np.array_equal(draw(small_split, users, "valid", "train", seed=5),
                            draw(small_split, users, "valid", "train", seed=6))


def test_user_with_every_item_excluded_raises():
  split = split_leave_one_out(
      SequenceDataset.from_pairs("full", np.array([1, 1, 1, 1]), np.array([1, 2, 1, 2])))
  with pytest.raises(ValueError, match="exclude every item"):
    draw(split, np.array([1]), "valid", "history")


def test_bad_rule_and_stage(small_split):
  with pytest.raises(ValueError):
    cand.exclusion_sets(small_split, np.array([1]), "valid", "everything")
  with pytest.raises(ValueError):
    cand.select_users(small_split, "train")


def test_small_dense_blocks_give_valid_negatives():
  split = big_split(40)
  users = cand.select_users(split, "test")
  excluded = cand.exclusion_sets(split, users, "test", "tisasrec")
  negs = cand.sample_negatives(excluded, 50, np.random.default_rng(0), block_cells=1)
  rows = np.broadcast_to(np.arange(users.size)[:, None], negs.shape)
  assert not excluded.contains(rows, negs).any()
