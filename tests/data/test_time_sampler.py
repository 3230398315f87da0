"""Time inputs of TiSASRec / SAS-FPT (SPEC §1.5, §5.1, §5.3): hand-computed relation matrices,
clipping, personalised scaling, UTC week buckets, the sampler and the evaluation inputs."""

import calendar

import numpy as np
import pytest

from sasrec_tf.data import preprocess, readers
from sasrec_tf.data.errors import DataFormatError
from sasrec_tf.data.sampler import TrainingSampler
from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out
from sasrec_tf.data.time_features import (TimeFeatures, UserGroups, demographic_groups,
                                          paper_relation_matrix, personalized_time,
                                          relation_matrix, user_time_scales, week_of_year)
from sasrec_tf.data.time_sampler import GROUP_KEYS, TIME_BATCH_KEYS, TimeAwareSampler

DAY = 86400


def utc(*date):
  """Unix seconds of a UTC date / datetime tuple."""
  return calendar.timegm((*date, *(0,) * (6 - len(date)), 0, 0, 0))


def make_split(histories):
  """histories: {user: [(item, time), ...]} in time order -> leave-one-out split with times."""
  users, items, times = [], [], []
  for u, rows in sorted(histories.items()):
    for i, t in rows:
      users.append(u)
      items.append(i)
      times.append(t)
  data = SequenceDataset.from_pairs("toy", np.array(users), np.array(items), np.array(times))
  return split_leave_one_out(data)


# User 1: times 100, 160, 160, 400, 1000 (train), 1090 (valid), 1120 (test). Smallest positive gap
# over the WHOLE sequence is 30 (valid -> test), so tau = round((t - 100) / 30) + 1.
U1 = [(1, 100), (2, 160), (3, 160), (4, 400), (5, 1000), (6, 1090), (7, 1120)]
U1_TAU = [1, 3, 3, 11, 31]          # train items; 1090 -> 34, 1120 -> 35
# User 2: the same pattern in days (scale 30 days): identical personalised times.
U2 = [(8, 100 * DAY), (9, 160 * DAY), (1, 160 * DAY), (2, 400 * DAY), (3, 1000 * DAY),
      (4, 1090 * DAY), (5, 1120 * DAY)]
# User 3: no positive gap at all (r_u = 1).
U3 = [(6, 5000), (7, 5000), (8, 5000), (9, 5000)]


@pytest.fixture(scope="module")
def split():
  return make_split({1: U1, 2: U2, 3: U3})


def hand_relation(tau, k):
  return np.array([[min(abs(a - b), k) for b in tau] for a in tau])


def test_scales_use_the_whole_sequence(split):
  origin, scale = user_time_scales(split.dataset.timestamps)
  assert origin.tolist() == [0, 100, 100 * DAY, 5000]
  assert scale.tolist() == [1, 30, 30 * DAY, 1]
  assert user_time_scales(split.dataset.timestamps, personalized=False,
                          interval_unit=DAY)[1].tolist() == [DAY] * 4


def test_code_tau_equals_the_preprocessing_rule(split):
  origin, scale = user_time_scales(split.dataset.timestamps)
  want = preprocess.personalized_timestamps(split.dataset.timestamps)
  for u in (1, 2, 3):
    t = split.dataset.timestamps[u]
    got = personalized_time(t[None], np.ones((1, t.size), bool), origin[[u]], scale[[u]])[0]
    np.testing.assert_array_equal(got, want[u])
  assert want[1][:5].tolist() == U1_TAU


def test_relation_matrix_equals_hand_computation_and_clips():
  tau = np.array([[0, 0, 1, 3, 3, 11, 31]])  # two padding slots (tau 0)
  for k in (256, 8, 2):
    np.testing.assert_array_equal(relation_matrix(tau, k)[0], hand_relation(tau[0], k))
  got = relation_matrix(tau, 8)[0]
  assert got[6, 2] == 8 and got[5, 3] == 8 and got[3, 2] == 2 and got[0, 6] == 8


def test_paper_rounding_floors_the_scaled_interval():
  times = np.array([[0, 100, 145, 190]])
  valid = np.array([[False, True, True, True]])
  got = paper_relation_matrix(times, valid, np.array([30]), 256)[0]
  # |145-100|/30 = 1.5 -> 1; |190-100|/30 = 3; |190-145|/30 = 1.5 -> 1; padding row / column 0.
  np.testing.assert_array_equal(got, [[0, 0, 0, 0], [0, 0, 1, 3], [0, 1, 0, 1], [0, 3, 1, 0]])
  # The code rescales the timestamps first: tau = round((t - 100) / 30) + 1 = 1, 3 (1.5 rounds
  # to 2), 4, so the same pair is 2 apart where the paper's formula gives 1.
  tau = personalized_time(times, valid, np.array([100]), np.array([30]))
  assert relation_matrix(tau, 256)[0, 2, 1] == 2


def test_week_buckets_on_known_dates_utc():
  dates = {
      (2000, 1, 1): 1, (2000, 1, 7, 23, 59, 59): 1, (2000, 1, 8): 2, (2000, 2, 29): 9,
      (2000, 12, 23): 52,   # day 358 of a leap year: ceil(358 / 7) = 52
      (2000, 12, 31): 52,   # day 366: would be 53, clipped
      (2001, 12, 31): 52,   # day 365 of a common year
      (2003, 2, 28): 9, (1997, 9, 20): 38,
  }
  got = week_of_year(np.array([utc(*d) for d in dates]))
  assert got.tolist() == list(dates.values()) and got.dtype == np.int32
  # UTC, not local time: 23:30 UTC on 31 Dec is still week 52 (it is 1 Jan in UTC+1).
  assert week_of_year(np.array([utc(1999, 12, 31, 23, 30)]))[0] == 52
  assert week_of_year(np.array([utc(2000, 1, 1, 0, 30)]))[0] == 1
  assert week_of_year(np.array([[utc(2000, 1, 8), utc(2000, 1, 8)]]),
                      valid=np.array([[False, True]])).tolist() == [[0, 2]]


def test_sampler_matches_sasrec_draws_and_hand_matrices(split):
  k = 8
  sampler = TimeAwareSampler(split, max_len=6, batch_size=16, seed=3,
                             features=TimeFeatures(split, time_span=k))
  base = TrainingSampler(split, max_len=6, batch_size=16, seed=3)
  batch, plain = sampler.batch(5), base.batch(5)
  assert set(batch) == set(TIME_BATCH_KEYS)
  for key in ("user", "seq", "pos", "neg"):
    np.testing.assert_array_equal(batch[key], plain[key])  # the same random stream
  expected_window = {1: [0, 0] + U1_TAU[:-1], 2: [0, 0] + U1_TAU[:-1], 3: [0, 0, 0, 0, 0, 1]}
  for row, u in enumerate(batch["user"]):
    tau = expected_window[int(u)]
    np.testing.assert_array_equal(batch["time_matrix"][row], hand_relation(tau, k))
  assert batch["time_matrix"].dtype == np.int32 and batch["time_matrix"].shape == (16, 6, 6)
  # Weeks of input and target slots; 0 at padding.
  row = int(np.nonzero(batch["user"] == 2)[0][0])
  days = [100, 160, 160, 400]
  want = [0, 0] + week_of_year(np.array(days) * DAY).tolist()
  assert batch["weeks"][row].tolist() == want
  assert batch["pos_weeks"][row].tolist() == [0, 0] + week_of_year(
      np.array([160, 160, 400, 1000]) * DAY).tolist()


def test_personalised_scaling_makes_users_comparable(split):
  features = TimeFeatures(split, time_span=1000)
  times = np.array([[100, 160, 400], [100 * DAY, 160 * DAY, 400 * DAY]])
  seqs = np.ones((2, 3), np.int32)
  personal = features.window_inputs(np.array([1, 2]), seqs, times)["time_matrix"]
  np.testing.assert_array_equal(personal[0], personal[1])
  flat = TimeFeatures(split, time_span=1000, personalized=False, interval_unit=60)
  raw = flat.window_inputs(np.array([1, 2]), seqs, times)["time_matrix"]
  assert raw[0, 2, 0] == 5 and raw[1, 2, 0] == 1000  # 300 s / 60; 300 days clipped


def test_batches_are_a_pure_function_of_seed_and_step(split):
  groups = np.array([0, 1, 1, 2])
  make = lambda: TimeAwareSampler(split, 6, 8, seed=11, groups=groups, group_pairs=4)
  a, b = make(), make()
  late_first = b.batch(9)
  for key in TIME_BATCH_KEYS + GROUP_KEYS:
    np.testing.assert_array_equal(a.batch(9)[key], late_first[key])
  assert any(not np.array_equal(a.batch(9)[k], a.batch(10)[k]) for k in ("user", "group_a"))
  items = a.dataset(9, 2)
  for step, got in zip((9, 10), items):
    want = a.batch(step)
    assert set(got) == set(TIME_BATCH_KEYS + GROUP_KEYS)
    for key, value in want.items():
      np.testing.assert_array_equal(got[key].numpy(), value)


def test_group_pairs_respect_groups():
  labels = np.array([0, 1, 1, 1, 2, 2, 3, 0, 3])
  groups = UserGroups(labels)
  a, b, label = groups.draw_pairs(np.random.default_rng(0), 200)
  pos, neg = label > 0, label < 0
  assert pos.sum() == neg.sum() == 200
  assert np.all(labels[a[pos]] == labels[b[pos]]) and np.all(a[pos] != b[pos])
  assert np.all(labels[a[neg]] != labels[b[neg]])
  assert np.all(labels[a] > 0) and np.all(labels[b] > 0)  # unknown users never drawn
  assert set(b[pos][a[pos] == 1].tolist()) == {2, 3}      # every other member is reachable
  with pytest.raises(ValueError, match="two user groups"):
    UserGroups(np.array([0, 1, 1]))


def test_demographic_age_buckets_agree_for_ml1m_codes_and_raw_ages():
  coded = demographic_groups([1, 2, 3, 4], [1, 18, 25, 56], 4, "age")
  raw = demographic_groups([1, 2, 3, 4], [7, 21, 30, 70], 4, "age")
  np.testing.assert_array_equal(coded, raw)
  assert coded.tolist() == [0, 1, 2, 3, 4]


def test_eval_inputs_follow_the_evaluation_window(split):
  features = TimeFeatures(split, time_span=256)
  seqs = np.array([[0, 2, 3, 4, 5, 6]])  # test input: train + valid item (SPEC §2.2)
  times = np.array([[0, 160, 160, 400, 1000, 1090]])
  out = features.eval_inputs({"users": np.array([1]), "seqs": seqs, "times": times}, "test")
  np.testing.assert_array_equal(out["time_matrix"][0], hand_relation([0, 3, 3, 11, 31, 34], 256))
  assert out["target_weeks"].tolist() == week_of_year(np.array([1120])).tolist()
  out = features.eval_inputs({"users": np.array([1]), "seqs": seqs, "times": times}, "valid")
  assert out["target_weeks"].tolist() == week_of_year(np.array([1090])).tolist()


def test_no_timestamps_is_refused():
  data = SequenceDataset.from_pairs("text", np.ones(5, int), np.arange(1, 6))
  plain = split_leave_one_out(data)
  with pytest.raises(ValueError, match="no timestamps"):
    TimeFeatures(plain)
  with pytest.raises(ValueError, match="no timestamps"):
    TimeAwareSampler(plain, 4, 2)


def test_sas_join_reader(write):
  sas = write("ml-1m.txt", "1 1\n1 2\n1 3\n2 2\n2 1\n2 3\n")
  users = write("users.txt", "1 10\n2 20\n")
  items = write("items.txt", "1 500\n2 300\n3 400\n")
  # Raw file: user 10 has an extra movie 999 (filtered by SASRec) and ties at time 5.
  ratings = write("ratings.dat", "10::400::3::7\n10::999::4::1\n10::300::5::5\n10::500::1::5\n"
                                 "20::300::5::9\n20::500::5::8\n20::400::5::10\n")
  inter = readers.READERS["ml1m_sas_timed"](sas, users, items, ratings)
  assert inter.users.tolist() == [10, 10, 10, 20, 20, 20]
  assert inter.items.tolist() == [3, 2, 1, 2, 1, 3]            # SASRec ids, ratings-file order
  assert inter.timestamps.tolist() == [7, 5, 5, 9, 8, 10]
  data = preprocess.RULES["sasrec"](inter, "join", min_user_count=0, min_item_count=0,
                                    user_ids="ascending", item_ids="raw")
  assert data.sequences[1].tolist() == [2, 1, 3]                # stable time sort keeps file order
  bad = write("short.dat", "10::400::3::7\n10::300::5::5\n")    # user 10 lacks movie 500
  with pytest.raises(DataFormatError, match="user 10 has 2 of its 3"):
    readers.READERS["ml1m_sas_timed"](sas, users, items, bad)
