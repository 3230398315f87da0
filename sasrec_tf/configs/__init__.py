"""Hyper-parameters of every paper row, in one place (scripts never restate them).

Each paper has a module here (``sasrec``, ...) that defines
  * ``MODEL_DEFAULTS``: model name -> ``f(dataset) -> dict`` of that paper's settings for the model;
  * ``FLAGS``: flag name -> (type, help) for the hyper-parameters it adds (every flag defaults to
    None = "the paper's value"; see ``configs.flags``).
Register a new paper module in ``PAPER_MODULES``.
"""

from __future__ import annotations

import importlib
from typing import Dict, Tuple

# Settings that are not model hyper-parameters, with their defaults (original code behaviour).
TRAINING_DEFAULTS = dict(
    batch_size=128, optimizer="adam", learning_rate=1e-3, beta_1=0.9, beta_2=0.98, epsilon=1e-8,
    num_epochs=201, eval_every=20, patience=None, loss_form="code", loss_reduction="mean",
    jit_compile=False, checkpoint_every=1)

EVALUATION_DEFAULTS = dict(
    eval_protocol="sampled", num_negatives=100, eval_exclusion=None, eval_max_users=10000,
    tie_break="random", eval_batch_size=512)

# Paper config modules under sasrec_tf.configs (each with MODEL_DEFAULTS and FLAGS).
PAPER_MODULES: Tuple[str, ...] = ("sasrec", "ssept", "attrec", "sasfpt", "baselines",)


def paper_modules():
  """The imported paper config modules, in PAPER_MODULES order."""
  return [importlib.import_module(f"sasrec_tf.configs.{name}") for name in PAPER_MODULES]


def model_defaults() -> Dict[str, object]:
  """model name -> f(dataset) -> settings, merged over every paper module."""
  out = {}
  for module in paper_modules():
    out.update(module.MODEL_DEFAULTS)
  return out


def defaults(model: str, dataset: str) -> dict:
  """All settings of ``model`` on ``dataset``: training + evaluation + the paper's model settings.

  Raises:
    ValueError: unknown model, or a dataset the model has no settings for.
  """
  table = model_defaults()
  if model not in table:
    raise ValueError(f"no settings for model {model!r}; known: {sorted(table)}")
  return {**TRAINING_DEFAULTS, **EVALUATION_DEFAULTS, **table[model](dataset)}
