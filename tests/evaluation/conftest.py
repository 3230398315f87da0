"""Small synthetic leave-one-out splits for the evaluation tests."""

import numpy as np
import pytest

from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out


def make_split(sequences, num_items=None, with_times=False):
  """LeaveOneOutSplit from {user: [items...]} (time order); times are 10 * position + user."""
  users, items, times = [], [], []
  for u, seq in sorted(sequences.items()):
    users += [u] * len(seq)
    items += list(seq)
    times += [10 * i + u for i in range(len(seq))]
  if num_items is not None and num_items > max(items):
    # from_pairs takes the largest id as num_items: add a user holding the largest item.
    u = max(sequences) + 1
    users.append(u)
    items.append(num_items)
    times.append(0)
  ds = SequenceDataset.from_pairs("synthetic", np.array(users), np.array(items),
                                  np.array(times) if with_times else None)
  return split_leave_one_out(ds)


@pytest.fixture
def small_split():
  """Users 1..4 over items 1..12; user 2 has 2 items (train only); user 4's test item is also
  one of its training items.

  user 1: train [1, 2, 3], valid 4, test 5
  user 2: train [6, 7], not evaluated
  user 3: train [2, 8], valid 9, test 10
  user 4: train [3, 1, 11], valid 12, test 1
  """
  return make_split({1: [1, 2, 3, 4, 5], 2: [6, 7], 3: [2, 8, 9, 10], 4: [3, 1, 11, 12, 1]},
                    with_times=True)


@pytest.fixture
def dense_split():
  """Items 1..10; user 1 trains on 7 of them so most uniform draws are rejected.

  user 1: train [1..7], valid 8, test 9 (item 10 is the only other allowed negative)
  user 2: train [1, 2], valid 3, test 4
  """
  return make_split({1: [1, 2, 3, 4, 5, 6, 7, 8, 9], 2: [1, 2, 3, 4]}, num_items=10)
