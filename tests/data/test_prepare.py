"""datasets/prepare.py: the registry listing and the statistics next to the paper numbers."""

import importlib.util
import os
import subprocess
import sys

import pytest

from .helpers import FIXTURES, require

_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "datasets", "prepare.py")


@pytest.fixture(scope="module")
def prepare():
  name = "sasrec_tf_datasets_prepare"
  if name not in sys.modules:
    spec = importlib.util.spec_from_file_location(name, _SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
  return sys.modules[name]


def test_list_marks_present_files(prepare):
  lines = prepare.list_registry(FIXTURES)
  by_name = {line.split()[0]: line.split()[1] for line in lines}
  assert by_name["games"] == "present" and by_name["beauty"] == "missing"


def test_report_prints_paper_numbers(prepare, real_data_dir, tmp_path):
  require(real_data_dir, "games/Video.txt")
  text = "\n".join(prepare.report("games", real_data_dir, str(tmp_path), False))
  assert "SASRec Table II" in text and "users 31,013 vs 31,013 ok" in text
  assert "DIFF" not in text


def test_command_line_missing_dataset(tmp_path):
  result = subprocess.run(
      [sys.executable, _SCRIPT, "--dataset=ml-10m", f"--data_dir={tmp_path}",
       f"--cache_dir={tmp_path / 'cache'}"], capture_output=True, text=True, timeout=120)
  assert result.returncode == 1
  assert "<data_dir>/ml-10m/ratings.dat" in result.stdout
  assert "ml-10m.zip" in result.stdout
