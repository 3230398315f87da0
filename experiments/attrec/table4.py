"""AttRec Table 4: HR@50 with mean / sum / max / min aggregation of the self-attention output
(ML-100K, ML-1M, Garden, Digital Music).

  python experiments/attrec/table4.py --datasets=ml-100k        # 4 rows x 3 seeds, ~40 min CPU
  python experiments/attrec/table4.py --only=Sum,Mean --seeds=0
  python experiments/attrec/table4.py --report_only

Results in results/attrec_table4.{md,json}.
"""

from absl import app, flags

from sasrec_tf.configs import attrec_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv
  tables.run_script(attrec_tables.attrec_table4(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
