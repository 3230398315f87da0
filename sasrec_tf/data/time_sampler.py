"""The TiSASRec / SAS-FPT training sampler and its tf.data pipeline (SPEC §5.1, §5.3).

Items, users and negatives are drawn exactly as the SASRec sampler draws them (SPEC §3.7; the
same random stream, so a TiSASRec batch holds the same (user, seq, pos, neg) as a SASRec batch
of the same seed and step). On top of that each batch carries, built in NumPy inside the
tf.data map (vectorised over the batch):

  * ``time_matrix`` int32 [B, n, n]: the clipped relation matrix of the input window (code:
    ``min(|tau_i - tau_j|, k)`` with personalized tau; see ``time_features``);
  * ``weeks`` int32 [B, n]: UTC week-of-year of every input slot (0 = padding);
  * ``pos_weeks`` int32 [B, n]: week of every target (positive) slot;
  * with user groups and ``group_pairs`` P > 0 (SAS-FPT): ``group_a``, ``group_b`` int32 [2P] and
    ``group_label`` float32 [2P] (+1 for the P positive pairs, -1 for the P negative ones), drawn
    from a second stream seeded with (seed, step, 1).

Batch k is a pure function of (seed, k), so batches are built in parallel and a resumed run
draws exactly what an uninterrupted one would have drawn.
"""

from __future__ import annotations

from typing import Dict, Optional

import numpy as np
import tensorflow as tf

from sasrec_tf.data.sampler import TrainingSampler
from sasrec_tf.data.sequences import LeaveOneOutSplit
from sasrec_tf.data.step_dataset import step_dataset
from sasrec_tf.data.time_features import TimeFeatures, UserGroups, week_of_year

TIME_BATCH_KEYS = ("user", "seq", "pos", "neg", "time_matrix", "weeks", "pos_weeks")
GROUP_KEYS = ("group_a", "group_b", "group_label")


class TimeAwareSampler(TrainingSampler):
  """SASRec's sampler plus the time inputs of TiSASRec and SAS-FPT's group pairs.

  Args:
    split: leave-one-out split with absolute timestamps (``train`` and ``train_times`` read).
    max_len: window length n.
    batch_size: sequences per batch (original: 128).
    seed: base seed.
    features: the ``TimeFeatures`` of the split (time span k, personalisation, rounding);
      default: ``TimeFeatures(split)`` (k = 256, personalized, code rounding).
    groups: user group labels [num_users + 1] (0 = unknown) for the pair draw, or None.
    group_pairs: P, positive (and as many negative) pairs per batch; 0 = no pairs.

  Raises:
    ValueError: the split has no timestamps, or pairs are asked for without groups.
  """

  def __init__(self, split: LeaveOneOutSplit, max_len: int, batch_size: int = 128,
               seed: int = 0, features: Optional[TimeFeatures] = None,
               groups: Optional[np.ndarray] = None, group_pairs: int = 0):
    if split.train_times is None:
      raise ValueError(f"dataset {split.dataset.name!r} has no timestamps: the time-aware "
                       "sampler needs them")
    super().__init__(split, max_len, batch_size, seed)
    self.features = features if features is not None else TimeFeatures(split)
    self.train_times = [np.asarray(t, np.int64) for t in split.train_times]
    self.group_pairs = int(group_pairs)
    self.groups = None
    if self.group_pairs > 0:
      if groups is None:
        raise ValueError("group_pairs > 0 needs user group labels")
      self.groups = UserGroups(groups)

  @property
  def keys(self):
    return TIME_BATCH_KEYS + (GROUP_KEYS if self.groups is not None else ())

  def batch(self, step: int) -> Dict[str, np.ndarray]:
    """Batch number ``step``: user [B]; seq, pos, neg, weeks, pos_weeks [B, n]; time_matrix
    [B, n, n] (all int32); plus the group pairs when configured."""
    rng = np.random.default_rng(np.random.SeedSequence([self.seed, int(step)]))
    users = self._draw_users(rng)
    b, n = self.batch_size, self.max_len
    seq = np.zeros((b, n), np.int32)
    pos = np.zeros((b, n), np.int32)
    seq_t = np.zeros((b, n), np.int64)
    pos_t = np.zeros((b, n), np.int64)
    for row, u in enumerate(users):
      items, times = self.train[u], self.train_times[u]
      k = min(n, items.size - 1)
      seq[row, n - k:], seq_t[row, n - k:] = items[-k - 1:-1], times[-k - 1:-1]
      pos[row, n - k:], pos_t[row, n - k:] = items[-k:], times[-k:]
    neg = self._draw_negatives(rng, users, pos)
    out = {"user": users.astype(np.int32), "seq": seq, "pos": pos, "neg": neg}
    out.update(self.features.window_inputs(users, seq, seq_t))
    out["pos_weeks"] = week_of_year(pos_t, pos != 0)
    if self.groups is not None:
      pair_rng = np.random.default_rng(np.random.SeedSequence([self.seed, int(step), 1]))
      a, b_, label = self.groups.draw_pairs(pair_rng, self.group_pairs)
      out.update(group_a=a, group_b=b_, group_label=label)
    return out

  def dataset(self, first_step: int, num_steps: int, num_parallel_calls: Optional[int] = None,
              prefetch: int = 4) -> tf.data.Dataset:
    """tf.data of batches ``first_step .. first_step + num_steps - 1`` (``step_dataset``)."""
    b, n, p2 = self.batch_size, self.max_len, 2 * self.group_pairs
    shapes = {"user": [b], "seq": [b, n], "pos": [b, n], "neg": [b, n],
              "time_matrix": [b, n, n], "weeks": [b, n], "pos_weeks": [b, n],
              "group_a": [p2], "group_b": [p2], "group_label": [p2]}
    signature = {k: (tf.float32 if k == "group_label" else tf.int32, shapes[k])
                 for k in self.keys}
    return step_dataset(self.batch, signature, first_step, num_steps, num_parallel_calls,
                        prefetch)
