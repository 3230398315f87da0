"""SSE-PT Table 2: SASRec vs SSE-PT vs SSE-PT++ on ML-1M by max length T and d_u / d_i.

  python experiments/ssept/table2.py --num_epochs=200          # every row, seed 0
  python experiments/ssept/table2.py --only=<row label> --seeds=0,1,2
  python experiments/ssept/table2.py --report_only              # render stored runs

9 rows; SSE-PT rows take ~6 h per 200 epochs on the 2-core CPU (GPU recommended). Rows and every [unspecified] choice: sasrec_tf/configs/ssept_tables.py; defaults
(released-code settings, 2001 epochs, evaluation every 10): sasrec_tf/configs/ssept.py. Results go
to results/ssept_table2.{md,json} with one file per finished (row, seed) run.
"""

from absl import app, flags

from sasrec_tf.configs import ssept_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv  # the full command line is recorded from sys.argv
  tables.run_script(ssept_tables.ssept_table2(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
