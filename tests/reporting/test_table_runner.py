"""Tests of the table driver with fake run functions."""

import json
import sys
import types

import pytest

from absl import flags

from sasrec_tf.reporting import table_runner
from sasrec_tf.reporting.errors import (DirtyTreeError, NotImplementedModelError,
                                        RowUnavailableError, unavailable_status)
from sasrec_tf.reporting.table_runner import RowSpec


class DatasetNotFoundError(FileNotFoundError):
  """Stands in for the data package's error (matched by class name)."""


ROWS = [
    RowSpec("PopRec", "SASRec", "III", "Games", "pop", reported_method="PopRec"),
    RowSpec("SASRec", "SASRec", "III", "games", "sasrec", overrides={"maxlen": 50},
            reported_method="SASRec"),
    RowSpec("SASRec", "SASRec", "III", "ML-1M", "sasrec", reported_method="SASRec"),
    RowSpec("FMC", "SASRec", "III", "games", "fmc", reported_method="FMC"),
    RowSpec("SASRec", "SASRec", "III", "steam", "sasrec", reported_method="SASRec",
            unavailable_reason="needs GPU: ~22 h on CPU"),
]


class FakeRuns:
  """Counts calls; games runs succeed, ml-1m has no data, fmc is not implemented."""

  def __init__(self):
    self.calls = []

  def __call__(self, row, seed):
    self.calls.append((row.label, row.dataset, seed))
    if row.dataset == "ml-1m":
      raise DatasetNotFoundError("dataset 'ml-1m': file not found: data/ml-1m/ratings.dat\n"
                                 "  Place the file at ...")
    if row.model == "fmc":
      raise NotImplementedModelError("model 'fmc'")
    base = 0.27 if row.model == "pop" else 0.53
    return {"test": {"NDCG@10": base + seed / 100, "Hit@10": base + 0.2 + seed / 100},
            "valid": {"NDCG@10": 0.0}, "train_time_s": 10.0 * seed, "epochs_run": 3}


def _run(tmp_path, run_fn, **kwargs):
  kwargs.setdefault("echo", False)
  return table_runner.run_table(ROWS, [1, 2, 3], run_fn, tmp_path, "sasrec_table3",
                                argv=["table3.py"], **kwargs)


def _rows(result):
  return {(r.label, r.dataset, r.metric): r for r in result.table.rows}


def test_statuses_values_and_files(tmp_path):
  fake = FakeRuns()
  result = _run(tmp_path, fake, comparisons=[("SASRec", "PopRec")])
  rows = _rows(result)
  sasrec = rows[("SASRec", "games", "NDCG@10")]
  assert sasrec.values == pytest.approx([0.54, 0.55, 0.56]) and sasrec.seeds == [1, 2, 3]
  assert sasrec.reported == 0.5360 and sasrec.status is None
  assert rows[("SASRec", "games", "HR@10")].reported == 0.7410
  assert rows[("PopRec", "games", "HR@10")].reported == 0.4724
  missing = rows[("SASRec", "ml-1m", "NDCG@10")]
  assert not missing.values and missing.status.startswith("dataset not available: dataset 'ml-1m'")
  assert "\n" not in missing.status
  assert rows[("FMC", "games", "HR@10")].status == "not implemented yet: model 'fmc'"
  assert rows[("SASRec", "steam", "HR@10")].status == "needs GPU: ~22 h on CPU"
  # Unavailable rows are tried once, not once per seed; the GPU row is never tried.
  assert [c for c in fake.calls if c[1] == "ml-1m"] == [("SASRec", "ml-1m", 1)]
  assert not [c for c in fake.calls if c[1] == "steam"]
  assert len(fake.calls) == 3 + 3 + 1 + 1

  payload = json.loads(result.json_path.read_text())
  assert payload["provenance"]["command"] == ["table3.py"]
  assert payload["provenance"]["runs_made"] == 6
  by_key = {(r["label"], r["dataset"], r["metric"]): r for r in payload["rows"]}
  assert by_key[("SASRec", "games", "NDCG@10")]["extra"]["mean_train_time_s"] == 20.0
  assert "mean" not in by_key[("FMC", "games", "NDCG@10")]
  assert len(payload["comparisons"]) == 2
  markdown = result.markdown_path.read_text()
  assert "within ±5%" in markdown and "not implemented yet" in markdown
  runs = sorted(p.name for p in (tmp_path / "sasrec_table3" / "runs").iterdir())
  assert len(runs) == 6 and "SASRec__games__seed2.json" in runs
  stored = json.loads((tmp_path / "sasrec_table3" / "runs" / "SASRec__games__seed2.json")
                      .read_text())
  assert stored["metrics"] == {"NDCG@10": pytest.approx(0.55), "HR@10": pytest.approx(0.75)}
  assert stored["extra"]["epochs_run"] == 3 and stored["provenance"]["seeds"] == [2]


def test_resume_does_not_call_run_fn_again(tmp_path):
  _run(tmp_path, FakeRuns())

  def must_not_run(row, seed):
    if row.dataset == "games" and row.model != "fmc":
      raise AssertionError(f"re-ran {row.label} seed {seed}")
    return FakeRuns()(row, seed)

  result = _run(tmp_path, must_not_run)
  assert result.provenance["runs_reused"] == 6 and result.provenance["runs_made"] == 0
  assert _rows(result)[("SASRec", "games", "NDCG@10")].values == pytest.approx([0.54, 0.55,
                                                                               0.56])


def test_rerun_and_changed_settings_run_again(tmp_path):
  _run(tmp_path, FakeRuns())
  fake = FakeRuns()
  _run(tmp_path, fake, rerun=True)
  assert ("SASRec", "games", 1) in fake.calls
  fake = FakeRuns()
  _run(tmp_path, fake, fingerprint_extra={"num_epochs": 5})
  assert len([c for c in fake.calls if c[1] == "games" and c[0] != "FMC"]) == 6


def _recording_settings(settings):
  """A run function that records ``settings`` as run_experiment does (extra["settings"])."""
  def run(row, seed):
    return dict(FakeRuns()(row, seed), settings=dict(settings))
  return run


def test_a_changed_default_makes_stored_runs_stale(tmp_path):
  """A paper default changed after a run was stored (same row, same fingerprint): not re-used."""
  rows = ROWS[1:2]
  old = {"learning_rate": 0.2, "optimizer": "adagrad"}
  table_runner.run_table(rows, [1], _recording_settings(old), tmp_path, "t", echo=False)
  same = table_runner.run_table(rows, [1], _recording_settings(old), tmp_path, "t",
                                echo=False, settings_of=lambda row: old)
  assert same.provenance["runs_reused"] == 1

  now = dict(old, momentum=0.3)
  shown = table_runner.run_table(rows, [1], _recording_settings(now), tmp_path, "t",
                                 echo=False, execute=False, settings_of=lambda row: now)
  row = shown.table.rows[0]
  assert not row.values
  assert "predates a settings change (momentum None vs 0.3)" in row.status

  fake = []
  def run(row, seed):
    fake.append(seed)
    return _recording_settings(now)(row, seed)
  rerun = table_runner.run_table(rows, [1], run, tmp_path, "t", echo=False,
                                 settings_of=lambda row: now)
  assert fake == [1] and rerun.provenance["runs_made"] == 1 and rerun.table.rows[0].values
  again = table_runner.run_table(rows, [1], run, tmp_path, "t", echo=False,
                                 settings_of=lambda row: now)
  assert fake == [1] and again.provenance["runs_reused"] == 1


def test_runs_without_recorded_settings_are_never_called_stale(tmp_path):
  table_runner.run_table(ROWS[1:2], [1], FakeRuns(), tmp_path, "t", echo=False)
  result = table_runner.run_table(ROWS[1:2], [1], FakeRuns(), tmp_path, "t", echo=False,
                                  execute=False, settings_of=lambda row: {"momentum": 0.3})
  assert result.table.rows[0].values and result.table.rows[0].status is None


def test_partial_resume_only_runs_missing_seeds(tmp_path):
  table_runner.run_table(ROWS[1:2], [1], FakeRuns(), tmp_path, "t", echo=False)
  fake = FakeRuns()
  result = table_runner.run_table(ROWS[1:2], [1, 2], fake, tmp_path, "t", echo=False)
  assert fake.calls == [("SASRec", "games", 2)]
  assert result.table.rows[0].seeds == [1, 2]


def test_report_only_renders_stored_runs(tmp_path):
  table_runner.run_table(ROWS[1:2], [1], FakeRuns(), tmp_path, "t", echo=False)
  result = table_runner.run_table(ROWS[1:2], [1, 2], FakeRuns(), tmp_path, "t", echo=False,
                                  execute=False)
  row = result.table.rows[0]
  assert row.seeds == [1] and row.status == "1/2 seeds; not run yet"


def test_real_failures_raise_or_are_recorded(tmp_path):
  def broken(row, seed):
    raise ZeroDivisionError("loss is nan")

  with pytest.raises(ZeroDivisionError):
    table_runner.run_table(ROWS[1:2], [1], broken, tmp_path, "t", echo=False)
  result = table_runner.run_table(ROWS[1:2], [1, 2], broken, tmp_path, "t", echo=False,
                                  on_error="record")
  assert result.table.rows[0].status.startswith("seed 1 failed: ZeroDivisionError")


def test_wrong_reported_name_fails_before_running(tmp_path):
  bad = [RowSpec("x", "SASRec", "III", "games", "sasrec", reported_method="SASRek")]
  fake = FakeRuns()
  with pytest.raises(KeyError, match="SASRek"):
    table_runner.run_table(bad, [1], fake, tmp_path, "t", echo=False)
  assert not fake.calls


def test_duplicate_rows_rejected(tmp_path):
  with pytest.raises(ValueError, match="storage key"):
    table_runner.run_table([ROWS[1], ROWS[1]], [1], FakeRuns(), tmp_path, "t", echo=False)


def test_require_clean_outside_git(tmp_path, monkeypatch):
  monkeypatch.setattr(table_runner.provenance_lib, "_PACKAGE_ROOT", tmp_path)
  with pytest.raises(DirtyTreeError, match="refusing"):
    _run(tmp_path, FakeRuns(), require_clean=True)


def test_flat_results_and_unavailable_error(tmp_path):
  def flat(row, seed):
    if row.model == "pop":
      raise RowUnavailableError("needs GPU")
    return {"ndcg@10": 0.5, "recall@10": 0.7, "output_dir": "/x"}

  result = table_runner.run_table(ROWS[:2], [1], flat, tmp_path, "t", echo=False)
  rows = _rows(result)
  assert rows[("SASRec", "games", "HR@10")].values == [0.7]
  assert rows[("PopRec", "games", "HR@10")].status == "needs GPU"


def test_split_run_result():
  metrics, extra = table_runner.split_run_result(
      {"test": {"Hit@10": 0.7, "NDCG@10": 0.5}, "valid": {"NDCG@10": 0.4}, "epochs_run": 3})
  assert metrics == {"HR@10": 0.7, "NDCG@10": 0.5}
  assert extra == {"valid": {"NDCG@10": 0.4}, "epochs_run": 3}
  with pytest.raises(TypeError):
    table_runner.split_run_result([0.5])


def test_unavailable_status_classification():
  assert unavailable_status(FileNotFoundError(2, "No such file", "a/b.txt")) == \
      "dataset not available: a/b.txt"
  assert unavailable_status(NotImplementedError()) == "not implemented yet"
  assert unavailable_status(ValueError("bad line")) is None


def test_row_spec_normalises_names():
  row = RowSpec("x", "SASRec", 3, "Movielens1m", "sasrec", metrics=("Hit@10", "ndcg@10"))
  assert row.dataset == "ml-1m" and row.metrics == ("HR@10", "NDCG@10") and row.table == "3"
  assert row.fingerprint() == row.fingerprint({"num_epochs": None})
  assert row.fingerprint() != row.fingerprint({"num_epochs": 5})


def test_experiment_run_fn_adapter(tmp_path, monkeypatch):
  calls = {}

  def run_experiment(**kwargs):
    calls.update(kwargs)
    return {"test": {"NDCG@10": 0.5}, "valid": {}, "epochs_run": 1, "train_time_s": 1.0,
            "wall_time_s": 1.0}

  fake_module = types.ModuleType("sasrec_tf.training.experiment")
  fake_module.run_experiment = run_experiment
  fake_module.resolve_settings = lambda model, dataset, overrides, num_epochs: dict(
      overrides, num_epochs=num_epochs, default_setting=calls.get("default", 1))
  monkeypatch.setitem(sys.modules, "sasrec_tf.training.experiment", fake_module)
  import sasrec_tf.training  # pylint: disable=import-outside-toplevel
  monkeypatch.setattr(sasrec_tf.training, "experiment", fake_module, raising=False)
  run = table_runner.experiment_run_fn(tmp_path, data_dir="d", num_epochs=2)
  out = run(ROWS[1], 7)
  assert calls["model"] == "sasrec" and calls["dataset"] == "games" and calls["seed"] == 7
  assert calls["overrides"] == {"maxlen": 50} and calls["num_epochs"] == 2
  assert out["output_dir"].endswith("/seed7") and "SASRec__games" in out["output_dir"]
  assert calls["reuse"] is True
  # Other settings (here: epochs) never share a run directory.
  other = table_runner.experiment_run_fn(tmp_path, data_dir="d", num_epochs=3)(ROWS[1], 7)
  assert other["output_dir"] != out["output_dir"]
  # Nor do runs made before a default setting changed.
  calls["default"] = 2
  changed = table_runner.experiment_run_fn(tmp_path, data_dir="d", num_epochs=2)(ROWS[1], 7)
  assert changed["output_dir"] != out["output_dir"]
  table_runner.experiment_run_fn(tmp_path, data_dir="d", num_epochs=2, rerun=True)(ROWS[1], 7)
  assert calls["reuse"] is False


def test_flags_driver(tmp_path):
  fv = flags.FlagValues()
  table_runner.define_table_flags(fv)
  table_runner.define_table_flags(fv)  # idempotent
  fv(["table3.py", f"--results_dir={tmp_path}", "--seeds=4,5", "--only=sasrec",
      "--datasets=games", "--tolerance_abs=0.01"])
  fake = FakeRuns()
  result = table_runner.run_table_from_flags("t", ROWS, run_fn=fake, argv=["table3.py"],
                                             flag_values=fv, echo=False)
  assert fake.calls == [("SASRec", "games", 4), ("SASRec", "games", 5)]
  assert result.table.tolerance.describe() == "±0.01 and ±5%"
  assert result.provenance["flags"]["seeds"] == ["4", "5"]


def test_non_test_quantities_come_from_extra(tmp_path):
  rows = [RowSpec("n=10", "SASRec", "V", "ml-1m", "sasrec", overrides={"maxlen": 10},
                  metrics=("NDCG@10", "training_time_seconds"), reported_method="SASRec",
                  reported_where={"maxlen": 10})]
  result = table_runner.run_table(
      rows, [1], lambda row, seed: {"test": {"NDCG@10": 0.48}, "train_time_s": 80.0}, tmp_path,
      "t5", echo=False)
  ndcg, seconds = result.table.rows
  assert (ndcg.reported, ndcg.values) == (0.48, [0.48])
  assert (seconds.reported, seconds.values) == (75.0, [80.0])


def _train_run(path, seed=0, status="complete", **settings):
  """A run_experiment output directory with results.json."""
  path.mkdir(parents=True)
  result = {"model": "sasrec", "dataset": "games", "seed": seed, "status": status,
            "settings": {"num_epochs": 201, "max_len": 50, **settings},
            "test": {"NDCG@10": 0.53, "HR@10": 0.73}, "valid": {"NDCG@10": 0.56},
            "train_time_s": 6000.0, "provenance": {"git": {"revision": "abc"}}}
  (path / "results.json").write_text(json.dumps(result))
  return path


def test_adopted_train_runs_fill_the_rows_they_equal(tmp_path):
  rows = [RowSpec("SASRec", "SASRec", "III", "games", "sasrec", reported_method="SASRec")]
  wanted = {"num_epochs": 201, "max_len": 50, "optimizer": "adam"}
  same = _train_run(tmp_path / "same")  # predates the optimizer setting: legacy value adam
  other = _train_run(tmp_path / "other", seed=1, max_len=200, optimizer="adam")
  running = _train_run(tmp_path / "running", seed=2, status="running", optimizer="adam")
  out = tmp_path / "results"
  lines = table_runner.adopt_runs(rows, [same, other, running, tmp_path / "none"], out, "t3",
                                  lambda row: wanted)
  assert "adopted as SASRec on games, seed 0" in lines[0]
  assert "not adopted" in lines[1] and "max_len 200 vs 50" in lines[1]
  assert "unfinished" in lines[2] and "no results.json" in lines[3]
  stored = json.loads((out / "t3" / "runs" / "SASRec__games__seed0.json").read_text())
  assert stored["adopted_from"] == str(same) and stored["metrics"]["NDCG@10"] == 0.53
  assert stored["provenance"]["git"]["revision"] == "abc"
  # The table shows the adopted seed without running anything.
  result = table_runner.run_table(rows, [0], FakeRuns(), out, "t3", execute=False, echo=False)
  assert result.table.rows[0].values == [0.53]
  # Adopting again keeps what is stored.
  again = table_runner.adopt_runs(rows, [same], out, "t3", lambda row: wanted)
  assert "already stored, kept" in again[0]
