"""Time-interval aware causal self-attention of TiSASRec as its original code computes it (§5.1).

TiSASRec adds no positional vector to its input. Instead, every block reads four tables that are
shared by all blocks:
  * absolute-position key / value tables ``PK, PV`` [n, d] (window slot 0..n-1);
  * clipped-interval key / value tables ``TK, TV`` [k + 1, d] (interval 0..k).
For an input window with relation matrix ``R`` [B, n, n] (``R_ij = min(|tau_i - tau_j|, k)``),
one attention sub-layer computes

  logits_ij = Q_i . (K_j + PK_j + TK[R_ij]) / sqrt(d/h)
  out_i     = sum_j A_ij (V_j + PV_j + TV[R_ij])

with ``Q = LN(x) W_Q + b``, ``K = x W_K + b``, ``V = x W_V + b`` (keys and values from the
un-normalised input, as in SASRec's code), key-padding and causal masks, dropout on the attention
weights and no output projection. The looked-up PK, PV, TK[R], TV[R] go through dropout once per
forward pass (``TimeAwareEncodings``) and are then reused by every block.

The interval terms have two exactly equivalent forms (``INTERVAL_FORMS``):
  * gathered (the original code): look up ``TK[R], TV[R]`` [B, n, n, d] and contract them with Q
    and A: O(B n^2 d) memory traffic in slow gathers and tiny batched matmuls;
  * factored: ``Q_i . TK[R_ij] = (Q_i TK^T)[R_ij]``, a [B, n, k + 1] matmul and a gather, and
    ``sum_j A_ij TV[R_ij] = S_i TV`` with ``S_ir = sum_{j: R_ij = r} A_ij`` (a segment sum of the
    weights into the k + 1 interval buckets): O(B n k d) in large matmuls, no [B, n, n, d] tensor.
The factored form cannot express dropout on the looked-up [B, n, n, d] vectors (a separate mask
per (b, i, j)), so it is used only where that dropout is off: evaluation, or dropout_rate = 0.

Layers here know nothing about timestamps: the relation matrix is built by the data pipeline
(``sasrec_tf.data.time_sampler``).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.layers.attention import attention_bias
from sasrec_tf.layers.block import layer_norm
from sasrec_tf.layers.dropout import BitDropout
from sasrec_tf.layers.embeddings import PositionEmbedding, _GlorotTable
from sasrec_tf.layers.feed_forward import PointWiseFeedForward

# "auto": factored where it is exact (no interval dropout) and cheaper by shape; "factored":
# factored wherever it is exact; "gathered": always the original [B, n, n, d] lookup.
INTERVAL_FORMS = ("auto", "factored", "gathered")
# "auto" takes the factored form when k + 1 <= FACTORED_MAX_RATIO * n. Its matmuls cost (k + 1) / n
# times the gathered form's contractions in flops, but run much faster per flop. Measured on CPU
# (B = 128, n = d = 50, dropout off): train step 0.19 / 0.23 / 0.38 / 0.88 s factored for k = 256 /
# 512 / 1024 / 2048 against 0.55-0.60 s gathered for every k; evaluation batch 0.04 / 0.04 / 0.06 /
# 0.18 s against 0.12 s.
FACTORED_MAX_RATIO = 32


@keras.saving.register_keras_serializable(package="sasrec_tf")
class IntervalEmbedding(_GlorotTable):
  """Interval table [time_span + 1, dim], Glorot-uniform, with no zero row (interval 0 is a real
  interval: "same time"; the original builds it with ``zero_pad=False``).

  Args:
    time_span: the clipping span k; intervals above k read row k.
    dim: vector width.
    l2: ``l2 * sum(w^2) / 2`` via ``l2_loss()``.
  """

  def __init__(self, time_span: int, dim: int, l2: float = 0.0, **kwargs):
    if int(time_span) < 0:
      raise ValueError(f"time_span must be >= 0, got {time_span}")
    super().__init__(int(time_span) + 1, dim, l2, **kwargs)
    self.time_span = int(time_span)

  def call(self, intervals):
    """intervals: int [...] -> float [..., dim]; values are clipped to 0..time_span first."""
    self._ensure_built()
    ids = tf.clip_by_value(tf.cast(intervals, tf.int32), 0, self.time_span)
    return tf.gather(self.table, ids)

  def full_table(self):
    """float [time_span + 1, dim]: row r is the vector of interval r (the factored form)."""
    self._ensure_built()
    return tf.convert_to_tensor(self.table)

  def get_config(self):
    return {**keras.layers.Layer.get_config(self), "time_span": self.time_span, "dim": self.dim,
            "l2": self.l2}


@keras.saving.register_keras_serializable(package="sasrec_tf")
class TimeAwareEncodings(keras.layers.Layer):
  """The four shared TiSASRec tables and their dropout (SPEC §5.1 "Four more tables").

  Args:
    max_len: window length n (rows of PK and PV).
    dim: model width d.
    time_span: clipping span k (TK and TV have k + 1 rows).
    dropout_rate: dropout on each looked-up tensor (training only).
    l2: ``l2 * sum(w^2) / 2`` on each of the four tables (``l2_loss``).
    seed: base seed of the four dropout layers.
  """

  def __init__(self, max_len: int, dim: int, time_span: int, dropout_rate: float = 0.0,
               l2: float = 0.0, seed=None, **kwargs):
    super().__init__(**kwargs)
    self.max_len, self.dim, self.time_span = int(max_len), int(dim), int(time_span)
    self.dropout_rate, self.l2, self.seed = float(dropout_rate), float(l2), seed
    self.position_key = PositionEmbedding(max_len, dim, l2=l2, name="position_key")
    self.position_value = PositionEmbedding(max_len, dim, l2=l2, name="position_value")
    self.interval_key = IntervalEmbedding(time_span, dim, l2=l2, name="interval_key")
    self.interval_value = IntervalEmbedding(time_span, dim, l2=l2, name="interval_value")
    s = lambda k: None if seed is None else int(seed) + k
    self.dropout_position_key = BitDropout(dropout_rate, seed=s(0))
    self.dropout_position_value = BitDropout(dropout_rate, seed=s(1))
    self.dropout_interval_key = BitDropout(dropout_rate, seed=s(2))
    self.dropout_interval_value = BitDropout(dropout_rate, seed=s(3))

  def build(self, input_shape=None):
    """Creates the four tables (in the order the forward pass reads them)."""
    for table in (self.position_key, self.position_value, self.interval_key,
                  self.interval_value):
      if not table.built:
        table.build()
    self.built = True

  def interval_dropout_active(self, training) -> bool:
    """Whether a forward pass with this ``training`` flag drops interval vectors (the one
    thing the factored form cannot compute; a symbolic flag counts as active)."""
    return self.dropout_rate > 0.0 and training is not False and training is not None

  def call(self, time_matrix, training=False, factored=False):
    """time_matrix: int [B, n, n] clipped intervals (values above k read row k).

    Returns (pos_key [B, n, d], pos_value [B, n, d], time_key [B, n, n, d],
    time_value [B, n, n, d]). The position tensors are tiled over the batch before dropout, so
    every sequence gets its own dropout mask, as the original's [B, n] lookup did.

    With ``factored=True`` (only where ``interval_dropout_active`` is False) the interval part
    comes as the tables and the clipped relations instead: (pos_key, pos_value, key_table
    [k + 1, d], value_table [k + 1, d], relations int32 [B, n, n] in 0..k), where
    ``time_key[b, i, j] == key_table[relations[b, i, j]]``.

    Raises:
      ValueError: ``factored=True`` while interval dropout is active.
    """
    time_matrix = tf.convert_to_tensor(time_matrix)
    batch, n = tf.shape(time_matrix)[0], tf.shape(time_matrix)[1]
    tile = lambda t: tf.tile(t[None], tf.stack([batch, 1, 1]))
    pos_key = self.dropout_position_key(tile(self.position_key(n)), training=training)
    pos_value = self.dropout_position_value(tile(self.position_value(n)), training=training)
    if factored:
      if self.interval_dropout_active(training):
        raise ValueError("the factored form cannot drop out looked-up interval vectors: use "
                         "factored=False when training with dropout_rate > 0")
      relations = tf.clip_by_value(tf.cast(time_matrix, tf.int32), 0, self.time_span)
      return (pos_key, pos_value, self.interval_key.full_table(),
              self.interval_value.full_table(), relations)
    time_key = self.dropout_interval_key(self.interval_key(time_matrix), training=training)
    time_value = self.dropout_interval_value(self.interval_value(time_matrix),
                                             training=training)
    return pos_key, pos_value, time_key, time_value

  def l2_loss(self):
    """Sum of the four tables' ``l2 * sum(w^2) / 2`` (a Python 0.0 when l2 == 0)."""
    if self.l2 == 0.0:
      return 0.0
    return tf.add_n([t.l2_loss() for t in (self.position_key, self.position_value,
                                           self.interval_key, self.interval_value)])

  def get_config(self):
    return {**super().get_config(), "max_len": self.max_len, "dim": self.dim,
            "time_span": self.time_span, "dropout_rate": self.dropout_rate, "l2": self.l2,
            "seed": self.seed}


@keras.saving.register_keras_serializable(package="sasrec_tf")
class TimeIntervalAttention(keras.layers.Layer):
  """Causal multi-head attention with absolute-position and interval terms (TiSASRec code form).

  ``Q = q_in W_Q + b``, ``K = kv_in W_K + b``, ``V = kv_in W_V + b``; each head takes d/h
  consecutive features of Q, K, V *and* of the position / interval vectors; logits are scaled
  by sqrt(d/h); key-padding and causal masks; softmax; padding queries zeroed; dropout on the
  attention weights; no output projection.
  """

  def __init__(self, dim: int, num_heads: int = 1, dropout_rate: float = 0.0, seed=None,
               **kwargs):
    super().__init__(**kwargs)
    if dim % num_heads:
      raise ValueError(f"hidden size {dim} is not divisible by num_heads={num_heads}")
    self.dim, self.num_heads = int(dim), int(num_heads)
    self.dropout_rate, self.seed = float(dropout_rate), seed
    dense = lambda name: keras.layers.Dense(dim, name=name)
    self.query, self.key, self.value = dense("query"), dense("key"), dense("value")
    self.dropout = BitDropout(dropout_rate, seed=seed)

  def _split(self, x):
    b, n = tf.shape(x)[0], tf.shape(x)[1]
    x = tf.reshape(x, [b, n, self.num_heads, self.dim // self.num_heads])
    return tf.transpose(x, [0, 2, 1, 3])  # [B, h, n, d/h]

  def _split_pairs(self, x):
    """[B, m, n, d] -> [B, m, h, n, d/h] (a free reshape when h = 1)."""
    s = tf.shape(x)
    dh = self.dim // self.num_heads
    if self.num_heads == 1:
      return tf.reshape(x, [s[0], s[1], 1, s[2], dh])
    x = tf.reshape(x, [s[0], s[1], s[2], self.num_heads, dh])
    return tf.transpose(x, [0, 1, 3, 2, 4])

  # ------------------------------------------------------------------ interval terms
  # Gathered form: batched matmuls over (B, m, h) of one row each. (An einsum here transposes
  # the [B, m, n, d] tensors and was ~3x slower on CPU.) Size-1 axes come and go by reshape,
  # whose gradient is free (a strided slice's gradient writes a zero tensor first).
  # Factored form: per head, the B*m query rows against the k + 1 table rows, then one flat
  # gather (keys) or one flat segment sum (values) at the ids of ``_flat_ids``.

  def _heads(self, table, dtype):
    """[k + 1, d] -> [h, k + 1, dh]."""
    dh = self.dim // self.num_heads
    table = tf.reshape(tf.cast(table, dtype), [tf.shape(table)[0], self.num_heads, dh])
    return tf.transpose(table, [1, 0, 2])

  def _flat_ids(self, relations, rows):
    """relations int [B, m, n] -> int32 [h, B, m, n]: index of (head, query row, R_ij) in a
    flattened [h, B*m, rows] tensor."""
    b, m = tf.shape(relations)[0], tf.shape(relations)[1]
    row_ids = tf.reshape(tf.range(self.num_heads * b * m), [self.num_heads, b, m, 1])
    return row_ids * rows + tf.cast(relations, tf.int32)[None]

  def _interval_logits(self, q, time_key, relations):
    """q [B, h, m, dh] -> [B, h, m, n]: Q_i . TK[R_ij]; time_key as in ``call``."""
    if relations is None:
      tk = self._split_pairs(tf.cast(time_key, q.dtype))             # [B, m, h, n, dh]
      q_rows = tf.expand_dims(tf.transpose(q, [0, 2, 1, 3]), 3)      # [B, m, h, 1, dh]
      logits = tf.reshape(tf.matmul(q_rows, tk, transpose_b=True), tf.shape(tk)[:4])
      return tf.transpose(logits, [0, 2, 1, 3])
    h, b, m = self.num_heads, tf.shape(q)[0], tf.shape(q)[2]
    q_rows = tf.reshape(tf.transpose(q, [1, 0, 2, 3]), [h, b * m, -1])  # [h, B*m, dh]
    scores = tf.matmul(q_rows, self._heads(time_key, q.dtype), transpose_b=True)  # [h, B*m, k+1]
    ids = self._flat_ids(relations, tf.shape(time_key)[0])
    return tf.transpose(tf.gather(tf.reshape(scores, [-1]), ids), [1, 0, 2, 3])

  def _interval_values(self, weights, time_value, relations):
    """weights [B, h, m, n] -> [B, m, h, dh]: sum_j A_ij TV[R_ij]; time_value as in ``call``."""
    if relations is None:
      tv = self._split_pairs(tf.cast(time_value, weights.dtype))     # [B, m, h, n, dh]
      weight_rows = tf.expand_dims(tf.transpose(weights, [0, 2, 1, 3]), 3)  # [B, m, h, 1, n]
      shape = tf.shape(tv)
      return tf.reshape(tf.matmul(weight_rows, tv), tf.concat([shape[:3], shape[4:]], 0))
    h, b, m = self.num_heads, tf.shape(weights)[0], tf.shape(weights)[2]
    rows = tf.shape(time_value)[0]
    ids = self._flat_ids(relations, rows)
    # S [h, B*m, k + 1]: each query row's weights summed per interval bucket.
    buckets = tf.math.unsorted_segment_sum(tf.transpose(weights, [1, 0, 2, 3]), ids,
                                           h * b * m * rows)
    out = tf.matmul(tf.reshape(buckets, [h, b * m, rows]),
                    self._heads(time_value, weights.dtype))          # [h, B*m, dh]
    return tf.transpose(tf.reshape(out, [h, b, m, -1]), [1, 2, 0, 3])

  # ------------------------------------------------------------------ forward
  def call(self, queries, keys_values, pos_key, pos_value, time_key, time_value, mask,
           relations=None, training=False):
    """Attention of the LAST m positions over all n positions.

    Args:
      queries: float [B, m, d] (m <= n; usually m = n), e.g. LN(x).
      keys_values: float [B, n, d] with padding rows zero.
      pos_key, pos_value: float [B, n, d] position vectors PK_j, PV_j.
      time_key, time_value: gathered form (``relations`` None): float [B, m, n, d] interval
        vectors TK[R_ij], TV[R_ij] of the m query rows; factored form: the tables TK, TV
        float [k + 1, d].
      mask: float [B, n, 1], 1 = real item.
      relations: None (gathered form), or int [B, m, n] intervals R_ij in 0..k of the m query
        rows (factored form; the same outputs as passing TK[R], TV[R]).

    Returns:
      float [B, m, d]; the query at position i depends only on positions <= i.
    """
    num_queries = tf.shape(queries)[1]
    q = self._split(self.query(queries))                             # [B, h, m, dh]
    cast = lambda t: tf.cast(t, q.dtype)  # no-op, but float16 under a mixed policy
    k = self._split(self.key(keys_values) + cast(pos_key))           # [B, h, n, dh]
    v = self._split(self.value(keys_values) + cast(pos_value))
    logits = tf.matmul(q, k, transpose_b=True) + self._interval_logits(q, time_key, relations)
    logits = logits * ((self.dim // self.num_heads) ** -0.5)
    # float32 masking and softmax, as CausalSelfAttention (MASK_VALUE overflows float16).
    logits = tf.cast(logits, tf.float32) + attention_bias(tf.cast(mask[:, :, 0], tf.float32),
                                                          True, num_queries)
    weights = tf.cast(tf.nn.softmax(logits, axis=-1), v.dtype)
    weights = self.dropout(weights, training=training)
    out = tf.transpose(tf.matmul(weights, v), [0, 2, 1, 3])          # [B, m, h, dh]
    out = out + self._interval_values(weights, time_value, relations)
    out = tf.reshape(out, tf.shape(queries))
    return out * tf.cast(mask[:, -num_queries:], out.dtype)

  def get_config(self):
    return {**super().get_config(), "dim": self.dim, "num_heads": self.num_heads,
            "dropout_rate": self.dropout_rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="sasrec_tf")
class TimeIntervalAttentionBlock(keras.layers.Layer):
  """One TiSASRec block (SPEC §5.1; SASRec's code-form block with the time-aware attention):

    Q^ = LN(x);  y = TimeAttn(q=Q^, kv=x, PK, PV, TK[R], TV[R]) + Q^;  Z^ = LN(y);
    x' = m * (FFN(Z^) + Z^)

  LayerNorm epsilon 1e-8, FFN width d with dropout inside and after (``PointWiseFeedForward``).
  """

  def __init__(self, dim: int, num_heads: int = 1, dropout_rate: float = 0.0, seed=None,
               **kwargs):
    super().__init__(**kwargs)
    self.dim, self.num_heads = int(dim), int(num_heads)
    self.dropout_rate, self.seed = float(dropout_rate), seed
    s = lambda k: None if seed is None else int(seed) + k
    self.attention_norm = layer_norm("attention_norm")
    self.attention = TimeIntervalAttention(dim, num_heads, dropout_rate, seed=s(0),
                                           name="attention")
    self.ffn_norm = layer_norm("ffn_norm")
    self.ffn = PointWiseFeedForward(dim, dropout_rate, seed=s(1), name="ffn")

  def call(self, x, mask, pos_key, pos_value, time_key, time_value, relations=None,
           training=False, last_only=False):
    """x: float [B, n, d] (padding rows zero); mask: float [B, n, 1]; encodings as returned by
    ``TimeAwareEncodings``: gathered (time_key / time_value [B, n, n, d], relations None) or
    factored (``factored=True``: the tables [k + 1, d] and relations int [B, n, n]).

    Returns [B, n, d], or only the last position [B, 1, d] when ``last_only`` (the same values
    as the last row of the full output).
    """
    if last_only:
      q_hat = self.attention_norm(x[:, -1:])
      if relations is None:
        time_key, time_value = time_key[:, -1:], time_value[:, -1:]
      else:
        relations = relations[:, -1:]
      out_mask = mask[:, -1:]
    else:
      q_hat = self.attention_norm(x)
      out_mask = mask
    y = self.attention(q_hat, x, pos_key, pos_value, time_key, time_value, mask,
                       relations=relations, training=training) + q_hat
    z_hat = self.ffn_norm(y)
    h = self.ffn(z_hat, training=training) + z_hat
    return h * tf.cast(out_mask, h.dtype)

  def get_config(self):
    return {**super().get_config(), "dim": self.dim, "num_heads": self.num_heads,
            "dropout_rate": self.dropout_rate, "seed": self.seed}
