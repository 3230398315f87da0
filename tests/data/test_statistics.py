"""dataset_statistics and the comparison with paper tables."""

import numpy as np
import pytest

from sasrec_tf.data.registry import ReferenceStatistics
from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out
from sasrec_tf.data.statistics import compare_with_reference, dataset_statistics


def _dataset(with_times=False):
  # user 1: 5 items, user 2: 2 items (train only), user 3: 3 items; item ids up to 6, 5 unused.
  rows = [(1, 1), (1, 2), (1, 3), (1, 4), (1, 6), (2, 1), (2, 2), (3, 2), (3, 3), (3, 1)]
  users, items = np.array(rows).T
  times = np.arange(len(rows)) * 86400 if with_times else None
  return SequenceDataset.from_pairs("s", users, items, times)


def test_full_and_training_part_statistics():
  stats = dataset_statistics(_dataset())
  assert (stats["users"], stats["items"], stats["actions"]) == (3, 6, 10)
  assert (stats["active_users"], stats["active_items"]) == (3, 5)
  assert stats["avg_actions_per_user"] == pytest.approx(10 / 3)
  assert stats["avg_actions_per_item"] == pytest.approx(10 / 6)
  assert stats["max_length"] == 5
  assert stats["train_actions"] == 3 + 2 + 1  # user 2 keeps both items in training
  assert stats["avg_train_actions_per_user"] == pytest.approx(2.0)
  assert stats["avg_train_actions_per_item"] == pytest.approx(1.0)
  assert stats["max_train_length"] == 3
  assert stats["evaluated_users"] == 2
  assert stats["density_pct"] == pytest.approx(100 * 10 / 18)
  assert "first_time" not in stats


def test_split_and_dataset_give_the_same_statistics():
  ds = _dataset(with_times=True)
  assert dataset_statistics(ds) == dataset_statistics(split_leave_one_out(ds))
  assert dataset_statistics(ds)["first_time"] == "1970-01-01"
  assert dataset_statistics(ds)["last_time"] == "1970-01-10"


def test_compare_with_reference_uses_the_basis():
  stats = dataset_statistics(_dataset())
  full = ReferenceStatistics("T", "v", 3, 6, 10, 3.3, 1.7, 5)
  assert all(r["match"] for r in compare_with_reference(stats, full))
  train = ReferenceStatistics("T", "v", 3, None, "0.0M", 2.0, None, 3, basis="train")
  rows = {r["field"]: r for r in compare_with_reference(stats, train)}
  assert set(rows) == {"users", "actions", "avg_actions_per_user", "max_length"}
  assert all(r["match"] for r in rows.values())
  wrong = ReferenceStatistics("T", "v", 4, max_length=4)
  assert [r["match"] for r in compare_with_reference(stats, wrong)] == [False, False]
