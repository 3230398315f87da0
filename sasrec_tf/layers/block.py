"""The SASRec self-attention block, in the original code's form or the paper's (SPEC §3.2)."""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.layers.attention import CausalSelfAttention
from sasrec_tf.layers.dropout import BitDropout
from sasrec_tf.layers.feed_forward import PointWiseFeedForward
from sasrec_tf.layers.layer_norm import LayerNorm

LAYER_NORM_EPSILON = 1e-8


def layer_norm(name):
  """The original code's layer norm: last axis, epsilon 1e-8, learned scale and offset."""
  return LayerNorm(epsilon=LAYER_NORM_EPSILON, name=name)


@keras.saving.register_keras_serializable(package="sasrec_tf")
class SelfAttentionBlock(keras.layers.Layer):
  """One block: attention sub-layer then feed-forward sub-layer, padding rows re-zeroed.

  Code form (``paper_literal=False``, default; what produced the reported numbers):
    Q^ = LN(x);  y = Attn(q=Q^, kv=x) + Q^;  Z^ = LN(y);  x' = m * (FFN(Z^) + Z^)
  Paper form (``paper_literal=True``):
    s = x + Dropout(Attn(q=LN(x), kv=LN(x)));  x' = m * (s + Dropout(FFN(LN(s))))
    with bias-free Q/K/V projections and no dropout on the attention weights.
  ``use_residual=False`` (Table IV "Remove RC") drops both residual additions, nothing else.
  """

  def __init__(self, dim: int, num_heads: int = 1, dropout_rate: float = 0.0,
               use_residual: bool = True, paper_literal: bool = False, seed=None, **kwargs):
    super().__init__(**kwargs)
    self.dim, self.num_heads = int(dim), int(num_heads)
    self.dropout_rate = float(dropout_rate)
    self.use_residual = bool(use_residual)
    self.paper_literal = bool(paper_literal)
    self.seed = seed
    s = lambda k: None if seed is None else seed + k
    self.attention_norm = layer_norm("attention_norm")
    self.attention = CausalSelfAttention(
        dim, num_heads, dropout_rate, use_bias=not paper_literal,
        weight_dropout=not paper_literal, seed=s(0), name="attention")
    self.ffn_norm = layer_norm("ffn_norm")
    self.ffn = PointWiseFeedForward(dim, dropout_rate, output_dropout=not paper_literal,
                                    seed=s(1), name="ffn")
    if paper_literal:
      self.attention_dropout = BitDropout(dropout_rate, seed=s(3))
      self.ffn_dropout = BitDropout(dropout_rate, seed=s(4))

  def call(self, x, mask, training=False, last_only=False):
    """x: float [B, n, d] with padding rows zero; mask: float [B, n, 1].

    Returns [B, n, d], or only the last position [B, 1, d] when ``last_only`` (the same values
    as the last row of the full output, at a fraction of the cost: used for scoring).
    """
    out_mask = mask[:, -1:] if last_only else mask
    if self.paper_literal:
      normed = self.attention_norm(x)
      queries = normed[:, -1:] if last_only else normed
      a = self.attention_dropout(self.attention(queries, normed, mask, training=training),
                                 training=training)
      x_out = x[:, -1:] if last_only else x
      s = x_out + a if self.use_residual else a
      f = self.ffn_dropout(self.ffn(self.ffn_norm(s), training=training), training=training)
      out = s + f if self.use_residual else f
      return out * out_mask
    q_hat = self.attention_norm(x[:, -1:] if last_only else x)
    y = self.attention(q_hat, x, mask, training=training)
    if self.use_residual:
      y = y + q_hat
    z_hat = self.ffn_norm(y)
    h = self.ffn(z_hat, training=training)
    if self.use_residual:
      h = h + z_hat
    return h * out_mask

  def get_config(self):
    return {**super().get_config(), "dim": self.dim, "num_heads": self.num_heads,
            "dropout_rate": self.dropout_rate, "use_residual": self.use_residual,
            "paper_literal": self.paper_literal, "seed": self.seed}
