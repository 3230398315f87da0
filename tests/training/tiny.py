"""A tiny learnable dataset, a tiny-model factory and a trainer factory for the training tests."""

import io

import numpy as np

from sasrec_tf.data.sampler import TrainingSampler
from sasrec_tf.data.sequences import SequenceDataset, split_leave_one_out
from sasrec_tf.models import SASRec
from sasrec_tf.training.trainer import TrainConfig, Trainer

NUM_ITEMS = 40


def chain_split(num_users=64, num_items=NUM_ITEMS, seed=0):
  """Every user reads a run of consecutive items: item i is always followed by i + 1."""
  rng = np.random.default_rng(seed)
  users, items = [], []
  for u in range(1, num_users + 1):
    length = int(rng.integers(4, 12))
    start = int(rng.integers(1, num_items - length + 2))
    if u == num_users:
      start = num_items - length + 1  # someone holds the largest id
    users += [u] * length
    items += list(range(start, start + length))
  return split_leave_one_out(SequenceDataset.from_pairs("chain", np.array(users),
                                                        np.array(items)))


def tiny_model(split, **kwargs):
  args = dict(num_items=split.num_items, max_len=8, hidden_units=8, num_blocks=1,
              dropout_rate=0.3, seed=0)
  args.update(kwargs)
  return SASRec(**args)


def make_trainer(model, split, output_dir, evaluate_fn=None, batch_size=16, seed=0, **config):
  sampler = TrainingSampler(split, model.max_len, batch_size, seed=seed)
  model.save_model_config(str(output_dir))
  return Trainer(model, sampler, evaluate_fn, TrainConfig(**config), str(output_dir),
                 stream=io.StringIO())
