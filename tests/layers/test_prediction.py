"""EmbeddingScorer: dot products with unscaled item table rows (SPEC §3.3)."""

import numpy as np
import tensorflow as tf

from sasrec_tf.layers import EmbeddingScorer, ZeroPadEmbedding

from .layer_test_helper import run_layer_test

FEATURES = tf.constant(np.random.default_rng(0).normal(size=(2, 8)).astype(np.float32))
CANDIDATES = tf.constant([[3, 0, 7, 7], [1, 20, 5, 0]])


def test_scorer_contract():
  run_layer_test(
      EmbeddingScorer, lambda: dict(item_embedding=ZeroPadEmbedding(20, 8)),
      [FEATURES, CANDIDATES], expected_output_shape=(2, 4), expected_num_trainable_weights=1,
      run_serialization_check="takes another layer (the item table it shares) as an argument")


def test_candidate_scores_are_dot_products_and_padding_scores_zero():
  table = ZeroPadEmbedding(20, 8)
  scorer = EmbeddingScorer(table)
  got = scorer(FEATURES, CANDIDATES).numpy()
  rows = table.table.numpy()[CANDIDATES.numpy()]
  expected = np.einsum("bd,bcd->bc", FEATURES.numpy(), rows)
  expected[CANDIDATES.numpy() == 0] = 0.0
  np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
  assert got[0, 1] == 0.0 and got[1, 3] == 0.0


def test_pointwise_and_all_items_agree_with_candidate_scores():
  table = ZeroPadEmbedding(20, 8)
  scorer = EmbeddingScorer(table)
  feats = tf.constant(np.random.default_rng(1).normal(size=(2, 3, 8)).astype(np.float32))
  items = tf.constant([[0, 4, 9], [2, 2, 20]])
  point = scorer.pointwise(feats, items).numpy()
  expected = np.einsum("bnd,bnd->bn", feats.numpy(), table(items).numpy())
  np.testing.assert_allclose(point, expected, rtol=1e-5, atol=1e-6)
  all_scores = scorer.all_items(FEATURES).numpy()
  assert all_scores.shape == (2, 21)
  np.testing.assert_array_equal(all_scores[:, 0], 0.0)
  ids = tf.constant(np.tile(np.arange(21), (2, 1)))
  np.testing.assert_allclose(all_scores, scorer(FEATURES, ids).numpy(), rtol=1e-5, atol=1e-6)
