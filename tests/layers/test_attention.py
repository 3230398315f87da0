"""CausalSelfAttention (SPEC §3.2 steps 2-6)."""

import warnings

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.layers import CausalSelfAttention

from . import numpy_reference as ref
from .layer_test_helper import run_layer_test

D, N = 8, 5
# Row 0 is left-padded (two padding slots), row 1 is full.
MASK = np.array([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], np.float32)


def inputs(seed=0):
  rng = np.random.default_rng(seed)
  q = rng.normal(size=(2, N, D)).astype(np.float32)
  kv = (rng.normal(size=(2, N, D)) * MASK[..., None]).astype(np.float32)
  return q, kv


def run(layer, q, kv, mask=MASK, training=False):
  return layer(tf.constant(q), tf.constant(kv), tf.constant(mask[..., None]),
               training=training).numpy()


def reference(layer, q, kv, mask=MASK, num_heads=1, scale_dim=None):
  get = lambda v: np.asarray(v.numpy(), np.float64)
  biases = {}
  if layer.query.use_bias:
    biases = dict(bq=get(layer.query.bias), bk=get(layer.key.bias), bv=get(layer.value.bias))
  return ref.attention(q.astype(np.float64), kv.astype(np.float64), mask,
                       get(layer.query.kernel), get(layer.key.kernel), get(layer.value.kernel),
                       num_heads=num_heads, scale_dim=scale_dim, **biases)


@pytest.mark.parametrize("num_heads,use_bias,num_weights", [(2, True, 6), (1, False, 3)])
def test_attention_contract(num_heads, use_bias, num_weights):
  q, kv = inputs()
  run_layer_test(
      CausalSelfAttention, dict(dim=D, num_heads=num_heads, dropout_rate=0.3, use_bias=use_bias),
      [tf.constant(q), tf.constant(kv), tf.constant(MASK[..., None])],
      expected_output_shape=(2, N, D), expected_num_trainable_weights=num_weights,
      train_kwargs=dict(training=True))


@pytest.mark.parametrize("num_heads", [1, 2, 4])
def test_matches_numpy_reference(num_heads):
  layer = CausalSelfAttention(D, num_heads)
  q, kv = inputs(1)
  run(layer, q, kv)
  ref.randomize(layer, seed=num_heads)
  np.testing.assert_allclose(run(layer, q, kv), reference(layer, q, kv, num_heads=num_heads),
                             rtol=1e-5, atol=1e-5)


def test_two_heads_scale_by_sqrt_of_head_width_not_of_d():
  layer = CausalSelfAttention(D, 2)
  q, kv = inputs(2)
  run(layer, q, kv)
  ref.randomize(layer, seed=5, scale=1.0)
  got = run(layer, q, kv)
  np.testing.assert_allclose(got, reference(layer, q, kv, num_heads=2, scale_dim=D // 2),
                             rtol=1e-5, atol=1e-5)
  paper_scale = reference(layer, q, kv, num_heads=2, scale_dim=D)
  assert np.abs(got - paper_scale).max() > 1e-2


@pytest.mark.parametrize("num_heads", [1, 2])
def test_causal_future_positions_do_not_matter(num_heads):
  layer = CausalSelfAttention(D, num_heads)
  q, kv = inputs(3)
  base = run(layer, q, kv)
  rng = np.random.default_rng(9)
  for t in range(N - 1):
    q2, kv2 = q.copy(), kv.copy()
    q2[:, t + 1:] = rng.normal(size=q2[:, t + 1:].shape)
    kv2[1, t + 1:] = rng.normal(size=kv2[1, t + 1:].shape)  # row 1 has no padding
    out = run(layer, q2, kv2)
    np.testing.assert_allclose(out[:, :t + 1], base[:, :t + 1], rtol=1e-6, atol=1e-6)
    assert np.abs(out[1, t + 1:] - base[1, t + 1:]).max() > 1e-3


def test_padding_queries_give_zero_and_padding_keys_are_ignored():
  layer = CausalSelfAttention(D, 2)
  q, kv = inputs(4)
  run(layer, q, kv)
  ref.randomize(layer, seed=3)  # non-zero biases: a padding key's K/V would not be zero
  base = run(layer, q, kv)
  np.testing.assert_array_equal(base[0, :2], 0.0)
  kv2 = kv.copy()
  kv2[0, :2] = 10.0  # whatever sits in the padding rows must not reach real queries
  np.testing.assert_allclose(run(layer, q, kv2)[0, 2:], base[0, 2:], rtol=1e-6, atol=1e-6)


def test_dropout_acts_on_attention_weights_only_when_training():
  q, kv = inputs(5)
  layer = CausalSelfAttention(D, 1, dropout_rate=0.5, seed=1)
  eval_out = run(layer, q, kv)
  np.testing.assert_array_equal(run(layer, q, kv, training=False), eval_out)
  assert np.abs(run(layer, q, kv, training=True) - eval_out).max() > 1e-3
  no_weight_dropout = CausalSelfAttention(D, 1, dropout_rate=0.5, weight_dropout=False)
  out = run(no_weight_dropout, q, kv)
  np.testing.assert_array_equal(run(no_weight_dropout, q, kv, training=True), out)


def test_rejects_dim_not_divisible_by_heads():
  with pytest.raises(ValueError, match="divisible"):
    CausalSelfAttention(10, 3)


def test_first_call_leaves_no_sub_layer_unbuilt():
  # The paper form (weight_dropout=False) never calls the weight dropout; Keras warns ("unbuilt
  # state") unless build() accounts for it.
  layer = CausalSelfAttention(D, num_heads=2, dropout_rate=0.5, weight_dropout=False)
  q, kv = inputs()
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    run(layer, q, kv, training=True)
  assert all(sub.built for sub in (layer.query, layer.key, layer.value, layer.dropout))
  assert [tuple(p.kernel.shape) for p in (layer.query, layer.key, layer.value)] == [(D, D)] * 3
