"""TrainingSampler: the original SASRec sampler (SPEC §3.7) as a pure function of (seed, step)."""

import numpy as np
import pytest

from sasrec_tf.data.sampler import BATCH_KEYS, TrainingSampler
from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out

NUM_ITEMS = 12


def make_split(sequences, num_users=None):
  users = [u for u, s in sorted(sequences.items()) for _ in s]
  items = [i for _, s in sorted(sequences.items()) for i in s]
  split = split_leave_one_out(SequenceDataset.from_pairs("toy", np.array(users), np.array(items)))
  assert num_users is None or split.num_users == num_users
  return split


@pytest.fixture(scope="module")
def split():
  """12 items, so that most uniform draws collide with a user's training items.

  Training lists: u1 1..10 (only 11, 12 are allowed negatives); u2 [4] (1 item: never drawn);
  u3 [] (no interactions); u4 [7, 8] (2 interactions, all train); u5 [9] and valid/test (never
  drawn); u6 a 20-item history over items 1..8 (truncated to the window); u7 [12, 3, 5, 3].
  """
  return make_split({
      1: list(range(1, 13)),
      2: [4],
      4: [7, 8],
      5: [9, 10, 11],
      6: [1 + (i * 3) % 8 for i in range(22)],
      7: [12, 3, 5, 3, 6, 6],
  }, num_users=7)


TRAINABLE = {1, 4, 6, 7}


def batches(sampler, steps):
  return [sampler.batch(k) for k in steps]


def test_users_with_at_most_one_training_item_are_never_drawn(split):
  sampler = TrainingSampler(split, max_len=5, batch_size=32, seed=0)
  drawn = np.concatenate([b["user"] for b in batches(sampler, range(30))])
  assert set(drawn.tolist()) == TRAINABLE
  # Uniform with replacement over the trainable users.
  counts = np.bincount(drawn, minlength=8)[sorted(TRAINABLE)]
  assert counts.min() > 0.8 * drawn.size / 4 and counts.max() < 1.2 * drawn.size / 4


def test_negatives_avoid_training_items_and_are_zero_exactly_at_padding(split):
  sampler = TrainingSampler(split, max_len=6, batch_size=64, seed=1)
  allowed_seen = {u: set() for u in TRAINABLE}
  for b in batches(sampler, range(40)):
    for u, pos, neg in zip(b["user"], b["pos"], b["neg"]):
      np.testing.assert_array_equal(neg == 0, pos == 0)
      real = neg[neg > 0]
      assert real.max() <= NUM_ITEMS
      assert not set(real.tolist()) & set(split.train[u].tolist())
      allowed_seen[u] |= set(real.tolist())
  # Validation / test items are not excluded: u1 can only get 11 and 12, its valid/test items.
  assert allowed_seen[1] == {11, 12}
  assert allowed_seen[7] == set(range(1, NUM_ITEMS + 1)) - {12, 3, 5}


@pytest.mark.parametrize("max_len", [3, 6, 25])
def test_windows_are_left_padded_shifted_and_truncated(split, max_len):
  sampler = TrainingSampler(split, max_len=max_len, batch_size=32, seed=2)
  for b in batches(sampler, range(5)):
    assert {k: v.dtype for k, v in b.items()} == {k: np.int32 for k in BATCH_KEYS}
    assert b["seq"].shape == b["pos"].shape == b["neg"].shape == (32, max_len)
    for u, seq, pos in zip(b["user"], b["seq"], b["pos"]):
      train = split.train[u]
      k = min(max_len, train.size - 1)
      np.testing.assert_array_equal(seq[:max_len - k], 0)
      np.testing.assert_array_equal(pos[:max_len - k], 0)
      np.testing.assert_array_equal(seq[max_len - k:], train[-k - 1:-1])
      np.testing.assert_array_equal(pos[max_len - k:], train[-k:])
      assert pos[-1] == train[-1]
      real = pos[:-1] != 0  # the target of slot t is the input of slot t + 1
      np.testing.assert_array_equal(pos[:-1][real], seq[1:][real])


def test_batch_k_is_a_function_of_seed_and_step(split):
  a = TrainingSampler(split, max_len=5, batch_size=16, seed=7)
  b = TrainingSampler(split, max_len=5, batch_size=16, seed=7)
  other = TrainingSampler(split, max_len=5, batch_size=16, seed=8)
  for step in (0, 3, 1000):
    for key in BATCH_KEYS:
      np.testing.assert_array_equal(a.batch(step)[key], b.batch(step)[key])
  # Drawn in another order, the same step gives the same batch.
  np.testing.assert_array_equal(b.batch(3)["neg"], a.batch(3)["neg"])
  assert any(not np.array_equal(a.batch(s)["user"], other.batch(s)["user"]) for s in range(3))
  assert not np.array_equal(a.batch(0)["user"], a.batch(1)["user"])


def test_tf_data_pipeline_yields_batches_in_step_order(split):
  sampler = TrainingSampler(split, max_len=5, batch_size=8, seed=3)
  got = list(sampler.dataset(first_step=4, num_steps=6, num_parallel_calls=3).as_numpy_iterator())
  assert len(got) == 6
  for step, batch in zip(range(4, 10), got):
    want = sampler.batch(step)
    for key in BATCH_KEYS:
      np.testing.assert_array_equal(batch[key], want[key])


@pytest.mark.parametrize("num_users,batch_size,steps", [(10, 4, 2), (12, 4, 3), (10, 10, 1),
                                                        (1000, 128, 7), (3, 8, 1)])
def test_steps_per_epoch_is_floor_of_all_users_over_batch(num_users, batch_size, steps):
  # Every user id counts, including never-sampled ones (here only user 1 is trainable); fewer
  # users than a batch still give one step.
  seqs = {1: [1, 2, 3, 4]}
  seqs.update({u: [5] for u in range(2, num_users + 1)})
  sampler = TrainingSampler(make_split(seqs, num_users), max_len=4, batch_size=batch_size)
  assert sampler.steps_per_epoch == steps


def test_no_trainable_user_is_an_error():
  with pytest.raises(ValueError, match="more than one training"):
    TrainingSampler(make_split({1: [1], 2: [2, 3, 4]}), max_len=4)
