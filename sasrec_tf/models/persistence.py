"""Config persistence shared by every trained model: rebuild from ``model_config.json`` + checkpoint."""

from __future__ import annotations

import json
import os

CONFIG_FILE = "model_config.json"


class ConfigPersistence:
  """Mixin for keras.Models whose constructor arguments are stored in ``self.hparams``.

  Gives ``get_config``/``from_config`` (Keras serialisation), ``save_model_config(dir)`` (atomic
  write of ``model_config.json``) and ``from_checkpoint(dir)`` (rebuild + restore the run's best
  checkpoint through ``training.checkpoints.restore_model``). Put it before ``keras.Model`` in the
  bases so that its ``get_config`` wins.
  """

  def get_config(self):
    return dict(self.hparams)

  @classmethod
  def from_config(cls, config):
    return cls(**config)

  def save_model_config(self, directory: str):
    """Writes ``model_config.json`` so that ``from_checkpoint(directory)`` can rebuild the model."""
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, CONFIG_FILE + ".tmp")
    with open(tmp, "w") as f:
      json.dump({"class": type(self).__name__, "config": self.get_config()}, f, indent=1)
    os.replace(tmp, os.path.join(directory, CONFIG_FILE))

  @classmethod
  def from_checkpoint(cls, directory: str):
    """Restores a trained model from a run's output directory (its best checkpoint if present).

    Accepts the ``output_dir`` of ``experiments/train.py`` or a directory holding
    ``model_config.json`` and a TF checkpoint.
    """
    from sasrec_tf.training.checkpoints import restore_model  # pylint: disable=import-outside-toplevel
    return restore_model(cls, directory)
