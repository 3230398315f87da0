"""ModelScorer: scoring in length groups without leading padding equals scoring full windows."""

import numpy as np
import pytest

from sasrec_tf.models.sasrec import SASRec
from sasrec_tf.models.ssept import SSEPT
from sasrec_tf.training.scoring import ModelScorer

NUM_ITEMS, NUM_USERS, N = 40, 20, 12


def batch(rng, rows=12, cands=5):
  lengths = rng.integers(0, N + 1, size=rows)
  lengths[0] = N  # one full window
  seqs = np.zeros((rows, N), np.int32)
  for i, l in enumerate(lengths):
    seqs[i, N - l:] = rng.integers(1, NUM_ITEMS + 1, size=l)
  return {"users": rng.integers(1, NUM_USERS + 1, size=rows).astype(np.int32), "seqs": seqs,
          "candidates": rng.integers(1, NUM_ITEMS + 1, size=(rows, cands)).astype(np.int32)}


@pytest.mark.parametrize("make", [
    lambda: SASRec(NUM_ITEMS, N, hidden_units=8, num_blocks=2, seed=0),
    lambda: SSEPT(num_items=NUM_ITEMS, num_users=NUM_USERS, max_len=N, item_units=6,
                  user_units=4, num_blocks=2, seed=0)])
def test_trimmed_scores_equal_full_window_scores(make):
  model = make().build_for_inputs()
  rng = np.random.default_rng(0)
  for v in model.weights:
    v.assign((rng.normal(0, 0.3, tuple(v.shape)) + (1.0 if v.path.endswith("gamma") else 0.0))
             .astype(np.float32))
  b = batch(rng)
  trimmed = ModelScorer(model, extra_keys=("users",), group_rows=5, width_multiple=4)
  full = ModelScorer(model, extra_keys=("users",), trim_padding=False)
  assert trimmed.trim and not full.trim
  np.testing.assert_allclose(trimmed.score_all(b), full.score_all(b), rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(trimmed.score_candidates(b), full.score_candidates(b), rtol=1e-5,
                             atol=1e-5)
  if isinstance(model, SSEPT):
    return  # one XLA check is enough (compiling is slow)
  compiled = ModelScorer(model, extra_keys=("users",), group_rows=6, width_multiple=12,
                         jit_compile=True)
  np.testing.assert_allclose(compiled.score_all(b), full.score_all(b), rtol=1e-5, atol=1e-5)


def test_models_without_the_declaration_are_never_trimmed():
  class Plain:
    def score_all(self, seqs, users=None):
      raise AssertionError("not called")
  assert not ModelScorer(Plain(), jit_compile=True).trim
  assert not ModelScorer(Plain(), jit_compile=True).jit_compile
