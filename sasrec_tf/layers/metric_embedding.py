"""Embedding table of a metric-learning model: small truncated-normal init, whole-table l2, and
projection of every row into the unit ball (AttRec's norm clipping, paper Eq. 12; SPEC §6.3)."""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="sasrec_tf")
class MetricEmbedding(keras.layers.Layer):
  """Lookup table of ``num_ids + 1`` rows; id 0 is padding and always reads as zero.

  The variable has shape [num_ids + 1, dim], initialised truncated-normal with ``stddev`` (AttRec
  code: 0.001; TF1 and Keras both truncate at 2 standard deviations). Row 0 exists (as in the
  original code, whose item ids start at 1) but is never looked up.

  Args:
    num_ids: largest id.
    dim: d.
    stddev: init standard deviation.
    l2: ``l2 * sum(w^2) / 2`` over the whole variable (code: ``0.001 * tf.nn.l2_loss(table)``).
  """

  def __init__(self, num_ids: int, dim: int, stddev: float = 0.001, l2: float = 0.0, **kwargs):
    super().__init__(**kwargs)
    self.num_ids, self.dim = int(num_ids), int(dim)
    self.stddev, self.l2 = float(stddev), float(l2)

  def build(self, input_shape=None):
    self.table = self.add_weight(
        name="table", shape=(self.num_ids + 1, self.dim),
        initializer=keras.initializers.TruncatedNormal(stddev=self.stddev))
    self.built = True

  def _ensure_built(self):
    if not self.built:
      self.build()

  def call(self, ids):
    """ids: int [...] -> float [..., dim]; rows of id 0 are exactly zero."""
    self._ensure_built()
    ids = tf.cast(ids, tf.int32)
    vectors = tf.gather(self.table, ids)
    return vectors * tf.cast(tf.not_equal(ids, 0), vectors.dtype)[..., None]

  def full_table(self):
    """float [num_ids + 1, dim] with row 0 zeroed (for scoring every id at once)."""
    self._ensure_built()
    return tf.concat([tf.zeros_like(self.table[:1]), self.table[1:]], axis=0)

  def l2_loss(self):
    """``l2 * sum(w^2) / 2`` over the whole variable; Python 0.0 when l2 == 0."""
    if self.l2 == 0.0:
      return 0.0
    self._ensure_built()
    return self.l2 * 0.5 * tf.reduce_sum(tf.square(self.table))

  def clip_to_unit_ball(self, max_norm: float = 1.0):
    """Scales every row with norm > ``max_norm`` down to norm ``max_norm`` (in place).

    Equal to TF1 ``tf.clip_by_norm(table, max_norm, axes=[1])``; rows inside the ball are
    unchanged. Returns the assign op's value.
    """
    self._ensure_built()
    return self.table.assign(tf.clip_by_norm(self.table, max_norm, axes=[1]))

  def get_config(self):
    return {**super().get_config(), "num_ids": self.num_ids, "dim": self.dim,
            "stddev": self.stddev, "l2": self.l2}
