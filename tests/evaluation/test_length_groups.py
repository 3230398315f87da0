"""length_groups: window lengths and the grouping that lets scoring skip leading padding."""

import numpy as np
import pytest

from sasrec_tf.evaluation.length_groups import length_groups, window_lengths

SEQS = np.array([[0, 0, 0, 0, 0, 0, 4, 2],
                 [1, 2, 3, 4, 5, 6, 7, 8],
                 [0, 0, 0, 0, 0, 0, 0, 0],
                 [0, 0, 9, 9, 9, 9, 9, 9],
                 [0, 0, 0, 0, 0, 0, 0, 3]], np.int32)


def test_window_lengths_count_slots_after_the_leading_padding():
  np.testing.assert_array_equal(window_lengths(SEQS), [2, 8, 0, 6, 1])


def test_groups_are_ordered_by_length_and_rounded_up_to_the_multiple():
  groups = length_groups(SEQS, max_rows=2, multiple=4)
  assert [(rows.tolist(), width) for rows, width in groups] == [
      ([2, 4], 4), ([0, 3], 8), ([1], 8)]
  groups = length_groups(SEQS, max_rows=3, multiple=1)
  assert [(rows.tolist(), width) for rows, width in groups] == [([2, 4, 0], 2), ([3, 1], 8)]


@pytest.mark.parametrize("max_rows,multiple", [(1, 1), (3, 8), (64, 5)])
def test_every_row_once_and_no_item_cut(max_rows, multiple):
  rng = np.random.default_rng(0)
  lengths = rng.integers(0, 30, size=50)
  seqs = np.zeros((50, 30), np.int32)
  for i, l in enumerate(lengths):
    seqs[i, 30 - l:] = rng.integers(1, 100, size=l)
  groups = length_groups(seqs, max_rows, multiple)
  rows = np.concatenate([r for r, _ in groups])
  np.testing.assert_array_equal(np.sort(rows), np.arange(50))
  for r, width in groups:
    assert 1 <= width <= 30 and len(r) <= max_rows
    assert not seqs[r, :30 - width].any()


def test_rejects_non_positive_sizes():
  with pytest.raises(ValueError):
    length_groups(SEQS, max_rows=0)
