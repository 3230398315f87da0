"""Dataset statistics in the papers' conventions, and their comparison with the paper tables."""

from __future__ import annotations

import datetime
from typing import Dict, List, Optional, Union

import numpy as np

from sasrec_tf.data.registry import ReferenceStatistics
from sasrec_tf.data.sequences import LeaveOneOutSplit, SequenceDataset, split_leave_one_out


def dataset_statistics(data: Union[SequenceDataset, LeaveOneOutSplit]) -> Dict[str, object]:
  """Counts and averages of a dataset and of the training part of its leave-one-out split.

  ``users`` / ``items`` are the largest ids (the papers' |U| and |I|); ``active_*`` count ids
  that occur. Averages divide by |U| and |I|. ``train_*`` values use the split's training lists
  (a SequenceDataset is split with :func:`split_leave_one_out`), which is what SASRec Table II
  reports for ML-1M and SSE-PT Table 4 for most rows.

  Returns:
    a flat dict of Python ints / floats / str (JSON-serialisable).
  """
  split = data if isinstance(data, LeaveOneOutSplit) else split_leave_one_out(data)
  ds = split.dataset
  lengths = ds.lengths()[1:]
  train_lengths = np.array([len(t) for t in split.train[1:]], dtype=np.int64)
  actions, train_actions = int(lengths.sum()), int(train_lengths.sum())
  seen = np.unique(np.concatenate(ds.sequences)) if actions else np.zeros(0)
  users, items = max(ds.num_users, 1), max(ds.num_items, 1)
  stats: Dict[str, object] = {
      "name": ds.name,
      "users": ds.num_users,
      "items": ds.num_items,
      "active_users": int((lengths > 0).sum()),
      "active_items": int(seen.size),
      "actions": actions,
      "avg_actions_per_user": actions / users,
      "avg_actions_per_item": actions / items,
      "max_length": int(lengths.max()) if lengths.size else 0,
      "train_actions": train_actions,
      "avg_train_actions_per_user": train_actions / users,
      "avg_train_actions_per_item": train_actions / items,
      "max_train_length": int(train_lengths.max()) if train_lengths.size else 0,
      "evaluated_users": int(split.evaluable_users("test").size),
      "density_pct": 100.0 * actions / (users * items),
  }
  if ds.timestamps is not None and actions:
    times = np.concatenate(ds.timestamps)
    for key, value in (("first_time", times.min()), ("last_time", times.max())):
      stats[key] = datetime.datetime.fromtimestamp(int(value), datetime.timezone.utc).strftime(
          "%Y-%m-%d")
  return stats


_FIELDS = (
    ("users", "users", "users"),
    ("items", "items", "items"),
    ("actions", "actions", "actions"),
    ("avg_actions_per_user", "avg_actions_per_user", "avg_train_actions_per_user"),
    ("avg_actions_per_item", "avg_actions_per_item", "avg_train_actions_per_item"),
    ("max_length", "max_length", "max_train_length"),
    ("density_pct", "density_pct", "density_pct"),
)


def compare_with_reference(stats: Dict[str, object],
                           reference: ReferenceStatistics) -> List[Dict[str, object]]:
  """Rows (field, reported, ours, match) for every number the reference prints.

  Averages and maximum length are taken from the training part when the reference's basis is
  'train'. Numbers match when equal after rounding ours to the reported precision; rounded
  action counts such as '0.4M' match when ours rounds to them.
  """
  rows = []
  for field, full_key, train_key in _FIELDS:
    reported = getattr(reference, field)
    if reported is None:
      continue
    ours = stats[train_key if reference.basis == "train" else full_key]
    rows.append({"field": field, "reported": reported, "ours": ours,
                 "match": _matches(reported, ours)})
  return rows


def _matches(reported, ours) -> Optional[bool]:
  if isinstance(reported, str):
    if reported.endswith("M"):
      digits = len(reported[:-1].split(".")[-1]) if "." in reported else 0
      return round(ours / 1e6, digits) == float(reported[:-1])
    return None
  if isinstance(reported, int):
    return int(ours) == reported
  text = repr(float(reported))
  digits = len(text.split(".")[1]) if "." in text else 0
  return round(float(ours), digits) == float(reported)
