"""Adagrad (optionally with momentum) that updates only the rows an embedding gradient touches."""

from __future__ import annotations

import keras
import tensorflow as tf


def merge_duplicates(gradient: tf.IndexedSlices) -> tf.IndexedSlices:
  """The same gradient with one slice per distinct row (duplicate rows' slices summed)."""
  rows, position = tf.unique(gradient.indices)
  values = tf.math.unsorted_segment_sum(gradient.values, position, tf.size(rows))
  return tf.IndexedSlices(values, rows, gradient.dense_shape)


class RowSparseAdagrad(keras.optimizers.Adagrad):
  """``keras.optimizers.Adagrad`` (same slots, same checkpoints) with row-sparse updates.

  Keras' Adagrad on a dense gradient g:  a <- a + g^2;  w <- w - lr g / sqrt(a + eps).
  A row whose gradient is zero keeps both a and w, so applying the rule to the rows of an
  ``IndexedSlices`` gradient alone, after summing its duplicate rows, gives exactly the dense
  result: an embedding table of N rows costs O(touched rows) per step instead of O(N) (GRU4Rec's
  item tables: 23,716 rows on Games against 50 + 2,048 touched). Dense gradients take Keras' path.
  This is the update of GRU4Rec's Theano code, which also touches only the sampled rows.

  ``momentum`` > 0 adds the heavy-ball momentum of GRU4Rec's code (GRU4Rec+ uses 0.3) on top
  of the Adagrad-scaled gradient: v <- mu v - lr g / sqrt(a + eps);  w <- w + v, with one
  velocity slot per variable. For an ``IndexedSlices`` gradient only the touched rows' velocity
  decays and moves, as the code's sampled-parameter update does (an untouched row keeps its
  velocity and its weights). With momentum 0 no velocity slot exists and the update (and the
  checkpoint layout) is Keras' Adagrad.
  """

  # The trainer hands this optimizer embedding gradients as IndexedSlices (not densified).
  row_sparse = True

  def __init__(self, *args, momentum: float = 0.0, **kwargs):
    super().__init__(*args, **kwargs)
    if not 0.0 <= momentum < 1.0:
      raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    self.momentum = float(momentum)

  def build(self, var_list):
    if self.built:
      return
    super().build(var_list)
    if self.momentum > 0:
      self._velocities = self.add_optimizer_variables(var_list, "velocity")

  def update_step(self, gradient, variable, learning_rate):
    index = self._get_variable_index(variable)
    dtype = variable.dtype
    lr = tf.cast(learning_rate, dtype)
    eps = tf.cast(self.epsilon, dtype)
    accumulator = _plain(self._accumulators[index])
    if not isinstance(gradient, tf.IndexedSlices):
      if self.momentum == 0:
        return super().update_step(gradient, variable, learning_rate)
      gradient = tf.cast(gradient, dtype)
      accumulator.assign_add(tf.square(gradient))
      velocity = _plain(self._velocities[index])
      velocity.assign(self.momentum * velocity - lr * gradient / tf.sqrt(accumulator + eps))
      _plain(variable).assign_add(velocity)
      return None
    gradient = merge_duplicates(gradient)
    rows = gradient.indices
    values = tf.cast(gradient.values, dtype)
    accumulator.scatter_add(tf.IndexedSlices(tf.square(values), rows))
    step = lr * values / tf.sqrt(tf.gather(accumulator, rows) + eps)
    if self.momentum == 0:
      _plain(variable).scatter_sub(tf.IndexedSlices(step, rows))
      return None
    velocity = _plain(self._velocities[index])
    moved = self.momentum * tf.gather(velocity, rows) - step
    velocity.scatter_update(tf.IndexedSlices(moved, rows))
    _plain(variable).scatter_add(tf.IndexedSlices(moved, rows))
    return None

  def get_config(self):
    return {**super().get_config(), "momentum": self.momentum}


def _plain(variable):
  """The tf.Variable behind a keras.Variable (scatter ops live on the TF variable)."""
  return variable.value if isinstance(variable, keras.Variable) else variable
