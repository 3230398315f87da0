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
