"""Statistics of the real files under $SASREC_TF_DATA against the papers' tables.

Skipped, with the reason, when SASREC_TF_DATA is unset or a file is missing. Locally:
``export SASREC_TF_DATA=/work/shared/data``.
"""

import time

import numpy as np

from sasrec_tf.data import loader, preprocess, readers
from sasrec_tf.data.statistics import dataset_statistics
from .helpers import require


def test_games(real_data_dir, tmp_path):
  require(real_data_dir, "games/Video.txt")
  stats = dataset_statistics(loader.load_dataset("games", real_data_dir, str(tmp_path)))
  assert (stats["users"], stats["items"], stats["actions"], stats["max_length"]) == \
      (31013, 23715, 287107, 860)
  assert round(stats["avg_actions_per_user"], 1) == 9.3  # SASRec Table II
  assert round(stats["avg_actions_per_item"], 1) == 12.1
  assert (round(stats["avg_train_actions_per_user"], 1), stats["max_train_length"]) == \
      (7.3, 858)  # SSE-PT Table 4


def test_ml_1m_sasrec_file(real_data_dir, tmp_path):
  require(real_data_dir, "ml-1m/ml-1m.txt")
  start = time.process_time()  # CPU time: robust to other jobs sharing the machine
  ds = loader.load_dataset("ml-1m", real_data_dir, str(tmp_path))  # verifies the sha256 too
  assert time.process_time() - start < 10.0, "reading the 1M-line file must take seconds"
  stats = dataset_statistics(ds)
  assert (stats["users"], stats["items"], stats["actions"]) == (6040, 3416, 999611)
  assert stats["max_length"] == 2277
  assert round(stats["avg_train_actions_per_user"], 1) == 163.5  # SASRec Table II
  assert round(stats["avg_train_actions_per_item"], 1) == 289.1
  assert stats["max_train_length"] == 2275  # SSE-PT Table 4


def test_ml_100k(real_data_dir, tmp_path):
  require(real_data_dir, "ml-100k/u.data")
  stats = dataset_statistics(loader.load_dataset("ml-100k", real_data_dir, str(tmp_path)))
  assert (stats["users"], stats["items"], stats["actions"]) == (943, 1682, 100000)
  assert round(stats["avg_actions_per_user"], 2) == 106.04  # AttRec Table 1


def test_ml_100k_attrec_rule_reproduces_the_deeprec_split(real_data_dir, tmp_path):
  require(real_data_dir, "ml-100k/attrec_split/train.dat")
  ours = loader.load_dataset("ml-100k", real_data_dir, str(tmp_path))
  shipped = loader.load_dataset("ml-100k-deeprec", real_data_dir, str(tmp_path))
  assert ours.num_items == shipped.num_items
  for a, b in zip(ours.sequences, shipped.sequences):
    np.testing.assert_array_equal(a, b)


def test_ml_1m_partial_subset(real_data_dir):
  path = require(real_data_dir, "ml-1m/cs100-subset/ratings.dat.gz")
  inter = readers.read_movielens_ratings(path)
  raw = preprocess.tisasrec_rule(inter, "subset", min_count=0)
  assert (raw.num_users, raw.num_items, raw.num_interactions) == (2999, 3615, 487650)
  filtered = preprocess.tisasrec_rule(inter, "subset")
  assert filtered.num_items < raw.num_items
  tau = preprocess.personalized_timestamps(filtered.timestamps[1:])
  assert min(t.min() for t in tau) == 1


def test_full_ml_1m_ratings_if_present(real_data_dir, tmp_path):
  require(real_data_dir, "ml-1m/ratings.dat")
  ds = loader.load_dataset("ml-1m-raw", real_data_dir, str(tmp_path), variant="attrec")
  assert (ds.num_users, ds.num_items, ds.num_interactions) == (6040, 3706, 1000209)
  ds = loader.load_dataset("ml-1m-raw", real_data_dir, str(tmp_path), variant="sasrec")
  assert (ds.num_users, ds.num_items, ds.num_interactions) == (6040, 3416, 999611)
