"""Model registry: how ``run_experiment`` builds, trains and scores each named model.

Every model name that ``experiments/train.py --model=NAME`` accepts maps to a ``ModelSpec``. The
spec lives in the model's own module (attribute ``MODEL_SPECS``: a dict name -> ModelSpec), and
``_MODULES`` below says which module holds which names, so that looking a name up imports only that
model (and nothing heavy happens while flags are parsed).

A trained model is a ``keras.Model`` with:
  * ``score(seq, candidates, users=None, **extra)`` -> [B, C] and ``score_all(seq, users=None,
    **extra)`` -> [B, num_items + 1] (higher is better; distance models return minus distances);
  * either ``training_logits(batch, training)`` -> (pos, neg) logits [B, n] (trained with the
    SASRec masked BCE) or ``train_loss(batch, training)`` -> scalar data loss (any other loss);
  * ``regularization_loss()`` -> scalar added to the data loss;
  * optionally ``after_train_step()`` (run inside the compiled step after the update, e.g. norm
    clipping) and ``build_for_inputs()`` (creates every variable before a checkpoint restore);
  * ``save_model_config(dir)`` / ``from_checkpoint(dir)``.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

# model name -> module that defines it in MODEL_SPECS. Add a line when a model lands.
_MODULES: Dict[str, str] = {
    "pop": "sasrec_tf.models.pop",
    "sasrec": "sasrec_tf.models.sasrec",
    "attrec": "sasrec_tf.models.attrec",
    "ssept": "sasrec_tf.models.ssept",
    "ssept_pp": "sasrec_tf.models.ssept",
    "pt": "sasrec_tf.models.ssept",
    "sse_sasrec": "sasrec_tf.models.ssept",
    "tisasrec": "sasrec_tf.models.tisasrec",
    "tisasrec_plus": "sasrec_tf.models.tisasrec",
    "tisasrec_pp": "sasrec_tf.models.tisasrec",
    "sasfpt": "sasrec_tf.models.sasfpt",
    "bpr": "sasrec_tf.models.baselines.bpr",
    "fmc": "sasrec_tf.models.baselines.fmc",
    "fpmc": "sasrec_tf.models.baselines.fpmc",
    "transrec": "sasrec_tf.models.baselines.transrec",
    "gru4rec": "sasrec_tf.models.baselines.gru4rec",
    "gru4rec_plus": "sasrec_tf.models.baselines.gru4rec",
    "caser": "sasrec_tf.models.baselines.caser",
    "stamp": "sasrec_tf.models.baselines.stamp",
    "hgn": "sasrec_tf.models.baselines.hgn",
    "hrm": "sasrec_tf.models.baselines.hrm",
    "prme": "sasrec_tf.models.baselines.prme",
    "lstm": "sasrec_tf.models.baselines.lstm",
}


@dataclasses.dataclass(frozen=True)
class ModelSpec:
  """What the experiment runner needs to know about one model name.

  Attributes:
    name: registry name (``--model``).
    model_keys: settings passed to ``build`` as model hyper-parameters (also accepted as
      overrides by ``resolve_settings``).
    build: ``(split, settings, seed) -> keras.Model`` created inside the strategy scope; None for a
      model without training (``static`` is used instead).
    static: ``(split, settings) -> scorer`` for models that are not trained (PopRec).
    make_sampler: ``(split, settings, seed) -> sampler`` with ``steps_per_epoch`` and
      ``dataset(first_step, num_steps)``; None = the SASRec ``TrainingSampler``.
    make_evaluator: ``(split, settings, seed) -> Evaluator``; None = the standard one.
    load_split: ``(dataset, data_dir, settings) -> split``; None = leave-one-out of the registered
      dataset.
    score_keys: evaluator batch keys passed to ``score``/``score_all`` besides seqs/candidates,
      e.g. ("users",) or ("users", "times"); "users" is passed as ``users=``, others by name.
    requires_timestamps: the model cannot train on a dataset without timestamps.
    build_needs_data_dir: ``build`` takes a ``data_dir=`` keyword (side files such as users.dat).
  """

  name: str
  model_keys: Tuple[str, ...] = ()
  build: Optional[Callable[..., Any]] = None
  static: Optional[Callable[..., Any]] = None
  make_sampler: Optional[Callable[..., Any]] = None
  make_evaluator: Optional[Callable[..., Any]] = None
  load_split: Optional[Callable[..., Any]] = None
  score_keys: Tuple[str, ...] = ()
  requires_timestamps: bool = False
  build_needs_data_dir: bool = False


def available_models() -> Tuple[str, ...]:
  """Every registered model name."""
  return tuple(_MODULES)


def get_spec(name: str) -> ModelSpec:
  """The ModelSpec of ``name``.

  Raises:
    NotImplementedModelError: ``name`` is not a registered model.
  """
  if name not in _MODULES:
    from sasrec_tf.reporting.errors import NotImplementedModelError  # pylint: disable=import-outside-toplevel
    raise NotImplementedModelError(
        f"model {name!r} is not implemented (have: {', '.join(available_models())})")
  module = importlib.import_module(_MODULES[name])
  specs: Mapping[str, ModelSpec] = getattr(module, "MODEL_SPECS")
  return specs[name]
