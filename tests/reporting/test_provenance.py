"""Tests of provenance collection and atomic writes."""

import json
import os
import subprocess
import sys

import pytest

from sasrec_tf.reporting import provenance
from sasrec_tf.reporting.errors import DirtyTreeError

REQUIRED = {"command", "command_line", "flags", "seeds", "git", "versions", "hardware",
            "hostname", "start_time_utc"}


def test_required_keys():
  prov = provenance.collect_provenance(argv=["train.py", "--seeds=1,2"], flags={"lr": 1e-3},
                                       seeds=[1, 2])
  assert REQUIRED <= set(prov)
  assert prov["command_line"] == "train.py --seeds=1,2"
  assert prov["flags"] == {"lr": 1e-3} and prov["seeds"] == [1, 2]
  assert {"python", "tensorflow", "numpy", "scipy", "absl"} <= set(prov["versions"])
  assert {"cpu_model", "cpu_count", "memory_bytes", "gpus"} <= set(prov["hardware"])
  assert {"revision", "dirty"} <= set(prov["git"])
  assert prov["start_time_utc"].endswith("Z")
  json.dumps(prov, allow_nan=False)  # JSON-ready


def test_absl_flag_values_are_recorded():
  from absl import flags  # pylint: disable=import-outside-toplevel
  fv = flags.FlagValues()
  flags.DEFINE_integer("num_epochs", 201, "epochs", flag_values=fv)
  fv(["prog", "--num_epochs=5"])
  assert provenance.collect_provenance(flags=fv)["flags"]["num_epochs"] == 5


def test_tensorflow_is_not_imported(monkeypatch):
  monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
  prov = provenance.collect_provenance(argv=[])
  assert prov["hardware"]["gpus"] == "tensorflow not imported"
  assert "tensorflow" not in sys.modules


def test_outside_a_git_repository(tmp_path):
  state = provenance.git_state(tmp_path)
  assert state["revision"] == "unknown" and state["dirty"] == "unknown"
  prov = provenance.collect_provenance(argv=[], repo_dir=tmp_path)
  assert prov["git"]["revision"] == "unknown"
  with pytest.raises(DirtyTreeError, match="unknown"):
    provenance.require_clean_tree(prov)


def test_git_missing(monkeypatch, tmp_path):
  monkeypatch.setenv("PATH", str(tmp_path))  # no git executable on PATH
  assert provenance.git_state()["revision"] == "unknown"


def _git(repo, *args):
  subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
                    reason="git not installed")
def test_clean_and_dirty_repository(tmp_path):
  _git(tmp_path, "init", "-q")
  (tmp_path / "a.txt").write_text("x")
  _git(tmp_path, "add", "a.txt")
  _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "m")
  clean = provenance.git_state(tmp_path)
  assert len(clean["revision"]) == 40 and clean["dirty"] is False
  provenance.require_clean_tree({"git": clean})
  (tmp_path / "a.txt").write_text("y")
  dirty = provenance.git_state(tmp_path)
  assert dirty["dirty"] is True and dirty["changed_paths"] == ["a.txt"]
  with pytest.raises(DirtyTreeError, match="a.txt"):
    provenance.require_clean_tree({"git": dirty})


def test_atomic_write_json_leaves_no_temp_files(tmp_path):
  path = tmp_path / "sub" / "result.json"
  provenance.atomic_write_json(path, {"mean": 0.5, "std": float("nan"), "seeds": (1, 2)})
  assert json.loads(path.read_text()) == {"mean": 0.5, "std": None, "seeds": [1, 2]}
  provenance.atomic_write_text(path, "replaced")
  assert path.read_text() == "replaced"
  assert os.listdir(path.parent) == ["result.json"]


def test_failed_write_keeps_old_content(tmp_path):
  path = tmp_path / "result.json"
  provenance.atomic_write_json(path, {"v": 1})

  class Unserialisable:
    def to_dict(self):
      raise RuntimeError("boom")

  with pytest.raises(RuntimeError):
    provenance.atomic_write_json(path, {"v": Unserialisable()})

  with pytest.raises(TypeError):
    provenance.atomic_write_text(path, 123)  # write() of a non-string fails mid-way
  assert json.loads(path.read_text()) == {"v": 1}
  assert os.listdir(tmp_path) == ["result.json"]
