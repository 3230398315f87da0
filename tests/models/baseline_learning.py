"""Helper of the baseline learning tests: train a baseline briefly on the chain data, evaluate."""

import io

import keras

from sasrec_tf import configs
from sasrec_tf.evaluation.evaluator import Evaluator
from sasrec_tf.models import registry
from sasrec_tf.models.pop import PopRec
from sasrec_tf.training.experiment import ModelScorer, StaticScorer
from sasrec_tf.training.trainer import TrainConfig, Trainer

# Small, fast settings shared by every model (the chain data has 40 items and 64 users).
SMALL = dict(hidden_units=16, batch_size=16)
PER_MODEL = {
    "caser": dict(max_len=3, target_len=2, train_negatives=2, caser_nv=2, caser_nh=4,
                  dropout_rate=0.0),
    "gru4rec": dict(max_len=8, dropout_rate=0.0, learning_rate=0.1),
    "gru4rec_plus": dict(max_len=8, gru_n_sample=16, learning_rate=0.1),
    "stamp": dict(max_len=8),
    "lstm": dict(learning_rate=0.1),
}
ADAM_LR = 0.02
EPOCHS = 8


def full_evaluator(split, max_len):
  """Full ranking over all items, every user (a much stronger contrast than 100 negatives)."""
  return Evaluator(split, max_len, protocol="full", max_users=None, seed=0)


def poprec_ndcg(split):
  return full_evaluator(split, 1).evaluate(StaticScorer(PopRec(split)), "test")["NDCG@10"]


def train_briefly(name, split, tmp_path, epochs=EPOCHS):
  """Trains ``name`` with its defaults + SMALL for ``epochs`` epochs on ``split``.

  Returns:
    (per-epoch mean losses, test metrics under the full-ranking protocol).
  """
  settings = configs.defaults(name, "games")
  settings.update(SMALL)
  if settings["optimizer"] == "adam":
    settings["learning_rate"] = ADAM_LR
  settings.update(PER_MODEL.get(name, {}))
  spec = registry.get_spec(name)
  keras.utils.set_random_seed(0)
  model = spec.build(split, settings, 0)
  sampler = spec.make_sampler(split, settings, 0)
  config = TrainConfig(num_epochs=epochs, optimizer=settings["optimizer"],
                       learning_rate=settings["learning_rate"],
                       beta_2=settings.get("beta_2", 0.98), epsilon=settings["epsilon"],
                       initial_accumulator=settings.get("initial_accumulator", 0.1),
                       momentum=settings.get("momentum", 0.0),
                       checkpoint_every=epochs)
  trainer = Trainer(model, sampler, None, config, str(tmp_path), stream=io.StringIO())
  history = trainer.fit()
  scorer = ModelScorer(model, extra_keys=spec.score_keys)
  metrics = full_evaluator(split, settings["max_len"]).evaluate(scorer, "test")
  return [c["loss"] for c in history["curve"]], metrics
