"""HGN, GRU4Rec+, HRM, PRME and LSTM+ learn the planted chain pattern and beat PopRec.

Same protocol as test_baseline_learning.py (split in two files to keep each well under a minute).
"""

import pytest

from tests.training.tiny import chain_split

from .baseline_learning import poprec_ndcg, train_briefly


@pytest.fixture(scope="module")
def split():
  return chain_split()


@pytest.fixture(scope="module")
def pop_ndcg(split):
  return poprec_ndcg(split)


@pytest.mark.parametrize("name", ("hgn", "gru4rec_plus", "hrm", "prme", "lstm"))
def test_baseline_learns_the_chain_and_beats_poprec(name, split, pop_ndcg, tmp_path):
  losses, metrics = train_briefly(name, split, tmp_path)
  assert losses[-1] < 0.9 * losses[0], losses
  assert metrics["NDCG@10"] > pop_ndcg + 0.2, (metrics["NDCG@10"], pop_ndcg)
