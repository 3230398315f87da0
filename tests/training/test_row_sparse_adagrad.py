"""RowSparseAdagrad: embedding gradients updated row-sparsely, the same steps as dense Adagrad."""

import keras
import numpy as np
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
