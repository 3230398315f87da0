"""Errors raised by the data layer: malformed input and missing or corrupted source files."""

from __future__ import annotations

import os
from typing import Optional, Sequence


class DataFormatError(ValueError):
  """A source file does not have the expected format.

  ``str(error)`` reads ``path:line: message (expected ...)``; the line part is left out when the
  problem concerns the whole file.

  Attributes:
    path: the offending file.
    line: 1-based line number, or None when the whole file is at fault (e.g. it is empty).
    message: what was found.
    expected: what the format requires, or None.
  """

  def __init__(self, path: str, line: Optional[int], message: str,
               expected: Optional[str] = None):
    self.path = os.fspath(path)
    self.line = line
    self.message = message
    self.expected = expected
    super().__init__(str(self))

  def __str__(self) -> str:
    where = self.path if self.line is None else f"{self.path}:{self.line}"
    text = f"{where}: {self.message}"
    if self.expected:
      text += f" (expected {self.expected})"
    return text

  def __reduce__(self):
    return type(self), (self.path, self.line, self.message, self.expected)


class DatasetNotFoundError(FileNotFoundError):
  """A dataset's source file is missing (or could not be fetched); says what to place where.

  Attributes:
    dataset: registry name of the dataset.
    path: absolute path where the file is expected.
    relative_path: the same path relative to the data directory (``<dataset>/<file>``).
    urls: official download address(es).
    reason: why the file is not usable (missing, download failed, checksum mismatch, ...).
  """

  def __init__(self, dataset: str, path: str, relative_path: str, urls: Sequence[str] = (),
               reason: str = "file not found", hint: Optional[str] = None):
    self.dataset = dataset
    self.path = os.fspath(path)
    self.relative_path = relative_path
    self.urls = tuple(urls)
    self.reason = reason
    self.hint = hint
    super().__init__(str(self))

  def __str__(self) -> str:
    lines = [f"dataset '{self.dataset}': {self.reason}: {self.path}",
             f"  Place the file at <data_dir>/{self.relative_path} (here: {self.path})."]
    if self.urls:
      lines.append("  Official source: " + " or ".join(self.urls))
    else:
      lines.append("  No official download address is known for this file.")
    if self.hint:
      lines.append("  " + self.hint)
    return "\n".join(lines)

  def __reduce__(self):
    return type(self), (self.dataset, self.path, self.relative_path, self.urls, self.reason,
                        self.hint)


class ChecksumMismatchError(DatasetNotFoundError):
  """A source file exists (or was downloaded) but its checksum differs from the official one."""
