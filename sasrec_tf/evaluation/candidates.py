"""Evaluated users, excluded items and sampled candidate lists (SPEC §2.1, §2.3, §5.1).

Everything is vectorised over users and driven by a caller-supplied ``np.random.Generator``: pass a
generator that lives across evaluations to re-draw users and negatives every time (original code),
or a freshly seeded one to evaluate every epoch on the same draw (recommended, SPEC §2.5).

Exclusion rules (items that are never negatives in the sampled protocol and never compete with the
target in full ranking; the target itself always stays a candidate):
  * ``"train"``: the user's training items (SASRec / SSE-PT code, sampled default). The validation
    item and, at test time, the test item can be drawn as negatives.
  * ``"seen"``: the items of the stage's input history: training items, plus the validation item at
    test time (AttRec code rule, full-ranking default: "items not in the training sequence").
  * ``"tisasrec"``: training items plus the validation item, plus the test item at test time
    (TiSASRec code, SPEC §5.1).
  * ``"history"``: the user's whole sequence (training, validation and test items) at both stages.
  * ``"none"``: nothing is excluded.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from sasrec_tf.data.sequences import LeaveOneOutSplit
from sasrec_tf.data.item_sets import ItemSets

EXCLUSION_RULES = ("train", "seen", "tisasrec", "history", "none")
STAGES = ("valid", "test")


def check_stage(stage: str) -> str:
  if stage not in STAGES:
    raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
  return stage


def targets(split: LeaveOneOutSplit, users: np.ndarray, stage: str) -> np.ndarray:
  """int32 [U] target item of each user at ``stage`` (validation or test item)."""
  column = split.valid if check_stage(stage) == "valid" else split.test
  return np.asarray(column, np.int32)[np.asarray(users, np.int64)]


def select_users(split: LeaveOneOutSplit, stage: str, max_users: Optional[int] = 10000,
                 rng: Optional[np.random.Generator] = None) -> np.ndarray:
  """Ids of the users scored at ``stage`` (SPEC §2.1).

  If ``max_users`` is set and ``num_users > max_users``, draws ``max_users`` ids uniformly without
  replacement from ``1..num_users`` and keeps those with a non-empty training list and a ``stage``
  item (so slightly fewer than ``max_users`` may remain). Otherwise returns every such user.

  Args:
    split: the leave-one-out split.
    stage: ``"valid"`` or ``"test"``.
    max_users: subsample size, or None for all users.
    rng: generator for the subsample (required only when subsampling).

  Returns:
    int64 [U] sorted user ids.
  """
  evaluable = np.asarray(split.evaluable_users(check_stage(stage)), np.int64)
  if max_users is None or split.num_users <= max_users:
    return np.sort(evaluable)
  if rng is None:
    raise ValueError("an rng is needed to subsample users")
  drawn = rng.choice(np.arange(1, split.num_users + 1, dtype=np.int64), size=max_users,
                     replace=False)
  return np.sort(drawn[np.isin(drawn, evaluable)])


def exclusion_sets(split: LeaveOneOutSplit, users: np.ndarray, stage: str, rule: str,
                   train_sets: Optional[ItemSets] = None) -> ItemSets:
  """Items excluded for each user under ``rule`` (see module docstring).

  Args:
    split: the leave-one-out split.
    users: int [U] user ids.
    stage: ``"valid"`` or ``"test"``.
    rule: one of ``EXCLUSION_RULES``.
    train_sets: optional precomputed ``ItemSets.from_lists(split.train, num_items)`` (indexed by
      user id), to avoid rebuilding it at every call.

  Returns:
    ItemSets with row i = excluded items of ``users[i]`` (the target may be among them).
  """
  check_stage(stage)
  if rule not in EXCLUSION_RULES:
    raise ValueError(f"exclusion rule must be one of {EXCLUSION_RULES}, got {rule!r}")
  users = np.asarray(users, np.int64)
  if rule == "none":
    return ItemSets(users.size, split.num_items, np.zeros(0), np.zeros(0))
  if train_sets is None:
    train_sets = ItemSets.from_lists(split.train, split.num_items)
  sets = train_sets.take(users)
  valid = np.asarray(split.valid, np.int64)[users]
  test = np.asarray(split.test, np.int64)[users]
  zero = np.zeros_like(valid)
  extra = {
      "train": None,
      "seen": (zero if stage == "valid" else valid,),
      "tisasrec": (valid, zero if stage == "valid" else test),
      "history": (valid, test),
  }[rule]
  if extra is None:
    return sets
  return sets.with_items(np.stack(extra, axis=1))


def sample_negatives(excluded: ItemSets, num_negatives: int, rng: np.random.Generator,
                     block_cells: int = 1 << 24) -> np.ndarray:
  """Uniform negatives from ``1..num_items`` with replacement, avoiding each row's excluded items.

  Draws all entries at once, then re-draws only the rejected entries until none is left, so the
  result is distributed exactly as the original per-draw rejection loop (duplicates allowed).
  Rejections are looked up in dense boolean blocks of about ``block_cells`` entries (rows x items).

  Args:
    excluded: ItemSets with one row per user.
    num_negatives: C, negatives per user.
    rng: generator.
    block_cells: memory bound of one dense exclusion block (bytes).

  Returns:
    int32 [U, C] negatives.
  """
  n_rows, n_items = excluded.num_rows, excluded.num_items
  full = excluded.sizes() >= n_items
  if full.any():
    raise ValueError(f"rows {np.nonzero(full)[0][:10].tolist()} exclude every item; "
                     "no negative can be drawn")
  neg = rng.integers(1, n_items + 1, size=(n_rows, num_negatives), dtype=np.int64)
  step = max(1, block_cells // (n_items + 1))
  for start in range(0, n_rows, step):
    stop = min(start + step, n_rows)
    banned = excluded.dense(start, stop)  # bool [rows, num_items + 1]
    block = neg[start:stop]  # view: re-draws write into neg
    bad_r, bad_c = np.nonzero(banned[np.arange(stop - start)[:, None], block])
    while bad_r.size:
      block[bad_r, bad_c] = rng.integers(1, n_items + 1, size=bad_r.size, dtype=np.int64)
      still = banned[bad_r, block[bad_r, bad_c]]
      bad_r, bad_c = bad_r[still], bad_c[still]
  return neg.astype(np.int32)


def sample_candidates(excluded: ItemSets, target_items: np.ndarray, num_negatives: int,
                      rng: np.random.Generator) -> np.ndarray:
  """int32 [U, C+1] candidate lists: the target in column 0, then C sampled negatives.

  Args:
    excluded: ItemSets with one row per user (e.g. from ``exclusion_sets``).
    target_items: int [U] target item of each row.
    num_negatives: C (100 by default in the papers; SSE-PT also uses 500, 1000, 2000).
    rng: generator.
  """
  target_items = np.asarray(target_items, np.int32).reshape(-1, 1)
  if target_items.shape[0] != excluded.num_rows:
    raise ValueError(f"{target_items.shape[0]} targets for {excluded.num_rows} rows")
  return np.concatenate([target_items, sample_negatives(excluded, num_negatives, rng)], axis=1)
