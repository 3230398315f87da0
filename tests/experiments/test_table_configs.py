"""Row lists of every table (sasrec_tf/configs/tables.py): what runs, with which settings."""

import collections
import json

import pytest

from sasrec_tf.configs import sasrec, tables
from sasrec_tf.reporting import reported
from sasrec_tf.training import experiment

IMPLEMENTED = ("pop", "sasrec")
ALL_CONFIGS = {
    "sasrec_table3": lambda: tables.sasrec_table3(IMPLEMENTED),
    "sasrec_table4": tables.sasrec_table4,
    "sasrec_table5": tables.sasrec_table5,
    "sasrec_figure2": tables.sasrec_figure2,
    "ssept_table1": lambda: tables.ssept_table1(IMPLEMENTED),
}


def _by_dataset(rows):
  out = collections.defaultdict(list)
  for row in rows:
    out[row.dataset].append(row)
  return out


@pytest.mark.parametrize("name", sorted(ALL_CONFIGS))
def test_every_reported_number_resolves_and_keys_are_unique(name):
  config = ALL_CONFIGS[name]()
  assert config.name == name
  assert len({r.run_key for r in config.rows}) == len(config.rows)
  for row in config.rows:
    if row.reported_method is None:
      continue
    for metric in row.metrics:  # raises when missing or ambiguous
      reported.reported_entry(row.paper, row.table, row.dataset, row.reported_method, metric,
                              variant=row.reported_variant, where=row.reported_where or None)


@pytest.mark.parametrize("name", sorted(ALL_CONFIGS))
def test_runnable_rows_resolve_their_settings(name):
  for row in ALL_CONFIGS[name]().rows:
    if row.unavailable_reason is None or row.model in IMPLEMENTED:
      settings = experiment.resolve_settings(row.model, row.dataset, row.overrides)
      for key, value in row.overrides.items():
        assert settings[key] == value


def test_table3_rows():
  config = tables.sasrec_table3(IMPLEMENTED)
  per = _by_dataset(config.rows)
  assert list(per) == ["beauty", "games", "steam", "ml-1m"]
  for rows in per.values():
    assert [r.label for r in rows] == [
        "(a) PopRec", "(b) BPR", "(c) FMC", "(d) FPMC", "(e) TransRec", "(f) GRU4Rec",
        "(g) GRU4Rec+", "(h) Caser", "(i) SASRec"]
    for row in rows:
      assert row.metrics == ("HR@10", "NDCG@10") and row.overrides == {}
      if row.model in IMPLEMENTED:
        assert row.unavailable_reason is None
      else:
        assert row.unavailable_reason.startswith("not implemented yet")
  assert config.default_seeds == (0, 1, 2)
  assert any("GPU" in note for note in config.notes_for(per["steam"]))
  assert not any("GPU" in note for note in config.notes_for(per["games"]))


def test_table3_follows_the_library_models():
  assert set(tables.implemented_models()) == set(experiment.available_models())
  bpr = [r for r in tables.sasrec_table3(IMPLEMENTED + ("bpr",)).rows if r.model == "bpr"]
  assert len(bpr) == 4 and all(r.unavailable_reason is None for r in bpr)


def test_table4_has_the_nine_ablations():
  config = tables.sasrec_table4()
  per = _by_dataset(config.rows)
  assert list(per) == list(tables.SASREC_DATASETS)
  for dataset, rows in per.items():
    assert len(rows) == 9
    assert [r.overrides for r in rows] == list(sasrec.ABLATIONS.values())
    assert [r.label[:3] for r in rows] == [f"({i})" for i in range(9)]
    assert all(r.model == "sasrec" and r.metrics == ("NDCG@10",) for r in rows)
    values = [reported.reported_value("SASRec", "IV", dataset, "SASRec", "NDCG@10",
                                      variant=r.reported_variant) for r in rows]
    assert len(set(values)) > 1
  labels = {r.label: r.overrides for r in per["games"]}
  assert labels["(1) Remove PE"] == {"use_positional_embedding": False}
  assert labels["(2) Unshared IE"] == {"share_item_embedding": False}
  assert labels["(3) Remove RC"] == {"use_residual": False}
  assert labels["(4) Remove Dropout"] == {"dropout_rate": 0.0}
  assert labels["(5) 0 Block (b=0)"] == {"num_blocks": 0}
  assert labels["(8) Multi-Head"] == {"num_heads": 2}
  assert ("(3) Remove RC", "(0) Default") in config.comparisons


def test_table5_has_the_eight_lengths():
  rows = tables.sasrec_table5().rows
  assert [r.overrides["max_len"] for r in rows] == [10, 50, 100, 200, 300, 400, 500, 600]
  assert all(r.dataset == "ml-1m" and r.model == "sasrec" for r in rows)
  assert all(r.metrics == ("NDCG@10", "training_time_seconds") for r in rows)
  slow = [r.overrides["max_len"] for r in rows if r.unavailable_reason]
  assert slow == [300, 400, 500, 600]
  assert all("needs GPU" in r.unavailable_reason for r in rows if r.unavailable_reason)
  assert not any(r.unavailable_reason for r in tables.sasrec_table5(allow_slow=True).rows)
  n200 = rows[3]
  assert reported.reported_value("SASRec", "V", "ml-1m", "SASRec", "NDCG@10",
                                 where=n200.reported_where) == pytest.approx(0.587)


def test_figure2_sweeps_d_and_only_d50_is_reported():
  rows = tables.sasrec_figure2().rows
  assert len(rows) == 20
  for dataset, per in _by_dataset(rows).items():
    assert [r.overrides["hidden_units"] for r in per] == [10, 20, 30, 40, 50]
    assert [r.reported_method for r in per] == [None] * 4 + ["SASRec"]
    assert per[-1].table == "III"


def test_ssept_table1_rows():
  config = tables.ssept_table1(IMPLEMENTED)
  per = _by_dataset(config.rows)
  letters = [r.label.split()[0] for r in per["ml-1m"]]
  assert letters == [f"({c})" for c in "ABCDEFGHIJKLMNO"]
  for dataset in ("beauty", "games", "steam"):
    assert [r.label for r in per[dataset]] == [r.label for r in per["ml-1m"]][:-1]
  runnable = {r.label for r in config.rows if r.unavailable_reason is None}
  assert runnable == {"(A) PopRec", "(J) SASRec"}
  for row in config.rows:
    assert row.metrics == ("NDCG@10", "HR@10")
    if row.unavailable_reason:
      assert row.unavailable_reason.startswith("not implemented yet")


def _fake_sweep(sweeps_dir, model, dataset, values, best_d):
  """A sweep record of ``model`` on ``dataset`` over hidden_units = ``values``; best_d wins."""
  from sasrec_tf.training import sweep  # pylint: disable=import-outside-toplevel

  def run(overrides, seed):
    score = 0.5 if overrides["hidden_units"] == best_d else 0.1
    return {"valid": {"NDCG@10": score}, "test": {"NDCG@10": 1.0 - score}}

  return sweep.run_sweep(model, dataset, {"hidden_units": list(values), "l2_emb": [0.01]},
                         [0], run, sweeps_dir, fixed={"batch_size": 64})


def test_tuned_baseline_rows_take_the_sweep_selection(tmp_path):
  with_bpr = IMPLEMENTED + ("bpr", "fmc")
  _fake_sweep(tmp_path, "bpr", "games", (10, 30), best_d=30)
  # A sweep still running (fewer trials than grid points) selects nothing yet.
  _fake_sweep(tmp_path, "fmc", "games", (10,), best_d=10)
  record = json.loads((tmp_path / "fmc_games.json").read_text())
  record["grid"]["hidden_units"] = [10, 20]
  (tmp_path / "fmc_games.json").write_text(json.dumps(record))

  for build in (tables.sasrec_table3, tables.ssept_table1):
    config = build(with_bpr, sweeps_dir=tmp_path)
    bpr = {r.dataset: r for r in config.rows if r.model == "bpr"}
    assert bpr["games"].overrides == {"batch_size": 64, "hidden_units": 30, "l2_emb": 0.01}
    assert bpr["ml-1m"].overrides == {}  # no sweep on ML-1M: placeholders
    assert all(r.overrides == {} for r in config.rows if r.model == "fmc")
    games_notes = " ".join(config.notes_for([bpr["games"]]))
    assert "hidden_units=30" in games_notes and "bpr_games.json" in games_notes
    assert "FMC" in games_notes and "untuned placeholders" in games_notes
    ml1m_notes = " ".join(config.notes_for([bpr["ml-1m"]]))
    assert "hidden_units=30" not in ml1m_notes and "untuned placeholders" in ml1m_notes
    # Without a sweeps directory nothing is read and the rows keep the placeholders.
    plain = build(with_bpr)
    assert all(r.overrides == {} for r in plain.rows if r.model in ("bpr", "fmc"))


def test_a_sweep_of_another_model_is_refused(tmp_path):
  _fake_sweep(tmp_path, "fmc", "games", (10,), best_d=10)
  (tmp_path / "bpr_games.json").write_text((tmp_path / "fmc_games.json").read_text())
  with pytest.raises(ValueError, match="not 'bpr' on 'games'"):
    tables.sweep_selection(tmp_path, "bpr", "games")
  assert tables.sweep_selection(tmp_path, "transrec", "games") is None
  assert tables.sweep_selection(None, "fmc", "games") is None
