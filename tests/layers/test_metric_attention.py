"""AttRec's layers: ShortTermSelfAttention (SPEC §6.2), MetricEmbedding, SquaredEuclideanScorer."""

import math

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.layers.metric_attention import ShortTermSelfAttention, aggregate, timing_signal
from sasrec_tf.layers.metric_embedding import MetricEmbedding
from sasrec_tf.layers.metric_scorer import SquaredEuclideanScorer

from .layer_test_helper import run_layer_test

D, L = 6, 4


def embeddings(seed=0, batch=2, length=L, dim=D):
  return np.random.default_rng(seed).normal(size=(batch, length, dim)).astype(np.float32)


def set_kernel(layer, kernel):
  layer(tf.zeros((1, L, layer.dim)))  # builds
  layer.kernel.assign(np.asarray(kernel, np.float32))


def reference_weights(x, kernel, diagonal, te):
  """Float64 transcription of SPEC §6.2 steps 2-4 for one window x [L, d]."""
  z = x + te
  h = np.maximum(z @ kernel, 0.0)
  logits = h @ h.T / math.sqrt(x.shape[1])  # Q' = K' (shared W)
  n = x.shape[0]
  if diagonal == "before":
    logits = np.where(np.eye(n, dtype=bool), -np.inf, logits)
  e = np.exp(logits - logits.max(-1, keepdims=True))
  s = e / e.sum(-1, keepdims=True)
  if diagonal == "after":
    s = s * (1.0 - np.eye(n))
  return s


# --------------------------------------------------------------------------- time signal


def test_time_signal_concat_layout_is_tensor2tensor():
  te = timing_signal(3, 4, "concat").numpy()
  # d/2 = 2 timescales: w = (1, exp(-ln(1e4) / 1)) = (1, 1e-4); sin block then cos block.
  for t in range(3):
    np.testing.assert_allclose(te[t], [math.sin(t), math.sin(t * 1e-4), math.cos(t),
                                       math.cos(t * 1e-4)], atol=1e-6)
  odd = timing_signal(2, 5, "concat").numpy()
  np.testing.assert_allclose(odd[:, :4], te[:2], atol=1e-6)
  np.testing.assert_array_equal(odd[:, 4], 0.0)  # padded channel


def test_time_signal_interleaved_layout_is_paper_eq_7_8():
  te = timing_signal(3, 5, "interleave").numpy()
  for t in range(3):
    expected = []
    for channel in range(5):
      i2 = channel - channel % 2  # = 2i
      angle = t / 1e4 ** (i2 / 5)
      expected.append(math.sin(angle) if channel % 2 == 0 else math.cos(angle))
    np.testing.assert_allclose(te[t], expected, atol=1e-6)
  np.testing.assert_array_equal(timing_signal(3, 5, "none").numpy(), 0.0)


# --------------------------------------------------------------------------- attention


def test_layer_contract():
  x = embeddings()
  mask = np.array([[0, 1, 1, 1], [1, 1, 1, 1]], np.float32)
  run_layer_test(
      ShortTermSelfAttention, dict(dim=D, dropout_rate=0.3, aggregation="mean", l2=0.01),
      [tf.constant(x), tf.constant(mask)], expected_output_shape=(2, D),
      expected_num_trainable_weights=1, train_kwargs=dict(training=True))


@pytest.mark.parametrize("diagonal", ["after", "before"])
@pytest.mark.parametrize("layout", ["concat", "interleave"])
def test_weights_and_output_match_the_reference(diagonal, layout):
  layer = ShortTermSelfAttention(D, diagonal_mask=diagonal, time_signal=layout)
  kernel = np.random.default_rng(3).normal(size=(D, D))
  set_kernel(layer, kernel)
  x = embeddings(1)
  te = timing_signal(L, D, layout).numpy().astype(np.float64)
  weights = layer.attention_weights(tf.constant(x)).numpy()
  m = layer(tf.constant(x)).numpy()
  for b in range(2):
    s = reference_weights(x[b].astype(np.float64), kernel, diagonal, te)
    np.testing.assert_allclose(weights[b], s, rtol=1e-5, atol=1e-6)
    # Identity values: the raw embeddings (no time signal), then the mean over the L rows.
    np.testing.assert_allclose(m[b], (s @ x[b]).mean(0), rtol=1e-5, atol=1e-6)


def test_diagonal_mask_after_the_softmax_leaves_rows_below_one():
  layer = ShortTermSelfAttention(D, diagonal_mask="after")
  set_kernel(layer, np.random.default_rng(0).normal(size=(D, D)))
  w = layer.attention_weights(tf.constant(embeddings(2))).numpy()
  np.testing.assert_array_equal(np.diagonal(w, axis1=1, axis2=2), 0.0)
  assert np.all(w.sum(-1) < 1.0)
  before = ShortTermSelfAttention(D, diagonal_mask="before")
  set_kernel(before, layer.kernel.numpy())
  wb = before.attention_weights(tf.constant(embeddings(2))).numpy()
  np.testing.assert_array_equal(np.diagonal(wb, axis1=1, axis2=2), 0.0)
  np.testing.assert_allclose(wb.sum(-1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("diagonal,factor", [("after", (L - 1) / L), ("before", 1.0)])
def test_zero_kernel_gives_uniform_attention_over_the_raw_embeddings(diagonal, factor):
  # W = 0 -> Q' = K' = 0 -> equal logits: every off-diagonal weight is 1/L (code: softmax over
  # all L, diagonal zeroed afterwards) or 1/(L-1) (paper: diagonal masked first). Row i of a is
  # then a weighted sum of the OTHER raw rows, and the mean of the rows is factor * mean(x).
  layer = ShortTermSelfAttention(D, diagonal_mask=diagonal)
  set_kernel(layer, np.zeros((D, D)))
  x = embeddings(4)
  np.testing.assert_allclose(layer(tf.constant(x)).numpy(), factor * x.mean(1), rtol=1e-5,
                             atol=1e-6)


def test_time_signal_enters_queries_and_keys_only():
  # Same W, different time signals: the weights change, but with W = 0 they cannot, which shows
  # the signal never reaches the values.
  kernel = np.random.default_rng(5).normal(size=(D, D))
  outs = {}
  for layout in ("none", "concat"):
    layer = ShortTermSelfAttention(D, time_signal=layout)
    set_kernel(layer, kernel)
    outs[layout] = layer.attention_weights(tf.constant(embeddings(6))).numpy()
  assert not np.allclose(outs["none"], outs["concat"])
  zero = {}
  for layout in ("none", "concat"):
    layer = ShortTermSelfAttention(D, time_signal=layout)
    set_kernel(layer, np.zeros((D, D)))
    zero[layout] = layer(tf.constant(embeddings(6))).numpy()
  np.testing.assert_allclose(zero["none"], zero["concat"], atol=1e-7)


def test_padding_keys_get_no_weight_and_padding_rows_are_not_averaged():
  layer = ShortTermSelfAttention(D, diagonal_mask="after")
  kernel = np.random.default_rng(7).normal(size=(D, D))
  set_kernel(layer, kernel)
  x = embeddings(8, batch=1)
  x[0, 0] = 0.0  # a padding slot reads as the zero vector
  mask = np.array([[0, 1, 1, 1]], np.float32)
  w = layer.attention_weights(tf.constant(x), tf.constant(mask)).numpy()[0]
  np.testing.assert_array_equal(w[:, 0], 0.0)
  # The real slots behave as a window of length 3 at positions 1..3.
  te = timing_signal(L, D, "concat").numpy().astype(np.float64)
  z = x[0].astype(np.float64) + te
  h = np.maximum(z @ kernel, 0.0)[1:]
  logits = h @ h.T / math.sqrt(D)
  s = np.exp(logits - logits.max(-1, keepdims=True))
  s = s / s.sum(-1, keepdims=True) * (1 - np.eye(3))
  np.testing.assert_allclose(w[1:, 1:], s, rtol=1e-5, atol=1e-6)
  m = layer(tf.constant(x), tf.constant(mask)).numpy()[0]
  np.testing.assert_allclose(m, (s @ x[0, 1:]).sum(0) / 3, rtol=1e-5, atol=1e-6)


def test_without_attention_is_the_mean_of_the_inputs():
  layer = ShortTermSelfAttention(D, use_attention=False)
  x = embeddings(9)
  np.testing.assert_allclose(layer(tf.constant(x)).numpy(), x.mean(1), rtol=1e-6)
  assert not layer.trainable_weights and layer.l2_loss() == 0.0


def test_aggregations_on_a_hand_case():
  rows = tf.constant([[[1.0, -2.0], [3.0, 5.0], [9.0, 9.0]]])
  mask = tf.constant([[1.0, 1.0, 0.0]])  # third row is padding
  np.testing.assert_allclose(aggregate(rows, mask, "mean").numpy(), [[2.0, 1.5]])
  np.testing.assert_allclose(aggregate(rows, mask, "sum").numpy(), [[4.0, 3.0]])
  np.testing.assert_allclose(aggregate(rows, mask, "max").numpy(), [[3.0, 5.0]])
  np.testing.assert_allclose(aggregate(rows, mask, "min").numpy(), [[1.0, -2.0]])
  empty = tf.zeros((1, 3))
  for how in ("mean", "max", "min"):
    np.testing.assert_array_equal(aggregate(rows, empty, how).numpy(), 0.0)


def test_l2_of_the_shared_matrix_and_bad_options():
  layer = ShortTermSelfAttention(D, l2=0.01)
  set_kernel(layer, np.full((D, D), 2.0))
  assert float(layer.l2_loss()) == pytest.approx(0.01 * 0.5 * 4.0 * D * D)
  with pytest.raises(ValueError, match="diagonal_mask"):
    ShortTermSelfAttention(D, diagonal_mask="never")
  with pytest.raises(ValueError, match="aggregation"):
    ShortTermSelfAttention(D, aggregation="median")


# --------------------------------------------------------------------------- tables, distances


def test_metric_embedding_contract_and_padding_row():
  ids = tf.constant([[0, 3, 5]])
  layer = run_layer_test(MetricEmbedding, dict(num_ids=5, dim=4, stddev=0.001, l2=0.001),
                         [ids], expected_output_shape=(1, 3, 4),
                         expected_num_trainable_weights=1)
  out = layer(ids).numpy()
  np.testing.assert_array_equal(out[0, 0], 0.0)
  np.testing.assert_array_equal(layer.full_table().numpy()[0], 0.0)
  fresh = MetricEmbedding(200, 50, stddev=0.001)
  fresh(ids)
  values = fresh.table.numpy()
  assert np.abs(values).max() <= 0.002 + 1e-9  # truncated at 2 sigma, as TF1
  assert 0.0007 < values.std() < 0.0009  # a 2-sigma truncated normal has std 0.88 sigma


def test_norm_clipping_projects_rows_into_the_unit_ball():
  layer = MetricEmbedding(3, 2)
  layer(tf.constant([1]))
  layer.table.assign([[0.0, 0.0], [3.0, 4.0], [0.3, 0.4], [-1.0, 0.0]])
  layer.clip_to_unit_ball(1.0)
  np.testing.assert_allclose(layer.table.numpy(),
                             [[0.0, 0.0], [0.6, 0.8], [0.3, 0.4], [-1.0, 0.0]], rtol=1e-6)
  assert np.all(np.linalg.norm(layer.table.numpy(), axis=1) <= 1.0 + 1e-6)
  layer.l2 = 0.5
  assert float(layer.l2_loss()) == pytest.approx(0.5 * 0.5 * (1.0 + 0.25 + 1.0))


def test_squared_distances_exact_and_all_items_agree():
  scorer = SquaredEuclideanScorer()
  q = tf.constant([[1.0, 2.0], [0.0, -1.0]])
  items = tf.constant([[[1.0, 2.0], [4.0, 6.0]], [[0.0, 0.0], [3.0, 3.0]]])
  np.testing.assert_allclose(scorer(q, items).numpy(), [[0.0, 25.0], [1.0, 25.0]])
  table = tf.constant(np.random.default_rng(0).normal(size=(7, 2)).astype(np.float32))
  gathered = tf.gather(table, [[0, 1, 2, 3, 4, 5, 6]] * 2)
  np.testing.assert_allclose(scorer.all_items(q, table).numpy(), scorer(q, gathered).numpy(),
                             rtol=1e-5, atol=1e-5)
