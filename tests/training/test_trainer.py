"""Trainer: learning, exact resume, early stopping with the best checkpoint, checkpoints."""

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.data.sampler import TrainingSampler
from sasrec_tf.evaluation import Evaluator
from sasrec_tf.models import SASRec
from sasrec_tf.training import checkpoints as ckpt_lib
from sasrec_tf.training.losses import masked_bce

from .tiny import make_trainer, tiny_model


def test_loss_decreases_on_a_learnable_pattern(split, tmp_path):
  model = tiny_model(split, dropout_rate=0.0)
  falling = lambda m, stage, epoch: {"NDCG@10": 1.0 / epoch}
  history = make_trainer(model, split, tmp_path, falling, num_epochs=6, eval_every=2,
                         learning_rate=0.01).fit()
  losses = [c["loss"] for c in history["curve"]]
  assert [c["epoch"] for c in history["curve"]] == list(range(1, 7))
  assert losses[-1] < 0.8 * losses[0] and losses[-1] < min(losses[:3])
  assert history["epochs_run"] == 6 and history["resumed_from_epoch"] is None
  # Evaluated every 2 epochs; without patience it never stops however validation goes.
  assert [e["epoch"] for e in history["evals"]] == [2, 4, 6]
  assert not history["stopped_early"] and history["best"]["epoch"] == 2


def test_resume_equals_uninterrupted(split, tmp_path):
  """k epochs, then a brand-new model and trainer in the same directory resume to N: the same
  weights, losses and evaluations as N epochs in one go (dropout on, so its RNG state counts)."""
  evaluator = Evaluator(split, 8, num_negatives=20, seed=0)
  evaluate = lambda model, stage, epoch: evaluator.evaluate(
      lambda b: model.score(b["seqs"], b["candidates"]).numpy(), stage)
  config = dict(num_epochs=4, eval_every=2, learning_rate=0.01)

  straight = tiny_model(split).build_for_inputs()
  initial = straight.get_weights()
  full = make_trainer(straight, split, tmp_path / "straight", evaluate, **config).fit()

  first = tiny_model(split).build_for_inputs()
  first.set_weights(initial)
  part = make_trainer(first, split, tmp_path / "resumed", evaluate,
                      **{**config, "num_epochs": 2}).fit()
  assert part["epochs_run"] == 2

  # Built later in the same process: other auto-numbered layer names, another initialisation.
  fresh = tiny_model(split).build_for_inputs()
  assert list(ckpt_lib.seed_generator_states(fresh)) == list(
      ckpt_lib.seed_generator_states(first))
  resumed = make_trainer(fresh, split, tmp_path / "resumed", evaluate, **config).fit()
  assert resumed["resumed_from_epoch"] == 2 and resumed["epochs_run"] == 4
  for got, want in zip(fresh.get_weights(), straight.get_weights()):
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
  assert [c["loss"] for c in resumed["curve"]] == pytest.approx(
      [c["loss"] for c in full["curve"]], abs=1e-6)
  assert [(e["epoch"], e["valid"], e["test"]) for e in resumed["evals"]] == [
      (e["epoch"], e["valid"], e["test"]) for e in full["evals"]]


def test_early_stopping_keeps_the_best_checkpoint(split, tmp_path):
  scripted = {1: 0.1, 2: 0.3, 3: 0.2, 4: 0.25, 5: 0.9}
  snapshots = {}

  def evaluate(model, stage, epoch):
    snapshots[epoch] = model.get_weights()
    return {"NDCG@10": scripted[epoch] if stage == "valid" else -1.0, "HR@10": 0.0}

  model = tiny_model(split, num_blocks=2)
  config = dict(num_epochs=5, eval_every=1, patience=2)
  history = make_trainer(model, split, tmp_path, evaluate, **config).fit()
  assert history["stopped_early"] and history["epochs_run"] == 4
  assert len(history["curve"]) == 4 and history["best"]["epoch"] == 2
  assert [e["epoch"] for e in history["evals"]] == [1, 2, 3, 4]
  best_dir = str(tmp_path / ckpt_lib.BEST_DIR)
  assert tf.train.latest_checkpoint(best_dir).endswith("ckpt-2")

  # The best checkpoint holds the model alone, every block included.
  names = {n for n, _ in tf.train.list_variables(best_dir)}
  for i in range(2):
    assert any(n.startswith(f"model/block_{i}/attention/query") for n in names), sorted(names)
  best = SASRec.from_checkpoint(str(tmp_path))
  for got, want in zip(best.get_weights(), snapshots[2]):
    np.testing.assert_array_equal(got, want)

  # The resume checkpoint also holds every dropout RNG state.
  resume = tf.train.list_variables(tf.train.latest_checkpoint(tmp_path / ckpt_lib.RESUME_DIR))
  rng = sorted(n.split("/")[1].replace("..", ".") for n, _ in resume if n.startswith("rng/"))
  assert rng == sorted(ckpt_lib.seed_generator_states(model))
  assert len(rng) == 1 + 2 * 3  # embedding dropout + per block: attention, FFN inner, FFN outer

  # A new trainer on the stopped run returns at once instead of training on.
  again = make_trainer(tiny_model(split, num_blocks=2), split, tmp_path, evaluate,
                       **config).fit()
  assert again["stopped_early"] and len(again["curve"]) == 4 and again["best"]["epoch"] == 2


# TF reads the unmatched old entry through KerasVariable.__array__ (a NumPy 2 notice, harmless).
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_checkpoint_with_old_dropout_state_keys_still_resumes(split, tmp_path, monkeypatch):
  """Checkpoints written before the RNG keys were made stable (all dropout states under one
  'None.seed_generator' key) restore weights, optimizer and epoch, with a warning."""
  real = ckpt_lib.seed_generator_states
  monkeypatch.setattr(ckpt_lib, "seed_generator_states",
                      lambda model: {"None.seed_generator": list(real(model).values())[-1]})
  old = tiny_model(split)
  make_trainer(old, split, tmp_path, num_epochs=1).fit()
  monkeypatch.setattr(ckpt_lib, "seed_generator_states", real)
  new = tiny_model(split)
  trainer = make_trainer(new, split, tmp_path, num_epochs=1)
  history = trainer.fit()
  assert history["resumed_from_epoch"] == 1 and len(history["curve"]) == 1
  assert "no dropout RNG state" in trainer.stream.getvalue()
  for got, want in zip(new.get_weights(), old.get_weights()):
    np.testing.assert_array_equal(got, want)
  assert int(trainer.optimizer.iterations.numpy()) == trainer.sampler.steps_per_epoch


@pytest.mark.parametrize("jit_compile,l2_emb", [(False, 0.0), (True, 0.0), (False, 0.5)])
def test_one_step_is_tf1_adam_on_the_summed_gradient(split, tmp_path, jit_compile, l2_emb):
  """Adam(lr, beta_1 0.9, beta_2 0.98, eps 1e-8) on the dense gradient of loss + l2 term, as
  TF1's AdamOptimizer updates (it sums the slices of an id that occurs several times in a batch
  before updating)."""
  batch = {k: tf.constant(v) for k, v in TrainingSampler(split, 8, 16, seed=0).batch(0).items()}
  model = tiny_model(split, dropout_rate=0.0, l2_emb=l2_emb).build_for_inputs()
  with tf.GradientTape() as tape:
    pos, neg = model.training_logits(batch, training=True)
    loss = masked_bce(pos, neg, batch["pos"])
    objective = loss + model.regularization_loss()
  grads = [tf.convert_to_tensor(g).numpy()
           for g in tape.gradient(objective, model.trainable_variables)]
  before = [v.numpy() for v in model.trainable_variables]
  trainer = make_trainer(model, split, tmp_path, jit_compile=jit_compile)
  assert float(trainer.train_step(batch)) == pytest.approx(float(loss), abs=1e-5)
  lr, b1, b2, eps = 1e-3, 0.9, 0.98, 1e-8
  alpha = lr * np.sqrt(1 - b2) / (1 - b1)
  for v, w0, g in zip(model.trainable_variables, before, grads):
    m, s = (1 - b1) * g, (1 - b2) * g ** 2
    # Entries whose gradient is rounding noise (e.g. the key bias, to which softmax is
    # invariant) move by noise / eps: compare the others.
    real = np.abs(g) > 1e-6
    np.testing.assert_allclose(v.numpy()[real], (w0 - alpha * m / (np.sqrt(s) + eps))[real],
                               rtol=0, atol=1e-6, err_msg=v.path)
  # Items occur several times in a batch: a per-slice update would move those rows further.
  assert np.bincount(batch["seq"].numpy().ravel())[1:].max() > 1
