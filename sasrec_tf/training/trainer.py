"""Trainer: tf.function train step, evaluation schedule, early stopping, best checkpoint, resume."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import sys
import time
from typing import Callable, Dict, Optional

import keras
import numpy as np
import tensorflow as tf

from sasrec_tf.training import checkpoints as ckpt_lib
from sasrec_tf.training.fused_adam import FusedAdam
from sasrec_tf.training.row_sparse_adagrad import RowSparseAdagrad
from sasrec_tf.training.losses import masked_bce
from sasrec_tf.training.progress import Progress, format_seconds

# evaluate_fn(model, stage, epoch) -> metrics dict, stage in {"valid", "test"}.
EvaluateFn = Callable[[object, str, int], Dict[str, float]]


@dataclasses.dataclass
class TrainConfig:
  """Optimisation and schedule settings (defaults = the original SASRec code, SPEC §3.7/§2.5).

  Attributes:
    num_epochs: epochs to run (original: 201).
    optimizer: "adam" (original SASRec), "adagrad" (AttRec) or "sgd".
    learning_rate, beta_1, beta_2, epsilon: Adam (original: 1e-3, 0.9, 0.98, 1e-8); Adagrad uses
      learning_rate and epsilon (initial accumulator 0.1, as TF1's AdagradOptimizer).
    initial_accumulator: Adagrad's initial accumulator value (AttRec's code: 0.05).
    momentum: heavy-ball momentum of Adagrad (GRU4Rec's code: v <- mu v - step; w <- w + v)
      and SGD; 0 = none. Adam refuses a non-zero value.
    eval_every: evaluate valid and test every this many epochs (and after the last epoch).
    patience: stop after this many evaluations without a better validation metric (None = never,
      as the original code).
    select_metric: validation metric that picks the best epoch.
    loss_form, loss_reduction: see ``losses.masked_bce``.
    jit_compile: compile the train step with XLA.
    checkpoint_every: save a resumable checkpoint every this many epochs.
    log_every_s: seconds between progress lines in non-interactive logs.
  """

  num_epochs: int = 201
  optimizer: str = "adam"
  learning_rate: float = 1e-3
  beta_1: float = 0.9
  beta_2: float = 0.98
  epsilon: float = 1e-8
  eval_every: int = 20
  patience: Optional[int] = None
  select_metric: str = "NDCG@10"
  initial_accumulator: float = 0.1
  momentum: float = 0.0
  loss_form: str = "code"
  loss_reduction: str = "mean"
  jit_compile: bool = False
  checkpoint_every: int = 1
  log_every_s: float = 30.0


def make_strategy(name: str = "default") -> tf.distribute.Strategy:
  """"default" (one device) or "mirrored" (all local GPUs)."""
  if name == "default":
    return tf.distribute.get_strategy()
  if name == "mirrored":
    return tf.distribute.MirroredStrategy()
  raise ValueError(f"unknown distribution strategy {name!r}")


def make_optimizer(config: TrainConfig) -> keras.optimizers.Optimizer:
  """The optimizer named by ``config.optimizer`` with its settings."""
  if config.optimizer == "adam":
    if config.momentum:
      raise ValueError(f"momentum {config.momentum} has no meaning for Adam (use adagrad or sgd)")
    return FusedAdam(learning_rate=config.learning_rate, beta_1=config.beta_1,
                     beta_2=config.beta_2, epsilon=config.epsilon)
  if config.optimizer == "adagrad":
    return RowSparseAdagrad(learning_rate=config.learning_rate,
                            initial_accumulator_value=config.initial_accumulator,
                            epsilon=config.epsilon, momentum=config.momentum)
  if config.optimizer == "sgd":
    return keras.optimizers.SGD(learning_rate=config.learning_rate, momentum=config.momentum)
  raise ValueError(f"unknown optimizer {config.optimizer!r} (adam, adagrad, sgd)")


class _DropCheckpointTiming(logging.Filter):
  """Drops TF's per-save INFO line "Sharding callback duration: N microseconds"."""

  def filter(self, record):
    return not str(record.msg).startswith("Sharding callback duration")


def _quiet_checkpoint_timing():
  """TF's checkpoint saver logs one INFO line per save through absl; long logs drown in them."""
  absl_logger = logging.getLogger("absl")
  if not any(isinstance(f, _DropCheckpointTiming) for f in absl_logger.filters):
    absl_logger.addFilter(_DropCheckpointTiming())


class _NullWriter:
  """Stands in for a summary writer when TensorBoard is not installed."""

  def as_default(self, step=None):
    import contextlib  # pylint: disable=import-outside-toplevel
    return contextlib.nullcontext()

  def flush(self):
    pass


def _summary_writer(logdir: str, stream):
  try:
    import tensorboard  # pylint: disable=import-outside-toplevel,unused-import
  except ImportError:
    stream.write("tensorboard is not installed: no TensorBoard scalars will be written\n")
    return _NullWriter()
  return tf.summary.create_file_writer(logdir)


def _scalar(name, value):
  if tf.summary.should_record_summaries():
    tf.summary.scalar(name, value)


class Trainer:
  """Trains a model with ``train_loss(batch, training)`` (any scalar data loss) or, else,
  ``training_logits(batch, training)`` -> (pos, neg) logits [B, n] under the masked BCE; plus
  ``regularization_loss()``, and ``after_train_step()`` when the model has one (run after each
  update inside the compiled step, e.g. norm clipping).

  The model (and so its variables) must have been created under ``strategy.scope()``.
  Everything a resumed run needs (weights, Adam slots, dropout RNG state, epoch, the evaluation
  history) lives in one checkpoint under ``output_dir/checkpoints``, so a run restarted after an
  interruption continues exactly where the last checkpoint left it; the sampler is stateless.
  """

  def __init__(self, model, sampler, evaluate_fn: Optional[EvaluateFn], config: TrainConfig,
               output_dir: str, strategy: Optional[tf.distribute.Strategy] = None,
               stream=None, on_evaluate: Optional[Callable[[dict], None]] = None):
    self.model, self.sampler, self.evaluate_fn = model, sampler, evaluate_fn
    self.config = config
    self.output_dir = output_dir
    self.strategy = strategy or tf.distribute.get_strategy()
    self.stream = stream or sys.stderr
    self.on_evaluate = on_evaluate
    _quiet_checkpoint_timing()
    os.makedirs(output_dir, exist_ok=True)
    with self.strategy.scope():
      if hasattr(model, "build_for_inputs"):
        model.build_for_inputs()
      self.optimizer = make_optimizer(config)
      self.optimizer.build(model.trainable_variables)
      self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
      self.state_json = tf.Variable("{}", dtype=tf.string, trainable=False, name="trainer_state")
    self.rng_states = ckpt_lib.seed_generator_states(model)
    self.checkpoint = tf.train.Checkpoint(
        model=model, optimizer=self.optimizer, epoch=self.epoch, state=self.state_json,
        rng=self.rng_states)
    self.manager = tf.train.CheckpointManager(
        self.checkpoint, os.path.join(output_dir, ckpt_lib.RESUME_DIR), max_to_keep=2)
    self.best_checkpoint = tf.train.Checkpoint(model=model)
    self.best_manager = tf.train.CheckpointManager(
        self.best_checkpoint, os.path.join(output_dir, ckpt_lib.BEST_DIR), max_to_keep=1)
    self.writer = _summary_writer(os.path.join(output_dir, "tensorboard"), self.stream)
    self._train_step = self._make_train_step()

  # ------------------------------------------------------------------ step
  def _make_train_step(self):
    cfg, model, optimizer = self.config, self.model, self.optimizer
    replicas = self.strategy.num_replicas_in_sync

    def step_fn(batch):
      with tf.GradientTape() as tape:
        if hasattr(model, "train_loss"):
          loss = model.train_loss(batch, training=True)
        else:
          pos, neg = model.training_logits(batch, training=True)
          loss = masked_bce(pos, neg, batch["pos"], cfg.loss_form, cfg.loss_reduction)
        total = (loss + model.regularization_loss()) / replicas
      variables = model.trainable_variables
      grads = tape.gradient(total, variables)
      # Embedding lookups give IndexedSlices with one slice per occurrence of an id. Keras' Adam
      # applies such slices one by one (v gets the sum of squares, m decays once per duplicate),
      # so a row seen k times in a batch moves up to sqrt(k) times too far. TF1's Adam (the
      # original) sums duplicates first, i.e. behaves as a dense update: densify. A row-sparse
      # optimizer (RowSparseAdagrad) merges duplicates itself and takes the slices as they are.
      if not getattr(optimizer, "row_sparse", False):
        grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g
                 for g in grads]
      optimizer.apply_gradients(zip(grads, variables))
      if hasattr(model, "after_train_step"):
        model.after_train_step()
      return loss

    @tf.function(jit_compile=cfg.jit_compile, reduce_retracing=True)
    def compiled(batch):
      return step_fn(batch)

    def distributed(batch):
      per_replica = self.strategy.run(compiled, args=(batch,))
      return self.strategy.reduce(tf.distribute.ReduceOp.MEAN, per_replica, axis=None)

    if replicas == 1:
      return compiled
    return tf.function(distributed)

  def train_step(self, batch) -> tf.Tensor:
    """One optimisation step on a batch dict; returns the data loss (no l2)."""
    return self._train_step(batch)

  # ------------------------------------------------------------------ state
  def _load_state(self) -> dict:
    state = json.loads(self.state_json.numpy().decode())
    state.setdefault("curve", [])
    state.setdefault("evals", [])
    state.setdefault("best", None)
    state.setdefault("bad_evals", 0)
    state.setdefault("train_time_s", 0.0)
    state.setdefault("eval_time_s", 0.0)
    state.setdefault("stopped_early", False)
    return state

  def _save(self, state: dict):
    self.state_json.assign(json.dumps(state))
    self.manager.save(checkpoint_number=int(self.epoch.numpy()))

  def restore(self) -> bool:
    """Restores the latest resumable checkpoint if any; returns whether one was found."""
    latest = self.manager.latest_checkpoint
    if not latest:
      return False
    # Everything but the dropout RNG states must match; those are restored on their own so that
    # a checkpoint written before their keys were made stable still resumes (inexactly).
    tf.train.Checkpoint(model=self.model, optimizer=self.optimizer, epoch=self.epoch,
                        state=self.state_json).restore(latest).expect_partial(
                        ).assert_existing_objects_matched()
    rng = tf.train.Checkpoint(rng=self.rng_states).restore(latest).expect_partial()
    try:
      rng.assert_existing_objects_matched()
    except AssertionError:
      self.stream.write(f"warning: {latest} holds no dropout RNG state under the current names "
                        "(older sasrec_tf): weights and optimizer are restored, but the dropout "
                        "masks will differ from an uninterrupted run\n")
    return True

  # ------------------------------------------------------------------ loop
  def _evaluate(self, epoch: int, state: dict):
    t0 = time.monotonic()
    valid = self.evaluate_fn(self.model, "valid", epoch)
    test = self.evaluate_fn(self.model, "test", epoch)
    state["eval_time_s"] += time.monotonic() - t0
    entry = {"epoch": epoch, "valid": valid, "test": test}
    state["evals"].append(entry)
    metric = self.config.select_metric
    improved = state["best"] is None or valid[metric] > state["best"]["valid"][metric]
    if improved:
      state["best"] = entry
      state["bad_evals"] = 0
      self.best_manager.save(checkpoint_number=epoch)
    else:
      state["bad_evals"] += 1
    with self.writer.as_default(step=epoch):
      for stage, metrics in (("valid", valid), ("test", test)):
        for k, v in metrics.items():
          if isinstance(v, (int, float)) and k != "num_users":
            _scalar(f"{stage}/{k}", v)
    self.stream.write(
        f"epoch {epoch}: valid {metric} {valid[metric]:.4f} HR@10 {valid.get('HR@10', float('nan')):.4f}"
        f" | test {metric} {test[metric]:.4f} HR@10 {test.get('HR@10', float('nan')):.4f}"
        f"{' *' if improved else ''}\n")
    self.stream.flush()
    if self.on_evaluate is not None:
      self.on_evaluate(self._finish(state))
    return improved

  def fit(self) -> dict:
    """Runs (or resumes) training; returns the history dict (also stored in the checkpoint).

    History keys: curve (per-epoch loss and seconds), evals (per-evaluation valid/test metrics),
    best (the evaluation with the best validation metric), epochs_run, train_time_s,
    eval_time_s, stopped_early, resumed_from_epoch.
    """
    cfg = self.config
    resumed = self.restore()
    state = self._load_state()
    start_epoch = int(self.epoch.numpy())
    state["resumed_from_epoch"] = start_epoch if resumed else None
    if resumed:
      self.stream.write(f"resuming from epoch {start_epoch} ({self.manager.latest_checkpoint})\n")
    if state["stopped_early"] or start_epoch >= cfg.num_epochs:
      return self._finish(state)
    steps = self.sampler.steps_per_epoch
    data = self.sampler.dataset(start_epoch * steps, (cfg.num_epochs - start_epoch) * steps)
    if self.strategy.num_replicas_in_sync > 1:
      data = self.strategy.experimental_distribute_dataset(data)
    it = iter(data)
    progress = Progress(cfg.num_epochs, "epoch", self.stream, cfg.log_every_s,
                        start_done=start_epoch)
    for epoch in range(start_epoch + 1, cfg.num_epochs + 1):
      t0 = time.monotonic()
      total = tf.constant(0.0)
      for _ in range(steps):
        total += self.train_step(next(it))
      mean_loss = float(total.numpy()) / steps
      seconds = time.monotonic() - t0
      state["train_time_s"] += seconds
      state["curve"].append({"epoch": epoch, "loss": mean_loss, "seconds": seconds})
      if not math.isfinite(mean_loss):
        raise FloatingPointError(f"training loss became {mean_loss} at epoch {epoch}")
      with self.writer.as_default(step=epoch):
        _scalar("train/loss", mean_loss)
        _scalar("train/seconds_per_epoch", seconds)
      self.epoch.assign(epoch)
      progress.update(epoch, f"loss {mean_loss:.4f} {seconds:.1f}s/epoch")
      stop = False
      if self.evaluate_fn is not None and (epoch % cfg.eval_every == 0 or epoch == cfg.num_epochs):
        improved = self._evaluate(epoch, state)
        if not improved and cfg.patience is not None and state["bad_evals"] >= cfg.patience:
          state["stopped_early"] = True
          stop = True
          self.stream.write(f"early stop at epoch {epoch}: no better validation "
                            f"{cfg.select_metric} in {cfg.patience} evaluations\n")
      if stop or epoch % cfg.checkpoint_every == 0 or epoch == cfg.num_epochs:
        self._save(state)
      if stop:
        break
    self.writer.flush()
    return self._finish(state)

  def _finish(self, state: dict) -> dict:
    history = dict(state)
    history["epochs_run"] = int(self.epoch.numpy())
    return history
