"""Evaluator: batches handed to the scorer, both protocols, tie rules and determinism."""

import numpy as np
import pytest

from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out
from sasrec_tf.evaluation import Evaluator, eval_inputs


def oracle(batch):
  """Target (column 0) scores 1, negatives 0, except negatives equal to the target id."""
  cands = batch["candidates"]
  return (cands == cands[:, :1]).astype(np.float32) - 0.5 * (
      np.arange(cands.shape[1]) > 0)


def constant(batch):
  return np.zeros(batch["candidates"].shape, np.float32)


def random_split(num_users=300, num_items=80, seed=0):
  rng = np.random.default_rng(seed)
  lengths = rng.integers(2, 12, num_users)
  users = np.repeat(np.arange(1, num_users + 1), lengths)
  items = rng.integers(1, num_items + 1, users.size)
  items[-1] = num_items
  return split_leave_one_out(SequenceDataset.from_pairs("rand", users, items))


def test_oracle_scores_perfectly(small_split):
  for stage in ("valid", "test"):
    out = Evaluator(small_split, maxlen=4).evaluate(oracle, stage)
    assert out["num_users"] == 3
    assert out["HR@1"] == 1.0 and out["NDCG@10"] == 1.0 and out["MRR"] == 1.0


@pytest.mark.parametrize("tie_break,rank", [("pessimistic", 100), ("optimistic", 0)])
def test_constant_scores_follow_the_tie_rule(small_split, tie_break, rank):
  out = Evaluator(small_split, maxlen=4, tie_break=tie_break).evaluate(constant)
  assert out["MRR"] == pytest.approx(1 / (rank + 1))


def test_constant_scores_random_ties_average_to_the_middle():
  split = random_split()
  ev = Evaluator(split, maxlen=5, tie_break="random")
  users, ranks = ev.rank(constant, "test")
  assert ranks.min() >= 0 and ranks.max() <= 100
  assert abs(ranks.mean() - 50) < 5
  assert ev.evaluate(constant, "test")["HR@10"] == pytest.approx(np.mean(ranks < 10))
  assert users.size == ev.evaluate(constant, "test")["num_users"]


def test_batch_contents_sampled(small_split):
  seen = []

  def scorer(batch):
    seen.append(batch)
    return np.zeros(batch["candidates"].shape)

  ev = Evaluator(small_split, maxlen=4, batch_size=2, num_negatives=7, include_times=True,
                 extra_inputs_fn=lambda batch, stage: {"stage_len": np.full(
                     len(batch["users"]), len(stage))})
  ev.evaluate(scorer, "test")
  assert [len(b["users"]) for b in seen] == [2, 1]
  users = np.concatenate([b["users"] for b in seen])
  np.testing.assert_array_equal(users, [1, 3, 4])
  assert seen[0]["users"].dtype == np.int32 and seen[0]["seqs"].dtype == np.int32
  np.testing.assert_array_equal(np.concatenate([b["seqs"] for b in seen]),
                                eval_inputs(small_split, users, "test", 4))
  cands = np.concatenate([b["candidates"] for b in seen])
  assert cands.shape == (3, 8)
  np.testing.assert_array_equal(cands[:, 0], small_split.test[users])
  np.testing.assert_array_equal(seen[0]["times"][0], [1, 11, 21, 31])
  np.testing.assert_array_equal(seen[0]["stage_len"], [4, 4])


def test_sampled_negatives_respect_the_exclusion_rule():
  split = random_split()
  for rule, stage in [("train", "valid"), ("tisasrec", "test")]:
    batches = []
    ev = Evaluator(split, maxlen=5, exclusion=rule)
    ev.evaluate(lambda b: (batches.append(b), constant(b))[1], stage)
    for b in batches:
      for u, row in zip(b["users"], b["candidates"]):
        banned = set(split.train[u].tolist())
        if rule == "tisasrec":
          banned |= {int(split.valid[u]), int(split.test[u])}
        assert not banned & set(row[1:].tolist())


def test_full_ranking_with_known_order(small_split):
  # Score = -item id: item 1 best. Padding column 0 and excluded items never count.
  scorer = lambda b: -np.tile(np.arange(13, dtype=np.float32), (len(b["users"]), 1))
  ev = Evaluator(small_split, maxlen=3, protocol="full", ks=(1, 5))
  users, ranks = ev.rank(scorer, "test")
  np.testing.assert_array_equal(users, [1, 3, 4])
  # user 1: target 5, seen {1,2,3,4} -> nothing below 5 competes.
  # user 3: target 10, seen {2,8,9} -> 1,3,4,5,6,7 compete.
  # user 4: target 1 (also a training item; the target always stays) -> 0.
  np.testing.assert_array_equal(ranks, [0, 6, 0])
  _, ranks_valid = ev.rank(scorer, "valid")
  # valid targets 4, 9, 12; seen = train {1,2,3}, {2,8}, {1,3,11}.
  np.testing.assert_array_equal(ranks_valid, [0, 6, 8])
  _, ranks_none = Evaluator(small_split, maxlen=3, protocol="full",
                            exclusion="none").rank(scorer, "test")
  np.testing.assert_array_equal(ranks_none, [4, 9, 0])


def test_full_ranking_training_items_do_not_count(small_split):
  def scorer(batch):
    scores = np.zeros((len(batch["users"]), 13), np.float32)
    for i, u in enumerate(batch["users"]):
      scores[i, small_split.train[u]] = 100.0  # seen items score highest
      scores[i, small_split.test[u]] = 50.0
    scores[:, 0] = 1000.0  # padding column ignored
    return scores

  out = Evaluator(small_split, maxlen=3, protocol="full", ks=(1,)).evaluate(scorer, "test")
  # user 4's target (item 1) is also a training item: it scores 50 and still competes.
  assert out["HR@1"] == 1.0


def test_full_ranking_constant_scores_follow_tie_rule(small_split):
  scorer = lambda b: np.zeros((len(b["users"]), 13))
  _, pess = Evaluator(small_split, 3, "full", tie_break="pessimistic").rank(scorer, "test")
  # Other competing items: 12 items minus the seen ones minus the target.
  # user 1: seen {1,2,3,4}, target 5; user 3: seen {2,8,9}, target 10;
  # user 4: seen {1,3,11,12} includes the target 1.
  np.testing.assert_array_equal(pess, [7, 8, 8])
  _, opt = Evaluator(small_split, 3, "full", tie_break="optimistic").rank(scorer, "test")
  np.testing.assert_array_equal(opt, [0, 0, 0])


def test_scorer_object_serves_both_protocols(small_split):
  class Model:
    def score_candidates(self, batch):
      return oracle(batch)

    def score_all(self, batch):
      scores = np.zeros((len(batch["users"]), 13))
      scores[np.arange(len(batch["users"])), small_split.valid[batch["users"]]] = 1.0
      return scores

  for protocol in ("sampled", "full"):
    assert Evaluator(small_split, 3, protocol).evaluate(Model())["HR@1"] == 1.0


def test_deterministic_given_seed_and_redraw_with_rng():
  split = random_split(num_users=400)
  scorer = lambda b: np.sin(b["candidates"] * 1.7 + b["users"][:, None])
  ev = Evaluator(split, maxlen=5, max_users=150, seed=3)
  first = ev.evaluate(scorer, "valid")
  assert first == ev.evaluate(scorer, "valid")
  assert first == Evaluator(split, maxlen=5, max_users=150, seed=3).evaluate(scorer, "valid")
  assert first != Evaluator(split, maxlen=5, max_users=150, seed=4).evaluate(scorer, "valid")
  rng = np.random.default_rng(0)
  a, b = ev.rank(scorer, "valid", rng), ev.rank(scorer, "valid", rng)
  assert not np.array_equal(a[0], b[0])  # users re-drawn
  again = ev.rank(scorer, "valid", np.random.default_rng(0))
  np.testing.assert_array_equal(a[0], again[0])
  np.testing.assert_array_equal(a[1], again[1])


def test_batch_size_does_not_change_results():
  split = random_split()
  scorer = lambda b: np.cos(b["candidates"] * 0.3 + b["users"][:, None])
  base = Evaluator(split, 5, batch_size=1000, tie_break="pessimistic").rank(scorer, "test")
  small = Evaluator(split, 5, batch_size=7, tie_break="pessimistic").rank(scorer, "test")
  np.testing.assert_array_equal(base[1], small[1])


def test_bad_scores_and_arguments(small_split):
  ev = Evaluator(small_split, maxlen=3)
  with pytest.raises(ValueError, match="shape"):
    ev.evaluate(lambda b: np.zeros((len(b["users"]), 5)))
  with pytest.raises(ValueError, match="NaN"):
    ev.evaluate(lambda b: np.full(b["candidates"].shape, np.nan))
  with pytest.raises(TypeError):
    ev.evaluate(object())
  with pytest.raises(ValueError):
    Evaluator(small_split, 3, protocol="all")
  with pytest.raises(ValueError):
    Evaluator(small_split, 3, exclusion="valid")
  with pytest.raises(ValueError):
    ev.evaluate(oracle, "train")
