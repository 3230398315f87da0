"""Baseline samplers: instances, windows, negatives, session-parallel lanes, purity in (seed, k)."""

import numpy as np
import pytest

from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out
from sasrec_tf.models.baselines.samplers import (SessionParallelSampler, train_item_sets,
                                                 WindowSampler, draw_negatives)


def split_of(train_lists, num_items=None):
  """A split whose training lists are ``train_lists`` (users 1..U; two held-out items each)."""
  users, items = [], []
  top = num_items or max(max(t) for t in train_lists if t)
  for u, train in enumerate(train_lists, start=1):
    full = list(train) + [top, top]  # validation and test items
    users += [u] * len(full)
    items += full
  split = split_leave_one_out(SequenceDataset.from_pairs("t", np.array(users), np.array(items)))
  for u, train in enumerate(train_lists, start=1):
    assert list(split.train[u]) == list(train)
  return split


def dense_split(num_users=12, num_items=30, seed=0):
  """Users whose training lists cover about 60 % of the items (many rejected negatives)."""
  rng = np.random.default_rng(seed)
  lists = [list(rng.choice(np.arange(1, num_items), size=int(rng.integers(12, 20)),
                           replace=False)) for _ in range(num_users)]
  return split_of(lists, num_items=num_items)


def test_train_item_sets_membership():
  split = split_of([[5, 6, 7], [1, 2], [9]], num_items=10)
  sets = train_item_sets(split.train, split.num_items)
  users = np.repeat(np.arange(1, 4), 10)
  items = np.tile(np.arange(1, 11), 3)
  expected = [i in set(split.train[u]) for u, i in zip(users, items)]
  np.testing.assert_array_equal(sets.contains(users, items), expected)


def test_transition_and_interaction_instances():
  split = split_of([[5, 6, 7], [1, 2], [9]], num_items=10)
  transitions = WindowSampler(split, input_len=1, target_len=1, batch_size=2)
  pairs = sorted(zip(transitions.users.tolist(), transitions.starts.tolist()))
  assert pairs == [(1, 1), (1, 2), (2, 1)]  # (5->6), (6->7), (1->2); user 3 has none
  interactions = WindowSampler(split, input_len=0, target_len=1, batch_size=2, min_prefix=0)
  assert interactions.num_instances == 6 and interactions.steps_per_epoch == 3


def test_caser_windows_by_hand():
  split = split_of([[1, 2, 3, 4, 5], [6, 7, 8], [9, 10]], num_items=12)
  sampler = WindowSampler(split, input_len=2, target_len=2, num_negatives=1, batch_size=4,
                          windows="caser")
  got = {}
  for step in range(sampler.steps_per_epoch):
    batch = sampler.batch(step)
    for u, s, p in zip(batch["user"], batch["seq"], batch["pos"]):
      got[(int(u), tuple(s), tuple(p))] = True
  assert set(got) == {
      (1, (1, 2), (3, 4)), (1, (2, 3), (4, 5)),  # full windows of a long user, stride 1
      (2, (0, 6), (7, 8)),                         # one padded window of a short user
      (3, (0, 9), (10, 0)),                        # its missing target is 0 (masked)
  }


def test_an_epoch_visits_every_instance_once_and_windows_match_the_sequences():
  split = dense_split()
  sampler = WindowSampler(split, input_len=3, target_len=2, num_negatives=2, batch_size=5,
                          seed=4)
  n, steps = sampler.num_instances, sampler.steps_per_epoch
  seen = np.concatenate([sampler.instances(k) for k in range(steps)])
  assert seen.size == steps * 5 and np.unique(seen).size == seen.size  # no repeats
  assert seen.size > n - 5  # only the remainder (< B) is dropped
  assert not np.array_equal(sampler.instances(0), sampler.instances(steps))  # new permutation
  for k in range(steps):
    batch = sampler.batch(k)
    for u, s, p in zip(batch["user"], batch["seq"], batch["pos"]):
      train = list(split.train[u])
      window = [x for x in list(s) + list(p) if x]
      start = train.index(window[0])
      assert train[start:start + len(window)] == window
      assert p[0] != 0


@pytest.mark.parametrize("kind", ["window", "session"])
def test_negatives_never_come_from_the_users_training_items(kind):
  split = dense_split()
  if kind == "window":
    sampler = WindowSampler(split, input_len=1, target_len=1, num_negatives=7, batch_size=8)
    for k in range(40):
      batch = sampler.batch(k)
      for u, negs in zip(batch["user"], batch["neg"]):
        assert not set(negs.tolist()) & set(split.train[u].tolist())
        assert negs.min() >= 1 and negs.max() <= split.num_items
  else:
    sampler = SessionParallelSampler(split, batch_size=4, num_extra=9, sample_alpha=0.5)
    for k in range(40):
      batch = sampler.batch(k)
      columns = np.concatenate([batch["pos"], batch["neg"]])
      for i, u in enumerate(batch["user"]):
        valid = columns[batch["valid"][i] > 0]
        assert not set(valid.tolist()) & set(split.train[u].tolist())
        assert batch["valid"][i, i] == 0
        # Every column that is not a training item of the user is a negative.
        assert batch["valid"][i].sum() == sum(c not in set(split.train[u].tolist())
                                              for c in columns)


def test_draw_negatives_refuses_a_user_who_has_seen_everything():
  split = split_of([[1, 2, 3]], num_items=3)
  sets = train_item_sets(split.train, split.num_items)
  with pytest.raises(ValueError, match="every item"):
    draw_negatives(np.random.default_rng(0), sets, np.array([1]), 2, 3)


@pytest.mark.parametrize("make", [
    lambda s: WindowSampler(s, input_len=2, target_len=2, num_negatives=3, batch_size=4, seed=9,
                            windows="caser"),
    lambda s: SessionParallelSampler(s, batch_size=4, seed=9, num_extra=5),
])
def test_batch_k_is_a_pure_function_of_seed_and_k(make):
  split = dense_split()
  a, b = make(split), make(split)
  for k in (30, 3, 0, 17):  # any order, any history
    a.batch(k)
  for k in (0, 3, 17, 30):
    for key, value in b.batch(k).items():
      np.testing.assert_array_equal(a.batch(k)[key], value)
  from_dataset = list(make(split).dataset(3, 4).as_numpy_iterator())
  for offset, batch in enumerate(from_dataset):
    for key, value in a.batch(3 + offset).items():
      np.testing.assert_array_equal(batch[key], value)
  other = make.__call__(split)
  other.seed = 10
  assert any(not np.array_equal(other.batch(0)[k], a.batch(0)[k]) for k in ("user", "neg"))


def test_session_parallel_lanes_play_whole_sessions_in_order():
  split = dense_split(num_users=10)
  b = 3
  sampler = SessionParallelSampler(split, batch_size=b, seed=2)
  assert sampler.steps_per_epoch == sampler.total_events // b
  batches = [sampler.batch(k) for k in range(2 * sampler.steps_per_epoch)]
  # Steps of each lane's first pass.
  pass_length = sampler._offsets[1]  # pylint: disable=protected-access
  events = {lane: [] for lane in range(b)}
  for k, batch in enumerate(batches):
    for lane in range(b):
      u, item, pos = int(batch["user"][lane]), batch["item"][lane], batch["pos"][lane]
      train = list(split.train[u])
      if batch["reset"][lane]:
        assert item == train[0] and pos == train[1]  # a session starts at its first event
      else:
        prev = batches[k - 1]
        assert prev["user"][lane] == u and prev["pos"][lane] == item  # the session continues
      t = train.index(item)
      assert train[t + 1] == pos
      if k < pass_length[lane]:
        events[lane].append((u, t))
  played = [e for lane in events.values() for e in lane]
  expected = [(u, t) for u in range(1, split.num_users + 1) for t in range(len(split.train[u]) - 1)]
  assert sorted(played) == sorted(expected)  # pass 0: every event exactly once over the lanes


def test_session_parallel_needs_enough_sessions():
  split = split_of([[1, 2, 3], [4, 5]], num_items=6)
  with pytest.raises(ValueError, match="batch_size"):
    SessionParallelSampler(split, batch_size=3)
