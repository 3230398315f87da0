"""AttRec Figure 5: HR@50 against the latent dimension d on ML-100K and Amazon Garden.

  python experiments/attrec/figure5.py --datasets=ml-100k       # 6 runs, ~1 h on the CPU
  python experiments/attrec/figure5.py --report_only            # table + plot of stored runs

d in {10, 20, 50, 100, 150, 200} (our grid; the figure's axis values are not in the text), other
settings at the dataset defaults. Only d=100 has a reported number (Table 2). Writes
results/attrec_figure5.{md,json} and, with matplotlib installed, results/attrec_figure5.png.
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
  config = attrec_tables.attrec_figure5()
  result = tables.run_script(config, FLAGS)
  png = sweep_plot.plot_sweeps(result.table, pathlib.Path(FLAGS.results_dir) /
                               f"{config.name}.png", [("hidden_units", "d")])
  if png is not None:
    print(f"wrote {png}")


if __name__ == "__main__":
  tables.define_flags()
  app.run(main)
