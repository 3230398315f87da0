"""SSE-PT Table 3: regularisation comparison on ML-1M (NO REG, PS, PS by job / gender / age, l2, dropout, SSE-SE, all), NDCG@5 and Recall@5.

  python experiments/ssept/table3.py --num_epochs=200          # every row, seed 0
  python experiments/ssept/table3.py --only=<row label> --seeds=0,1,2
  python experiments/ssept/table3.py --report_only              # render stored runs

11 rows; PS by group reads ml-1m/users.dat and ml-1m/sas-mapping/. Rows and every [unspecified] choice: sasrec_tf/configs/ssept_tables.py; defaults
(released-code settings, 2001 epochs, evaluation every 10): sasrec_tf/configs/ssept.py. Results go
to results/ssept_table3.{md,json} with one file per finished (row, seed) run.
"""

from absl import app, flags

from sasrec_tf.configs import ssept_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv  # the full command line is recorded from sys.argv
  tables.run_script(ssept_tables.ssept_table3(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
