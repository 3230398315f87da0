"""Point-wise feed-forward sub-layer (SPEC §3.2 step 8)."""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.layers.dropout import BitDropout


@keras.saving.register_keras_serializable(package="sasrec_tf")
class PointWiseFeedForward(keras.layers.Layer):
  """``Dropout(Dropout(ReLU(x W1 + b1)) W2 + b2)`` with inner width d (two 1x1 convolutions in the
  original code, which equal two dense layers on the last axis). ``output_dropout=False`` leaves
  the final dropout to the caller (paper form)."""

  def __init__(self, dim: int, dropout_rate: float = 0.0, output_dropout: bool = True, seed=None,
               **kwargs):
    super().__init__(**kwargs)
    self.dim = int(dim)
    self.dropout_rate = float(dropout_rate)
    self.output_dropout = bool(output_dropout)
    self.seed = seed
    self.inner = keras.layers.Dense(dim, activation="relu", name="inner")
    self.outer = keras.layers.Dense(dim, name="outer")
    self.dropout_inner = BitDropout(dropout_rate, seed=seed)
    self.dropout_outer = BitDropout(dropout_rate, seed=None if seed is None else seed + 1)

  def build(self, input_shape=None):
    """Creates the two projections and marks both dropouts built (the output one is unused
    when ``output_dropout=False``); ``input_shape`` [..., d_in] (default [B, n, dim])."""
    shape = (None, None, self.dim) if input_shape is None else tuple(input_shape)
    inner_shape = shape[:-1] + (self.dim,)
    for sub, sub_shape in ((self.inner, shape), (self.dropout_inner, inner_shape),
                           (self.outer, inner_shape), (self.dropout_outer, inner_shape)):
      if not sub.built:
        sub.build(sub_shape)
    self.built = True

  def call(self, x, training=False):
    """x: float [B, n, d] -> float [B, n, d], position-wise."""
    h = self.outer(self.dropout_inner(self.inner(x), training=training))
    if self.output_dropout:
      h = self.dropout_outer(h, training=training)
    return h

  def get_config(self):
    return {**super().get_config(), "dim": self.dim, "dropout_rate": self.dropout_rate,
            "output_dropout": self.output_dropout, "seed": self.seed}
