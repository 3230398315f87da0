"""TiSASRec / TiSASRec+ / ++ and SAS-FPT models (SPEC §5): causality, padding, scoring, the
group loss, the experiment plumbing and a CLI smoke run."""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf import configs
from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out
from sasrec_tf.data.time_features import relation_matrix, with_groups
from sasrec_tf.models import registry
from sasrec_tf.models.sasfpt import SASFPT, cosine_embedding_loss
from sasrec_tf.models.tisasrec import TiSASRec
from sasrec_tf.training.experiment import resolve_settings, run_experiment
from sasrec_tf.training.losses import masked_bce

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
N, K = 6, 20


def tiny_sasfpt(**kwargs):
  args = dict(num_items=30, max_len=N, hidden_units=8, num_blocks=2, num_heads=2,
              dropout_rate=0.3, time_span=K, week_units=4, user_units=4, num_users=5, seed=0)
  args.update(kwargs)
  return SASFPT(**args)


def window(seed=0):
  """Two windows (first left-padded) with times, relation matrices (tau-based) and weeks."""
  rng = np.random.default_rng(seed)
  seq = rng.integers(1, 31, size=(2, N)).astype(np.int32)
  seq[0, :2] = 0
  tau = np.cumsum(rng.integers(0, 7, size=(2, N)), axis=1) + 1
  tau[seq == 0] = 0
  weeks = np.where(seq > 0, rng.integers(1, 53, size=(2, N)), 0).astype(np.int32)
  return seq, tau, weeks


def features(model, seq, tau, weeks, users=(1, 2)):
  return model(tf.constant(seq), tf.constant(relation_matrix(tau, K)), weeks=tf.constant(weeks),
               users=tf.constant(users), training=False).numpy()


@pytest.mark.parametrize("t", [2, 4])
def test_causality_items_times_weeks(t):
  model = tiny_sasfpt()
  seq, tau, weeks = window(1)
  base = features(model, seq, tau, weeks)
  rng = np.random.default_rng(2)
  seq2, tau2, weeks2 = seq.copy(), tau.copy(), weeks.copy()
  seq2[:, t + 1:] = rng.integers(1, 31, size=seq2[:, t + 1:].shape)
  tau2[:, t + 1:] += rng.integers(1, 50, size=tau2[:, t + 1:].shape)
  weeks2[:, t + 1:] = rng.integers(1, 53, size=weeks2[:, t + 1:].shape)
  changed = features(model, seq2, tau2, weeks2)
  np.testing.assert_allclose(changed[:, :t + 1], base[:, :t + 1], rtol=1e-5, atol=1e-5)
  assert np.abs(changed[:, -1] - base[:, -1]).max() > 1e-4


def test_padding_content_does_not_matter():
  model = tiny_sasfpt()
  seq, tau, weeks = window(3)
  base = features(model, seq, tau, weeks)
  rel = relation_matrix(tau, K)
  rel2, weeks2 = rel.copy(), weeks.copy()
  rel2[0, :2, :] = 7
  rel2[0, :, :2] = 13
  weeks2[0, :2] = 40
  out = model(tf.constant(seq), tf.constant(rel2), weeks=tf.constant(weeks2),
              users=tf.constant([1, 2])).numpy()
  np.testing.assert_allclose(out[0, 2:], base[0, 2:], rtol=1e-5, atol=1e-5)


def test_intervals_matter():
  model = tiny_sasfpt()
  seq, tau, weeks = window(4)
  stretched = np.where(seq > 0, tau * 3, 0)
  assert np.abs(features(model, seq, stretched, weeks)[:, -1] -
                features(model, seq, tau, weeks)[:, -1]).max() > 1e-4


def test_scores_are_dot_products_with_concatenated_candidates():
  model = tiny_sasfpt()
  seq, tau, weeks = window(5)
  users, target_weeks = tf.constant([3, 4]), tf.constant([52, 1])
  cands = tf.constant([[1, 2, 3], [4, 5, 30]])
  rel = tf.constant(relation_matrix(tau, K))
  scores = model.score(tf.constant(seq), cands, users=users, time_matrix=rel,
                       weeks=tf.constant(weeks), target_weeks=target_weeks).numpy()
  last = features(model, seq, tau, weeks, users=(3, 4))[:, -1]
  user_vec = model.user_table(users).numpy() * 2.0  # sqrt(d_u = 4)
  for b in range(2):
    for c in range(3):
      cand = np.concatenate([model.item_embedding(cands[b, c]).numpy(),
                             model.week_table(target_weeks[b]).numpy(), user_vec[b]])
      np.testing.assert_allclose(scores[b, c], last[b] @ cand, rtol=1e-4, atol=1e-5)
  all_scores = model.score_all(tf.constant(seq), users=users, time_matrix=rel,
                               weeks=tf.constant(weeks), target_weeks=target_weeks).numpy()
  assert all_scores.shape == (2, 31)
  np.testing.assert_allclose(np.take_along_axis(all_scores, cands.numpy(), 1), scores,
                             rtol=1e-4, atol=1e-5)


def test_zero_target_week_ignores_target_weeks():
  model = tiny_sasfpt(target_week="zeros")
  seq, tau, weeks = window(6)
  score = lambda tw: model.score(tf.constant(seq), tf.constant([[1, 2]] * 2), users=tf.constant(
      [1, 2]), time_matrix=tf.constant(relation_matrix(tau, K)), weeks=tf.constant(weeks),
      target_weeks=tw).numpy()
  np.testing.assert_array_equal(score(tf.constant([1, 2])), score(None))


def test_tisasrec_has_no_week_or_user_part_and_regularises_time_tables():
  model = TiSASRec(num_items=30, max_len=N, hidden_units=8, time_span=K, l2_emb=0.5, seed=0)
  model.build_for_inputs()
  assert model.week_table is None and model.user_table is None and model.model_units == 8
  names = {v.path.split("/")[-2] for v in model.trainable_variables if "table" in v.path}
  assert names == {"item_embedding", "position_key", "position_value", "interval_key",
                   "interval_value"}
  enc = model.encodings
  tables = [model.item_embedding.table] + [t.table for t in (
      enc.position_key, enc.position_value, enc.interval_key, enc.interval_value)]
  want = 0.5 * 0.5 * sum(float(np.square(t.numpy()).sum()) for t in tables)
  np.testing.assert_allclose(float(model.regularization_loss()), want, rtol=1e-5)
  assert enc.interval_key.table.shape == (K + 1, 8)


def twin_models(dropout_rate, forms=("gathered", "factored"), **kwargs):
  """SAS-FPT models that differ only in ``interval_form``, with the same weights and seeds."""
  models = [tiny_sasfpt(dropout_rate=dropout_rate, interval_form=f, **kwargs) for f in forms]
  for m in models:
    m.build_for_inputs()
  for v, w in zip(models[0].weights, models[1].weights):
    w.assign(v)
  return models


def outputs_and_gradients(model, seq, rel, weeks, training):
  inputs = dict(weeks=tf.constant(weeks), users=tf.constant([1, 2]), training=training)
  out_weights = tf.constant(np.random.default_rng(1).normal(size=(2, N, 16)), tf.float32)
  with tf.GradientTape() as tape:
    feats = model(tf.constant(seq), tf.constant(rel), **inputs)
    loss = tf.reduce_sum(feats * out_weights) + model.regularization_loss()
  grads = tape.gradient(loss, model.trainable_variables)
  return feats.numpy(), [tf.convert_to_tensor(g).numpy() for g in grads]


@pytest.mark.parametrize("training", [False, True])
def test_interval_forms_give_the_same_model(training):
  """Without dropout the factored interval terms give the original's features and gradients
  (weeks, users, two heads, two blocks, intervals above k)."""
  gathered, factored = twin_models(0.0)
  assert factored.uses_factored_form(training) and not gathered.uses_factored_form(training)
  seq, tau, weeks = window(7)
  rel = relation_matrix(tau * 5, K + 30)  # values above k read row k
  want, want_grads = outputs_and_gradients(gathered, seq, rel, weeks, training)
  got, got_grads = outputs_and_gradients(factored, seq, rel, weeks, training)
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
  assert len(got_grads) == len(want_grads) == len(gathered.trainable_variables)
  for g, w in zip(got_grads, want_grads):
    np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)
  last = lambda m: m.last_representation(tf.constant(seq), tf.constant(rel),
                                         weeks=tf.constant(weeks), users=tf.constant([1, 2]))
  np.testing.assert_allclose(last(factored).numpy(), last(gathered).numpy(), rtol=1e-5,
                             atol=1e-5)


def test_dropout_training_keeps_the_original_computation():
  """Dropout on the looked-up [B, n, n, d] interval vectors has no factored form: training with
  dropout runs the gathered form (bit-identical masks), evaluation the factored one."""
  gathered, auto = twin_models(0.3, forms=("gathered", "auto"))
  assert not auto.uses_factored_form(True) and auto.uses_factored_form(False)
  seq, tau, weeks = window(8)
  rel = relation_matrix(tau, K)
  for training in (True, True, False):
    want, _ = outputs_and_gradients(gathered, seq, rel, weeks, training)
    got, _ = outputs_and_gradients(auto, seq, rel, weeks, training)
    if training:
      np.testing.assert_array_equal(got, want)
    else:
      np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
  # "auto" keeps the gathered form where the [B, n, k + 1] matmuls would cost more.
  assert not tiny_sasfpt(dropout_rate=0.0, time_span=1000 * N).uses_factored_form(False)
  assert tiny_sasfpt(interval_form="factored", time_span=1000 * N).uses_factored_form(False)
  with pytest.raises(ValueError, match="interval_form"):
    tiny_sasfpt(interval_form="fast")


def test_group_loss_values():
  e = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0], [1.0, 1.0]], np.float32)
  pos = lambda a, b: float(cosine_embedding_loss(e[a], e[b], np.ones(len(a)), margin=0.3))
  neg = lambda a, b, m: float(cosine_embedding_loss(e[a], e[b], -np.ones(len(a)), margin=m))
  assert pos([0, 1], [0, 1]) == pytest.approx(0.0, abs=1e-6)  # identical embeddings
  assert pos([0], [1]) == pytest.approx(0.0, abs=1e-6)        # same direction
  assert pos([0], [2]) == pytest.approx(1.0)                  # orthogonal
  c = 1 / np.sqrt(2)                                           # cos(e0, e3)
  assert neg([0], [3], 0.3) == pytest.approx(c - 0.3)
  assert neg([0], [3], 0.8) == pytest.approx(0.0)             # below the margin: no loss
  assert neg([0], [2], 0.0) == pytest.approx(0.0)
  mixed = cosine_embedding_loss(e[[0, 0]], e[[2, 3]], np.array([1.0, -1.0]), margin=0.3)
  assert float(mixed) == pytest.approx((1.0 + c - 0.3) / 2)   # mean over all pairs


def test_train_loss_is_bce_plus_weighted_group_loss():
  model = tiny_sasfpt(dropout_rate=0.0, group_loss_weight=0.5, group_margin=0.1)
  seq, tau, weeks = window(7)
  pos = np.roll(seq, -1, axis=1)
  pos[:, -1] = 9
  pos[seq == 0] = 0
  batch = {"user": tf.constant([1, 2]), "seq": tf.constant(seq),
           "pos": tf.constant(pos), "neg": tf.constant(np.where(pos > 0, 11, 0)),
           "time_matrix": tf.constant(relation_matrix(tau, K)), "weeks": tf.constant(weeks),
           "pos_weeks": tf.constant(weeks), "group_a": tf.constant([1, 2]),
           "group_b": tf.constant([3, 4]), "group_label": tf.constant([1.0, -1.0])}
  p, n = model.training_logits(batch, training=False)
  table = model.user_table.table.numpy()
  want = float(masked_bce(p, n, batch["pos"])) + 0.5 * float(cosine_embedding_loss(
      table[[1, 2]], table[[3, 4]], np.array([1.0, -1.0]), 0.1))
  assert float(model.train_loss(batch, training=False)) == pytest.approx(want, rel=1e-5)
  without = {k: v for k, v in batch.items() if not k.startswith("group")}
  assert float(model.train_loss(without, training=False)) == pytest.approx(
      float(masked_bce(p, n, batch["pos"])), rel=1e-5)


def timed_split(num_users=40, num_items=30, seed=0):
  rng = np.random.default_rng(seed)
  users, items, times = [], [], []
  for u in range(1, num_users + 1):
    length = int(rng.integers(4, 10))
    start = int(rng.integers(1, num_items - length + 2))
    t = 946684800 + int(rng.integers(0, 10**7)) + np.cumsum(rng.integers(0, 3 * 86400, length))
    users += [u] * length
    items += list(range(start, start + length))
    times += t.tolist()
  data = SequenceDataset.from_pairs("timed", np.array(users), np.array(items), np.array(times))
  return split_leave_one_out(data)


TINY = dict(max_len=N, hidden_units=8, num_blocks=1, batch_size=16, eval_every=1,
            num_negatives=10, time_span=K)


def test_four_models_are_registered_with_time_plumbing():
  for name in ("tisasrec", "tisasrec_plus", "tisasrec_pp", "sasfpt"):
    spec = registry.get_spec(name)
    assert spec.requires_timestamps and "time_matrix" in spec.score_keys
    settings = resolve_settings(name, "ml-1m")
    assert settings["eval_exclusion"] == "tisasrec" and settings["max_len"] == 50
    assert settings["l2_emb"] == 5e-5 and settings["dropout_rate"] == 0.2
  assert resolve_settings("tisasrec", "ml-1m")["time_span"] == 256
  assert resolve_settings("tisasrec_plus", "ml-1m")["time_span"] > 256
  assert not resolve_settings("tisasrec_plus", "ml-1m")["week_embedding"]
  assert resolve_settings("tisasrec_pp", "ml-1m")["week_embedding"]
  fpt = resolve_settings("sasfpt", "ml-1m")
  assert (fpt["hidden_units"], fpt["user_units"], fpt["group_loss_weight"]) == (50, 25, 0.01)
  assert "sasfpt" in configs.PAPER_MODULES


def test_text_dataset_is_refused_with_a_clear_message(tmp_path):
  data = SequenceDataset.from_pairs("games", np.repeat([1, 2], 5), np.tile(np.arange(1, 6), 2))
  with pytest.raises(ValueError, match="tisasrec needs timestamps.*'games' has none.*user item"):
    run_experiment("tisasrec", "games", TINY, output_dir=str(tmp_path / "run"),
                   split=split_leave_one_out(data), stream=io.StringIO())
  assert not (tmp_path / "run").exists()


def test_sasfpt_end_to_end_and_checkpoint_roundtrip(tmp_path):
  split = with_groups(timed_split(), np.r_[0, np.arange(40) % 3 + 1], "age")
  out = tmp_path / "run"
  result = run_experiment("sasfpt", "timed", {**TINY, "week_units": 4, "user_units": 4,
                                              "group_pairs": 8},
                          output_dir=str(out), num_epochs=1, split=split, stream=io.StringIO())
  assert result["status"] == "complete" and len(result["curve"]) == 1
  assert all(np.isfinite(c["loss"]) and c["loss"] > 0 for c in result["curve"])
  for stage in ("valid", "test"):
    assert 0.0 <= result[stage]["NDCG@10"] <= result[stage]["HR@10"] <= 1.0
  restored = SASFPT.from_checkpoint(str(out))
  assert restored.get_config()["group_loss_weight"] == 0.01
  assert restored.week_units == 4 and restored.user_units == 4


def test_cli_smoke_run_on_ml100k(tmp_path):
  data_dir = os.environ.get("SASREC_TF_DATA")
  if not data_dir or not os.path.isfile(os.path.join(data_dir, "ml-100k", "u.data")):
    pytest.skip("ml-100k/u.data is not under $SASREC_TF_DATA")
  out = tmp_path / "y"
  cmd = [sys.executable, os.path.join(REPO, "experiments", "train.py"), "--model=tisasrec",
         "--dataset=ml-100k", "--num_epochs=1", f"--output_dir={out}", f"--data_dir={data_dir}",
         "--max_len=10", "--hidden_units=8", "--num_blocks=1", "--batch_size=512",
         "--eval_max_users=200"]
  env = {**os.environ, "SASREC_TF_CACHE": str(tmp_path / "cache"), "CUDA_VISIBLE_DEVICES": "",
         "TF_CPP_MIN_LOG_LEVEL": "2"}
  run = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
  assert run.returncode == 0, run.stderr[-3000:]
  with open(out / "results.json") as f:
    result = json.load(f)
  assert result["status"] == "complete" and result["settings"]["eval_exclusion"] == "tisasrec"
  assert result["num_users"] == 943 and result["settings"]["time_span"] == 256
  assert 0.0 < result["test"]["HR@10"] <= 1.0 and result["test"]["num_users"] <= 200


def test_table_rows_resolve_reported_numbers_and_settings():
  from sasrec_tf.configs import sasfpt_tables  # pylint: disable=import-outside-toplevel
  from sasrec_tf.reporting import reported  # pylint: disable=import-outside-toplevel
  t2, t3 = sasfpt_tables.sasfpt_table2(), sasfpt_tables.sasfpt_table3()
  for config in (t2, t3):
    assert len({r.run_key for r in config.rows}) == len(config.rows)
    for row in config.rows:
      settings = resolve_settings(row.model, row.dataset, row.overrides)
      assert settings["data_source"] == row.overrides["data_source"]
  ndcg = lambda config: {r.label: reported.reported_value(r.paper, r.table, r.dataset,
                                                          r.reported_method, "NDCG@10")
                         for r in config.rows if r.reported_method}
  assert ndcg(t2) == {"TiSASRec": 0.5505, "TiSASRec+": 0.555, "TiSASRec++": 0.563,
                      "SAS-FPT": 0.5702}
  assert ndcg(t3) == {"TiSASRec": 0.5645, "SAS-FPT": 0.5778}
  full = [r for r in t3.rows if r.reported_method]
  assert all(r.overrides["data_source"] == "ml-1m-raw:tisasrec-cold-start" for r in full)
  assert all(r.dataset != "ml-1m" for r in t2.rows if not r.reported_method)
