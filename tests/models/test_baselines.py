"""Baseline models: hand-computed scores, score/score_all agreement, windows, losses, restore."""

import os

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf import configs
from sasrec_tf.configs import baselines as baseline_config
from sasrec_tf.configs import tables
from sasrec_tf.models import registry
from sasrec_tf.models.baselines import bpr, caser, fmc, fpmc, gru4rec, hgn, hrm, lstm, prme, stamp
from sasrec_tf.models.baselines import transrec
from sasrec_tf.training.experiment import resolve_settings

NUM_USERS, NUM_ITEMS, D = 6, 12, 4
BASELINES = ("bpr", "fmc", "fpmc", "transrec", "gru4rec", "gru4rec_plus", "caser", "stamp", "hgn",
             "hrm", "prme", "lstm")


def randomize(model, seed=0, scale=0.4):
  """Random values in every weight (no zero bias hides a mistake); the GRU state stays as is."""
  rng = np.random.default_rng(seed)
  for v in model.trainable_variables:
    v.assign(rng.normal(0.0, scale, tuple(v.shape)).astype(np.float32))
  return model


def table(model_table):
  """The numpy value of a common.Table (row 0 included)."""
  return model_table.table.numpy()


MODELS = {
    "bpr": lambda: bpr.BPRMF(NUM_USERS, NUM_ITEMS, D),
    "fmc": lambda: fmc.FMC(NUM_ITEMS, D),
    "fpmc": lambda: fpmc.FPMC(NUM_USERS, NUM_ITEMS, D),
    "transrec": lambda: transrec.TransRec(NUM_USERS, NUM_ITEMS, D),
    "prme": lambda: prme.PRME(NUM_USERS, NUM_ITEMS, D, prme_alpha=0.3),
    "hrm": lambda: hrm.HRM(NUM_USERS, NUM_ITEMS, D),
    "gru4rec": lambda: gru4rec.GRU4Rec(NUM_ITEMS, D, batch_size=3, max_len=5),
    "caser": lambda: caser.Caser(NUM_USERS, NUM_ITEMS, max_len=3, hidden_units=D, caser_nv=2,
                                 caser_nh=2, dropout_rate=0.5, seed=1),
    "hgn": lambda: hgn.HGN(NUM_USERS, NUM_ITEMS, max_len=3, hidden_units=D),
    "stamp": lambda: stamp.STAMP(NUM_ITEMS, max_len=5, hidden_units=D),
    "lstm": lambda: lstm.LSTMPlus(NUM_USERS, NUM_ITEMS, max_len=3, hidden_units=D),
}
_BUILT = {}


def built(name):
  if name not in _BUILT:
    _BUILT[name] = randomize(MODELS[name]().build_for_inputs(), seed=len(_BUILT))
  return _BUILT[name]


SEQ = np.array([[0, 0, 3, 7, 2], [1, 2, 3, 4, 5], [0, 0, 0, 0, 9]], np.int32)
USERS = np.array([1, 4, 6], np.int32)
CANDS = np.array([[2, 5, 12], [6, 1, 1], [9, 10, 3]], np.int32)


# ------------------------------------------------------------------ shapes and agreement
@pytest.mark.parametrize("name", sorted(MODELS))
def test_score_shapes_and_agreement_with_score_all(name):
  model = built(name)
  scores = model.score(tf.constant(SEQ), tf.constant(CANDS), users=tf.constant(USERS)).numpy()
  full = model.score_all(tf.constant(SEQ), users=tf.constant(USERS)).numpy()
  assert scores.shape == (3, 3) and full.shape == (3, NUM_ITEMS + 1)
  assert np.all(np.isfinite(scores)) and np.all(np.isfinite(full))
  np.testing.assert_allclose(scores, np.take_along_axis(full, CANDS, axis=1), rtol=1e-4,
                             atol=1e-4)
  # Scores are personal / sequential: rows differ.
  assert np.abs(full[0, 1:] - full[1, 1:]).max() > 1e-4


@pytest.mark.parametrize("name", ["fmc", "fpmc", "transrec", "prme", "hrm", "caser", "hgn",
                                  "lstm"])
def test_only_the_window_matters(name):
  """Items before the model's window (L, or 1 for first-order models) never change a score."""
  model = built(name)
  width = model.input_len
  changed = SEQ.copy()
  changed[:, :SEQ.shape[1] - width] = 11
  a = model.score_all(tf.constant(SEQ), users=tf.constant(USERS)).numpy()
  b = model.score_all(tf.constant(changed), users=tf.constant(USERS)).numpy()
  np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
  if width < SEQ.shape[1]:
    changed[:, -1] = 8
    c = model.score_all(tf.constant(changed), users=tf.constant(USERS)).numpy()
    assert np.abs(c - a).max() > 1e-4


def test_recurrent_encoders_skip_left_padding():
  """GRU4Rec's and LSTM+'s recurrences over [0, 0, 0, a, b] equal those over [a, b]."""
  short = np.array([[3, 7], [1, 2]], np.int32)
  padded = np.pad(short, [[0, 0], [3, 0]])
  gru = built("gru4rec")
  np.testing.assert_allclose(gru.encode(tf.constant(short)).numpy(),
                             gru.encode(tf.constant(padded)).numpy(), rtol=1e-5, atol=1e-6)
  m = built("lstm")
  a = m.lstm(m.short_items(tf.constant(short))).numpy()
  b = m.lstm(m.short_items(tf.constant(padded)), mask=tf.constant(padded != 0)).numpy()
  np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ hand-computed scores
def test_bpr_fmc_fpmc_hrm_scores_by_hand():
  prev, u = SEQ[:, -1], USERS
  m = built("bpr")
  p, q, b = table(m.user_factors), table(m.item_factors), table(m.item_bias)[:, 0]
  expected = np.einsum("bd,bcd->bc", p[u], q[CANDS]) + b[CANDS]
  got = m.score(tf.constant(SEQ), tf.constant(CANDS), users=tf.constant(u)).numpy()
  np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)

  m = built("fmc")
  expected = np.einsum("bd,bcd->bc", table(m.prev_factors)[prev], table(m.next_factors)[CANDS])
  np.testing.assert_allclose(m.score(tf.constant(SEQ), tf.constant(CANDS)).numpy(), expected,
                             rtol=1e-5, atol=1e-5)

  m = built("fpmc")
  expected = (np.einsum("bd,bcd->bc", table(m.user_factors)[u], table(m.item_user_factors)[CANDS])
              + np.einsum("bd,bcd->bc", table(m.prev_factors)[prev],
                          table(m.next_factors)[CANDS]))
  np.testing.assert_allclose(
      m.score(tf.constant(SEQ), tf.constant(CANDS), users=tf.constant(u)).numpy(), expected,
      rtol=1e-5, atol=1e-5)

  m = built("hrm")
  v = table(m.item_vectors)
  h = 0.5 * (table(m.user_vectors)[u] + v[prev])
  np.testing.assert_allclose(
      m.score(tf.constant(SEQ), tf.constant(CANDS), users=tf.constant(u)).numpy(),
      np.einsum("bd,bcd->bc", h, v[CANDS]), rtol=1e-5, atol=1e-5)


def test_transrec_and_prme_distances_by_hand():
  prev, u = SEQ[:, -1], USERS
  m = built("transrec")
  g, b = table(m.item_points), table(m.item_bias)[:, 0]
  query = g[prev] + m.global_translation.numpy() + table(m.user_translation)[u]
  expected = b[CANDS] - ((query[:, None, :] - g[CANDS]) ** 2).sum(-1)
  np.testing.assert_allclose(
      m.score(tf.constant(SEQ), tf.constant(CANDS), users=tf.constant(u)).numpy(), expected,
      rtol=1e-5, atol=1e-5)

  m = built("prme")
  pref = ((table(m.users_pref)[u][:, None] - table(m.items_pref)[CANDS]) ** 2).sum(-1)
  seqd = ((table(m.items_seq)[prev][:, None] - table(m.items_seq)[CANDS]) ** 2).sum(-1)
  np.testing.assert_allclose(
      m.score(tf.constant(SEQ), tf.constant(CANDS), users=tf.constant(u)).numpy(),
      -(0.3 * pref + 0.7 * seqd), rtol=1e-5, atol=1e-5)


def test_transrec_projection_keeps_points_in_the_unit_ball():
  m = transrec.TransRec(NUM_USERS, NUM_ITEMS, D)
  values = np.random.default_rng(0).normal(0, 1.0, (NUM_ITEMS + 1, D)).astype(np.float32)
  values[3] = [0.1, 0.2, 0.0, 0.1]  # inside: untouched
  m.item_points.table.assign(values)
  m.after_train_step()
  after = table(m.item_points)
  norms = np.linalg.norm(after, axis=1)
  assert np.all(norms <= 1.0 + 1e-6)
  np.testing.assert_allclose(after[3], values[3])
  outside = np.linalg.norm(values, axis=1) > 1
  np.testing.assert_allclose(norms[outside], 1.0, rtol=1e-5)
  np.testing.assert_allclose(after[outside], values[outside] / np.linalg.norm(
      values[outside], axis=1, keepdims=True), rtol=1e-5)


def _sigmoid(x):
  return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize("form", ["code", "paper"])
def test_stamp_matches_its_equations(form):
  m = stamp.STAMP(NUM_ITEMS, max_len=5, hidden_units=D, form=form)
  m.build_for_inputs()
  # Long rows: the code's max_norm 1 on looked-up inputs must bind for some of them.
  m.item_embedding.table.assign(m.item_embedding.table * 400.0)
  seq = SEQ[:2]
  x_all = table(m.item_embedding)
  names = ["w0", "w_items", "w_last", "w_mean", "w_s", "w_t"]
  w = {k: getattr(m, k).numpy() for k in names}
  if form == "paper":
    w.update({k: getattr(m, k).numpy() for k in ("b_att", "b_s", "b_t")})
  else:
    assert not hasattr(m, "b_att") and not hasattr(m, "b_s")
  expected = []
  for row in seq:
    x = x_all[row[row > 0]]
    if form == "code":
      norms = np.linalg.norm(x, axis=1, keepdims=True)
      assert norms.max() > 1.0
      x = x / np.maximum(norms, 1.0)
    m_s, m_t = x.mean(0), x[-1]
    pre = x @ w["w_items"] + m_t @ w["w_last"] + m_s @ w["w_mean"]
    if form == "paper":
      pre = pre + w["b_att"]
    alpha = _sigmoid(pre) @ w["w0"]
    m_a = (alpha[:, None] * x).sum(0)
    if form == "code":
      h = np.tanh((m_a + m_s) @ w["w_s"]) * np.tanh(m_t @ w["w_t"])
    else:
      h = np.tanh(m_a @ w["w_s"] + w["b_s"]) * np.tanh(m_t @ w["w_t"] + w["b_t"])
    expected.append(h @ x_all[1:].T)  # candidates: the raw rows, no max_norm
  got = m.score_all(tf.constant(seq)).numpy()[:, 1:]
  np.testing.assert_allclose(got, np.array(expected), rtol=1e-4, atol=1e-4)


def test_stamp_rejects_an_unknown_form():
  with pytest.raises(ValueError, match="unknown STAMP form"):
    stamp.STAMP(NUM_ITEMS, form="blog")


def test_hgn_matches_its_equations():
  m = built("hgn")
  seq, u = SEQ[:2, -3:], USERS[:2]
  e_all, q, b = table(m.item_embedding), table(m.output_weights), table(m.output_bias)[:, 0]
  w1, b1 = [w.numpy() for w in m.feature_gate_item.weights]
  w2, b2 = [w.numpy() for w in m.feature_gate_user.weights]
  w3, w4 = m.instance_gate_item.numpy(), m.instance_gate_user.numpy()
  expected = []
  for row, user in zip(seq, u):
    e = e_all[row] * (row > 0)[:, None]
    pu = table(m.user_embedding)[user]
    gated = e * _sigmoid(e @ w1 + b1 + pu @ w2 + b2)
    g = _sigmoid((gated @ w3)[:, 0] + pu @ w4) * (row > 0)
    s = (g[:, None] * gated).sum(0) / g.sum()
    expected.append((pu + s + e.sum(0)) @ q[1:].T + b[1:])
  got = m.score_all(tf.constant(seq), users=tf.constant(u)).numpy()[:, 1:]
  np.testing.assert_allclose(got, np.array(expected), rtol=1e-4, atol=1e-4)


def test_caser_depends_on_user_and_dropout_only_in_training():
  m = built("caser")
  seq = tf.constant(SEQ[:, -3:])
  a = m.score_all(seq, users=tf.constant([1, 1, 1])).numpy()
  b = m.score_all(seq, users=tf.constant([2, 2, 2])).numpy()
  assert np.abs(a - b).max() > 1e-4
  rep = m.represent(seq, tf.constant(USERS))
  np.testing.assert_allclose(rep.numpy(), m.represent(seq, tf.constant(USERS)).numpy())
  assert np.abs(m.represent(seq, tf.constant(USERS), training=True).numpy()
                - rep.numpy()).max() > 1e-6


# ------------------------------------------------------------------ GRU4Rec
def _numpy_session_loss(scores, valid, loss, bpreg):
  b = scores.shape[0]
  out = []
  for i in range(b):
    cols = np.nonzero(valid[i])[0]
    if cols.size == 0:
      continue
    r_i, r = scores[i, i], scores[i, cols]
    s = np.exp(r - r.max())
    s /= s.sum()
    if loss == "top1":
      out.append(np.mean(_sigmoid(r - r_i) + _sigmoid(r ** 2)))
    elif loss == "bpr":
      out.append(np.mean(-np.log(_sigmoid(r_i - r))))
    elif loss == "top1-max":
      out.append(np.sum(s * (_sigmoid(r - r_i) + _sigmoid(r ** 2))))
    elif loss == "bpr-max":
      out.append(-np.log(np.sum(s * _sigmoid(r_i - r)) + 1e-24) + bpreg * np.sum(s * r ** 2))
    else:
      z = np.concatenate([[r_i], r])
      out.append(-(r_i - z.max() - np.log(np.exp(z - z.max()).sum())))
  return np.mean(out)


@pytest.mark.parametrize("loss", gru4rec.LOSSES)
def test_session_losses_match_their_formulas(loss):
  rng = np.random.default_rng(3)
  scores = rng.normal(0, 1.5, (4, 7)).astype(np.float32)
  valid = (rng.random((4, 7)) < 0.7).astype(np.float32)
  valid[np.arange(4), np.arange(4)] = 0.0
  valid[2] = 0.0  # a row without negatives does not count
  got = gru4rec.session_loss(tf.constant(scores), tf.constant(valid), loss, bpreg=0.5).numpy()
  np.testing.assert_allclose(got, _numpy_session_loss(scores, valid, loss, 0.5), rtol=1e-4)


def test_gru4rec_training_step_carries_and_resets_the_lane_state():
  m = gru4rec.GRU4Rec(NUM_ITEMS, D, batch_size=3, max_len=5)
  randomize(m, seed=7)
  batch = {"item": tf.constant([3, 4, 5]), "pos": tf.constant([4, 5, 6]),
           "reset": tf.constant([1.0, 1.0, 1.0]), "neg": tf.zeros([0], tf.int32),
           "valid": tf.constant(1.0 - np.eye(3, dtype=np.float32))}
  m.train_loss(batch, training=False)
  after_first = m.state.numpy()
  np.testing.assert_allclose(after_first, m.encode(tf.constant([[3], [4], [5]])).numpy(),
                             rtol=1e-5, atol=1e-6)
  # Lane 0 continues its session, lanes 1 and 2 start new ones.
  second = dict(batch, item=tf.constant([4, 8, 9]), reset=tf.constant([0.0, 1.0, 1.0]))
  m.train_loss(second, training=False)
  np.testing.assert_allclose(
      m.state.numpy(), m.encode(tf.constant([[3, 4], [0, 8], [0, 9]])).numpy(), rtol=1e-5,
      atol=1e-6)


# ------------------------------------------------------------------ restore
@pytest.mark.parametrize("name", ["gru4rec", "caser", "transrec"])
def test_from_checkpoint_restores_scores(name, tmp_path):
  model = built(name)
  model.save_model_config(str(tmp_path))
  tf.train.Checkpoint(model=model).save(os.path.join(str(tmp_path), "ckpt"))
  restored = type(model).from_checkpoint(str(tmp_path))
  a = model.score_all(tf.constant(SEQ), users=tf.constant(USERS)).numpy()
  np.testing.assert_allclose(restored.score_all(tf.constant(SEQ), users=tf.constant(USERS)),
                             a, rtol=1e-6)


# ------------------------------------------------------------------ registry and configs
def test_every_baseline_is_registered_with_settings_for_its_tables():
  assert set(BASELINES) <= set(registry.available_models())
  for name in BASELINES:
    spec = registry.get_spec(name)
    for dataset in ("games", "ml-1m", "ml-100k"):
      settings = configs.defaults(name, dataset)
      missing = set(spec.model_keys) - set(settings)
      assert not missing, (name, dataset, missing)
  assert configs.defaults("bpr", "ml-100k")["hidden_units"] == 100  # AttRec: d = 100
  assert configs.defaults("bpr", "ml-100k")["data_protocol"] == "attrec"
  assert configs.defaults("bpr", "ml-1m")["data_protocol"] == "leave_one_out"
  assert configs.defaults("gru4rec_plus", "games")["gru_loss"] == "bpr-max"
  # AttRec's ML-1M rows put the baselines on AttRec's protocol with overrides.
  attrec_ml1m = {**baseline_config.ATTREC_SETTINGS, "hidden_units": baseline_config.ATTREC_DIM}
  for name in BASELINES:
    settings = resolve_settings(name, "ml-1m", attrec_ml1m)
    assert settings["select_metric"] == "HR@50" and settings["eval_protocol"] == "full"
  with pytest.raises(ValueError, match="no baseline settings"):
    baseline_config.MODEL_DEFAULTS["bpr"]("no-such-dataset")


def test_table_rows_of_the_baselines_are_runnable():
  rows = tables.sasrec_table3().rows + tables.ssept_table1().rows
  assert {r.model for r in rows} >= set(BASELINES) - {"hrm", "prme", "lstm"}
  for row in rows:
    if row.model in BASELINES:
      assert row.unavailable_reason is None, row
      settings = resolve_settings(row.model, row.dataset, row.overrides)
      assert settings["data_protocol"] == "leave_one_out"
      assert settings["eval_protocol"] == "sampled" and settings["num_negatives"] == 100


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("form", ["code", "paper"])
def test_stamp_gradients_stay_finite_on_padded_prefixes(form, jit):
  # A prefix shorter than max_len is left-padded with item 0, whose row is zero: the code form's
  # max_norm must not differentiate the norm at 0 (sqrt' is infinite there; 0 * inf = nan, which
  # XLA, the default for STAMP, carries into the item table).
  m = stamp.STAMP(NUM_ITEMS, max_len=5, hidden_units=D, form=form)
  m.build_for_inputs()
  batch = {"seq": tf.constant([[0, 0, 0, 3, 4], [0, 0, 0, 0, 7]]), "pos": tf.constant([[5], [2]])}

  @tf.function(jit_compile=jit)
  def loss_and_grads():
    with tf.GradientTape() as tape:
      loss = m.train_loss(batch)
    grads = tape.gradient(loss, m.trainable_variables)
    return loss, [tf.convert_to_tensor(g) for g in grads]

  loss, grads = loss_and_grads()
  assert np.isfinite(loss.numpy())
  for var, grad in zip(m.trainable_variables, grads):
    assert np.all(np.isfinite(grad.numpy())), var.name
