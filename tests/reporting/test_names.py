"""Tests of canonical names and aliases."""

import pytest

from sasrec_tf.reporting import names


@pytest.mark.parametrize("alias, canonical", [
    ("ML-1M", "ml-1m"), ("Movielens1m", "ml-1m"), ("MovieLens-1M", "ml-1m"),
    ("ml-10m", "ml-10m"), ("ML-100K", "ml-100k"), ("Games", "games"), ("Video", "games"),
    ("Amazon Beauty", "beauty"), ("STEAM", "steam"), ("Health / Care", "health-care"),
    ("Video Game", "video-game"), ("Digital Music", "digital-music"),
])
def test_datasets(alias, canonical):
  assert names.canonical_dataset(alias) == canonical


@pytest.mark.parametrize("alias, canonical", [
    ("Hit@10", "HR@10"), ("Recall@10", "HR@10"), ("hr@5", "HR@5"), ("ndcg@10", "NDCG@10"),
    ("mrr", "MRR"), ("HR@50", "HR@50"),
    ("Hit@10_improvement_pct_vs_best_of_a_to_e", "HR@10_improvement_pct_vs_best_of_a_to_e"),
    ("training_time_seconds", "training_time_seconds"),
])
def test_metrics(alias, canonical):
  assert names.canonical_metric(alias) == canonical


@pytest.mark.parametrize("alias, canonical", [
    ("sasrec", "SASRec"), ("ssept", "SSE-PT"), ("SSE_PT++", "SSE-PT++"), ("BPRMF", "BPR"),
    ("MC", "FMC"), ("tisasrec+", "TiSASRec+"), ("pop", "PopRec"), ("sas-fpt", "SAS-FPT"),
])
def test_methods(alias, canonical):
  assert names.canonical_method(alias) == canonical


def test_canonical_lists_are_fixed_points():
  for dataset in names.DATASETS:
    assert names.canonical_dataset(dataset) == dataset
  for metric in names.METRICS:
    assert names.canonical_metric(metric) == metric
  for method in names.METHODS:
    assert names.canonical_method(method) == method


def test_strict_unknown_names_raise_with_suggestions():
  assert names.canonical_dataset("ml-20m") == "ml-20m"
  with pytest.raises(KeyError, match="ml-1m"):
    names.canonical_dataset("ml-2m", strict=True)
  with pytest.raises(KeyError, match="NDCG@10"):
    names.canonical_metric("NDGC@10", strict=True)


def test_table_spellings():
  assert names.table_spellings(3) == ["3", "III"]
  assert names.table_spellings("iv") == ["IV", "4"]
  assert names.table_spellings("Table 2") == ["2", "II"]
