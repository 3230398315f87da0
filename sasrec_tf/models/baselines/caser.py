"""Caser (Tang & Wang, WSDM 2018): convolutional sequence embedding.

SASRec Table III (h), SSE-PT Table 1 (I), AttRec Table 2 "Caser". As the authors' code
(graytowne/caser_pytorch): the embeddings E [L, d] of the L most recent items go through
  * ``caser_nv`` vertical filters of shape [L, 1] (a learned weighted sum of the L rows, linear)
    -> nv * d values,
  * ``caser_nh`` horizontal filters of every height h = 1..L and width d, ReLU, max-pooled over
    time -> nh * L values;
their concatenation passes dropout and a ReLU fully connected layer to z [d]; the user embedding
P_u [d] is concatenated and item j scores ``[z, P_u] . W'_j + b'_j`` (W' [num_items + 1, 2d]).
Training on sliding windows of L inputs and T targets (``samplers.WindowSampler`` with Caser's
window rule) with ``train_negatives`` (code: 3 x T) negatives per window, uniform over the items
the user has not trained on; loss ``-mean log sigmoid(pos) - mean log(1 - sigmoid(neg))``; l2 as
Adam's weight decay on every parameter (``l2_emb * sum(w^2) / 2``, dense). Initialisation: the
code's N(0, 1/d) for E and P, N(0, 1/(2d)) for W', zero b'; conv / dense layers Glorot-uniform
(PyTorch's defaults in the code).
"""

from __future__ import annotations

from typing import Optional

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common


@keras.saving.register_keras_serializable(package="sasrec_tf")
class Caser(common.OutputLayerModel):
  """Args: num_users, num_items; max_len = L (Markov order); hidden_units d; caser_nv, caser_nh;
  dropout_rate; l2_emb (weight decay on all parameters); seed (dropout)."""

  def __init__(self, num_users: int, num_items: int, max_len: int = 5, hidden_units: int = 50,
               caser_nv: int = 4, caser_nh: int = 16, dropout_rate: float = 0.5,
               l2_emb: float = 1e-6, seed: Optional[int] = None, **kwargs):
    super().__init__(**kwargs)
    self.hparams = dict(num_users=int(num_users), num_items=int(num_items), max_len=int(max_len),
                        hidden_units=int(hidden_units), caser_nv=int(caser_nv),
                        caser_nh=int(caser_nh), dropout_rate=float(dropout_rate),
                        l2_emb=float(l2_emb), seed=seed)
    d, L = int(hidden_units), int(max_len)
    self.input_len, self.d, self.l2 = L, d, float(l2_emb)
    self.item_embedding = common.Table(num_items, d, ("normal", 1.0 / d), name="item_embedding")
    self.user_embedding = common.Table(num_users, d, ("normal", 1.0 / d), name="user_embedding")
    self.vertical = self.add_weight(name="vertical_kernel", shape=(L, int(caser_nv)),
                                    initializer="glorot_uniform")
    self.vertical_bias = self.add_weight(name="vertical_bias", shape=(int(caser_nv),),
                                         initializer="zeros")
    # Horizontal filters of height h: kernel [h, d, nh] + bias (a Conv1D, written out so that
    # tracing stays cheap); one attribute per height so that checkpoints track every kernel.
    self.heights = tuple(range(1, L + 1))
    for h in self.heights:
      setattr(self, f"horizontal_{h}", self.add_weight(
          name=f"horizontal_{h}", shape=(h, d, int(caser_nh)), initializer="glorot_uniform"))
      setattr(self, f"horizontal_bias_{h}", self.add_weight(
          name=f"horizontal_bias_{h}", shape=(int(caser_nh),), initializer="zeros"))
    self.dropout = keras.layers.Dropout(dropout_rate, seed=seed)
    self.fc = keras.layers.Dense(d, activation="relu", name="fc")
    self.fc.build((None, int(caser_nv) * d + int(caser_nh) * L))
    self.output_weights = common.Table(num_items, 2 * d, ("normal", 1.0 / (2 * d)),
                                       name="output_weights")
    self.output_bias = common.Table(num_items, 1, "zeros", name="output_bias")

  def represent(self, seq, users, training=False):
    """seq int [B, n] (last L used), users int [B] -> float [B, 2d] = [z, P_u]."""
    seq = common.fit_width(seq, self.input_len)
    emb = self.item_embedding(seq)  # [B, L, d]
    out_v = tf.einsum("bld,lf->bfd", emb, self.vertical) + self.vertical_bias[None, :, None]
    out_v = tf.reshape(out_v, [tf.shape(emb)[0], -1])
    out_h = tf.concat([self._horizontal(emb, h) for h in self.heights], axis=1)
    z = self.fc(self.dropout(tf.concat([out_v, out_h], axis=1), training=training))
    return tf.concat([z, self.user_embedding(self._users(users, tf.shape(seq)[0]))], axis=1)

  def _horizontal(self, emb, h):
    """emb [B, L, d] -> [B, nh]: ReLU(conv of height h over time), max-pooled over time."""
    length = self.input_len
    windows = tf.stack([emb[:, i:length - h + 1 + i] for i in range(h)], axis=2)  # [B, W, h, d]
    out = tf.einsum("bwhd,hdf->bwf", windows, getattr(self, f"horizontal_{h}"))
    return tf.reduce_max(tf.nn.relu(out + getattr(self, f"horizontal_bias_{h}")), axis=1)

  def train_loss(self, batch, training=True):
    x = self.represent(batch["seq"], batch["user"], training=training)
    pos, neg = tf.cast(batch["pos"], tf.int32), tf.cast(batch["neg"], tf.int32)
    s_pos = (tf.einsum("bd,bcd->bc", x, self.output_weights(pos)) + self.output_bias(pos)[..., 0])
    s_neg = (tf.einsum("bd,bcd->bc", x, self.output_weights(neg)) + self.output_bias(neg)[..., 0])
    positive = common.masked_mean(-tf.math.log_sigmoid(s_pos), common.pos_mask(pos))
    negative = common.masked_mean(-tf.math.log_sigmoid(-s_neg), common.pos_mask(neg))
    return positive + negative

  def regularization_loss(self):
    if self.l2 == 0.0:
      return tf.constant(0.0)
    return self.l2 * 0.5 * tf.add_n([tf.reduce_sum(tf.square(v)) for v in self.trainable_variables])


KEYS = ("max_len", "hidden_units", "caser_nv", "caser_nh", "dropout_rate", "l2_emb")


def build(split, settings, seed):
  return Caser(split.num_users, split.num_items, seed=int(seed), **common.subset(settings, KEYS))


def window_sampler(split, settings, seed):
  """Caser's / HGN's training windows: L = max_len inputs, T = target_len targets."""
  from sasrec_tf.models.baselines.samplers import WindowSampler  # pylint: disable=import-outside-toplevel
  return WindowSampler(split, input_len=settings["max_len"], target_len=settings["target_len"],
                       num_negatives=settings["train_negatives"],
                       batch_size=settings["batch_size"], seed=seed, min_prefix=1,
                       windows="caser")


MODEL_SPECS = {"caser": common.model_spec("caser", KEYS + ("target_len", "train_negatives"),
                                          build, window_sampler)}
