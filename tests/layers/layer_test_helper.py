"""One shared check that every sasrec_tf layer goes through (in the manner of keras-hub's
``TestCase.run_layer_test``).

``run_layer_test`` builds the layer, then checks in turn:
  * output shapes (and float32 outputs under the default policy, all finite);
  * trainable / non-trainable weight counts;
  * ``get_config`` -> ``from_config`` (and ``keras.saving`` serialise / deserialise) round trip:
    the config holds every constructor argument with its value, the revived layer has the same
    config and, given the same weights, the same outputs;
  * a gradient step inside ``tf.function(jit_compile=True)`` runs, gives a finite loss, a
    gradient for every trainable weight, and changes the weights;
  * under the ``mixed_float16`` policy: float16 (compute dtype) outputs, float32 variables, and
    outputs close to the float32 layer's with the same weights.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, Union

import keras
import numpy as np
import tensorflow as tf

Kwargs = Union[Mapping[str, Any], Callable[[], Mapping[str, Any]]]


@contextlib.contextmanager
def dtype_policy(name: str):
  """Sets the global Keras dtype policy for the block, restoring the previous one after."""
  previous = keras.config.dtype_policy()
  keras.config.set_dtype_policy(name)
  try:
    yield
  finally:
    keras.config.set_dtype_policy(previous)


def _kwargs(init_kwargs: Kwargs) -> Dict[str, Any]:
  # A callable builds fresh constructor arguments (e.g. a new sub-layer) for every instance, so
  # that instances made under another dtype policy get sub-layers made under it too.
  return dict(init_kwargs() if callable(init_kwargs) else init_kwargs)


def _outputs(out) -> Tuple[tf.Tensor, ...]:
  return tuple(tf.nest.flatten(out))


def _call(layer, call_args, call_kwargs, **extra):
  return layer(*call_args, **{**dict(call_kwargs or {}), **extra})


def copy_weights(source: keras.layers.Layer, target: keras.layers.Layer):
  """Copies weights between two layers of the same structure (same creation order)."""
  src, dst = source.weights, target.weights
  assert [tuple(w.shape) for w in src] == [tuple(w.shape) for w in dst]
  for s, d in zip(src, dst):
    d.assign(tf.cast(s, d.dtype))


def _check_serialization(layer_cls, init_kwargs: Kwargs, layer, call_args, call_kwargs,
                         reference_outputs, config_exempt: Sequence[str]):
  kwargs = _kwargs(init_kwargs)
  config = layer.get_config()
  # Every constructor argument must survive get_config with its value; a missing one comes back
  # as its default after from_config (a silent change of behaviour, e.g. a dropout rate of 0).
  for key, value in kwargs.items():
    if key in config_exempt:
      continue
    assert key in config, f"{layer_cls.__name__}.get_config() lacks constructor arg {key!r}"
    assert config[key] == value, (
        f"{layer_cls.__name__}.get_config()[{key!r}] = {config[key]!r}, expected {value!r}")
  revived = layer_cls.from_config(config)
  assert revived.get_config() == config
  serialized = keras.saving.serialize_keras_object(layer)
  serialized.pop("build_config", None)  # the layers build on first call, not from a shape
  assert keras.saving.deserialize_keras_object(serialized).get_config() == config
  # Same weights -> same outputs (training=False, so dropout is off).
  _call(revived, call_args, call_kwargs)
  copy_weights(layer, revived)
  for got, want in zip(_outputs(_call(revived, call_args, call_kwargs)), reference_outputs):
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-6)


def _check_jit_training_step(layer, call_args, call_kwargs, train_kwargs):
  variables = layer.trainable_variables
  before = [v.numpy().copy() for v in variables]
  optimizer = keras.optimizers.Adam(learning_rate=0.01)
  optimizer.build(variables)

  # The inputs are captured as constants, as XLA needs static shapes (e.g. a window length).
  @tf.function(jit_compile=True)
  def step():
    with tf.GradientTape() as tape:
      outs = _outputs(_call(layer, call_args, call_kwargs, **train_kwargs))
      loss = tf.add_n([tf.reduce_mean(tf.square(tf.cast(o, tf.float32) - 0.1))
                       for o in outs if o.dtype.is_floating and o.shape.rank])
    grads = tape.gradient(loss, variables)
    optimizer.apply_gradients(zip(grads, variables))
    return loss, [g is not None for g in grads]

  loss, has_grad = step()
  assert np.isfinite(loss.numpy())
  missing = [v.path for v, ok in zip(variables, has_grad) if not ok]
  assert not missing, f"no gradient for {missing}"
  changed = [not np.array_equal(b, v.numpy()) for b, v in zip(before, variables)]
  assert all(changed), f"unchanged by the step: {[v.path for v, c in zip(variables, changed) if not c]}"


def _check_mixed_precision(layer_cls, init_kwargs: Kwargs, float32_layer, call_args, call_kwargs,
                           reference_outputs, mixed_output_dtypes, tolerance: float):
  with dtype_policy("mixed_float16"):
    layer = layer_cls(**_kwargs(init_kwargs))
    _call(layer, call_args, call_kwargs)
    copy_weights(float32_layer, layer)
    outputs = _outputs(_call(layer, call_args, call_kwargs))
  for v in layer.weights:
    assert v.dtype == "float32", f"{v.path} is {v.dtype} under mixed_float16 (expected float32)"
  for i, (got, want) in enumerate(zip(outputs, reference_outputs)):
    expected = mixed_output_dtypes[i] if mixed_output_dtypes else "float16"
    assert got.dtype == expected, f"output {i} is {got.dtype}, expected {expected}"
    got = tf.cast(got, tf.float32).numpy()
    assert np.all(np.isfinite(got)), f"output {i} is not finite under mixed_float16"
    np.testing.assert_allclose(got, want.numpy(), rtol=tolerance, atol=tolerance)


def run_layer_test(layer_cls, init_kwargs: Kwargs, call_args: Sequence[Any],
                   expected_output_shape, expected_num_trainable_weights: int,
                   expected_num_non_trainable_weights: int = 0,
                   call_kwargs: Optional[Mapping[str, Any]] = None,
                   train_kwargs: Optional[Mapping[str, Any]] = None,
                   run_serialization_check: Union[bool, str] = True,
                   config_exempt: Sequence[str] = (),
                   run_jit_training_check: bool = True,
                   run_mixed_precision_check: Union[bool, str] = True,
                   mixed_output_dtypes: Optional[Sequence[str]] = None,
                   mixed_precision_tolerance: float = 2e-2):
  """Runs every generic check on one layer configuration.

  Args:
    layer_cls: the layer class.
    init_kwargs: constructor arguments, or a callable returning fresh ones.
    call_args: positional call arguments (tensors).
    expected_output_shape: a shape tuple, or a tuple of shape tuples for several outputs.
    expected_num_trainable_weights, expected_num_non_trainable_weights: weight counts after build.
    call_kwargs: keyword call arguments of every call (e.g. ``mask=``).
    train_kwargs: extra keyword arguments of the jit-compiled training call (``training=True``
      for layers that take it).
    run_serialization_check: True, or a string giving the reason it does not apply.
    config_exempt: constructor arguments that need not appear in ``get_config``.
    run_jit_training_check: run a jit-compiled gradient step.
    run_mixed_precision_check: True, or a string giving the reason it does not apply.
    mixed_output_dtypes: expected dtype of each output under mixed_float16 (default float16).
    mixed_precision_tolerance: atol/rtol between the mixed and the float32 outputs.
  """
  layer = layer_cls(**_kwargs(init_kwargs))
  outputs = _outputs(_call(layer, call_args, call_kwargs))
  shapes = (expected_output_shape if isinstance(expected_output_shape[0], (tuple, list))
            else (expected_output_shape,))
  assert len(outputs) == len(shapes)
  for out, shape in zip(outputs, shapes):
    assert tuple(out.shape) == tuple(shape), f"output shape {tuple(out.shape)} != {tuple(shape)}"
    if out.dtype.is_floating:
      assert out.dtype == tf.float32
      assert np.all(np.isfinite(out.numpy()))
  assert len(layer.trainable_weights) == expected_num_trainable_weights, (
      [w.path for w in layer.trainable_weights])
  assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights, (
      [w.path for w in layer.non_trainable_weights])

  if run_serialization_check is True:
    _check_serialization(layer_cls, init_kwargs, layer, call_args, call_kwargs, outputs,
                         config_exempt)
  if run_mixed_precision_check is True:
    _check_mixed_precision(layer_cls, init_kwargs, layer, call_args, call_kwargs, outputs,
                           mixed_output_dtypes, mixed_precision_tolerance)
  if run_jit_training_check:
    _check_jit_training_step(layer, call_args, call_kwargs, dict(train_kwargs or {}))
  return layer
