"""Minimal loader for the SASRec-format files (replaced by the registry-backed loader)."""

from __future__ import annotations

import os
from typing import Optional

from sasrec_tf.data.readers import read_sasrec_sequences

_FILES = {"games": "games/Video.txt", "ml-1m": "ml-1m/ml-1m.txt"}


def load_dataset(name: str, data_dir: Optional[str] = None, **_):
  data_dir = data_dir or os.environ.get("SASREC_TF_DATA")
  if not data_dir:
    raise FileNotFoundError("pass --data_dir or set SASREC_TF_DATA")
  return read_sasrec_sequences(os.path.join(data_dir, _FILES[name]), name=name)
