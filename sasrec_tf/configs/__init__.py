"""Hyper-parameters of every paper row, in one place (scripts never restate them)."""

from __future__ import annotations

from sasrec_tf.configs import sasrec

# Settings that are not model hyper-parameters, with their defaults (original code behaviour).
TRAINING_DEFAULTS = dict(
    batch_size=128, learning_rate=1e-3, beta_1=0.9, beta_2=0.98, epsilon=1e-8, num_epochs=201,
    eval_every=20, patience=None, loss_form="code", loss_reduction="mean", jit_compile=False,
    checkpoint_every=1)

EVALUATION_DEFAULTS = dict(
    eval_protocol="sampled", num_negatives=100, eval_exclusion=None, eval_max_users=10000,
    tie_break="random", eval_batch_size=512)


def defaults(model: str, dataset: str) -> dict:
  """All settings of ``model`` on ``dataset``: training + evaluation + the paper's model settings."""
  base = {**TRAINING_DEFAULTS, **EVALUATION_DEFAULTS}
  if model in ("sasrec",):
    return {**base, **sasrec.paper_defaults(dataset)}
  if model == "pop":
    per = sasrec.PER_DATASET.get(dataset, dict(max_len=50))
    return {**base, "max_len": per["max_len"], "pop_count_on": "train"}
  raise ValueError(f"unknown model {model!r}")
