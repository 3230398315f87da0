"""Shared-embedding prediction: logits are dot products with (unscaled) item table rows (SPEC §3.3)."""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.layers.embeddings import ZeroPadEmbedding


@keras.saving.register_keras_serializable(package="sasrec_tf")
class EmbeddingScorer(keras.layers.Layer):
  """Scores item ids against sequence representations with an item table.

  Pass the input item table to share it (SASRec default); pass a separate table for the
  "Unshared IE" ablation. The table's padding row reads as zero, so padding ids score 0.
  """

  def __init__(self, item_embedding: ZeroPadEmbedding, **kwargs):
    super().__init__(**kwargs)
    self.item_embedding = item_embedding

  def call(self, features, item_ids):
    """features: float [..., d]; item_ids: int [..., C] with the same leading dims.

    Returns float [..., C]: ``features . M[item]`` for each candidate.
    """
    items = self.item_embedding(item_ids)
    return tf.einsum("...d,...cd->...c", features, items)

  def pointwise(self, features, item_ids):
    """features: float [B, n, d]; item_ids: int [B, n] -> float [B, n] (one item per position)."""
    return tf.reduce_sum(features * self.item_embedding(item_ids), axis=-1)

  def all_items(self, features):
    """features: float [B, d] -> float [B, num_items + 1] (column 0 = padding, always 0)."""
    # full_table() is read outside a layer call, so it is not autocast: match the features'
    # dtype (float16 under a mixed_float16 policy).
    table = tf.cast(self.item_embedding.full_table(), features.dtype)
    return tf.matmul(features, table, transpose_b=True)
