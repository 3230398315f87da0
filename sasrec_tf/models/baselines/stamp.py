"""STAMP (Liu et al., KDD 2018): short-term attention/memory priority model.

SSE-PT Table 1 (G) (whose printed numbers are a copy of TransRec's, a paper error); the SSE-PT
authors ran STAMP's own code. For the prefix x_1..x_t of a sequence (embeddings X, one table for
inputs and candidates), the authors' code (uestcnlp/STAMP, ``model/STAMP_rsc.py``; ``form="code"``,
the default) computes
  x_i = lookup with max_norm 1 (rows longer than 1 are scaled to norm 1; candidates are not),
  m_s = mean_i x_i (general interest), m_t = x_t (last click),
  alpha_i = w_0 . sigmoid(W_1 x_i + W_2 x_t + W_3 m_s)  (no bias, no normalisation),
  m_a = sum_i alpha_i x_i,  h_s = tanh(W_s (m_a + m_s)),  h_t = tanh(W_t m_t)  (no biases),
  score_j = <h_s, h_t, x_j> (trilinear composition), softmax over all items, cross-entropy.
``form="paper"`` follows the paper's equations instead: no max_norm, a bias in the attention,
h_s = tanh(W_s m_a + b_s) and h_t = tanh(W_t m_t + b_t).
Training instances: every prefix of every training sequence (the paper's data augmentation),
truncated to the last ``max_len`` items, one epoch = all prefixes in random order. Embeddings
start from N(0, 0.002^2) and other weights from N(0, 0.05^2) (the code's emb_stddev / stddev;
biases zero). No l2 term (``l2_emb`` optional, on the item table).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common


FORMS = ("code", "paper")


def _max_norm(x, limit: float = 1.0):
  """Rows of x [..., d] longer than ``limit`` scaled to norm ``limit``: what TF1's
  ``embedding_lookup(max_norm=...)`` applies, via the same ``clip_by_norm``, whose gradient is
  finite (zero) at an all-zero padding row, where a plain ``tf.norm`` gives nan."""
  return tf.clip_by_norm(x, limit, axes=[-1])


@keras.saving.register_keras_serializable(package="sasrec_tf")
class STAMP(common.BaselineModel):
  """Args: num_items; max_len (prefix window); hidden_units d; l2_emb; num_users (unused);
  form: "code" (the authors' TF code, default) or "paper" (the paper's equations)."""

  def __init__(self, num_items: int, max_len: int = 50, hidden_units: int = 50,
               l2_emb: float = 0.0, num_users: int = 0, form: str = "code", **kwargs):
    super().__init__(**kwargs)
    if form not in FORMS:
      raise ValueError(f"unknown STAMP form {form!r} (one of {FORMS})")
    self.hparams = dict(num_items=int(num_items), max_len=int(max_len),
                        hidden_units=int(hidden_units), l2_emb=float(l2_emb),
                        num_users=int(num_users), form=form)
    d = int(hidden_units)
    self.input_len, self.l2, self.form = int(max_len), float(l2_emb), form
    self.item_embedding = common.Table(num_items, d, ("normal", 0.002), name="item_embedding")
    weight = common.make_initializer(("normal", 0.05))
    self.w0 = self.add_weight(name="w0", shape=(d,), initializer=weight)
    self.w_items = self.add_weight(name="w1", shape=(d, d), initializer=weight)
    self.w_last = self.add_weight(name="w2", shape=(d, d), initializer=weight)
    self.w_mean = self.add_weight(name="w3", shape=(d, d), initializer=weight)
    self.w_s = self.add_weight(name="w_s", shape=(d, d), initializer=weight)
    self.w_t = self.add_weight(name="w_t", shape=(d, d), initializer=weight)
    if form == "paper":
      self.b_att = self.add_weight(name="b_a", shape=(d,), initializer="zeros")
      self.b_s = self.add_weight(name="b_s", shape=(d,), initializer="zeros")
      self.b_t = self.add_weight(name="b_t", shape=(d,), initializer="zeros")

  def represent(self, seq):
    """seq int [B, n] -> float [B, d] = h_s * h_t (the query of the trilinear score)."""
    seq = common.fit_width(seq, self.input_len)
    mask = tf.cast(tf.not_equal(seq, 0), tf.float32)
    x = self.item_embedding(seq)
    if self.form == "code":
      x = _max_norm(x)
    m_s = tf.reduce_sum(x, axis=1) / tf.maximum(tf.reduce_sum(mask, axis=1, keepdims=True), 1.0)
    m_t = x[:, -1]
    pre = (tf.einsum("bnd,de->bne", x, self.w_items) + tf.matmul(m_t, self.w_last)[:, None, :]
           + tf.matmul(m_s, self.w_mean)[:, None, :])
    if self.form == "paper":
      pre += self.b_att
    alpha = tf.einsum("bnd,d->bn", tf.sigmoid(pre), self.w0) * mask
    m_a = tf.einsum("bn,bnd->bd", alpha, x)
    if self.form == "code":
      return tf.tanh(tf.matmul(m_a + m_s, self.w_s)) * tf.tanh(tf.matmul(m_t, self.w_t))
    h_s = tf.tanh(tf.matmul(m_a, self.w_s) + self.b_s)
    h_t = tf.tanh(tf.matmul(m_t, self.w_t) + self.b_t)
    return h_s * h_t

  def score(self, seq, candidates, users=None):
    del users
    return tf.einsum("bd,bcd->bc", self.represent(seq), self.item_embedding(candidates))

  def score_all(self, seq, users=None):
    del users
    return tf.matmul(self.represent(seq), self.item_embedding.full(), transpose_b=True)

  def train_loss(self, batch, training=True):
    """Softmax cross-entropy over items 1..num_items of the next item of each prefix."""
    logits = self.score_all(batch["seq"])[:, 1:]
    target = tf.cast(batch["pos"][:, 0], tf.int32) - 1
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(target, logits))

  def regularization_loss(self):
    if self.l2 == 0.0:
      return tf.constant(0.0)
    return self.item_embedding.l2_loss(self.l2)


KEYS = ("max_len", "hidden_units", "l2_emb")


def build(split, settings, seed):
  del seed
  return STAMP(split.num_items, num_users=split.num_users, form=settings.get("stamp_form", "code"),
               **common.subset(settings, KEYS))


def make_sampler(split, settings, seed):
  """Every prefix (p >= 1) of every training sequence, its last max_len items -> item p."""
  from sasrec_tf.models.baselines.samplers import WindowSampler  # pylint: disable=import-outside-toplevel
  return WindowSampler(split, input_len=settings["max_len"], target_len=1, num_negatives=0,
                       batch_size=settings["batch_size"], seed=seed, min_prefix=1)


MODEL_SPECS = {"stamp": common.model_spec("stamp", KEYS + ("stamp_form",), build, make_sampler,
                                          score_keys=())}
