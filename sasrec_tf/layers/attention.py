"""Causal multi-head self-attention exactly as the SASRec code computes it (SPEC §3.2 steps 2-6)."""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.layers.dropout import BitDropout

# The original code replaces masked logits by -(2**32 - 1) rather than -inf.
MASK_VALUE = -(2.0**32) + 1.0


def causal_mask(length, num_queries=None):
  """bool [m, length]; True where key j <= the position of query i.

  The m = ``num_queries`` (default ``length``) queries are the LAST m positions, so query i sits
  at position length - m + i.
  """
  m = length if num_queries is None else num_queries
  return tf.linalg.band_part(tf.ones((m, length), tf.bool), -1, length - m)


def attention_bias(key_mask, causal: bool = True, num_queries=None):
  """key_mask: float [B, n] (1 = real item) -> float [B, 1, m or 1, n] additive logit bias.

  0 where query i may attend to key j (key j is not padding and, if causal, j is not after the
  query's position; queries are the last m = ``num_queries`` positions), else MASK_VALUE.
  """
  bias = (1.0 - key_mask)[:, None, None, :] * MASK_VALUE
  if causal:
    n = tf.shape(key_mask)[1]
    allowed = causal_mask(n, num_queries)
    bias = bias + (1.0 - tf.cast(allowed, bias.dtype))[None, None] * MASK_VALUE
  return bias


@keras.saving.register_keras_serializable(package="sasrec_tf")
class CausalSelfAttention(keras.layers.Layer):
  """Attention with queries from one input and keys/values from another, causal and key-masked.

  Code form (default): ``Q = q_in W_Q + b``, ``K = kv_in W_K + b``, ``V = kv_in W_V + b``, heads of
  width d/h, logits scaled by sqrt(d/h), key-padding and causal masks, softmax, padding queries
  zeroed, dropout on the attention weights, no output projection.
  ``use_bias=False`` and ``weight_dropout=False`` give the paper's Eq. 2 form.
  """

  def __init__(self, dim: int, num_heads: int = 1, dropout_rate: float = 0.0,
               use_bias: bool = True, weight_dropout: bool = True, causal: bool = True, seed=None,
               **kwargs):
    super().__init__(**kwargs)
    if dim % num_heads:
      raise ValueError(f"hidden size {dim} is not divisible by num_heads={num_heads}")
    self.dim, self.num_heads = int(dim), int(num_heads)
    self.dropout_rate = float(dropout_rate)
    self.use_bias = bool(use_bias)
    self.causal = bool(causal)
    self.weight_dropout = bool(weight_dropout)
    self.seed = seed
    dense = lambda name: keras.layers.Dense(dim, use_bias=use_bias, name=name)
    self.query, self.key, self.value = dense("query"), dense("key"), dense("value")
    self.dropout = BitDropout(dropout_rate, seed=seed)

  def build(self, input_shape=None):
    """Creates the Q, K and V projections (in the order ``call`` first uses them) and marks the
    weight dropout built even if no call uses it. Keras passes the queries' shape; keys/values
    have the same width d, which is all a projection needs."""
    shape = (None, None, self.dim) if input_shape is None else tuple(input_shape)
    for sub in (self.query, self.key, self.value, self.dropout):
      if not sub.built:
        sub.build(shape)
    self.built = True

  def _split(self, x):
    """[B, n, d] -> [B, h, n, d/h] (one head: a free reshape, no transpose copy)."""
    if self.num_heads == 1:
      return tf.expand_dims(x, 1)  # a reshape: unlike x[:, None], no StridedSliceGrad
    b, n = tf.shape(x)[0], tf.shape(x)[1]
    x = tf.reshape(x, [b, n, self.num_heads, self.dim // self.num_heads])
    return tf.transpose(x, [0, 2, 1, 3])

  def _merge(self, x, shape):
    """[B, h, m, d/h] -> [B, m, d] with ``shape`` = [B, m, d]."""
    if self.num_heads == 1:
      return tf.reshape(x, shape)
    return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), shape)

  def call(self, queries, keys_values, mask, training=False):
    """queries: float [B, m, d] for the LAST m positions (m <= n; usually m = n);
    keys_values: float [B, n, d]; mask: float [B, n, 1] (1 = real item).

    Returns float [B, m, d]; the query at position i depends only on key positions <= i.
    """
    num_queries = tf.shape(queries)[1]
    # Scaling the queries [B, m, d] by 1/sqrt(d/h) equals scaling the logits [B, h, m, n] (the
    # original code) up to float rounding, and touches fewer values.
    q = self._split(self.query(queries) * ((self.dim // self.num_heads) ** -0.5))
    k = self._split(self.key(keys_values))
    v = self._split(self.value(keys_values))
    logits = tf.matmul(q, k, transpose_b=True)
    # One additive bias holds both masks. Adding MASK_VALUE (-(2^32-1)) instead of substituting it
    # gives the same softmax in float32: every masked logit becomes MASK_VALUE after rounding.
    # Masking and softmax run in float32 (no-op casts by default): MASK_VALUE overflows float16 to
    # -inf, and 0 * -inf = NaN would poison every logit under a mixed_float16 policy.
    logits = tf.cast(logits, tf.float32) + attention_bias(tf.cast(mask[:, :, 0], tf.float32),
                                                          self.causal, num_queries)
    weights = tf.cast(tf.nn.softmax(logits, axis=-1), v.dtype)
    if self.weight_dropout:
      weights = self.dropout(weights, training=training)
    out = self._merge(tf.matmul(weights, v), tf.shape(queries))  # [B, m, d]
    # Padding queries attend to nothing: zeroing their weight rows equals zeroing their outputs,
    # which touches [B, n, d] instead of [B, h, n, n] values.
    return out * mask[:, -num_queries:]

  def get_config(self):
    return {**super().get_config(), "dim": self.dim, "num_heads": self.num_heads,
            "dropout_rate": self.dropout_rate, "use_bias": self.use_bias, "causal": self.causal,
            "weight_dropout": self.weight_dropout, "seed": self.seed}
