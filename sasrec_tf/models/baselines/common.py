"""Pieces shared by the baseline models: embedding tables, a base class, losses, spec helper.

Conventions (as every model of the library): item ids 1..num_items and user ids 1..num_users, id 0
is padding; input windows ``seq`` are int [B, n], left-padded with 0, most recent item in the last
slot. Scores are higher-is-better (distance models return minus the distance). ``l2`` penalties
follow the TF1 convention ``l2 * sum(w^2) / 2``.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional, Sequence, Tuple

import keras
import tensorflow as tf

from sasrec_tf.models.persistence import ConfigPersistence


def make_initializer(spec: Any):
  """A Keras initializer from a short spec.

  Args:
    spec: "glorot" (Glorot-uniform on the variable's shape), "zeros", ("normal", stddev) or
      ("uniform", limit), or a Keras initializer (returned as is).
  """
  if isinstance(spec, keras.initializers.Initializer):
    return spec
  if spec == "glorot":
    return keras.initializers.GlorotUniform()
  if spec == "zeros":
    return keras.initializers.Zeros()
  kind, value = tuple(spec)
  if kind == "normal":
    return keras.initializers.RandomNormal(stddev=float(value))
  if kind == "uniform":
    return keras.initializers.RandomUniform(-float(value), float(value))
  raise ValueError(f"unknown initializer spec {spec!r}")


@keras.saving.register_keras_serializable(package="sasrec_tf")
class Table(keras.layers.Layer):
  """A [num_ids + 1, dim] lookup table whose row 0 (padding) reads as zero and never learns.

  The variable is created at construction, so a model owning tables has all their weights as
  soon as it exists.

  Args:
    num_ids: largest id (rows 1..num_ids are real ids).
    dim: row width (1 for a bias table).
    initializer: see ``make_initializer``.
  """

  def __init__(self, num_ids: int, dim: int, initializer: Any = "glorot", **kwargs):
    super().__init__(**kwargs)
    self.num_ids, self.dim = int(num_ids), int(dim)
    self.initializer_spec = initializer if isinstance(initializer, (str, tuple, list)) else None
    self.table = self.add_weight(name="table", shape=(self.num_ids + 1, self.dim),
                                 initializer=make_initializer(initializer))

  def get_config(self):
    return {**super().get_config(), "num_ids": self.num_ids, "dim": self.dim,
            "initializer": self.initializer_spec or "glorot"}

  def call(self, ids):
    """ids int [...] -> float [..., dim]; rows of id 0 are exactly zero (and pass no gradient)."""
    ids = tf.cast(ids, tf.int32)
    vectors = tf.gather(self.table, ids)
    return vectors * tf.cast(tf.not_equal(ids, 0), vectors.dtype)[..., None]

  def full(self):
    """float [num_ids + 1, dim], row 0 zeroed (to score every id at once)."""
    return tf.concat([tf.zeros_like(self.table[:1]), self.table[1:]], axis=0)

  def l2_loss(self, l2: float):
    """``l2 * sum(w^2) / 2`` over the whole table (rows 1..num_ids)."""
    return float(l2) * 0.5 * tf.reduce_sum(tf.square(self.table[1:]))

  def project_to_unit_ball(self):
    """Scales every row with norm > 1 back onto the unit sphere (TransRec's constraint)."""
    norms = tf.norm(self.table, axis=-1, keepdims=True)
    self.table.assign(self.table / tf.maximum(norms, 1.0))


def fit_width(seq, width: int):
  """The last ``width`` columns of int [B, n] ``seq``, left-padded with 0 when n < width."""
  seq = tf.cast(seq, tf.int32)
  n = seq.shape[1]
  if n is not None and n >= width:
    return seq[:, n - width:]
  pad = tf.maximum(width - tf.shape(seq)[1], 0)
  return tf.pad(seq, [[0, 0], [pad, 0]])[:, -width:]


def last_item(seq):
  """int [B, n] window -> int [B] most recent item (0 for an empty window)."""
  return tf.cast(seq, tf.int32)[:, -1]


def squared_distance_all(query, table):
  """query float [B, d], table float [R, d] -> float [B, R] of ||query_b - table_r||^2."""
  q2 = tf.reduce_sum(tf.square(query), axis=-1, keepdims=True)
  t2 = tf.reduce_sum(tf.square(table), axis=-1)[None, :]
  return tf.maximum(q2 - 2.0 * tf.matmul(query, table, transpose_b=True) + t2, 0.0)


def masked_mean(values, mask):
  """Mean of ``values`` over entries where ``mask`` is 1 (0 when the mask is empty)."""
  mask = tf.cast(mask, values.dtype)
  return tf.reduce_sum(values * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)


def bpr_loss(pos, neg, mask=None, reduction: str = "mean"):
  """Pairwise BPR loss ``-log sigmoid(pos - neg)``.

  Args:
    pos, neg: float [...] of the same shape (one negative per positive).
    mask: optional [...] 0/1 (0 = padding target).
    reduction: "mean" over unmasked pairs or "sum".
  """
  per = -tf.math.log_sigmoid(pos - neg)
  mask = tf.ones_like(per) if mask is None else tf.cast(mask, per.dtype)
  if reduction == "sum":
    return tf.reduce_sum(per * mask)
  return masked_mean(per, mask)


def pos_mask(pos):
  """float mask of the non-padding targets of an int target tensor."""
  return tf.cast(tf.not_equal(pos, 0), tf.float32)


def row_penalty(l2: float, *rows):
  """``l2 * mean_b sum(row^2) / 2`` for rows float [B, ...] gathered for the batch's examples.

  The SGD form of ``lambda * ||Theta||^2`` in BPR / FPMC / TransRec: each example pays for the
  parameters it touches; averaged over the batch like the data loss.
  """
  if l2 == 0.0 or not rows:
    return tf.constant(0.0)
  total = 0.0
  for r in rows:
    r = tf.cast(r, tf.float32)
    flat = tf.reshape(r, [tf.shape(r)[0], -1])
    total += tf.reduce_sum(tf.square(flat), axis=-1)
  return float(l2) * 0.5 * tf.reduce_mean(total)


class BaselineModel(ConfigPersistence, keras.Model):
  """Base of the baseline models: stored hyper-parameters, config file, restore, defaults.

  Subclasses set ``self.hparams`` (a JSON-able dict of their constructor arguments) before
  creating layers, and implement ``score``, ``score_all`` and ``train_loss``.
  """

  # Window length the model reads at inference (build_for_inputs uses it).
  input_len: int = 1

  def build(self, input_shape=None):
    self.built = True

  def regularization_loss(self):
    """Dense penalty added to the data loss (0 unless a model overrides it)."""
    return tf.constant(0.0)

  def build_for_inputs(self):
    """Creates every variable by scoring a dummy batch (needed before restoring a checkpoint)."""
    seq = tf.ones((1, max(1, self.input_len)), tf.int32)
    self.score(seq, tf.ones((1, 1), tf.int32), users=tf.ones((1,), tf.int32))
    return self


  @staticmethod
  def _users(users, batch):
    if users is None:
      raise ValueError("this model has a user embedding: pass users=[B] ids")
    return tf.reshape(tf.cast(users, tf.int32), [batch])


class OutputLayerModel(BaselineModel):
  """A model whose user/sequence vector x = ``represent(seq, users)`` [B, d] is scored against an
  output layer: ``x . W[j] + b[j]`` (Caser, HGN). Subclasses define ``represent`` and the
  ``output_weights`` [num_items + 1, d] and ``output_bias`` [num_items + 1, 1] tables."""

  def score(self, seq, candidates, users=None):
    """seq int [B, n], candidates int [B, C] -> float [B, C]."""
    x = self.represent(seq, users)
    return (tf.einsum("bd,bcd->bc", x, self.output_weights(candidates))
            + self.output_bias(candidates)[..., 0])

  def score_all(self, seq, users=None):
    """seq int [B, n] -> float [B, num_items + 1] (column 0 = padding, meaningless)."""
    x = self.represent(seq, users)
    return (tf.matmul(x, self.output_weights.full(), transpose_b=True)
            + self.output_bias.full()[:, 0][None, :])


def subset(settings: Mapping[str, Any], keys: Sequence[str]) -> dict:
  """The entries of ``settings`` named in ``keys`` (missing keys are skipped)."""
  return {k: settings[k] for k in keys if k in settings}


DATA_PROTOCOLS = ("leave_one_out", "attrec")


def load_split(dataset: str, data_dir: Optional[str], settings: Mapping[str, Any]):
  """The split a baseline trains on, chosen by ``settings["data_protocol"]``.

  "leave_one_out" (SASRec Table III / SSE-PT Table 1): the registered dataset split as SASRec's
  code does; "attrec" (AttRec Table 2): AttRec's preprocessing of the dataset (AttRec table names
  such as ``garden`` accepted) with the paper's held-out validation item
  (``data.attrec_data.load_attrec_split``).
  """
  protocol = settings.get("data_protocol", "leave_one_out")
  if protocol not in DATA_PROTOCOLS:
    raise ValueError(f"data_protocol must be one of {DATA_PROTOCOLS}, got {protocol!r}")
  if protocol == "attrec":
    from sasrec_tf.data.attrec_data import load_attrec_split  # pylint: disable=import-outside-toplevel
    return load_attrec_split(dataset, data_dir, holdout_validation=True)
  from sasrec_tf.training.experiment import load_split as standard  # pylint: disable=import-outside-toplevel
  return standard(dataset, data_dir)


def model_spec(name: str, model_keys: Tuple[str, ...], build: Callable[..., Any],
               make_sampler: Optional[Callable[..., Any]], score_keys=("users",)):
  """A registry ModelSpec (imported lazily so that this module imports nothing heavy at load).

  Every baseline accepts ``data_protocol`` (see ``load_split``).
  """
  from sasrec_tf.models.registry import ModelSpec  # pylint: disable=import-outside-toplevel
  return ModelSpec(name, model_keys=tuple(model_keys) + ("data_protocol",), build=build,
                   make_sampler=make_sampler, load_split=load_split,
                   score_keys=tuple(score_keys))


class TransitionModel(BaselineModel):
  """A model scoring the next item j from the user u and the previous item i (first order).

  Subclasses implement ``candidate_scores(users, prev, candidates)`` -> [B, C],
  ``all_scores(users, prev)`` -> [B, num_items + 1] and ``penalty(users, prev, items)`` (the
  per-example l2 of the rows an example touches). Training: one (u, i, j, k) per example from
  ``transition_sampler``; BPR loss ``-log sigmoid(x_uij - x_uik)`` averaged over the batch, plus
  the penalty (included in ``train_loss``; ``regularization_loss`` holds dense terms only).
  """

  # False for models without a user term (FMC): ``users`` may then be omitted.
  uses_users = True

  def __init__(self, num_users: int, num_items: int, hidden_units: int = 50,
               l2_emb: float = 0.0, **kwargs):
    super().__init__(**kwargs)
    self.hparams = dict(num_users=int(num_users), num_items=int(num_items),
                        hidden_units=int(hidden_units), l2_emb=float(l2_emb))
    self.l2 = float(l2_emb)

  def _maybe_users(self, users, prev):
    if not self.uses_users and users is None:
      return tf.zeros_like(prev)
    return self._users(users, tf.shape(prev)[0])

  def score(self, seq, candidates, users=None):
    """seq int [B, n] (last slot = previous item), candidates int [B, C] -> float [B, C]."""
    prev = last_item(seq)
    return self.candidate_scores(self._maybe_users(users, prev), prev,
                                 tf.cast(candidates, tf.int32))

  def score_all(self, seq, users=None):
    """seq int [B, n] -> float [B, num_items + 1] (column 0 = padding, meaningless)."""
    prev = last_item(seq)
    return self.all_scores(self._maybe_users(users, prev), prev)

  def train_loss(self, batch, training=True):
    """BPR loss of a WindowSampler batch (seq [B, 1], pos [B, 1], neg [B, 1]) + row penalty."""
    users = tf.cast(batch["user"], tf.int32)
    seq = tf.cast(batch["seq"], tf.int32)
    prev = seq[:, -1] if seq.shape[1] else tf.zeros_like(users)
    items = tf.concat([batch["pos"][:, :1], batch["neg"][:, :1]], axis=1)
    items = tf.cast(items, tf.int32)
    scores = self.candidate_scores(users, prev, items)
    return bpr_loss(scores[:, 0], scores[:, 1]) + self.penalty(users, prev, items)


TRANSITION_KEYS = ("hidden_units", "l2_emb")


def transition_specs(name: str, model_cls, make_sampler=None) -> dict:
  """``{name: ModelSpec}`` of a TransitionModel built with the split's sizes, d and l2."""
  def build(split, settings, seed):
    del seed
    return model_cls(num_users=split.num_users, num_items=split.num_items,
                     **subset(settings, TRANSITION_KEYS))
  return {name: model_spec(name, TRANSITION_KEYS + ("max_len",), build,
                           make_sampler or transition_sampler)}


def transition_sampler(split, settings, seed, input_len: int = 1, min_prefix: int = 1):
  """(user, previous item, next item, negative) examples: every training transition once per
  epoch in random order (``WindowSampler`` with L = ``input_len``, T = 1, K = 1)."""
  from sasrec_tf.models.baselines.samplers import WindowSampler  # pylint: disable=import-outside-toplevel
  return WindowSampler(split, input_len=input_len, target_len=1, num_negatives=1,
                       batch_size=settings["batch_size"], seed=seed, min_prefix=min_prefix)
