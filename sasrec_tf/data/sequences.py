"""Per-user chronological sequences and the leave-one-out split (SPEC §1.7).

Conventions shared by the whole library:
  * user ids are 1..num_users and item ids 1..num_items; 0 is padding;
  * ``sequences[u]`` is user u's int32 item array in time order; ``sequences[0]`` is empty;
  * ``num_users`` / ``num_items`` are the largest ids (the original code takes maxima, it does not
    count distinct ids, which matters for ML-10M).
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional

import numpy as np


@dataclasses.dataclass(frozen=True)
class SequenceDataset:
  """Time-ordered interaction sequences of every user.

  Attributes:
    name: dataset name (registry key or file stem).
    sequences: list of length num_users + 1; entry u is an int32 array of item ids in time order.
    num_users: largest user id.
    num_items: largest item id.
    timestamps: optional list aligned with ``sequences`` (int64 unix seconds), None if unknown.
  """

  name: str
  sequences: List[np.ndarray]
  num_users: int
  num_items: int
  timestamps: Optional[List[np.ndarray]] = None

  def __post_init__(self):
    if len(self.sequences) != self.num_users + 1:
      raise ValueError(
          f"sequences must have num_users + 1 = {self.num_users + 1} entries, "
          f"got {len(self.sequences)}")
    if self.timestamps is not None and len(self.timestamps) != len(self.sequences):
      raise ValueError("timestamps must be aligned with sequences")

  @property
  def num_interactions(self) -> int:
    return int(sum(len(s) for s in self.sequences))

  def lengths(self) -> np.ndarray:
    """int64 [num_users + 1] sequence lengths (entry 0 is 0)."""
    return np.array([len(s) for s in self.sequences], dtype=np.int64)

  @classmethod
  def from_pairs(cls, name: str, users: np.ndarray, items: np.ndarray,
                 timestamps: Optional[np.ndarray] = None) -> "SequenceDataset":
    """Groups already time-ordered (user, item[, time]) rows by user, keeping row order.

    Args:
      users: int [N] user ids >= 1.
      items: int [N] item ids >= 1.
      timestamps: optional int [N].
    """
    users = np.asarray(users, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    if users.size == 0:
      raise ValueError(f"{name}: no interactions")
    if users.min() < 1 or items.min() < 1:
      raise ValueError(f"{name}: user and item ids must be >= 1")
    num_users = int(users.max())
    num_items = int(items.max())
    order = np.argsort(users, kind="stable")
    sorted_users = users[order]
    bounds = np.searchsorted(sorted_users, np.arange(num_users + 2))
    seqs = [np.asarray(items[order[bounds[u]:bounds[u + 1]]], dtype=np.int32)
            for u in range(num_users + 1)]
    times = None
    if timestamps is not None:
      ts = np.asarray(timestamps, dtype=np.int64)
      times = [ts[order[bounds[u]:bounds[u + 1]]] for u in range(num_users + 1)]
    return cls(name, seqs, num_users, num_items, times)


@dataclasses.dataclass(frozen=True)
class LeaveOneOutSplit:
  """Train / validation / test split of a SequenceDataset (SPEC §1.7).

  Attributes:
    dataset: the split dataset.
    train: list of length num_users + 1; int32 training items of each user (time order).
    valid: int32 [num_users + 1]; validation item of each user, 0 if the user is not evaluated.
    test: int32 [num_users + 1]; test item of each user, 0 if the user is not evaluated.
    train_times, valid_times, test_times: timestamps aligned with the above, or None.
  """

  dataset: SequenceDataset
  train: List[np.ndarray]
  valid: np.ndarray
  test: np.ndarray
  train_times: Optional[List[np.ndarray]] = None
  valid_times: Optional[np.ndarray] = None
  test_times: Optional[np.ndarray] = None

  @property
  def num_users(self) -> int:
    return self.dataset.num_users

  @property
  def num_items(self) -> int:
    return self.dataset.num_items

  def evaluable_users(self, stage: str) -> np.ndarray:
    """int64 ids of users with a non-empty training list and a ``stage`` item ('valid'/'test')."""
    target = self.valid if stage == "valid" else self.test
    train_len = np.array([len(t) for t in self.train])
    return np.nonzero((target > 0) & (train_len > 0))[0].astype(np.int64)


def split_leave_one_out(dataset: SequenceDataset, min_len: int = 3) -> LeaveOneOutSplit:
  """Last item -> test, second to last -> validation, rest -> train.

  Users with fewer than ``min_len`` (original code: 3) interactions keep everything in training and
  are never evaluated.
  """
  n = dataset.num_users
  train, valid, test = [], np.zeros(n + 1, np.int32), np.zeros(n + 1, np.int32)
  has_t = dataset.timestamps is not None
  train_t = [] if has_t else None
  valid_t = np.zeros(n + 1, np.int64) if has_t else None
  test_t = np.zeros(n + 1, np.int64) if has_t else None
  for u, seq in enumerate(dataset.sequences):
    ts = dataset.timestamps[u] if has_t else None
    if len(seq) < min_len:
      train.append(np.asarray(seq, np.int32))
      if has_t:
        train_t.append(np.asarray(ts, np.int64))
      continue
    train.append(np.asarray(seq[:-2], np.int32))
    valid[u], test[u] = seq[-2], seq[-1]
    if has_t:
      train_t.append(np.asarray(ts[:-2], np.int64))
      valid_t[u], test_t[u] = ts[-2], ts[-1]
  return LeaveOneOutSplit(dataset, train, valid, test, train_t, valid_t, test_t)
