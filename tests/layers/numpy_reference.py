"""Float64 NumPy transcription of SPEC §3.2 (the SASRec block), written independently of the
library so that the Keras layers can be compared against it."""

from __future__ import annotations

import numpy as np

MASK_VALUE = -(2.0**32) + 1.0


def layer_norm(x, gamma, beta, eps=1e-8):
  mu = x.mean(-1, keepdims=True)
  var = ((x - mu) ** 2).mean(-1, keepdims=True)
  return (x - mu) / np.sqrt(var + eps) * gamma + beta


def attention(q_in, kv_in, mask, wq, wk, wv, bq=None, bk=None, bv=None, num_heads=1,
              scale_dim=None):
  """Steps 2-5 of SPEC §3.2: projections, per-head scaled logits, key + causal masks by
  substitution, softmax, query masking. mask: [B, n] with 1 = real item. Returns [B, n, d].

  ``scale_dim`` overrides the d/h in the sqrt(d/h) logit scale (to build wrong references).
  """
  zero = lambda w: np.zeros(w.shape[1])
  bq = zero(wq) if bq is None else bq
  bk = zero(wk) if bk is None else bk
  bv = zero(wv) if bv is None else bv
  q, k, v = q_in @ wq + bq, kv_in @ wk + bk, kv_in @ wv + bv
  batch, n, d = q.shape
  dh = d // num_heads
  scale = np.sqrt(dh if scale_dim is None else scale_dim)
  out = np.zeros_like(q)
  for b in range(batch):
    for head in range(num_heads):
      cols = slice(head * dh, (head + 1) * dh)
      logits = q[b, :, cols] @ k[b, :, cols].T / scale
      for i in range(n):
        for j in range(n):
          if j > i or mask[b, j] == 0:
            logits[i, j] = MASK_VALUE
      weights = np.exp(logits - logits.max(-1, keepdims=True))
      weights /= weights.sum(-1, keepdims=True)
      weights *= mask[b][:, None]  # padding queries attend to nothing
      out[b, :, cols] = weights @ v[b, :, cols]
  return out


def feed_forward(x, w1, b1, w2, b2):
  return np.maximum(x @ w1 + b1, 0.0) @ w2 + b2


def block_code(x, mask, p, num_heads=1, use_residual=True):
  """SPEC §3.2 steps 1-9 (the original code), dropout off. p: dict of float64 weights."""
  q_hat = layer_norm(x, p["ln1_g"], p["ln1_b"])
  y = attention(q_hat, x, mask, p["wq"], p["wk"], p["wv"], p["bq"], p["bk"], p["bv"], num_heads)
  if use_residual:
    y = y + q_hat
  z_hat = layer_norm(y, p["ln2_g"], p["ln2_b"])
  h = feed_forward(z_hat, p["w1"], p["b1"], p["w2"], p["b2"])
  if use_residual:
    h = h + z_hat
  return h * mask[..., None]


def block_paper(x, mask, p, num_heads=1, use_residual=True):
  """The paper's form: S = X + SA(LN(X)) (bias-free Q/K/V from LN(X)), F = S + FFN(LN(S))."""
  normed = layer_norm(x, p["ln1_g"], p["ln1_b"])
  a = attention(normed, normed, mask, p["wq"], p["wk"], p["wv"], num_heads=num_heads)
  s = x + a if use_residual else a
  f = feed_forward(layer_norm(s, p["ln2_g"], p["ln2_b"]), p["w1"], p["b1"], p["w2"], p["b2"])
  out = s + f if use_residual else f
  return out * mask[..., None]


def block_params(block) -> dict:
  """float64 weights of a built ``SelfAttentionBlock`` under the names used above."""
  att, ffn = block.attention, block.ffn
  get = lambda v: np.asarray(v.numpy(), np.float64)
  p = {"ln1_g": get(block.attention_norm.gamma), "ln1_b": get(block.attention_norm.beta),
       "ln2_g": get(block.ffn_norm.gamma), "ln2_b": get(block.ffn_norm.beta),
       "wq": get(att.query.kernel), "wk": get(att.key.kernel), "wv": get(att.value.kernel),
       "w1": get(ffn.inner.kernel), "b1": get(ffn.inner.bias),
       "w2": get(ffn.outer.kernel), "b2": get(ffn.outer.bias)}
  if att.query.use_bias:
    p.update(bq=get(att.query.bias), bk=get(att.key.bias), bv=get(att.value.bias))
  return p


def randomize(layer, seed=0, scale=0.5):
  """Overwrites every weight of ``layer`` with N(0, scale) values (gammas around 1), so that no
  initial 0 bias or unit gamma can hide a wrong formula."""
  rng = np.random.default_rng(seed)
  for v in layer.weights:
    values = rng.normal(0.0, scale, tuple(v.shape))
    if v.path.endswith("gamma"):
      values += 1.0
    v.assign(values.astype(np.float32))
