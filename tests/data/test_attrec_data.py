"""AttRec data: dataset names, preprocessing + split (SPEC §1.8, §6.5), training windows and the
sampler (SPEC §6.1), and the exact reproduction of the split shipped with AttRec's code."""

import os

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.configs import attrec as attrec_config
from sasrec_tf.data import attrec_data, registry
from sasrec_tf.data.attrec_sampler import AttRecSampler, sliding_windows
from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out

from .helpers import require


def _split(*sequences):
  users = np.concatenate([[u + 1] * len(s) for u, s in enumerate(sequences)])
  return split_leave_one_out(SequenceDataset.from_pairs("t", users, np.concatenate(sequences)))


# --------------------------------------------------------------------------- names and settings


def test_every_attrec_dataset_maps_to_a_registry_entry_with_the_attrec_rule():
  assert len(attrec_data.ATTREC_DATASETS) == 12
  for name in attrec_data.ATTREC_DATASETS:
    entry, variant = attrec_data.registry_entry(name)
    assert variant == "attrec" and registry.get(entry).variants["attrec"][0] == "attrec"
  assert attrec_data.registry_entry("ml-1m") == ("ml-1m-raw", "attrec")  # 3,706 items
  assert attrec_data.registry_entry("amazon-garden") == ("amazon-garden", "attrec")
  assert attrec_data.registry_entry("games") == ("games", None)  # no AttRec rule: default
  with pytest.raises(KeyError):
    attrec_data.registry_entry("nope")


@pytest.mark.parametrize("dataset,L,T,clip", [
    ("ml-100k", 5, 3, False), ("ml-1m", 5, 3, False), ("ml-hetrec", 5, 3, False),
    ("movietweetings", 3, 1, True), ("garden", 2, 1, True), ("amazon-music", 2, 1, True),
    ("lastfm", 2, 1, True)])
def test_paper_settings_per_dataset(dataset, L, T, clip):
  s = attrec_config.paper_defaults(dataset)
  assert (s["max_len"], s["target_len"], s["norm_clip"]) == (L, T, clip)
  assert (s["hidden_units"], s["margin"], s["learning_rate"], s["batch_size"]) == (
      100, 0.5, 0.05, 1000)
  assert s["optimizer"] == "adagrad" and s["eval_protocol"] == "full"
  assert s["eval_max_users"] is None and s["l2_emb"] == (0.0 if clip else 0.001)
  with pytest.raises(ValueError, match="no AttRec settings"):
    attrec_config.paper_defaults("nope")


# --------------------------------------------------------------------------- preprocessing


def _write(path, lines):
  os.makedirs(os.path.dirname(path), exist_ok=True)
  with open(path, "w") as f:
    f.write("\n".join(lines) + "\n")


def test_amazon_fixture_through_the_registry(tmp_path):
  # u1: items i1..i10 at t = 1..10 plus a cold item (seen once) at t = 11 -> the cold row goes,
  # u1 keeps 10 actions. u2: 9 shared items + a cold one -> 9 actions after the item filter ->
  # dropped. u3: i10..i1 (i1 latest), rows written in shuffled order.
  lines = [f"u1,i{k},5.0,{k}" for k in range(1, 11)] + ["u1,coldA,4.0,11"]
  lines += [f"u2,i{k},3.0,{100 + k}" for k in range(1, 10)] + ["u2,coldB,1.0,200"]
  u3 = [f"u3,i{k},2.0,{1000 - k}" for k in range(1, 11)]
  lines += [u3[i] for i in (4, 0, 9, 2, 7, 1, 5, 3, 8, 6)]
  _write(str(tmp_path / "amazon-garden" / "ratings_Patio_Lawn_and_Garden.csv"), lines)
  split = attrec_data.load_attrec_split("garden", str(tmp_path), use_cache=False)
  assert (split.num_users, split.num_items) == (2, 10)  # u2, coldA, coldB gone
  # Items by first appearance: i1..i10 -> 1..10 (u1's rows come first).
  assert split.train[1].tolist() == list(range(1, 9)) and (split.valid[1], split.test[1]) == (9, 10)
  assert split.train[2].tolist() == list(range(10, 2, -1))
  assert (split.valid[2], split.test[2]) == (2, 1)
  code = attrec_data.load_attrec_split("garden", str(tmp_path), holdout_validation=False,
                                       use_cache=False)
  assert code.train[1].tolist() == list(range(1, 10)) and code.valid[1] == code.test[1] == 10
  assert code.train_times[1].tolist() == list(range(1, 10)) and code.test_times[1] == 10


def test_movietweetings_keeps_repeated_ratings_and_filters(tmp_path):
  # One user with 10 actions of which two repeat the same movie; a second user with 5.
  rows = [f"1::{m}::7::{t}" for t, m in enumerate([5, 6, 7, 8, 9, 5, 6, 7, 8, 9], start=1)]
  rows += [f"2::{m}::7::{t}" for t, m in enumerate([5, 6, 7, 8, 9], start=50)]
  _write(str(tmp_path / "movietweetings" / "ratings.dat"), rows)
  split = attrec_data.load_attrec_split("movietweetings", str(tmp_path), use_cache=False)
  assert split.num_users == 1 and split.num_items == 5
  assert np.concatenate([split.train[1], [split.valid[1], split.test[1]]]).tolist() == [
      1, 2, 3, 4, 5, 1, 2, 3, 4, 5]


def test_ml_100k_split_reproduces_the_shipped_deeprec_files_exactly(real_data_dir, tmp_path):
  """Our ML-100K split equals DeepRec's data/ml100k/temp/{train,test}.dat row for row: each
  user's train.dat rows (file order) are our train + validation items, its test.dat row is our
  test item; ids are DeepRec's (users ascending, items by first appearance in train.dat, then
  test.dat), timestamps included."""
  train_path = require(real_data_dir, "ml-100k/attrec_split/train.dat")
  test_path = require(real_data_dir, "ml-100k/attrec_split/test.dat")
  require(real_data_dir, "ml-100k/u.data")
  read = lambda p: np.loadtxt(p, dtype=np.int64, delimiter="\t").reshape(-1, 4)
  train, test = read(train_path), read(test_path)
  assert (len(train), len(test)) == (99057, 943)
  item_ids = {}
  for raw in np.concatenate([train[:, 1], test[:, 1]]):
    item_ids.setdefault(int(raw), len(item_ids) + 1)
  split = attrec_data.load_attrec_split("ml-100k", real_data_dir, cache_dir=str(tmp_path))
  assert (split.num_users, split.num_items) == (943, 1682)
  for u in range(1, 944):
    rows = train[train[:, 0] == u]
    ours = np.concatenate([split.train[u], [split.valid[u]]])
    assert ours.tolist() == [item_ids[int(i)] for i in rows[:, 1]], u
    ours_t = np.concatenate([split.train_times[u], [split.valid_times[u]]])
    assert ours_t.tolist() == rows[:, 3].tolist(), u
    (row,) = test[test[:, 0] == u]
    assert (split.test[u], split.test_times[u]) == (item_ids[int(row[1])], row[3])


# --------------------------------------------------------------------------- windows, sampler


def test_sliding_windows_by_hand():
  train = [np.zeros(0), np.arange(1, 8), np.array([8, 9, 10]), np.array([11, 12])]
  users, inputs, targets = sliding_windows(train, max_len=2, target_len=2)
  assert users.tolist() == [1, 1, 1, 1, 2]  # user 3 (2 items <= T) gives none
  assert inputs.tolist() == [[4, 5], [3, 4], [2, 3], [1, 2], [0, 8]]  # most recent first
  assert targets.tolist() == [[6, 7], [5, 6], [4, 5], [3, 4], [9, 10]]
  # L + T = n: exactly one full window.
  users, inputs, targets = sliding_windows([np.zeros(0), np.arange(1, 5)], 3, 1)
  assert inputs.tolist() == [[1, 2, 3]] and targets.tolist() == [[4]]


def _toy_sampler(batch_size=4, seed=0, negatives="targets"):
  split = _split(np.arange(1, 13), np.arange(3, 11), np.array([20, 21, 22, 23, 24, 25]))
  return AttRecSampler(split, max_len=2, target_len=2, batch_size=batch_size, seed=seed,
                       negatives=negatives), split


def test_sampler_epochs_are_permutations_and_batches_pure_functions_of_seed_and_step():
  sampler, _ = _toy_sampler()
  # Training parts: 10, 6, 4 items -> 7 + 3 + 1 windows = 11; floor(11 / 4) = 2 steps/epoch.
  assert (sampler.num_instances, sampler.steps_per_epoch) == (11, 2)
  windows = {(int(u), tuple(s), tuple(p))
             for u, s, p in zip(sampler.users, sampler.inputs, sampler.targets)}
  for epoch in range(3):
    seen = []
    for step in range(epoch * 2, epoch * 2 + 2):
      b = sampler.batch(step)
      seen += [(int(u), tuple(s), tuple(p)) for u, s, p in zip(b["user"], b["seq"], b["pos"])]
    assert len(set(seen)) == 8 and set(seen) <= windows  # no window twice within an epoch
  again, _ = _toy_sampler()
  other, _ = _toy_sampler(seed=1)
  for k in (0, 3, 5):
    for key in ("user", "seq", "pos", "neg"):
      np.testing.assert_array_equal(sampler.batch(k)[key], again.batch(k)[key])
  assert any(not np.array_equal(sampler.batch(k)["seq"], other.batch(k)["seq"])
             for k in range(4))
  ds = list(sampler.dataset(3, 2).as_numpy_iterator())
  for got, k in zip(ds, (3, 4)):
    for key in ("user", "seq", "pos", "neg"):
      np.testing.assert_array_equal(got[key], sampler.batch(k)[key])


@pytest.mark.parametrize("rule", ["targets", "history"])
def test_negatives_avoid_targets_or_history(rule):
  sampler, split = _toy_sampler(batch_size=8, negatives=rule)
  drawn_from_history = False
  for step in range(40):
    b = sampler.batch(step)
    assert b["neg"].shape == b["pos"].shape and b["neg"].min() >= 1
    assert b["neg"].max() <= split.num_items
    for u, pos, neg in zip(b["user"], b["pos"], b["neg"]):
      assert not set(neg) & set(pos)
      overlap = set(neg) & set(split.train[u].tolist())
      if rule == "history":
        assert not overlap
      drawn_from_history |= bool(overlap)
  # The code's rule lets the user's other history items be drawn (it happens here).
  assert drawn_from_history == (rule == "targets")


def test_sampler_rejects_too_few_windows():
  with pytest.raises(ValueError, match="fewer than batch_size"):
    _toy_sampler(batch_size=12)


def test_sampler_feeds_a_tf_dataset_with_static_shapes():
  sampler, _ = _toy_sampler()
  spec = sampler.dataset(0, 1).element_spec
  assert spec["seq"].shape == (4, 2) and spec["pos"].shape == (4, 2)
  assert spec["user"].shape == (4,) and spec["neg"].dtype == tf.int32
