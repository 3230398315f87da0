"""Tests of the packaged reported numbers and their query API."""

import json
import pathlib

import pytest

from sasrec_tf.reporting import reported
from sasrec_tf.reporting.errors import LookupFailedError

SHARED_JSON = pathlib.Path("/work/shared/reference/reported_numbers.json")


@pytest.mark.parametrize("dataset, method, metric, value", [
    ("games", "SASRec", "NDCG@10", 0.5360),
    ("games", "SASRec", "HR@10", 0.7410),
    ("ml-1m", "PopRec", "NDCG@10", 0.2377),
    ("ml-1m", "PopRec", "HR@10", 0.4329),
    ("beauty", "TransRec", "HR@10", 0.4607),
    ("steam", "SASRec", "NDCG@10", 0.6306),
])
def test_sasrec_table3_values(dataset, method, metric, value):
  assert reported.reported_value("SASRec", "III", dataset, method, metric) == value


@pytest.mark.parametrize("method, metric, value", [
    ("SSE-PT", "NDCG@10", 0.6281),
    ("SSE-PT", "Recall@10", 0.8341),
    ("SSE-PT++", "NDCG@10", 0.6292),
    ("SASRec", "Recall@10", 0.8233),
    ("FMC", "Recall@10", 0.6983),  # SSE-PT's copy differs from SASRec's 0.6986
])
def test_ssept_table1_ml1m(method, metric, value):
  assert reported.reported_value("SSE-PT", "1", "ml-1m", method, metric) == value


def test_attrec_ml100k():
  assert reported.reported_value("AttRec", "2", "ml-100k", "AttRec", "HR@50") == 0.5273
  assert reported.reported_value("AttRec", "2", "ml-100k", "AttRec", "MRR") == pytest.approx(
      reported.reported_entry("AttRec", "2", "ML-100K", "AttRec", "mrr").value)


@pytest.mark.parametrize("dataset", ["Games", "games", "Video", "Amazon Games", "GAMES"])
def test_dataset_aliases(dataset):
  assert reported.reported_value("SASRec", "III", dataset, "SASRec", "NDCG@10") == 0.5360


@pytest.mark.parametrize("metric", ["Hit@10", "HR@10", "hr@10", "Recall@10", "recall @ 10"])
def test_metric_aliases(metric):
  assert reported.reported_value("SASRec", "III", "games", "SASRec", metric) == 0.7410
  assert reported.reported_value("SSE-PT", "1", "games", "SASRec", metric) == 0.7434


@pytest.mark.parametrize("dataset", ["ML-1M", "ml-1m", "Movielens1m", "MovieLens-1M", "ml_1m"])
def test_ml1m_aliases(dataset):
  assert reported.reported_value("SASRec", 3, dataset, "sasrec", "ndcg@10") == 0.5905


def test_paper_table_and_method_spellings():
  assert reported.reported_value("sasrec", "iii", "games", "sasrec", "NDCG@10") == 0.5360
  assert reported.reported_value("ssept", 1, "games", "ssept", "NDCG@10") == 0.5660
  assert reported.reported_value("sasfpt", 2, "ml-1m", "sasfpt", "NDCG@10") == 0.5702
  # AttRec prints BPRMF and MC for the BPR and FMC baselines.
  assert reported.reported_value("AttRec", 2, "ml-100k", "BPR", "HR@50") == 0.3754
  assert reported.reported_value("AttRec", 2, "ml-100k", "BPRMF", "HR@50") == 0.3754
  assert reported.reported_value("AttRec", 2, "ml-100k", "FMC", "HR@50") == 0.4115


def test_plus_signs_are_significant():
  assert reported.reported_value("SAS-FPT", "2", "ml-1m", "TiSASRec", "NDCG@10") == 0.5505
  assert reported.reported_value("SAS-FPT", "2", "ml-1m", "TiSASRec+", "NDCG@10") == 0.5550
  assert reported.reported_value("SAS-FPT", "2", "ml-1m", "TiSASRec++", "NDCG@10") == 0.5630


def test_variant_and_where_pick_one_row():
  assert reported.reported_value("SASRec", "IV", "beauty", "SASRec", "NDCG@10",
                                 variant="(0) Default") == 0.3142
  assert reported.reported_value("SASRec", "IV", "beauty", "SASRec", "NDCG@10",
                                 variant="(4)") == 0.2436
  assert reported.reported_value("SASRec", "V", "ml-1m", "SASRec", "NDCG@10",
                                 where={"maxlen": 600}) == 0.595
  assert reported.reported_value("SSE-PT", "8", "ml-1m", "SSE-PT++", "NDCG@10",
                                 where={"ps": 0.3}) == 0.6186
  assert reported.reported_value("SSE-PT", "10", "ml-1m", "Personalized", "HR@10",
                                 where={"C": 2000}) == 0.3667
  # where={key: None} asks for entries that do not print the key.
  assert reported.reported_value("SSE-PT", "6", "ml-10m", "SASRec", "NDCG@10",
                                 where={"di": None}) == 0.7268
  assert reported.reported_value("SSE-PT", "6", "ml-10m", "SASRec", "NDCG@10",
                                 where={"di": 100}) == 0.7413


def test_reported_filters_return_lists():
  rows = reported.reported("SASRec", "III", dataset="games", metric="NDCG@10")
  assert len(rows) == 9
  assert {r.method for r in rows} == {"PopRec", "BPR", "FMC", "FPMC", "TransRec", "GRU4Rec",
                                      "GRU4Rec+", "Caser", "SASRec"}
  assert reported.reported("SSE-PT", "1", dataset="beauty", method="SSE-PT++") == []
  entry = reported.reported_entry("SASRec", "III", "games", "SASRec", "HR@10")
  assert entry.raw == "0.7410" and entry.printed["metric"] == "Hit@10"
  assert entry.source == "SASRec Table III, line 259"
  assert entry.hyper["maxlen"] == 50 and "bold" in entry.formatting


def test_unknown_dataset_lists_close_matches():
  with pytest.raises(KeyError) as info:
    reported.reported_value("SASRec", "III", "gamez", "SASRec", "NDCG@10")
  message = str(info.value)
  assert "gamez" in message and "Close matches: games" in message
  assert "beauty, games, ml-1m, steam" in message


def test_unknown_method_and_paper_and_table():
  with pytest.raises(LookupFailedError, match="Close matches: SASRec"):
    reported.reported_value("SASRec", "III", "games", "SASRek", "NDCG@10")
  with pytest.raises(LookupFailedError, match="Did you mean: SASRec"):
    reported.reported_value("SASRecc", "III", "games", "SASRec", "NDCG@10")
  with pytest.raises(LookupFailedError, match="its tables are"):
    reported.reported_value("SASRec", "VII", "games", "SASRec", "NDCG@10")


def test_ambiguous_lookup_lists_candidates():
  with pytest.raises(KeyError) as info:
    reported.reported_value("SASRec", "IV", "games", "SASRec", "NDCG@10")
  message = str(info.value)
  assert "9 reported entries match" in message
  assert "(3) Remove RC" in message and "variant=" in message


def test_dataset_statistics():
  games = reported.dataset_statistics("SASRec", "games")
  assert games["users"] == 31013 and games["items"] == 23715
  assert games["dataset"] == "Amazon Games" and games["canonical_dataset"] == "games"
  assert reported.dataset_statistics("SSE-PT", "Movielens10m")["items"] == 65133
  assert reported.dataset_statistics("AttRec", "ml-100k")["interactions"] == 100000
  with pytest.raises(KeyError, match="ml-100k"):
    reported.dataset_statistics("SASRec", "ml-100k")


def test_every_entry_is_reachable_and_complete():
  entries = reported.all_reported()
  raw = reported.raw_data()
  assert len(entries) == len(raw["results"]) == 686
  for entry, record in zip(entries, raw["results"]):
    assert entry.value == record["value"] and entry.source_line == record["source_line"]
    if "note" in record:
      assert record["note"] in entry.notes


def test_misc_tables():
  assert "item dim 50" in reported.table_description("SAS-FPT", 1)
  assert [r["value"] for r in reported.hyperparameter_table("SAS-FPT")] == [50, 25, 0.01, 52]
  assert "sasrec_kang_mcauley_2018" in reported.source_file("SASRec")
  assert any("SSE-PT++" in n for n in reported.not_reported_notes())


@pytest.mark.skipif(not SHARED_JSON.exists(), reason="shared reference file not present")
def test_packaged_file_matches_shared_reference():
  shared = json.loads(SHARED_JSON.read_text("utf-8"))
  assert reported.raw_data() == shared
