"""SASRec (Kang & McAuley 2018) as the original TF1 code computes it (SPEC §3)."""

from __future__ import annotations

from typing import Optional

import keras
import tensorflow as tf

from sasrec_tf.layers.block import SelfAttentionBlock, layer_norm
from sasrec_tf.layers.embeddings import SequenceEmbedding, ZeroPadEmbedding
from sasrec_tf.layers.prediction import EmbeddingScorer
from sasrec_tf.layers.sse import ItemSSE

from sasrec_tf.models.persistence import CONFIG_FILE, ConfigPersistence  # noqa: F401  (CONFIG_FILE re-exported)


@keras.saving.register_keras_serializable(package="sasrec_tf")
class SASRec(ConfigPersistence, keras.Model):
  """Causal self-attention over an item sequence with a shared item embedding.

  Calling the model on an int tensor ``seq`` [B, n] (0 = padding, left-padded, most recent item in
  slot n-1) returns the sequence representations F [B, n, d]; F[:, t] depends only on seq[:, :t+1].
  A window with n < max_len is the right end of a max_len window: its outputs equal those of the
  same items with more left padding (``padding_invariant``; evaluation uses it to skip padding).

  Args:
    num_items: largest item id (ids 1..num_items; 0 = padding).
    max_len: window length n.
    hidden_units: d.
    num_blocks: b (0 allowed: Table IV ablation 5).
    num_heads: h; each head has d/h dims and logits are scaled by sqrt(d/h).
    dropout_rate: p, used on the embedding, attention weights and both FFN dropouts.
    l2_emb: ``l2_emb * sum(w^2)/2`` on the item table and positional table (original default 0).
    use_positional_embedding: False = Table IV "Remove PE".
    share_item_embedding: False = Table IV "Unshared IE" (a second table scores the outputs).
    use_residual: False = Table IV "Remove RC".
    paper_literal: blocks as the paper text writes them (pre-LN with Q/K/V from LN(x), bias-free
      projections, dropout on sub-layer outputs), no sqrt(d) input scaling, no final layer norm.
    num_users, user_embedding: "Explicit User Modeling" of the paper, r = (U_u + F_t) . M_i; needs
      user ids at call time.
    sse_item, sse_target, sse_mode: item-side SSE-SE during training (SSE-SASRec, SPEC §4.4):
      replacement probabilities of input and target ids, "coupled" (released code: one knob,
      ``sse_item``) or "decoupled" (paper: p_i and p_y). 0 = plain SASRec.
    seed: base seed of the dropout layers.
  """

  # Cutting leading padding off a window leaves every real slot's output unchanged (padding is
  # masked as keys and zeroed after each block; positions are right-aligned): evaluation uses it.
  padding_invariant = True

  def __init__(self, num_items: int, max_len: int, hidden_units: int = 50, num_blocks: int = 2,
               num_heads: int = 1, dropout_rate: float = 0.2, l2_emb: float = 0.0,
               use_positional_embedding: bool = True, share_item_embedding: bool = True,
               use_residual: bool = True, paper_literal: bool = False, num_users: int = 0,
               user_embedding: bool = False, sse_item: float = 0.0, sse_target: float = 0.0,
               sse_mode: str = "coupled", seed: Optional[int] = None, **kwargs):
    super().__init__(**kwargs)
    self.hparams = dict(
        num_items=int(num_items), max_len=int(max_len), hidden_units=int(hidden_units),
        num_blocks=int(num_blocks), num_heads=int(num_heads), dropout_rate=float(dropout_rate),
        l2_emb=float(l2_emb), use_positional_embedding=bool(use_positional_embedding),
        share_item_embedding=bool(share_item_embedding), use_residual=bool(use_residual),
        paper_literal=bool(paper_literal), num_users=int(num_users),
        user_embedding=bool(user_embedding), sse_item=float(sse_item),
        sse_target=float(sse_target), sse_mode=sse_mode, seed=seed)
    if user_embedding and num_users <= 0:
      raise ValueError("user_embedding=True needs num_users > 0")
    d = int(hidden_units)
    self.num_items, self.max_len, self.hidden_units = int(num_items), int(max_len), d
    s = lambda k: None if seed is None else int(seed) * 1000 + k
    self.item_embedding = ZeroPadEmbedding(num_items, d, l2=l2_emb, name="item_embedding")
    self.embedding = SequenceEmbedding(
        self.item_embedding, max_len, dropout_rate, use_position=use_positional_embedding,
        scale=not paper_literal, l2=l2_emb, seed=s(0), name="sequence_embedding")
    self.blocks = [
        SelfAttentionBlock(d, num_heads, dropout_rate, use_residual=use_residual,
                           paper_literal=paper_literal, seed=s(10 * (i + 1)), name=f"block_{i}")
        for i in range(num_blocks)]
    # tf.train.Checkpoint does not follow Keras' tracked lists: without one named attribute per
    # block, checkpoints (resume, best model, from_checkpoint) would hold no block weights.
    for i, block in enumerate(self.blocks):
      setattr(self, f"block_{i}", block)
    self.final_norm = None if paper_literal else layer_norm("final_norm")
    output_table = self.item_embedding
    if not share_item_embedding:
      output_table = ZeroPadEmbedding(num_items, d, l2=l2_emb, name="output_item_embedding")
    self.output_item_embedding = output_table
    self.scorer = EmbeddingScorer(output_table, name="scorer")
    self.user_table = (ZeroPadEmbedding(num_users, d, l2=l2_emb, name="user_embedding")
                       if user_embedding else None)
    self.item_sse = self._make_item_sse(num_items, sse_item, sse_target, sse_mode, s(900))

  @staticmethod
  def _make_item_sse(num_items, sse_item, sse_target, sse_mode, seed):
    """The item-side SSE layer, or None when it would never replace anything."""
    sse = ItemSSE(num_items, sse_item, sse_target, sse_mode, seed=seed, name="item_sse")
    return sse if sse.active else None

  def sse_batch(self, batch, training):
    """(users, seq, pos) of a training batch after SSE-SE replacement (identity at inference)."""
    users, seq, pos = batch.get("user"), batch["seq"], batch["pos"]
    if training and self.item_sse is not None:
      seq, pos = self.item_sse(seq, pos, training=True)
    return users, seq, pos

  def build(self, input_shape=None):
    # Sub-layers create their variables on first call; see build_for_inputs().
    self.built = True

  def _embed(self, seq, users, training):
    """Input layer: seq int32 [B, n] -> (x float [B, n, D] with padding rows 0, mask [B, n, 1])."""
    del users  # SASRec's explicit user embedding is added at the output (see call)
    return self.embedding(seq, training=training)

  def call(self, seq, users=None, training=False):
    """seq: int [B, n] -> float [B, n, d] sequence representations (plus U_u if user_embedding)."""
    seq = tf.cast(seq, tf.int32)
    x, mask = self._embed(seq, users, training)
    for block in self.blocks:
      x = block(x, mask, training=training)
    if self.final_norm is not None:
      x = self.final_norm(x)
    if self.user_table is not None:
      if users is None:
        raise ValueError("this SASRec has a user embedding: pass users=[B] ids")
      x = x + self.user_table(users)[:, None, :]
    return x

  def last_representation(self, seq, users=None):
    """seq: int [B, n] -> float [B, d]: inference output at the last slot only.

    Equal to ``self(seq)[:, -1]``, but the last block computes its query, feed-forward and the
    final norm for the last slot alone (earlier blocks still need every slot as keys/values).
    """
    seq = tf.cast(seq, tf.int32)
    if not self.item_embedding.built:
      # Create the variables through the full forward pass so that they get their usual names.
      self(seq, users=users, training=False)
    x, mask = self._embed(seq, users, False)
    blocks = list(self.blocks)
    if not blocks:
      x = x[:, -1:]
    for i, block in enumerate(blocks):
      x = block(x, mask, training=False, last_only=i == len(blocks) - 1)
    if self.final_norm is not None:
      x = self.final_norm(x)
    x = x[:, 0]
    if self.user_table is not None:
      if users is None:
        raise ValueError("this SASRec has a user embedding: pass users=[B] ids")
      x = x + self.user_table(users)
    return x

  def position_logits(self, seq, items, users=None, training=False):
    """Training logits: seq, items int [B, n] -> float [B, n], r_t = F_t . M[items_t]."""
    return self.scorer.pointwise(self(seq, users=users, training=training), items)

  def training_logits(self, batch, training=True):
    """(positive, negative) logits [B, n] for a sampler batch dict with seq/pos/neg[/user].

    With SSE-SE on, inputs and targets are randomly replaced first (training only).
    """
    users, seq, pos = self.sse_batch(batch, training)
    feats = self(seq, users=users, training=training)
    return self.scorer.pointwise(feats, pos), self.scorer.pointwise(feats, batch["neg"])

  def score(self, seq, candidates, users=None):
    """seq int [B, n], candidates int [B, C] -> float [B, C] scores at the last position."""
    return self.scorer(self.last_representation(seq, users), candidates)

  def score_all(self, seq, users=None):
    """seq int [B, n] -> float [B, num_items + 1] scores of every item (column 0 = padding)."""
    return self.scorer.all_items(self.last_representation(seq, users))

  def regularization_loss(self):
    """l2_emb * sum(w^2)/2 over the item table(s), positional table and user table."""
    terms = [self.item_embedding.l2_loss(), self.embedding.l2_loss()]
    if self.output_item_embedding is not self.item_embedding:
      terms.append(self.output_item_embedding.l2_loss())
    if self.user_table is not None:
      terms.append(self.user_table.l2_loss())
    return tf.add_n([tf.convert_to_tensor(t, tf.float32) for t in terms])

  def build_for_inputs(self):
    """Creates every variable by running a dummy batch (needed before restoring a checkpoint)."""
    seq = tf.zeros((1, self.max_len), tf.int32)
    users = tf.ones((1,), tf.int32) if self.user_table is not None else None
    self.score(seq, tf.ones((1, 1), tf.int32), users=users)
    return self



SASREC_KEYS = ("max_len", "hidden_units", "num_blocks", "num_heads", "dropout_rate", "l2_emb",
               "use_positional_embedding", "share_item_embedding", "use_residual",
               "paper_literal", "user_embedding", "sse_item", "sse_target", "sse_mode")


def build_sasrec(split, settings, seed):
  """SASRec for ``split`` with the model settings in ``settings`` (run_experiment's builder)."""
  kwargs = {k: settings[k] for k in SASREC_KEYS if k in settings}
  return SASRec(num_items=split.num_items, num_users=split.num_users, seed=int(seed), **kwargs)


def _specs():
  from sasrec_tf.models.registry import ModelSpec  # pylint: disable=import-outside-toplevel
  return {"sasrec": ModelSpec("sasrec", model_keys=SASREC_KEYS, build=build_sasrec,
                              score_keys=("users",))}


MODEL_SPECS = _specs()
