"""Line plots of AttRec's sweep figures (HR@50 against one setting), used by figure4/5.py."""

import os
import pathlib
from typing import Optional, Sequence, Tuple

from sasrec_tf.reporting import plots
from sasrec_tf.reporting import tables as tables_lib


def plot_sweeps(table: tables_lib.Table, path: os.PathLike,
                panels: Sequence[Tuple[str, str]]) -> Optional[pathlib.Path]:
  """One panel per (override key, x-axis label): mean HR@50 (std over seeds) per dataset."""
  return plots.plot_sweeps(table, path, panels, ylabel="HR@50")
