"""AttRec Table 3: HR@50 with and without the self-attention module (ML-100K, ML-1M, Garden,
Digital Music).

  python experiments/attrec/table3.py --datasets=ml-100k        # 2 rows x 3 seeds, ~20 min CPU
  python experiments/attrec/table3.py --report_only

"w/o Self-Att" sets ``self_attention=False``: the short-term vector is the mean of the L input
embeddings. Results in results/attrec_table3.{md,json}; a paired t-test over seeds compares the
two rows per dataset.
"""

from absl import app, flags

from sasrec_tf.configs import attrec_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv
  tables.run_script(attrec_tables.attrec_table3(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
