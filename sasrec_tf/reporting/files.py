"""Atomic result files: a reader never sees half a file, an interrupted write leaves none."""

from __future__ import annotations

import json
import math
import os
import pathlib
import tempfile
from typing import Any, Union

PathLike = Union[str, os.PathLike]


def to_jsonable(obj: Any) -> Any:
  """A copy of obj that ``json`` can write without NaN: nan/inf -> None, numpy -> Python.

  Mappings, lists, tuples and sets become dicts / lists (sets sorted), objects with ``to_dict``
  are converted through it, paths become strings, anything else unknown becomes ``str(obj)``.
  """
  if obj is None or isinstance(obj, (bool, str, int)):
    return obj
  if isinstance(obj, float):
    return obj if math.isfinite(obj) else None
  if hasattr(obj, "to_dict") and callable(obj.to_dict):
    return to_jsonable(obj.to_dict())
  if isinstance(obj, dict) or hasattr(obj, "items"):
    return {str(k): to_jsonable(v) for k, v in obj.items()}
  if isinstance(obj, (set, frozenset)):
    return [to_jsonable(v) for v in sorted(obj, key=repr)]
  if isinstance(obj, (list, tuple)):
    return [to_jsonable(v) for v in obj]
  if isinstance(obj, os.PathLike):
    return os.fspath(obj)
  if hasattr(obj, "tolist"):  # numpy scalars and arrays
    return to_jsonable(obj.tolist())
  return str(obj)


def atomic_write_text(path: PathLike, text: str) -> pathlib.Path:
  """Writes text to path via a temporary file in the same directory and ``os.replace``.

  Creates missing parent directories. On any error the temporary file is removed and the previous
  content of path (if any) is untouched.

  Returns:
    The path written.
  """
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
  try:
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
      handle.write(text)
      handle.flush()
      os.fsync(handle.fileno())
    os.replace(tmp, path)
  except BaseException:
    if os.path.exists(tmp):
      os.unlink(tmp)
    raise
  return path


def atomic_write_json(path: PathLike, obj: Any) -> pathlib.Path:
  """Writes obj as indented JSON (through ``to_jsonable``) atomically; see atomic_write_text."""
  text = json.dumps(to_jsonable(obj), indent=2, sort_keys=False, allow_nan=False,
                    ensure_ascii=False)
  return atomic_write_text(path, text + "\n")


def read_json(path: PathLike) -> Any:
  """Loads a JSON file (a thin helper so callers need not repeat the encoding)."""
  with open(path, "r", encoding="utf-8") as handle:
    return json.load(handle)
