"""Embedding tables with a constant-zero padding row, and the SASRec input embedding (SPEC §3.1)."""

from __future__ import annotations

import math

import keras
import tensorflow as tf

from sasrec_tf.layers.dropout import BitDropout


class _GlorotTable(keras.layers.Layer):
  """A [rows, dim] weight, Glorot-uniform on its own shape (TF1 default, SPEC §3.6), with l2.

  Subclasses with another init override ``initializer()``."""

  def __init__(self, rows: int, dim: int, l2: float = 0.0, **kwargs):
    super().__init__(**kwargs)
    self.rows, self.dim, self.l2 = int(rows), int(dim), float(l2)

  def initializer(self):
    return keras.initializers.GlorotUniform()

  def build(self, input_shape=None):
    self.table = self.add_weight(name="table", shape=(self.rows, self.dim),
                                 initializer=self.initializer())
    self.built = True

  def _ensure_built(self):
    if not self.built:
      self.build()

  def l2_loss(self):
    """``l2 * sum(w^2) / 2`` over the whole variable (TF1 ``l2_regularizer`` convention).

    Returns a Python 0.0 when l2 == 0, so no dense gradient of the table is computed.
    """
    if self.l2 == 0.0:
      return 0.0
    self._ensure_built()
    return self.l2 * 0.5 * tf.reduce_sum(tf.square(self.table))


@keras.saving.register_keras_serializable(package="sasrec_tf")
class ZeroPadEmbedding(_GlorotTable):
  """Lookup table of ``num_ids + 1`` rows whose row 0 always reads as zero and never learns.

  The variable has shape [num_ids + 1, dim] and is Glorot-uniform initialised on that shape, as the
  original TF1 code did (SPEC §3.6); Keras' default ``Embedding`` init (uniform ±0.05) and its
  ``mask_zero`` (row 0 still trainable) would both differ.
  """

  def __init__(self, num_ids: int, dim: int, l2: float = 0.0, **kwargs):
    super().__init__(int(num_ids) + 1, dim, l2, **kwargs)
    self.num_ids = int(num_ids)

  def call(self, ids):
    """Returns float [..., dim]; rows of id 0 are exactly zero (and pass no gradient)."""
    self._ensure_built()
    ids = tf.cast(ids, tf.int32)
    vectors = tf.gather(self.table, ids)
    return vectors * tf.cast(tf.not_equal(ids, 0), vectors.dtype)[..., None]

  def full_table(self):
    """float [num_ids + 1, dim] with row 0 zeroed (for scoring every id at once)."""
    self._ensure_built()
    return tf.concat([tf.zeros_like(self.table[:1]), self.table[1:]], axis=0)

  def get_config(self):
    return {**keras.layers.Layer.get_config(self), "num_ids": self.num_ids, "dim": self.dim,
            "l2": self.l2}


@keras.saving.register_keras_serializable(package="sasrec_tf")
class PositionEmbedding(_GlorotTable):
  """Learned absolute position table P [max_len, dim]; slot index 0..max_len-1 of the window."""

  def __init__(self, max_len: int, dim: int, l2: float = 0.0, **kwargs):
    super().__init__(max_len, dim, l2, **kwargs)
    self.max_len = int(max_len)

  def call(self, length):
    """Returns float [length, dim], the LAST ``length`` rows of P (length <= max_len).

    Windows are left-padded and right-aligned, so slot n-1 always holds the most recent item. A
    window shorter than max_len is read as the right end of a max_len window: its slot i gets
    P[max_len - length + i]. For length = max_len this is P itself (the original code); for
    shorter windows it makes cutting off leading padding leave every output unchanged.
    """
    self._ensure_built()
    return self.table[self.max_len - length:]

  def get_config(self):
    return {**keras.layers.Layer.get_config(self), "max_len": self.max_len, "dim": self.dim,
            "l2": self.l2}


@keras.saving.register_keras_serializable(package="sasrec_tf")
class SequenceEmbedding(keras.layers.Layer):
  """SASRec input embedding ``m * Dropout(sqrt(d) * M[s] + P)`` (SPEC §3.1).

  Args:
    item_embedding: the shared ZeroPadEmbedding M (its unscaled rows are reused for prediction).
    max_len: window length n.
    dropout_rate: dropout on the summed embedding.
    use_position: False drops P (Table IV "Remove PE").
    scale: multiply item vectors by sqrt(d) (original code; paper text has no scaling).
    l2: l2_emb applied to P.
  """

  def __init__(self, item_embedding: ZeroPadEmbedding, max_len: int, dropout_rate: float,
               use_position: bool = True, scale: bool = True, l2: float = 0.0, seed=None,
               **kwargs):
    super().__init__(**kwargs)
    self.item_embedding = item_embedding
    self.dim = item_embedding.dim
    self.max_len = int(max_len)
    self.use_position = bool(use_position)
    self.scale = bool(scale)
    self.position = (PositionEmbedding(max_len, self.dim, l2=l2, name="position")
                     if use_position else None)
    self.dropout = BitDropout(dropout_rate, seed=seed)

  def call(self, seq, training=False):
    """seq: int [B, n] (0 = padding) -> (x float [B, n, d], padding rows zero; mask float [B, n, 1]).

    n may be below max_len: positions are right-aligned (see PositionEmbedding)."""
    mask = tf.cast(tf.not_equal(seq, 0), tf.float32)[..., None]
    x = self.item_embedding(seq)
    if self.scale:
      x = x * math.sqrt(self.dim)
    if self.position is not None:
      x = x + self.position(tf.shape(seq)[1])[None]
    x = self.dropout(x, training=training)
    # x is float16 under a mixed_float16 policy; the returned mask stays float32.
    return x * tf.cast(mask, x.dtype), mask

  def l2_loss(self):
    return self.position.l2_loss() if self.position is not None else 0.0
