"""The headline comparison: SSE-PT Table 1, rows (A) PopRec ... (O) SSE-PT++, NDCG@10 and Recall@10.

  python experiments/table1.py --only=PopRec                 # ~1 min on CPU
  python experiments/table1.py --datasets=games,ml-1m        # days on the 2-core CPU
  python experiments/table1.py --report_only

SSE-PT Table 1 holds SASRec Table III plus STAMP, HGN and the SSE-PT family. Defaults: every row,
seeds 0,1,2, 201 epochs, data from --data_dir (default $SASREC_TF_DATA), results in
results/ssept_table1.{md,json}.

(A) PopRec takes seconds per dataset and seed; (J) SASRec about 1-2 h per seed on Games or
ML-1M, 3.7 h on Beauty and 22 h on Steam (GPU) on the 2-core CPU; the baselines' s/epoch on Games
are in results/bench_baselines.json. Rows (B)-(E) take the d and l2 that experiments/sweep.py
selected on validation (results/sweeps/<model>_<dataset>.json, read from --results_dir/sweeps)
and say so under the table; without a finished sweep they run the untuned placeholders and the
table says that instead. Missing datasets show "dataset not available". Rows are defined in
sasrec_tf/configs/tables.py.
"""

import os

from absl import app, flags

from sasrec_tf.configs import tables

FLAGS = flags.FLAGS


def main(argv):
  del argv
  sweeps = os.path.join(FLAGS.results_dir, tables.SWEEPS_SUBDIR)
  tables.run_script(tables.ssept_table1(sweeps_dir=sweeps), FLAGS)


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
