"""PointWiseFeedForward (SPEC §3.2 step 8)."""

import warnings

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.layers import PointWiseFeedForward

from . import numpy_reference as ref
from .layer_test_helper import run_layer_test

X = tf.constant(np.random.default_rng(0).normal(size=(2, 5, 8)).astype(np.float32))


def test_feed_forward_contract():
  run_layer_test(PointWiseFeedForward, dict(dim=8, dropout_rate=0.3, output_dropout=False),
                 [X], expected_output_shape=(2, 5, 8), expected_num_trainable_weights=4,
                 train_kwargs=dict(training=True))


def test_two_dense_layers_of_width_d():
  layer = PointWiseFeedForward(8)
  layer(X)
  ref.randomize(layer)
  assert tuple(layer.inner.kernel.shape) == (8, 8) and tuple(layer.outer.kernel.shape) == (8, 8)
  g = lambda v: v.numpy().astype(np.float64)
  expected = ref.feed_forward(X.numpy().astype(np.float64), g(layer.inner.kernel),
                              g(layer.inner.bias), g(layer.outer.kernel), g(layer.outer.bias))
  np.testing.assert_allclose(layer(X).numpy(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("output_dropout", [True, False])
def test_output_dropout_flag(output_dropout):
  layer = PointWiseFeedForward(8, dropout_rate=0.5, output_dropout=output_dropout, seed=2)
  layer(X)
  ref.randomize(layer)  # non-zero output bias: only an output dropout yields exact zeros
  out = layer(X, training=True).numpy()
  zeros = np.mean(out == 0.0)
  if output_dropout:
    assert 0.3 < zeros < 0.7
  else:
    assert zeros == 0.0
  assert not np.allclose(out, layer(X, training=False).numpy())  # inner dropout is always on


def test_first_call_leaves_no_sub_layer_unbuilt():
  # Without an output dropout, call never touches dropout_outer; Keras warns ("unbuilt state")
  # unless build() accounts for it.
  layer = PointWiseFeedForward(8, dropout_rate=0.5, output_dropout=False)
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    layer(X, training=True)
  assert all(sub.built for sub in (layer.inner, layer.outer, layer.dropout_inner,
                                   layer.dropout_outer))
