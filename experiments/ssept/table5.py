"""SSE-PT Table 5: component study on ML-1M (d_u, d_i, b and the SSE probabilities p_u / p_i / p_y).

  python experiments/ssept/table5.py --num_epochs=200          # every row, seed 0
  python experiments/ssept/table5.py --only=<row label> --seeds=0,1,2
  python experiments/ssept/table5.py --report_only              # render stored runs

11 rows; rows with p_i != p_y use --sse_mode=decoupled (the paper's separate probabilities). Rows and every [unspecified] choice: sasrec_tf/configs/ssept_tables.py; defaults
(released-code settings, 2001 epochs, evaluation every 10): sasrec_tf/configs/ssept.py. Results go
to results/ssept_table5.{md,json} with one file per finished (row, seed) run.
"""

from absl import app, flags

from sasrec_tf.configs import ssept_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv  # the full command line is recorded from sys.argv
  tables.run_script(ssept_tables.ssept_table5(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
