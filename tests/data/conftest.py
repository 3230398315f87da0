"""Fixtures of the data-layer tests: temporary input files and the real-data directory."""

import gzip
import os

import pytest


@pytest.fixture
def write(tmp_path):
  """write(name, text, gz=False) -> path of a new file under tmp_path."""

  def _write(name: str, text: str, gz: bool = False) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return str(path)

  return _write


@pytest.fixture
def real_data_dir():
  """$SASREC_TF_DATA, or skip with the reason."""
  data_dir = os.environ.get("SASREC_TF_DATA")
  if not data_dir:
    pytest.skip("SASREC_TF_DATA is not set (export SASREC_TF_DATA=/path/to/data to run the "
                "real-data checks)")
  if not os.path.isdir(data_dir):
    pytest.skip(f"SASREC_TF_DATA={data_dir} is not a directory")
  return data_dir
