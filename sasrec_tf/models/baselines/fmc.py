"""FMC: factorised first-order Markov chain, the item-item part of FPMC (Rendle et al., WWW 2010).

SASRec Table III (c), SSE-PT Table 1 (C), AttRec Table 2 "MC". SASRec §III-G: ``P(j | i) ~
M_i . N_j`` with two item tables, depending only on the last item i. Trained like the other
first-order baselines: (u, i, j, k) with (i, j) a consecutive training pair and k uniform over the
items u has not trained on; BPR loss plus ``l2 * (|M_i|^2 + |N_j|^2 + |N_k|^2) / 2`` per example.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common


@keras.saving.register_keras_serializable(package="sasrec_tf")
class FMC(common.TransitionModel):
  """x_ij = M_i . N_j (no user term; ``users`` is accepted and ignored).

  Args:
    num_items: largest item id.
    hidden_units: d.
    l2_emb: per-example l2 of the touched rows.
    num_users: unused (kept so that every first-order baseline has the same constructor).
  """

  uses_users = False

  def __init__(self, num_items: int, hidden_units: int = 50, l2_emb: float = 0.0,
               num_users: int = 0, **kwargs):
    super().__init__(num_users, num_items, hidden_units, l2_emb, **kwargs)
    self.prev_factors = common.Table(num_items, hidden_units, name="prev_factors")
    self.next_factors = common.Table(num_items, hidden_units, name="next_factors")

  def candidate_scores(self, users, prev, candidates):
    del users
    return tf.einsum("bd,bcd->bc", self.prev_factors(prev), self.next_factors(candidates))

  def all_scores(self, users, prev):
    del users
    return tf.matmul(self.prev_factors(prev), self.next_factors.full(), transpose_b=True)

  def penalty(self, users, prev, items):
    del users
    return common.row_penalty(self.l2, self.prev_factors(prev), self.next_factors(items))


MODEL_SPECS = common.transition_specs("fmc", FMC)
