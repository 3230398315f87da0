"""The first-order baselines and GRU4Rec / Caser / STAMP learn a planted sequential pattern.

Chain data: every user reads a run of consecutive items (item i is always followed by i + 1).
Each model trains a few epochs through the real Trainer and sampler; its loss must fall and its
test NDCG@10 under full ranking must beat PopRec's clearly.
"""

import pytest

from tests.training.tiny import chain_split

from .baseline_learning import poprec_ndcg, train_briefly

SEQUENTIAL = ("fmc", "fpmc", "transrec", "gru4rec", "caser", "stamp")


@pytest.fixture(scope="module")
def split():
  return chain_split()


@pytest.fixture(scope="module")
def pop_ndcg(split):
  return poprec_ndcg(split)


@pytest.mark.parametrize("name", SEQUENTIAL)
def test_sequential_baseline_learns_the_chain_and_beats_poprec(name, split, pop_ndcg, tmp_path):
  losses, metrics = train_briefly(name, split, tmp_path)
  assert losses[-1] < 0.9 * losses[0], losses  # falls by 10 % at least (TOP1 is >= 0.5)
  assert metrics["NDCG@10"] > pop_ndcg + 0.2, (metrics["NDCG@10"], pop_ndcg)


def test_bpr_loss_decreases(split, tmp_path):
  losses, _ = train_briefly("bpr", split, tmp_path, epochs=4)
  assert losses[-1] < 0.9 * losses[0], losses  # falls by 10 % at least (TOP1 is >= 0.5)
