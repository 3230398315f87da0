"""SSE-PT (Wu et al.): SASRec blocks over [item; user] inputs, with SSE-SE regularisation (SPEC §4).

Named variants (SPEC §4.6), all this class or SASRec with settings:
  * ``ssept``: user embedding + SSE-SE on users and items (§4.1-4.4);
  * ``ssept_pp``: SSE-PT trained on random windows of long histories (§4.5; the sampler's
    ``long_seq_prob``);
  * ``pt``: the SSE-PT architecture with every SSE probability 0;
  * ``sse_sasrec``: SASRec with item-side SSE only (no user embedding; ``models.sasrec``);
  * parameter sharing (PS) rows: ``user_groups`` maps every user to a shared group embedding.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

import keras
import numpy as np
import tensorflow as tf

from sasrec_tf.layers.block import SelfAttentionBlock, layer_norm
from sasrec_tf.layers.dropout import BitDropout
from sasrec_tf.layers.embeddings import PositionEmbedding, ZeroPadEmbedding
from sasrec_tf.layers.prediction import EmbeddingScorer
from sasrec_tf.layers.sse import StochasticIdReplacement
from sasrec_tf.models.sasrec import SASRec


@keras.saving.register_keras_serializable(package="sasrec_tf")
class SSEPT(SASRec):
  """Personalized Transformer: E_t = [sqrt(d_i) V[s_t]; sqrt(d_u) U[u]] + P_t, SASRec blocks of
  width D = d_i + d_u, and r_{t,l} = F_t . [V_l; sqrt(d_u) U[u]] (released code, SPEC §4.1-4.2).

  Calling the model on ``seq`` [B, n] with ``users`` [B] returns F [B, n, D]; F[:, t] depends
  only on seq[:, :t+1] and the user.

  Args:
    num_items, num_users: ids 1..num_items and 1..num_users (0 = padding).
    max_len: window length T.
    item_units, user_units: d_i and d_u.
    num_blocks, num_heads, dropout_rate, use_residual, paper_literal: as SASRec (width D).
    l2_emb: ``l2_emb * sum(w^2)/2`` on the item, user and positional tables.
    sse_user: probability p_u that a training sequence's user id is replaced by a uniform user
      (input and output user vectors together). Released code: p_u = 1 - threshold_user.
    sse_item, sse_target, sse_mode: item-side SSE (see ``layers.sse.ItemSSE``).
    user_groups: optional int list [num_users + 1] mapping each user id to a group id 1..G that
      shares one user vector (PS rows of SSE-PT Table 3; all ones = one shared vector). Applied
      after the SSE user replacement.
    seed: base seed of dropout and SSE draws.
  """

  def __init__(self, num_items: int, num_users: int, max_len: int, item_units: int = 50,
               user_units: int = 50, num_blocks: int = 2, num_heads: int = 1,
               dropout_rate: float = 0.2, l2_emb: float = 0.0, sse_user: float = 0.0,
               sse_item: float = 0.0, sse_target: float = 0.0, sse_mode: str = "coupled",
               user_groups: Optional[Sequence[int]] = None, use_residual: bool = True,
               paper_literal: bool = False, seed: Optional[int] = None, **kwargs):
    keras.Model.__init__(self, **kwargs)  # SASRec.__init__ builds SASRec's own input layer
    if num_users <= 0:
      raise ValueError("SSE-PT needs num_users > 0")
    groups = None if user_groups is None else [int(g) for g in user_groups]
    if groups is not None and (len(groups) != num_users + 1 or min(groups[1:]) < 1):
      raise ValueError(f"user_groups must map each user 0..{num_users} to a group id >= 1 "
                       f"(got {len(groups)} entries)")
    self.hparams = dict(
        num_items=int(num_items), num_users=int(num_users), max_len=int(max_len),
        item_units=int(item_units), user_units=int(user_units), num_blocks=int(num_blocks),
        num_heads=int(num_heads), dropout_rate=float(dropout_rate), l2_emb=float(l2_emb),
        sse_user=float(sse_user), sse_item=float(sse_item), sse_target=float(sse_target),
        sse_mode=sse_mode, user_groups=groups, use_residual=bool(use_residual),
        paper_literal=bool(paper_literal), seed=seed)
    di, du = int(item_units), int(user_units)
    d = di + du
    self.num_items, self.num_users, self.max_len = int(num_items), int(num_users), int(max_len)
    self.item_units, self.user_units, self.hidden_units = di, du, d
    self.scale_inputs = not paper_literal
    s = lambda k: None if seed is None else int(seed) * 1000 + k
    self.item_embedding = ZeroPadEmbedding(num_items, di, l2=l2_emb, name="item_embedding")
    self.output_item_embedding = self.item_embedding
    self.scorer = EmbeddingScorer(self.item_embedding, name="scorer")
    num_user_rows = num_users if groups is None else max(groups)
    self.user_vectors = ZeroPadEmbedding(num_user_rows, du, l2=l2_emb, name="user_embedding")
    self.user_group_ids = (None if groups is None
                           else tf.constant(np.asarray(groups, np.int32), name="user_groups"))
    self.position = PositionEmbedding(max_len, d, l2=l2_emb, name="position")
    self.input_dropout = BitDropout(dropout_rate, seed=s(0))
    self.blocks = [
        SelfAttentionBlock(d, num_heads, dropout_rate, use_residual=use_residual,
                           paper_literal=paper_literal, seed=s(10 * (i + 1)), name=f"block_{i}")
        for i in range(num_blocks)]
    for i, block in enumerate(self.blocks):  # named attributes: see SASRec
      setattr(self, f"block_{i}", block)
    self.final_norm = None if paper_literal else layer_norm("final_norm")
    self.user_table = None  # SASRec's output-side user term is not used by SSE-PT
    self.user_sse = StochasticIdReplacement(num_users, sse_user, seed=s(901), name="user_sse")
    self.item_sse = self._make_item_sse(num_items, sse_item, sse_target, sse_mode, s(900))

  # ------------------------------------------------------------------ pieces
  def user_vector(self, users):
    """users int [B] -> float [B, d_u]: sqrt(d_u) U[g(u)], the vector used at input and output."""
    users = tf.cast(users, tf.int32)
    if self.user_group_ids is not None:
      users = tf.gather(self.user_group_ids, users)
    vectors = self.user_vectors(users)
    return vectors * math.sqrt(self.user_units) if self.scale_inputs else vectors

  def _embed(self, seq, users, training):
    if users is None:
      raise ValueError("SSE-PT needs user ids: pass users=[B]")
    mask = tf.cast(tf.not_equal(seq, 0), tf.float32)[..., None]
    items = self.item_embedding(seq)
    if self.scale_inputs:
      items = items * math.sqrt(self.item_units)
    user = self.user_vector(users)
    user = tf.broadcast_to(tf.expand_dims(user, 1),
                           [tf.shape(seq)[0], tf.shape(seq)[1], self.user_units])
    x = tf.concat([items, tf.cast(user, items.dtype)], axis=-1)
    x = x + self.position(tf.shape(seq)[1])[None]
    x = self.input_dropout(x, training=training)
    return x * tf.cast(mask, x.dtype), mask

  def _split(self, feats):
    # tf.split's gradient is a concat; slicing's would be two StridedSliceGrad passes.
    return tf.split(feats, [self.item_units, self.user_units], axis=-1)

  def sse_batch(self, batch, training):
    users, seq, pos = super().sse_batch(batch, training)
    if training:
      users = self.user_sse(users, training=True)
    return users, seq, pos

  # ------------------------------------------------------------------ scores
  def _pointwise(self, feats, items, user):
    f_item, f_user = self._split(feats)
    user_term = tf.reduce_sum(f_user * tf.cast(tf.expand_dims(user, 1), f_user.dtype), axis=-1)
    return self.scorer.pointwise(f_item, items) + user_term

  def position_logits(self, seq, items, users=None, training=False):
    """seq, items int [B, n], users int [B] -> float [B, n]."""
    feats = self(seq, users=users, training=training)
    return self._pointwise(feats, items, self.user_vector(users))

  def training_logits(self, batch, training=True):
    """(positive, negative) logits [B, n]; SSE-SE replaces users, inputs and targets first."""
    users, seq, pos = self.sse_batch(batch, training)
    feats = self(seq, users=users, training=training)
    user = self.user_vector(users)
    return self._pointwise(feats, pos, user), self._pointwise(feats, batch["neg"], user)

  def score(self, seq, candidates, users=None):
    """seq int [B, n], candidates int [B, C], users int [B] -> float [B, C]."""
    f_item, f_user = self._split(self.last_representation(seq, users))
    user_term = tf.reduce_sum(f_user * tf.cast(self.user_vector(users), f_user.dtype), axis=-1)
    return self.scorer(f_item, candidates) + user_term[:, None]

  def score_all(self, seq, users=None):
    """seq int [B, n], users int [B] -> float [B, num_items + 1] (column 0 = padding)."""
    f_item, f_user = self._split(self.last_representation(seq, users))
    user_term = tf.reduce_sum(f_user * tf.cast(self.user_vector(users), f_user.dtype), axis=-1)
    return self.scorer.all_items(f_item) + user_term[:, None]

  def regularization_loss(self):
    """l2_emb * sum(w^2)/2 over the item, user and positional tables."""
    terms = [self.item_embedding.l2_loss(), self.user_vectors.l2_loss(), self.position.l2_loss()]
    return tf.add_n([tf.convert_to_tensor(t, tf.float32) for t in terms])

  def build_for_inputs(self):
    seq = tf.zeros((1, self.max_len), tf.int32)
    self.score(seq, tf.ones((1, 1), tf.int32), users=tf.ones((1,), tf.int32))
    return self


SSEPT_KEYS = ("max_len", "item_units", "user_units", "num_blocks", "num_heads", "dropout_rate",
              "l2_emb", "sse_user", "sse_item", "sse_target", "sse_mode", "use_residual",
              "paper_literal", "user_sharing")


def build_ssept(split, settings, seed, data_dir=None):
  """SSEPT for ``split`` from run settings; ``user_sharing`` (PS rows) is resolved to groups."""
  kwargs = {k: settings[k] for k in SSEPT_KEYS if k in settings and k != "user_sharing"}
  groups = None
  sharing = settings.get("user_sharing") or "none"
  if sharing != "none":
    from sasrec_tf.data.user_groups import user_groups  # pylint: disable=import-outside-toplevel
    groups = user_groups(split, sharing, data_dir=data_dir)
  return SSEPT(num_items=split.num_items, num_users=split.num_users, seed=int(seed),
               user_groups=groups, **kwargs)


def make_ssept_sampler(split, settings, seed):
  """The SASRec sampler with SSE-PT++'s long-sequence windows (p_s = ``long_seq_prob``)."""
  from sasrec_tf.data.sampler import TrainingSampler  # pylint: disable=import-outside-toplevel
  return TrainingSampler(split, settings["max_len"], settings["batch_size"], seed=int(seed),
                         long_seq_prob=float(settings.get("long_seq_prob", 0.0)))


def _specs():
  from sasrec_tf.models.registry import ModelSpec  # pylint: disable=import-outside-toplevel
  from sasrec_tf.models.sasrec import SASREC_KEYS, build_sasrec  # pylint: disable=import-outside-toplevel
  keys = SSEPT_KEYS + ("long_seq_prob",)
  spec = lambda name: ModelSpec(name, model_keys=keys, build=build_ssept,
                                make_sampler=make_ssept_sampler, score_keys=("users",),
                                build_needs_data_dir=True)
  sse_sasrec = ModelSpec(
      "sse_sasrec", model_keys=SASREC_KEYS + ("long_seq_prob",), build=build_sasrec,
      make_sampler=make_ssept_sampler, score_keys=("users",))
  return {"ssept": spec("ssept"), "ssept_pp": spec("ssept_pp"), "pt": spec("pt"),
          "sse_sasrec": sse_sasrec}


MODEL_SPECS = _specs()
