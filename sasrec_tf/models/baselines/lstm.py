"""LSTM+ (AttRec Table 2): AttRec with its self-attention module replaced by an LSTM.

Zhang et al. (AttRec) §"Baselines": "we further design a variant of AttRec by replacing the
self-attention module with LSTM". So, as AttRec (SPEC §6): short-term item table X (inputs and
short-term targets), long-term item table V, user table U; m = the last hidden state of an LSTM
(d units) over X of the L most recent items (padding slots skipped); distance
``y_j = omega * ||U_u - V_j||^2 + (1 - omega) * ||m - X_j||^2`` (lower = better; the score is -y);
hinge loss ``sum_t [y_pos_t + margin - y_neg_t]_+`` pairing the t-th target with the t-th negative,
summed over the batch (AttRec's code), on L -> T windows with T negatives each. Regularisation:
``l2_emb * sum(w^2) / 2`` on X, V, U and the LSTM kernels. Defaults follow AttRec's code (omega 0.2,
margin 0.5, Adagrad lr 0.05, tables N(0, 0.001^2)); the paper gives nothing LSTM-specific.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common
from sasrec_tf.models.baselines.caser import window_sampler


@keras.saving.register_keras_serializable(package="sasrec_tf")
class LSTMPlus(common.BaselineModel):
  """Args: num_users, num_items; max_len = L; hidden_units d; l2_emb; lstm_omega; lstm_margin."""

  def __init__(self, num_users: int, num_items: int, max_len: int = 5, hidden_units: int = 100,
               l2_emb: float = 1e-3, lstm_omega: float = 0.2, lstm_margin: float = 0.5,
               **kwargs):
    super().__init__(**kwargs)
    self.hparams = dict(num_users=int(num_users), num_items=int(num_items), max_len=int(max_len),
                        hidden_units=int(hidden_units), l2_emb=float(l2_emb),
                        lstm_omega=float(lstm_omega), lstm_margin=float(lstm_margin))
    d = int(hidden_units)
    self.input_len, self.l2 = int(max_len), float(l2_emb)
    self.omega, self.margin = float(lstm_omega), float(lstm_margin)
    init = ("normal", 0.001)
    self.short_items = common.Table(num_items, d, init, name="short_items")
    self.long_items = common.Table(num_items, d, init, name="long_items")
    self.users = common.Table(num_users, d, init, name="users")
    self.lstm = keras.layers.LSTM(d, name="lstm")
    self.lstm.build((None, self.input_len, d))

  def _query(self, seq, users):
    seq = common.fit_width(seq, self.input_len)
    m = self.lstm(self.short_items(seq), mask=tf.not_equal(seq, 0))
    return self.users(self._users(users, tf.shape(seq)[0])), m

  def distances(self, seq, candidates, users):
    """float [B, C] distances y_j (lower = better)."""
    u, m = self._query(seq, users)
    long = tf.reduce_sum(tf.square(u[:, None, :] - self.long_items(candidates)), axis=-1)
    short = tf.reduce_sum(tf.square(m[:, None, :] - self.short_items(candidates)), axis=-1)
    return self.omega * long + (1.0 - self.omega) * short

  def score(self, seq, candidates, users=None):
    return -self.distances(seq, tf.cast(candidates, tf.int32), users)

  def score_all(self, seq, users=None):
    u, m = self._query(seq, users)
    return -(self.omega * common.squared_distance_all(u, self.long_items.full())
             + (1.0 - self.omega) * common.squared_distance_all(m, self.short_items.full()))

  def train_loss(self, batch, training=True):
    pos, neg = tf.cast(batch["pos"], tf.int32), tf.cast(batch["neg"], tf.int32)
    y = self.distances(batch["seq"], tf.concat([pos, neg], axis=1), batch["user"])
    t = tf.shape(pos)[1]
    hinge = tf.nn.relu(y[:, :t] + self.margin - y[:, t:])
    return tf.reduce_sum(hinge * common.pos_mask(pos))

  def regularization_loss(self):
    if self.l2 == 0.0:
      return tf.constant(0.0)
    terms = [t.l2_loss(self.l2) for t in (self.short_items, self.long_items, self.users)]
    terms += [self.l2 * 0.5 * tf.reduce_sum(tf.square(w)) for w in self.lstm.trainable_weights
              if "kernel" in w.path]
    return tf.add_n(terms)


KEYS = ("max_len", "hidden_units", "l2_emb", "lstm_omega", "lstm_margin")


def build(split, settings, seed):
  del seed
  if settings["train_negatives"] != settings["target_len"]:
    raise ValueError("LSTM+ pairs its T targets with T negatives: train_negatives must equal "
                     f"target_len (got {settings['train_negatives']} and {settings['target_len']})")
  return LSTMPlus(split.num_users, split.num_items, **common.subset(settings, KEYS))


MODEL_SPECS = {"lstm": common.model_spec("lstm", KEYS + ("target_len", "train_negatives"), build,
                                         window_sampler)}
