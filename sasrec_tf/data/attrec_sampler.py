"""AttRec's training instances and their tf.data pipeline (SPEC §6.1).

Instances: sliding windows of length L + T with stride 1 over each user's training sequence;
the first L items are the input, the last T the targets. A user with n >= L + T training items
gives n - L - T + 1 windows (the code lists them from the most recent backwards, and so do we).
A user with T < n < L + T gives one window whose input is left-padded with 0 (the original code
would fail on such a user; no dataset of the paper has one at the paper's L and T); a user with
n <= T gives none.

Epochs: every epoch is a fresh random permutation of all instances cut into
``floor(N / batch_size)`` batches (the remainder is dropped), as the code. Batch k is a pure
function of (seed, k): the permutation of epoch ``k // steps_per_epoch`` is drawn from
``SeedSequence([seed, 0, epoch])`` and the negatives of batch k from ``SeedSequence([seed, 1, k])``,
so batches can be built in parallel and a resumed run sees exactly the batches of an
uninterrupted one.

Negatives: T per instance, uniform with replacement over 1..num_items, rejecting
  * ``"targets"``: the instance's own T targets (the code; the user's other items may be drawn);
  * ``"history"``: every training item of the user (the paper's "items the user has not
    interacted with").
"""

from __future__ import annotations

import functools
from typing import Dict, Optional, Tuple

import numpy as np
import tensorflow as tf

from sasrec_tf.data.item_sets import ItemSets
from sasrec_tf.data.sequences import LeaveOneOutSplit
from sasrec_tf.data.step_dataset import step_dataset

BATCH_KEYS = ("user", "seq", "pos", "neg")
NEGATIVE_RULES = ("targets", "history")


def sliding_windows(train, max_len: int, target_len: int
                    ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
  """All training windows of every user (see the module docstring).

  Args:
    train: per-user item arrays indexed by user id (``split.train``; entry 0 unused).
    max_len: L.
    target_len: T.

  Returns:
    (users int32 [N], inputs int32 [N, L] left-padded with 0, targets int32 [N, T]); users in
    ascending id order, each user's windows from the most recent backwards.
  """
  if max_len < 1 or target_len < 1:
    raise ValueError("L and T must be >= 1")
  width = max_len + target_len
  users, inputs, targets = [], [], []
  for u in range(1, len(train)):
    items = np.asarray(train[u], np.int32)
    n = items.size
    if n <= target_len:
      continue
    if n < width:
      row = np.zeros(max_len, np.int32)
      head = items[:n - target_len]
      row[max_len - head.size:] = head
      users.append(np.array([u], np.int32))
      inputs.append(row[None])
      targets.append(items[None, n - target_len:])
      continue
    # Window w (0 = most recent) covers items[n - w - width : n - w].
    starts = (n - width) - np.arange(n - width + 1)
    idx = starts[:, None] + np.arange(width)[None, :]
    block = items[idx]
    users.append(np.full(starts.size, u, np.int32))
    inputs.append(block[:, :max_len])
    targets.append(block[:, max_len:])
  if not users:
    return (np.zeros(0, np.int32), np.zeros((0, max_len), np.int32),
            np.zeros((0, target_len), np.int32))
  return np.concatenate(users), np.concatenate(inputs), np.concatenate(targets)


class AttRecSampler:
  """Batches of AttRec training windows: dict of int32 user [B], seq [B, L], pos/neg [B, T].

  Args:
    split: the split (only ``train`` is read).
    max_len: L.
    target_len: T.
    batch_size: instances per batch (code and paper: 1000).
    seed: base seed.
    negatives: ``"targets"`` (code) or ``"history"`` (paper text); see the module docstring.

  Raises:
    ValueError: there are fewer windows than ``batch_size`` (an epoch would have no batch).
  """

  def __init__(self, split: LeaveOneOutSplit, max_len: int, target_len: int,
               batch_size: int = 1000, seed: int = 0, negatives: str = "targets"):
    if negatives not in NEGATIVE_RULES:
      raise ValueError(f"negatives must be one of {NEGATIVE_RULES}, got {negatives!r}")
    self.max_len, self.target_len = int(max_len), int(target_len)
    self.batch_size, self.seed = int(batch_size), int(seed)
    self.negatives = negatives
    self.num_items = split.num_items
    if self.num_items <= self.target_len:
      raise ValueError(f"{self.num_items} items leave no negative for T={self.target_len} "
                       "targets")
    self.users, self.inputs, self.targets = sliding_windows(split.train, self.max_len,
                                                            self.target_len)
    if self.num_instances < self.batch_size:
      raise ValueError(f"{self.num_instances} training windows (L={self.max_len}, "
                       f"T={self.target_len}) are fewer than batch_size={self.batch_size}")
    # Each user's training items ("history" rule).
    self._history = (ItemSets.from_lists(split.train, self.num_items)
                     if negatives == "history" else None)

  @property
  def num_instances(self) -> int:
    return int(self.users.size)

  @property
  def steps_per_epoch(self) -> int:
    """floor(N / batch_size), the remainder of each permutation is dropped (code)."""
    return self.num_instances // self.batch_size

  @functools.lru_cache(maxsize=4)
  def permutation(self, epoch: int) -> np.ndarray:
    """int64 [N] instance order of 0-based ``epoch``."""
    rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0, int(epoch)]))
    return rng.permutation(self.num_instances)

  def _banned(self, users: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """bool [B, T]: which drawn negatives break the rule."""
    if self.negatives == "targets":
      return (neg[:, :, None] == pos[:, None, :]).any(-1)
    return self._history.contains(users[:, None], neg)

  def negatives_for(self, users: np.ndarray, pos: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """int32 [B, T] negatives for the instances (users [B], targets pos [B, T])."""
    neg = rng.integers(1, self.num_items + 1, size=pos.shape, dtype=np.int64)
    bad = self._banned(users, pos, neg)
    while bad.any():
      neg[bad] = rng.integers(1, self.num_items + 1, size=int(bad.sum()), dtype=np.int64)
      bad = self._banned(users, pos, neg)
    return neg.astype(np.int32)

  def batch(self, step: int) -> Dict[str, np.ndarray]:
    """Batch number ``step`` (0-based, counted over the whole run)."""
    epoch, within = divmod(int(step), self.steps_per_epoch)
    rows = self.permutation(epoch)[within * self.batch_size:(within + 1) * self.batch_size]
    users, pos = self.users[rows], self.targets[rows]
    rng = np.random.default_rng(np.random.SeedSequence([self.seed, 1, int(step)]))
    return {"user": users, "seq": self.inputs[rows], "pos": pos,
            "neg": self.negatives_for(users, pos, rng)}

  def dataset(self, first_step: int, num_steps: int, num_parallel_calls: Optional[int] = None,
              prefetch: int = 4) -> tf.data.Dataset:
    """tf.data of batches ``first_step .. first_step + num_steps - 1`` (``step_dataset``)."""
    b, n, t = self.batch_size, self.max_len, self.target_len
    signature = {"user": (tf.int32, [b]), "seq": (tf.int32, [b, n]), "pos": (tf.int32, [b, t]),
                 "neg": (tf.int32, [b, t])}
    return step_dataset(self.batch, signature, first_step, num_steps, num_parallel_calls,
                        prefetch)
