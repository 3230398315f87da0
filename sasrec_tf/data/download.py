"""Fetches official source files into the data directory, verified and atomically.

A file is first written to a hidden temporary file next to its target, checked (archive digest,
member extraction, file digest, size) and only then renamed into place, so a failed or
interrupted download never leaves a partial file under the official name.
"""

from __future__ import annotations

import http.client
import os
import shutil
import tempfile
import urllib.request
import zipfile
from typing import Callable, List, Optional

from sasrec_tf.data import checksums
from sasrec_tf.data.errors import ChecksumMismatchError, DatasetNotFoundError
from sasrec_tf.data.registry import SourceFile

_NETWORK_ERRORS = (OSError, http.client.HTTPException, ValueError)


class _Mismatch(Exception):
  """A downloaded file failed verification."""


def _temp_path(directory: str, base: str) -> str:
  fd, path = tempfile.mkstemp(dir=directory, prefix=f".{base}.", suffix=".part")
  os.close(fd)
  return path


def _verify(path: str, expected, what: str):
  bad = checksums.mismatches(path, expected)
  if bad:
    got = ", ".join(f"{a} {d}" for a, d in bad.items())
    raise _Mismatch(f"{what} has {got}, expected {checksums.describe(expected)}")


def _extract(archive: str, member: str, out: str):
  """Copies ``member`` (exact name, or the unique entry with that base name) out of a zip."""
  with zipfile.ZipFile(archive) as zf:
    names = [n for n in zf.namelist() if not n.endswith("/")]
    if member not in names:
      same_base = [n for n in names if n.rsplit("/", 1)[-1] == member.rsplit("/", 1)[-1]]
      if len(same_base) != 1:
        raise _Mismatch(f"the archive holds no member {member!r}")
      member = same_base[0]
    with zf.open(member) as src, open(out, "wb") as dst:
      shutil.copyfileobj(src, dst, 1 << 20)


def _fetch_one(url: str, source: SourceFile, target: str, opener: Callable, timeout: float):
  directory, base = os.path.split(target)
  temps: List[str] = []
  try:
    download = _temp_path(directory, base)
    temps.append(download)
    with opener(url, timeout=timeout) as response, open(download, "wb") as out:
      shutil.copyfileobj(response, out, 1 << 20)
    result = download
    if source.archive_member:
      _verify(download, source.archive_checksums, f"archive {url}")
      result = _temp_path(directory, base)
      temps.append(result)
      try:
        _extract(download, source.archive_member, result)
      except zipfile.BadZipFile as e:
        raise _Mismatch(f"{url} is not a zip archive ({e})") from e
    _verify(result, source.checksums, "the downloaded file")
    if source.size is not None and os.path.getsize(result) != source.size:
      raise _Mismatch(f"the downloaded file has {os.path.getsize(result)} bytes, expected "
                      f"{source.size}")
    with open(result, "rb") as f:
      os.fsync(f.fileno())
    os.chmod(result, 0o644)  # mkstemp creates 0600
    os.replace(result, target)
  finally:
    for path in temps:
      if os.path.exists(path):
        os.remove(path)


def fetch(dataset: str, source: SourceFile, data_dir: str, opener: Optional[Callable] = None,
          timeout: float = 60.0) -> str:
  """Downloads ``source`` to ``<data_dir>/<source.path>`` and returns that path.

  Each official URL is tried in order. The file appears under its final name only after every
  known checksum (and the size) matched.

  Args:
    dataset: registry name, for messages.
    source: the file to fetch.
    data_dir: the data directory.
    opener: ``urlopen``-like callable (default ``urllib.request.urlopen``); tests pass a fake.
    timeout: seconds per connection attempt.

  Raises:
    ChecksumMismatchError: something was downloaded but failed verification.
    DatasetNotFoundError: no address is known or none could be reached.
  """
  opener = opener or urllib.request.urlopen
  target = os.path.join(data_dir, *source.path.split("/"))
  if not source.urls:
    raise DatasetNotFoundError(dataset, target, source.path, (),
                               "no download address is known", "Place the file by hand.")
  os.makedirs(os.path.dirname(target), exist_ok=True)
  failures, mismatch = [], False
  for url in source.urls:
    try:
      _fetch_one(url, source, target, opener, timeout)
      return target
    except _Mismatch as e:
      mismatch = True
      failures.append(f"{url}: {e}")
    except _NETWORK_ERRORS as e:
      failures.append(f"{url}: {type(e).__name__}: {e}")
  member = f" (member {source.archive_member} of the archive)" if source.archive_member else ""
  error = ChecksumMismatchError if mismatch else DatasetNotFoundError
  raise error(dataset, target, source.path, source.urls,
              "download failed" + (" verification" if mismatch else ""),
              f"Tried: {'; '.join(failures)}. Download it yourself{member} and place it there.")
