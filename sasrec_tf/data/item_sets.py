"""Per-row sets of item ids with vectorised membership tests and dense masks.

Evaluation needs, for every evaluated user, the set of items that may not be drawn as a negative
(sampled protocol) or may not compete with the target (full ranking). Python sets per user would
force a loop over users, so the sets are stored as one sorted array of ``row * stride + item`` keys
(``stride = num_items + 1``): membership of many ``(row, item)`` pairs is one ``searchsorted`` and
the sets of a contiguous block of rows are one slice of the array.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np


class ItemSets:
  """One set of item ids in ``1..num_items`` for each row ``0..num_rows-1``.

  Item id 0 (padding) is never stored. Instances are immutable.

  Attributes:
    num_rows: number of rows (sets).
    num_items: largest valid item id.
    keys: int64 [nnz] sorted unique ``row * (num_items + 1) + item`` keys.
  """

  def __init__(self, num_rows: int, num_items: int, rows: np.ndarray, items: np.ndarray):
    """Builds the sets from parallel (row, item) arrays; duplicates and item 0 are dropped.

    Args:
      num_rows: number of rows.
      num_items: largest item id; items must lie in ``0..num_items``.
      rows: int [N] row of each entry, in ``0..num_rows-1``.
      items: int [N] item id of each entry.
    """
    rows = np.asarray(rows, np.int64).ravel()
    items = np.asarray(items, np.int64).ravel()
    if rows.shape != items.shape:
      raise ValueError(f"rows {rows.shape} and items {items.shape} must have the same length")
    if items.size and (items.min() < 0 or items.max() > num_items):
      raise ValueError(f"item ids must lie in 0..{num_items}")
    if rows.size and (rows.min() < 0 or rows.max() >= num_rows):
      raise ValueError(f"row ids must lie in 0..{num_rows - 1}")
    keep = items > 0
    keys = np.sort(rows[keep] * np.int64(num_items + 1) + items[keep])
    if keys.size:
      keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    self._set(num_rows, num_items, keys)

  def _set(self, num_rows: int, num_items: int, keys: np.ndarray) -> None:
    self.num_rows = int(num_rows)
    self.num_items = int(num_items)
    self._stride = np.int64(num_items + 1)
    self.keys = keys

  @classmethod
  def _from_sorted_keys(cls, num_rows: int, num_items: int, keys: np.ndarray) -> "ItemSets":
    """Wraps keys that are already sorted, unique and valid (no checks, no copy)."""
    out = cls.__new__(cls)
    out._set(num_rows, num_items, keys)
    return out

  @classmethod
  def from_lists(cls, lists: Sequence[np.ndarray], num_items: int) -> "ItemSets":
    """Row r holds the items of ``lists[r]`` (int arrays of any length)."""
    lengths = np.fromiter((len(x) for x in lists), np.int64, count=len(lists))
    items = (np.concatenate([np.asarray(x, np.int64).ravel() for x in lists])
             if lengths.sum() else np.zeros(0, np.int64))
    rows = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)
    return cls(len(lists), num_items, rows, items)

  def _bounds(self, rows: np.ndarray):
    """Start and stop offsets into ``keys`` of each requested row (int64 [R] each)."""
    rows = np.asarray(rows, np.int64)
    lo = np.searchsorted(self.keys, rows * self._stride, side="left")
    hi = np.searchsorted(self.keys, (rows + 1) * self._stride, side="left")
    return lo, hi

  def sizes(self, rows: Optional[np.ndarray] = None) -> np.ndarray:
    """int64 [R] number of items in each requested row (all rows by default)."""
    if rows is None:
      rows = np.arange(self.num_rows)
    lo, hi = self._bounds(rows)
    return hi - lo

  def take(self, rows: np.ndarray) -> "ItemSets":
    """New ItemSets whose row i is this object's row ``rows[i]`` (rows may repeat)."""
    rows = np.asarray(rows, np.int64).ravel()
    lo, hi = self._bounds(rows)
    counts = hi - lo
    total = int(counts.sum())
    # Offsets of every selected key: lo[i] + 0..counts[i]-1, without a Python loop.
    starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
    picked = self.keys[starts + np.arange(total)]
    new_rows = np.repeat(np.arange(rows.size, dtype=np.int64), counts)
    # Rows come out in order and each row's items stay sorted: the keys are sorted and unique.
    keys = new_rows * self._stride + picked % self._stride
    return ItemSets._from_sorted_keys(rows.size, self.num_items, keys)

  def with_items(self, items: np.ndarray) -> "ItemSets":
    """New ItemSets with ``items[r]`` added to row r (int [num_rows] or [num_rows, k]; 0 = none)."""
    items = np.asarray(items, np.int64).reshape(self.num_rows, -1)
    rows = np.repeat(np.arange(self.num_rows, dtype=np.int64), items.shape[1])
    old_rows = self.keys // self._stride
    old_items = self.keys % self._stride
    return ItemSets(self.num_rows, self.num_items,
                    np.concatenate([old_rows, rows]), np.concatenate([old_items, items.ravel()]))

  def contains(self, rows: np.ndarray, items: np.ndarray) -> np.ndarray:
    """bool array (broadcast shape of rows and items): whether ``items`` lies in row ``rows``."""
    rows, items = np.broadcast_arrays(np.asarray(rows, np.int64), np.asarray(items, np.int64))
    if self.keys.size == 0:
      return np.zeros(rows.shape, bool)
    query = rows * self._stride + items
    pos = np.searchsorted(self.keys, query)
    pos = np.minimum(pos, self.keys.size - 1)
    return self.keys[pos] == query

  def dense(self, start: int, stop: int) -> np.ndarray:
    """bool [stop - start, num_items + 1] membership matrix of rows ``start..stop-1``."""
    out = np.zeros((stop - start, self.num_items + 1), bool)
    lo, hi = np.searchsorted(self.keys, np.array([start, stop], np.int64) * self._stride)
    block = self.keys[lo:hi]
    out[block // self._stride - start, block % self._stride] = True
    return out
