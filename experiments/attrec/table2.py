"""AttRec Table 2: BPRMF, MC, FPMC, HRM, PRME, TransRec, Caser, LSTM+ and AttRec on 12 datasets,
HR@50 and MRR over the full item ranking.

  python experiments/attrec/table2.py --only=AttRec --datasets=ml-100k      # ~5 min on CPU
  python experiments/attrec/table2.py --only=AttRec                          # every dataset present
  python experiments/attrec/table2.py --report_only                          # render stored runs

Defaults: every row, seeds 0,1,2, the configured epochs (configs/attrec.py: 50 on MovieLens, 200
on the sparse sets), data from --data_dir (default $SASREC_TF_DATA), results in
results/attrec_table2.{md,json} plus one file per finished (row, seed) under
results/attrec_table2/runs/. Rows whose model is not in the library yet show "not implemented
yet"; datasets whose files are missing show "dataset not available". AttRec is cheap: about 15 s
per ML-100K epoch on the 2-core CPU.
"""

from absl import app, flags

from sasrec_tf.configs import attrec_tables, tables

FLAGS = flags.FLAGS


def main(argv):
  del argv  # the full command line is recorded from sys.argv
  tables.run_script(attrec_tables.attrec_table2(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
