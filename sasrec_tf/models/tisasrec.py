"""TiSASRec (Li, Wang & McAuley, WSDM 2020) as its original TF1 code computes it, and SAS-FPT's
TiSASRec+ / TiSASRec++ ablations (SPEC §5.1, §5.2).

TiSASRec (code form, SPEC §5.1):
  * input ``X0 = m * Dropout(sqrt(d) * M[s])``: no positional vector is added to the input;
  * blocks of ``TimeIntervalAttentionBlock`` sharing one ``TimeAwareEncodings`` (position key /
    value tables [n, d], interval key / value tables [k + 1, d], dropout on the looked-up
    tensors once per forward pass);
  * final LayerNorm, prediction ``F_t . M_i`` with the unscaled item table, SASRec's masked BCE;
  * l2 ``l2_emb * sum(w^2) / 2`` on the item table and the four time tables (code: 5e-5).

TiSASRec+ (SAS-FPT §5, interpretation of SPEC §5.2): a larger interval vocabulary, i.e. a larger
clipping span k. TiSASRec++: TiSASRec+ plus SAS-FPT's absolute week-of-year embedding
(``week_embedding=True``): every input row becomes ``[sqrt(d) M[s_t] ; W[week_t]]`` and every
candidate vector ``[M_l ; W[target week]]`` (SPEC §5.3 recommendation; ``target_week="zeros"``
uses a zero week part instead). ``user_units > 0`` also concatenates ``sqrt(d_u) U[u]`` to every
input row and candidate vector (SSE-PT convention), which SAS-FPT (``models/sasfpt.py``) uses.
The model width is ``D = hidden_units (+ week_units) (+ user_units)``.

Inputs besides the item window come from ``sasrec_tf.data.time_sampler`` (training) and
``TimeFeatures.eval_inputs`` (evaluation): ``time_matrix`` int [B, n, n], ``weeks`` int [B, n],
``pos_weeks`` int [B, n] (training targets) / ``target_weeks`` int [B] (evaluation).
"""

from __future__ import annotations

import math
from typing import Optional

import keras
import tensorflow as tf

from sasrec_tf.data.time_features import NUM_WEEKS
from sasrec_tf.layers.block import layer_norm
from sasrec_tf.layers.dropout import BitDropout
from sasrec_tf.layers.embeddings import ZeroPadEmbedding
from sasrec_tf.layers.time_attention import (FACTORED_MAX_RATIO, INTERVAL_FORMS,
                                             TimeAwareEncodings, TimeIntervalAttentionBlock)
from sasrec_tf.models.persistence import ConfigPersistence

TARGET_WEEK_MODES = ("target", "zeros")


@keras.saving.register_keras_serializable(package="sasrec_tf")
class TiSASRec(ConfigPersistence, keras.Model):
  """Time-interval aware self-attentive recommender (TiSASRec code form, plus the ++ options).

  Calling the model on ``seq`` int [B, n] (0 = padding, left-padded, most recent item in slot
  n-1) and ``time_matrix`` int [B, n, n] returns F [B, n, D]; F[:, t] depends only on items,
  times and weeks at slots <= t (and on the user).

  Args:
    num_items: largest item id.
    max_len: window length n.
    hidden_units: item embedding width d (= model width D without week / user parts).
    num_blocks, num_heads: b, h (each head takes D/h features; logits scaled by sqrt(D/h)).
    dropout_rate: p: input, time tables, attention weights, FFN.
    l2_emb: ``l2_emb * sum(w^2)/2`` on the item table, the four time tables and (if any) the
      week and user tables (code: 5e-5).
    time_span: interval clipping span k (code: 256).
    week_embedding: concatenate a 52-bucket week-of-year embedding (TiSASRec++ / SAS-FPT).
    week_units: its width (SPEC §5.3 recommendation: 25); input part unscaled.
    target_week: "target" (candidate week part = week of the target interaction) or "zeros".
    num_users: largest user id (needed when ``user_units > 0``).
    user_units: width d_u of a concatenated user embedding, scaled by sqrt(d_u) at the input
      and the output (0 = none).
    seed: base seed of the dropout layers.
    interval_form: how the interval terms are computed, never what (``time_attention``):
      "auto" (default) = the factored form wherever it is exact (no dropout on the interval
      vectors: evaluation, or dropout_rate = 0) and cheaper for (n, k); "factored" = wherever
      exact; "gathered" = always the original [B, n, n, D] lookup.
  """

  def __init__(self, num_items: int, max_len: int, hidden_units: int = 50, num_blocks: int = 2,
               num_heads: int = 1, dropout_rate: float = 0.2, l2_emb: float = 5e-5,
               time_span: int = 256, week_embedding: bool = False, week_units: int = 25,
               target_week: str = "target", num_users: int = 0, user_units: int = 0,
               seed: Optional[int] = None, interval_form: str = "auto", **kwargs):
    super().__init__(**kwargs)
    if target_week not in TARGET_WEEK_MODES:
      raise ValueError(f"target_week must be one of {TARGET_WEEK_MODES}, got {target_week!r}")
    if interval_form not in INTERVAL_FORMS:
      raise ValueError(f"interval_form must be one of {INTERVAL_FORMS}, got {interval_form!r}")
    if user_units and num_users <= 0:
      raise ValueError("user_units > 0 needs num_users > 0")
    self.hparams = dict(
        num_items=int(num_items), max_len=int(max_len), hidden_units=int(hidden_units),
        num_blocks=int(num_blocks), num_heads=int(num_heads), dropout_rate=float(dropout_rate),
        l2_emb=float(l2_emb), time_span=int(time_span), week_embedding=bool(week_embedding),
        week_units=int(week_units), target_week=target_week, num_users=int(num_users),
        user_units=int(user_units), seed=seed, interval_form=interval_form)
    self.num_items, self.max_len = int(num_items), int(max_len)
    self.item_units = int(hidden_units)
    self.week_units = int(week_units) if week_embedding else 0
    self.user_units = int(user_units)
    self.model_units = self.item_units + self.week_units + self.user_units
    self.target_week = target_week
    self.interval_form = interval_form
    s = lambda k: None if seed is None else int(seed) * 1000 + k
    self.item_embedding = ZeroPadEmbedding(num_items, self.item_units, l2=l2_emb,
                                           name="item_embedding")
    self.week_table = (ZeroPadEmbedding(NUM_WEEKS, self.week_units, l2=l2_emb,
                                        name="week_embedding") if self.week_units else None)
    self.user_table = (ZeroPadEmbedding(num_users, self.user_units, l2=l2_emb,
                                        name="user_embedding") if self.user_units else None)
    self.input_dropout = BitDropout(dropout_rate, seed=s(0))
    self.encodings = TimeAwareEncodings(max_len, self.model_units, time_span, dropout_rate,
                                        l2=l2_emb, seed=s(1), name="time_encodings")
    self.blocks = [TimeIntervalAttentionBlock(self.model_units, num_heads, dropout_rate,
                                              seed=s(10 * (i + 1)), name=f"block_{i}")
                   for i in range(num_blocks)]
    # One named attribute per block: tf.train.Checkpoint does not follow Keras' tracked lists.
    for i, block in enumerate(self.blocks):
      setattr(self, f"block_{i}", block)
    self.final_norm = layer_norm("final_norm")

  def build(self, input_shape=None):
    self.built = True  # sub-layers build on first call; see build_for_inputs()

  # ------------------------------------------------------------------ forward
  def _check_inputs(self, weeks, users):
    if self.week_table is not None and weeks is None:
      raise ValueError("this model has a week embedding: pass weeks=[B, n]")
    if self.user_table is not None and users is None:
      raise ValueError("this model has a user embedding: pass users=[B]")

  def _user_vectors(self, users):
    """float [B, d_u]: sqrt(d_u) * U[u] (the same vector at the input and the output)."""
    return self.user_table(tf.cast(users, tf.int32)) * math.sqrt(self.user_units)

  def _embed(self, seq, weeks, users, training):
    """seq int [B, n] -> (x float [B, n, D] with padding rows 0, mask float [B, n, 1])."""
    mask = tf.cast(tf.not_equal(seq, 0), tf.float32)[..., None]
    parts = [self.item_embedding(seq) * math.sqrt(self.item_units)]
    if self.week_table is not None:
      parts.append(self.week_table(tf.cast(weeks, tf.int32)))
    if self.user_table is not None:
      u = self._user_vectors(users)
      parts.append(tf.tile(u[:, None, :], tf.stack([1, tf.shape(seq)[1], 1])))
    x = tf.concat(parts, axis=-1) if len(parts) > 1 else parts[0]
    x = self.input_dropout(x, training=training)
    return x * tf.cast(mask, x.dtype), mask

  def uses_factored_form(self, training) -> bool:
    """Whether a forward pass with this ``training`` flag computes the interval terms in the
    factored form (see ``interval_form``)."""
    if self.interval_form == "gathered" or self.encodings.interval_dropout_active(training):
      return False
    return (self.interval_form == "factored"
            or self.encodings.time_span + 1 <= FACTORED_MAX_RATIO * self.max_len)

  def _encode(self, seq, time_matrix, weeks, users, training, last_only):
    self._check_inputs(weeks, users)
    seq = tf.cast(seq, tf.int32)
    x, mask = self._embed(seq, weeks, users, training)
    factored = self.uses_factored_form(training)
    encodings = self.encodings(tf.cast(time_matrix, tf.int32), training=training,
                               factored=factored)
    if not factored:
      encodings = (*encodings, None)  # no relations: the blocks read TK[R], TV[R]
    if not self.blocks and last_only:
      x = x[:, -1:]
    for i, block in enumerate(self.blocks):
      x = block(x, mask, *encodings, training=training,
                last_only=last_only and i == len(self.blocks) - 1)
    return self.final_norm(x)

  def call(self, seq, time_matrix, weeks=None, users=None, training=False):
    """seq int [B, n], time_matrix int [B, n, n] (+ weeks int [B, n], users int [B] when the
    model has those parts) -> float [B, n, D] sequence representations."""
    return self._encode(seq, time_matrix, weeks, users, training, last_only=False)

  def last_representation(self, seq, time_matrix, weeks=None, users=None):
    """float [B, D]: inference output at the last slot (= ``self(...)[:, -1]``, cheaper)."""
    if not self.item_embedding.built:
      self(seq, time_matrix, weeks=weeks, users=users, training=False)
    return self._encode(seq, time_matrix, weeks, users, False, last_only=True)[:, 0]

  # ------------------------------------------------------------------ prediction
  def _split_features(self, features):
    d_i, d_w = self.item_units, self.week_units
    return (features[..., :d_i], features[..., d_i:d_i + d_w], features[..., d_i + d_w:])

  def _context_logit(self, features, target_weeks, users):
    """features [..., D] -> [...]: F . [0 ; W[target week] ; sqrt(d_u) U_u], the candidate-
    independent part of every logit (0 when the model has no week / user part)."""
    _, f_week, f_user = self._split_features(features)
    total = tf.zeros(tf.shape(features)[:-1], features.dtype)
    if self.week_table is not None and self.target_week == "target":
      if target_weeks is None:
        raise ValueError("this model scores with the target's week: pass target_weeks")
      total += tf.reduce_sum(f_week * self.week_table(tf.cast(target_weeks, tf.int32)), -1)
    if self.user_table is not None:
      u = self._user_vectors(users)
      if features.shape.rank == 3:
        u = u[:, None, :]
      total += tf.reduce_sum(f_user * tf.cast(u, f_user.dtype), -1)
    return total

  def training_logits(self, batch, training=True):
    """(positive, negative) logits [B, n] of a ``TimeAwareSampler`` batch."""
    users = batch.get("user")
    feats = self(batch["seq"], batch["time_matrix"], weeks=batch.get("weeks"), users=users,
                 training=training)
    f_item = self._split_features(feats)[0]
    context = self._context_logit(feats, batch.get("pos_weeks"), users)
    pos = tf.reduce_sum(f_item * self.item_embedding(batch["pos"]), -1) + context
    neg = tf.reduce_sum(f_item * self.item_embedding(batch["neg"]), -1) + context
    return pos, neg

  def score(self, seq, candidates, users=None, time_matrix=None, weeks=None,
            target_weeks=None):
    """seq int [B, n], candidates int [B, C], time_matrix int [B, n, n] -> float [B, C]."""
    if time_matrix is None:
      raise ValueError("TiSASRec scores need time_matrix=[B, n, n]")
    feats = self.last_representation(seq, time_matrix, weeks, users)
    f_item = self._split_features(feats)[0]
    items = self.item_embedding(candidates)
    logits = tf.einsum("bd,bcd->bc", f_item, items)
    return logits + self._context_logit(feats, target_weeks, users)[:, None]

  def score_all(self, seq, users=None, time_matrix=None, weeks=None, target_weeks=None):
    """float [B, num_items + 1] scores of every item (column 0 = padding; the context term is
    the same for every column)."""
    if time_matrix is None:
      raise ValueError("TiSASRec scores need time_matrix=[B, n, n]")
    feats = self.last_representation(seq, time_matrix, weeks, users)
    f_item = self._split_features(feats)[0]
    table = tf.cast(self.item_embedding.full_table(), f_item.dtype)
    logits = tf.matmul(f_item, table, transpose_b=True)
    return logits + self._context_logit(feats, target_weeks, users)[:, None]

  # ------------------------------------------------------------------ losses, plumbing
  def regularization_loss(self):
    """l2_emb * sum(w^2)/2 over the item table, the four time tables and week / user tables."""
    terms = [self.item_embedding.l2_loss(), self.encodings.l2_loss()]
    for table in (self.week_table, self.user_table):
      if table is not None:
        terms.append(table.l2_loss())
    return tf.add_n([tf.convert_to_tensor(t, tf.float32) for t in terms])

  def dummy_inputs(self, batch: int = 1):
    """Inputs of the right shapes (all padding) for building the model."""
    n = self.max_len
    return dict(seq=tf.zeros((batch, n), tf.int32),
                time_matrix=tf.zeros((batch, n, n), tf.int32),
                weeks=tf.zeros((batch, n), tf.int32) if self.week_table is not None else None,
                users=tf.ones((batch,), tf.int32) if self.user_table is not None else None)

  def build_for_inputs(self):
    """Creates every variable by running a dummy batch (needed before restoring a checkpoint)."""
    inputs = self.dummy_inputs()
    self.score(inputs["seq"], tf.ones((1, 1), tf.int32), users=inputs["users"],
               time_matrix=inputs["time_matrix"], weeks=inputs["weeks"],
               target_weeks=tf.ones((1,), tf.int32))
    return self



# ------------------------------------------------------------------------- experiment plumbing

# Model hyper-parameters passed to the constructor (settings keys = constructor arguments).
TISASREC_KEYS = ("max_len", "hidden_units", "num_blocks", "num_heads", "dropout_rate", "l2_emb",
                 "time_span", "week_embedding", "week_units", "target_week", "user_units")
# Data-side settings of every time-aware model (SPEC §1.5, §5.1).
TIME_DATA_KEYS = ("data_source", "personalized_intervals", "interval_unit", "interval_rounding")


def model_kwargs(settings, keys=TISASREC_KEYS):
  return {k: settings[k] for k in keys if settings.get(k) is not None}


def build_tisasrec(split, settings, seed):
  """TiSASRec (or + / ++) for ``split`` with the model settings in ``settings``."""
  return TiSASRec(num_items=split.num_items, num_users=split.num_users, seed=int(seed),
                  **model_kwargs(settings))


def load_time_split(dataset, data_dir, settings, group_by=None):
  """ModelSpec.load_split of the time-aware models: see ``time_features.load_time_split``."""
  from sasrec_tf.data.time_features import load_time_split as load  # pylint: disable=import-outside-toplevel
  return load(dataset, data_dir, data_source=settings.get("data_source"), group_by=group_by)


def make_time_features(split, settings):
  from sasrec_tf.data.time_features import TimeFeatures, SECONDS_PER_DAY  # pylint: disable=import-outside-toplevel
  return TimeFeatures(
      split, time_span=settings.get("time_span", 256),
      personalized=settings.get("personalized_intervals", True),
      interval_unit=settings.get("interval_unit") or SECONDS_PER_DAY,
      rounding=settings.get("interval_rounding") or "code")


def make_time_sampler(split, settings, seed, groups=None, group_pairs=0):
  """The ``TimeAwareSampler`` of a time-aware model (ModelSpec.make_sampler)."""
  from sasrec_tf.data.time_sampler import TimeAwareSampler  # pylint: disable=import-outside-toplevel
  return TimeAwareSampler(split, settings["max_len"], settings["batch_size"], seed=int(seed),
                          features=make_time_features(split, settings), groups=groups,
                          group_pairs=group_pairs)


def make_time_evaluator(split, settings, seed):
  """The standard evaluator with the time inputs of every batch (ModelSpec.make_evaluator):
  ``include_times`` plus ``TimeFeatures.eval_inputs`` (time_matrix, weeks, target_weeks)."""
  from sasrec_tf.evaluation.evaluator import Evaluator  # pylint: disable=import-outside-toplevel
  features = make_time_features(split, settings)
  return Evaluator(
      split, settings["max_len"], protocol=settings["eval_protocol"],
      num_negatives=settings["num_negatives"], exclusion=settings["eval_exclusion"],
      max_users=settings["eval_max_users"], batch_size=settings["eval_batch_size"],
      seed=settings.get("eval_seed", seed), tie_break=settings["tie_break"],
      include_times=True, extra_inputs_fn=features.eval_inputs)


TIME_SCORE_KEYS = ("users", "time_matrix", "weeks", "target_weeks")


def _specs():
  from sasrec_tf.models.registry import ModelSpec  # pylint: disable=import-outside-toplevel
  common = dict(model_keys=TISASREC_KEYS + TIME_DATA_KEYS, build=build_tisasrec,
                make_sampler=make_time_sampler, make_evaluator=make_time_evaluator,
                load_split=load_time_split, score_keys=TIME_SCORE_KEYS,
                requires_timestamps=True)
  return {name: ModelSpec(name, **common)
          for name in ("tisasrec", "tisasrec_plus", "tisasrec_pp")}


MODEL_SPECS = _specs()
