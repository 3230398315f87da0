"""The table scripts driven with a fake run function, their CLIs, and one real PopRec run."""

import json
import subprocess
import sys

import pytest

from sasrec_tf.configs import tables
from .helpers import REPO, SCRIPTS, FakeRun, load_script, table_flags

IMPLEMENTED = ("pop", "sasrec")
CONFIGS = {
    "sasrec_table3": lambda fv: tables.sasrec_table3(IMPLEMENTED),
    "sasrec_table4": lambda fv: tables.sasrec_table4(),
    "sasrec_table5": lambda fv: tables.sasrec_table5(allow_slow=fv.allow_slow),
    "sasrec_figure2": lambda fv: tables.sasrec_figure2(),
    "ssept_table1": lambda fv: tables.ssept_table1(IMPLEMENTED),
}


def _json_rows(path):
  with open(path, encoding="utf-8") as f:
    return json.load(f)["rows"]


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_fake_runs_fill_only_runnable_rows(tmp_path, name):
  slow = name == "sasrec_table5"
  fv = table_flags(tmp_path, "--seeds=0,1", *(["--allow_slow"] if slow else []), allow_slow=slow)
  config = CONFIGS[name](fv)
  fake = FakeRun()
  result = tables.run_script(config, fv, run_fn=fake, argv=["script.py"], echo=False)
  assert result.json_path == tmp_path / f"{name}.json"
  assert (tmp_path / f"{name}.md").exists()
  rows = _json_rows(result.json_path)
  assert len(rows) == sum(len(r.metrics) for r in config.rows)
  for row in rows:
    if row["status"].startswith("not implemented yet"):
      assert not row["ran"] and "mean" not in row and "values" not in row
    elif row["dataset"] in ("beauty", "steam"):
      assert not row["ran"] and row["status"].startswith("dataset not available")
    else:
      assert row["ran"] and row["n"] == 2 and row["status"] == "ok", row
  ran = {(label, dataset) for label, dataset, _ in fake.calls}
  assert all(r.unavailable_reason is None for r in config.rows
             if (r.label, r.dataset) in ran)


def test_table3_only_and_datasets_select_rows(tmp_path):
  fv = table_flags(tmp_path, "--seeds=0", "--only=PopRec,SASRec", "--datasets=games")
  fake = FakeRun()
  result = tables.run_script(tables.sasrec_table3(IMPLEMENTED), fv, run_fn=fake,
                             argv=["table3.py"], echo=False)
  assert sorted(fake.calls) == [("(a) PopRec", "games", 0), ("(i) SASRec", "games", 0)]
  assert {(r.label, r.metric) for r in result.table.rows} == {
      ("(a) PopRec", "HR@10"), ("(a) PopRec", "NDCG@10"), ("(i) SASRec", "HR@10"),
      ("(i) SASRec", "NDCG@10")}
  assert not any("GPU" in note for note in result.table.notes)  # no Steam row selected


def test_table5_slow_rows_need_the_flag(tmp_path):
  fv = table_flags(tmp_path, "--seeds=0", allow_slow=True)
  fake = FakeRun()
  result = tables.run_script(tables.sasrec_table5(allow_slow=fv.allow_slow), fv, run_fn=fake,
                             argv=["table5.py"], echo=False)
  assert [label for label, _, _ in fake.calls] == ["n=10", "n=50", "n=100", "n=200"]
  rows = {(r.label, r.metric): r for r in result.table.rows}
  assert rows[("n=200", "training_time_seconds")].values == [100.0]
  assert rows[("n=200", "training_time_seconds")].reported == 341.0
  assert rows[("n=600", "NDCG@10")].status.startswith("needs GPU")
  assert not rows[("n=600", "NDCG@10")].values


def test_a_data_dir_is_required_to_run(tmp_path, monkeypatch):
  monkeypatch.delenv(tables.DATA_ENV, raising=False)
  fv = table_flags(tmp_path, data_dir=None)
  assert fv.data_dir is None
  with pytest.raises(ValueError, match="data directory"):
    tables.run_script(tables.sasrec_table4(), fv, argv=["table4.py"], echo=False)
  fv = table_flags(tmp_path, "--report_only", data_dir=None)
  result = tables.run_script(tables.sasrec_table4(), fv, argv=["table4.py"], echo=False)
  assert all(not r.ran for r in result.table.rows)


def test_data_dir_defaults_to_the_environment(tmp_path, monkeypatch):
  monkeypatch.setenv(tables.DATA_ENV, str(tmp_path / "data"))
  assert table_flags(tmp_path, data_dir=None).data_dir == str(tmp_path / "data")


def _figure2_table(tmp_path):
  fv = table_flags(tmp_path, "--seeds=0,1", "--datasets=games")
  return tables.run_script(tables.sasrec_figure2(), fv, run_fn=FakeRun(), argv=["f2.py"],
                           echo=False).table


def test_figure2_plot_is_skipped_without_matplotlib(tmp_path, monkeypatch):
  script = load_script("sasrec_figure2")
  monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails as if not installed
  assert script.plot(_figure2_table(tmp_path), tmp_path / "fig.png") is None
  assert not (tmp_path / "fig.png").exists()


def test_figure2_plot_with_matplotlib(tmp_path):
  pytest.importorskip("matplotlib")
  script = load_script("sasrec_figure2")
  assert script.plot(_figure2_table(tmp_path), tmp_path / "fig.png") == tmp_path / "fig.png"
  assert (tmp_path / "fig.png").stat().st_size > 0


def _cli(script, *args):
  return subprocess.run([sys.executable, str(script), *args], cwd=REPO,
                        capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_cli_report_only(tmp_path, name):
  proc = _cli(SCRIPTS[name], "--report_only", f"--results_dir={tmp_path}")
  assert proc.returncode == 0, proc.stderr[-2000:]
  rows = _json_rows(tmp_path / f"{name}.json")
  assert rows and not any(r["ran"] for r in rows)
  assert f"{name}.md" in proc.stdout


def test_cli_poprec_games_matches_the_paper(tmp_path, games_data_dir):
  proc = _cli(SCRIPTS["sasrec_table3"], "--datasets=games", "--only=PopRec", "--seeds=0",
              f"--results_dir={tmp_path}", f"--data_dir={games_data_dir}",
              f"--output_dir={tmp_path / 'runs'}")
  assert proc.returncode == 0, proc.stderr[-2000:]
  rows = {(r["label"], r["dataset"], r["metric"]): r
          for r in _json_rows(tmp_path / "sasrec_table3.json")}
  assert len(rows) == 2
  ndcg = rows[("(a) PopRec", "games", "NDCG@10")]
  assert ndcg["ran"] and ndcg["seeds"] == [0]
  assert ndcg["mean"] == pytest.approx(0.2779, abs=0.015)
  assert (tmp_path / "sasrec_table3" / "runs" / "a_PopRec__games__seed0.json").exists()
