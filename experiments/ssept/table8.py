"""SSE-PT Table 8: SSE-PT++ sampling probability p_s on ML-1M with T=100.

  python experiments/ssept/table8.py --num_epochs=200          # every row, seed 0
  python experiments/ssept/table8.py --only=<row label> --seeds=0,1,2
  python experiments/ssept/table8.py --report_only              # render stored runs

9 rows; T=100 runs are ~4x cheaper than T=200. Rows and every [unspecified] choice: sasrec_tf/configs/ssept_tables.py; defaults
(released-code settings, 2001 epochs, evaluation every 10): sasrec_tf/configs/ssept.py. Results go
to results/ssept_table8.{md,json} with one file per finished (row, seed) run.
"""

from absl import app, flags

from sasrec_tf.configs import ssept_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv  # the full command line is recorded from sys.argv
  tables.run_script(ssept_tables.ssept_table8(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
