"""HRM (Wang et al., SIGIR 2015): hierarchical representation model, average pooling.

AttRec Table 2 "HRM" ("the average aggregation is adopted"). With one item per transaction the
two pooling layers reduce to ``h = (U_u + V_i) / 2`` (the transaction layer averages the last
transaction's items, here the last item i; the hybrid layer averages it with the user vector); the
next item scores ``h . V_j`` with the same item table. Training: the paper's negative sampling,
``-log sigmoid(h . V_j) - sum_k log sigmoid(-h . V_k)`` with ``train_negatives`` negatives k
uniform over the items u has not trained on, averaged over the batch, plus
``l2 * (|U_u|^2 + |V_i|^2 + |V_j|^2 + sum_k |V_k|^2) / 2`` per example.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common


@keras.saving.register_keras_serializable(package="sasrec_tf")
class HRM(common.TransitionModel):
  """Args: num_users, num_items; hidden_units d; l2_emb."""

  def __init__(self, num_users: int, num_items: int, hidden_units: int = 100,
               l2_emb: float = 0.0, **kwargs):
    super().__init__(num_users, num_items, hidden_units, l2_emb, **kwargs)
    self.user_vectors = common.Table(num_users, hidden_units, name="user_vectors")
    self.item_vectors = common.Table(num_items, hidden_units, name="item_vectors")

  def _hybrid(self, users, prev):
    return 0.5 * (self.user_vectors(users) + self.item_vectors(prev))

  def candidate_scores(self, users, prev, candidates):
    return tf.einsum("bd,bcd->bc", self._hybrid(users, prev), self.item_vectors(candidates))

  def all_scores(self, users, prev):
    return tf.matmul(self._hybrid(users, prev), self.item_vectors.full(), transpose_b=True)

  def penalty(self, users, prev, items):
    return common.row_penalty(self.l2, self.user_vectors(users), self.item_vectors(prev),
                              self.item_vectors(items))

  def train_loss(self, batch, training=True):
    """Negative-sampling loss of (u, i, j, k_1..k_K) examples plus the row penalty."""
    users = tf.cast(batch["user"], tf.int32)
    prev = tf.cast(batch["seq"], tf.int32)[:, -1]
    items = tf.cast(tf.concat([batch["pos"][:, :1], batch["neg"]], axis=1), tf.int32)
    scores = self.candidate_scores(users, prev, items)
    data = -tf.math.log_sigmoid(scores[:, 0]) - tf.reduce_sum(
        tf.math.log_sigmoid(-scores[:, 1:]), axis=1)
    return tf.reduce_mean(data) + self.penalty(users, prev, items)


KEYS = ("hidden_units", "l2_emb")


def build(split, settings, seed):
  del seed
  return HRM(split.num_users, split.num_items, **common.subset(settings, KEYS))


def make_sampler(split, settings, seed):
  from sasrec_tf.models.baselines.samplers import WindowSampler  # pylint: disable=import-outside-toplevel
  return WindowSampler(split, input_len=1, target_len=1,
                       num_negatives=settings["train_negatives"],
                       batch_size=settings["batch_size"], seed=seed, min_prefix=1)


MODEL_SPECS = {"hrm": common.model_spec("hrm", KEYS + ("max_len", "train_negatives"), build,
                                        make_sampler)}
