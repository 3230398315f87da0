"""Groups left-padded windows by their real length, so that scoring can skip leading padding."""

from __future__ import annotations

from typing import List, Tuple

import numpy as np


def window_lengths(seqs: np.ndarray) -> np.ndarray:
  """int64 [B]: real slots of each left-padded window ``seqs`` [B, n] (n minus leading zeros)."""
  seqs = np.asarray(seqs)
  nonzero = seqs != 0
  first = np.where(nonzero.any(axis=1), nonzero.argmax(axis=1), seqs.shape[1])
  return (seqs.shape[1] - first).astype(np.int64)


def length_groups(seqs: np.ndarray, max_rows: int = 32,
                  multiple: int = 8) -> List[Tuple[np.ndarray, int]]:
  """Splits the rows of ``seqs`` [B, n] into groups of similar real length.

  Rows are ordered by real length (stable), cut into groups of at most ``max_rows``, and each
  group gets the width of its longest window rounded up to ``multiple`` (at least 1, at most n).

  Returns:
    [(rows int64 [g], width)]: every row index 0..B-1 appears in exactly one group, and
    ``seqs[rows, :n - width]`` is all padding, so ``seqs[rows, n - width:]`` loses no item.
  """
  if max_rows < 1 or multiple < 1:
    raise ValueError("max_rows and multiple must be positive")
  seqs = np.asarray(seqs)
  n = seqs.shape[1]
  lengths = window_lengths(seqs)
  order = np.argsort(lengths, kind="stable")
  groups = []
  for start in range(0, order.size, max_rows):
    rows = order[start:start + max_rows]
    longest = max(int(lengths[rows].max()), 1)
    groups.append((rows, min(n, -(-longest // multiple) * multiple)))
  return groups
