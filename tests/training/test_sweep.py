"""Sweeps: grid parsing, selection on validation only, the JSON / markdown records."""

import json

import pytest

from sasrec_tf.training import sweep

TYPES = {"hidden_units": int, "l2_emb": float, "gru_loss": str, "use_residual": bool}


def test_parse_grid_types_and_order():
  grid = sweep.parse_grid("hidden_units=10,20 ; l2_emb=0.0001,1;gru_loss=top1;use_residual=false",
                          TYPES)
  assert grid == {"hidden_units": [10, 20], "l2_emb": [1e-4, 1.0], "gru_loss": ["top1"],
                  "use_residual": [False]}
  assert isinstance(grid["l2_emb"][1], float)
  points = sweep.grid_points({"hidden_units": [10, 20], "l2_emb": [0.1, 1.0]})
  assert points == [{"hidden_units": 10, "l2_emb": 0.1}, {"hidden_units": 10, "l2_emb": 1.0},
                    {"hidden_units": 20, "l2_emb": 0.1}, {"hidden_units": 20, "l2_emb": 1.0}]
  assert sweep.trial_key(points[1]) == "hidden_units-10_l2_emb-1.0"


@pytest.mark.parametrize("text, message", [
    ("hidden_units", "name=v1"), ("hiden_units=1", "unknown setting"),
    ("hidden_units=1;hidden_units=2", "twice"), ("hidden_units=a", "expected int"),
    ("l2_emb=", "no values"), ("", "empty"),
])
def test_parse_grid_errors(text, message):
  with pytest.raises(ValueError, match=message):
    sweep.parse_grid(text, TYPES)


def test_selection_uses_validation_only_and_every_trial_is_recorded(tmp_path):
  calls = []

  def fake_run(overrides, seed):
    calls.append((dict(overrides), seed))
    d = overrides["hidden_units"]
    # Validation prefers d = 20; the test metric would prefer d = 30.
    valid = {10: 0.30, 20: 0.40, 30: 0.35}[d] + 0.01 * seed
    test = {10: 0.30, 20: 0.31, 30: 0.50}[d]
    return {"valid": {"NDCG@10": valid, "HR@10": valid + 0.2},
            "test": {"NDCG@10": test, "HR@10": test + 0.2}, "best_epoch": 5, "epochs_run": 25,
            "status": "stopped_early", "provenance": {"git": {"revision": "abc"}}}

  record = sweep.run_sweep("bpr", "games", {"hidden_units": [10, 20, 30]}, [0, 1], fake_run,
                           tmp_path, fixed={"batch_size": 64, "hidden_units": 99},
                           argv=["sweep.py", "--model=bpr"])
  assert [c[0] for c in calls[:2]] == [{"batch_size": 64, "hidden_units": 10}] * 2  # grid wins
  assert [c[1] for c in calls] == [0, 1] * 3
  assert record["best"]["settings"] == {"hidden_units": 20} and record["best_index"] == 1
  assert record["best"]["valid"]["NDCG@10"] == pytest.approx(0.405)  # mean over the seeds
  on_disk = json.loads((tmp_path / "bpr_games.json").read_text())
  assert len(on_disk["trials"]) == 3 and on_disk["select_metric"] == "NDCG@10"
  assert on_disk["trials"][2]["test"]["NDCG@10"] == pytest.approx(0.5)
  assert set(on_disk["trials"][0]["runs"]) == {"0", "1"}
  assert on_disk["provenance"]["command"] == ["sweep.py", "--model=bpr"]
  markdown = (tmp_path / "bpr_games.md").read_text()
  rows = [line for line in markdown.splitlines() if line.startswith("| *")]
  assert len(rows) == 1 and "| 20 |" in rows[0]
  assert "never used to choose" in markdown


def _counting_run(calls, settings=None):
  """A fake run_fn: validation prefers d = 20; records every (overrides, seed) it trains."""

  def run(overrides, seed):
    calls.append((overrides["hidden_units"], seed))
    valid = {10: 0.30, 20: 0.40, 30: 0.35}[overrides["hidden_units"]]
    return {"valid": {"NDCG@10": valid, "HR@10": valid}, "test": {"NDCG@10": 0.1, "HR@10": 0.2},
            "best_epoch": 5, "epochs_run": 10, "status": "complete",
            "settings": dict(settings or {}, **overrides),
            "provenance": {"git": {"revision": f"rev{len(calls)}"}}}

  return run


def test_max_new_trials_spreads_a_sweep_over_sittings_through_the_record_alone(tmp_path):
  from sasrec_tf.configs import tables
  grid = {"hidden_units": [10, 20, 30]}
  calls = []
  first = sweep.run_sweep("bpr", "games", grid, [0], _counting_run(calls), tmp_path,
                          max_new_trials=1)
  assert calls == [(10, 0)]
  assert not first["complete"] and first["pending"] == [{"hidden_units": 20},
                                                        {"hidden_units": 30}]
  assert "Not run yet (2 grid points" in (tmp_path / "bpr_games.md").read_text()
  assert tables.sweep_selection(tmp_path, "bpr", "games") is None  # an unfinished sweep
  # Later sittings: no run directories survive, only the JSON record.
  second = sweep.run_sweep("bpr", "games", grid, [0], _counting_run(calls), tmp_path,
                           max_new_trials=1)
  assert calls == [(10, 0), (20, 0)] and second["pending"] == [{"hidden_units": 30}]
  reused = second["trials"][0]["runs"][0]
  assert reused["from_record"] and reused["git"] == {"revision": "rev1"}  # its own provenance
  third = sweep.run_sweep("bpr", "games", grid, [0], _counting_run(calls), tmp_path)
  assert calls == [(10, 0), (20, 0), (30, 0)]
  assert third["complete"] and third["pending"] == []
  assert third["best"]["settings"] == {"hidden_units": 20}
  assert tables.sweep_selection(tmp_path, "bpr", "games").overrides == {"hidden_units": 20}
  # A fourth sitting trains nothing.
  sweep.run_sweep("bpr", "games", grid, [0], _counting_run(calls), tmp_path, max_new_trials=1)
  assert len(calls) == 3


def test_a_new_seed_trains_only_that_seed(tmp_path):
  calls = []
  sweep.run_sweep("bpr", "games", {"hidden_units": [10, 20]}, [0], _counting_run(calls), tmp_path)
  sweep.run_sweep("bpr", "games", {"hidden_units": [10, 20]}, [0, 1], _counting_run(calls),
                  tmp_path)
  assert calls == [(10, 0), (20, 0), (10, 1), (20, 1)]


@pytest.mark.parametrize("change", ["fixed", "num_epochs", "default", "model"])
def test_stored_runs_of_another_sweep_or_with_stale_settings_are_retrained(tmp_path, change):
  calls = []
  grid = {"hidden_units": [10]}
  resolve = lambda o: {"l2_emb": 0.001, **o}  # pylint: disable=unnecessary-lambda-assignment
  sweep.run_sweep("bpr", "games", grid, [0], _counting_run(calls, {"l2_emb": 0.001}), tmp_path,
                  name="s", resolve_fn=resolve)
  kwargs = dict(name="s", resolve_fn=resolve)
  model = "bpr"
  if change == "fixed":
    kwargs["fixed"] = {"batch_size": 64}
  elif change == "num_epochs":
    kwargs["num_epochs"] = 5
  elif change == "default":  # the model's default l2 changed since the stored run
    kwargs["resolve_fn"] = lambda o: {"l2_emb": 0.01, **o}
  else:
    model = "fmc"
  sweep.run_sweep(model, "games", grid, [0], _counting_run(calls, {"l2_emb": 0.001}), tmp_path,
                  **kwargs)
  assert calls == [(10, 0), (10, 0)]
