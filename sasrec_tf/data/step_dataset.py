"""The one tf.data wrapper of every sampler: batch k = f(k), built in parallel, in step order."""

from __future__ import annotations

from typing import Callable, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

Signature = Mapping[str, Tuple[tf.DType, Sequence[int]]]


def step_dataset(make_batch: Callable[[int], Mapping[str, np.ndarray]], signature: Signature,
                 first_step: int, num_steps: int, num_parallel_calls: Optional[int] = None,
                 prefetch: int = 4) -> tf.data.Dataset:
  """tf.data of ``make_batch(step)`` for steps ``first_step .. first_step + num_steps - 1``.

  ``make_batch`` must be a pure function of the step (seeded from it), so batches can be built
  by parallel workers and a resumed run sees the same stream. They are yielded in step order
  (deterministic map) and prefetched, so the train step never waits on Python.

  Args:
    make_batch: step -> dict of numpy arrays with at least the keys of ``signature``.
    signature: key -> (dtype, static shape) of each yielded entry (cast to that dtype).
    num_parallel_calls: map parallelism; None = AUTOTUNE.
    prefetch: batches kept ready.

  Returns:
    tf.data.Dataset of dicts key -> tensor of the signature's dtype and shape.
  """
  keys = tuple(signature)
  dtypes = [tf.as_dtype(signature[k][0]) for k in keys]

  def make(step):
    out = make_batch(int(step))
    return tuple(np.asarray(out[k], d.as_numpy_dtype) for k, d in zip(keys, dtypes))

  def to_tensors(step):
    values = tf.numpy_function(make, [step], dtypes, stateful=False)
    out: Dict[str, tf.Tensor] = {}
    for key, value in zip(keys, values):
      value.set_shape(signature[key][1])
      out[key] = value
    return out

  ds = tf.data.Dataset.range(first_step, first_step + num_steps)
  ds = ds.map(to_tensors, num_parallel_calls=num_parallel_calls or tf.data.AUTOTUNE,
              deterministic=True)
  return ds.prefetch(prefetch)
