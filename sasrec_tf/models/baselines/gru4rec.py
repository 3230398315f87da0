"""GRU4Rec (Hidasi et al., ICLR 2016) and GRU4Rec+ (Hidasi & Karatzoglou, CIKM 2018).

SASRec Table III (f)/(g), SSE-PT Table 1 (F)/(H). Each user's training sequence is a session
(SASRec §IV-B: "We treat each user's feedback sequence as a session"). As the authors' code:

  * input: the one-hot current item times W_x, i.e. a [num_items + 1, 3h] table whose row gives
    the three gate inputs (no separate embedding, ``embedding=0`` in the code); one GRU layer of h
    units with tanh; output scores ``r_j = h . W_y[j] + b_y[j]`` followed by a final activation;
  * training on session-parallel mini-batches (``samplers.SessionParallelSampler``): one event per
    lane per step, the hidden state of every lane is kept between steps (a non-trainable variable
    of shape [batch_size, h], part of the checkpoint) and reset where a new session starts;
    gradients flow through the current step only (the code's truncated back-propagation);
  * negatives: the other lanes' targets (mini-batch sampling) plus, for GRU4Rec+, ``n_sample``
    extra negatives shared by the batch (probability ~ support^sample_alpha);
  * losses (per row, averaged over rows; j runs over the row's negatives):
      top1       mean_j sigmoid(r_j - r_i) + sigmoid(r_j^2)
      bpr        mean_j -log sigmoid(r_i - r_j)
      top1-max   sum_j s_j (sigmoid(r_j - r_i) + sigmoid(r_j^2)),  s = softmax of the r_j
      bpr-max    -log sum_j s_j sigmoid(r_i - r_j) + bpreg * sum_j s_j r_j^2
      cross-entropy  -log softmax_i over {i} + negatives (on the linear scores).

Differences from the Theano code (documented choices): a lane plays its own chunk of a random
session permutation instead of the globally next session (keeps batch k a pure function of
(seed, k)); a row's negatives exclude items of the row's user's training sequence (the code also
counts duplicates of the target as negatives), so TOP1 averages over the negatives only (the code
averages over all columns and subtracts the target's own regularisation term); Adagrad as the
code's (accumulator from 0, epsilon 1e-6, set in configs.baselines), with the code's
heavy-ball momentum (GRU4Rec+: 0.3; ``RowSparseAdagrad``). Inference runs the GRU from a zero
state over the last ``max_len`` items; ``score`` returns the linear scores ``r_j`` (the final
activations offered are increasing, so the ranking is the same).
"""

from __future__ import annotations

import math
from typing import Optional

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common

LOSSES = ("top1", "bpr", "top1-max", "bpr-max", "cross-entropy")


def final_activation(name: str):
  """'linear', 'tanh', 'relu', 'elu-<alpha>' or 'leaky-<slope>' -> a float tensor function."""
  if name == "linear":
    return lambda x: x
  if name == "tanh":
    return tf.tanh
  if name == "relu":
    return tf.nn.relu
  if name.startswith("elu-"):
    alpha = float(name.split("-", 1)[1])
    return lambda x: tf.where(x >= 0, x, alpha * (tf.exp(tf.minimum(x, 0.0)) - 1.0))
  if name.startswith("leaky-"):
    slope = float(name.split("-", 1)[1])
    return lambda x: tf.where(x >= 0, x, slope * x)
  raise ValueError(f"unknown final activation {name!r} (linear, tanh, relu, elu-X, leaky-X)")


def session_loss(scores, valid, loss: str, bpreg: float = 1.0):
  """GRU4Rec's losses over a score matrix.

  Args:
    scores: float [B, M]; column b < B of row b is the row's target (its positive).
    valid: float [B, M], 1 where the column is a negative of the row (never the diagonal).
    loss: one of LOSSES.
    bpreg: BPR-max score regularisation.

  Returns:
    float scalar: mean over rows that have at least one negative.
  """
  b = tf.shape(scores)[0]
  target = tf.linalg.diag_part(scores[:, :b])[:, None]
  valid = tf.cast(valid, scores.dtype)
  count = tf.reduce_sum(valid, axis=1)
  has = tf.cast(count > 0, scores.dtype)
  if loss in ("top1-max", "bpr-max"):
    masked = tf.where(valid > 0, scores, tf.fill(tf.shape(scores), -1e30))
    weights = tf.nn.softmax(masked, axis=1) * valid
  if loss == "top1":
    per = tf.reduce_sum((tf.sigmoid(scores - target) + tf.sigmoid(tf.square(scores))) * valid,
                        axis=1) / tf.maximum(count, 1.0)
  elif loss == "bpr":
    per = tf.reduce_sum(-tf.math.log_sigmoid(target - scores) * valid, axis=1) / tf.maximum(
        count, 1.0)
  elif loss == "top1-max":
    per = tf.reduce_sum(weights * (tf.sigmoid(scores - target) + tf.sigmoid(tf.square(scores))),
                        axis=1)
  elif loss == "bpr-max":
    per = (-tf.math.log(tf.reduce_sum(weights * tf.sigmoid(target - scores), axis=1) + 1e-24)
           + bpreg * tf.reduce_sum(weights * tf.square(scores), axis=1))
  elif loss == "cross-entropy":
    eye = tf.pad(tf.eye(b, dtype=scores.dtype), [[0, 0], [0, tf.shape(scores)[1] - b]])
    keep = tf.minimum(valid + eye, 1.0)
    logits = tf.where(keep > 0, scores, tf.fill(tf.shape(scores), -1e30))
    per = -tf.reduce_sum(tf.nn.log_softmax(logits, axis=1) * eye, axis=1)
  else:
    raise ValueError(f"unknown GRU4Rec loss {loss!r}; one of {LOSSES}")
  return tf.reduce_sum(per * has) / tf.maximum(tf.reduce_sum(has), 1.0)


@keras.saving.register_keras_serializable(package="sasrec_tf")
class GRU4Rec(common.BaselineModel):
  """One-layer GRU4Rec with a per-lane training state.

  Args:
    num_items: largest item id.
    hidden_units: h (GRU units).
    batch_size: number of session-parallel lanes (shape of the training state).
    dropout_rate: dropout on the hidden state before the output layer (dropout_p_hidden).
    gru_loss: one of LOSSES.
    gru_final_act: final activation (see ``final_activation``).
    gru_bpreg: BPR-max score regularisation.
    max_len: inference window (items before the target fed to the GRU).
    seed: dropout seed.
    num_users: unused (same constructor shape as the other baselines).
  Initialisation as the code: uniform +-sqrt(6 / (fan_in + fan_out)) per weight block, biases 0.
  """

  def __init__(self, num_items: int, hidden_units: int = 50, batch_size: int = 50,
               dropout_rate: float = 0.0, gru_loss: str = "top1", gru_final_act: str = "tanh",
               gru_bpreg: float = 1.0, max_len: int = 50, seed: Optional[int] = None,
               num_users: int = 0, **kwargs):
    super().__init__(**kwargs)
    if gru_loss not in LOSSES:
      raise ValueError(f"gru_loss must be one of {LOSSES}, got {gru_loss!r}")
    self.hparams = dict(num_items=int(num_items), hidden_units=int(hidden_units),
                        batch_size=int(batch_size), dropout_rate=float(dropout_rate),
                        gru_loss=gru_loss, gru_final_act=gru_final_act,
                        gru_bpreg=float(gru_bpreg), max_len=int(max_len), seed=seed,
                        num_users=int(num_users))
    h = int(hidden_units)
    self.h, self.input_len = h, int(max_len)
    self.loss_name, self.bpreg = gru_loss, float(gru_bpreg)
    self.final_act = final_activation(gru_final_act)
    item_limit = math.sqrt(6.0 / (num_items + h))
    self.input_weights = common.Table(num_items, 3 * h, ("uniform", item_limit),
                                      name="input_weights")
    block = ("uniform", math.sqrt(6.0 / (2 * h)))
    self.recurrent_gates = self.add_weight(name="recurrent_gates", shape=(h, 2 * h),
                                           initializer=common.make_initializer(block))
    self.recurrent_candidate = self.add_weight(name="recurrent_candidate", shape=(h, h),
                                               initializer=common.make_initializer(block))
    self.gate_bias = self.add_weight(name="gate_bias", shape=(3 * h,), initializer="zeros")
    self.output_weights = common.Table(num_items, h, ("uniform", item_limit),
                                       name="output_weights")
    self.output_bias = common.Table(num_items, 1, "zeros", name="output_bias")
    self.state = self.add_weight(name="state", shape=(int(batch_size), h), initializer="zeros",
                                 trainable=False)
    self.dropout = keras.layers.Dropout(dropout_rate, seed=seed)

  def gru_step(self, items, hidden):
    """items int [B], hidden float [B, h] -> float [B, h] (items 0 leave the state unchanged)."""
    h = self.h
    x = self.input_weights(items) + self.gate_bias[None, :]
    gates = tf.sigmoid(x[:, h:] + tf.matmul(hidden, self.recurrent_gates))
    reset, update = gates[:, :h], gates[:, h:]
    candidate = tf.tanh(x[:, :h] + tf.matmul(reset * hidden, self.recurrent_candidate))
    new = (1.0 - update) * hidden + update * candidate
    return tf.where(tf.not_equal(items, 0)[:, None], new, hidden)

  def encode(self, seq):
    """seq int [B, n] (left-padded) -> float [B, h], the GRU state after the last item."""
    seq = tf.cast(seq, tf.int32)
    init = tf.zeros([tf.shape(seq)[0], self.h], self.input_weights.table.dtype)
    return tf.foldl(lambda hidden, items: self.gru_step(items, hidden), tf.transpose(seq),
                    initializer=init)

  def score(self, seq, candidates, users=None):
    """seq int [B, n], candidates int [B, C] -> float [B, C] linear scores r_j."""
    del users
    hidden = self.encode(seq)
    return (tf.einsum("bd,bcd->bc", hidden, self.output_weights(candidates))
            + self.output_bias(candidates)[..., 0])

  def score_all(self, seq, users=None):
    del users
    hidden = self.encode(seq)
    return (tf.matmul(hidden, self.output_weights.full(), transpose_b=True)
            + self.output_bias.full()[:, 0][None, :])

  def train_loss(self, batch, training=True):
    """One session-parallel step: advances the lanes' state and returns the loss of the step."""
    keep = 1.0 - tf.cast(batch["reset"], self.state.dtype)[:, None]
    hidden = self.gru_step(tf.cast(batch["item"], tf.int32), self.state * keep)
    self.state.assign(tf.stop_gradient(hidden))
    out = self.dropout(hidden, training=training)
    columns = tf.cast(tf.concat([batch["pos"], batch["neg"]], axis=0), tf.int32)
    linear = (tf.matmul(out, self.output_weights(columns), transpose_b=True)
              + self.output_bias(columns)[:, 0][None, :])
    scores = linear if self.loss_name == "cross-entropy" else self.final_act(linear)
    return session_loss(scores, batch["valid"], self.loss_name, self.bpreg)

  def reset_state(self):
    self.state.assign(tf.zeros_like(self.state))


KEYS = ("hidden_units", "batch_size", "dropout_rate", "gru_loss", "gru_final_act", "gru_bpreg",
        "max_len")
SAMPLER_KEYS = ("gru_n_sample", "gru_sample_alpha")


def build(split, settings, seed):
  return GRU4Rec(split.num_items, num_users=split.num_users, seed=int(seed),
                 **common.subset(settings, KEYS))


def make_sampler(split, settings, seed):
  from sasrec_tf.models.baselines.samplers import SessionParallelSampler  # pylint: disable=import-outside-toplevel
  return SessionParallelSampler(split, batch_size=settings["batch_size"], seed=seed,
                                num_extra=settings["gru_n_sample"],
                                sample_alpha=settings["gru_sample_alpha"])


MODEL_SPECS = {
    name: common.model_spec(name, KEYS + SAMPLER_KEYS, build, make_sampler, score_keys=())
    for name in ("gru4rec", "gru4rec_plus")
}
