"""Evaluation input windows (SPEC §2.2).

Validation input = the last ``n`` training items; test input = the last ``n`` items of
``train + [valid item]`` (the validation item fills the last slot). Windows are right-aligned and
left-padded with 0, as in the original code, and only the last position's output is used for
scoring.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from sasrec_tf.data.sequences import LeaveOneOutSplit
from sasrec_tf.evaluation.candidates import check_stage


def last_n_windows(rows: Sequence[np.ndarray], users: np.ndarray, maxlen: int,
                   append: Optional[np.ndarray] = None, dtype=np.int32) -> np.ndarray:
  """Right-aligned, 0-padded windows over ``rows[u] (+ [append[i]])`` for each ``u = users[i]``.

  Args:
    rows: per-user arrays indexed by user id (e.g. ``split.train`` or ``split.train_times``).
    users: int [U] user ids.
    maxlen: window length n.
    append: optional [U] values appended after ``rows[users[i]]`` before taking the last n.
    dtype: output dtype.

  Returns:
    [U, n] array of ``dtype``; row i ends with the most recent entry, earlier slots hold 0.
  """
  users = np.asarray(users, np.int64)
  out = np.zeros((users.size, maxlen), dtype)
  body = maxlen
  if append is not None:
    append = np.asarray(append).reshape(-1)
    if append.size != users.size:
      raise ValueError(f"append has {append.size} entries for {users.size} users")
    if maxlen > 0:
      out[:, -1] = append
    body = maxlen - 1
  if body <= 0:
    return out
  for i, u in enumerate(users):
    tail = rows[u][-body:]
    if len(tail):
      out[i, body - len(tail):body] = tail
  return out


def eval_inputs(split: LeaveOneOutSplit, users: np.ndarray, stage: str,
                maxlen: int) -> np.ndarray:
  """int32 [U, n] item windows: last n of train (``"valid"``) or of train + [valid] (``"test"``)."""
  users = np.asarray(users, np.int64)
  append = np.asarray(split.valid)[users] if check_stage(stage) == "test" else None
  return last_n_windows(split.train, users, maxlen, append, np.int32)


def eval_time_inputs(split: LeaveOneOutSplit, users: np.ndarray, stage: str,
                     maxlen: int) -> np.ndarray:
  """int64 [U, n] timestamps aligned slot by slot with ``eval_inputs`` (0 in padding slots)."""
  if split.train_times is None:
    raise ValueError("the split has no timestamps")
  users = np.asarray(users, np.int64)
  append = np.asarray(split.valid_times)[users] if check_stage(stage) == "test" else None
  return last_n_windows(split.train_times, users, maxlen, append, np.int64)
