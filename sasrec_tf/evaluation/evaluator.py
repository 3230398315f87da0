"""Model-agnostic evaluator for the sampled (SPEC §2) and full-ranking (SPEC §6.5) protocols.

A model plugs in as a *scorer*: a callable ``scorer(batch) -> scores`` where ``batch`` is a dict of
numpy arrays for B users:
  * ``"users"``: int32 [B] user ids;
  * ``"seqs"``: int32 [B, n] input windows (``inputs.eval_inputs``; left-padded with 0);
  * ``"candidates"``: int32 [B, C+1] candidate items, target in column 0 (sampled protocol only);
  * ``"times"``: int64 [B, n] timestamps aligned with ``seqs`` (only with ``include_times=True``);
  * any keys returned by ``extra_inputs_fn(batch, stage)`` (e.g. relation matrices).
It returns higher-is-better scores (numpy array or eager tf.Tensor): float [B, C+1] for the sampled
protocol, float [B, num_items + 1] for the full protocol (column 0 is the padding item and is
ignored). Distance-based models (AttRec) return negative distances.

An object with methods ``score_candidates(batch)`` and/or ``score_all(batch)`` can be passed
instead of a plain callable; the method matching the protocol is used, so one model wrapper can
serve both protocols.

Randomness: ``evaluate(..., rng=None)`` uses generators derived from ``(seed, stage)``, so every
evaluation scores the same users against the same negatives (recommended, SPEC §2.5; validation and
test draws are independent of each other, and the draw is cached per stage); passing a long-lived
``np.random.Generator`` re-draws users and negatives at every call, like the original code.
Results are deterministic given the seed and the scorer.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np

from sasrec_tf.data.sequences import LeaveOneOutSplit
from sasrec_tf.evaluation import candidates as cand
from sasrec_tf.evaluation.inputs import eval_inputs, eval_time_inputs
from sasrec_tf.data.item_sets import ItemSets
from sasrec_tf.evaluation.metrics import TIE_BREAKS, ranks_from_scores, summarize

PROTOCOLS = ("sampled", "full")
DEFAULT_EXCLUSION = {"sampled": "train", "full": "seen"}

Batch = Dict[str, np.ndarray]


@dataclasses.dataclass(frozen=True)
class EvalDraw:
  """The random part of one evaluation: who is scored and against what.

  Attributes:
    stage: ``"valid"`` or ``"test"``.
    users: int64 [U] sorted user ids.
    targets: int32 [U] target item per user.
    seqs: int32 [U, n] input windows.
    candidates: int32 [U, C+1] (target in column 0) for the sampled protocol, else None.
    excluded: ItemSets with row i = items that do not compete for ``users[i]`` (full protocol),
      else None.
  """

  stage: str
  users: np.ndarray
  targets: np.ndarray
  seqs: np.ndarray
  candidates: Optional[np.ndarray]
  excluded: Optional[ItemSets]


class Evaluator:
  """Scores a model on the validation or test items of a LeaveOneOutSplit.

  Args:
    split: the leave-one-out split.
    maxlen: input window length n.
    protocol: ``"sampled"`` (target + C uniform negatives; SASRec / SSE-PT / TiSASRec) or
      ``"full"`` (rank against all items 1..num_items; AttRec).
    num_negatives: C for the sampled protocol (100; SSE-PT also 500 / 1000 / 2000).
    exclusion: one of ``candidates.EXCLUSION_RULES``; None picks the code behaviour of the
      protocol: ``"train"`` for sampled, ``"seen"`` (training sequence incl. the validation item at
      test time) for full. Use ``"tisasrec"`` for TiSASRec / SAS-FPT, ``"none"`` to exclude nothing.
    max_users: subsample size when ``num_users`` exceeds it (SPEC §2.1), or None for all users.
      AttRec's protocol averages over all users: pass None there.
    ks: cut-offs of NDCG@K / HR@K.
    batch_size: users per scorer call.
    seed: evaluation seed used when ``evaluate`` gets no rng.
    tie_break: ``"random"``, ``"pessimistic"`` or ``"optimistic"`` (see ``ranks_from_scores``).
    include_times: add ``batch["times"]`` (needs a split with timestamps).
    extra_inputs_fn: optional ``fn(batch, stage) -> Mapping[str, array]`` merged into each batch.
  """

  def __init__(self, split: LeaveOneOutSplit, maxlen: int, protocol: str = "sampled",
               num_negatives: int = 100, exclusion: Optional[str] = None,
               max_users: Optional[int] = 10000, ks: Sequence[int] = (1, 5, 10, 20, 50),
               batch_size: int = 256, seed: int = 0, tie_break: str = "random",
               include_times: bool = False,
               extra_inputs_fn: Optional[Callable[[Batch, str], Mapping[str, Any]]] = None):
    if protocol not in PROTOCOLS:
      raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    exclusion = DEFAULT_EXCLUSION[protocol] if exclusion is None else exclusion
    if exclusion not in cand.EXCLUSION_RULES:
      raise ValueError(f"exclusion must be one of {cand.EXCLUSION_RULES}, got {exclusion!r}")
    if tie_break not in TIE_BREAKS:
      raise ValueError(f"tie_break must be one of {TIE_BREAKS}, got {tie_break!r}")
    if maxlen < 1 or batch_size < 1 or num_negatives < 1:
      raise ValueError("maxlen, batch_size and num_negatives must be positive")
    if include_times and split.train_times is None:
      raise ValueError("include_times=True needs a split with timestamps")
    self.split = split
    self.maxlen = int(maxlen)
    self.protocol = protocol
    self.num_negatives = int(num_negatives)
    self.exclusion = exclusion
    self.max_users = max_users
    self.ks = tuple(ks)
    self.batch_size = int(batch_size)
    self.seed = int(seed)
    self.tie_break = tie_break
    self.include_times = include_times
    self.extra_inputs_fn = extra_inputs_fn
    self._train_sets: Optional[ItemSets] = None
    self._fixed: Dict[str, EvalDraw] = {}

  @property
  def train_sets(self) -> ItemSets:
    """Training items of every user (row = user id), built once."""
    if self._train_sets is None:
      self._train_sets = ItemSets.from_lists(self.split.train, self.split.num_items)
    return self._train_sets

  def _rngs(self, stage: str,
            rng: Optional[np.random.Generator]) -> Tuple[np.random.Generator, np.random.Generator]:
    """(draw rng, tie-break rng): the fixed-seed streams when rng is None, else rng for both."""
    if rng is not None:
      return rng, rng
    seq = np.random.SeedSequence([self.seed, cand.STAGES.index(stage)])
    draw_seq, tie_seq = seq.spawn(2)
    return np.random.default_rng(draw_seq), np.random.default_rng(tie_seq)

  def draw(self, stage: str, rng: np.random.Generator) -> EvalDraw:
    """Selects users and builds their inputs and candidates (sampled) or exclusions (full)."""
    cand.check_stage(stage)
    users = cand.select_users(self.split, stage, self.max_users, rng)
    targets = cand.targets(self.split, users, stage)
    seqs = eval_inputs(self.split, users, stage, self.maxlen)
    excluded = cand.exclusion_sets(self.split, users, stage, self.exclusion, self.train_sets)
    if self.protocol == "sampled":
      candidates = cand.sample_candidates(excluded, targets, self.num_negatives, rng)
      return EvalDraw(stage, users, targets, seqs, candidates, None)
    return EvalDraw(stage, users, targets, seqs, None, excluded)

  def batches(self, draw: EvalDraw):
    """Yields (start, stop, batch dict) over the drawn users, ``batch_size`` users at a time."""
    for start in range(0, draw.users.size, self.batch_size):
      stop = min(start + self.batch_size, draw.users.size)
      users = draw.users[start:stop]
      batch = {"users": users.astype(np.int32), "seqs": draw.seqs[start:stop]}
      if draw.candidates is not None:
        batch["candidates"] = draw.candidates[start:stop]
      if self.include_times:
        batch["times"] = eval_time_inputs(self.split, users, draw.stage, self.maxlen)
      if self.extra_inputs_fn is not None:
        batch.update(self.extra_inputs_fn(batch, draw.stage))
      yield start, stop, batch

  def _score_fn(self, scorer) -> Callable[[Batch], Any]:
    method = "score_candidates" if self.protocol == "sampled" else "score_all"
    fn = getattr(scorer, method, None)
    if fn is not None:
      return fn
    if callable(scorer):
      return scorer
    raise TypeError(f"scorer must be callable or have a {method}(batch) method")

  def rank(self, scorer, stage: str = "valid",
           rng: Optional[np.random.Generator] = None) -> Tuple[np.ndarray, np.ndarray]:
    """0-based rank of each scored user's target.

    Args:
      scorer: see the module docstring.
      stage: ``"valid"`` or ``"test"``.
      rng: None for the fixed evaluation seed, or a generator to draw from.

    Returns:
      (users int64 [U], ranks int64 [U]); per-user ranks allow paired tests between models.
    """
    cand.check_stage(stage)
    score = self._score_fn(scorer)
    draw_rng, tie_rng = self._rngs(stage, rng)
    if rng is None:
      if stage not in self._fixed:
        self._fixed[stage] = self.draw(stage, draw_rng)
      draw = self._fixed[stage]
    else:
      draw = self.draw(stage, draw_rng)
    ranks = np.zeros(draw.users.size, np.int64)
    width = (self.num_negatives + 1 if self.protocol == "sampled"
             else self.split.num_items + 1)
    for start, stop, batch in self.batches(draw):
      scores = np.asarray(score(batch))
      if scores.shape != (stop - start, width):
        raise ValueError(f"scorer returned shape {scores.shape}, expected {(stop - start, width)}")
      if self.protocol == "sampled":
        ranks[start:stop] = ranks_from_scores(scores, 0, self.tie_break, tie_rng)
      else:
        competing = ~draw.excluded.dense(start, stop)
        competing[:, 0] = False  # Padding item.
        ranks[start:stop] = ranks_from_scores(scores, draw.targets[start:stop], self.tie_break,
                                              tie_rng, valid=competing)
    return draw.users, ranks

  def evaluate(self, scorer, stage: str = "valid",
               rng: Optional[np.random.Generator] = None) -> Dict[str, float]:
    """Metrics of ``scorer`` at ``stage``: ``summarize(ranks, ks)``.

    Returns:
      dict with "NDCG@K", "HR@K" per K in ``ks``, "MRR" (floats) and "num_users" (int).
    """
    _, ranks = self.rank(scorer, stage, rng)
    return summarize(ranks, self.ks)
