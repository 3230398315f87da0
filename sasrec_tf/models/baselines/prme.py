"""PRME (Feng et al., IJCAI 2015): personalised ranking metric embedding.

AttRec Table 2 "PRME". Two Euclidean spaces: a preference space with users U_u and items P_j, and
a sequential space with items S; the distance from (u, last item i) to j is
``alpha * ||U_u - P_j||^2 + (1 - alpha) * ||S_i - S_j||^2`` (lower = better; the score is its
negative) with alpha = 0.2 (the paper's component weight). PRME-G's time-interval threshold needs
timestamps and is not used: the sequential component always applies. Training: BPR on distances
(u, i, j, k) plus ``l2 * (|U_u|^2 + |S_i|^2 + |P_j|^2 + |S_j|^2 + |P_k|^2 + |S_k|^2) / 2`` per
example.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sasrec_tf.models.baselines import common


@keras.saving.register_keras_serializable(package="sasrec_tf")
class PRME(common.TransitionModel):
  """Args: num_users, num_items; hidden_units d; l2_emb; prme_alpha (component weight)."""

  def __init__(self, num_users: int, num_items: int, hidden_units: int = 100,
               l2_emb: float = 0.0, prme_alpha: float = 0.2, **kwargs):
    if not 0.0 <= prme_alpha <= 1.0:
      raise ValueError(f"prme_alpha must be in [0, 1], got {prme_alpha}")
    super().__init__(num_users, num_items, hidden_units, l2_emb, **kwargs)
    self.hparams["prme_alpha"] = float(prme_alpha)
    self.alpha = float(prme_alpha)
    self.users_pref = common.Table(num_users, hidden_units, name="users_pref")
    self.items_pref = common.Table(num_items, hidden_units, name="items_pref")
    self.items_seq = common.Table(num_items, hidden_units, name="items_seq")

  def candidate_scores(self, users, prev, candidates):
    pref = tf.reduce_sum(tf.square(self.users_pref(users)[:, None, :]
                                   - self.items_pref(candidates)), axis=-1)
    seq = tf.reduce_sum(tf.square(self.items_seq(prev)[:, None, :]
                                  - self.items_seq(candidates)), axis=-1)
    return -(self.alpha * pref + (1.0 - self.alpha) * seq)

  def all_scores(self, users, prev):
    pref = common.squared_distance_all(self.users_pref(users), self.items_pref.full())
    seq = common.squared_distance_all(self.items_seq(prev), self.items_seq.full())
    return -(self.alpha * pref + (1.0 - self.alpha) * seq)

  def penalty(self, users, prev, items):
    return common.row_penalty(self.l2, self.users_pref(users), self.items_seq(prev),
                              self.items_pref(items), self.items_seq(items))


KEYS = ("hidden_units", "l2_emb", "prme_alpha")


def build(split, settings, seed):
  del seed
  return PRME(split.num_users, split.num_items, **common.subset(settings, KEYS))


MODEL_SPECS = {"prme": common.model_spec("prme", KEYS + ("max_len",), build,
                                         common.transition_sampler)}
