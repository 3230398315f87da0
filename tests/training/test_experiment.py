"""run_experiment's results.json, and experiments/train.py end to end."""

import io
import json
import os
import subprocess
import sys

import pytest

from sasrec_tf.training.experiment import RESULTS_FILE, SettingsMismatchError, run_experiment

from .tiny import chain_split

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = dict(max_len=8, hidden_units=8, num_blocks=1, dropout_rate=0.2, batch_size=16,
            eval_every=1, num_negatives=20)


def test_results_json_has_provenance_settings_and_curve(split, tmp_path):
  argv = ["experiments/train.py", "--model=sasrec", "--hidden_units=8"]
  result = run_experiment("sasrec", "games", TINY, seed=3, output_dir=str(tmp_path),
                          num_epochs=2, argv=argv, split=split, stream=io.StringIO())
  with open(tmp_path / RESULTS_FILE) as f:
    on_disk = json.load(f)
  assert on_disk == json.loads(json.dumps(result))
  prov = on_disk["provenance"]
  assert prov["command"] == argv
  assert {"git", "versions", "hardware"} <= set(prov) and prov["seeds"] == [3]
  assert "tensorflow" in json.dumps(prov["versions"]).lower()
  settings = on_disk["settings"]
  assert {k: settings[k] for k in TINY} == TINY and settings["num_epochs"] == 2
  assert settings["beta_2"] == 0.98 and settings["epsilon"] == 1e-8  # paper defaults kept
  assert on_disk["seed"] == 3 and on_disk["model"] == "sasrec" and on_disk["dataset"] == "games"
  assert on_disk["status"] == "complete" and on_disk["epochs_run"] == 2
  assert [c["epoch"] for c in on_disk["curve"]] == [1, 2]
  assert all(c["loss"] > 0 and c["seconds"] >= 0 for c in on_disk["curve"])
  assert on_disk["wall_time_s"] > 0 and on_disk["train_time_s"] > 0
  assert on_disk["best_epoch"] in (1, 2) and len(on_disk["evals"]) == 2
  for stage in ("valid", "test"):
    assert 0.0 <= on_disk[stage]["NDCG@10"] <= on_disk[stage]["HR@10"] <= 1.0
  assert on_disk["num_users"] == split.num_users and on_disk["num_items"] == split.num_items
  assert os.path.exists(tmp_path / "model_config.json")

  mtime = os.stat(tmp_path / RESULTS_FILE).st_mtime_ns
  again = run_experiment("sasrec", "games", TINY, seed=3, output_dir=str(tmp_path),
                         num_epochs=2, argv=argv, split=split, stream=io.StringIO())
  assert again == on_disk and os.stat(tmp_path / RESULTS_FILE).st_mtime_ns == mtime
  # The same directory with other settings is refused rather than silently reused.
  with pytest.raises(SettingsMismatchError, match="hidden_units"):
    run_experiment("sasrec", "games", {**TINY, "hidden_units": 16}, seed=3,
                   output_dir=str(tmp_path), num_epochs=2, split=split, stream=io.StringIO())


def test_unknown_setting_is_an_error(split, tmp_path):
  with pytest.raises(ValueError, match="hidden_unit"):
    run_experiment("sasrec", "games", {"hidden_unit": 8}, output_dir=str(tmp_path), split=split)


@pytest.fixture
def games_data_dir():
  data_dir = os.environ.get("SASREC_TF_DATA")
  if not data_dir:
    pytest.skip("SASREC_TF_DATA is not set (CI sets it to ../shared/data)")
  if not os.path.isfile(os.path.join(data_dir, "games", "Video.txt")):
    pytest.skip(f"games/Video.txt is not under SASREC_TF_DATA={data_dir}")
  return data_dir


def test_train_cli_end_to_end_and_rerun_returns_without_training(games_data_dir, tmp_path):
  out = tmp_path / "run"
  cmd = [sys.executable, os.path.join(REPO, "experiments", "train.py"), "--model=sasrec",
         "--dataset=games", f"--data_dir={games_data_dir}", f"--output_dir={out}",
         "--num_epochs=2", "--eval_every=1", "--max_len=10", "--hidden_units=8",
         "--num_blocks=1", "--batch_size=2048", "--eval_max_users=300", "--seed=1"]
  env = {**os.environ, "SASREC_TF_CACHE": str(tmp_path / "cache"), "CUDA_VISIBLE_DEVICES": "",
         "TF_CPP_MIN_LOG_LEVEL": "2"}
  first = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
  assert first.returncode == 0, first.stderr[-3000:]
  with open(out / RESULTS_FILE) as f:
    result = json.load(f)
  assert result["status"] == "complete" and result["epochs_run"] == 2
  assert result["num_users"] == 31013 and result["num_items"] == 23715
  assert result["settings"]["hidden_units"] == 8 and result["settings"]["max_len"] == 10
  assert "--num_epochs=2" in result["provenance"]["command"]
  assert 0.0 <= result["test"]["NDCG@10"] <= result["test"]["HR@10"] <= 1.0
  assert result["test"]["num_users"] == 300
  assert os.path.isfile(out / "best" / "checkpoint")

  mtime = os.stat(out / RESULTS_FILE).st_mtime_ns
  second = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
  assert second.returncode == 0, second.stderr[-3000:]
  assert os.stat(out / RESULTS_FILE).st_mtime_ns == mtime
  assert "epoch 1" not in second.stderr  # no training / evaluation lines
  summary = lambda text: json.loads(text[:text.rindex("}") + 1])
  assert summary(second.stdout) == summary(first.stdout)


def test_missing_dataset_leaves_no_run_directory(tmp_path):
  from sasrec_tf.data.errors import DatasetNotFoundError
  from sasrec_tf.training.experiment import run_experiment
  out = tmp_path / "run"
  with pytest.raises(DatasetNotFoundError, match="beauty"):
    run_experiment("sasrec", "beauty", {}, seed=0, output_dir=str(out),
                   data_dir=str(tmp_path / "empty"))
  assert not out.exists()


def test_run_directory_refuses_other_settings(tmp_path):
  from sasrec_tf.training import experiment
  out = tmp_path / "run"
  out.mkdir()
  experiment._check_same_settings(str(out), "sasrec", "games", 0, {"max_len": 50})
  experiment._check_same_settings(str(out), "sasrec", "games", 0, {"max_len": 50})
  with pytest.raises(experiment.SettingsMismatchError, match="max_len: 50 -> 20"):
    experiment._check_same_settings(str(out), "sasrec", "games", 0, {"max_len": 20})
  with pytest.raises(experiment.SettingsMismatchError, match="seed: 0 -> 1"):
    experiment._check_same_settings(str(out), "sasrec", "games", 1, {"max_len": 50})
