"""SASRec Table IV: the 9 ablation variants (0)-(8) on the 4 datasets, NDCG@10 with d=50.

  python experiments/sasrec/table4.py --datasets=ml-1m --num_epochs=100    # ~9 h on CPU
  python experiments/sasrec/table4.py --datasets=games --only="(0),(3)"   # 2 variants, ~4 h
  python experiments/sasrec/table4.py --report_only

Defaults: all 36 rows (variant x dataset), seed 0 only (the paper reports single runs; pass
--seeds=0,1,2 for mean +- std), 201 epochs, data from --data_dir (default $SASREC_TF_DATA),
results in results/sasrec_table4.{md,json}.

Each variant is one entry of ``sasrec_tf.configs.sasrec.ABLATIONS`` applied to the dataset's paper
defaults. One run costs about 2 h on Games or ML-1M, 3.7 h on Beauty and 22 h on Steam (GPU) on the
2-core CPU, so the full table is ~270 CPU hours; TABLES.md recommends all variants on ML-1M (with
--num_epochs=100) and Games. Paired t-tests against (0) Default are printed when >= 2 seeds ran.
"""

from absl import app, flags

from sasrec_tf.configs import tables

FLAGS = flags.FLAGS


def main(argv):
  del argv
  tables.run_script(tables.sasrec_table4(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
