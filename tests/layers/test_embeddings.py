"""ZeroPadEmbedding, PositionEmbedding and SequenceEmbedding (SPEC §3.1, §3.5, §3.6)."""

import math

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.layers import PositionEmbedding, SequenceEmbedding, ZeroPadEmbedding

from .layer_test_helper import run_layer_test

IDS = tf.constant([[0, 0, 3, 7, 1], [4, 30, 2, 2, 9]], tf.int32)


# ---------------------------------------------------------------- generic layer contract
def test_zero_pad_embedding_contract():
  run_layer_test(ZeroPadEmbedding, dict(num_ids=30, dim=8, l2=0.1), [IDS],
                 expected_output_shape=(2, 5, 8), expected_num_trainable_weights=1)


def test_position_embedding_contract():
  run_layer_test(PositionEmbedding, dict(max_len=7, dim=8, l2=0.1), [tf.constant(5)],
                 expected_output_shape=(5, 8), expected_num_trainable_weights=1)


@pytest.mark.parametrize("use_position,num_weights", [(True, 2), (False, 1)])
def test_sequence_embedding_contract(use_position, num_weights):
  run_layer_test(
      SequenceEmbedding,
      lambda: dict(item_embedding=ZeroPadEmbedding(30, 8), max_len=5, dropout_rate=0.2,
                   use_position=use_position, seed=3),
      [IDS], expected_output_shape=((2, 5, 8), (2, 5, 1)),
      expected_num_trainable_weights=num_weights, train_kwargs=dict(training=True),
      # It takes the shared item table (a layer) as an argument and is rebuilt by its owner
      # (SASRec), never from a config of its own.
      run_serialization_check="takes another layer (the shared item table) as an argument",
      mixed_output_dtypes=("float16", "float32"))


# ---------------------------------------------------------------- ZeroPadEmbedding
def test_padding_row_reads_zero_even_if_the_variable_row_is_not():
  emb = ZeroPadEmbedding(10, 4)
  emb.build()
  emb.table.assign(np.random.default_rng(0).normal(size=(11, 4)).astype(np.float32))
  out = emb(tf.constant([[0, 3, 0, 10]])).numpy()
  np.testing.assert_array_equal(out[0, [0, 2]], 0.0)
  np.testing.assert_array_equal(out[0, 1], emb.table.numpy()[3])
  np.testing.assert_array_equal(out[0, 3], emb.table.numpy()[10])
  full = emb.full_table().numpy()
  np.testing.assert_array_equal(full[0], 0.0)
  np.testing.assert_array_equal(full[1:], emb.table.numpy()[1:])


def test_padding_row_receives_no_gradient():
  emb = ZeroPadEmbedding(10, 4)
  ids = tf.constant([[0, 0, 2, 5], [0, 3, 3, 0]])
  weights = tf.random.stateless_normal((2, 4, 4), seed=(1, 2))
  with tf.GradientTape() as tape:
    loss = tf.reduce_sum(emb(ids) * weights) + tf.reduce_sum(emb.full_table() ** 2)
  grad = tf.convert_to_tensor(tape.gradient(loss, emb.table)).numpy()
  np.testing.assert_array_equal(grad[0], 0.0)
  assert np.all(np.abs(grad[[2, 3, 5]]).sum(-1) > 0)


@pytest.mark.parametrize("layer_fn,rows", [
    (lambda: ZeroPadEmbedding(300, 16), 301),
    (lambda: ZeroPadEmbedding(1000, 8), 1001),
    (lambda: PositionEmbedding(50, 16), 50),
])
def test_tables_are_glorot_uniform_on_their_own_shape(layer_fn, rows):
  layer = layer_fn()
  layer.build()
  table = layer.table.numpy()
  assert table.shape[0] == rows
  limit = math.sqrt(6.0 / (table.shape[0] + table.shape[1]))
  assert np.abs(table).max() <= limit
  # Thousands of uniform draws come close to the bound (Keras' default +-0.05 would not fit:
  # the limits here are 0.035..0.34).
  assert np.abs(table).max() > 0.97 * limit
  assert abs(table.std() - limit / math.sqrt(3)) < 0.1 * limit


@pytest.mark.parametrize("l2", [0.0, 0.25])
def test_l2_loss_is_half_sum_of_squares_over_the_whole_variable(l2):
  for layer in (ZeroPadEmbedding(12, 4, l2=l2), PositionEmbedding(6, 4, l2=l2)):
    layer.build()
    w = layer.table.numpy().astype(np.float64)
    assert float(layer.l2_loss()) == pytest.approx(l2 * 0.5 * np.sum(w ** 2), rel=1e-6)


def test_position_embedding_is_right_aligned():
  """A full window gets P; a shorter one is the right end of a full window: the last rows."""
  pe = PositionEmbedding(6, 4)
  np.testing.assert_array_equal(pe(tf.constant(6)).numpy(), pe.table.numpy())
  np.testing.assert_array_equal(pe(tf.constant(4)).numpy(), pe.table.numpy()[2:])


# ---------------------------------------------------------------- SequenceEmbedding
@pytest.mark.parametrize("scale,use_position", [(True, True), (False, True), (True, False)])
def test_sequence_embedding_formula(scale, use_position):
  items = ZeroPadEmbedding(30, 9)
  layer = SequenceEmbedding(items, max_len=5, dropout_rate=0.0, use_position=use_position,
                            scale=scale)
  x, mask = layer(IDS)
  m = (IDS.numpy() != 0).astype(np.float32)
  expected = items.table.numpy()[IDS.numpy()] * (3.0 if scale else 1.0)  # sqrt(9) = 3
  if use_position:
    expected = expected + layer.position.table.numpy()[None]
  expected *= m[..., None]
  np.testing.assert_allclose(x.numpy(), expected, rtol=1e-6, atol=1e-6)
  np.testing.assert_array_equal(mask.numpy()[..., 0], m)
  assert (layer.position is not None) == use_position


def test_sequence_embedding_dropout_keeps_padding_rows_zero():
  layer = SequenceEmbedding(ZeroPadEmbedding(30, 8), max_len=5, dropout_rate=0.5, seed=1)
  x_train, _ = layer(IDS, training=True)
  x_eval, _ = layer(IDS, training=False)
  assert not np.allclose(x_train.numpy(), x_eval.numpy())
  np.testing.assert_array_equal(x_train.numpy()[0, :2], 0.0)
  # Inverted dropout: kept entries are scaled by 1 / (1 - p).
  kept = x_train.numpy() != 0
  np.testing.assert_allclose(x_train.numpy()[kept], 2.0 * x_eval.numpy()[kept], rtol=1e-6)


def test_sequence_embedding_l2_covers_the_position_table():
  layer = SequenceEmbedding(ZeroPadEmbedding(30, 8), max_len=5, dropout_rate=0.0, l2=0.5)
  layer(IDS)
  p = layer.position.table.numpy().astype(np.float64)
  assert float(layer.l2_loss()) == pytest.approx(0.25 * np.sum(p ** 2), rel=1e-6)
  no_pe = SequenceEmbedding(ZeroPadEmbedding(30, 8), 5, 0.0, use_position=False, l2=0.5)
  assert float(no_pe.l2_loss()) == 0.0
