"""Grid search of one model on one dataset, selected on validation NDCG@10 only.

  python experiments/sweep.py --model=bpr --dataset=games \\
      --grid="hidden_units=10,20,30,40,50;l2_emb=0.0001,0.001,0.01,0.1,1"
  python experiments/sweep.py --model=caser --dataset=games --grid="max_len=3,5,7" --seeds=0,1

Every grid point (for every seed) is trained by run_experiment with the model's paper defaults
plus the grid values (and any other hyper-parameter flag given, e.g. --batch_size, applied to
every trial). The point with the best mean validation NDCG@10 is selected; test metrics are
recorded, never used to choose. Writes results/sweeps/<model>_<dataset>.json (every trial:
settings, per-seed valid/test metrics, epochs, provenance) and .md; run directories go to
runs/sweeps/<model>_<dataset>/<trial>/seed<s>. Rerunning the same command reuses finished runs:
from their run directories, or from the stored JSON record alone (a fresh clone), unless a
changed default makes them stale. --max_new_trials=N trains at most N more grid points and stops,
so a long sweep can be spread over several sittings by committing the JSON record in between:

  python experiments/sweep.py --model=bpr --dataset=games \
      --grid="l2_emb=0.001,0.01,0.0001,0.1,1" --max_new_trials=2   # twice more to finish
SASRec's grid for BPR / FMC / FPMC / TransRec is the example above (configs.baselines.SASREC_GRID).
"""

import os
import sys

from absl import app, flags

from sasrec_tf.configs.flags import all_hparam_flags, define_common_flags, overrides_from_flags

flags.DEFINE_string("model", None, "model name (registry)")
flags.DEFINE_string("dataset", "games", "dataset name")
flags.DEFINE_string("grid", None, "settings to sweep: 'name=v1,v2,...;name2=...'")
flags.DEFINE_list("seeds", ["0"], "seeds per grid point (metrics are averaged over them)")
flags.DEFINE_string("results_dir", os.path.join("results", "sweeps"),
                    "where <model>_<dataset>.json / .md go")
flags.DEFINE_string("output_dir", None,
                    "run directories (default runs/sweeps/<model>_<dataset>)")
flags.DEFINE_integer("max_new_trials", None,
                     "train at most this many grid points not already finished in the stored "
                     "record, then stop (the record lists the rest as pending)", lower_bound=1)
flags.mark_flags_as_required(["model", "grid"])
define_common_flags()
FLAGS = flags.FLAGS


def main(argv):
  del argv
  from sasrec_tf.training import sweep  # heavy imports after flag parsing
  types = {name: kind for name, (kind, _) in all_hparam_flags().items()}
  grid = sweep.parse_grid(FLAGS.grid, types)
  fixed = {k: v for k, v in overrides_from_flags().items() if k not in grid}
  name = f"{FLAGS.model}_{FLAGS.dataset}"
  run_fn = sweep.experiment_run_fn(
      FLAGS.model, FLAGS.dataset, FLAGS.output_dir or os.path.join("runs", "sweeps", name),
      data_dir=FLAGS.data_dir, num_epochs=FLAGS.num_epochs, argv=sys.argv)
  record = sweep.run_sweep(FLAGS.model, FLAGS.dataset, grid, [int(s) for s in FLAGS.seeds],
                           run_fn, FLAGS.results_dir, fixed=fixed, name=name, argv=sys.argv,
                           flags=FLAGS, num_epochs=FLAGS.num_epochs,
                           max_new_trials=FLAGS.max_new_trials,
                           resolve_fn=sweep.experiment_resolve_fn(FLAGS.model, FLAGS.dataset,
                                                                  FLAGS.num_epochs))
  print(sweep.render_markdown(record))
  print(f"wrote {os.path.join(FLAGS.results_dir, name)}.json and .md"
        + ("" if record["complete"] else
           f"; {len(record['pending'])} grid points pending: rerun the same command"))


if __name__ == "__main__":
  app.run(main)
