"""Squared Euclidean distances between query vectors and item vectors (AttRec Eq. 9-10)."""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="sasrec_tf")
class SquaredEuclideanScorer(keras.layers.Layer):
  """Weightless layer: ``||query - item||^2`` for candidate lists or for a whole table.

  Lower is better; a model that ranks by "higher is better" returns minus these values.
  """

  def call(self, query, items):
    """query: float [B, d]; items: float [B, C, d] -> float [B, C] exact squared distances.

    Computed from the differences (as the original code), so it is exact and never negative.
    """
    return tf.reduce_sum(tf.square(query[:, None, :] - items), axis=-1)

  def all_items(self, query, table):
    """query: float [B, d]; table: float [N, d] -> float [B, N] squared distances.

    Uses ``|q|^2 - 2 q.t + |t|^2`` (one matrix product instead of a [B, N, d] tensor); values are
    clipped at 0 against rounding. Agrees with ``call`` up to float rounding.
    """
    table = tf.cast(table, query.dtype)
    q2 = tf.reduce_sum(tf.square(query), axis=-1, keepdims=True)
    t2 = tf.reduce_sum(tf.square(table), axis=-1)[None, :]
    cross = tf.matmul(query, table, transpose_b=True)
    return tf.maximum(q2 - 2.0 * cross + t2, 0.0)
