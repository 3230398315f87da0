"""Ranking metrics with one relevant item per user, and ranks from candidate scores (SPEC §2.4).

Ranks are 0-based throughout: rank 0 means the target scored best. With a single relevant item the
ideal DCG is 1, so ``NDCG@K = 1 / log2(rank + 2)`` when ``rank < K`` and 0 otherwise, and HR@K
(hit ratio) equals Recall@K. MRR uses the 1-based rank: ``1 / (rank + 1)``.
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional

import numpy as np

TIE_BREAKS = ("random", "pessimistic", "optimistic")


def _ranks(ranks) -> np.ndarray:
  ranks = np.asarray(ranks)
  if ranks.ndim != 1:
    raise ValueError(f"ranks must be a 1-D array [U], got shape {ranks.shape}")
  if ranks.size and ranks.min() < 0:
    raise ValueError("ranks must be 0-based and non-negative")
  return ranks.astype(np.int64, copy=False)


def ndcg_at_k(ranks, k: int) -> np.ndarray:
  """float64 [U] per-user NDCG@k from 0-based ranks int [U]."""
  ranks = _ranks(ranks)
  return np.where(ranks < k, 1.0 / np.log2(ranks + 2.0), 0.0)


def hit_at_k(ranks, k: int) -> np.ndarray:
  """float64 [U] per-user hit indicator ``rank < k`` (= Recall@k with one positive)."""
  return (_ranks(ranks) < k).astype(np.float64)


def mrr(ranks) -> np.ndarray:
  """float64 [U] per-user reciprocal rank ``1 / (rank + 1)``."""
  return 1.0 / (_ranks(ranks) + 1.0)


def summarize(ranks, ks: Iterable[int] = (1, 5, 10, 20, 50)) -> Dict[str, float]:
  """Means over users of NDCG@k and HR@k for every k in ``ks``, and MRR.

  Args:
    ranks: int [U] 0-based ranks of the target item of each scored user.
    ks: cut-offs.

  Returns:
    dict with keys ``"NDCG@k"`` and ``"HR@k"`` for each k, ``"MRR"`` (Python floats; NaN when no
    user was scored) and ``"num_users"`` (int, = U).
  """
  ranks = _ranks(ranks)
  n = int(ranks.size)

  def mean(values):
    return float(values.mean()) if n else float("nan")

  out = {}
  for k in ks:
    out[f"NDCG@{k}"] = mean(ndcg_at_k(ranks, k))
    out[f"HR@{k}"] = mean(hit_at_k(ranks, k))
  out["MRR"] = mean(mrr(ranks))
  out["num_users"] = n
  return out


def ranks_from_scores(scores, target_col=0, tie_break: str = "random",
                      rng: Optional[np.random.Generator] = None,
                      valid: Optional[np.ndarray] = None) -> np.ndarray:
  """0-based rank of each row's target among that row's candidates (higher score = better).

  ``rank = #{valid candidates c != target with score[c] > score[target]} + t``, where t resolves the
  ``m`` other valid candidates whose score equals the target's exactly:
    * ``"random"``: t uniform in ``0..m`` (the target takes a uniformly random place among the tied
      group; the original code's double argsort broke ties arbitrarily, SPEC §2.4);
    * ``"pessimistic"``: t = m (target ranked after all ties);
    * ``"optimistic"``: t = 0 (target ranked before all ties).
  In the sampled protocol ties occur mainly when the target id was also drawn as a negative.

  Args:
    scores: float [B, C] candidate scores (numpy array or anything ``np.asarray`` accepts, e.g. an
      eager tf.Tensor). NaN scores raise ValueError; -inf/+inf are compared as numbers.
    target_col: column of the target, an int (same for all rows) or int [B].
    tie_break: one of ``"random"``, ``"pessimistic"``, ``"optimistic"``.
    rng: generator for the random tie-break; ``None`` uses ``np.random.default_rng(0)``.
    valid: optional bool [B, C]; False marks candidates that do not compete (excluded items,
      padding column). The target column is always treated as the target, whatever ``valid`` says.

  Returns:
    int64 [B] ranks in ``0..C-1``.
  """
  if tie_break not in TIE_BREAKS:
    raise ValueError(f"tie_break must be one of {TIE_BREAKS}, got {tie_break!r}")
  scores = np.asarray(scores)
  if scores.ndim != 2:
    raise ValueError(f"scores must have shape [B, C], got {scores.shape}")
  b = scores.shape[0]
  if np.isnan(scores).any():
    raise ValueError("scores contain NaN")
  cols = np.broadcast_to(np.asarray(target_col, np.int64), (b,))
  rows = np.arange(b)
  target = scores[rows, cols][:, None]
  greater = scores > target
  equal = scores == target
  equal[rows, cols] = False  # The target does not tie with itself.
  greater[rows, cols] = False
  if valid is not None:
    valid = np.asarray(valid, bool)
    if valid.shape != scores.shape:
      raise ValueError(f"valid mask {valid.shape} must match scores {scores.shape}")
    greater &= valid
    equal &= valid
  rank = np.count_nonzero(greater, axis=1).astype(np.int64)
  if tie_break == "optimistic":
    return rank
  ties = np.count_nonzero(equal, axis=1).astype(np.int64)
  if tie_break == "pessimistic":
    return rank + ties
  if rng is None:
    rng = np.random.default_rng(0)
  return rank + rng.integers(0, ties + 1)
