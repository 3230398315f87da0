"""On-disk cache of preprocessed datasets as ``.npz`` files, written atomically.

A cache file is named ``<dataset>-<key>.npz`` where the key hashes everything the content depends
on (see :func:`cache_key`). It is written to a temporary file in the same directory and renamed
into place, so an interrupted or failed run never leaves a half-written cache under a real name.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from typing import Any, Mapping, Optional, Tuple

import numpy as np

from sasrec_tf.data.sequences import SequenceDataset

FORMAT_VERSION = 1
"""Bump whenever preprocessing output changes, so that old cache files are not reused."""


def cache_key(payload: Mapping[str, Any]) -> str:
  """Stable 20-hex-digit digest of a JSON-serialisable description of the cached content."""
  text = json.dumps({"format": FORMAT_VERSION, **payload}, sort_keys=True, default=str)
  return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def cache_path(cache_dir: str, name: str, key: str) -> str:
  return os.path.join(cache_dir, f"{name}-{key}.npz")


def save(path: str, dataset: SequenceDataset, meta: Mapping[str, Any]) -> None:
  """Writes ``dataset`` and ``meta`` (JSON-serialisable) to ``path`` atomically."""
  directory = os.path.dirname(os.path.abspath(path))
  os.makedirs(directory, exist_ok=True)
  lengths = dataset.lengths()
  arrays = {
      "name": np.array(dataset.name),
      "num_users": np.array(dataset.num_users, np.int64),
      "num_items": np.array(dataset.num_items, np.int64),
      "lengths": lengths,
      "items": (np.concatenate(dataset.sequences).astype(np.int32) if lengths.sum()
                else np.zeros(0, np.int32)),
      "meta": np.array(json.dumps(meta, sort_keys=True, default=str)),
  }
  if dataset.timestamps is not None:
    arrays["timestamps"] = np.concatenate(
        [np.asarray(t, np.int64) for t in dataset.timestamps])
  fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.",
                              suffix=".tmp")
  try:
    with os.fdopen(fd, "wb") as f:
      np.savez(f, **arrays)
      f.flush()
      os.fsync(f.fileno())
    os.chmod(temp, 0o644)  # mkstemp creates 0600
    os.replace(temp, path)
  finally:
    if os.path.exists(temp):
      os.remove(temp)


def load(path: str) -> Optional[Tuple[SequenceDataset, dict]]:
  """Reads a cache file; returns None if it is missing or unreadable (then it is rebuilt)."""
  if not os.path.exists(path):
    return None
  try:
    with np.load(path, allow_pickle=False) as z:
      lengths = z["lengths"]
      bounds = np.concatenate([[0], np.cumsum(lengths)])
      items = z["items"]
      sequences = [items[bounds[u]:bounds[u + 1]] for u in range(len(lengths))]
      timestamps = None
      if "timestamps" in z.files:
        ts = z["timestamps"]
        timestamps = [ts[bounds[u]:bounds[u + 1]] for u in range(len(lengths))]
      dataset = SequenceDataset(str(z["name"]), sequences, int(z["num_users"]),
                                int(z["num_items"]), timestamps)
      meta = json.loads(str(z["meta"]))
  except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
    return None
  return dataset, meta
