"""SASRec model: causality, padding, scaling, scoring, Table IV ablation flags, l2, restore."""

import math
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.layers.block import SelfAttentionBlock
from sasrec_tf.models import SASRec

NUM_ITEMS, N, D = 60, 6, 8
SEQ = np.array([[0, 0, 5, 9, 60, 2],
                [3, 14, 15, 9, 26, 53],
                [0, 0, 0, 0, 0, 7]], np.int32)


def make(**kwargs):
  args = dict(num_items=NUM_ITEMS, max_len=N, hidden_units=D, num_blocks=1, dropout_rate=0.0,
              seed=0)
  args.update(kwargs)
  return SASRec(**args).build_for_inputs()


_CACHE = {}


def shared(**kwargs):
  """A built, randomized model shared by the tests that only read it (building is slow)."""
  key = tuple(sorted(kwargs.items()))
  if key not in _CACHE:
    _CACHE[key] = randomize(make(**kwargs), seed=len(_CACHE))
  return _CACHE[key]


def rel_path(v):
  """Variable path without the model's (process-global, auto-numbered) name."""
  return v.path.split("/", 1)[1]


def variables(model):
  return {rel_path(v): tuple(v.shape) for v in model.weights}


def randomize(model, seed=0, scale=0.3):
  """Random values everywhere (incl. LN betas / biases), so no zero init hides a mistake."""
  rng = np.random.default_rng(seed)
  for v in model.weights:
    values = rng.normal(0.0, scale, tuple(v.shape)) + (1.0 if v.path.endswith("gamma") else 0.0)
    v.assign(values.astype(np.float32))
  return model


def copy_weights(source, target):
  src = {rel_path(v): v for v in source.weights}
  for v in target.weights:
    v.assign(src[rel_path(v)])


def F(model, seq, **kwargs):
  return model(tf.constant(seq), **kwargs).numpy()


# ---------------------------------------------------------------- causality and padding
@pytest.mark.parametrize("kwargs", [dict(num_blocks=2), dict(num_heads=2, use_residual=False),
                                    dict(paper_literal=True)])
def test_outputs_depend_only_on_the_past(kwargs):
  model = shared(**kwargs)
  base = F(model, SEQ)
  rng = np.random.default_rng(1)
  for t in range(N - 1):
    changed = SEQ.copy()
    changed[:, t + 1:] = rng.integers(1, NUM_ITEMS + 1, size=changed[:, t + 1:].shape)
    out = F(model, changed)
    np.testing.assert_allclose(out[:, :t + 1], base[:, :t + 1], rtol=1e-5, atol=1e-5)
    assert np.abs(out[1, t + 1:] - base[1, t + 1:]).max() > 1e-4


@pytest.mark.parametrize("paper_literal", [False, True])
def test_padding_has_no_influence_on_real_positions(paper_literal):
  """A left-padded window gives, at its real slots, exactly the outputs of an unpadded window
  over the same items (same weights, the position rows of those slots): padding ids read zero
  embeddings, are masked as keys and re-zeroed after every block, whatever the weights are."""
  long = randomize(make(max_len=N, paper_literal=paper_literal), seed=2)
  real = 4
  short = make(max_len=real, paper_literal=paper_literal)
  copy = {rel_path(v): v for v in long.weights}
  for v in short.weights:
    source = copy[rel_path(v)]
    v.assign(source[N - real:] if rel_path(v).endswith("position/table") else source)
  seq = np.array([[0, 0, 11, 22, 33, 44], [0, 0, 44, 1, 60, 9]], np.int32)
  np.testing.assert_allclose(F(long, seq)[:, N - real:], F(short, seq[:, N - real:]),
                             rtol=1e-5, atol=1e-5)
  # Nothing stored for the padding id or the padding slots matters either.
  base = F(long, seq)
  long.item_embedding.table[0].assign(np.full(D, 5.0, np.float32))
  long.embedding.position.table[:2].assign(np.full((2, D), -3.0, np.float32))
  np.testing.assert_allclose(F(long, seq)[:, 2:], base[:, 2:], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kwargs", [dict(num_blocks=2), dict(paper_literal=True)])
def test_cutting_leading_padding_changes_no_output(kwargs):
  """Shorter windows are the right end of a max_len window (P rows right-aligned), so scoring may
  drop leading padding: the outputs at the remaining slots, and the scores, are unchanged."""
  model = shared(**kwargs)
  seq = np.array([[0, 0, 0, 11, 22, 33], [0, 0, 0, 0, 44, 9]], np.int32)
  assert model.padding_invariant
  for cut in (1, 2, 3):
    np.testing.assert_allclose(F(model, seq[:, cut:]), F(model, seq)[:, cut:], rtol=1e-5,
                               atol=1e-5)
  cands = tf.constant([[1, 2, 3], [4, 5, 60]])
  np.testing.assert_allclose(model.score(tf.constant(seq[:, 3:]), cands).numpy(),
                             model.score(tf.constant(seq), cands).numpy(), rtol=1e-5, atol=1e-5)


def test_padding_slots_are_zero_before_the_final_norm():
  model = shared(num_blocks=2)
  seq = tf.constant(SEQ)
  x, mask = model.embedding(seq)
  for block in model.blocks:
    x = block(x, mask)
  pad = SEQ == 0
  np.testing.assert_array_equal(x.numpy()[pad], 0.0)
  assert np.all(np.abs(x.numpy()[~pad]).sum(-1) > 0)
  # After the final LN a padding slot holds exactly the LN offset beta.
  out = F(model, SEQ)
  np.testing.assert_allclose(out[pad], np.broadcast_to(model.final_norm.beta.numpy(),
                                                        out[pad].shape), atol=1e-6)


# ---------------------------------------------------------------- embedding scale
@pytest.mark.parametrize("paper_literal", [False, True])
def test_input_scaling_by_sqrt_d(paper_literal):
  """With no block, F = LN(m * (sqrt(d) M[s] + P)) in code form; m * (M[s] + P) in paper form."""
  model = randomize(make(num_blocks=0, hidden_units=9, paper_literal=paper_literal), seed=4)
  m = (SEQ != 0)[..., None]
  x = (model.item_embedding.table.numpy()[SEQ] * (1.0 if paper_literal else math.sqrt(9))
       + model.embedding.position.table.numpy()[None]) * m
  if not paper_literal:
    ln = model.final_norm
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    x = (x - mu) / np.sqrt(var + 1e-8) * ln.gamma.numpy() + ln.beta.numpy()
  else:
    assert model.final_norm is None
  np.testing.assert_allclose(F(model, SEQ), x, rtol=1e-4, atol=1e-4)


def test_every_layer_norm_uses_epsilon_1e_8():
  model = shared(num_blocks=2)
  norms = [l for l in model._flatten_layers() if isinstance(l, keras.layers.LayerNormalization)]
  assert len(model.blocks) == 2
  assert len(norms) == 5  # 2 per block + final
  assert all(l.epsilon == 1e-8 for l in norms)


# ---------------------------------------------------------------- scoring
@pytest.mark.parametrize("share", [True, False])
def test_score_is_dot_product_with_output_table_rows_at_the_last_position(share):
  model = shared(share_item_embedding=share)
  cands = np.array([[1, 2, 3, 60], [9, 9, 0, 4], [7, 8, 59, 1]], np.int32)
  got = model.score(tf.constant(SEQ), tf.constant(cands)).numpy()
  table = model.output_item_embedding.table.numpy().copy()
  table[0] = 0.0
  last = F(model, SEQ)[:, -1]
  np.testing.assert_allclose(got, np.einsum("bd,bcd->bc", last, table[cands]), rtol=1e-4,
                             atol=1e-5)
  assert (model.output_item_embedding is model.item_embedding) == share


@pytest.mark.parametrize("share", [True, False])
def test_score_all_matches_score_and_column_0_is_zero(share):
  model = shared(share_item_embedding=share)
  all_scores = model.score_all(tf.constant(SEQ)).numpy()
  assert all_scores.shape == (3, NUM_ITEMS + 1)
  np.testing.assert_array_equal(all_scores[:, 0], 0.0)
  ids = np.tile(np.arange(NUM_ITEMS + 1, dtype=np.int32), (3, 1))
  np.testing.assert_allclose(all_scores, model.score(tf.constant(SEQ), tf.constant(ids)).numpy(),
                             rtol=1e-5, atol=1e-5)


def test_training_logits_use_the_unscaled_table_at_every_position():
  model = shared()
  pos = np.roll(SEQ, -1, axis=1)
  neg = np.where(pos > 0, 1, 0).astype(np.int32)
  p, n = model.training_logits({"seq": tf.constant(SEQ), "pos": tf.constant(pos),
                                "neg": tf.constant(neg)}, training=False)
  feats, table = F(model, SEQ), model.item_embedding.full_table().numpy()
  np.testing.assert_allclose(p.numpy(), np.einsum("bnd,bnd->bn", feats, table[pos]), rtol=1e-4,
                             atol=1e-5)
  np.testing.assert_allclose(n.numpy(), np.einsum("bnd,bnd->bn", feats, table[neg]), rtol=1e-4,
                             atol=1e-5)


# ---------------------------------------------------------------- Table IV ablation flags
BLOCK_VARS = 14


def test_default_variable_set():
  names = variables(shared())
  assert names["sequence_embedding/item_embedding/table"] == (NUM_ITEMS + 1, D)
  assert names["sequence_embedding/position/table"] == (N, D)
  assert names["final_norm/gamma"] == names["final_norm/beta"] == (D,)
  assert len(names) == 2 + BLOCK_VARS + 2


def test_remove_pe_drops_exactly_the_position_table():
  default, no_pe = variables(shared()), variables(make(use_positional_embedding=False))
  assert set(default) - set(no_pe) == {"sequence_embedding/position/table"}
  assert set(no_pe) <= set(default)


def test_unshared_ie_adds_exactly_one_table_of_the_same_shape():
  default, unshared = variables(shared()), variables(shared(share_item_embedding=False))
  extra = set(unshared) - set(default)
  assert len(extra) == 1 and set(default) <= set(unshared)
  assert unshared[extra.pop()] == default["sequence_embedding/item_embedding/table"]


def test_unshared_output_table_has_a_zero_padding_row_and_its_own_init():
  model = shared(share_item_embedding=False)
  out_table, in_table = model.output_item_embedding, model.item_embedding
  assert out_table is not in_table
  assert not np.allclose(out_table.table.numpy(), in_table.table.numpy())
  np.testing.assert_array_equal(out_table.full_table().numpy()[0], 0.0)


def test_remove_rc_keeps_the_variables_and_changes_the_outputs():
  default = shared()
  no_rc = make(use_residual=False)
  assert variables(no_rc) == variables(default)
  copy_weights(default, no_rc)
  assert np.abs(F(default, SEQ) - F(no_rc, SEQ)).max() > 1e-2


@pytest.mark.parametrize("num_blocks", [0, 1, 3])
def test_number_of_blocks(num_blocks):
  model = make(num_blocks=num_blocks)
  assert len(model.blocks) == num_blocks
  assert all(isinstance(b, SelfAttentionBlock) for b in model.blocks)
  assert len(variables(model)) == 2 + num_blocks * BLOCK_VARS + 2


def test_multi_head_keeps_the_variables_and_changes_the_outputs():
  one = shared()
  two = make(num_heads=2)
  assert variables(two) == variables(one)
  copy_weights(one, two)
  assert np.abs(F(one, SEQ) - F(two, SEQ)).max() > 1e-3


def test_paper_literal_has_no_final_norm_and_bias_free_projections():
  names = variables(shared(paper_literal=True))
  assert not any("final_norm" in k for k in names)
  assert not any(k.endswith(("query/bias", "key/bias", "value/bias")) for k in names)
  assert len(names) == 2 + 11


# ---------------------------------------------------------------- dropout
def test_zero_dropout_makes_training_equal_inference():
  model = shared()
  np.testing.assert_array_equal(F(model, SEQ, training=True), F(model, SEQ, training=False))


def test_dropout_is_active_only_in_training():
  model = shared(dropout_rate=0.3)
  np.testing.assert_array_equal(F(model, SEQ), F(model, SEQ))
  assert np.abs(F(model, SEQ, training=True) - F(model, SEQ)).max() > 1e-3


# ---------------------------------------------------------------- user embedding
def test_user_embedding_needs_num_users():
  with pytest.raises(ValueError, match="num_users"):
    SASRec(NUM_ITEMS, N, D, user_embedding=True)


def test_user_embedding_adds_the_user_vector_and_requires_users():
  model = make(num_users=5, user_embedding=True)
  without = shared()
  source = {rel_path(v): v for v in without.weights}
  for v in model.weights:
    if rel_path(v) in source:
      v.assign(source[rel_path(v)])
  assert set(variables(model)) - set(source) == {"user_embedding/table"}
  with pytest.raises(ValueError, match="users"):
    model(tf.constant(SEQ))
  users = tf.constant([1, 5, 3])
  expected = F(without, SEQ) + model.user_table.table.numpy()[users.numpy()][:, None, :]
  np.testing.assert_allclose(F(model, SEQ, users=users), expected, rtol=1e-5, atol=1e-5)
  scores = model.score(tf.constant(SEQ[[1, 1]]), tf.constant([[3, 4], [3, 4]]),
                       users=tf.constant([1, 2])).numpy()
  assert not np.allclose(scores[0], scores[1])


# ---------------------------------------------------------------- l2
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_regularization_is_l2_half_sum_of_squares_over_item_and_position_tables(l2):
  model = make(l2_emb=l2)
  tables = [model.item_embedding.table, model.embedding.position.table]
  expected = l2 * sum(np.sum(t.numpy().astype(np.float64) ** 2) for t in tables) / 2
  assert float(model.regularization_loss()) == pytest.approx(expected, rel=1e-5, abs=1e-12)


def test_regularization_covers_the_unshared_output_table():
  model = make(l2_emb=0.3, share_item_embedding=False)
  tables = [model.item_embedding.table, model.embedding.position.table,
            model.output_item_embedding.table]
  expected = 0.3 * sum(np.sum(t.numpy().astype(np.float64) ** 2) for t in tables) / 2
  assert float(model.regularization_loss()) == pytest.approx(expected, rel=1e-5)


# ---------------------------------------------------------------- config and restore
def test_config_round_trip():
  model = make(num_heads=2, dropout_rate=0.25, l2_emb=0.1, share_item_embedding=False,
               use_residual=False, num_users=4, user_embedding=True, seed=3)
  config = model.get_config()
  revived = SASRec.from_config(config).build_for_inputs()
  assert revived.get_config() == config
  assert variables(revived) == variables(model)


@pytest.mark.parametrize("kwargs", [dict(num_blocks=2), dict(share_item_embedding=False,
                                                             num_users=4, user_embedding=True)])
def test_from_checkpoint_round_trip(tmp_path, kwargs):
  model = randomize(make(**kwargs), seed=12)
  tf.train.Checkpoint(model=model).save(os.path.join(tmp_path, "ckpt"))
  model.save_model_config(str(tmp_path))
  restored = SASRec.from_checkpoint(str(tmp_path))
  assert restored.get_config() == model.get_config()
  users = tf.constant([1, 2, 3]) if kwargs else None
  np.testing.assert_array_equal(restored.score_all(tf.constant(SEQ), users=users).numpy(),
                                model.score_all(tf.constant(SEQ), users=users).numpy())


# TF prints the unmatched variables through KerasVariable.__array__ (a NumPy 2 notice).
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_from_checkpoint_refuses_a_checkpoint_missing_weights(tmp_path):
  """A checkpoint without the block weights (as written before blocks were tracked) must not
  come back as a model with freshly initialised blocks."""
  tf.train.Checkpoint(model=make(num_blocks=0)).save(os.path.join(tmp_path, "ckpt"))
  make(num_blocks=1).save_model_config(str(tmp_path))
  with pytest.raises(AssertionError):
    SASRec.from_checkpoint(str(tmp_path))


def test_from_checkpoint_names_the_directories_it_tried(tmp_path):
  with pytest.raises(FileNotFoundError, match="model_config.json"):
    SASRec.from_checkpoint(str(tmp_path))


# ---------------------------------------------------------------- mixed precision
def test_mixed_precision_model_matches_float32():
  reference = randomize(make(num_heads=2), seed=13)
  previous = keras.config.dtype_policy()
  keras.config.set_dtype_policy("mixed_float16")
  try:
    mixed = make(num_heads=2)
  finally:
    keras.config.set_dtype_policy(previous)
  copy_weights(reference, mixed)
  assert all(v.dtype == "float32" for v in mixed.weights)
  out = mixed(tf.constant(SEQ))
  assert out.dtype == tf.float16
  np.testing.assert_allclose(out.numpy().astype(np.float32), F(reference, SEQ), atol=3e-2,
                             rtol=3e-2)
  scores = mixed.score_all(tf.constant(SEQ)).numpy().astype(np.float32)
  np.testing.assert_allclose(scores, reference.score_all(tf.constant(SEQ)).numpy(), atol=5e-2,
                             rtol=5e-2)
