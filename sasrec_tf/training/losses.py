"""Training losses (SPEC §3.4)."""

from __future__ import annotations

import tensorflow as tf

_EPS = 1e-24


def masked_bce(pos_logits, neg_logits, targets, form: str = "code", reduction: str = "mean"):
  """Binary cross-entropy of one positive and one negative per non-padding position.

  Args:
    pos_logits, neg_logits: float [B, n].
    targets: int [B, n] positive ids; positions whose target is 0 (padding) are ignored.
    form: "code" = ``-log(sigmoid(r)+1e-24) - log(1-sigmoid(r')+1e-24)`` as the original code;
      "stable" = ``softplus(-r) + softplus(r')`` (equal except where |r| > ~55).
    reduction: "mean" over the batch's non-padding positions (code) or "sum" (paper text).

  Returns:
    float scalar.
  """
  mask = tf.cast(tf.not_equal(targets, 0), tf.float32)
  pos_logits = tf.cast(pos_logits, tf.float32)
  neg_logits = tf.cast(neg_logits, tf.float32)
  if form == "code":
    # In a tf.function, Grappler rewrites (1 - s) + eps as (1 + eps) - s, which is exactly 0 in
    # float32 once s = sigmoid(r') rounds to 1 (r' > ~16.6): log(0) made the loss inf and the
    # weights nan (PT on Games, epoch 166). The maximum restores the code's floor of eps (a
    # saturated term is 55.26 with zero gradient, as in eager mode and the original code).
    per = (-tf.math.log(tf.maximum(tf.sigmoid(pos_logits) + _EPS, _EPS))
           - tf.math.log(tf.maximum(1.0 - tf.sigmoid(neg_logits) + _EPS, _EPS)))
  elif form == "stable":
    per = tf.nn.softplus(-pos_logits) + tf.nn.softplus(neg_logits)
  else:
    raise ValueError(f"unknown loss form {form!r}")
  total = tf.reduce_sum(per * mask)
  if reduction == "sum":
    return total
  if reduction != "mean":
    raise ValueError(f"unknown reduction {reduction!r}")
  return total / tf.maximum(tf.reduce_sum(mask), 1.0)
