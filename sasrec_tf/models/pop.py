"""PopRec: ranks items by their number of interactions (SASRec Table III column (a))."""

from __future__ import annotations

import numpy as np

from sasrec_tf.data.sequences import LeaveOneOutSplit


class PopRec:
  """Non-personalised popularity scores; no training, no randomness.

  Args:
    split: the leave-one-out split.
    count_on: "train" (counts on training interactions; default, no leakage) or "all" (every
      interaction of the dataset, as some baselines count).
  """

  def __init__(self, split: LeaveOneOutSplit, count_on: str = "train"):
    if count_on not in ("train", "all"):
      raise ValueError(f"count_on must be 'train' or 'all', got {count_on!r}")
    seqs = split.train if count_on == "train" else split.dataset.sequences
    flat = np.concatenate([np.asarray(s, np.int64) for s in seqs if len(s)])
    self.counts = np.bincount(flat, minlength=split.num_items + 1).astype(np.float32)
    self.counts[0] = 0.0
    self.count_on = count_on

  def score(self, seq, candidates, users=None):
    """candidates int [B, C] -> float [B, C] item counts."""
    return self.counts[np.asarray(candidates)]

  def score_all(self, seq, users=None):
    """-> float [B, num_items + 1] item counts, the same row for every user."""
    return np.broadcast_to(self.counts, (np.asarray(seq).shape[0], self.counts.shape[0]))


def _specs():
  from sasrec_tf.models.registry import ModelSpec  # pylint: disable=import-outside-toplevel
  return {"pop": ModelSpec(
      "pop", model_keys=("pop_count_on",),
      static=lambda split, settings: PopRec(split, count_on=settings["pop_count_on"]))}


MODEL_SPECS = _specs()
