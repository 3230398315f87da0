"""SAS-FPT Table 2: TiSASRec, TiSASRec+, TiSASRec++ and SAS-FPT on ML-1M, Recall@10 / NDCG@10.

  python experiments/sasfpt/table2.py                          # every row, seed 0
  python experiments/sasfpt/table2.py --datasets=ml-1m-timed-subset --num_epochs=40
  python experiments/sasfpt/table2.py --only=SAS-FPT --seeds=0,1,2
  python experiments/sasfpt/table2.py --report_only            # render stored runs

The ML-1M rows need the full ml-1m/ratings.dat (TiSASRec preprocessing, SPEC §1.5) and show
"dataset not available" without it. The "[users 1-2999]" rows run on the partial copy present
here (no reported number applies). Measured on that subset (201 epochs, two jobs sharing the
2-core CPU): TiSASRec 9.2 s/epoch (32 min), SAS-FPT 17.4 s/epoch (60 min); the full ML-1M has
twice the users, so about twice that. GPU recommended. Rows and every unspecified choice:
sasrec_tf/configs/sasfpt_tables.py and sasrec_tf/configs/sasfpt.py. Results go to
results/sasfpt_table2.{md,json} with one file per finished (row, seed) run.
"""

from absl import app, flags

from sasrec_tf.configs import sasfpt_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv  # the full command line is recorded from sys.argv
  tables.run_script(sasfpt_tables.sasfpt_table2(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
