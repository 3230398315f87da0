"""SSE-SE layers: replacement rates, padding, identity at inference, coupled vs decoupled (SPEC §4.4)."""

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.layers.sse import ItemSSE, StochasticIdReplacement

B, N, NUM = 400, 50, 1000


def windows():
  """seq/pos as the sampler builds them: pos[k] = seq[k+1], the last target beyond the window;
  rows left-padded by different amounts."""
  rng = np.random.default_rng(0)
  full = rng.integers(1, NUM + 1, size=(B, N + 1)).astype(np.int32)
  seq, pos = full[:, :-1].copy(), full[:, 1:].copy()
  pad = rng.integers(0, N, size=B)
  for r, p in enumerate(pad):
    seq[r, :p] = 0
    pos[r, :p] = 0
  return seq, pos


def test_user_replacement_rate_and_identity_at_inference():
  layer = StochasticIdReplacement(NUM, 0.3, seed=1)
  users = np.arange(1, 20001, dtype=np.int32) % NUM + 1
  np.testing.assert_array_equal(layer(users, training=False).numpy(), users)
  out = layer(users, training=True).numpy()
  changed = np.mean(out != users)
  # A replacement may draw the same id again (prob 1/NUM): expected rate 0.3 * (1 - 1/NUM).
  assert abs(changed - 0.3 * (1 - 1 / NUM)) < 0.015
  assert out.min() >= 1 and out.max() <= NUM


def test_zero_rate_and_padding_are_never_replaced():
  seq, _ = windows()
  np.testing.assert_array_equal(StochasticIdReplacement(NUM, 0.0)(seq, training=True), seq)
  out = StochasticIdReplacement(NUM, 1.0, seed=2)(seq, training=True).numpy()
  np.testing.assert_array_equal(out == 0, seq == 0)


def test_decoupled_rates_are_independent():
  seq, pos = windows()
  layer = ItemSSE(NUM, input_rate=0.2, target_rate=0.05, mode="decoupled", seed=3)
  s2, p2 = (t.numpy() for t in layer(seq, pos, training=True))
  real = seq > 0
  assert abs(np.mean(s2[real] != seq[real]) - 0.2) < 0.01
  assert abs(np.mean(p2[real] != pos[real]) - 0.05) < 0.01
  np.testing.assert_array_equal(s2 == 0, seq == 0)
  np.testing.assert_array_equal(p2 == 0, pos == 0)


def test_coupled_mode_follows_the_released_sampler():
  seq, pos = windows()
  p = 0.1
  s2, p2 = (t.numpy() for t in ItemSSE(NUM, p, mode="coupled", seed=4)(seq, pos, training=True))
  real = seq > 0
  hit = real & (s2 != seq)
  # Inputs: rate p. Targets: a target is corrupted when its own slot or the next input is hit:
  # 1 - (1 - p)^2 inside the window, p at the last slot.
  assert abs(np.mean(s2[real] != seq[real]) - p) < 0.01
  inner = real.copy()
  inner[:, -1] = False
  assert abs(np.mean(p2[inner] != pos[inner]) - (1 - (1 - p) ** 2)) < 0.01
  assert abs(np.mean(p2[:, -1] != pos[:, -1]) - p) < 0.05
  # Where slot k is not hit, its target is the (possibly replaced) input of slot k+1.
  keep = real[:, :-1] & ~hit[:, :-1]
  np.testing.assert_array_equal(p2[:, :-1][keep], s2[:, 1:][keep])
  keep_last = ~hit[:, -1]
  np.testing.assert_array_equal(p2[keep_last, -1], pos[keep_last, -1])
  np.testing.assert_array_equal(p2 == 0, pos == 0)


def test_inference_never_stochastic_and_coupled_rejects_separate_target_rate():
  seq, pos = windows()
  layer = ItemSSE(NUM, 0.5, mode="coupled", seed=5)
  s2, p2 = layer(seq, pos, training=False)
  np.testing.assert_array_equal(s2, seq)
  np.testing.assert_array_equal(p2, pos)
  with pytest.raises(ValueError, match="decoupled"):
    ItemSSE(NUM, 0.1, target_rate=0.3, mode="coupled")
  with pytest.raises(ValueError, match="sse_mode"):
    ItemSSE(NUM, 0.1, mode="paper")


def test_same_seed_same_draws():
  seq, pos = windows()
  a = ItemSSE(NUM, 0.2, mode="coupled", seed=7)(seq, pos, training=True)[0].numpy()
  b = ItemSSE(NUM, 0.2, mode="coupled", seed=7)(seq, pos, training=True)[0].numpy()
  np.testing.assert_array_equal(a, b)
