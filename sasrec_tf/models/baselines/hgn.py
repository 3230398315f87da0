"""HGN (Ma, Kang & Liu, KDD 2019): hierarchical gating networks.

SSE-PT Table 1 (K). As the authors' code (allenjack/HGN; also the SSE-PT repository's
HGN_baseline): with E [L, d] the embeddings of the L most recent items and u the user embedding,
  feature gating   E_f = E * sigmoid(E W_1 + b_1 + u W_2 + b_2)
  instance gating  g_l = sigmoid(E_f[l] . w_3 + (u W_4)[l])        (W_4 is [d, L])
  aggregation      s = sum_l g_l E_f[l] / sum_l g_l
and item j scores ``u . Q_j + s . Q_j + sum_l E[l] . Q_j + b_j`` (MF + union-level +
item-item product, output table Q). Training on Caser-style windows (L = 5, T = 3) with T
negatives per window (uniform over the items the user has not trained on), element-wise BPR
``-log(sigmoid(pos_t - neg_t) + 1e-8)`` summed over the batch (the code's reduction), l2 as Adam
weight decay on every parameter. Padding slots (users shorter than L) are left out of the
instance-gating average (the code gives padding a learned embedding instead).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common
from sasrec_tf.models.baselines.caser import window_sampler


@keras.saving.register_keras_serializable(package="sasrec_tf")
class HGN(common.OutputLayerModel):
  """Args: num_users, num_items; max_len = L; hidden_units d; l2_emb (weight decay on all
  parameters)."""

  def __init__(self, num_users: int, num_items: int, max_len: int = 5, hidden_units: int = 50,
               l2_emb: float = 1e-3, **kwargs):
    super().__init__(**kwargs)
    self.hparams = dict(num_users=int(num_users), num_items=int(num_items), max_len=int(max_len),
                        hidden_units=int(hidden_units), l2_emb=float(l2_emb))
    d, L = int(hidden_units), int(max_len)
    self.input_len, self.l2 = L, float(l2_emb)
    self.item_embedding = common.Table(num_items, d, ("normal", 1.0 / d), name="item_embedding")
    self.user_embedding = common.Table(num_users, d, ("normal", 1.0 / d), name="user_embedding")
    self.feature_gate_item = keras.layers.Dense(d, name="feature_gate_item")
    self.feature_gate_item.build((None, d))
    self.feature_gate_user = keras.layers.Dense(d, name="feature_gate_user")
    self.feature_gate_user.build((None, d))
    self.instance_gate_item = self.add_weight(name="instance_gate_item", shape=(d, 1),
                                              initializer="glorot_uniform")
    self.instance_gate_user = self.add_weight(name="instance_gate_user", shape=(d, L),
                                              initializer="glorot_uniform")
    self.output_weights = common.Table(num_items, d, ("normal", 1.0 / d), name="output_weights")
    self.output_bias = common.Table(num_items, 1, "zeros", name="output_bias")

  def represent(self, seq, users):
    """-> (u [B, d], union s [B, d], sum of the input embeddings [B, d])."""
    seq = common.fit_width(seq, self.input_len)
    emb = self.item_embedding(seq)
    u = self.user_embedding(self._users(users, tf.shape(seq)[0]))
    gate = tf.sigmoid(self.feature_gate_item(emb) + self.feature_gate_user(u)[:, None, :])
    gated = emb * gate
    inst = tf.sigmoid(tf.squeeze(tf.matmul(gated, self.instance_gate_item), -1)
                      + tf.matmul(u, self.instance_gate_user))
    inst = inst * tf.cast(tf.not_equal(seq, 0), inst.dtype)
    union = tf.reduce_sum(gated * inst[..., None], axis=1) / tf.maximum(
        tf.reduce_sum(inst, axis=1, keepdims=True), 1e-12)
    return u + union + tf.reduce_sum(emb, axis=1)

  def train_loss(self, batch, training=True):
    pos, neg = tf.cast(batch["pos"], tf.int32), tf.cast(batch["neg"], tf.int32)
    scores = self.score(batch["seq"], tf.concat([pos, neg], axis=1), users=batch["user"])
    t = tf.shape(pos)[1]
    per = -tf.math.log(tf.sigmoid(scores[:, :t] - scores[:, t:]) + 1e-8)
    return tf.reduce_sum(per * common.pos_mask(pos))

  def regularization_loss(self):
    if self.l2 == 0.0:
      return tf.constant(0.0)
    return self.l2 * 0.5 * tf.add_n([tf.reduce_sum(tf.square(v)) for v in self.trainable_variables])


KEYS = ("max_len", "hidden_units", "l2_emb")


def build(split, settings, seed):
  del seed
  if settings["train_negatives"] != settings["target_len"]:
    raise ValueError("HGN pairs its T targets with T negatives: train_negatives must equal "
                     f"target_len (got {settings['train_negatives']} and {settings['target_len']})")
  return HGN(split.num_users, split.num_items, **common.subset(settings, KEYS))


MODEL_SPECS = {"hgn": common.model_spec("hgn", KEYS + ("target_len", "train_negatives"), build,
                                        window_sampler)}
