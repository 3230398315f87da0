"""masked_bce (SPEC §3.4)."""

import math

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.training.losses import masked_bce

POS = np.array([[9.0, 0.5, -1.0], [2.0, 0.0, 3.0]], np.float32)
NEG = np.array([[-9.0, 1.5, 0.25], [-2.0, 4.0, -0.5]], np.float32)
TARGETS = np.array([[0, 3, 4], [0, 0, 1]], np.int32)  # 3 non-padding targets in the batch


def by_hand():
  sig = lambda x: 1.0 / (1.0 + math.exp(-x))
  terms = [-math.log(sig(p) + 1e-24) - math.log(1.0 - sig(n) + 1e-24)
           for p, n, t in zip(POS.ravel(), NEG.ravel(), TARGETS.ravel()) if t != 0]
  assert len(terms) == 3
  return terms


@pytest.mark.parametrize("form", ["code", "stable"])
def test_mean_over_the_non_padding_targets_of_the_batch(form):
  got = float(masked_bce(tf.constant(POS), tf.constant(NEG), tf.constant(TARGETS), form=form))
  assert got == pytest.approx(sum(by_hand()) / 3, rel=1e-5)


@pytest.mark.parametrize("form", ["code", "stable"])
def test_sum_reduction(form):
  got = float(masked_bce(tf.constant(POS), tf.constant(NEG), tf.constant(TARGETS), form=form,
                         reduction="sum"))
  assert got == pytest.approx(sum(by_hand()), rel=1e-5)


def test_padding_positions_are_ignored_whatever_their_logits():
  base = float(masked_bce(POS, NEG, TARGETS))
  pos, neg = POS.copy(), NEG.copy()
  pos[TARGETS == 0] = -50.0
  neg[TARGETS == 0] = 80.0
  assert float(masked_bce(pos, neg, TARGETS)) == pytest.approx(base, rel=1e-6)


def test_code_and_stable_forms_agree_for_moderate_logits_and_differ_beyond():
  rng = np.random.default_rng(0)
  pos, neg = rng.uniform(-8, 8, (4, 6)), rng.uniform(-8, 8, (4, 6))
  targets = rng.integers(0, 3, (4, 6))
  code = float(masked_bce(pos, neg, targets, form="code"))
  stable = float(masked_bce(pos, neg, targets, form="stable"))
  assert code == pytest.approx(stable, rel=1e-4)
  # Where sigmoid saturates the code form is capped by its 1e-24 (about 55.3 per term).
  far = np.array([[-200.0]]), np.array([[-200.0]]), np.array([[1]])
  assert float(masked_bce(*far, form="code")) == pytest.approx(-math.log(1e-24), rel=1e-3)
  assert float(masked_bce(*far, form="stable")) == pytest.approx(200.0, rel=1e-4)


def test_all_padding_batch_gives_zero_not_nan():
  assert float(masked_bce(POS, NEG, np.zeros_like(TARGETS))) == 0.0


@pytest.mark.parametrize("kwargs", [dict(form="paper"), dict(reduction="avg")])
def test_unknown_options_are_errors(kwargs):
  with pytest.raises(ValueError):
    masked_bce(POS, NEG, TARGETS, **kwargs)


@pytest.mark.parametrize("mode", ["eager", "graph", "xla"])
def test_code_form_stays_finite_on_saturated_negatives_in_every_execution_mode(mode):
  """A negative logit above ~16.6 rounds sigmoid to 1: the term is the code's 55.26 floor, with
  zero gradient. In a tf.function, Grappler used to fold (1 - s) + 1e-24 into (1 + 1e-24) - s
  = 0, so the loss became inf and the next update nan (PT on Games at epoch 166)."""
  pos = tf.constant([[2.0, 3.0, -250.0]])
  neg = tf.constant([[17.3, 40.0, -1.0]])
  targets = tf.constant([[1, 1, 1]])

  def loss_and_grads(p, n):
    with tf.GradientTape() as tape:
      tape.watch([p, n])
      loss = masked_bce(p, n, targets, form="code", reduction="sum")
    return (loss,) + tuple(tape.gradient(loss, [p, n]))

  fn = {"eager": loss_and_grads, "graph": tf.function(loss_and_grads),
        "xla": tf.function(loss_and_grads, jit_compile=True)}[mode]
  loss, d_pos, d_neg = fn(pos, neg)
  floor = -math.log(1e-24)
  want = (math.log1p(math.exp(-2.0)) + math.log1p(math.exp(-3.0)) + floor  # positives
          + floor + floor + math.log1p(math.exp(-1.0)))                     # negatives
  assert float(loss) == pytest.approx(want, rel=1e-4)
  assert np.all(np.isfinite(d_pos.numpy())) and np.all(np.isfinite(d_neg.numpy()))
  # Saturated terms carry no gradient (as in the original code); the others do.
  np.testing.assert_array_equal(d_neg.numpy()[0, :2], [0.0, 0.0])
  assert d_pos.numpy()[0, 2] == 0.0 and d_neg.numpy()[0, 2] > 0.1
