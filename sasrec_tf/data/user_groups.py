"""User groups for parameter sharing (SSE-PT Table 3 "PS" rows, SPEC §4.6).

SASRec's ML-1M file re-numbers users; ``ml-1m/sas-mapping/sas_to_original_users.txt`` (one
``sas_id original_id`` pair per line) maps them back to MovieLens ids, whose demographics are in
``ml-1m/users.dat``.
"""

from __future__ import annotations

import os
from typing import Dict, Optional

import numpy as np

from sasrec_tf.data.errors import DataFormatError

SHARING_MODES = ("none", "all", "occupation", "gender", "age")
USER_MAP_FILE = os.path.join("ml-1m", "sas-mapping", "sas_to_original_users.txt")
USERS_FILE = os.path.join("ml-1m", "users.dat")


def read_id_mapping(path: str) -> Dict[int, int]:
  """Reads ``sas_id original_id`` lines into a dict; DataFormatError names the bad line."""
  expected = "'sas_id original_id' (two positive integers)"
  mapping: Dict[int, int] = {}
  with open(path, encoding="utf-8") as f:
    for lineno, line in enumerate(f, 1):
      parts = line.split()
      if not parts:
        continue
      if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise DataFormatError(path, lineno, repr(line.strip()), expected)
      sas, original = int(parts[0]), int(parts[1])
      if sas in mapping:
        raise DataFormatError(path, lineno, f"id {sas} mapped twice", expected)
      mapping[sas] = original
  if not mapping:
    raise DataFormatError(path, None, "an empty file", expected)
  return mapping


def group_ids(values: np.ndarray) -> np.ndarray:
  """Dense group ids 1..G for arbitrary attribute values (sorted order of distinct values)."""
  _, inverse = np.unique(np.asarray(values), return_inverse=True)
  return inverse.astype(np.int32) + 1


def user_groups(split, sharing: str, data_dir: Optional[str] = None) -> Optional[list]:
  """Group id per user id 0..num_users (entry 0 unused, set to 1) for a sharing mode.

  Args:
    split: the leave-one-out split (only ``num_users`` and the dataset name are read).
    sharing: "none" (returns None), "all" (every user shares one vector), or an ML-1M
      ``users.dat`` attribute: "occupation" (21 groups), "gender" (2), "age" (7 buckets).
    data_dir: the data directory (default ``$SASREC_TF_DATA``) for the demographic modes.

  Raises:
    ValueError: unknown mode, or a demographic mode on a dataset other than ML-1M.
    DatasetNotFoundError / DataFormatError: missing or malformed users.dat / mapping.
  """
  if sharing not in SHARING_MODES:
    raise ValueError(f"user_sharing must be one of {SHARING_MODES}, got {sharing!r}")
  if sharing == "none":
    return None
  n = split.num_users
  if sharing == "all":
    return [1] * (n + 1)
  name = getattr(split.dataset, "name", None)
  if name != "ml-1m":
    raise ValueError(f"user_sharing={sharing!r} needs ML-1M demographics (users.dat); the "
                     f"dataset is {name!r}")
  from sasrec_tf.data.loader import resolve_data_dir  # pylint: disable=import-outside-toplevel
  from sasrec_tf.data.readers import read_movielens_users  # pylint: disable=import-outside-toplevel
  root = resolve_data_dir(data_dir)
  map_path, users_path = os.path.join(root, USER_MAP_FILE), os.path.join(root, USERS_FILE)
  for path, rel in ((map_path, USER_MAP_FILE), (users_path, USERS_FILE)):
    if not os.path.exists(path):
      from sasrec_tf.data.errors import DatasetNotFoundError  # pylint: disable=import-outside-toplevel
      raise DatasetNotFoundError("ml-1m", path, rel)
  mapping = read_id_mapping(map_path)
  profiles = read_movielens_users(users_path)
  attribute = {"occupation": profiles.occupation, "gender": profiles.gender,
               "age": profiles.age}[sharing]
  groups_by_original = dict(zip(profiles.users.tolist(), group_ids(attribute).tolist()))
  out = [1] * (n + 1)
  for sas in range(1, n + 1):
    if sas not in mapping:
      raise ValueError(f"{map_path} has no entry for SASRec user {sas}")
    original = mapping[sas]
    if original not in groups_by_original:
      raise ValueError(f"{users_path} has no user {original} (SASRec user {sas})")
    out[sas] = groups_by_original[original]
  return out
