"""Fixtures of the table-script tests."""

import os

import pytest


@pytest.fixture
def games_data_dir():
  """$SASREC_TF_DATA holding games/Video.txt, or skip."""
  data_dir = os.environ.get("SASREC_TF_DATA")
  if not data_dir:
    pytest.skip("SASREC_TF_DATA is not set")
  if not os.path.isfile(os.path.join(data_dir, "games", "Video.txt")):
    pytest.skip(f"{data_dir}/games/Video.txt is missing")
  return data_dir
