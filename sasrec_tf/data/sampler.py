"""The SASRec training sampler and its tf.data pipeline (SPEC §3.7).

Each batch is a pure function of (seed, global step): its numpy Generator is seeded with
``SeedSequence([seed, step])``. Batches can therefore be built in parallel, in any order, and a
resumed run draws exactly the batches an uninterrupted run would have drawn.
"""

from __future__ import annotations

from typing import Dict, Optional

import numpy as np
import tensorflow as tf

from sasrec_tf.data.item_sets import ItemSets
from sasrec_tf.data.sequences import LeaveOneOutSplit
from sasrec_tf.data.step_dataset import step_dataset

BATCH_KEYS = ("user", "seq", "pos", "neg")


class TrainingSampler:
  """Draws ``(user, seq, pos, neg)`` batches exactly as the original SASRec sampler.

  * users uniformly from 1..num_users with replacement, re-drawn while their training list has
    <= 1 item;
  * ``seq`` = training items but the last, ``pos`` = the next item at each slot, both truncated to
    the last ``max_len`` slots and left-padded with 0;
  * ``neg``: one id per non-padding slot, uniform over 1..num_items rejecting the user's training
    items (validation/test items are allowed); 0 at padding slots.

  Args:
    split: leave-one-out split (only ``train`` is read).
    max_len: window length n.
    batch_size: sequences per batch (original: 128).
    seed: base seed; batch k of the run is a function of (seed, k) only.
    long_seq_prob: SSE-PT++'s p_s (SPEC §4.5). For a user with t = len(train) - 1 > max_len
      (input, target) pairs, with probability p_s the window is the pairs v..v+n-1 for a start v
      drawn uniformly from 1..t-n (1-based), else the most recent n pairs. 0 (default) = SASRec;
      the random stream is then exactly the one without this option.
  """

  def __init__(self, split: LeaveOneOutSplit, max_len: int, batch_size: int = 128, seed: int = 0,
               long_seq_prob: float = 0.0):
    if not 0.0 <= long_seq_prob <= 1.0:
      raise ValueError(f"long_seq_prob must be in [0, 1], got {long_seq_prob}")
    self.long_seq_prob = float(long_seq_prob)
    self.max_len = int(max_len)
    self.batch_size = int(batch_size)
    self.seed = int(seed)
    self.num_users = split.num_users
    self.num_items = split.num_items
    self.train = [np.asarray(t, np.int32) for t in split.train]
    lengths = np.array([len(t) for t in self.train])
    self.trainable_users = np.nonzero(lengths > 1)[0]
    if self.trainable_users.size == 0:
      raise ValueError("no user has more than one training interaction: nothing to train on")
    self._valid_user = lengths > 1
    # Each user's training items, for one vectorised membership test per batch.
    self._seen = ItemSets.from_lists(self.train, self.num_items)

  @property
  def steps_per_epoch(self) -> int:
    """floor(num_users / batch_size), counting every user id (original code)."""
    return max(1, self.num_users // self.batch_size)

  def _draw_users(self, rng: np.random.Generator) -> np.ndarray:
    users = rng.integers(1, self.num_users + 1, size=self.batch_size)
    bad = ~self._valid_user[users]
    while bad.any():
      users[bad] = rng.integers(1, self.num_users + 1, size=int(bad.sum()))
      bad = ~self._valid_user[users]
    return users

  def _draw_negatives(self, rng: np.random.Generator, users: np.ndarray,
                      pos: np.ndarray) -> np.ndarray:
    """int32 [B, n]: uniform ids rejecting the row user's training items; 0 where pos is 0."""
    real = pos != 0
    neg = rng.integers(1, self.num_items + 1, size=pos.shape).astype(np.int32)
    bad = real & self._seen.contains(users[:, None], neg)
    while bad.any():
      neg[bad] = rng.integers(1, self.num_items + 1, size=int(bad.sum()))
      bad = real & self._seen.contains(users[:, None], neg)
    return np.where(real, neg, 0).astype(np.int32)

  def _window_ends(self, rng: np.random.Generator, users: np.ndarray) -> np.ndarray:
    """Per row, how many leading training items the window may use (its last target's index+1)."""
    lengths = np.array([self.train[u].size for u in users])
    if self.long_seq_prob == 0.0:
      return lengths
    pairs = lengths - 1
    long = pairs > self.max_len
    use_random = (rng.random(users.size) < self.long_seq_prob) & long
    # Start v uniform in 1..t-n (1-based pair index); the window's pairs are v..v+n-1, so its
    # last target is item number v+n (1-based), i.e. the window uses items[:v + n].
    span = np.maximum(pairs - self.max_len, 1)
    starts = 1 + np.floor(rng.random(users.size) * span).astype(np.int64)
    return np.where(use_random, starts + self.max_len, lengths)

  def batch(self, step: int) -> Dict[str, np.ndarray]:
    """Batch number ``step`` of the run: dict of int32 arrays user [B], seq/pos/neg [B, n]."""
    rng = np.random.default_rng(np.random.SeedSequence([self.seed, int(step)]))
    users = self._draw_users(rng)
    n = self.max_len
    seq = np.zeros((self.batch_size, n), np.int32)
    pos = np.zeros((self.batch_size, n), np.int32)
    ends = self._window_ends(rng, users)
    for row, u in enumerate(users):
      items = self.train[u][:ends[row]]
      k = min(n, items.size - 1)
      seq[row, n - k:] = items[-k - 1:-1]
      pos[row, n - k:] = items[-k:]
    neg = self._draw_negatives(rng, users, pos)
    return {"user": users.astype(np.int32), "seq": seq, "pos": pos, "neg": neg}

  def dataset(self, first_step: int, num_steps: int, num_parallel_calls: Optional[int] = None,
              prefetch: int = 4) -> tf.data.Dataset:
    """tf.data of batches ``first_step .. first_step + num_steps - 1`` (``step_dataset``)."""
    b, n = self.batch_size, self.max_len
    signature = {"user": (tf.int32, [b]), "seq": (tf.int32, [b, n]), "pos": (tf.int32, [b, n]),
                 "neg": (tf.int32, [b, n])}
    return step_dataset(self.batch, signature, first_step, num_steps, num_parallel_calls,
                        prefetch)
