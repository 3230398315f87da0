"""SASRec Table V: ML-1M with maximum length n in {10, ..., 600}; NDCG@10 and training time.

  python experiments/sasrec/table5.py                        # n=10..200: ~4 h on the 2-core CPU
  python experiments/sasrec/table5.py --only=n=200 --num_epochs=2   # a quick look, ~2 min
  python experiments/sasrec/table5.py --allow_slow           # all 8 lengths (on a GPU machine)

Defaults: seed 0, 201 epochs, data from --data_dir (default $SASREC_TF_DATA), results in
results/sasrec_table5.{md,json}. Rows with n >= 300 show "needs GPU" unless --allow_slow is
given: one run grows about as n^2, from ~2 h at n=200 to ~12 h at n=600 on the CPU. ``--only``
matches label substrings ("n=10" also selects n=100; "n=50" also n=500).

Training times depend on the hardware: the paper's are seconds on a GTX-1080 Ti with an undefined
stopping point, ours are the training time of the configured epochs on the machine recorded under
Provenance (seconds per epoch are kept in the JSON). Compare the trend of both columns.
"""

from absl import app, flags

from sasrec_tf.configs import tables

FLAGS = flags.FLAGS


def main(argv):
  del argv
  tables.run_script(tables.sasrec_table5(allow_slow=FLAGS.allow_slow), FLAGS)


if __name__ == "__main__":
  tables.define_flags(allow_slow=True)
  app.run(main)
