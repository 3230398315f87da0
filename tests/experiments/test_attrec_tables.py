"""AttRec tables and figures (sasrec_tf/configs/attrec_tables.py) and their scripts."""

import importlib.util
import sys

import pytest

from sasrec_tf.configs import attrec_tables
from sasrec_tf.configs import tables
from sasrec_tf.data.errors import DatasetNotFoundError
from sasrec_tf.reporting import reported
from .helpers import REPO, table_flags

SCRIPTS = {name: REPO / "experiments" / "attrec" / f"{name}.py"
           for name in ("table2", "table3", "table4", "table5", "figure4", "figure5")}
CONFIGS = {
    "attrec_table2": lambda: attrec_tables.attrec_table2(("attrec",)),
    "attrec_table3": attrec_tables.attrec_table3,
    "attrec_table4": attrec_tables.attrec_table4,
    "attrec_table5": lambda: attrec_tables.attrec_table5(("attrec",)),
    "attrec_figure4": attrec_tables.attrec_figure4,
    "attrec_figure5": attrec_tables.attrec_figure5,
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_reported_numbers_resolve_and_keys_are_unique(name):
  config = CONFIGS[name]()
  assert config.name == name
  assert len({r.run_key for r in config.rows}) == len(config.rows)
  for row in config.rows:
    assert row.model != "attrec" or row.unavailable_reason is None
    for metric in (row.metrics if row.reported_method else ()):
      reported.reported_entry(row.paper, row.table, row.dataset, row.reported_method, metric,
                              variant=row.reported_variant, where=row.reported_where or None)


def test_table2_lists_every_method_and_dataset():
  config = attrec_tables.attrec_table2(("attrec",))
  assert len(config.rows) == 9 * 12
  runnable = [r for r in config.rows if r.unavailable_reason is None]
  assert {r.model for r in runnable} == {"attrec"} and len(runnable) == 12
  lstm = [r for r in config.rows if r.label == "LSTM+"]
  assert lstm[0].unavailable_reason.startswith("not implemented yet: model 'lstm'")
  mc = next(r for r in config.rows if r.label == "MC" and r.dataset == "ml-100k")
  assert mc.model == "fmc" and mc.reported_method == "FMC"
  assert (mc.metrics) == ("HR@50", "MRR")
  # Baselines on AttRec's ML-1M (raw ratings) rather than SASRec's file, AttRec's protocol.
  bpr = next(r for r in config.rows if r.label == "BPRMF" and r.dataset == "ml-1m")
  assert bpr.overrides["data_protocol"] == "attrec" and bpr.overrides["eval_protocol"] == "full"
  assert bpr.overrides["hidden_units"] == 100
  assert all(not r.overrides for r in config.rows if r.dataset != "ml-1m" or r.model == "attrec")


def test_ablation_and_sweep_rows_change_one_setting():
  t3 = {(r.label, r.dataset): r.overrides for r in attrec_tables.attrec_table3().rows}
  assert t3[("w/o Self-Att", "garden")] == {"self_attention": False}
  assert t3[("w/ Self-Att", "garden")] == {}
  t4 = {r.label: r.overrides for r in attrec_tables.attrec_table4().rows}
  assert t4 == {"Mean": {"aggregation": "mean"}, "Sum": {"aggregation": "sum"},
                "Max": {"aggregation": "max"}, "Min": {"aggregation": "min"}}
  f4 = attrec_tables.attrec_figure4().rows
  compared = {(r.label, r.dataset) for r in f4 if r.reported_method}
  assert compared == {("L=5", "ml-100k"), ("L=5", "ml-1m"), ("L=2", "garden"),
                      ("L=2", "digital-music")}
  f5 = attrec_tables.attrec_figure5().rows
  assert {(r.label, r.dataset) for r in f5 if r.reported_method} == {
      ("d=100", "ml-100k"), ("d=100", "garden")}


class _FakeRun:
  """run_fn stand-in: ML-100K present, everything else missing."""

  def __init__(self):
    self.calls = []

  def __call__(self, row, seed):
    self.calls.append((row.label, row.dataset, seed))
    if row.dataset != "ml-100k":
      raise DatasetNotFoundError(row.dataset, f"/d/{row.dataset}", f"{row.dataset}/x")
    return {"test": {"HR@50": 0.5 + 0.01 * seed, "MRR": 0.09}, "valid": {"HR@50": 0.5},
            "seconds_per_epoch": 1.5, "train_time_s": 7.5}


@pytest.mark.parametrize("name", ["attrec_table2", "attrec_table5"])
def test_fake_runs_fill_the_runnable_ml_100k_rows(tmp_path, name):
  fake = _FakeRun()
  fv = table_flags(tmp_path, "--seeds=0,1")
  result = tables.run_script(CONFIGS[name](), fv, run_fn=fake, argv=["x.py"], echo=False)
  for row in result.table.rows:
    if row.dataset == "ml-100k" and not (row.status or "").startswith("not implemented"):
      assert row.values and row.status is None, row
    else:
      assert not row.values
  assert {c[1] for c in fake.calls} <= set(attrec_tables.TABLE2_DATASETS)
  if name == "attrec_table5":
    timing = next(r for r in result.table.rows if r.label == "AttRec" and
                  r.dataset == "ml-100k")
    assert timing.values == [1.5, 1.5] and timing.reported == 1.315


def _load(name):
  spec = importlib.util.spec_from_file_location(f"attrec_{name}", SCRIPTS[name])
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def test_figure_plot_is_skipped_without_matplotlib(tmp_path, monkeypatch):
  script = _load("figure4")
  fv = table_flags(tmp_path, "--seeds=0", "--datasets=ml-100k")
  table = tables.run_script(attrec_tables.attrec_figure4(), fv, run_fn=_FakeRun(),
                            argv=["f4.py"], echo=False).table
  monkeypatch.setitem(sys.modules, "matplotlib", None)
  assert script.sweep_plot.plot_sweeps(table, tmp_path / "f.png", [("omega", "omega")]) is None
  assert not (tmp_path / "f.png").exists()


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_scripts_import_and_define_main(name):
  assert callable(_load(name).main)
