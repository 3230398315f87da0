"""The papers' preprocessing rules on hand-made data (SPEC §1.2-1.8)."""

import numpy as np
import pytest

from sasrec_tf.data import preprocess, readers
from sasrec_tf.data.readers import Interactions
from sasrec_tf.data.sequences import split_leave_one_out
from .helpers import fixture


def _inter(rows, with_time=True):
  users = np.array([r[0] for r in rows], dtype=object if isinstance(rows[0][0], str) else None)
  items = np.array([r[1] for r in rows], dtype=object if isinstance(rows[0][1], str) else None)
  times = np.array([r[2] for r in rows], np.int64) if with_time else None
  return Interactions(users, items, times)


def _seqs(ds):
  return [s.tolist() for s in ds.sequences[1:]]


# --------------------------------------------------------------------------- filters


def test_single_pass_filter_differs_from_iterative_k_core():
  # Raw counts: users a:2 b:2 c:1 d:1; items x:2 y:2 z:2.
  inter = _inter([("a", "x", 1), ("a", "y", 2), ("b", "x", 3), ("b", "z", 4), ("c", "y", 5),
                  ("d", "z", 6)])
  kept = preprocess.count_filter(inter, 2, 2)
  assert list(zip(kept.users, kept.items)) == [("a", "x"), ("a", "y"), ("b", "x"), ("b", "z")]
  # After the single pass, y and z occur once: an iterative 2-core would go on to drop them
  # (and then every user), SASRec's filter keeps them.
  _, counts = np.unique(kept.items.astype(str), return_counts=True)
  assert counts.min() == 1


def test_sasrec_filter_default_thresholds_count_duplicates():
  rows = [("u", "i", t) for t in range(5)]  # one pair repeated 5 times: 5 raw actions each
  rows += [("u", "j", 9), ("v", "i", 9)]  # j once, v once
  kept = preprocess.count_filter(_inter(rows))
  assert len(kept) == 5 and set(kept.items) == {"i"}


def test_attrec_filter_drops_items_seen_once_then_short_users():
  rows = [("u", f"i{k % 3}", k) for k in range(10)]  # u: 10 actions on i0..i2
  rows += [("u", "once", 10)]  # dropped as cold-start item
  rows += [("v", "i0", k) for k in range(9)] + [("v", "only", 99)]  # v: 10 raw, 9 after items
  kept = preprocess.attrec_filter(_inter(rows), min_user_count=10, min_item_count=2)
  assert set(kept.users) == {"u"} and len(kept) == 10


# --------------------------------------------------------------------------- renumbering, order


def test_renumber_first_appearance_and_ascending():
  keys = np.array([30, 10, 30, 20, 10])
  ids, vocab = preprocess.renumber(keys)
  assert ids.tolist() == [1, 2, 1, 3, 2] and vocab.tolist() == [30, 10, 20]
  ids, vocab = preprocess.renumber(keys, "ascending")
  assert ids.tolist() == [3, 1, 3, 2, 1] and vocab.tolist() == [10, 20, 30]
  with pytest.raises(ValueError):
    preprocess.renumber(keys, "random")


def test_chronological_is_stable_on_ties():
  users = np.array([2, 1, 1, 1, 2])
  times = np.array([5, 7, 3, 7, 5])
  assert preprocess.chronological(users, times).tolist() == [2, 1, 3, 0, 4]


def test_sasrec_rule_on_movielens_fixture_first_appearance():
  inter = readers.read_movielens_ratings(fixture("ml-1m", "ratings.dat"))
  ds = preprocess.sasrec_rule(inter, "t", 0, 0)
  # users by first appearance: raw 2 -> 1, 1 -> 2, 3 -> 3; items: 20, 30, 10, 40, 50 -> 1..5.
  # Ties keep file order: raw user 2's items 10 and 40 share a time, as do user 1's 10 and 20.
  assert _seqs(ds) == [[3, 4, 1], [2, 3, 1], [5, 3, 1, 2]]
  assert ds.timestamps[1].tolist() == [978300100, 978300100, 978400000]
  assert (ds.num_users, ds.num_items) == (3, 5)


def test_sasrec_rule_ascending_ids_ml1m_option():
  inter = readers.read_movielens_ratings(fixture("ml-1m", "ratings.dat"))
  ds = preprocess.sasrec_rule(inter, "t", 0, 0, "ascending", "ascending")
  assert _seqs(ds) == [[3, 1, 2], [1, 4, 2], [5, 1, 2, 3]]


def test_sasrec_rule_keeps_duplicate_pairs():
  rows = [("a", "x", 1), ("a", "x", 2), ("a", "y", 3)]
  ds = preprocess.sasrec_rule(_inter(rows), "t", 0, 0)
  assert _seqs(ds) == [[1, 1, 2]]


def test_sasrec_rule_renumbers_among_kept_rows_only():
  rows = [("rare", "x", 0)] + [(f"u{k}", "y", k) for k in range(5)] + \
         [("u0", "x", 9)] * 4
  # 'rare' has 1 action and is dropped; its item x is still kept through u0.
  ds = preprocess.sasrec_rule(_inter(rows), "t", 2, 2)
  assert ds.num_users == 1  # only u0 has >= 2 actions
  assert _seqs(ds) == [[1, 2, 2, 2, 2]]  # y first appears (among kept rows) before x


def test_raw_item_ids_ml10m_option():
  inter = Interactions(np.array([5, 5, 9]), np.array([65133, 2, 7]), np.array([3, 1, 2]))
  ds = preprocess.sasrec_rule(inter, "t", 0, 0, "ascending", "raw")
  assert ds.num_items == 65133 and ds.num_users == 2
  assert _seqs(ds) == [[2, 65133], [7]]
  with pytest.raises(ValueError):
    preprocess.sasrec_rule(_inter([("a", "x", 1)]), "t", 0, 0, item_ids="raw")


def test_sasrec_rule_needs_timestamps_and_some_rows():
  with pytest.raises(ValueError):
    preprocess.sasrec_rule(_inter([(1, 1, 0)], with_time=False), "t")
  with pytest.raises(ValueError, match="survives"):
    preprocess.sasrec_rule(_inter([(1, 1, 0)]), "t")


def test_as_is_rule_keeps_ids_and_order():
  inter = readers.read_user_item(fixture("games", "Video.txt"))
  assert _seqs(preprocess.as_is_rule(inter, "g")) == [[3, 1, 2], [2, 4], [1, 4, 4, 2]]


# --------------------------------------------------------------------------- TiSASRec


def test_tisasrec_rule_filters_single_pass_and_sorts():
  inter = readers.read_movielens_ratings(fixture("ml-1m", "ratings.dat"))
  ds = preprocess.tisasrec_rule(inter, "t", min_count=0)
  assert _seqs(ds) == [[3, 1, 2], [1, 4, 2], [5, 1, 2, 3]]
  # min_count=2: items 40 and 50 (one rating each) go; 10, 20, 30 are renumbered 1..3.
  ds = preprocess.tisasrec_rule(inter, "t", min_count=2)
  assert _seqs(ds) == [[3, 1, 2], [1, 2], [1, 2, 3]]


def test_personalized_timestamps():
  times = [np.array([978300000, 978300760, 978300760]),
           np.array([978300100, 978300100, 978400000]),
           np.array([978499999, 978500000, 978500000, 978500001]),
           np.array([50, 50]),  # no positive gap: r_u = 1
           np.array([0, 2, 5]),  # r_u = 2; 5 / 2 = 2.5 rounds half to even -> 2
           np.array([], np.int64)]
  tau = preprocess.personalized_timestamps(times)
  assert [t.tolist() for t in tau] == [[1, 2, 2], [1, 1, 2], [1, 2, 2, 3], [1, 1], [1, 2, 3], []]


def test_personalized_time_ignores_the_global_offset():
  times = [np.array([978300000, 978300761, 978302000]), np.array([978000000, 978000010])]
  flat = preprocess.offset_timestamps(np.concatenate(times))
  assert flat.min() == 0 and flat.dtype == np.int64
  shifted = [flat[:3], flat[3:]]
  for a, b in zip(preprocess.personalized_timestamps(times),
                  preprocess.personalized_timestamps(shifted)):
    np.testing.assert_array_equal(a, b)


def test_with_personalized_time():
  inter = readers.read_movielens_ratings(fixture("ml-1m", "ratings.dat"))
  ds = preprocess.with_personalized_time(preprocess.tisasrec_rule(inter, "t", 0))
  assert ds.timestamps[3].tolist() == [1, 2, 2, 3]
  with pytest.raises(ValueError):
    preprocess.with_personalized_time(preprocess.as_is_rule(
        readers.read_user_item(fixture("games", "Video.txt")), "g"))


# --------------------------------------------------------------------------- AttRec / DeepRec


def test_latest_last_order_moves_first_of_latest_tie_to_the_end():
  users = np.array([7, 8, 7, 7, 8, 7, 8])
  times = np.array([949, 0, 1000, 1000, 500, 0, 900])
  # user 7: rows 5 (t=0), 0 (949), 3 (1000), then row 2 -- the first row at t=1000 -- last.
  assert preprocess.latest_last_order(users, times).tolist() == [5, 0, 3, 2, 1, 4, 6]


def test_attrec_rule_deeprec_split_on_u_data_fixture():
  inter = readers.read_tab_ratings(fixture("ml-100k", "u.data"))
  ds = preprocess.attrec_rule(inter, "t", 0, 0, ids="deeprec")
  assert _seqs(ds) == [[1, 2, 3, 4], [4, 2, 1]]
  split = split_leave_one_out(ds)
  assert split.test.tolist() == [0, 4, 1]  # raw items 3 (first of user 7's tie) and 2
  assert split.valid.tolist() == [0, 3, 2]


def test_attrec_rule_equals_the_shipped_split():
  inter = readers.read_tab_ratings(fixture("ml-100k", "u.data"))
  ours = preprocess.attrec_rule(inter, "t", 0, 0, ids="deeprec")
  shipped = preprocess.deeprec_split_rule(
      readers.read_deeprec_split(fixture("ml-100k", "attrec_split", "train.dat"),
                                 fixture("ml-100k", "attrec_split", "test.dat")), "t")
  assert _seqs(ours) == _seqs(shipped)
  assert [t.tolist() for t in ours.timestamps] == [t.tolist() for t in shipped.timestamps]


def test_attrec_rule_first_appearance_ids_and_filters():
  inter = readers.read_tab_ratings(fixture("ml-100k", "u.data"))
  ds = preprocess.attrec_rule(inter, "t", 0, 0)
  # users 7 -> 1, 8 -> 2; items by first appearance in the file: 5, 3, 1, 2 -> 1..4.
  assert _seqs(ds) == [[4, 1, 3, 2], [2, 1, 4]]
  assert len(preprocess.attrec_rule(inter, "t", 4, 0).sequences) == 2  # only user 7 left
  with pytest.raises(ValueError):
    preprocess.attrec_rule(inter, "t", 0, 0, ids="other")


def test_rules_table():
  assert set(preprocess.RULES) == {"as_is", "sasrec", "tisasrec", "attrec", "deeprec_split"}
