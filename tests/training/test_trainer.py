"""Trainer: learning, exact resume, early stopping with the best checkpoint, checkpoints."""

import os

import numpy as np
import pytest
import tensorflow as tf

from sasrec_tf.data.sampler import TrainingSampler
from sasrec_tf.evaluation import Evaluator
from sasrec_tf.models import SASRec
from sasrec_tf.training import checkpoints as ckpt_lib

from .tiny import make_trainer, tiny_model


def test_loss_decreases_on_a_learnable_pattern(split, tmp_path):
  model = tiny_model(split, dropout_rate=0.0)
  history = make_trainer(model, split, tmp_path, num_epochs=6, learning_rate=0.01).fit()
  losses = [c["loss"] for c in history["curve"]]
  assert [c["epoch"] for c in history["curve"]] == list(range(1, 7))
  assert losses[-1] < 0.7 * losses[0]
  assert history["epochs_run"] == 6 and history["resumed_from_epoch"] is None


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

  fresh = tiny_model(split).build_for_inputs()  # new process-wide layer names, other init
  resumed = make_trainer(fresh, split, tmp_path / "resumed", evaluate, **config).fit()
  assert resumed["resumed_from_epoch"] == 2 and resumed["epochs_run"] == 4
  for got, want in zip(fresh.get_weights(), straight.get_weights()):
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
  assert [c["loss"] for c in resumed["curve"]] == pytest.approx(
      [c["loss"] for c in full["curve"]], abs=1e-6)
  assert [(e["epoch"], e["valid"], e["test"]) for e in resumed["evals"]] == [
      (e["epoch"], e["valid"], e["test"]) for e in full["evals"]]


def test_a_finished_run_does_not_train_again(split, tmp_path):
  model = tiny_model(split)
  make_trainer(model, split, tmp_path, num_epochs=2).fit()
  weights = model.get_weights()
  again = tiny_model(split)
  history = make_trainer(again, split, tmp_path, num_epochs=2).fit()
  assert len(history["curve"]) == 2 and history["resumed_from_epoch"] == 2
  for got, want in zip(again.get_weights(), weights):
    np.testing.assert_array_equal(got, want)


def test_early_stopping_keeps_the_best_checkpoint(split, tmp_path):
  scripted = {1: 0.1, 2: 0.3, 3: 0.2, 4: 0.25, 5: 0.9}
  snapshots = {}

  def evaluate(model, stage, epoch):
    snapshots[epoch] = model.get_weights()
    return {"NDCG@10": scripted[epoch] if stage == "valid" else -1.0, "HR@10": 0.0}

  model = tiny_model(split)
  trainer = make_trainer(model, split, tmp_path, evaluate, num_epochs=5, eval_every=1,
                         patience=2)
  history = trainer.fit()
  assert history["stopped_early"] and history["epochs_run"] == 4
  assert len(history["curve"]) == 4 and history["best"]["epoch"] == 2
  assert [e["epoch"] for e in history["evals"]] == [1, 2, 3, 4]
  assert tf.train.latest_checkpoint(tmp_path / ckpt_lib.BEST_DIR).endswith("ckpt-2")
  best = SASRec.from_checkpoint(str(tmp_path))
  for got, want in zip(best.get_weights(), snapshots[2]):
    np.testing.assert_array_equal(got, want)
  # A new trainer on the stopped run returns at once instead of training on.
  again = make_trainer(tiny_model(split), split, tmp_path, evaluate, num_epochs=5, eval_every=1,
                       patience=2).fit()
  assert again["stopped_early"] and len(again["curve"]) == 4 and again["best"]["epoch"] == 2


def test_patience_none_never_stops(split, tmp_path):
  evaluate = lambda model, stage, epoch: {"NDCG@10": 1.0 / epoch}
  history = make_trainer(tiny_model(split), split, tmp_path, evaluate, num_epochs=4,
                         eval_every=1).fit()
  assert not history["stopped_early"] and history["epochs_run"] == 4
  assert history["best"]["epoch"] == 1


def test_checkpoint_holds_every_model_variable_and_dropout_state(split, tmp_path):
  model = tiny_model(split, num_blocks=2)
  make_trainer(model, split, tmp_path, lambda m, stage, epoch: {"NDCG@10": 0.5},
               num_epochs=1).fit()
  names = {n for n, _ in tf.train.list_variables(str(tmp_path / ckpt_lib.BEST_DIR)) if n}
  # The best checkpoint stores the model alone: each block's weights must be in it.
  for i in range(2):
    assert any(n.startswith(f"model/block_{i}/attention/query") for n in names), sorted(names)
  resume = {n for n, _ in tf.train.list_variables(
      tf.train.latest_checkpoint(tmp_path / ckpt_lib.RESUME_DIR))}
  rng = sorted(n.split("/")[1] for n in resume if n.startswith("rng/"))
  assert rng == sorted(ckpt_lib.seed_generator_states(model))
  assert len(rng) == 1 + 2 * 3  # embedding dropout + per block: attention, FFN inner, FFN outer


def test_seed_generator_keys_do_not_depend_on_layer_numbering(split):
  one = tiny_model(split, num_blocks=2).build_for_inputs()
  two = tiny_model(split, num_blocks=2).build_for_inputs()
  assert list(ckpt_lib.seed_generator_states(one)) == list(ckpt_lib.seed_generator_states(two))


def test_jit_compiled_step_equals_the_plain_step(split, tmp_path):
  batch = {k: tf.constant(v) for k, v in TrainingSampler(split, 8, 16, seed=0).batch(0).items()}
  losses, weights = [], []
  for jit in (False, True):
    model = tiny_model(split, dropout_rate=0.0).build_for_inputs()
    if weights:
      model.set_weights(weights[0])
    else:
      weights.append(model.get_weights())
    trainer = make_trainer(model, split, tmp_path / str(jit), jit_compile=jit)
    losses.append(float(trainer.train_step(batch)))
    weights.append(model.get_weights())
  assert losses[0] == pytest.approx(losses[1], abs=1e-5)
  # Adam's first step moves every weight by about lr = 1e-3; float rounding of near-zero
  # gradients may flip a few by ~1e-5.
  for a, b in zip(weights[1], weights[2]):
    np.testing.assert_allclose(a, b, atol=1e-4)
