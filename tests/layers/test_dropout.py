"""BitDropout: keep probability, scaling, independence, seeding, identity at inference."""

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.layers.dropout import BitDropout, keep_threshold


def test_threshold_is_exact_for_multiples_of_1_256_and_close_otherwise():
  assert keep_threshold(0.5) == (8, 128)
  assert keep_threshold(0.25) == (8, 64)
  assert keep_threshold(0.0) == (8, 0)
  bits, threshold = keep_threshold(0.2)
  assert bits == 16 and abs(threshold / 2**16 - 0.2) < 2**-17


@pytest.mark.parametrize("rate", [0.5, 0.2, 0.1])
def test_keep_rate_scaling_and_independence(rate):
  layer = BitDropout(rate, seed=3)
  x = tf.ones([64, 50, 51])  # an odd size: the last word is only partly used
  y = layer(x, training=True).numpy()
  kept = y != 0
  np.testing.assert_allclose(y[kept], 1.0 / (1.0 - rate), rtol=1e-6)
  n = kept.size
  assert abs(kept.mean() - (1 - rate)) < 4 * np.sqrt(rate * (1 - rate) / n)
  # Neighbouring entries (bytes of one random word) are uncorrelated.
  flat = kept.reshape(-1).astype(np.float64)
  assert abs(np.corrcoef(flat[:-1], flat[1:])[0, 1]) < 0.02
  assert abs(np.corrcoef(flat[:-4], flat[4:])[0, 1]) < 0.02


def test_each_call_draws_a_new_mask_and_seeds_reproduce_the_stream():
  x = tf.ones([8, 40])
  a, b = BitDropout(0.5, seed=7), BitDropout(0.5, seed=7)
  first = a(x, training=True).numpy()
  assert not np.array_equal(first, a(x, training=True).numpy())
  np.testing.assert_array_equal(first, b(x, training=True).numpy())
  assert not np.array_equal(first, BitDropout(0.5, seed=8)(x, training=True).numpy())


def test_identity_at_inference_and_for_rate_zero():
  x = tf.random.normal([4, 5])
  np.testing.assert_array_equal(BitDropout(0.5, seed=1)(x, training=False).numpy(), x.numpy())
  np.testing.assert_array_equal(BitDropout(0.0, seed=1)(x, training=True).numpy(), x.numpy())


def test_gradient_is_the_mask_times_the_scale():
  layer = BitDropout(0.5, seed=2)
  x = tf.ones([6, 7])
  with tf.GradientTape() as tape:
    tape.watch(x)
    y = layer(x, training=True)
    total = tf.reduce_sum(y)
  grad = tape.gradient(total, x).numpy()
  np.testing.assert_array_equal(grad, y.numpy())


def test_rejects_rates_outside_0_1():
  for rate in (-0.1, 1.0):
    with pytest.raises(ValueError):
      BitDropout(rate)
