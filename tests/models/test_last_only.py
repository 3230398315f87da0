"""The last-slot inference path equals the full forward pass at the last slot."""

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.models import SASRec


@pytest.mark.parametrize("kwargs", [
    {}, {"num_blocks": 0}, {"num_blocks": 1}, {"num_heads": 2}, {"paper_literal": True},
    {"use_residual": False}, {"user_embedding": True, "num_users": 5},
])
def test_last_representation_equals_full_forward(kwargs):
  model = SASRec(num_items=30, max_len=7, hidden_units=8, dropout_rate=0.3, seed=3, **kwargs)
  seq = tf.constant([[0, 0, 0, 4, 9, 2, 11], [1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 0, 0, 5]])
  users = tf.constant([1, 2, 3]) if kwargs.get("user_embedding") else None
  full = model(seq, users=users, training=False)[:, -1].numpy()
  last = model.last_representation(seq, users).numpy()
  np.testing.assert_allclose(last, full, rtol=1e-5, atol=1e-6)
  cands = tf.constant([[1, 2, 3], [4, 5, 6], [7, 8, 30]])
  expected = np.einsum("bd,bcd->bc", full, model.item_embedding(cands).numpy())
  if not model.hparams["share_item_embedding"]:
    return
  np.testing.assert_allclose(model.score(seq, cands, users).numpy(), expected, rtol=1e-5,
                             atol=1e-5)
