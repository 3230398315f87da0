"""AttRec Table 5: training seconds per epoch of AttRec and Caser, batch 1000.

  python experiments/attrec/table5.py --datasets=ml-100k        # ~2 min on the CPU
  python experiments/attrec/table5.py --report_only

Each row trains a few epochs (``attrec_tables.TIMING_EPOCHS``) and reports the median training
time of one epoch (evaluation excluded). The paper's seconds are from a TITAN X GPU: compare
AttRec with Caser measured on the same machine (named under Provenance in the JSON), not with the
paper's values. Caser shows "not implemented yet" until its model is registered.
"""

from absl import app, flags

from sasrec_tf.configs import attrec_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv
  tables.run_script(attrec_tables.attrec_table5(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
