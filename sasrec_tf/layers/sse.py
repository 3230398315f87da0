"""Stochastic Shared Embeddings (SSE-SE, Wu et al.): random id replacement during training (SPEC §4.4).

Replacing an id by a uniformly drawn one is the same as replacing its embedding row by another row
of the same table. Both layers are the identity at inference (``training=False``) and never touch
padding ids (0). Their randomness comes from a Keras ``SeedGenerator``, so it is seeded, and its
state is saved with the training checkpoint (a resumed run draws the same replacements).
"""

from __future__ import annotations

import keras
import tensorflow as tf

SSE_MODES = ("coupled", "decoupled")


def _uniform_ids(shape, num_ids: int, seed) -> tf.Tensor:
  """int32 ids drawn uniformly from 1..num_ids."""
  return tf.cast(keras.random.randint(shape, 1, num_ids + 1, seed=seed, dtype="int32"), tf.int32)


def _bernoulli(shape, rate: float, seed) -> tf.Tensor:
  """bool tensor, True with probability ``rate``."""
  return keras.random.uniform(shape, seed=seed) < rate


@keras.saving.register_keras_serializable(package="sasrec_tf")
class StochasticIdReplacement(keras.layers.Layer):
  """SSE-SE on one id tensor: each non-zero id is replaced, with probability ``rate``, by an id
  drawn uniformly from 1..num_ids (the original id may be drawn again).

  Used for user ids [B] (one draw per sequence: input and output user vectors are replaced
  together, as the paper requires) and for item ids [B, n] (one draw per slot).

  Args:
    num_ids: ids are 1..num_ids.
    rate: replacement probability p (the released code's threshold is the keep probability
      1 - p).
    seed: seed of the draws.
  """

  def __init__(self, num_ids: int, rate: float, seed=None, **kwargs):
    super().__init__(**kwargs)
    if not 0.0 <= rate <= 1.0:
      raise ValueError(f"SSE rate must be in [0, 1], got {rate}")
    self.num_ids, self.rate, self.seed = int(num_ids), float(rate), seed
    self.seed_generator = keras.random.SeedGenerator(seed)

  def call(self, ids, training=False):
    """ids: int [...] -> int32 [...] (unchanged unless training and rate > 0)."""
    ids = tf.cast(ids, tf.int32)
    if not training or self.rate == 0.0:
      return ids
    shape = tf.shape(ids)
    replace = _bernoulli(shape, self.rate, self.seed_generator) & tf.not_equal(ids, 0)
    return tf.where(replace, _uniform_ids(shape, self.num_ids, self.seed_generator), ids)

  def get_config(self):
    return {**super().get_config(), "num_ids": self.num_ids, "rate": self.rate,
            "seed": self.seed}


@keras.saving.register_keras_serializable(package="sasrec_tf")
class ItemSSE(keras.layers.Layer):
  """Item-side SSE-SE on a training window (seq, pos) of the SASRec sampler.

  ``mode="coupled"`` (released code, one knob ``input_rate``): at each non-padding slot k, with
  probability p the input ``seq[k]`` becomes a uniform id and the target ``pos[k]`` becomes another,
  independent uniform id; otherwise ``pos[k]`` is the (possibly replaced) input of slot k+1, so a
  replaced input is also the previous slot's target. The last slot's target is replaced only by
  its own draw. Requires the sampler's alignment ``seq[:, k+1] == pos[:, k]``.

  ``mode="decoupled"`` (paper): inputs replaced independently with ``input_rate`` (p_i), targets
  independently with ``target_rate`` (p_y).

  Negatives are never replaced (they stay drawn against the user's true history).
  """

  def __init__(self, num_items: int, input_rate: float, target_rate: float = 0.0,
               mode: str = "coupled", seed=None, **kwargs):
    super().__init__(**kwargs)
    if mode not in SSE_MODES:
      raise ValueError(f"sse_mode must be one of {SSE_MODES}, got {mode!r}")
    for name, rate in (("input_rate", input_rate), ("target_rate", target_rate)):
      if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {rate}")
    if mode == "coupled" and target_rate not in (0.0, input_rate):
      raise ValueError("the coupled (released-code) mode has one item probability: use "
                       "sse_mode='decoupled' for p_y != p_i")
    self.num_items, self.mode, self.seed = int(num_items), mode, seed
    self.input_rate, self.target_rate = float(input_rate), float(target_rate)
    self.seed_generator = keras.random.SeedGenerator(seed)

  @property
  def active(self) -> bool:
    return self.input_rate > 0.0 or (self.mode == "decoupled" and self.target_rate > 0.0)

  def call(self, seq, pos, training=False):
    """seq, pos: int [B, n] -> (seq', pos') int32 [B, n]; padding slots stay 0."""
    seq, pos = tf.cast(seq, tf.int32), tf.cast(pos, tf.int32)
    if not training or not self.active:
      return seq, pos
    shape = tf.shape(seq)
    gen = self.seed_generator
    if self.mode == "coupled":
      hit = _bernoulli(shape, self.input_rate, gen) & tf.not_equal(seq, 0)
      new_seq = tf.where(hit, _uniform_ids(shape, self.num_items, gen), seq)
      following = tf.concat([new_seq[:, 1:], pos[:, -1:]], axis=1)
      new_pos = tf.where(hit, _uniform_ids(shape, self.num_items, gen), following)
      return new_seq, new_pos * tf.cast(tf.not_equal(pos, 0), tf.int32)
    hit_in = _bernoulli(shape, self.input_rate, gen) & tf.not_equal(seq, 0)
    new_seq = tf.where(hit_in, _uniform_ids(shape, self.num_items, gen), seq)
    hit_out = _bernoulli(shape, self.target_rate, gen) & tf.not_equal(pos, 0)
    new_pos = tf.where(hit_out, _uniform_ids(shape, self.num_items, gen), pos)
    return new_seq, new_pos

  def get_config(self):
    return {**super().get_config(), "num_items": self.num_items, "input_rate": self.input_rate,
            "target_rate": self.target_rate, "mode": self.mode, "seed": self.seed}
