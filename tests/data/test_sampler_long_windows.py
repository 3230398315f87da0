"""SSE-PT++ long-sequence windows in the training sampler (SPEC §4.5)."""

import numpy as np
import pytest

from sasrec_tf.data.sampler import TrainingSampler
from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out

N = 5


@pytest.fixture(scope="module")
def split():
  """u1: 30 consecutive items 1..30 (train 1..28: t = 27 pairs > N); u2: 6 items (short)."""
  seqs = {1: list(range(1, 31)), 2: [40, 41, 42, 43, 44, 45]}
  users = [u for u, s in seqs.items() for _ in s]
  items = [i for s in seqs.values() for i in s]
  return split_leave_one_out(SequenceDataset.from_pairs("long", np.array(users),
                                                        np.array(items)))


def rows_of(sampler, user, steps=200):
  out = []
  for k in range(steps):
    b = sampler.batch(k)
    for u, s, p in zip(b["user"], b["seq"], b["pos"]):
      if u == user:
        out.append((s, p))
  return out


def test_zero_probability_is_exactly_the_sasrec_sampler(split):
  a, b = TrainingSampler(split, N, 8, seed=3), TrainingSampler(split, N, 8, seed=3,
                                                               long_seq_prob=0.0)
  for k in range(5):
    for key, value in a.batch(k).items():
      np.testing.assert_array_equal(value, b.batch(k)[key])


def test_windows_start_only_where_the_paper_says(split):
  sampler = TrainingSampler(split, N, 8, seed=0, long_seq_prob=1.0)
  starts = []
  for seq, pos in rows_of(sampler, 1):
    # Consecutive pairs of the history: inputs items[v-1 .. v+N-2], targets one ahead.
    np.testing.assert_array_equal(pos, seq + 1)
    v = int(seq[0])  # item ids equal 1-based positions for this user
    starts.append(v)
  t = 28 - 1
  assert set(starts) == set(range(1, t - N + 1))  # v uniform over 1..t-N, never the latest window
  # The short user always gets its most recent pairs, left-padded.
  for seq, pos in rows_of(sampler, 2, steps=20):
    np.testing.assert_array_equal(seq, [0, 0, 40, 41, 42])
    np.testing.assert_array_equal(pos, [0, 0, 41, 42, 43])


def test_probability_mixes_random_and_recent_windows(split):
  sampler = TrainingSampler(split, N, 8, seed=1, long_seq_prob=0.3)
  latest = [int(seq[-1]) == 27 for seq, _ in rows_of(sampler, 1, steps=300)]
  # Random starts are never the latest window: its share is 1 - p_s.
  assert abs(np.mean(latest) - 0.7) < 0.06
  with pytest.raises(ValueError):
    TrainingSampler(split, N, 8, long_seq_prob=1.5)
