"""Embedding table of a metric-learning model: small truncated-normal init, whole-table l2, and
projection of every row into the unit ball (AttRec's norm clipping, paper Eq. 12; SPEC §6.3)."""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.layers.embeddings import ZeroPadEmbedding


@keras.saving.register_keras_serializable(package="sasrec_tf")
class MetricEmbedding(ZeroPadEmbedding):
  """``ZeroPadEmbedding`` (id 0 reads as zero; whole-table l2) with AttRec's init and clipping.

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
    super().__init__(num_ids, dim, l2=l2, **kwargs)
    self.stddev = float(stddev)

  def initializer(self):
    return keras.initializers.TruncatedNormal(stddev=self.stddev)

  def clip_to_unit_ball(self, max_norm: float = 1.0):
    """Scales every row with norm > ``max_norm`` down to norm ``max_norm`` (in place).

    Equal to TF1 ``tf.clip_by_norm(table, max_norm, axes=[1])``; rows inside the ball are
    unchanged. Returns the assign op's value.
    """
    self._ensure_built()
    return self.table.assign(tf.clip_by_norm(self.table, max_norm, axes=[1]))

  def get_config(self):
    return {**super().get_config(), "stddev": self.stddev}
