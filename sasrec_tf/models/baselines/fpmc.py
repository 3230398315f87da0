"""FPMC (Rendle, Freudenthaler & Schmidt-Thieme, WWW 2010): MF + factorised Markov chain.

SASRec Table III (d), SSE-PT Table 1 (D), AttRec Table 2 "FPMC". With one previous item (the
"basket" is the last item), ``x_uij = U_u . V_j + M_i . N_j``, i.e. SASRec §III-G's
``[U_u, M_i] . N_j`` with N_j split in its user and item halves. Trained with S-BPR on
(u, i, j, k): BPR loss plus ``l2 * (|U_u|^2 + |M_i|^2 + |V_j|^2 + |N_j|^2 + |V_k|^2 +
|N_k|^2) / 2`` per example.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common


@keras.saving.register_keras_serializable(package="sasrec_tf")
class FPMC(common.TransitionModel):
  """x_uij = U_u . V_j + M_i . N_j.

  Args:
    num_users, num_items: largest ids.
    hidden_units: d (of each of the two factorisations).
    l2_emb: per-example l2 of the touched rows.
  """

  def __init__(self, num_users: int, num_items: int, hidden_units: int = 50, l2_emb: float = 0.0,
               **kwargs):
    super().__init__(num_users, num_items, hidden_units, l2_emb, **kwargs)
    self.user_factors = common.Table(num_users, hidden_units, name="user_factors")
    self.item_user_factors = common.Table(num_items, hidden_units, name="item_user_factors")
    self.prev_factors = common.Table(num_items, hidden_units, name="prev_factors")
    self.next_factors = common.Table(num_items, hidden_units, name="next_factors")

  def candidate_scores(self, users, prev, candidates):
    return (tf.einsum("bd,bcd->bc", self.user_factors(users), self.item_user_factors(candidates))
            + tf.einsum("bd,bcd->bc", self.prev_factors(prev), self.next_factors(candidates)))

  def all_scores(self, users, prev):
    return (tf.matmul(self.user_factors(users), self.item_user_factors.full(), transpose_b=True)
            + tf.matmul(self.prev_factors(prev), self.next_factors.full(), transpose_b=True))

  def penalty(self, users, prev, items):
    return common.row_penalty(self.l2, self.user_factors(users), self.prev_factors(prev),
                              self.item_user_factors(items), self.next_factors(items))


MODEL_SPECS = common.transition_specs("fpmc", FPMC)
