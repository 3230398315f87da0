"""RowSparseAdagrad: embedding gradients updated row-sparsely, the same steps as dense Adagrad."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.training import trainer as trainer_lib
from sasrec_tf.training.row_sparse_adagrad import RowSparseAdagrad, merge_duplicates


def _train(optimizer, densify, steps=25):
  """Embedding table [20, 4] and a dense vector trained on lookups with repeated ids."""
  rng = np.random.default_rng(0)
  table = keras.Variable(rng.normal(size=(20, 4)).astype(np.float32))
  bias = keras.Variable(rng.normal(size=(4,)).astype(np.float32))
  optimizer.build([table, bias])

  @tf.function
  def step(ids, target):
    with tf.GradientTape() as tape:
      rows = tf.gather(table, ids) + bias
      loss = tf.reduce_sum((rows - target) ** 2) + tf.reduce_sum(rows ** 3)
    grads = tape.gradient(loss, [table, bias])
    assert isinstance(grads[0], tf.IndexedSlices)
    if densify:
      grads = [tf.convert_to_tensor(g) for g in grads]
    optimizer.apply_gradients(zip(grads, [table, bias]))

  data = np.random.default_rng(1)
  for _ in range(steps):
    ids = data.integers(0, 6, size=9)  # 9 ids among 6 rows: duplicates in every batch
    step(tf.constant(ids), tf.constant(data.normal(size=(9, 4)).astype(np.float32)))
  return table.numpy(), bias.numpy(), optimizer


def test_equals_dense_keras_adagrad_with_duplicate_ids():
  kwargs = dict(learning_rate=0.05, initial_accumulator_value=0.1, epsilon=1e-6)
  want_table, want_bias, dense = _train(keras.optimizers.Adagrad(**kwargs), densify=True)
  got_table, got_bias, sparse = _train(RowSparseAdagrad(**kwargs), densify=False)
  np.testing.assert_allclose(got_table, want_table, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(got_bias, want_bias, rtol=1e-5, atol=1e-6)
  for a, b in zip(sparse._accumulators, dense._accumulators):
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
  # Rows 6..19 never had a gradient: untouched, accumulators at their initial value.
  rng = np.random.default_rng(0)
  np.testing.assert_array_equal(got_table[6:], rng.normal(size=(20, 4)).astype(np.float32)[6:])
  np.testing.assert_array_equal(sparse._accumulators[0].numpy()[6:], np.float32(0.1))


def test_keras_adagrad_on_unmerged_slices_would_differ():
  """Why duplicates are merged: squaring slices one by one is not squaring their sum."""
  grad = tf.IndexedSlices(tf.constant([[1.0], [2.0], [4.0]]), tf.constant([3, 3, 1]),
                          tf.constant([5, 1]))
  merged = merge_duplicates(grad)
  dense = tf.convert_to_tensor(merged).numpy()[:, 0]
  np.testing.assert_array_equal(dense, [0.0, 4.0, 0.0, 3.0, 0.0])
  assert sorted(merged.indices.numpy().tolist()) == [1, 3]


def test_make_optimizer_gives_the_row_sparse_adagrad():
  config = trainer_lib.TrainConfig(optimizer="adagrad", learning_rate=0.05, epsilon=1e-6,
                                   initial_accumulator=0.05)
  optimizer = trainer_lib.make_optimizer(config)
  assert isinstance(optimizer, RowSparseAdagrad) and optimizer.row_sparse
  assert optimizer.initial_accumulator_value == 0.05
  assert not getattr(trainer_lib.make_optimizer(trainer_lib.TrainConfig()), "row_sparse", False)


def _reference_momentum(updates, table, bias, lr, mu, eps, acc0):
  """GRU4Rec's Theano rule in numpy: touched rows (duplicates summed) of the table, all of bias.

  updates: list of (ids, dense gradient of the table [rows, d], gradient of bias [d]).
  """
  table, bias = table.copy(), bias.copy()
  acc_t, acc_b = np.full_like(table, acc0), np.full_like(bias, acc0)
  vel_t, vel_b = np.zeros_like(table), np.zeros_like(bias)
  for ids, g_table, g_bias in updates:
    rows = np.unique(ids)
    acc_t[rows] += g_table[rows] ** 2
    vel_t[rows] = mu * vel_t[rows] - lr * g_table[rows] / np.sqrt(acc_t[rows] + eps)
    table[rows] += vel_t[rows]
    acc_b += g_bias ** 2
    vel_b = mu * vel_b - lr * g_bias / np.sqrt(acc_b + eps)
    bias += vel_b
  return table, bias


def test_momentum_follows_gru4rec_code_rule_row_sparsely():
  """Heavy-ball momentum on the Adagrad step; an untouched row's velocity stays frozen."""
  rng = np.random.default_rng(0)
  table0 = rng.normal(size=(8, 3)).astype(np.float64)
  bias0 = rng.normal(size=(3,)).astype(np.float64)
  table, bias = keras.Variable(table0), keras.Variable(bias0)
  lr, mu, eps, acc0 = 0.2, 0.3, 1e-6, 0.0
  optimizer = RowSparseAdagrad(learning_rate=lr, momentum=mu, epsilon=eps,
                               initial_accumulator_value=acc0)
  optimizer.build([table, bias])
  # Row 5 is touched at steps 0 and 2 only: with a dense velocity it would keep moving at step 1.
  schedule = [np.array([5, 1, 1]), np.array([1, 2]), np.array([5, 2, 2, 0])]
  updates = []
  for ids in schedule:
    values = rng.normal(size=(len(ids), 3))
    g_bias = rng.normal(size=(3,))
    dense = np.zeros_like(table0)
    np.add.at(dense, ids, values)
    updates.append((ids, dense, g_bias))
    grad = tf.IndexedSlices(tf.constant(values), tf.constant(ids), tf.constant([8, 3]))
    optimizer.apply_gradients([(grad, table), (tf.constant(g_bias), bias)])
    if len(updates) == 2:
      want_row5 = _reference_momentum(updates[:1], table0, bias0, lr, mu, eps, acc0)[0][5]
      np.testing.assert_allclose(table.numpy()[5], want_row5, rtol=1e-6)
  want_table, want_bias = _reference_momentum(updates, table0, bias0, lr, mu, eps, acc0)
  np.testing.assert_allclose(table.numpy(), want_table, rtol=1e-6, atol=1e-8)
  np.testing.assert_allclose(bias.numpy(), want_bias, rtol=1e-6, atol=1e-8)
  np.testing.assert_array_equal(table.numpy()[[3, 4, 6, 7]], table0[[3, 4, 6, 7]])
  # Momentum matters: the same gradients without it end elsewhere.
  assert not np.allclose(want_table, _reference_momentum(updates, table0, bias0, lr, 0.0, eps,
                                                         acc0)[0])


def test_momentum_zero_keeps_keras_adagrad_slots():
  table = keras.Variable(np.zeros((4, 2), np.float32))
  plain = RowSparseAdagrad(learning_rate=0.1)
  plain.build([table])
  assert not hasattr(plain, "_velocities")
  with_momentum = RowSparseAdagrad(learning_rate=0.1, momentum=0.3)
  with_momentum.build([table])
  assert len(with_momentum._velocities) == 1
  assert with_momentum.get_config()["momentum"] == 0.3
  with pytest.raises(ValueError, match="momentum"):
    RowSparseAdagrad(learning_rate=0.1, momentum=1.0)


def test_make_optimizer_passes_momentum_and_adam_refuses_it():
  config = trainer_lib.TrainConfig(optimizer="adagrad", momentum=0.3)
  assert trainer_lib.make_optimizer(config).momentum == 0.3
  with pytest.raises(ValueError, match="Adam"):
    trainer_lib.make_optimizer(trainer_lib.TrainConfig(optimizer="adam", momentum=0.3))


def test_momentum_state_is_checkpointed_so_a_resumed_run_continues_exactly(tmp_path):
  def steps(optimizer, table, bias, seeds):
    for s in seeds:
      rng = np.random.default_rng(s)
      ids = rng.integers(0, 6, size=5)
      grad = tf.IndexedSlices(tf.constant(rng.normal(size=(5, 3)), tf.float32),
                              tf.constant(ids), tf.constant([6, 3]))
      optimizer.apply_gradients([(grad, table), (tf.constant(rng.normal(size=3), tf.float32),
                                                 bias)])

  def fresh():
    table = keras.Variable(np.ones((6, 3), np.float32))
    bias = keras.Variable(np.zeros((3,), np.float32))
    optimizer = RowSparseAdagrad(learning_rate=0.2, momentum=0.3, epsilon=1e-6,
                                 initial_accumulator_value=0.0)
    optimizer.build([table, bias])
    return optimizer, table, bias

  optimizer, table, bias = fresh()
  steps(optimizer, table, bias, [0, 1])
  path = tf.train.Checkpoint(optimizer=optimizer, table=table, bias=bias).save(
      str(tmp_path / "ckpt"))
  steps(optimizer, table, bias, [2, 3])

  optimizer2, table2, bias2 = fresh()
  tf.train.Checkpoint(optimizer=optimizer2, table=table2, bias=bias2).restore(
      path).assert_consumed()
  assert np.any(optimizer2._velocities[0].numpy() != 0)
  steps(optimizer2, table2, bias2, [2, 3])
  np.testing.assert_allclose(table2.numpy(), table.numpy(), rtol=0, atol=1e-7)
  np.testing.assert_allclose(bias2.numpy(), bias.numpy(), rtol=0, atol=1e-7)
