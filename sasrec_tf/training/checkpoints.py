"""Checkpoint helpers: dropout RNG state, best-model directory, restoring a model for inference."""

from __future__ import annotations

import json
import os

import keras
import tensorflow as tf

BEST_DIR = "best"
RESUME_DIR = "checkpoints"


def seed_generator_states(model) -> dict:
  """Every Keras SeedGenerator state variable reachable from ``model``, keyed by a stable name.

  ``tf.train.Checkpoint`` does not track them on its own; without them a resumed run would draw
  different dropout masks than an uninterrupted one. The key is the chain of public attribute
  names from the model (e.g. ``block_0.attention.dropout.seed_generator``): the same in every
  process and for every instance, unlike layer names and paths, which carry process-wide
  auto-numbering (``dropout_7``, ``sas_rec_3/...``) or are None for weightless layers.
  """
  states, seen = {}, set()

  def visit(layer, prefix):
    if id(layer) in seen:
      return
    seen.add(id(layer))
    for attr, value in sorted(vars(layer).items()):
      if attr.startswith("_"):
        continue
      if isinstance(value, keras.random.SeedGenerator):
        states[prefix + attr] = value.state
      elif isinstance(value, keras.layers.Layer):
        visit(value, f"{prefix}{attr}.")
      elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
          if isinstance(item, keras.layers.Layer):
            visit(item, f"{prefix}{attr}.{i}.")

  visit(model, "")
  return states


def restore_model(model_cls, directory: str):
  """Builds ``model_cls`` from ``model_config.json`` and restores the newest checkpoint.

  Looks in ``directory/best`` first, then ``directory`` itself, then ``directory/checkpoints``.
  Raises FileNotFoundError naming the directories tried.
  """
  from sasrec_tf.models.persistence import CONFIG_FILE  # pylint: disable=import-outside-toplevel
  candidates = [os.path.join(directory, BEST_DIR), directory, os.path.join(directory, RESUME_DIR)]
  for d in candidates:
    cfg_path = os.path.join(d, CONFIG_FILE)
    if not os.path.exists(cfg_path):
      cfg_path = os.path.join(directory, CONFIG_FILE)
    ckpt = tf.train.latest_checkpoint(d)
    if ckpt and os.path.exists(cfg_path):
      with open(cfg_path) as f:
        config = json.load(f)["config"]
      model = model_cls(**config).build_for_inputs()
      status = tf.train.Checkpoint(model=model).read(ckpt).expect_partial()
      # Every model variable must come from the checkpoint: a partial restore (e.g. a checkpoint
      # written before the blocks were tracked) would return randomly initialised weights.
      status.assert_existing_objects_matched()
      return model
  raise FileNotFoundError(
      f"no model checkpoint with {CONFIG_FILE} found in any of: {', '.join(candidates)}")
