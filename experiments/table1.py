"""The headline comparison: SSE-PT Table 1, rows (A) PopRec ... (O) SSE-PT++, NDCG@10 and Recall@10.

  python experiments/table1.py --only=PopRec                 # ~1 min on CPU
  python experiments/table1.py --datasets=games,ml-1m        # ~12 h on the 2-core CPU
  python experiments/table1.py --report_only

SSE-PT Table 1 holds SASRec Table III plus STAMP, HGN and the SSE-PT family. Defaults: every row,
seeds 0,1,2, 201 epochs, data from --data_dir (default $SASREC_TF_DATA), results in
results/ssept_table1.{md,json}.

(A) PopRec takes seconds per dataset and seed; (J) SASRec about 2 h per seed on Games or ML-1M,
3.7 h on Beauty and 22 h on Steam (GPU) on the 2-core CPU. Rows whose model the library does not
have yet (the baselines, SSE-SASRec, PT, SSE-PT, SSE-PT++) show "not implemented yet"; missing
datasets show "dataset not available". Rows are defined in sasrec_tf/configs/tables.py.
"""

from absl import app, flags

from sasrec_tf.configs import tables

FLAGS = flags.FLAGS


def main(argv):
  del argv
  tables.run_script(tables.ssept_table1(), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
