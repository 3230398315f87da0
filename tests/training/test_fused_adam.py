"""FusedAdam takes the same steps as keras.optimizers.Adam and checkpoints the same slots."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.training.fused_adam import FusedAdam


def run(optimizer_cls, grads, **kwargs):
  rng = np.random.default_rng(0)
  variables = [keras.Variable(rng.normal(size=(7, 3)).astype(np.float32)),
               keras.Variable(rng.normal(size=(5,)).astype(np.float32))]
  optimizer = optimizer_cls(**kwargs)
  optimizer.build(variables)

  @tf.function
  def step(gs):
    optimizer.apply_gradients(zip(gs, variables))

  for gs in grads:
    step([tf.constant(g) for g in gs])
  return [v.numpy() for v in variables], optimizer


def test_matches_keras_adam_over_many_steps():
  rng = np.random.default_rng(1)
  grads = [[rng.normal(size=(7, 3)).astype(np.float32) * (i % 3 != 0),
            rng.normal(size=(5,)).astype(np.float32)] for i in range(30)]
  kwargs = dict(learning_rate=1e-2, beta_1=0.9, beta_2=0.98, epsilon=1e-8)
  want, keras_adam = run(keras.optimizers.Adam, grads, **kwargs)
  got, fused = run(FusedAdam, grads, **kwargs)
  for a, b in zip(got, want):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
  for slots in ("_momentums", "_velocities"):
    for a, b in zip(getattr(fused, slots), getattr(keras_adam, slots)):
      np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-7)
  assert int(fused.iterations.numpy()) == 30


def test_rejects_amsgrad():
  with pytest.raises(ValueError):
    FusedAdam(amsgrad=True)
