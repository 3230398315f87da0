"""PopRec: item counts on the training part (default) or on every interaction."""

import numpy as np
import pytest

from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out
from sasrec_tf.models import PopRec


@pytest.fixture
def split():
  # user 1: train [1, 2, 2], valid 3, test 4; user 2 (2 items): train [2, 5]; user 3: train [5],
  # valid 1, test 1.
  users = np.array([1] * 5 + [2] * 2 + [3] * 3)
  items = np.array([1, 2, 2, 3, 4, 2, 5, 5, 1, 1])
  return split_leave_one_out(SequenceDataset.from_pairs("toy", users, items))


@pytest.mark.parametrize("count_on,expected", [
    ("train", [0, 1, 3, 0, 0, 2]),
    ("all", [0, 3, 3, 1, 1, 2]),
])
def test_counts(split, count_on, expected):
  pop = PopRec(split, count_on=count_on)
  np.testing.assert_array_equal(pop.counts, expected)
  seqs = np.zeros((2, 4), np.int32)
  np.testing.assert_array_equal(pop.score_all(seqs), np.tile(expected, (2, 1)))
  cands = np.array([[5, 0, 2], [1, 1, 4]])
  np.testing.assert_array_equal(pop.score(seqs, cands), np.asarray(expected)[cands])


def test_rejects_unknown_count_basis(split):
  with pytest.raises(ValueError, match="count_on"):
    PopRec(split, count_on="test")
