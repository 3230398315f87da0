"""The papers' preprocessing rules as pure functions on :class:`Interactions` (SPEC §1).

Building blocks (filters, renumbering, ordering, personalized time) come first; the ``*_rule``
functions at the end compose them into one paper's pipeline and are named in :data:`RULES`,
which the dataset registry refers to. Nothing here reads files or knows about models.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

from sasrec_tf.data.readers import Interactions
from sasrec_tf.data.sequences import SequenceDataset

ID_ORDERS = ("first_appearance", "ascending")


def _row_counts(keys: np.ndarray) -> np.ndarray:
  """int64 [N]: how many rows share each row's key."""
  _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
  return counts[inverse.reshape(-1)]


def count_filter(inter: Interactions, min_user_count: int = 5,
                 min_item_count: int = 5) -> Interactions:
  """SASRec's single-pass filter (SPEC §1.2 steps 1-2), file order kept.

  A row is kept iff its user has >= ``min_user_count`` rows and its item >= ``min_item_count``
  rows, both counted once on the *input* (duplicates included). It is not an iterative k-core:
  users and items may end up with fewer rows than the thresholds.
  """
  keep = np.ones(len(inter), bool)
  if min_user_count > 1:
    keep &= _row_counts(inter.users) >= min_user_count
  if min_item_count > 1:
    keep &= _row_counts(inter.items) >= min_item_count
  return inter.take(keep)


def attrec_filter(inter: Interactions, min_user_count: int = 10,
                  min_item_count: int = 2) -> Interactions:
  """AttRec's filter (SPEC §1.8, recommended reading), file order kept.

  First drops items with fewer than ``min_item_count`` rows (default: items seen once, the
  "cold-start items"), then users with fewer than ``min_user_count`` of the remaining rows.
  One pass each, not iterated.
  """
  if min_item_count > 1:
    inter = inter.take(_row_counts(inter.items) >= min_item_count)
  if min_user_count > 1 and len(inter):
    inter = inter.take(_row_counts(inter.users) >= min_user_count)
  return inter


def renumber(keys: np.ndarray, order: str = "first_appearance") -> Tuple[np.ndarray, np.ndarray]:
  """Maps raw keys to consecutive ids 1..K.

  Args:
    keys: [N] raw keys (ints or str).
    order: 'first_appearance' (id order = order of first occurrence in ``keys``, SPEC §1.2)
      or 'ascending' (id order = sorted raw keys, SPEC §1.4 / §1.5).

  Returns:
    (int64 [N] ids, [K] vocabulary with ``vocabulary[id - 1] == key``).
  """
  if order not in ID_ORDERS:
    raise ValueError(f"unknown id order {order!r}; expected one of {ID_ORDERS}")
  uniques, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
  inverse = inverse.reshape(-1)
  if order == "ascending":
    return inverse.astype(np.int64) + 1, uniques
  by_first = np.argsort(first, kind="stable")
  rank = np.empty_like(by_first)
  rank[by_first] = np.arange(len(by_first))
  return rank[inverse].astype(np.int64) + 1, uniques[by_first]


def _raw_ids(keys: np.ndarray, what: str) -> np.ndarray:
  ids = np.asarray(keys)
  if ids.dtype.kind not in "iu" or (ids.size and ids.min() < 1):
    raise ValueError(f"keeping raw {what} ids needs integer ids >= 1")
  return ids.astype(np.int64)


def _ids(keys: np.ndarray, order: str, what: str) -> np.ndarray:
  return _raw_ids(keys, what) if order == "raw" else renumber(keys, order)[0]


def chronological(users: np.ndarray, timestamps: np.ndarray) -> np.ndarray:
  """Row permutation: grouped by user (ascending), each user's rows by time.

  The sort is stable: rows with equal timestamps keep their input order (SPEC §1.2 step 4).
  """
  return np.lexsort((timestamps, users))


def to_sequences(name: str, users: np.ndarray, items: np.ndarray,
                 timestamps=None) -> SequenceDataset:
  """SequenceDataset from id rows already in the wanted per-user order (kept as given)."""
  return SequenceDataset.from_pairs(name, users, items, timestamps)


def offset_timestamps(timestamps: np.ndarray) -> np.ndarray:
  """TiSASRec's global time offset: ``round(t - min t)`` as int64 (SPEC §1.5 step 2).

  For integer timestamps this shift does not change :func:`personalized_timestamps`.
  """
  t = np.asarray(timestamps)
  return np.round(t - t.min()).astype(np.int64)


def personalized_timestamps(timestamps: Sequence[np.ndarray]) -> List[np.ndarray]:
  """TiSASRec's personalized time of every user (SPEC §1.5 step 5).

  For a user with times ``t`` (whole sequence, validation and test included), ``r_u`` is the
  smallest strictly positive gap between sorted times (1 if none) and each time becomes
  ``round((t - min t) / r_u) + 1`` (>= 1; 0 stays padding). Rounding is half-to-even, like the
  original code's Python 3 ``round``.

  Args:
    timestamps: per-user int arrays (e.g. ``SequenceDataset.timestamps``).

  Returns:
    per-user int64 arrays, aligned with the input.
  """
  out = []
  for t in timestamps:
    t = np.asarray(t, dtype=np.int64)
    if t.size == 0:
      out.append(np.zeros(0, np.int64))
      continue
    gaps = np.diff(np.sort(t))
    gaps = gaps[gaps > 0]
    scale = gaps.min() if gaps.size else 1
    out.append(np.round((t - t.min()) / scale).astype(np.int64) + 1)
  return out


def with_personalized_time(dataset: SequenceDataset) -> SequenceDataset:
  """Copy of ``dataset`` whose timestamps are replaced by personalized times (TiSASRec τ)."""
  if dataset.timestamps is None:
    raise ValueError(f"{dataset.name}: personalized time needs timestamps")
  return SequenceDataset(dataset.name, dataset.sequences, dataset.num_users, dataset.num_items,
                         personalized_timestamps(dataset.timestamps))


def latest_last_order(users: np.ndarray, timestamps: np.ndarray) -> np.ndarray:
  """Row permutation used by AttRec / DeepRec (SPEC §1.8).

  Each user's rows are chronological (stable), except that the test row -- the *first* row in
  input order among the user's latest timestamp -- is moved to the end, so that the last item of
  every sequence is DeepRec's test item.
  """
  rows = np.arange(len(users))
  by_user_time = np.lexsort((rows, -timestamps, users))  # latest first, earliest row first
  starts = np.ones(len(users), bool)
  starts[1:] = users[by_user_time[1:]] != users[by_user_time[:-1]]
  is_test = np.zeros(len(users), bool)
  is_test[by_user_time[starts]] = True
  return np.lexsort((rows, timestamps, is_test, users))


# --------------------------------------------------------------------------- rules


def as_is_rule(inter: Interactions, name: str) -> SequenceDataset:
  """Already preprocessed ``user item`` rows (SASRec .txt): ids and file order kept (§1.1)."""
  return to_sequences(name, inter.users, inter.items, inter.timestamps)


def sasrec_rule(inter: Interactions, name: str, min_user_count: int = 5,
                min_item_count: int = 5, user_ids: str = "first_appearance",
                item_ids: str = "first_appearance") -> SequenceDataset:
  """SASRec / SSE-PT preprocessing (SPEC §1.2-1.4, §1.6).

  Single-pass count filter, renumbering among the kept rows, stable per-user time sort,
  duplicates kept, timestamps kept.

  Args:
    inter: raw rows with timestamps.
    name: dataset name.
    min_user_count, min_item_count: thresholds of :func:`count_filter` (0 disables).
    user_ids, item_ids: 'first_appearance' (Amazon / Steam, §1.2), 'ascending' (recommended for
      MovieLens, §1.4) or, for items only, 'raw' to keep raw integer ids (ML-10M, §1.6; then
      ``num_items`` is the largest raw id).
  """
  if inter.timestamps is None:
    raise ValueError(f"{name}: the SASRec rule sorts by time and needs timestamps")
  if user_ids == "raw":
    raise ValueError("user ids are always renumbered")
  kept = count_filter(inter, min_user_count, min_item_count)
  if not len(kept):
    raise ValueError(f"{name}: no interaction survives the filter")
  users = _ids(kept.users, user_ids, "user")
  items = _ids(kept.items, item_ids, "item")
  perm = chronological(users, kept.timestamps)
  return to_sequences(name, users[perm], items[perm], kept.timestamps[perm])


def tisasrec_rule(inter: Interactions, name: str, min_count: int = 5) -> SequenceDataset:
  """TiSASRec / SAS-FPT preprocessing (SPEC §1.5 steps 1, 3, 4).

  Single-pass >= ``min_count`` filter on users and items (0: SAS-FPT's cold-start data, §1.5
  last line), ids by ascending raw id, stable time sort. Timestamps stay absolute unix seconds
  (SAS-FPT needs calendar time); apply :func:`personalized_timestamps` for TiSASRec's τ, which
  the global offset of step 2 does not change.
  """
  return sasrec_rule(inter, name, min_count, min_count, "ascending", "ascending")


def attrec_rule(inter: Interactions, name: str, min_user_count: int = 10,
                min_item_count: int = 2, ids: str = "first_appearance") -> SequenceDataset:
  """AttRec preprocessing (SPEC §1.8).

  :func:`attrec_filter`, then the :func:`latest_last_order` of DeepRec, so that the leave-one-out
  split yields AttRec's test (last item) and validation (second to last) items.

  Args:
    inter: raw rows with timestamps.
    name: dataset name.
    min_user_count, min_item_count: see :func:`attrec_filter` (0 disables; MovieLens: none).
    ids: 'first_appearance' (users and items by first occurrence in the file among kept rows),
      or 'deeprec' (DeepRec ML-100K: users ascending, items by first occurrence in the written
      ``train.dat`` -- users ascending, each chronological -- then in ``test.dat``).
  """
  if inter.timestamps is None:
    raise ValueError(f"{name}: the AttRec rule orders by time and needs timestamps")
  kept = attrec_filter(inter, min_user_count, min_item_count)
  if not len(kept):
    raise ValueError(f"{name}: no interaction survives the filter")
  if ids == "first_appearance":
    users, _ = renumber(kept.users)
    items, _ = renumber(kept.items)
    perm = latest_last_order(users, kept.timestamps)
  elif ids == "deeprec":
    users, _ = renumber(kept.users, "ascending")
    perm = latest_last_order(users, kept.timestamps)
    last = np.ones(len(perm), bool)
    last[:-1] = users[perm[1:]] != users[perm[:-1]]
    # test.dat lists users in order of their first row in the input file.
    first_row = np.full(users.max() + 1, len(users))
    np.minimum.at(first_row, users, np.arange(len(users)))
    test_rows = perm[last]
    test_rows = test_rows[np.argsort(first_row[users[test_rows]], kind="stable")]
    file_order = np.concatenate([perm[~last], test_rows])  # train.dat rows, then test.dat rows
    items = np.empty(len(perm), np.int64)
    items[file_order] = renumber(kept.items[file_order])[0]
  else:
    raise ValueError(f"unknown id scheme {ids!r}; expected 'first_appearance' or 'deeprec'")
  return to_sequences(name, users[perm], items[perm], kept.timestamps[perm])


def deeprec_split_rule(split: Tuple[Interactions, Interactions], name: str) -> SequenceDataset:
  """AttRec's shipped ML-100K split (``train.dat``, ``test.dat``) as one SequenceDataset.

  Each user's sequence is its train rows in file order followed by its test row, so the
  leave-one-out split gives back DeepRec's test item. Ids follow DeepRec: users and items by
  first occurrence in ``train.dat``, then ``test.dat``.
  """
  train, test = split
  if train.timestamps is None or test.timestamps is None:
    raise ValueError(f"{name}: the DeepRec split files carry timestamps")
  users = np.concatenate([train.users, test.users])
  items = np.concatenate([train.items, test.items])
  times = np.concatenate([train.timestamps, test.timestamps])
  user_ids, _ = renumber(users)
  item_ids, _ = renumber(items)
  return to_sequences(name, user_ids, item_ids, times)


RULES: Dict[str, Callable[..., SequenceDataset]] = {
    "as_is": as_is_rule,
    "sasrec": sasrec_rule,
    "tisasrec": tisasrec_rule,
    "attrec": attrec_rule,
    "deeprec_split": deeprec_split_rule,
}
"""Rule name (as used by the registry) -> function(reader output, name, **options)."""
