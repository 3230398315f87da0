"""Paths and skips shared by the data-layer tests."""

import atexit
import os
import shutil
import tempfile

import pytest

from .fixture_files import write_fixtures

# The fixture data directory, written once per test process from fixture_files.py.
FIXTURES = write_fixtures(tempfile.mkdtemp(prefix="sasrec_tf_fixtures_"))
atexit.register(shutil.rmtree, FIXTURES, True)


def fixture(*parts: str) -> str:
  """Path of a fixture file (see fixture_files.py)."""
  return os.path.join(FIXTURES, *parts)


def require(data_dir: str, relative: str) -> str:
  """Absolute path of a real data file, or skip saying which file is missing."""
  path = os.path.join(data_dir, relative)
  if not os.path.isfile(path):
    pytest.skip(f"{relative} is not under SASREC_TF_DATA={data_dir}")
  return path
