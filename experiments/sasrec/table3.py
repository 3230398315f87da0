"""SASRec Table III: methods (a)-(i) on Beauty, Games, Steam and ML-1M, HR@10 and NDCG@10.

  python experiments/sasrec/table3.py --only=PopRec                 # ~1 min on CPU
  python experiments/sasrec/table3.py --datasets=games,ml-1m        # ~12 h on the 2-core CPU
  python experiments/sasrec/table3.py --report_only                 # render stored runs

Defaults: every row of the table, seeds 0,1,2, 201 epochs, data from --data_dir
(default $SASREC_TF_DATA), results in results/sasrec_table3.{md,json} plus one file per finished
(row, seed) under results/sasrec_table3/runs/ (an interrupted table resumes from them).

Rows (settings in sasrec_tf/configs/tables.py): (a) PopRec runs in seconds per dataset and seed;
(i) SASRec takes about 2 h per seed on Games or ML-1M, 3.7 h on Beauty and 22 h on Steam (GPU) on
the 2-core CPU. The baselines (b)-(h) are listed with the status "not implemented yet", and a
dataset whose files are missing shows "dataset not available". ``--num_epochs`` shortens every
run (recorded in the table).
"""

from absl import app, flags

from sasrec_tf.configs import tables

FLAGS = flags.FLAGS


def main(argv):
  del argv  # the full command line is recorded from sys.argv
  tables.run_script(tables.sasrec_table3(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
