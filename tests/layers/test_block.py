"""SelfAttentionBlock in its code form (default) and its paper form (SPEC §3.2, §3.9)."""

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.layers import SelfAttentionBlock

from . import numpy_reference as ref
from .layer_test_helper import run_layer_test

D, N = 8, 5
MASK = np.array([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], np.float32)


def padded_input(seed=0):
  x = np.random.default_rng(seed).normal(size=(2, N, D)) * MASK[..., None]
  return x.astype(np.float32)


def run(block, x, training=False):
  return block(tf.constant(x), tf.constant(MASK[..., None]), training=training).numpy()


def randomized_block(seed=0, **kwargs):
  block = SelfAttentionBlock(D, **kwargs)
  run(block, padded_input())
  ref.randomize(block, seed=seed)
  return block


@pytest.mark.parametrize("kwargs,num_weights", [
    (dict(num_heads=2), 14),                      # 2 LN x 2, Q/K/V kernel+bias, FFN 2 x 2
    (dict(num_heads=1, paper_literal=True), 11),  # bias-free Q/K/V
])
def test_block_contract(kwargs, num_weights):
  run_layer_test(SelfAttentionBlock, dict(dim=D, dropout_rate=0.2, **kwargs),
                 [tf.constant(padded_input()), tf.constant(MASK[..., None])],
                 expected_output_shape=(2, N, D), expected_num_trainable_weights=num_weights,
                 train_kwargs=dict(training=True))


def test_layer_norms_use_epsilon_1e_8():
  for form in (False, True):
    block = SelfAttentionBlock(D, paper_literal=form)
    assert block.attention_norm.epsilon == 1e-8
    assert block.ffn_norm.epsilon == 1e-8


@pytest.mark.parametrize("num_heads", [1, 2])
@pytest.mark.parametrize("use_residual", [True, False])
def test_code_form_matches_spec_steps_1_to_9(num_heads, use_residual):
  block = randomized_block(seed=num_heads, num_heads=num_heads, use_residual=use_residual)
  x = padded_input(1)
  expected = ref.block_code(x.astype(np.float64), MASK, ref.block_params(block), num_heads,
                            use_residual)
  np.testing.assert_allclose(run(block, x), expected, rtol=1e-4, atol=1e-4)


def test_code_form_is_not_textbook_pre_ln():
  """The reference above is discriminating: the two textbook variants give other numbers."""
  block = randomized_block(seed=7)
  x = padded_input(2).astype(np.float64)
  p = ref.block_params(block)
  got = run(block, x.astype(np.float32))
  # (a) residual adds the raw input instead of LN(x); (b) K/V from LN(x) instead of x.
  q_hat = ref.layer_norm(x, p["ln1_g"], p["ln1_b"])
  attn = lambda q, kv: ref.attention(q, kv, MASK, p["wq"], p["wk"], p["wv"], p["bq"], p["bk"],
                                     p["bv"])
  def finish(y):
    z = ref.layer_norm(y, p["ln2_g"], p["ln2_b"])
    return (ref.feed_forward(z, p["w1"], p["b1"], p["w2"], p["b2"]) + z) * MASK[..., None]
  raw_residual = finish(attn(q_hat, x) + x)
  normed_keys = finish(attn(q_hat, q_hat) + q_hat)
  for wrong in (raw_residual, normed_keys):
    assert np.abs(got - wrong)[1].max() > 1e-2


@pytest.mark.parametrize("num_heads", [1, 2])
@pytest.mark.parametrize("use_residual", [True, False])
def test_paper_form_matches_its_reference(num_heads, use_residual):
  block = randomized_block(seed=3, num_heads=num_heads, paper_literal=True,
                           use_residual=use_residual)
  x = padded_input(3)
  p = ref.block_params(block)
  assert "bq" not in p
  expected = ref.block_paper(x.astype(np.float64), MASK, p, num_heads, use_residual)
  np.testing.assert_allclose(run(block, x), expected, rtol=1e-4, atol=1e-4)


def test_paper_form_differs_from_code_form():
  code = randomized_block(seed=4)
  paper = SelfAttentionBlock(D, paper_literal=True)
  x = padded_input(4)
  run(paper, x)
  by_path = {v.path.split("/", 1)[1]: v for v in code.weights}
  for v in paper.weights:
    v.assign(by_path[v.path.split("/", 1)[1]])
  assert np.abs(run(code, x) - run(paper, x)).max() > 1e-2


def test_remove_residual_changes_the_output_with_the_same_weights():
  with_rc = randomized_block(seed=5)
  without = SelfAttentionBlock(D, use_residual=False)
  x = padded_input(5)
  run(without, x)
  assert [v.path.split("/", 1)[1] for v in with_rc.weights] == [
      v.path.split("/", 1)[1] for v in without.weights]
  for a, b in zip(with_rc.weights, without.weights):
    b.assign(a)
  assert np.abs(run(with_rc, x) - run(without, x)).max() > 1e-2


@pytest.mark.parametrize("paper_literal", [False, True])
def test_padding_rows_stay_zero_and_dropout_only_in_training(paper_literal):
  block = randomized_block(seed=6, dropout_rate=0.4, paper_literal=paper_literal)
  x = padded_input(6)
  train = run(block, x, training=True)
  np.testing.assert_array_equal(train[0, :2], 0.0)
  np.testing.assert_array_equal(run(block, x)[0, :2], 0.0)
  np.testing.assert_array_equal(run(block, x), run(block, x))
  assert np.abs(train - run(block, x)).max() > 1e-3
