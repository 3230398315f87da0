"""step_dataset: batch k = f(k) in step order, whatever the parallelism; dtypes and shapes."""

import numpy as np
import tensorflow as tf

from sasrec_tf.data.step_dataset import step_dataset


def make(step):
  rng = np.random.default_rng(step)
  return {"a": np.full((3,), step, np.int64), "b": rng.random((3, 2)), "unused": np.zeros(1)}


SIGNATURE = {"a": (tf.int32, [3]), "b": (tf.float32, [3, 2])}


def test_batches_come_in_step_order_with_the_signature_and_parallel_workers():
  ds = step_dataset(make, SIGNATURE, first_step=5, num_steps=12, num_parallel_calls=4)
  assert ds.element_spec == {"a": tf.TensorSpec([3], tf.int32),
                             "b": tf.TensorSpec([3, 2], tf.float32)}
  got = list(ds.as_numpy_iterator())
  assert [int(g["a"][0]) for g in got] == list(range(5, 17))
  for step, g in zip(range(5, 17), got):
    np.testing.assert_allclose(g["b"], make(step)["b"].astype(np.float32))
    assert set(g) == {"a", "b"}


def test_a_resumed_stream_equals_the_tail_of_the_full_stream():
  full = list(step_dataset(make, SIGNATURE, 0, 10).as_numpy_iterator())
  tail = list(step_dataset(make, SIGNATURE, 6, 4).as_numpy_iterator())
  for a, b in zip(full[6:], tail):
    np.testing.assert_array_equal(a["b"], b["b"])
