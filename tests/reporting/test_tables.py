"""Tests of the reproduction-table renderer."""

import json
import math

import pytest

from sasrec_tf.reporting import stats, tables


def _table(**kwargs):
  rows = [
      tables.TableRow("SASRec", "games", "NDCG@10", reported=0.5360, values=[0.53, 0.54, 0.55],
                      seeds=[1, 2, 3], reported_source="SASRec Table III, line 260",
                      notes=["a note on the reported cell"]),
      tables.TableRow("SASRec", "ml-1m", "NDCG@10", reported=0.5905,
                      status="dataset not available: ml-1m/ratings.dat"),
      tables.TableRow("FMC", "games", "NDCG@10", reported=0.4456,
                      status="not implemented yet"),
      tables.TableRow("SASRec", "steam", "NDCG@10", reported=0.6306,
                      status="needs GPU: ~22 h on CPU"),
      tables.TableRow("PopRec", "games", "HR@10", reported=0.4724, values=[0.40], seeds=[1]),
      tables.TableRow("ours", "games", "HR@10", reported=None, values=[0.7, 0.8]),
  ]
  return tables.Table(title="SASRec Table III", rows=rows, **kwargs)


def _body_lines(markdown):
  return [line for line in markdown.splitlines() if line.startswith("| ")][1:]


def test_rows_not_run_never_show_numbers():
  table = _table()
  payload = tables.table_to_json(table)
  for row_cells, row_json in zip(tables.cells(table)[1:4], payload["rows"][1:4]):
    assert row_cells[4] == tables.NOT_RUN
    assert all(not any(ch.isdigit() for ch in cell) for cell in row_cells[4:8])
    assert row_json["ran"] is False and row_json["n"] == 0
    assert not {"mean", "std", "diff", "diff_pct", "within_tolerance", "values"} & set(row_json)
  statuses = [c[8] for c in tables.cells(table)]
  assert statuses[1] == "dataset not available: ml-1m/ratings.dat"
  assert statuses[2] == "not implemented yet"
  assert statuses[3] == "needs GPU: ~22 h on CPU"
  # The reported number itself is still shown for rows not run.
  assert tables.cells(table)[1][3] == "0.5905"


def test_diff_and_tolerance():
  table = _table()
  first = tables.table_to_json(table)["rows"][0]
  assert first["mean"] == pytest.approx(0.54)
  assert first["std"] == pytest.approx(0.01)
  assert first["diff"] == pytest.approx(0.54 - 0.5360)
  assert first["diff_pct"] == pytest.approx(100 * 0.004 / 0.5360)
  assert first["within_tolerance"] is True
  cells = tables.cells(table)[0]
  assert cells[4] == "0.5400 ± 0.0100 (3)"
  assert cells[5] == "+0.0040" and cells[6] == "+0.75%" and cells[7] == "yes"
  # PopRec: 0.40 vs 0.4724 is -15.3 %, outside ±5 %.
  assert tables.cells(table)[4][5:8] == ["-0.0724", "-15.3%", "no"]


def test_one_seed_std_is_na():
  table = _table()
  assert tables.cells(table)[4][4] == "0.4000 ± n/a (1)"
  row = tables.table_to_json(table)["rows"][4]
  assert math.isnan(row["std"])


def test_unreported_rows():
  cells = tables.cells(_table())[5]
  assert cells[3] == "not reported"
  assert cells[5] == "—" and cells[7] == "n/a"


def test_tolerance_definitions():
  assert tables.Tolerance().describe() == "±5%"
  both = tables.Tolerance(absolute=0.01, relative=0.05)
  assert both.describe() == "±0.01 and ±5%"
  assert both.within(0.545, 0.5360) is True
  assert both.within(0.548, 0.5360) is False  # 0.012 > 0.01 although < 5 %
  assert tables.Tolerance(absolute=0.02, relative=None).within(0.51, 0.5360) is False
  assert tables.Tolerance().within(0.5, None) is None
  with pytest.raises(ValueError):
    tables.Tolerance(absolute=None, relative=None)


def test_markdown_header_states_tolerance_and_aligns():
  table = _table(tolerance=tables.Tolerance(absolute=0.01, relative=None))
  markdown = tables.render_markdown(table, provenance={"git": {"revision": "abc",
                                                               "dirty": True}})
  assert "within ±0.01" in markdown
  lines = [line for line in markdown.splitlines() if line.startswith("|")]
  assert len({len(line) for line in lines}) == 1  # aligned grid
  assert len(_body_lines(markdown)) == 6
  assert "a note on the reported cell (SASRec / games / NDCG@10)" in markdown
  assert "abc (DIRTY working tree)" in markdown
  assert tables.render_text(table).count("\n| ") == 7


def test_pipes_in_labels_are_escaped():
  table = tables.Table("t", [tables.TableRow("a|b", "games", "HR@10", 0.5, [0.5])])
  assert "a\\|b" in tables.render_markdown(table)


def test_comparisons_render():
  test = stats.paired_t_test([0.60, 0.62, 0.61], [0.58, 0.59, 0.60])
  table = _table(comparisons=[tables.Comparison("SSE-PT", "SASRec", "games", "NDCG@10", test)])
  markdown = tables.render_markdown(table)
  assert "Paired t-tests" in markdown and "+0.0200" in markdown and "3.464" in markdown
  assert tables.table_to_json(table)["comparisons"][0]["n"] == 3


def test_write_table(tmp_path):
  prov = {"git": {"revision": "abc", "dirty": False}, "seeds": [1, 2, 3]}
  md_path, json_path = tables.write_table(tmp_path / "results", "t3", _table(), prov)
  assert md_path.read_text().startswith("# SASRec Table III")
  payload = json.loads(json_path.read_text())
  assert payload["provenance"] == prov
  assert payload["rows"][4]["std"] is None  # nan is written as null, the JSON stays strict
  assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["t3.json", "t3.md"]


def test_mismatched_seeds_rejected():
  with pytest.raises(ValueError, match="2 seeds for 1 values"):
    tables.TableRow("x", "games", "HR@10", 0.5, values=[0.5], seeds=[1, 2])
