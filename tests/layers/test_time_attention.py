"""Time-interval aware attention of TiSASRec (SPEC §5.1) against an independent NumPy reference,
plus causality, padding invariance and the shared layer contract."""

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.layers.time_attention import (IntervalEmbedding, TimeAwareEncodings,
                                             TimeIntervalAttention, TimeIntervalAttentionBlock)

from . import numpy_reference as ref
from .layer_test_helper import run_layer_test

D, N, K = 8, 5, 6
MASK = np.array([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], np.float32)


def inputs(seed=0):
  """x [2, N, D] (padding rows 0), position vectors [2, N, D], interval vectors [2, N, N, D]."""
  rng = np.random.default_rng(seed)
  x = (rng.normal(size=(2, N, D)) * MASK[..., None]).astype(np.float32)
  pk, pv = (rng.normal(size=(2, N, D)).astype(np.float32) for _ in range(2))
  tk, tv = (rng.normal(size=(2, N, N, D)).astype(np.float32) for _ in range(2))
  return x, pk, pv, tk, tv


def np_time_attention(q_in, kv_in, pk, pv, tk, tv, mask, w, num_heads):
  """SPEC §5.1 written out per (batch, head, i, j) in float64, masks by substitution."""
  q = q_in @ w["wq"] + w["bq"]
  k = kv_in @ w["wk"] + w["bk"]
  v = kv_in @ w["wv"] + w["bv"]
  batch, n, d = kv_in.shape
  dh = d // num_heads
  out = np.zeros_like(q)
  for b in range(batch):
    for h in range(num_heads):
      c = slice(h * dh, (h + 1) * dh)
      logits = np.zeros((n, n))
      for i in range(n):
        for j in range(n):
          logits[i, j] = q[b, i, c] @ (k[b, j, c] + pk[b, j, c] + tk[b, i, j, c]) / np.sqrt(dh)
          if j > i or mask[b, j] == 0:
            logits[i, j] = ref.MASK_VALUE
      a = np.exp(logits - logits.max(-1, keepdims=True))
      a /= a.sum(-1, keepdims=True)
      for i in range(n):
        if mask[b, i] == 0:
          continue
        for j in range(n):
          out[b, i, c] += a[i, j] * (v[b, j, c] + pv[b, j, c] + tv[b, i, j, c])
  return out


def attention_weights(att):
  get = lambda t: np.asarray(t.numpy(), np.float64)
  return {"wq": get(att.query.kernel), "bq": get(att.query.bias), "wk": get(att.key.kernel),
          "bk": get(att.key.bias), "wv": get(att.value.kernel), "bv": get(att.value.bias)}


def run_block(block, x, pk, pv, tk, tv, mask=MASK, **kwargs):
  return block(tf.constant(x), tf.constant(mask[..., None]), tf.constant(pk), tf.constant(pv),
               tf.constant(tk), tf.constant(tv), **kwargs).numpy()


def randomized_block(num_heads=1, seed=0):
  block = TimeIntervalAttentionBlock(D, num_heads=num_heads, dropout_rate=0.3)
  run_block(block, *inputs())
  ref.randomize(block, seed=seed)
  return block


@pytest.mark.parametrize("num_heads", [1, 2])
def test_attention_matches_numpy_reference(num_heads):
  att = TimeIntervalAttention(D, num_heads=num_heads, dropout_rate=0.5)
  x, pk, pv, tk, tv = inputs(1)
  call = lambda: att(tf.constant(x), tf.constant(x), tf.constant(pk), tf.constant(pv),
                     tf.constant(tk), tf.constant(tv), tf.constant(MASK[..., None])).numpy()
  call()
  ref.randomize(att, seed=3)
  want = np_time_attention(x.astype(np.float64), x, pk, pv, tk, tv, MASK,
                           attention_weights(att), num_heads)
  np.testing.assert_allclose(call(), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("num_heads", [1, 2])
def test_block_matches_spec_code_form(num_heads):
  block = randomized_block(num_heads, seed=num_heads)
  x, pk, pv, tk, tv = inputs(2)
  p = ref.block_params(block)
  x64 = x.astype(np.float64)
  q_hat = ref.layer_norm(x64, p["ln1_g"], p["ln1_b"])
  y = np_time_attention(q_hat, x64, pk, pv, tk, tv, MASK, attention_weights(block.attention),
                        num_heads) + q_hat
  z_hat = ref.layer_norm(y, p["ln2_g"], p["ln2_b"])
  want = (ref.feed_forward(z_hat, p["w1"], p["b1"], p["w2"], p["b2"]) + z_hat) * MASK[..., None]
  np.testing.assert_allclose(run_block(block, x, pk, pv, tk, tv), want, rtol=1e-4, atol=1e-4)


def test_interval_terms_change_the_output():
  """Without the interval vectors the block is a different function (guards a dropped term)."""
  block = randomized_block()
  x, pk, pv, tk, tv = inputs(3)
  base = run_block(block, x, pk, pv, tk, tv)
  assert np.abs(run_block(block, x, pk, pv, 0 * tk, tv) - base).max() > 1e-3
  assert np.abs(run_block(block, x, pk, pv, tk, 0 * tv) - base).max() > 1e-3
  assert np.abs(run_block(block, x, 0 * pk, pv, tk, tv) - base).max() > 1e-3


@pytest.mark.parametrize("t", [0, 2, 3])
def test_causality(t):
  """Changing items (x rows) and intervals that involve positions after t never changes the
  outputs at positions <= t."""
  block = randomized_block(num_heads=2)
  x, pk, pv, tk, tv = inputs(4)
  rng = np.random.default_rng(5)
  x2, tk2, tv2, pk2, pv2 = x.copy(), tk.copy(), tv.copy(), pk.copy(), pv.copy()
  x2[:, t + 1:] = rng.normal(size=x2[:, t + 1:].shape)
  for arr in (tk2, tv2):
    arr[:, t + 1:, :] = rng.normal(size=arr[:, t + 1:, :].shape)
    arr[:, :, t + 1:] = rng.normal(size=arr[:, :, t + 1:].shape)
  for arr in (pk2, pv2):
    arr[:, t + 1:] = rng.normal(size=arr[:, t + 1:].shape)
  a = run_block(block, x, pk, pv, tk, tv)
  b = run_block(block, x2 * MASK[..., None], pk2, pv2, tk2, tv2)
  np.testing.assert_allclose(a[:, :t + 1], b[:, :t + 1], rtol=1e-5, atol=1e-5)
  assert np.abs(a[1, t + 1:] - b[1, t + 1:]).max() > 1e-4  # later positions do see them


def test_padding_invariance():
  """Intervals and position vectors at padding slots do not change real slots; padding rows
  stay exactly zero."""
  block = randomized_block(num_heads=2)
  x, pk, pv, tk, tv = inputs(6)
  rng = np.random.default_rng(7)
  pad = MASK[0] == 0
  tk2, tv2, pk2, pv2 = tk.copy(), tv.copy(), pk.copy(), pv.copy()
  for arr in (tk2, tv2):
    arr[0, pad, :] = rng.normal(size=arr[0, pad, :].shape)
    arr[0, :, pad] = rng.normal(size=arr[0, :, pad].shape)
  pk2[0, pad] = 9.0
  pv2[0, pad] = -9.0
  a = run_block(block, x, pk, pv, tk, tv)
  b = run_block(block, x, pk2, pv2, tk2, tv2)
  np.testing.assert_allclose(a[0, ~pad], b[0, ~pad], rtol=1e-5, atol=1e-5)
  assert np.all(a[0, pad] == 0) and np.all(b[0, pad] == 0)


def test_last_only_equals_last_row():
  block = randomized_block(num_heads=2)
  x, pk, pv, tk, tv = inputs(8)
  full = run_block(block, x, pk, pv, tk, tv)
  last = run_block(block, x, pk, pv, tk, tv, last_only=True)
  assert last.shape == (2, 1, D)
  np.testing.assert_allclose(last[:, 0], full[:, -1], rtol=1e-5, atol=1e-5)


def test_interval_embedding_clips_to_k():
  table = IntervalEmbedding(K, D)
  got = table(tf.constant([[0, K, K + 1, 10 * K, -3]])).numpy()[0]
  rows = table.table.numpy()
  np.testing.assert_array_equal(got, rows[[0, K, K, K, 0]])
  assert rows.shape == (K + 1, D) and np.abs(rows[0]).sum() > 0  # row 0 is a real interval


def test_encodings_lookup_and_shapes():
  enc = TimeAwareEncodings(N, D, K, dropout_rate=0.5)
  rel = np.random.default_rng(0).integers(0, K + 3, size=(2, N, N))
  pk, pv, tk, tv = (t.numpy() for t in enc(tf.constant(rel)))
  assert pk.shape == pv.shape == (2, N, D) and tk.shape == tv.shape == (2, N, N, D)
  np.testing.assert_array_equal(pk[1], enc.position_key.table.numpy())
  np.testing.assert_array_equal(tv, enc.interval_value.table.numpy()[np.minimum(rel, K)])
  # Dropout only when training, with a separate mask per sequence.
  pk_t = enc(tf.constant(rel), training=True)[0].numpy()
  assert (pk_t == 0).any() and not np.array_equal(pk_t[0] == 0, pk_t[1] == 0)


def test_encodings_l2_is_half_sum_of_squares_of_the_four_tables():
  enc = TimeAwareEncodings(N, D, K, l2=0.1)
  enc(tf.zeros((1, N, N), tf.int32))
  tables = (enc.position_key, enc.position_value, enc.interval_key, enc.interval_value)
  want = 0.1 * 0.5 * sum(float(np.square(t.table.numpy()).sum()) for t in tables)
  np.testing.assert_allclose(float(enc.l2_loss()), want, rtol=1e-5)
  assert TimeAwareEncodings(N, D, K).l2_loss() == 0.0


def test_layer_contracts():
  """Every layer: shapes, weight counts, config round trip, mixed precision; the jit-compiled
  training step runs once, on the block (it holds the attention layer)."""
  x, pk, pv, tk, tv = (tf.constant(a) for a in inputs(9))
  mask = tf.constant(MASK[..., None])
  run_layer_test(TimeIntervalAttentionBlock, dict(dim=D, num_heads=2, dropout_rate=0.2),
                 [x, mask, pk, pv, tk, tv], expected_output_shape=(2, N, D),
                 expected_num_trainable_weights=14, train_kwargs=dict(training=True))
  run_layer_test(TimeIntervalAttention, dict(dim=D, num_heads=2, dropout_rate=0.2),
                 [x, x, pk, pv, tk, tv, mask], expected_output_shape=(2, N, D),
                 expected_num_trainable_weights=6, run_jit_training_check=False)
  rel = tf.constant(np.random.default_rng(1).integers(0, K + 1, size=(2, N, N)), tf.int32)
  run_layer_test(TimeAwareEncodings, dict(max_len=N, dim=D, time_span=K, dropout_rate=0.2),
                 [rel], expected_output_shape=((2, N, D), (2, N, D), (2, N, N, D),
                                               (2, N, N, D)),
                 expected_num_trainable_weights=4, run_jit_training_check=False)
  run_layer_test(IntervalEmbedding, dict(time_span=K, dim=D), [rel],
                 expected_output_shape=(2, N, N, D), expected_num_trainable_weights=1,
                 run_jit_training_check=False)


# --------------------------------------------------------------------------- factored form


def interval_tables(seed=0):
  """Relations [2, N, N] in 0..K (both ends present) and key / value tables [K + 1, D]."""
  rng = np.random.default_rng(seed)
  rel = rng.integers(0, K + 1, size=(2, N, N)).astype(np.int32)
  rel[0, 0, :2] = (0, K)
  tk_table, tv_table = (rng.normal(size=(K + 1, D)).astype(np.float32) for _ in range(2))
  return rel, tk_table, tv_table


def attention_and_grads(att, factored, num_queries, seed=11):
  """Output and gradients (weights, inputs, tables) of ``att`` in one form; the m = num_queries
  last rows query, dropout is off and ``training=True`` (the training code path)."""
  x, pk, pv, _, _ = inputs(seed)
  rel, tk_table, tv_table = interval_tables(seed)
  x, pk, pv, tk_table, tv_table = (tf.Variable(a) for a in (x, pk, pv, tk_table, tv_table))
  rows = tf.constant(rel[:, -num_queries:])
  mask = tf.constant(MASK[..., None])
  out_weights = tf.constant(np.random.default_rng(seed).normal(size=(2, num_queries, D)),
                            tf.float32)
  with tf.GradientTape() as tape:
    if factored:
      out = att(x[:, -num_queries:], x * mask, pk, pv, tk_table, tv_table, mask, relations=rows,
                training=True)
    else:
      out = att(x[:, -num_queries:], x * mask, pk, pv, tf.gather(tk_table, rows),
                tf.gather(tv_table, rows), mask, training=True)
    loss = tf.reduce_sum(out * out_weights)
  sources = att.trainable_variables + [x, pk, pv, tk_table, tv_table]
  return out.numpy(), [tf.convert_to_tensor(g).numpy() for g in tape.gradient(loss, sources)]


@pytest.mark.parametrize("num_heads", [1, 2])
@pytest.mark.parametrize("num_queries", [N, 1])
def test_factored_form_equals_gathered_outputs_and_gradients(num_heads, num_queries):
  """Q_i . TK[R_ij] as a gather of Q TK^T, sum_j A_ij TV[R_ij] as a segment sum then S TV: the
  same outputs and gradients as the original lookup (dropout off)."""
  att = TimeIntervalAttention(D, num_heads=num_heads, dropout_rate=0.0)
  attention_and_grads(att, False, num_queries)
  ref.randomize(att, seed=num_heads)
  out_g, grads_g = attention_and_grads(att, False, num_queries)
  out_f, grads_f = attention_and_grads(att, True, num_queries)
  np.testing.assert_allclose(out_f, out_g, rtol=1e-5, atol=1e-5)
  assert len(grads_f) == len(grads_g) == 11
  for got, want in zip(grads_f, grads_g):
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
  assert np.abs(grads_g[-1]).max() > 1e-3  # the value table gets a gradient at all


def test_factored_block_matches_spec_code_form_and_last_only():
  block = randomized_block(num_heads=2, seed=4)
  x, pk, pv, _, _ = inputs(12)
  rel, tk_table, tv_table = interval_tables(12)
  tk, tv = tk_table[rel], tv_table[rel]
  p = ref.block_params(block)
  q_hat = ref.layer_norm(x.astype(np.float64), p["ln1_g"], p["ln1_b"])
  y = np_time_attention(q_hat, x.astype(np.float64), pk, pv, tk, tv, MASK,
                        attention_weights(block.attention), 2) + q_hat
  z_hat = ref.layer_norm(y, p["ln2_g"], p["ln2_b"])
  want = (ref.feed_forward(z_hat, p["w1"], p["b1"], p["w2"], p["b2"]) + z_hat) * MASK[..., None]
  factored = lambda **kw: block(tf.constant(x), tf.constant(MASK[..., None]), tf.constant(pk),
                                tf.constant(pv), tf.constant(tk_table), tf.constant(tv_table),
                                relations=tf.constant(rel), **kw).numpy()
  np.testing.assert_allclose(factored(), want, rtol=1e-4, atol=1e-4)
  np.testing.assert_allclose(factored(), run_block(block, x, pk, pv, tk, tv), rtol=1e-5,
                             atol=1e-5)
  np.testing.assert_allclose(factored(last_only=True)[:, 0], factored()[:, -1], rtol=1e-5,
                             atol=1e-5)


def test_encodings_factored_form():
  enc = TimeAwareEncodings(N, D, K, dropout_rate=0.5)
  rel = np.random.default_rng(3).integers(-2, K + 3, size=(2, N, N))
  pk, pv, tk, tv = (t.numpy() for t in enc(tf.constant(rel)))
  pk_f, pv_f, tk_table, tv_table, rel_f = (t.numpy() for t in enc(tf.constant(rel),
                                                                   factored=True))
  np.testing.assert_array_equal(rel_f, np.clip(rel, 0, K))
  assert tk_table.shape == tv_table.shape == (K + 1, D)
  for got, want in ((pk_f, pk), (pv_f, pv), (tk_table[rel_f], tk), (tv_table[rel_f], tv)):
    np.testing.assert_array_equal(got, want)
  # Dropout on the looked-up vectors has no factored form: refused, not silently dropped.
  assert enc.interval_dropout_active(True) and not enc.interval_dropout_active(False)
  with pytest.raises(ValueError, match="factored"):
    enc(tf.constant(rel), training=True, factored=True)
  no_dropout = TimeAwareEncodings(N, D, K)
  assert not no_dropout.interval_dropout_active(True)
  assert len(no_dropout(tf.constant(rel), training=True, factored=True)) == 5


def test_factored_block_layer_contract():
  """The block in factored form: jit-compiled training step and mixed precision."""
  x, pk, pv, _, _ = (tf.constant(a) for a in inputs(13))
  rel, tk_table, tv_table = (tf.constant(a) for a in interval_tables(13))
  run_layer_test(TimeIntervalAttentionBlock, dict(dim=D, num_heads=2, dropout_rate=0.0),
                 [x, tf.constant(MASK[..., None]), pk, pv, tk_table, tv_table, rel],
                 expected_output_shape=(2, N, D), expected_num_trainable_weights=14,
                 train_kwargs=dict(training=True), run_serialization_check="covered above")
