"""Line plots of sweep tables: a metric against one setting, one line per dataset."""

from __future__ import annotations

import os
import pathlib
from typing import Optional, Sequence, Tuple

from absl import logging

from sasrec_tf.reporting import stats
from sasrec_tf.reporting import tables as tables_lib


def plot_sweeps(table: tables_lib.Table, path: os.PathLike, panels: Sequence[Tuple[str, str]],
                ylabel: str, xticks: Optional[Sequence[float]] = None,
                title: Optional[str] = None) -> Optional[pathlib.Path]:
  """One panel per (override key, x-axis label): mean value (error bars: std over seeds) against
  that setting, one line per dataset; a cross marks a reported value.

  A row belongs to the panel whose key is in its overrides. The PNG is written atomically.

  Returns:
    The written PNG, or None when matplotlib is missing or no row has values.
  """
  try:
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel
  except ImportError:
    logging.info("matplotlib is not installed; no plot (pip install -e '.[figures]')")
    return None
  if not any(row.ran for row in table.rows):
    return None
  path = pathlib.Path(path)
  figure, axes = pyplot.subplots(1, len(panels), figsize=(5 * len(panels), 3.5), squeeze=False)
  for ax, (key, xlabel) in zip(axes[0], panels):
    series, printed = {}, {}
    for row in table.rows:
      overrides = row.extra.get("overrides", {})
      if key not in overrides or not row.ran:
        continue
      x = overrides[key]
      std = stats.sample_std(row.values) if len(row.values) > 1 else 0.0
      series.setdefault(row.dataset, []).append((x, stats.mean(row.values), std))
      if row.reported is not None:
        printed[row.dataset] = (x, row.reported)
    for dataset, points in series.items():
      points.sort()
      line = ax.errorbar([p[0] for p in points], [p[1] for p in points],
                         yerr=[p[2] for p in points], marker="o", capsize=3, label=dataset)
      if dataset in printed:
        ax.plot(*printed[dataset], marker="x", markersize=9, linestyle="none",
                color=line.lines[0].get_color())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if xticks is not None:
      ax.set_xticks(list(xticks))
    if title and printed:
      ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    if series:
      ax.legend(fontsize=8)
  figure.tight_layout()
  partial = path.with_name(path.name + ".partial.png")
  figure.savefig(partial, dpi=120)
  pyplot.close(figure)
  os.replace(partial, path)
  return path
