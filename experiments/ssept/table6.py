"""SSE-PT Table 6: ML-10M with C=500 negatives, user-side SSE probability sweep.

  python experiments/ssept/table6.py --num_epochs=200          # every row, seed 0
  python experiments/ssept/table6.py --only=<row label> --seeds=0,1,2
  python experiments/ssept/table6.py --report_only              # render stored runs

Needs ML-10M (not in this workplace's data) and a GPU. Rows and every [unspecified] choice: sasrec_tf/configs/ssept_tables.py; defaults
(released-code settings, 2001 epochs, evaluation every 10): sasrec_tf/configs/ssept.py. Results go
to results/ssept_table6.{md,json} with one file per finished (row, seed) run.
"""

from absl import app, flags

from sasrec_tf.configs import ssept_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv  # the full command line is recorded from sys.argv
  tables.run_script(ssept_tables.ssept_table6(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
