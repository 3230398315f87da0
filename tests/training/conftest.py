"""Fixtures of the training tests."""

import pytest

from .tiny import chain_split


@pytest.fixture(scope="session")
def split():
  """64 users over items 1..40, each reading a run of consecutive items."""
  return chain_split()
