"""Throughput benchmark: sampler, train step (with / without XLA) and evaluation.

  python experiments/bench.py                       # Games (n=50) and ML-1M (n=200), ~5 min on CPU
  python experiments/bench.py --configs=games --steps=20

For each configuration it measures, on the real data:
  * sampler: batches/s of one Python worker (the tf.data pipeline runs several in parallel);
  * train: s/step through the real tf.data pipeline, sequences/s, and s/epoch
    (= steps_per_epoch x s/step), with and without XLA;
  * evaluation: seconds for one sampled-100 evaluation (10,000 users or all) and one full-ranking
    evaluation over every item, each as training scores (length groups without leading padding),
    over full windows (``_full_windows``) and XLA-compiled (``_xla``; first call compiles).
Writes results/bench.json (atomically) with the machine's load average before and after, because
figures taken while other jobs run are slower than on an idle machine.
"""

import os
import sys
import time

from absl import app, flags

flags.DEFINE_list("configs", ["games", "ml-1m"], "datasets to benchmark at their paper settings")
flags.DEFINE_enum("xla", "both", ["off", "on", "both"], "train step with / without XLA")
flags.DEFINE_integer("steps", 30, "timed train steps per configuration (after 3 warm-up steps)")
flags.DEFINE_string("data_dir", os.environ.get("SASREC_TF_DATA"), "data directory")
flags.DEFINE_string("output", "results/bench.json", "where to write the figures")
FLAGS = flags.FLAGS


def _time(fn, repeat=1):
  start = time.perf_counter()
  for _ in range(repeat):
    out = fn()
  return (time.perf_counter() - start) / repeat, out


def bench_config(dataset, xla_modes, steps, data_dir):
  import keras
  from sasrec_tf import configs
  from sasrec_tf.data.sampler import TrainingSampler
  from sasrec_tf.models.sasrec import build_sasrec
  from sasrec_tf.training import experiment
  from sasrec_tf.training.trainer import TrainConfig, Trainer
  import tempfile

  settings = configs.defaults("sasrec", dataset)
  split = experiment.load_split(dataset, data_dir)
  sampler = TrainingSampler(split, settings["max_len"], settings["batch_size"], seed=0)
  sampler_s, _ = _time(lambda: sampler.batch(0), repeat=1)
  sampler_s, _ = _time(lambda: [sampler.batch(i) for i in range(20)])
  out = {"dataset": dataset, "max_len": settings["max_len"], "batch_size": sampler.batch_size,
         "steps_per_epoch": sampler.steps_per_epoch, "num_users": split.num_users,
         "num_items": split.num_items,
         "sampler_batches_per_s_one_worker": 20.0 / sampler_s, "train": {}}
  for xla in xla_modes:
    keras.utils.set_random_seed(0)
    model = build_sasrec(split, settings, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
      trainer = Trainer(model, sampler, None, TrainConfig(jit_compile=xla), tmp,
                        stream=open(os.devnull, "w"))
      it = iter(sampler.dataset(0, steps + 3))
      for _ in range(3):
        trainer.train_step(next(it)).numpy()
      start = time.perf_counter()
      for _ in range(steps):
        loss = trainer.train_step(next(it))
      loss.numpy()
      per_step = (time.perf_counter() - start) / steps
    out["train"]["xla" if xla else "no_xla"] = {
        "seconds_per_step": per_step,
        "sequences_per_s": sampler.batch_size / per_step,
        "seconds_per_epoch": per_step * sampler.steps_per_epoch,
        "sampler_share_of_step": (sampler_s / 20.0) / per_step,
    }
    print(f"{dataset} xla={xla}: {per_step * 1e3:.1f} ms/step, "
          f"{per_step * sampler.steps_per_epoch:.1f} s/epoch", flush=True)
  sampled = experiment.make_evaluator(split, settings, seed=0)
  full = experiment.make_evaluator(
      split, {**settings, "eval_protocol": "full", "eval_max_users": None}, seed=0)
  out["eval"] = {"full_items": split.num_items}
  variants = {"": dict(), "_full_windows": dict(trim_padding=False),
              "_xla": dict(jit_compile=True)}
  for suffix, options in variants.items():
    scorer = experiment.ModelScorer(model, **options)
    for name, evaluator in (("sampled_100", sampled), ("full_ranking", full)):
      warm_s, _ = _time(lambda: evaluator.evaluate(scorer, "valid"))  # draw cached, traced
      seconds, metrics = _time(lambda: evaluator.evaluate(scorer, "valid"))
      out["eval"][f"{name}_seconds{suffix}"] = seconds
      out["eval"][f"{name}_first_call_seconds{suffix}"] = warm_s
      out["eval"][f"{name}_users"] = metrics["num_users"]
      print(f"{dataset} eval {name}{suffix}: {seconds:.2f}s ({metrics['num_users']} users; "
            f"first call {warm_s:.1f}s)", flush=True)
  return out


def main(argv):
  del argv
  from sasrec_tf.reporting.files import atomic_write_json
  from sasrec_tf.reporting.provenance import collect_provenance
  import tensorflow as tf  # noqa: F401  (so provenance records the devices)
  load_before = os.getloadavg()
  modes = {"off": [False], "on": [True], "both": [False, True]}[FLAGS.xla]
  started = time.perf_counter()
  results = [bench_config(d, modes, FLAGS.steps, FLAGS.data_dir) for d in FLAGS.configs]
  report = {"provenance": collect_provenance(argv=sys.argv, flags=FLAGS),
            "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "wall_time_s": time.perf_counter() - started, "configs": results,
            "note": ("s/epoch = steps_per_epoch x measured s/step through the real tf.data "
                     "pipeline; evaluation times exclude data loading")}
  atomic_write_json(FLAGS.output, report)
  print(f"wrote {FLAGS.output}")


if __name__ == "__main__":
  app.run(main)
