"""AttRec Figure 4: HR@50 against the weight omega (a) and the sequence length L (b).

  python experiments/attrec/figure4.py --datasets=ml-100k --only=omega   # 6 runs, ~1 h CPU
  python experiments/attrec/figure4.py --datasets=ml-100k                # 16 runs
  python experiments/attrec/figure4.py --report_only                     # table + plot

Each point changes one setting of the dataset default (configs/attrec.py): omega in
{0, 0.2, ..., 1} (the paper's grid), L in 1..10 (our grid; the figure prints none). The figure
names no datasets: ML-100K, ML-1M, Garden and Digital Music (those of Tables 3-5) are used. Only
the default-L points have a reported number (Table 2). Writes results/attrec_figure4.{md,json}
and, with matplotlib installed, results/attrec_figure4.png.
"""

import os
import pathlib
import sys

from absl import app, flags

from sasrec_tf.configs import attrec_tables, tables

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sweep_plot  # pylint: disable=wrong-import-position

FLAGS = flags.FLAGS


def main(argv):
  del argv
  config = attrec_tables.attrec_figure4()
  result = tables.run_script(config, FLAGS)
  png = sweep_plot.plot_sweeps(result.table, pathlib.Path(FLAGS.results_dir) /
                               f"{config.name}.png", [("omega", "omega"), ("max_len", "L")])
  if png is not None:
    print(f"wrote {png}")


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
