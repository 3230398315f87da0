"""Paths and skips shared by the data-layer tests."""

import os

import pytest

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "fixtures", "data")


def fixture(*parts: str) -> str:
  """Path of a file under tests/fixtures/data."""
  return os.path.join(FIXTURES, *parts)


def require(data_dir: str, relative: str) -> str:
  """Absolute path of a real data file, or skip saying which file is missing."""
  path = os.path.join(data_dir, relative)
  if not os.path.isfile(path):
    pytest.skip(f"{relative} is not under SASREC_TF_DATA={data_dir}")
  return path
