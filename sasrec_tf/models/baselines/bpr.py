"""BPR-MF (Rendle et al., UAI 2009): biased matrix factorisation trained with the BPR loss.

SASRec Table III (b), SSE-PT Table 1 (B), AttRec Table 2 "BPRMF". Score ``x_uj = b_j + P_u . Q_j``
(the user bias cancels in every pairwise comparison, so there is none); no sequence information.
Training: (u, i, j) with i a training item of u and j uniform over the items u has not trained on,
one pass over the training interactions per epoch (LearnBPR draws (u, i) uniformly from the
observed pairs), loss ``-log sigmoid(x_ui - x_uj)`` plus ``l2 * (|P_u|^2 + |Q_i|^2 + |Q_j|^2 +
b_i^2 + b_j^2) / 2`` per example (the SGD form of ``lambda ||Theta||^2``), averaged over the batch.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common


@keras.saving.register_keras_serializable(package="sasrec_tf")
class BPRMF(common.TransitionModel):
  """Biased MF.

  Args:
    num_users, num_items: largest ids.
    hidden_units: d.
    l2_emb: per-example l2 of the touched rows.
  """

  def __init__(self, num_users: int, num_items: int, hidden_units: int = 50, l2_emb: float = 0.0,
               **kwargs):
    super().__init__(num_users, num_items, hidden_units, l2_emb, **kwargs)
    self.user_factors = common.Table(num_users, hidden_units, name="user_factors")
    self.item_factors = common.Table(num_items, hidden_units, name="item_factors")
    self.item_bias = common.Table(num_items, 1, "zeros", name="item_bias")

  def candidate_scores(self, users, prev, candidates):
    del prev
    p = self.user_factors(users)
    return (tf.einsum("bd,bcd->bc", p, self.item_factors(candidates))
            + self.item_bias(candidates)[..., 0])

  def all_scores(self, users, prev):
    del prev
    return (tf.matmul(self.user_factors(users), self.item_factors.full(), transpose_b=True)
            + self.item_bias.full()[:, 0][None, :])

  def penalty(self, users, prev, items):
    del prev
    return common.row_penalty(self.l2, self.user_factors(users), self.item_factors(items),
                              self.item_bias(items))


def make_sampler(split, settings, seed):
  """Every training interaction (p >= 0, no input item) once per epoch."""
  return common.transition_sampler(split, settings, seed, input_len=0, min_prefix=0)


MODEL_SPECS = common.transition_specs("bpr", BPRMF, make_sampler)
