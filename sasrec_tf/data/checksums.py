"""File checksums: sha256, md5 and git blob ids (the SHA-1 that ``git hash-object`` prints)."""

from __future__ import annotations

import hashlib
import os
from typing import Dict, Iterable, Mapping

ALGORITHMS = ("sha256", "md5", "git-sha1")
_BLOCK = 1 << 20


def _new_hash(algorithm: str, size: int):
  if algorithm == "git-sha1":
    h = hashlib.sha1()
    h.update(b"blob %d\0" % size)
    return h
  if algorithm in ("sha256", "md5"):
    return hashlib.new(algorithm)
  raise ValueError(f"unknown checksum algorithm {algorithm!r}; known: {', '.join(ALGORITHMS)}")


def file_digests(path: str, algorithms: Iterable[str]) -> Dict[str, str]:
  """Returns {algorithm: lowercase hex digest} of the file, reading it once."""
  size = os.path.getsize(path)
  hashes = {a: _new_hash(a, size) for a in algorithms}
  with open(path, "rb") as f:
    for block in iter(lambda: f.read(_BLOCK), b""):
      for h in hashes.values():
        h.update(block)
  return {a: h.hexdigest() for a, h in hashes.items()}


def mismatches(path: str, expected: Mapping[str, str]) -> Dict[str, str]:
  """Returns {algorithm: actual digest} for every expected digest the file does not match."""
  if not expected:
    return {}
  actual = file_digests(path, expected)
  return {a: d for a, d in actual.items() if d != expected[a].lower()}


def describe(expected: Mapping[str, str]) -> str:
  """'sha256 abcd..., git-sha1 ef01...' for messages."""
  return ", ".join(f"{a} {d}" for a, d in expected.items())
