"""absl flags shared by every experiment script, grouped and validated in one place.

Every hyper-parameter flag defaults to None, meaning "the paper's value for this model and
dataset" (from ``sasrec_tf.configs``); only flags given on the command line override it.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Tuple

from absl import flags

# name -> (type, help). Types: int, float, bool, str.
_HPARAMS = {
    # Training (SPEC §3.7).
    "batch_size": (int, "training sequences per batch (128)"),
    "optimizer": (str, "'adam' (SASRec and most models), 'adagrad' (AttRec) or 'sgd'"),
    "learning_rate": (float, "learning rate (Adam: 1e-3)"),
    "beta_2": (float, "Adam beta_2 (original code: 0.98)"),
    "momentum": (float, "heavy-ball momentum of adagrad / sgd (GRU4Rec+'s code: 0.3; default 0)"),
    "eval_every": (int, "evaluate every N epochs (original: 20)"),
    "patience": (int, "stop after N evaluations without a better validation NDCG@10 "
                      "(default: never, as the original code)"),
    "loss_form": (str, "'code': -log(sigmoid+1e-24) as the original; 'stable': softplus"),
    "loss_reduction": (str, "'mean' over non-padding positions (code) or 'sum' (paper text)"),
    "jit_compile": (bool, "compile the train step (and SASRec / SSE-PT scoring) with XLA"),
    "checkpoint_every": (int, "save a resumable checkpoint every N epochs (1)"),
    "distribution": (str, "'default' strategy or 'mirrored' (all local GPUs)"),
    # Evaluation (SPEC §2).
    "eval_protocol": (str, "'sampled' (target + C negatives, papers' protocol) or 'full' ranking"),
    "num_negatives": (int, "C sampled negatives (100; SSE-PT Table 10: 500/1000/2000)"),
    "eval_exclusion": (str, "negatives exclude: 'train' (SASRec code), 'tisasrec' (train+valid+"
                            "test), 'history', 'seen', 'none'"),
    "eval_max_users": (int, "evaluate a random subset of this many users when there are more "
                            "(original: 10000; 0 = all users)"),
    "tie_break": (str, "rank ties: 'random', 'pessimistic' or 'optimistic'"),
    "eval_seed": (int, "seed of the evaluation users/negatives (default: the run seed)"),
}


def all_hparam_flags() -> Dict[str, Tuple[type, str]]:
  """Training/evaluation flags plus every paper module's model flags (first definition wins)."""
  from sasrec_tf import configs  # pylint: disable=import-outside-toplevel
  out = dict(_HPARAMS)
  for module in configs.paper_modules():
    for name, spec in module.FLAGS.items():
      out.setdefault(name, spec)
  return out


_DEFINERS = {int: flags.DEFINE_integer, float: flags.DEFINE_float, bool: flags.DEFINE_bool,
             str: flags.DEFINE_string}


def define_common_flags():
  """Defines --data_dir, --num_epochs and every hyper-parameter flag (idempotent)."""
  if "data_dir" in flags.FLAGS:
    return
  flags.DEFINE_string("data_dir", os.environ.get("SASREC_TF_DATA"),
                      "directory with <dataset>/<file>; default $SASREC_TF_DATA")
  flags.DEFINE_integer("num_epochs", None, "training epochs (paper/original code: 201)")
  for name, (kind, help_text) in all_hparam_flags().items():
    _DEFINERS[kind](name, None, help_text)
  flags.register_validator("eval_protocol", lambda v: v in (None, "sampled", "full"),
                           "--eval_protocol must be 'sampled' or 'full'")
  flags.register_validator("dropout_rate", lambda v: v is None or 0.0 <= v < 1.0,
                           "--dropout_rate must be in [0, 1)")
  for positive in ("max_len", "hidden_units", "num_heads", "batch_size", "eval_every",
                   "num_negatives"):
    flags.register_validator(positive, lambda v: v is None or v > 0, f"--{positive} must be > 0")
  flags.register_validator("num_blocks", lambda v: v is None or v >= 0, "--num_blocks must be >= 0")


def overrides_from_flags(values=None) -> Dict[str, Any]:
  """The hyper-parameter flags the user set (non-None), as a settings dict."""
  values = values or flags.FLAGS
  out = {}
  for name in all_hparam_flags():
    v = getattr(values, name, None)
    if v is not None:
      out[name] = v
  if out.get("eval_max_users") == 0:
    out["eval_max_users"] = None
  return out
