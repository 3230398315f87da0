"""LayerNorm: same outputs and gradients as keras.layers.LayerNormalization, same variables."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.layers.layer_norm import LayerNorm


def pair(shape, **kwargs):
  ours, ref = LayerNorm(epsilon=1e-8, **kwargs), keras.layers.LayerNormalization(epsilon=1e-8,
                                                                                 **kwargs)
  ours.build(shape)
  ref.build(shape)
  rng = np.random.default_rng(0)
  for a, b in zip(ours.weights, ref.weights):
    value = rng.normal(1.0, 0.5, tuple(a.shape)).astype(np.float32)
    a.assign(value)
    b.assign(value)
  return ours, ref


def forward_backward(layer, x, dy):
  with tf.GradientTape() as tape:
    tape.watch(x)
    y = layer(x)
  grads = tape.gradient(y, [x] + layer.trainable_variables, output_gradients=dy)
  return [y] + grads


@pytest.mark.parametrize("shape", [(4, 7, 16), (5, 9), (2, 3, 4, 6)])
def test_outputs_and_gradients_equal_keras(shape):
  ours, ref = pair(shape)
  rng = np.random.default_rng(1)
  x = tf.constant(rng.normal(0.3, 2.0, shape).astype(np.float32))
  dy = tf.constant(rng.normal(size=shape).astype(np.float32))
  for a, b in zip(forward_backward(ours, x, dy), forward_backward(ref, x, dy)):
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-4)


def test_a_zero_row_normalises_to_beta_and_other_axes_fall_back_to_keras():
  ours, _ = pair((2, 3, 8))
  out = ours(tf.zeros((2, 3, 8))).numpy()
  np.testing.assert_allclose(out, np.broadcast_to(ours.beta.numpy(), out.shape), atol=1e-6)
  ours, ref = pair((2, 3, 8), axis=1)
  x = tf.random.normal((2, 3, 8))
  np.testing.assert_allclose(ours(x).numpy(), ref(x).numpy(), rtol=1e-5, atol=1e-5)


def test_float16_inputs_are_normalised_in_float32():
  ours, ref = pair((3, 8))
  x = tf.random.normal((3, 8)) * 50.0
  out = ours(tf.cast(x, tf.float16))
  assert out.dtype == tf.float32  # the layer's compute dtype
  np.testing.assert_allclose(out.numpy(), ref(x).numpy(), atol=2e-2)
