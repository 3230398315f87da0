"""Helpers of the table-script tests: script paths, a fake run function, fresh flags."""

import importlib.util
import pathlib

from absl import flags

from sasrec_tf.configs import tables
from sasrec_tf.data.errors import DatasetNotFoundError

REPO = pathlib.Path(__file__).resolve().parents[2]
SCRIPTS = {
    "sasrec_table3": REPO / "experiments" / "sasrec" / "table3.py",
    "sasrec_table4": REPO / "experiments" / "sasrec" / "table4.py",
    "sasrec_table5": REPO / "experiments" / "sasrec" / "table5.py",
    "sasrec_figure2": REPO / "experiments" / "sasrec" / "figure2.py",
    "ssept_table1": REPO / "experiments" / "table1.py",
}
# The datasets this workplace has (the fake run function treats the others as missing).
PRESENT = ("games", "ml-1m")


class FakeRun:
  """Stands in for run_experiment: no training, a number per (row, seed), missing data raises."""

  def __init__(self, present=PRESENT):
    self.present = set(present)
    self.calls = []

  def __call__(self, row, seed):
    self.calls.append((row.label, row.dataset, seed))
    if row.dataset not in self.present:
      raise DatasetNotFoundError(row.dataset, f"/data/{row.dataset}/x.txt", f"{row.dataset}/x.txt")
    value = 0.3 + 0.01 * seed + 0.001 * len(self.calls)
    return {"test": {"NDCG@10": value, "HR@10": value + 0.2}, "valid": {"NDCG@10": value},
            "train_time_s": 100.0 + seed, "seconds_per_epoch": 0.5, "epochs_run": 1}


def table_flags(tmp_path, *args, allow_slow=False, data_dir="/nowhere"):
  """Fresh parsed FlagValues of a table script (``args`` like ``--seeds=0,1``)."""
  fv = flags.FlagValues()
  tables.define_flags(fv, allow_slow=allow_slow)
  argv = ["script.py", f"--results_dir={tmp_path}"] + list(args)
  if data_dir is not None:
    argv.append(f"--data_dir={data_dir}")
  fv(argv)
  return fv


def load_script(name):
  """Imports a script as a module (its flags are defined only when run as __main__)."""
  spec = importlib.util.spec_from_file_location(f"script_{name}", SCRIPTS[name])
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module
