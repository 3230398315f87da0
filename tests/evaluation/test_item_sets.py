"""ItemSets: membership, gathering rows, adding items and dense masks."""

import numpy as np
import pytest

from sasrec_tf.evaluation.item_sets import ItemSets


@pytest.fixture
def sets():
  # Row 0 empty, row 1 {1, 3} (with a duplicate and a padding 0), row 2 {2, 5}.
  return ItemSets.from_lists([np.array([], np.int32), np.array([3, 1, 3, 0]), np.array([5, 2])],
                             num_items=5)


def test_contains_and_sizes(sets):
  rows = np.array([[0, 0], [1, 1], [2, 2]])
  items = np.array([[1, 0], [1, 2], [5, 3]])
  np.testing.assert_array_equal(sets.contains(rows, items),
                                [[False, False], [True, False], [True, False]])
  np.testing.assert_array_equal(sets.sizes(), [0, 2, 2])


def test_take_gathers_rows_with_repeats(sets):
  got = sets.take(np.array([2, 0, 1, 2]))
  assert got.num_rows == 4
  np.testing.assert_array_equal(got.sizes(), [2, 0, 2, 2])
  dense = got.dense(0, 4)
  np.testing.assert_array_equal(np.nonzero(dense[0])[0], [2, 5])
  np.testing.assert_array_equal(np.nonzero(dense[2])[0], [1, 3])
  np.testing.assert_array_equal(np.nonzero(dense[3])[0], [2, 5])
  assert not dense[1].any()


def test_with_items_adds_and_ignores_zero(sets):
  got = sets.with_items(np.array([[4, 0], [1, 0], [0, 0]]))
  np.testing.assert_array_equal(got.sizes(), [1, 2, 2])
  assert got.contains(0, 4) and got.contains(1, 1)


def test_dense_block_shape(sets):
  block = sets.dense(1, 3)
  assert block.shape == (2, 6) and block.dtype == bool
  np.testing.assert_array_equal(block.sum(axis=1), [2, 2])
  assert not block[:, 0].any()


def test_empty_and_bad_ids():
  empty = ItemSets.from_lists([np.array([], np.int32)] * 2, num_items=3)
  assert not empty.contains(np.array([0, 1]), np.array([1, 2])).any()
  with pytest.raises(ValueError):
    ItemSets.from_lists([np.array([4])], num_items=3)
