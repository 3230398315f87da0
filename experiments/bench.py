"""Throughput benchmark: sampler, train step (with / without XLA) and evaluation.

  python experiments/bench.py                       # SASRec on Games and ML-1M, ~5 min on CPU
  python experiments/bench.py --configs=games --steps=20
  python experiments/bench.py --models=bpr,fmc,caser --configs=games --xla=default \
      --output=results/bench_baselines.json         # any registered model, its paper settings

For each model and dataset (at the model's paper settings for that dataset) it measures, on the real data:
  * sampler: batches/s of one Python worker (the tf.data pipeline runs several in parallel);
  * train: s/step through the real tf.data pipeline, sequences/s, and s/epoch
    (= steps_per_epoch x s/step), with and without XLA;
  * evaluation: seconds for one sampled-100 evaluation (10,000 users or all) and one full-ranking
    evaluation over every item, each as training scores (length groups without leading padding),
    over full windows (``_full_windows``) and XLA-compiled (``_xla``; first call compiles); the
    two variants only for padding-invariant models (SASRec, SSE-PT), and none with --noeval.
Writes results/bench.json (atomically) with the machine's load average before and after, because
figures taken while other jobs run are slower than on an idle machine.
"""

import os
import sys
import time

from absl import app, flags

flags.DEFINE_list("configs", ["games", "ml-1m"], "datasets to benchmark at their paper settings")
flags.DEFINE_list("models", ["sasrec"], "registered models to benchmark (experiments/train.py "
                  "--model names)")
flags.DEFINE_enum("xla", "both", ["off", "on", "both", "default"],
                  "train step with / without XLA; 'default' = the model's own setting")
flags.DEFINE_bool("eval", True, "also time one sampled and one full-ranking evaluation")
flags.DEFINE_integer("steps", 30, "timed train steps per configuration (after 3 warm-up steps)")
flags.DEFINE_string("data_dir", os.environ.get("SASREC_TF_DATA"), "data directory")
flags.DEFINE_string("output", "results/bench.json", "where to write the figures")
FLAGS = flags.FLAGS


def _time(fn, repeat=1):
  start = time.perf_counter()
  for _ in range(repeat):
    out = fn()
  return (time.perf_counter() - start) / repeat, out


def bench_config(model_name, dataset, xla_modes, steps, data_dir, with_eval=True):
  """Timings of one (model, dataset) at the model's paper settings; see the module docstring."""
  import keras
  from sasrec_tf.models.registry import get_spec
  from sasrec_tf.training import experiment
  from sasrec_tf.training.trainer import Trainer
  import tempfile

  spec = get_spec(model_name)
  settings = experiment.resolve_settings(model_name, dataset)
  split = experiment.load_model_split(spec, dataset, data_dir, settings)
  sampler = experiment.make_sampler(spec, split, settings, seed=0)
  sampler_s, _ = _time(lambda: sampler.batch(0), repeat=1)
  sampler_s, _ = _time(lambda: [sampler.batch(i) for i in range(20)])
  out = {"model": model_name, "dataset": dataset, "max_len": settings["max_len"],
         "batch_size": sampler.batch_size, "steps_per_epoch": sampler.steps_per_epoch,
         "num_users": split.num_users, "num_items": split.num_items,
         "sampler_batches_per_s_one_worker": 20.0 / sampler_s, "train": {}}
  modes = [bool(settings.get("jit_compile"))] if xla_modes is None else xla_modes
  model = None
  for xla in modes:
    keras.utils.set_random_seed(0)
    model = experiment.build_model(spec, split, settings, 0, data_dir)
    config = experiment.train_config({**settings, "jit_compile": xla})
    with tempfile.TemporaryDirectory() as tmp:
      trainer = Trainer(model, sampler, None, config, tmp, stream=open(os.devnull, "w"))
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
    print(f"{model_name} {dataset} xla={xla}: {per_step * 1e3:.1f} ms/step, "
          f"{per_step * sampler.steps_per_epoch:.1f} s/epoch", flush=True)
  if not with_eval or model is None:
    return out
  make_evaluator = spec.make_evaluator or experiment.make_evaluator
  evaluators = {"sampled_100": make_evaluator(split, settings, 0),
                "full_ranking": make_evaluator(
                    split, {**settings, "eval_protocol": "full", "eval_max_users": None}, 0)}
  if settings.get("eval_protocol") == "full":
    del evaluators["sampled_100"]
  out["eval"] = {"full_items": split.num_items}
  variants = {"": dict()}
  if getattr(model, "padding_invariant", False):
    variants.update(_full_windows=dict(trim_padding=False), _xla=dict(jit_compile=True))
  for suffix, options in variants.items():
    scorer = experiment.ModelScorer(model, extra_keys=spec.score_keys, **options)
    for name, evaluator in evaluators.items():
      warm_s, _ = _time(lambda: evaluator.evaluate(scorer, "valid"))  # draw cached, traced
      seconds, metrics = _time(lambda: evaluator.evaluate(scorer, "valid"))
      out["eval"][f"{name}_seconds{suffix}"] = seconds
      out["eval"][f"{name}_first_call_seconds{suffix}"] = warm_s
      out["eval"][f"{name}_users"] = metrics["num_users"]
      print(f"{model_name} {dataset} eval {name}{suffix}: {seconds:.2f}s "
            f"({metrics['num_users']} users; first call {warm_s:.1f}s)", flush=True)
  return out


def main(argv):
  del argv
  from sasrec_tf.reporting.files import atomic_write_json
  from sasrec_tf.reporting.provenance import collect_provenance
  import tensorflow as tf  # noqa: F401  (so provenance records the devices)
  load_before = os.getloadavg()
  modes = {"off": [False], "on": [True], "both": [False, True], "default": None}[FLAGS.xla]
  started = time.perf_counter()
  results = [bench_config(m, d, modes, FLAGS.steps, FLAGS.data_dir, FLAGS.eval)
             for m in FLAGS.models for d in FLAGS.configs]
  report = {"provenance": collect_provenance(argv=sys.argv, flags=FLAGS),
            "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "wall_time_s": time.perf_counter() - started, "configs": results,
            "note": ("s/epoch = steps_per_epoch x measured s/step through the real tf.data "
                     "pipeline; evaluation times exclude data loading")}
  atomic_write_json(FLAGS.output, report)
  print(f"wrote {FLAGS.output}")


if __name__ == "__main__":
  app.run(main)
