"""TransRec (He, Kang & McAuley, RecSys 2017): translation-based sequential recommendation.

SASRec Table III (e), SSE-PT Table 1 (E), AttRec Table 2 "TransRec". Items are points gamma_i
in a translation space constrained to the unit ball; user u moves from the last item i by the
translation ``T + T_u`` (global plus personal); the next item j scores
``beta_j - ||gamma_i + T + T_u - gamma_j||^2`` (squared Euclidean distance, item bias beta).
Training: S-BPR on (u, i, j, k), ``-log sigmoid(x_uij - x_uik)``, plus
``l2 * (|T_u|^2 + beta_j^2 + beta_k^2) / 2`` per example and ``l2 * |T|^2 / 2`` per step; after
every update each gamma row is projected back into the unit ball (``after_train_step``), so the
points are never l2-regularised.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common


@keras.saving.register_keras_serializable(package="sasrec_tf")
class TransRec(common.TransitionModel):
  """Translation space with unit-ball item points.

  Args:
    num_users, num_items: largest ids.
    hidden_units: d.
    l2_emb: per-example l2 of T_u and the biases (and of T per step).
  Initialisation (unspecified by the paper): gamma Glorot-uniform (well inside the unit ball),
  T, T_u and beta zero.
  """

  def __init__(self, num_users: int, num_items: int, hidden_units: int = 50, l2_emb: float = 0.0,
               **kwargs):
    super().__init__(num_users, num_items, hidden_units, l2_emb, **kwargs)
    self.item_points = common.Table(num_items, hidden_units, name="item_points")
    self.item_bias = common.Table(num_items, 1, "zeros", name="item_bias")
    self.user_translation = common.Table(num_users, hidden_units, "zeros",
                                         name="user_translation")
    self.global_translation = self.add_weight(name="global_translation", shape=(hidden_units,),
                                              initializer="zeros")

  def _query(self, users, prev):
    return self.item_points(prev) + self.global_translation[None, :] + self.user_translation(users)

  def candidate_scores(self, users, prev, candidates):
    query = self._query(users, prev)[:, None, :]
    dist = tf.reduce_sum(tf.square(query - self.item_points(candidates)), axis=-1)
    return self.item_bias(candidates)[..., 0] - dist

  def all_scores(self, users, prev):
    dist = common.squared_distance_all(self._query(users, prev), self.item_points.full())
    return self.item_bias.full()[:, 0][None, :] - dist

  def penalty(self, users, prev, items):
    del prev
    return common.row_penalty(self.l2, self.user_translation(users), self.item_bias(items))

  def regularization_loss(self):
    return self.l2 * 0.5 * tf.reduce_sum(tf.square(self.global_translation))

  def after_train_step(self):
    """Projects every item point into the unit ball (the paper's constraint on gamma)."""
    self.item_points.project_to_unit_ball()


MODEL_SPECS = common.transition_specs("transrec", TransRec)
