"""SSE-PT / PT / SSE-PT++ / SSE-SASRec: architecture, SSE behaviour, sharing, end to end (SPEC §4)."""

import io
import json
import math
import os

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.models.sasrec import SASRec
from sasrec_tf.models.ssept import SSEPT
from sasrec_tf.training.checkpoints import restore_model
from sasrec_tf.training.experiment import run_experiment

from tests.training.tiny import chain_split

NUM_ITEMS, NUM_USERS, N, DI, DU = 30, 6, 6, 8, 4
SEQ = np.array([[0, 0, 5, 9, 30, 2], [3, 14, 15, 9, 26, 21], [0, 0, 0, 0, 0, 7]], np.int32)
USERS = np.array([1, 4, 6], np.int32)
CANDS = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 30]], np.int32)


def make(**kwargs):
  args = dict(num_items=NUM_ITEMS, num_users=NUM_USERS, max_len=N, item_units=DI, user_units=DU,
              num_blocks=1, dropout_rate=0.0, seed=0)
  args.update(kwargs)
  model = SSEPT(**args).build_for_inputs()
  rng = np.random.default_rng(0)
  for v in model.weights:  # random values everywhere, so no zero init hides a mistake
    v.assign((rng.normal(0, 0.3, tuple(v.shape)) + (1.0 if v.path.endswith("gamma") else 0.0))
             .astype(np.float32))
  return model


def batch_of(seq=SEQ, users=USERS):
  pos = np.concatenate([seq[:, 1:], np.array([[11], [12], [13]], np.int32)], axis=1)
  pos = pos * (seq != 0)
  neg = np.where(seq != 0, 17, 0).astype(np.int32)
  return {"user": tf.constant(users), "seq": tf.constant(seq), "pos": tf.constant(pos),
          "neg": tf.constant(neg)}


def test_input_is_scaled_item_and_user_concat_plus_position():
  model = make()
  x, mask = model._embed(tf.constant(SEQ), tf.constant(USERS), False)
  V = model.item_embedding.full_table().numpy()
  U = model.user_vectors.full_table().numpy()
  P = model.position.table.numpy()
  want = np.concatenate([math.sqrt(DI) * V[SEQ], np.broadcast_to(
      math.sqrt(DU) * U[USERS][:, None, :], (3, N, DU))], -1) + P[None]
  want = want * (SEQ != 0)[..., None]
  np.testing.assert_allclose(x.numpy(), want, rtol=1e-5, atol=1e-5)
  assert x.shape[-1] == model.hidden_units == DI + DU


def test_scores_use_the_same_scaled_user_vector_at_the_output():
  model = make()
  feats = model(tf.constant(SEQ), users=tf.constant(USERS)).numpy()[:, -1]
  V = model.item_embedding.full_table().numpy()
  user_in = model._embed(tf.constant(SEQ), tf.constant(USERS), False)[0].numpy()[1, -1, DI:]
  user_in = user_in - model.position.table.numpy()[-1, DI:]
  user_out = model.user_vector(tf.constant(USERS)).numpy()
  np.testing.assert_allclose(user_in, user_out[1], rtol=1e-5, atol=1e-5)
  want = np.einsum("bd,bcd->bc", feats[:, :DI], V[CANDS]) + (feats[:, DI:] * user_out).sum(
      -1, keepdims=True)
  got = model.score(tf.constant(SEQ), tf.constant(CANDS), users=tf.constant(USERS)).numpy()
  np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
  everything = model.score_all(tf.constant(SEQ), users=tf.constant(USERS)).numpy()
  np.testing.assert_allclose(np.take_along_axis(everything, CANDS, 1), got, rtol=1e-4, atol=1e-4)


def test_outputs_depend_only_on_the_past_and_the_user():
  model = make(num_blocks=2)
  base = model(tf.constant(SEQ), users=tf.constant(USERS)).numpy()
  rng = np.random.default_rng(1)
  for t in range(N - 1):
    changed = SEQ.copy()
    changed[:, t + 1:] = rng.integers(1, NUM_ITEMS + 1, size=changed[:, t + 1:].shape)
    out = model(tf.constant(changed), users=tf.constant(USERS)).numpy()
    np.testing.assert_allclose(out[:, :t + 1], base[:, :t + 1], rtol=1e-5, atol=1e-5)
  other = model(tf.constant(SEQ), users=tf.constant([2, 3, 5])).numpy()
  assert np.abs(other[:, -1] - base[:, -1]).max() > 1e-3


def test_cutting_leading_padding_changes_no_score():
  model = make(num_blocks=2)
  seq = np.array([[0, 0, 0, 5, 9, 2], [0, 0, 0, 0, 26, 21], [0, 0, 0, 0, 0, 7]], np.int32)
  full = model.score_all(tf.constant(seq), users=tf.constant(USERS)).numpy()
  cut = model.score_all(tf.constant(seq[:, 3:]), users=tf.constant(USERS)).numpy()
  np.testing.assert_allclose(cut, full, rtol=1e-5, atol=1e-5)


def test_sse_off_training_equals_the_deterministic_forward_pass():
  model = make()  # dropout 0, SSE 0
  batch = batch_of()
  pos, neg = model.training_logits(batch, training=True)
  want = model.position_logits(batch["seq"], batch["pos"], users=batch["user"])
  np.testing.assert_allclose(pos.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
  assert model.item_sse is None


def test_user_replacement_is_the_same_at_input_and_output():
  model = make(sse_user=1.0)
  batch = batch_of()
  state = model.user_sse.seed_generator.state.numpy()
  users, _, _ = model.sse_batch(batch, training=True)
  model.user_sse.seed_generator.state.assign(state)
  pos, _ = model.training_logits(batch, training=True)
  want = model.position_logits(batch["seq"], batch["pos"], users=users)
  np.testing.assert_allclose(pos.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)


def test_inference_is_never_stochastic():
  model = make(sse_user=0.9, sse_item=0.5, dropout_rate=0.5)
  a = model.score(tf.constant(SEQ), tf.constant(CANDS), users=tf.constant(USERS)).numpy()
  b = model.score(tf.constant(SEQ), tf.constant(CANDS), users=tf.constant(USERS)).numpy()
  np.testing.assert_array_equal(a, b)
  t1 = model.training_logits(batch_of(), training=True)[0].numpy()
  t2 = model.training_logits(batch_of(), training=True)[0].numpy()
  assert np.abs(t1 - t2).max() > 1e-4  # training is


def test_parameter_sharing_gives_every_user_of_a_group_the_same_vector():
  groups = [1, 1, 2, 1, 2, 2, 1]  # users 1..6
  model = make(user_groups=groups)
  assert model.user_vectors.num_ids == 2
  vec = model.user_vector(tf.constant([1, 3, 6, 2, 4, 5])).numpy()
  np.testing.assert_array_equal(vec[0], vec[1])
  np.testing.assert_array_equal(vec[0], vec[2])
  np.testing.assert_array_equal(vec[3], vec[4])
  assert np.abs(vec[0] - vec[3]).max() > 0
  with pytest.raises(ValueError, match="user_groups"):
    SSEPT(num_items=5, num_users=3, max_len=4, user_groups=[1, 1])


def test_checkpoint_round_trip(tmp_path):
  model = make(user_groups=[1, 1, 2, 1, 2, 2, 1], sse_user=0.5)
  model.save_model_config(str(tmp_path))
  tf.train.Checkpoint(model=model).save(str(tmp_path / "ckpt"))
  restored = restore_model(SSEPT, str(tmp_path))
  args = (tf.constant(SEQ), tf.constant(CANDS))
  np.testing.assert_allclose(restored.score(*args, users=tf.constant(USERS)).numpy(),
                             model.score(*args, users=tf.constant(USERS)).numpy(), rtol=1e-6)


def test_sse_sasrec_is_sasrec_with_item_sse_only():
  model = SASRec(num_items=NUM_ITEMS, max_len=N, hidden_units=8, num_blocks=1, dropout_rate=0.0,
                 sse_item=1.0, seed=0).build_for_inputs()
  batch = batch_of()
  pos, neg = model.training_logits(batch, training=True)
  clean = model.position_logits(batch["seq"], batch["pos"])
  assert np.abs(pos.numpy() - clean.numpy()).max() > 1e-3
  np.testing.assert_allclose(neg.numpy(), neg.numpy())
  # Inference untouched.
  np.testing.assert_array_equal(
      model.score(tf.constant(SEQ), tf.constant(CANDS)).numpy(),
      model.score(tf.constant(SEQ), tf.constant(CANDS)).numpy())


TINY = dict(max_len=8, item_units=8, user_units=4, num_blocks=1, dropout_rate=0.2, batch_size=16,
            eval_every=1, num_negatives=20)


@pytest.mark.parametrize("model", ["ssept", "pt", "ssept_pp"])
def test_run_experiment_trains_each_variant(model, tmp_path):
  split = chain_split()
  result = run_experiment(model, "ml-1m", TINY, seed=0, output_dir=str(tmp_path), num_epochs=2,
                          split=split, stream=io.StringIO())
  assert result["status"] == "complete" and result["epochs_run"] == 2
  settings = result["settings"]
  if model == "pt":
    assert settings["sse_user"] == settings["sse_item"] == 0.0
  else:
    assert settings["sse_user"] == 0.92 and settings["sse_item"] == 0.1
  assert settings["long_seq_prob"] == (0.3 if model == "ssept_pp" else 0.0)
  assert 0.0 <= result["test"]["NDCG@10"] <= 1.0
  restored = SSEPT.from_checkpoint(str(tmp_path))
  assert restored.user_units == 4


def test_run_experiment_sse_sasrec(tmp_path):
  split = chain_split()
  over = dict(max_len=8, hidden_units=8, num_blocks=1, batch_size=16, eval_every=1,
              num_negatives=20)
  result = run_experiment("sse_sasrec", "games", over, seed=0, output_dir=str(tmp_path),
                          num_epochs=1, split=split, stream=io.StringIO())
  assert result["settings"]["sse_item"] == 0.1 and result["status"] == "complete"
  with open(tmp_path / "model_config.json") as f:
    assert json.load(f)["config"]["sse_item"] == 0.1
