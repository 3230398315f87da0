"""Adapters from models to the evaluator's batch-dict scorer interface (see evaluation.evaluator)."""

from __future__ import annotations

import numpy as np

from sasrec_tf.evaluation.length_groups import length_groups


class ModelScorer:
  """Adapts a Keras model with ``score``/``score_all`` to the evaluator's batch-dict interface.

  Passes ``users=`` and every evaluator batch key in ``extra_keys`` (by name) to the model.

  When the model declares ``padding_invariant = True`` (its last-slot output does not change when
  leading padding is cut off, e.g. SASRec, SSE-PT), each batch is scored in groups of similar
  window length, every group trimmed to its longest window (``length_groups``): the scores are
  the same up to float rounding, and a batch of short histories costs a fraction of n = max_len.
  ``trim_padding=False`` always scores the full windows.

  ``jit_compile=True`` compiles the scoring of padding-invariant models with XLA (other models
  are scored as they are: not every model's scoring is XLA-compatible). Every length group is
  then padded to ``group_rows`` rows (repeating its first row) and widths are multiples of
  ``width_multiple``, so at most ``max_len / width_multiple`` shapes are compiled per protocol
  (about 1.2 s each on 2 CPU cores, paid at the first evaluation).
  """

  def __init__(self, model, extra_keys=(), trim_padding: bool = True, group_rows: int = 64,
               width_multiple: int = 16, jit_compile: bool = False):
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    self.model = model
    self.extra_keys = tuple(k for k in extra_keys if k != "users")
    self.trim = bool(trim_padding) and bool(getattr(model, "padding_invariant", False))
    self.group_rows, self.width_multiple = int(group_rows), int(width_multiple)
    self.jit_compile = bool(jit_compile) and self.trim
    options = dict(jit_compile=True) if self.jit_compile else dict(reduce_retracing=True)
    self._candidates = tf.function(
        lambda users, seqs, cands, extra: model.score(seqs, cands, users=users, **extra),
        **options)
    self._all = tf.function(
        lambda users, seqs, extra: model.score_all(seqs, users=users, **extra), **options)

  def _extra(self, batch, rows=None):
    return {k: batch[k] if rows is None else np.asarray(batch[k])[rows] for k in self.extra_keys}

  def _grouped(self, batch, fn, *per_row):
    """Runs ``fn(users, seqs, *per_row, extra)`` per length group and restores the row order."""
    seqs = np.asarray(batch["seqs"])
    if not self.trim:
      return fn(batch["users"], seqs, *per_row, self._extra(batch)).numpy()
    users = np.asarray(batch["users"])
    out = None
    for rows, width in length_groups(seqs, self.group_rows, self.width_multiple):
      count = rows.size
      if self.jit_compile and count < self.group_rows:  # one compiled shape per width
        rows = np.concatenate([rows, np.full(self.group_rows - count, rows[0])])
      scores = fn(users[rows], seqs[rows, seqs.shape[1] - width:],
                  *[np.asarray(a)[rows] for a in per_row], self._extra(batch, rows)).numpy()
      if out is None:
        out = np.empty((seqs.shape[0],) + scores.shape[1:], scores.dtype)
      out[rows[:count]] = scores[:count]
    return out

  def score_candidates(self, batch):
    return self._grouped(batch, self._candidates, batch["candidates"])

  def score_all(self, batch):
    return self._grouped(batch, self._all)


class StaticScorer:
  """Adapts a non-trained model (PopRec) to the evaluator."""

  def __init__(self, model):
    self.model = model

  def score_candidates(self, batch):
    return self.model.score(batch["seqs"], batch["candidates"], batch["users"])

  def score_all(self, batch):
    return self.model.score_all(batch["seqs"], batch["users"])
