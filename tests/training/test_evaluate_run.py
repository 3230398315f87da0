"""evaluate_run: re-scoring a finished run's best checkpoint under other evaluation settings."""

import io
import os

import pytest

from sasrec_tf.reporting import table_runner
from sasrec_tf.reporting.table_runner import RowSpec
from sasrec_tf.training import experiment
from sasrec_tf.training.experiment import evaluate_run, run_experiment

TINY = dict(max_len=8, hidden_units=8, num_blocks=1, dropout_rate=0.2, batch_size=16,
            eval_every=1, num_negatives=20)


@pytest.fixture(scope="module")
def trained(split, tmp_path_factory):
  out = tmp_path_factory.mktemp("run")
  result = run_experiment("sasrec", "games", TINY, seed=1, output_dir=str(out), num_epochs=2,
                          split=split, stream=io.StringIO())
  return str(out), result


def test_same_settings_reproduce_the_runs_own_metrics(trained, split):
  out, result = trained
  again = evaluate_run(out, {"num_negatives": 20}, split=split)
  assert again["test"]["NDCG@10"] == pytest.approx(result["test"]["NDCG@10"], abs=1e-6)
  assert again["valid"] == pytest.approx(result["valid"])
  assert again["evaluated_from"] == out and again["best_epoch"] == result["best_epoch"]


def test_more_negatives_make_the_task_harder_and_are_stored(trained, split):
  out, result = trained
  harder = evaluate_run(out, {"num_negatives": 38}, split=split)
  assert harder["settings"]["num_negatives"] == 38
  assert harder["test"]["HR@10"] < result["test"]["HR@10"]
  stored = [d for d in os.listdir(out) if d.startswith("eval_")]
  assert len(stored) == 2  # one directory per evaluation setting
  assert evaluate_run(out, {"num_negatives": 38}, split=None) == harder  # reused, no data needed


def test_only_evaluation_settings_and_finished_runs(trained, tmp_path):
  out, _ = trained
  with pytest.raises(ValueError, match="not evaluation settings"):
    evaluate_run(out, {"hidden_units": 16})
  with pytest.raises(ValueError, match="no finished run"):
    evaluate_run(str(tmp_path), {"num_negatives": 10})


def test_rows_differing_only_in_evaluation_share_one_training(split, tmp_path, monkeypatch):
  trainings = []
  real = experiment.run_experiment

  def counting(**kwargs):
    result = real(split=split, stream=io.StringIO(), **kwargs)
    trainings.append(kwargs["output_dir"])
    return result

  real_eval = experiment.evaluate_run
  monkeypatch.setattr(experiment, "run_experiment", counting)
  monkeypatch.setattr(experiment, "evaluate_run",
                      lambda *a, **k: real_eval(*a, **dict(k, split=split)))
  run = table_runner.experiment_run_fn(tmp_path, num_epochs=1)
  rows = [RowSpec(label=f"C={c}", paper="SSE-PT", table="10", dataset="games", model="sasrec",
                  overrides=TINY, eval_overrides={"num_negatives": c}) for c in (10, 30)]
  results = [run(row, 0) for row in rows]
  assert len(set(trainings)) == 1  # one model directory for both rows
  assert [r["settings"]["num_negatives"] for r in results] == [10, 30]
  assert rows[0].fingerprint() != rows[1].fingerprint()
