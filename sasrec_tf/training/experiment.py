"""One run = one model on one dataset with one seed; the building block of every table script."""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Dict, Mapping, Optional

import numpy as np

from sasrec_tf import configs
from sasrec_tf.reporting.files import atomic_write_json, read_json
from sasrec_tf.reporting.provenance import collect_provenance
from sasrec_tf.training.scoring import ModelScorer, StaticScorer  # noqa: F401  (re-exported)

RESULTS_FILE = "results.json"
TRAIN_KEYS = ("num_epochs", "optimizer", "learning_rate", "beta_1", "beta_2", "epsilon",
              "eval_every", "patience", "loss_form", "loss_reduction", "jit_compile",
              "checkpoint_every")
# Trainer settings passed only when a model's defaults have them (else TrainConfig's default).
OPTIONAL_TRAIN_KEYS = ("select_metric", "initial_accumulator", "momentum")
# Settings added after runs had been made, with the value every earlier run used: a stored
# run's settings lacking one of them are read with it (table_runner.adopt_runs).
LEGACY_SETTINGS = {"optimizer": "adam"}
# Settings every model accepts as overrides even when its defaults do not list them.
RUN_KEYS = ("eval_seed", "distribution") + OPTIONAL_TRAIN_KEYS


def available_models():
  """Every model name ``run_experiment`` accepts."""
  from sasrec_tf.models.registry import available_models as names  # pylint: disable=import-outside-toplevel
  return names()


def resolve_settings(model: str, dataset: str, overrides: Optional[Mapping[str, Any]] = None,
                     num_epochs: Optional[int] = None) -> Dict[str, Any]:
  """Paper defaults of (model, dataset) updated by ``overrides``; unknown keys are an error."""
  from sasrec_tf.models.registry import get_spec  # pylint: disable=import-outside-toplevel
  spec = get_spec(model)
  settings = configs.defaults(model, dataset)
  unknown = set(overrides or {}) - set(settings) - set(spec.model_keys) - set(RUN_KEYS)
  if unknown:
    raise ValueError(f"unknown setting(s) for {model}: {sorted(unknown)}")
  settings.update(overrides or {})
  if num_epochs is not None:
    settings["num_epochs"] = int(num_epochs)
  return settings


def load_split(dataset: str, data_dir: Optional[str] = None):
  """Loads the registered dataset and returns its leave-one-out split."""
  from sasrec_tf.data.loader import load_dataset  # pylint: disable=import-outside-toplevel
  from sasrec_tf.data.sequences import split_leave_one_out  # pylint: disable=import-outside-toplevel
  return split_leave_one_out(load_dataset(dataset, data_dir=data_dir))


def make_evaluator(split, settings: Mapping[str, Any], seed: int):
  from sasrec_tf.evaluation.evaluator import Evaluator  # pylint: disable=import-outside-toplevel
  return Evaluator(
      split, settings["max_len"], protocol=settings["eval_protocol"],
      num_negatives=settings["num_negatives"], exclusion=settings["eval_exclusion"],
      max_users=settings["eval_max_users"], batch_size=settings["eval_batch_size"],
      seed=settings.get("eval_seed", seed), tie_break=settings["tie_break"])


def load_model_split(spec, dataset: str, data_dir: Optional[str], settings: Mapping[str, Any]):
  """The split ``spec``'s model trains on: its own loader, else leave-one-out of ``dataset``."""
  if spec.load_split is not None:
    return spec.load_split(dataset, data_dir, settings)
  return load_split(dataset, data_dir)


def build_model(spec, split, settings: Mapping[str, Any], seed: int,
                data_dir: Optional[str] = None):
  """``spec.build`` with the side-file directory when the model reads side files."""
  if spec.build_needs_data_dir:
    return spec.build(split, settings, int(seed), data_dir=data_dir)
  return spec.build(split, settings, int(seed))


def make_sampler(spec, split, settings: Mapping[str, Any], seed: int):
  """The model's training sampler (the SASRec ``TrainingSampler`` unless the spec has one)."""
  if spec.make_sampler is not None:
    return spec.make_sampler(split, settings, int(seed))
  from sasrec_tf.data.sampler import TrainingSampler  # pylint: disable=import-outside-toplevel
  return TrainingSampler(split, settings["max_len"], settings["batch_size"], seed=int(seed))


def train_config(settings: Mapping[str, Any]):
  """The ``TrainConfig`` of resolved ``settings``."""
  from sasrec_tf.training import trainer as trainer_lib  # pylint: disable=import-outside-toplevel
  return trainer_lib.TrainConfig(**{k: settings[k] for k in TRAIN_KEYS},
                                 **{k: settings[k] for k in OPTIONAL_TRAIN_KEYS
                                    if settings.get(k) is not None})


SETTINGS_FILE = "settings.json"


class SettingsMismatchError(ValueError):
  """An output directory holds a run made with other settings."""


def _check_same_settings(output_dir: str, model: str, dataset: str, seed: int,
                         settings: Mapping[str, Any]):
  """Records the run's identity in ``settings.json``, or checks it against the stored one.

  Raises:
    SettingsMismatchError: naming the settings that differ, so that an old result or checkpoint
      is never silently reused for a different configuration.
  """
  from sasrec_tf.reporting.files import to_jsonable  # pylint: disable=import-outside-toplevel
  identity = to_jsonable({"model": model, "dataset": dataset, "seed": int(seed),
                          "settings": dict(settings)})
  path = os.path.join(output_dir, SETTINGS_FILE)
  if not os.path.exists(path):
    atomic_write_json(path, identity)
    return
  stored = read_json(path)
  if stored == identity:
    return
  diff = []
  for key in ("model", "dataset", "seed"):
    if stored.get(key) != identity[key]:
      diff.append(f"{key}: {stored.get(key)!r} -> {identity[key]!r}")
  old, new = stored.get("settings", {}), identity["settings"]
  for key in sorted(set(old) | set(new)):
    if old.get(key) != new.get(key):
      diff.append(f"{key}: {old.get(key)!r} -> {new.get(key)!r}")
  raise SettingsMismatchError(
      f"{output_dir} holds a run with other settings ({'; '.join(diff)}); use another "
      f"--output_dir, or delete that directory to start over")


def _existing_complete(output_dir: str) -> Optional[dict]:
  path = os.path.join(output_dir, RESULTS_FILE)
  if os.path.exists(path):
    result = read_json(path)
    if result.get("status") in ("complete", "stopped_early"):
      return result
  return None


def run_experiment(model: str, dataset: str, overrides: Optional[Mapping[str, Any]] = None,
                   seed: int = 0, output_dir: str = "runs/default", data_dir: Optional[str] = None,
                   num_epochs: Optional[int] = None, argv=None, flags=None,
                   split=None, stream=None, reuse: bool = True) -> Dict[str, Any]:
  """Trains (if needed) and evaluates ``model`` on ``dataset``; writes ``output_dir/results.json``.

  A finished run in ``output_dir`` is returned as is and an interrupted one resumes from its
  last checkpoint, provided it was made with the same model, dataset, seed and settings
  (``SettingsMismatchError`` otherwise); ``reuse=False`` deletes ``output_dir`` and starts over. ``results.json`` is rewritten after every evaluation with
  ``status: "running"`` so a long run always has its latest numbers on disk.

  Returns:
    The results dict: valid/test metrics at the best validation epoch, best_epoch, curve, evals,
    epochs_run, train_time_s, eval_time_s, wall_time_s, seconds_per_epoch, settings, provenance.
  """
  from sasrec_tf.models.registry import get_spec  # pylint: disable=import-outside-toplevel
  spec = get_spec(model)
  stream = stream or sys.stderr
  settings = resolve_settings(model, dataset, overrides, num_epochs)
  if not reuse and os.path.isdir(output_dir):
    import shutil  # pylint: disable=import-outside-toplevel
    shutil.rmtree(output_dir)
  if os.path.exists(os.path.join(output_dir, SETTINGS_FILE)):
    _check_same_settings(output_dir, model, dataset, seed, settings)
    done = _existing_complete(output_dir)
    if done is not None:
      return done
  provenance = collect_provenance(argv=argv, flags=flags if flags is not None else settings,
                                  seeds=[seed])
  t_start = time.monotonic()
  if split is None:
    # Before creating anything: bad data leaves no run directory behind.
    split = load_model_split(spec, dataset, data_dir, settings)
  if spec.requires_timestamps and getattr(split, "train_times", None) is None:
    raise ValueError(f"{model} needs timestamps, and dataset {dataset!r} has none (the SASRec "
                     "'user item' text format carries no time); use a dataset read from a "
                     "timestamped source (ratings.dat, u.data, Amazon csv, Steam), e.g. "
                     "--dataset=ml-1m-raw (ML-1M ratings.dat, TiSASRec preprocessing), ml-100k, "
                     "beauty-raw, games-raw or steam-raw")
  os.makedirs(output_dir, exist_ok=True)
  _check_same_settings(output_dir, model, dataset, seed, settings)
  evaluator = (spec.make_evaluator or make_evaluator)(split, settings, seed)
  base = {"model": model, "dataset": dataset, "seed": int(seed), "settings": settings,
          "num_users": split.num_users, "num_items": split.num_items, "provenance": provenance}

  if spec.build is None:
    scorer = StaticScorer(spec.static(split, settings))
    result = {**base, "valid": evaluator.evaluate(scorer, "valid"),
              "test": evaluator.evaluate(scorer, "test"), "best_epoch": 0, "epochs_run": 0,
              "train_time_s": 0.0, "status": "complete",
              "wall_time_s": time.monotonic() - t_start}
    atomic_write_json(os.path.join(output_dir, RESULTS_FILE), result)
    return result

  import keras  # pylint: disable=import-outside-toplevel
  from sasrec_tf.training import trainer as trainer_lib  # pylint: disable=import-outside-toplevel

  keras.utils.set_random_seed(int(seed))
  strategy = trainer_lib.make_strategy(settings.get("distribution", "default"))
  with strategy.scope():
    net = build_model(spec, split, settings, seed, data_dir)
  net.save_model_config(output_dir)
  sampler = make_sampler(spec, split, settings, seed)
  scorer = ModelScorer(net, extra_keys=spec.score_keys,
                         jit_compile=bool(settings.get("jit_compile")))

  def evaluate_fn(_, stage, epoch):
    return evaluator.evaluate(scorer, stage)

  def write(history, status):
    best = history.get("best") or {}
    curve = history.get("curve", [])
    result = {**base, "valid": best.get("valid"), "test": best.get("test"),
              "best_epoch": best.get("epoch"), "epochs_run": len(curve) and curve[-1]["epoch"],
              "train_time_s": history.get("train_time_s"),
              "eval_time_s": history.get("eval_time_s"),
              "seconds_per_epoch": (float(np.median([c["seconds"] for c in curve]))
                                    if curve else None),
              "resumed_from_epoch": history.get("resumed_from_epoch"),
              "wall_time_s": time.monotonic() - t_start,
              "status": status, "curve": curve, "evals": history.get("evals", [])}
    atomic_write_json(os.path.join(output_dir, RESULTS_FILE), result)
    return result

  trainer = trainer_lib.Trainer(net, sampler, evaluate_fn, train_config(settings), output_dir,
                                strategy=strategy, stream=stream,
                                on_evaluate=lambda h: write(h, "running"))
  history = trainer.fit()
  return write(history, "stopped_early" if history["stopped_early"] else "complete")


# Settings that only change how a trained model is scored (safe to vary after training).
EVAL_KEYS = tuple(configs.EVALUATION_DEFAULTS) + ("eval_seed",)


def evaluate_run(output_dir: str, eval_overrides: Mapping[str, Any],
                 data_dir: Optional[str] = None, split=None, reuse: bool = True,
                 argv=None) -> Dict[str, Any]:
  """Scores the best checkpoint of a finished run under other evaluation settings.

  The model and its selected epoch are those of the run (chosen on validation under the run's
  own protocol); only the evaluation changes, e.g. ``{"num_negatives": 1000}``. The result is
  written to ``output_dir/eval_<hash>/results.json`` and reused when present (``reuse``).

  Returns:
    The run's results dict with valid/test replaced by the new evaluation, plus
    ``eval_overrides``, ``evaluated_from`` (``output_dir``) and the new evaluation's provenance.

  Raises:
    ValueError: a key of ``eval_overrides`` is not an evaluation setting, or the run in
      ``output_dir`` has not finished.
  """
  import hashlib  # pylint: disable=import-outside-toplevel
  import json  # pylint: disable=import-outside-toplevel
  from sasrec_tf.models.registry import get_spec  # pylint: disable=import-outside-toplevel
  from sasrec_tf.reporting.files import to_jsonable  # pylint: disable=import-outside-toplevel
  bad = set(eval_overrides) - set(EVAL_KEYS)
  if bad:
    raise ValueError(f"not evaluation settings: {sorted(bad)} (allowed: {EVAL_KEYS})")
  trained = _existing_complete(output_dir)
  if trained is None:
    raise ValueError(f"{output_dir} holds no finished run to evaluate")
  eval_overrides = to_jsonable(dict(eval_overrides))
  digest = hashlib.sha1(json.dumps(eval_overrides, sort_keys=True).encode()).hexdigest()[:10]
  eval_dir = os.path.join(output_dir, f"eval_{digest}")
  path = os.path.join(eval_dir, RESULTS_FILE)
  if reuse and os.path.exists(path):
    stored = read_json(path)
    if stored.get("eval_overrides") == eval_overrides and stored.get("status") == "complete":
      return stored
  model, dataset, seed = trained["model"], trained["dataset"], int(trained["seed"])
  settings = {**trained["settings"], **eval_overrides}
  spec = get_spec(model)
  provenance = collect_provenance(argv=argv, flags=settings, seeds=[seed])
  t_start = time.monotonic()
  if split is None:
    split = load_model_split(spec, dataset, data_dir, trained["settings"])
  evaluator = (spec.make_evaluator or make_evaluator)(split, settings, seed)
  if spec.build is None:
    scorer = StaticScorer(spec.static(split, settings))
  else:
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    from sasrec_tf.training import checkpoints as ckpt_lib  # pylint: disable=import-outside-toplevel
    net = build_model(spec, split, trained["settings"], seed, data_dir)
    net.build_for_inputs()
    ckpt = tf.train.latest_checkpoint(os.path.join(output_dir, ckpt_lib.BEST_DIR))
    if ckpt is None:
      raise ValueError(f"{output_dir} has no best checkpoint to evaluate")
    tf.train.Checkpoint(model=net).read(ckpt).expect_partial().assert_existing_objects_matched()
    scorer = ModelScorer(net, extra_keys=spec.score_keys,
                         jit_compile=bool(settings.get("jit_compile")))
  result = dict(trained)
  result.update(valid=evaluator.evaluate(scorer, "valid"), test=evaluator.evaluate(scorer, "test"),
                settings=settings, eval_overrides=eval_overrides, evaluated_from=output_dir,
                training_provenance=trained.get("provenance"), provenance=provenance,
                eval_wall_time_s=time.monotonic() - t_start, status="complete")
  atomic_write_json(path, result)
  return result
