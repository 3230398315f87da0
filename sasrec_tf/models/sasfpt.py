"""SAS-FPT (K. Yu, "Towards fully personalized attention for sequential recommendation").

SAS-FPT = TiSASRec (personalized, clipped relative intervals) + absolute week-of-year embedding
(52 buckets, UTC) + user embedding, each concatenated to the item embedding at every input slot:
``r_input = concat(item_emb, week_emb, user_emb)`` (paper §3.4), + a group-wise cosine embedding
loss on the user table (paper §3.3):

  L_grp = mean over the batch's pairs of  [label = +1]  1 - cos(U_a, U_b)
                                          [label = -1]  max(0, cos(U_a, U_b) - margin)

added to the recommendation loss with weight 0.01 (paper Table 1). The paper prints
``max(0, cos(emb_0, emb_1 - margin))``; the margin is subtracted from the cosine here, as in
PyTorch's CosineEmbeddingLoss (SPEC §5.3). Everything the paper leaves open (week width, scaling,
prediction layer, margin, pairs per batch, what makes a pair positive, sum vs mean, the
optimiser and schedule) follows the recommendations of SPEC §5.3, each a setting / flag:
week width 25 unscaled, user width 25 scaled by sqrt(25) at input and output, candidate vector
``[M_l ; W[target week] ; sqrt(d_u) U_u]``, margin 0 (PyTorch default), pairs drawn uniformly
over all users with a known group (positive = same ML-1M age bucket by default), mean over all
pairs (CosineEmbeddingLoss' default reduction), TiSASRec's training defaults.
"""

from __future__ import annotations

from typing import Optional

import keras
import tensorflow as tf

from sasrec_tf.models import tisasrec
from sasrec_tf.models.tisasrec import TiSASRec
from sasrec_tf.training.losses import masked_bce


def cosine_embedding_loss(a, b, label, margin: float = 0.0):
  """Mean over pairs of ``1 - cos`` (label +1) and ``max(0, cos - margin)`` (label -1).

  Args:
    a, b: float [P, d] vectors of the two sides of each pair.
    label: float [P], +1 (similar pair) or -1 (dissimilar pair).
    margin: the dissimilar pairs' cosine is pushed below this value.

  Returns:
    float scalar; 0 for an empty batch of pairs.
  """
  a = tf.math.l2_normalize(tf.cast(a, tf.float32), axis=-1, epsilon=1e-12)
  b = tf.math.l2_normalize(tf.cast(b, tf.float32), axis=-1, epsilon=1e-12)
  cos = tf.reduce_sum(a * b, axis=-1)
  label = tf.cast(label, tf.float32)
  per = tf.where(label > 0, 1.0 - cos, tf.nn.relu(cos - margin))
  count = tf.cast(tf.size(per), tf.float32)
  return tf.math.divide_no_nan(tf.reduce_sum(per), count)


@keras.saving.register_keras_serializable(package="sasrec_tf")
class SASFPT(TiSASRec):
  """TiSASRec with week-of-year and user embeddings and the group-wise cosine loss.

  Args (besides TiSASRec's; defaults are SAS-FPT's):
    week_embedding, week_units: the absolute week part (on, 25).
    user_units: user embedding width d_u (paper Table 1: 25; 0 = off, and no group loss).
    group_loss_weight: weight of L_grp (paper Table 1: 0.01; 0 = off).
    group_margin: margin of the dissimilar pairs (unspecified; PyTorch default 0.0).
    loss_form, loss_reduction: the recommendation loss (``losses.masked_bce``; code: "code",
      "mean").
  """

  def __init__(self, num_items: int, max_len: int, week_embedding: bool = True,
               user_units: int = 25, group_loss_weight: float = 0.01, group_margin: float = 0.0,
               loss_form: str = "code", loss_reduction: str = "mean", **kwargs):
    super().__init__(num_items, max_len, week_embedding=week_embedding, user_units=user_units,
                     **kwargs)
    self.group_loss_weight = float(group_loss_weight)
    self.group_margin = float(group_margin)
    self.loss_form, self.loss_reduction = loss_form, loss_reduction
    self.hparams.update({"group_loss_weight": self.group_loss_weight,
                         "group_margin": self.group_margin, "loss_form": loss_form,
                         "loss_reduction": loss_reduction})

  def group_loss(self, a, b, label):
    """L_grp of user id pairs a, b int [P] with labels float [P] (+1 / -1)."""
    if self.user_table is None:
      return tf.constant(0.0)
    self.user_table._ensure_built()  # pylint: disable=protected-access
    table = self.user_table.table
    return cosine_embedding_loss(tf.gather(table, tf.cast(a, tf.int32)),
                                 tf.gather(table, tf.cast(b, tf.int32)), label,
                                 self.group_margin)

  def train_loss(self, batch, training=True):
    """Masked BCE of the recommendation logits + group_loss_weight * L_grp of the batch's
    pairs (when the batch has pairs and the weight is non-zero)."""
    pos, neg = self.training_logits(batch, training=training)
    loss = masked_bce(pos, neg, batch["pos"], self.loss_form, self.loss_reduction)
    if self.group_loss_weight and "group_a" in batch:
      loss = loss + self.group_loss_weight * self.group_loss(
          batch["group_a"], batch["group_b"], batch["group_label"])
    return loss


SASFPT_KEYS = tisasrec.TISASREC_KEYS + ("group_loss_weight", "group_margin")
GROUP_KEYS = ("group_pairs", "group_by")


def _group_loss_on(settings) -> bool:
  return bool(settings.get("group_loss_weight")) and int(settings.get("group_pairs") or 0) > 0 \
      and int(settings.get("user_units") or 0) > 0


def build_sasfpt(split, settings, seed):
  """SAS-FPT for ``split`` with the model settings in ``settings``."""
  return SASFPT(num_items=split.num_items, num_users=split.num_users, seed=int(seed),
                loss_form=settings.get("loss_form", "code"),
                loss_reduction=settings.get("loss_reduction", "mean"),
                **tisasrec.model_kwargs(settings, SASFPT_KEYS))


def load_sasfpt_split(dataset, data_dir, settings):
  """The time-aware split, with user groups by ``group_by`` when the group loss is on."""
  group_by = settings.get("group_by") if _group_loss_on(settings) else None
  return tisasrec.load_time_split(dataset, data_dir, settings, group_by=group_by)


def make_sasfpt_sampler(split, settings, seed):
  """The time-aware sampler plus ``group_pairs`` positive / negative user pairs per batch.

  Groups come from the split (``TimedSplit.user_groups``, loaded by ``load_sasfpt_split``);
  ``group_by="activity"`` is computed from the split itself when the split carries none.

  Raises:
    ValueError: the group loss is on, but the split has no groups of the asked attribute.
  """
  groups: Optional[object] = None
  pairs = 0
  if _group_loss_on(settings):
    from sasrec_tf.data.time_features import activity_groups  # pylint: disable=import-outside-toplevel
    groups = getattr(split, "user_groups", None)
    if groups is not None and getattr(split, "group_by", None) != settings.get("group_by"):
      groups = None
    if groups is None and settings.get("group_by") == "activity":
      groups = activity_groups(split)
    if groups is None:
      raise ValueError(f"the SAS-FPT group loss needs user groups by "
                       f"{settings.get('group_by')!r}, and the split carries none (load it "
                       "with load_sasfpt_split, or use --group_by=activity)")
    pairs = int(settings["group_pairs"])
  return tisasrec.make_time_sampler(split, settings, seed, groups=groups, group_pairs=pairs)


def _specs():
  from sasrec_tf.models.registry import ModelSpec  # pylint: disable=import-outside-toplevel
  return {"sasfpt": ModelSpec(
      "sasfpt", model_keys=SASFPT_KEYS + GROUP_KEYS + tisasrec.TIME_DATA_KEYS,
      build=build_sasfpt, make_sampler=make_sasfpt_sampler,
      make_evaluator=tisasrec.make_time_evaluator, load_split=load_sasfpt_split,
      score_keys=tisasrec.TIME_SCORE_KEYS, requires_timestamps=True)}


MODEL_SPECS = _specs()
