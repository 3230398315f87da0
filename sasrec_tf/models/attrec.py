"""AttRec (Zhang et al., "Next Item Recommendation with Self-Attention") as its original code
computes it (SPEC §6), with the paper-text variants behind options.

Tables (paper names; the code calls them P, X, Q):
  * U [M+1, d]  user long-term vectors (code ``P``);
  * V [N+1, d]  item long-term vectors (code ``X``);
  * X [N+1, d]  item short-term vectors: the input window embeddings *and* the short-term target
    vectors (code ``Q``).
Distance of item j for user u with recent items X_t^u (lower = better, Eq. 10):

  y_j = omega * ||U_u - V_j||^2 + (1 - omega) * ||m_t^u - X_j||^2,  m_t^u = SelfAttention(X_t^u).

``score``/``score_all`` return ``-y`` (higher is better). Training minimises the hinge loss of
Eq. 11 with margin gamma over (positive, negative) pairs, summed over the batch, plus l2, and
optionally projects U, V, X into the unit ball after every update (Eq. 12).
"""

from __future__ import annotations

from typing import Optional

import keras
import tensorflow as tf

from sasrec_tf.layers.metric_attention import ShortTermSelfAttention
from sasrec_tf.layers.metric_embedding import MetricEmbedding
from sasrec_tf.layers.metric_scorer import SquaredEuclideanScorer

from sasrec_tf.models.persistence import ConfigPersistence
HINGE_PAIRS = ("elementwise", "all")

# Each paper-text variant next to the code behaviour (default), for the options resolved by
# ``resolve_variants``: option -> (code value, paper value).
CODE_VS_PAPER = {
    "diagonal_mask": ("after", "before"),
    "time_signal": ("concat", "interleave"),
    "hinge_pairs": ("elementwise", "all"),
    "negatives": ("targets", "history"),
}


def resolve_variants(settings) -> dict:
  """The code-vs-paper options of ``settings`` with None replaced by the choice of
  ``paper_literal`` (False: the original code; True: the paper text)."""
  paper = bool(settings.get("paper_literal", False))
  out = {}
  for key, (code, text) in CODE_VS_PAPER.items():
    value = settings.get(key)
    out[key] = (text if paper else code) if value is None else value
  return out


def hinge_loss(pos_dist, neg_dist, margin: float, pairs: str = "elementwise"):
  """Sum of ``[y_pos + margin - y_neg]_+`` over the batch (AttRec Eq. 11).

  Args:
    pos_dist: float [B, T] distances of the T target items.
    neg_dist: float [B, T] distances of the T sampled negatives.
    margin: gamma (0.5).
    pairs: ``"elementwise"`` (code: the k-th positive with the k-th negative, T terms per
      instance) or ``"all"`` (paper: every positive with every negative, T x T terms).

  Returns:
    float scalar: the sum (not the mean) over instances and pairs, as the code.
  """
  if pairs == "elementwise":
    terms = pos_dist + margin - neg_dist
  elif pairs == "all":
    terms = pos_dist[:, :, None] + margin - neg_dist[:, None, :]
  else:
    raise ValueError(f"pairs must be one of {HINGE_PAIRS}, got {pairs!r}")
  return tf.reduce_sum(tf.nn.relu(terms))


@keras.saving.register_keras_serializable(package="sasrec_tf")
class AttRec(ConfigPersistence, keras.Model):
  """Self-attentive metric learning for next-item recommendation.

  Args:
    num_users: largest user id (ids 1..num_users).
    num_items: largest item id (ids 1..num_items; 0 = padding).
    max_len: L, the number of recent items the short-term module attends over.
    target_len: T, targets (and negatives) per training window.
    hidden_units: d (paper: 100; code default 150).
    omega: weight of the long-term term (code: 0.2; omega=1: long-term only, 0: short-term
      only).
    margin: gamma of the hinge loss (0.5).
    dropout_rate: dropout on the self-attention's non-linear layer (code: 0).
    l2_emb: ``l2_emb * sum(w^2)/2`` on each of U, V, X, whole tables (code: 0.001).
    l2_attention: the same on W (code: 0.01).
    norm_clip: project the rows of U, V, X into the unit ball after each update (paper, sparse
      datasets; the code never runs its clipping ops).
    aggregation: "mean", "sum", "max" or "min" (Table 4).
    self_attention: False = "w/o Self-Att" (Table 3), m = mean of X_t^u.
    diagonal_mask: "after" (code) or "before" (paper) the softmax.
    time_signal: "concat" (code), "interleave" (paper) or "none".
    hinge_pairs: "elementwise" (code) or "all" (paper); see ``hinge_loss``.
    init_stddev: truncated-normal init of U, V, X (code: 0.001).
    seed: seed of the dropout layers.
  """

  def __init__(self, num_users: int, num_items: int, max_len: int = 5, target_len: int = 3,
               hidden_units: int = 100, omega: float = 0.2, margin: float = 0.5,
               dropout_rate: float = 0.0, l2_emb: float = 0.001, l2_attention: float = 0.01,
               norm_clip: bool = False, aggregation: str = "mean", self_attention: bool = True,
               diagonal_mask: str = "after", time_signal: str = "concat",
               hinge_pairs: str = "elementwise", init_stddev: float = 0.001,
               seed: Optional[int] = None, **kwargs):
    super().__init__(**kwargs)
    if not 0.0 <= float(omega) <= 1.0:
      raise ValueError(f"omega must be in [0, 1], got {omega}")
    if hinge_pairs not in HINGE_PAIRS:
      raise ValueError(f"hinge_pairs must be one of {HINGE_PAIRS}, got {hinge_pairs!r}")
    if int(max_len) < 1 or int(target_len) < 1:
      raise ValueError("max_len (L) and target_len (T) must be >= 1")
    self.hparams = dict(
        num_users=int(num_users), num_items=int(num_items), max_len=int(max_len),
        target_len=int(target_len), hidden_units=int(hidden_units), omega=float(omega),
        margin=float(margin), dropout_rate=float(dropout_rate), l2_emb=float(l2_emb),
        l2_attention=float(l2_attention), norm_clip=bool(norm_clip), aggregation=aggregation,
        self_attention=bool(self_attention), diagonal_mask=diagonal_mask,
        time_signal=time_signal, hinge_pairs=hinge_pairs, init_stddev=float(init_stddev),
        seed=seed)
    d = int(hidden_units)
    self.num_users, self.num_items = int(num_users), int(num_items)
    self.max_len, self.target_len, self.hidden_units = int(max_len), int(target_len), d
    self.omega, self.margin = float(omega), float(margin)
    self.norm_clip, self.hinge_pairs = bool(norm_clip), hinge_pairs
    self.user_embedding = MetricEmbedding(num_users, d, init_stddev, l2_emb,
                                          name="user_embedding")            # U (code P)
    self.long_item_embedding = MetricEmbedding(num_items, d, init_stddev, l2_emb,
                                               name="long_item_embedding")  # V (code X)
    self.short_item_embedding = MetricEmbedding(num_items, d, init_stddev, l2_emb,
                                                name="short_item_embedding")  # X (code Q)
    self.attention = ShortTermSelfAttention(
        d, dropout_rate, diagonal_mask=diagonal_mask, time_signal=time_signal,
        aggregation=aggregation, use_attention=self_attention, l2=l2_attention,
        seed=None if seed is None else int(seed) * 1000, name="short_term_attention")
    self.distance = SquaredEuclideanScorer(name="distance")

  def build(self, input_shape=None):
    # Sub-layers create their variables on first use; see build_for_inputs().
    self.built = True

  @staticmethod
  def _check_users(users):
    if users is None:
      raise ValueError("AttRec needs user ids: pass users=[B]")
    return tf.cast(users, tf.int32)

  def call(self, seq, training=False):
    """seq: int [B, L] recent items (0 = padding, most recent last) -> float [B, d] m_t^u."""
    seq = tf.cast(seq, tf.int32)
    mask = tf.cast(tf.not_equal(seq, 0), tf.float32)
    return self.attention(self.short_item_embedding(seq), mask, training=training)

  def short_term(self, seq, training=False):
    """Alias of ``call``: the short-term intent m_t^u, float [B, d]."""
    return self(seq, training=training)

  def attention_weights(self, seq):
    """seq: int [B, L] -> float [B, L, L] the affinity matrix S (AttRec Fig. 3), inference."""
    seq = tf.cast(seq, tf.int32)
    mask = tf.cast(tf.not_equal(seq, 0), tf.float32)
    return self.attention.attention_weights(self.short_item_embedding(seq), mask)

  def _distances(self, m, users, items):
    """m float [B, d], users int [B], items int [B, C] -> float [B, C] (Eq. 10)."""
    terms = []
    if self.omega != 0.0:
      long_term = self.distance(self.user_embedding(users), self.long_item_embedding(items))
      terms.append(self.omega * long_term)
    if self.omega != 1.0:
      short_term = self.distance(m, self.short_item_embedding(items))
      terms.append((1.0 - self.omega) * short_term)
    return tf.add_n(terms)

  def distances(self, seq, items, users, training=False):
    """seq int [B, L], items int [B, C], users int [B] -> float [B, C] distances y (Eq. 10)."""
    users = self._check_users(users)
    return self._distances(self(seq, training=training), users, items)

  def all_distances(self, seq, users):
    """seq int [B, L], users int [B] -> float [B, num_items + 1] distances of every item."""
    users = self._check_users(users)
    m = self(seq, training=False)
    terms = []
    if self.omega != 0.0:
      terms.append(self.omega * self.distance.all_items(
          self.user_embedding(users), self.long_item_embedding.full_table()))
    if self.omega != 1.0:
      terms.append((1.0 - self.omega) * self.distance.all_items(
          m, self.short_item_embedding.full_table()))
    return tf.add_n(terms)

  def score(self, seq, candidates, users=None):
    """seq int [B, L], candidates int [B, C], users int [B] -> float [B, C] = minus distance."""
    return -self.distances(seq, candidates, users)

  def score_all(self, seq, users=None):
    """seq int [B, L], users int [B] -> float [B, num_items + 1] = minus distance (column 0 is
    the padding item and means nothing)."""
    return -self.all_distances(seq, users)

  def train_loss(self, batch, training=True):
    """Hinge loss (sum over the batch) of a sampler batch: user [B], seq [B, L], pos/neg [B, T]."""
    users = self._check_users(batch["user"])
    m = self(batch["seq"], training=training)  # one short-term vector (and dropout draw) per row
    pos = self._distances(m, users, batch["pos"])
    neg = self._distances(m, users, batch["neg"])
    return hinge_loss(pos, neg, self.margin, self.hinge_pairs)

  def regularization_loss(self):
    """``l2_emb/2 * (|U|^2 + |V|^2 + |X|^2) + l2_attention/2 * |W|^2`` (whole tables, code)."""
    terms = [self.user_embedding.l2_loss(), self.long_item_embedding.l2_loss(),
             self.short_item_embedding.l2_loss(), self.attention.l2_loss()]
    return tf.add_n([tf.convert_to_tensor(t, tf.float32) for t in terms])

  def after_train_step(self):
    """Norm clipping (paper Eq. 12): every row of U, V and X back into the unit ball."""
    if self.norm_clip:
      for table in (self.user_embedding, self.long_item_embedding, self.short_item_embedding):
        table.clip_to_unit_ball(1.0)

  def build_for_inputs(self):
    """Creates every variable, also those omega = 0 or 1 leaves unused (needed before a
    checkpoint restore, and so that every configuration has the same variables)."""
    for table in (self.user_embedding, self.long_item_embedding, self.short_item_embedding):
      table(tf.ones((1,), tf.int32))
    seq = tf.ones((1, self.max_len), tf.int32)
    self.score(seq, tf.ones((1, 1), tf.int32), users=tf.ones((1,), tf.int32))
    return self



ATTREC_KEYS = ("max_len", "target_len", "hidden_units", "omega", "margin", "dropout_rate",
               "l2_emb", "l2_attention", "norm_clip", "aggregation", "self_attention",
               "paper_literal", "diagonal_mask", "time_signal", "hinge_pairs", "negatives",
               "holdout_validation", "select_metric", "initial_accumulator")
_MODEL_ARGS = ("max_len", "target_len", "hidden_units", "omega", "margin", "dropout_rate",
               "l2_emb", "l2_attention", "norm_clip", "aggregation", "self_attention")


def build_attrec(split, settings, seed):
  """AttRec for ``split`` with the settings of ``configs.attrec`` (run_experiment's builder)."""
  kwargs = {k: settings[k] for k in _MODEL_ARGS if k in settings}
  variants = resolve_variants(settings)
  return AttRec(num_users=split.num_users, num_items=split.num_items, seed=int(seed),
                diagonal_mask=variants["diagonal_mask"], time_signal=variants["time_signal"],
                hinge_pairs=variants["hinge_pairs"], **kwargs)


def make_attrec_sampler(split, settings, seed):
  """The AttRec window sampler (``data.attrec_sampler``) for run_experiment."""
  from sasrec_tf.data.attrec_sampler import AttRecSampler  # pylint: disable=import-outside-toplevel
  return AttRecSampler(split, settings["max_len"], settings["target_len"],
                       settings["batch_size"], seed=int(seed),
                       negatives=resolve_variants(settings)["negatives"])


def load_attrec_split(dataset, data_dir, settings):
  """The AttRec split of ``dataset`` (``data.attrec_data.load_attrec_split``)."""
  from sasrec_tf.data.attrec_data import load_attrec_split as load  # pylint: disable=import-outside-toplevel
  return load(dataset, data_dir, holdout_validation=settings.get("holdout_validation", True))


class TestAsValidationEvaluator:
  """Evaluates the test stage whatever stage is asked for (code protocol, no validation item).

  With ``holdout_validation=False`` the split's validation column is the test item (the code
  trains on everything but the test item and prints test metrics every epoch), so both stages
  report the test metrics and the "best epoch" is the best test epoch, exactly what reading the
  code's per-epoch printout gives.
  """

  def __init__(self, evaluator):
    self.evaluator = evaluator

  def evaluate(self, scorer, stage="valid", rng=None):
    del stage
    return self.evaluator.evaluate(scorer, "valid", rng)


def make_attrec_evaluator(split, settings, seed):
  """The full-ranking evaluator (HR@K incl. HR@50, MRR) of ``training.experiment``."""
  from sasrec_tf.training.experiment import make_evaluator  # pylint: disable=import-outside-toplevel
  evaluator = make_evaluator(split, settings, seed)
  if settings.get("holdout_validation", True):
    return evaluator
  return TestAsValidationEvaluator(evaluator)


def _specs():
  from sasrec_tf.models.registry import ModelSpec  # pylint: disable=import-outside-toplevel
  return {"attrec": ModelSpec(
      "attrec", model_keys=ATTREC_KEYS, build=build_attrec, make_sampler=make_attrec_sampler,
      make_evaluator=make_attrec_evaluator, load_split=load_attrec_split,
      score_keys=("users",))}


MODEL_SPECS = _specs()
