"""Exceptions shared by the reporting tools and the code they drive."""

from __future__ import annotations

from typing import Optional


class NotImplementedModelError(NotImplementedError):
  """A table row asks for a model (or model variant) the library does not have yet."""


class RowUnavailableError(RuntimeError):
  """A run cannot happen here; the message becomes the row's status.

  Raise it from a run function for reasons other than missing data or a missing model, e.g.
  ``RowUnavailableError("needs GPU: ~22 h on CPU")``.
  """


class DirtyTreeError(RuntimeError):
  """A reported result was requested from a working tree with uncommitted changes."""


class LookupFailedError(KeyError):
  """A reported-number or alias lookup found no entry, or more than one.

  ``str()`` gives the plain message (``KeyError`` would quote it).
  """

  def __init__(self, message: str):
    super().__init__(message)
    self.message = message

  def __str__(self) -> str:
    return self.message


def unavailable_status(exc: BaseException) -> Optional[str]:
  """Maps an exception to a "row cannot run here" status, or None for a real failure.

  Recognised (anything else is a bug and should propagate):
    * any exception whose class, or a base class, is named ``DatasetNotFoundError`` (the data
      package's "file missing" error, matched by name so this module needs no import of it), and
      ``FileNotFoundError``: "dataset not available: <message or file name>". ``ValueError`` is
      deliberately NOT included: the data code raises it for malformed input, which is a bug to see.
    * ``NotImplementedError`` (including ``NotImplementedModelError``): "not implemented yet: ...".
    * ``RowUnavailableError``: its message verbatim.

  Args:
    exc: the exception raised by a run function.

  Returns:
    The status text (built from the first line of the message), or None.
  """
  names = {cls.__name__ for cls in type(exc).__mro__}
  lines = str(exc).strip().splitlines()
  message = lines[0].strip() if lines else ""  # a table cell gets the first line only
  if isinstance(exc, RowUnavailableError):
    return message or "unavailable"
  if "DatasetNotFoundError" in names:
    return f"dataset not available: {message}" if message else "dataset not available"
  if isinstance(exc, FileNotFoundError):
    missing = exc.filename or message
    return f"dataset not available: {missing}" if missing else "dataset not available"
  if isinstance(exc, NotImplementedError):
    return f"not implemented yet: {message}" if message else "not implemented yet"
  return None
