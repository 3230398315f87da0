"""SSE-PT Tables 2, 3, 5-10: every row resolves its reported number and its settings."""

import pytest

from sasrec_tf.configs import ssept_tables
from sasrec_tf.reporting import reported
from sasrec_tf.training import experiment


@pytest.mark.parametrize("table", sorted(ssept_tables.BUILDERS))
def test_rows_resolve_reported_numbers_and_settings(table):
  config = ssept_tables.BUILDERS[table]()
  assert config.name == f"ssept_table{table}"
  assert len({r.run_key for r in config.rows}) == len(config.rows)
  labels = {r.label for r in config.rows}
  for a, b in config.comparisons:
    assert a in labels and b in labels
  for row in config.rows:
    for metric in row.metrics:  # raises when missing or ambiguous
      reported.reported_entry(row.paper, row.table, row.dataset, row.reported_method, metric,
                              variant=row.reported_variant, where=row.reported_where or None)
    settings = experiment.resolve_settings(row.model, row.dataset, row.overrides)
    for key, value in row.overrides.items():
      assert settings[key] == value


def test_table5_uses_the_decoupled_mode_only_where_p_i_differs_from_p_y():
  rows = {r.label: r.overrides for r in ssept_tables.ssept_table5().rows}
  assert rows["SSE-PT du=50 di=50 pu=0.92 pi=0.1 py=0"]["sse_mode"] == "decoupled"
  assert rows["SSE-PT du=50 di=50 pu=0.92 pi=0 py=0.1"] == dict(
      user_units=50, item_units=50, num_blocks=2, sse_user=0.92, sse_item=0.0, sse_target=0.1,
      sse_mode="decoupled")
  assert rows["SSE-PT du=50 di=100 pu=0.92 pi=0.1 py=0.1"]["sse_mode"] == "coupled"


def test_table3_regularisers_switch_exactly_what_they_name():
  rows = {r.label: experiment.resolve_settings(r.model, r.dataset, r.overrides)
          for r in ssept_tables.ssept_table3().rows}
  base = rows["NO REG (BASELINE)"]
  assert base["l2_emb"] == base["dropout_rate"] == base["sse_user"] == base["sse_item"] == 0.0
  assert rows["PS (AGE)"]["user_sharing"] == "age"
  full = rows["l2 + SSE-SE + DROPOUT"]
  assert full["l2_emb"] > 0 and full["dropout_rate"] > 0 and full["sse_user"] == 0.92
  diff = {k for k in base if base[k] != rows["SSE-SE"][k]}
  assert diff == {"sse_user", "sse_item"}
