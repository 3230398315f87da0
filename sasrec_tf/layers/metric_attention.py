"""AttRec's short-term self-attention (Zhang et al., Eq. 1-8; SPEC §6.2).

The module turns the embeddings X_t^u of a user's L most recent items into one short-term intent
vector m_t^u:

  Z  = X_t^u + TE                      time signal on the query/key input only
  Q' = K' = ReLU(Z W)                  ONE shared d x d matrix W, no bias ("W_Q = W_K")
  S  = softmax(Q' K'^T / sqrt(d))      L x L, diagonal masked (after or before the softmax)
  a  = S X_t^u                         identity values: the raw embeddings, no time signal
  m  = aggregate(rows of a)            mean (paper default), sum, max or min

``use_attention=False`` is the "w/o Self-Att" row of AttRec Table 3: m aggregates the rows of
X_t^u directly.

Padding (id 0) is not part of the original method (its windows are always full); it is supported
so that users with fewer than L items can be scored: padding keys get no weight, padding queries
are left out of the aggregation (the mean divides by the number of real rows).
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

DIAGONAL_MASKS = ("after", "before")
TIME_SIGNALS = ("concat", "interleave", "none")
AGGREGATIONS = ("mean", "sum", "max", "min")
_NEG = -1e9


def timing_signal(length, dim: int, layout: str = "concat") -> tf.Tensor:
  """Sinusoidal time signal TE, float32 [length, dim], for window slots t = 0..length-1.

  Args:
    length: L (a Python int or a scalar int tensor).
    dim: d.
    layout: ``"concat"`` = the original code (tensor2tensor ``add_timing_signal``): channel j <
      d//2 is ``sin(t * w_j)``, channel d//2 + j is ``cos(t * w_j)``, with
      ``w_j = exp(-j * ln(1e4) / (d//2 - 1))`` (a zero channel is appended when d is odd);
      ``"interleave"`` = the paper's Eq. 7-8: ``TE(t, 2i) = sin(t / 1e4^(2i/d))``,
      ``TE(t, 2i+1) = cos(t / 1e4^(2i/d))``; ``"none"`` = zeros (no time signal).
  """
  if layout not in TIME_SIGNALS:
    raise ValueError(f"time signal layout must be one of {TIME_SIGNALS}, got {layout!r}")
  t = tf.cast(tf.range(length), tf.float32)[:, None]
  if layout == "none":
    return tf.zeros([tf.size(t), dim], tf.float32)
  if layout == "concat":
    half = dim // 2
    # tensor2tensor divides by (half - 1); d = 2 or 3 (half = 1) would divide by zero there.
    increment = math.log(1.0e4) / max(half - 1, 1)
    inv = np.exp(-np.arange(half) * increment).astype(np.float32)[None, :]
    scaled = t * inv
    signal = tf.concat([tf.sin(scaled), tf.cos(scaled)], axis=1)
    return tf.pad(signal, [[0, 0], [0, dim - 2 * half]])
  pairs = (dim + 1) // 2
  denom = np.power(1.0e4, np.arange(0, 2 * pairs, 2) / dim).astype(np.float32)[None, :]
  angle = t / denom
  signal = tf.reshape(tf.stack([tf.sin(angle), tf.cos(angle)], axis=-1), [-1, 2 * pairs])
  return signal[:, :dim]


@keras.saving.register_keras_serializable(package="sasrec_tf")
class ShortTermSelfAttention(keras.layers.Layer):
  """The AttRec self-attention module; ``call(x, mask)`` -> m [B, d].

  Args:
    dim: d (width of the item embeddings and of W).
    dropout_rate: dropout on the non-linear layer's output ReLU(Z W), drawn independently for
      the query and the key copy (paper: "can be applied to the nonlinear layer"; code: none).
    diagonal_mask: ``"after"`` (code: softmax first, then the diagonal weights are multiplied
      by 0, so rows sum to less than 1) or ``"before"`` (paper: diagonal logits are masked
      before the softmax).
    time_signal: ``"concat"`` (code), ``"interleave"`` (paper Eq. 7-8) or ``"none"``; see
      ``timing_signal``.
    aggregation: ``"mean"``, ``"sum"``, ``"max"`` or ``"min"`` over the L output rows (Table 4).
    use_attention: False = "w/o Self-Att" (Table 3): aggregate the raw embeddings instead.
    l2: ``l2 * sum(W^2) / 2`` (TF1 ``l2_regularizer`` convention; code: 0.01).
    seed: seed of the dropout layers.
  """

  def __init__(self, dim: int, dropout_rate: float = 0.0, diagonal_mask: str = "after",
               time_signal: str = "concat", aggregation: str = "mean",
               use_attention: bool = True, l2: float = 0.0, seed=None, **kwargs):
    super().__init__(**kwargs)
    if diagonal_mask not in DIAGONAL_MASKS:
      raise ValueError(f"diagonal_mask must be one of {DIAGONAL_MASKS}, got {diagonal_mask!r}")
    if time_signal not in TIME_SIGNALS:
      raise ValueError(f"time_signal must be one of {TIME_SIGNALS}, got {time_signal!r}")
    if aggregation not in AGGREGATIONS:
      raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}")
    self.dim = int(dim)
    self.dropout_rate = float(dropout_rate)
    self.diagonal_mask = diagonal_mask
    self.time_signal = time_signal
    self.aggregation = aggregation
    self.use_attention = bool(use_attention)
    self.l2 = float(l2)
    self.seed = seed
    sub = None if seed is None else int(seed)
    self.query_dropout = keras.layers.Dropout(self.dropout_rate, seed=sub)
    self.key_dropout = keras.layers.Dropout(self.dropout_rate,
                                            seed=None if sub is None else sub + 1)

  def build(self, input_shape=None):
    if self.use_attention:
      self.kernel = self.add_weight(name="kernel", shape=(self.dim, self.dim),
                                    initializer=keras.initializers.GlorotUniform())
    self.built = True

  def attention_weights(self, x, mask=None, training=False):
    """x: float [B, L, d]; mask: optional [B, L] (1 = real item) -> float [B, L, L] weights S.

    Row i holds the weights of query slot i over the key slots; the diagonal is zero, padding
    keys get zero weight, and a row with no admissible key is all zero.
    """
    if not self.built:
      self.build()
    length = tf.shape(x)[1]
    if mask is None:
      mask = tf.ones(tf.shape(x)[:2], tf.float32)
    mask = tf.cast(mask, tf.float32)
    z = x
    if self.time_signal != "none":
      z = x + tf.cast(timing_signal(length, self.dim, self.time_signal), x.dtype)[None]
    # tensordot = one [B*L, d] x [d, d] product (a 3-D matmul would run B small ones on CPU).
    h = tf.nn.relu(tf.tensordot(z, tf.cast(self.kernel, z.dtype), axes=1))
    q = self.query_dropout(h, training=training)
    k = self.key_dropout(h, training=training)
    logits = tf.matmul(q, k, transpose_b=True) / tf.cast(math.sqrt(self.dim), q.dtype)
    logits = tf.cast(logits, tf.float32)  # softmax in float32 (mixed precision safe)
    off_diagonal = 1.0 - tf.eye(length, dtype=tf.float32)[None]
    allowed_before = mask[:, None, :]  # padding keys never count
    if self.diagonal_mask == "before":
      allowed_before = allowed_before * off_diagonal
    logits = tf.where(allowed_before > 0, logits, _NEG)
    weights = tf.nn.softmax(logits, axis=-1)
    # Code: the diagonal is zeroed after the softmax. In both modes a row without any admissible
    # key (only padding, or L = 1 with the paper mask) becomes zero instead of uniform.
    weights = weights * (mask[:, None, :] * off_diagonal)
    return tf.cast(weights, x.dtype)

  def call(self, x, mask=None, training=False):
    """x: float [B, L, d] item embeddings (table X); mask: optional [B, L] -> float [B, d] m."""
    if not self.built:
      self.build()
    if mask is None:
      mask = tf.ones(tf.shape(x)[:2], x.dtype)
    mask = tf.cast(mask, x.dtype)
    rows = x
    if self.use_attention:
      rows = tf.matmul(self.attention_weights(x, mask, training=training), x)
    return aggregate(rows, mask, self.aggregation)

  def l2_loss(self):
    """``l2 * sum(W^2) / 2`` (0.0 when l2 == 0 or without attention)."""
    if self.l2 == 0.0 or not self.use_attention:
      return 0.0
    if not self.built:
      self.build()
    return self.l2 * 0.5 * tf.reduce_sum(tf.square(self.kernel))

  def get_config(self):
    return {**super().get_config(), "dim": self.dim, "dropout_rate": self.dropout_rate,
            "diagonal_mask": self.diagonal_mask, "time_signal": self.time_signal,
            "aggregation": self.aggregation, "use_attention": self.use_attention,
            "l2": self.l2, "seed": self.seed}


def aggregate(rows, mask, how: str):
  """Reduces rows [B, L, d] over the real slots (mask [B, L], 1 = real) -> [B, d].

  ``"mean"`` divides by the number of real rows (= L for a full window, as the code's
  ``reduce_mean``); ``"max"``/``"min"`` ignore padding rows; a window without any real row gives
  zeros.
  """
  if how not in AGGREGATIONS:
    raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {how!r}")
  m = tf.cast(mask, rows.dtype)[..., None]
  if how in ("mean", "sum"):
    total = tf.reduce_sum(rows * m, axis=1)
    if how == "sum":
      return total
    count = tf.maximum(tf.reduce_sum(m, axis=1), tf.cast(1.0, rows.dtype))
    return total / count
  big = tf.cast(rows.dtype.max, rows.dtype)
  fill = -big if how == "max" else big
  masked = tf.where(m > 0, rows, fill)
  out = tf.reduce_max(masked, axis=1) if how == "max" else tf.reduce_min(masked, axis=1)
  any_real = tf.reduce_sum(m, axis=1) > 0
  return tf.where(any_real, out, tf.zeros_like(out))
