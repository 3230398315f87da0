"""SASRec Table III: methods (a)-(i) on Beauty, Games, Steam and ML-1M, HR@10 and NDCG@10.

  python experiments/sasrec/table3.py --only=PopRec                 # ~1 min on CPU
  python experiments/sasrec/table3.py --datasets=games,ml-1m        # days on the 2-core CPU
  python experiments/sasrec/table3.py --report_only                 # render stored runs

Defaults: every row of the table, seeds 0,1,2, 201 epochs, data from --data_dir
(default $SASREC_TF_DATA), results in results/sasrec_table3.{md,json} plus one file per finished
(row, seed) under results/sasrec_table3/runs/ (an interrupted table resumes from them).

Rows (settings in sasrec_tf/configs/tables.py): (a) PopRec runs in seconds per dataset and seed;
(i) SASRec takes about 1-2 h per seed on Games or ML-1M, 3.7 h on Beauty and 22 h on Steam (GPU)
on the 2-core CPU. (b)-(e) take the d and l2 that experiments/sweep.py selected on validation
(--results_dir/sweeps/<model>_<dataset>.json) and run the untuned placeholders, saying so, when
no finished sweep is stored; (f)-(h) use their authors' settings with d=50. A dataset whose files
are missing shows "dataset not available". ``--num_epochs`` shortens every run (recorded in the
table).
"""

import os

from absl import app, flags

from sasrec_tf.configs import tables

FLAGS = flags.FLAGS


def main(argv):
  del argv  # the full command line is recorded from sys.argv
  sweeps = os.path.join(FLAGS.results_dir, tables.SWEEPS_SUBDIR)
  tables.run_script(tables.sasrec_table3(sweeps_dir=sweeps), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
