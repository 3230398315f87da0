"""SAS-FPT Table 3: TiSASRec vs SAS-FPT on ML-1M without the 5-filter ("cold start").

  python experiments/sasfpt/table3.py                          # every row, seed 0
  python experiments/sasfpt/table3.py --datasets=ml-1m-raw-subset --num_epochs=40
  python experiments/sasfpt/table3.py --report_only            # render stored runs

Cold start = TiSASRec's ML-1M preprocessing without the >= 5 filter (users and items with few
interactions are kept; 3,706 items). The ML-1M rows need the full ml-1m/ratings.dat and show
"dataset not available" without it; the "[users 1-2999]" rows use the partial raw copy present
here (no reported number applies). Rows: sasrec_tf/configs/sasfpt_tables.py. Results go to
results/sasfpt_table3.{md,json}.
"""

from absl import app, flags

from sasrec_tf.configs import sasfpt_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv  # the full command line is recorded from sys.argv
  tables.run_script(sasfpt_tables.sasfpt_table3(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
