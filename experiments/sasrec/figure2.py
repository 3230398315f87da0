"""SASRec Figure 2: NDCG@10 against the embedding size d in {10, 20, 30, 40, 50}, per dataset.

  python experiments/sasrec/figure2.py --datasets=games          # ~10 h on the 2-core CPU
  python experiments/sasrec/figure2.py --datasets=ml-1m --num_epochs=100
  python experiments/sasrec/figure2.py --report_only             # table + plot of stored runs

Defaults: the 4 SASRec datasets x 5 sizes, seed 0, 201 epochs, data from --data_dir (default
$SASREC_TF_DATA). Writes results/sasrec_figure2.{md,json} and, when matplotlib is installed
(``pip install -e ".[figures]"``), results/sasrec_figure2.png; without it the plot is skipped.

The figure prints no numbers: only d=50 is compared with a reported value (Table III), the other
points are reproduced only. A run with d <= 50 costs at most a d=50 run: ~2 h on Games or ML-1M,
3.7 h on Beauty, 22 h on Steam (GPU) on the 2-core CPU. Missing datasets show "dataset not
available".
"""

import os
import pathlib
from typing import Optional

from absl import app, flags

from sasrec_tf.configs import tables
from sasrec_tf.reporting import plots
from sasrec_tf.reporting import tables as tables_lib

FLAGS = flags.FLAGS


def plot(table: tables_lib.Table, path: os.PathLike) -> Optional[pathlib.Path]:
  """Plots mean NDCG@10 (error bars: std over seeds) against d, one line per dataset.

  A cross marks the reported value (d=50, Table III) of each plotted dataset.

  Returns:
    The written PNG, or None when matplotlib is missing or no row has values.
  """
  return plots.plot_sweeps(table, path, [("hidden_units", "d (embedding size)")],
                           ylabel="NDCG@10", xticks=tables.FIGURE2_DIMS,
                           title="x: reported (Table III, d=50)")


def main(argv):
  del argv
  config = tables.sasrec_figure2()
  result = tables.run_script(config, FLAGS)
  png = plot(result.table, pathlib.Path(FLAGS.results_dir) / f"{config.name}.png")
  if png is not None:
    print(f"wrote {png}")


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
