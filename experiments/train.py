"""Train and evaluate one model on one dataset.

  python experiments/train.py --model=sasrec --dataset=games --output_dir=runs/games_s0

Every hyper-parameter defaults to the paper's value for the dataset; any flag overrides it.
Writes OUT/results.json (metrics at the best validation epoch, per-epoch curve, provenance),
checkpoints (resumable: rerun the same command after an interruption) and TensorBoard logs.
"""

import json
import os
import sys

from absl import app, flags, logging

from sasrec_tf.configs.flags import define_common_flags, overrides_from_flags

flags.DEFINE_string("model", "sasrec", "model name (sasrec_tf/models/registry.py): pop, sasrec, "
                    "ssept, ssept_pp, pt, sse_sasrec, attrec, tisasrec, sasfpt, bpr, ...")
flags.DEFINE_string("dataset", "games", "dataset registry name (games, ml-1m, beauty, steam, ...)")
flags.DEFINE_string("output_dir", None, "run directory (default runs/<model>_<dataset>_s<seed>)")
flags.DEFINE_integer("seed", 0, "random seed of initialisation, sampler, dropout and evaluation")
define_common_flags()
FLAGS = flags.FLAGS


def main(argv):
  del argv
  if not FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)  # TF's per-checkpoint INFO lines would flood the log
  from sasrec_tf.training.experiment import run_experiment  # heavy import after flag parsing
  out = FLAGS.output_dir or os.path.join("runs", f"{FLAGS.model}_{FLAGS.dataset}_s{FLAGS.seed}")
  result = run_experiment(FLAGS.model, FLAGS.dataset, overrides_from_flags(), seed=FLAGS.seed,
                          output_dir=out, data_dir=FLAGS.data_dir, num_epochs=FLAGS.num_epochs,
                          argv=sys.argv, flags=FLAGS)
  summary = {k: result.get(k) for k in ("model", "dataset", "seed", "best_epoch", "epochs_run",
                                        "status", "train_time_s", "wall_time_s")}
  summary["valid"], summary["test"] = result["valid"], result["test"]
  print(json.dumps(summary, indent=1))
  print(f"results: {os.path.join(out, 'results.json')}")


if __name__ == "__main__":
  app.run(main)
