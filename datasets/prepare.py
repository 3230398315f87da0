"""Fetches (optionally), preprocesses and caches datasets, and prints their statistics.

Each number is printed next to the value in the paper's dataset table, for the dataset variant
that table corresponds to (e.g. ML-1M's training-part averages of SASRec Table II).

  python datasets/prepare.py --dataset=games,ml-1m --data_dir=/path/to/data
  python datasets/prepare.py --dataset=ml-100k --data_dir=/path/to/data --download
  python datasets/prepare.py --list --data_dir=/path/to/data
"""

from __future__ import annotations

import os
import sys
from typing import Dict, List, Optional

from absl import app
from absl import flags

try:
  import sasrec_tf  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
  sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=wrong-import-position
from sasrec_tf.data import loader
from sasrec_tf.data import registry
from sasrec_tf.data.errors import DataFormatError, DatasetNotFoundError
from sasrec_tf.data.statistics import compare_with_reference
# pylint: enable=wrong-import-position

FLAGS = flags.FLAGS
flags.DEFINE_list("dataset", None, "Registry names, comma-separated, or 'all'.")
flags.DEFINE_string("data_dir", None, f"Data directory (default: ${loader.DATA_ENV}).")
flags.DEFINE_string("cache_dir", None, f"Cache directory (default: ${loader.CACHE_ENV} or "
                    "~/.cache/sasrec_tf).")
flags.DEFINE_bool("download", False, "Fetch missing files from their official addresses.")
flags.DEFINE_string("variant", None, "Only this variant (default: every variant a paper table "
                    "refers to, else the dataset's default).")
flags.DEFINE_bool("verify", True, "Check source files against their known checksums.")
flags.DEFINE_bool("list", False, "List the registry and which files are present, then exit.")

_SHOWN = ("users", "items", "active_items", "actions", "avg_actions_per_user",
          "avg_actions_per_item", "max_length", "avg_train_actions_per_user",
          "avg_train_actions_per_item", "max_train_length", "evaluated_users", "first_time",
          "last_time")


def _fmt(value) -> str:
  if isinstance(value, float):
    return f"{value:,.2f}"
  if isinstance(value, int):
    return f"{value:,}"
  return str(value)


def list_registry(data_dir: Optional[str]) -> List[str]:
  """One line per dataset: name, presence of its files, papers, description."""
  lines = []
  for name in registry.names():
    spec = registry.get(name)
    if data_dir:
      present = all(os.path.isfile(loader.source_path(f, data_dir)) for f in spec.files)
      state = "present" if present else "missing"
    else:
      state = "?"
    papers = ",".join(spec.papers) or "-"
    lines.append(f"{name:20s} {state:8s} {papers:34s} {spec.description}")
  return lines


def variants_to_report(spec: registry.DatasetSpec, variant: Optional[str]) -> List[str]:
  if variant:
    return [variant]
  referenced = [r.variant for r in spec.reference]
  return list(dict.fromkeys(referenced)) or [spec.default_variant]


def report(name: str, data_dir: Optional[str], cache_dir: Optional[str], download: bool,
           variant: Optional[str] = None, verify: bool = True) -> List[str]:
  """Loads every relevant variant of ``name``; returns the printed lines."""
  spec = registry.get(name)
  lines = [f"== {name}: {spec.description}"]
  if spec.partial:
    lines.append(f"   PARTIAL DATA: {spec.notes}")
  for v in variants_to_report(spec, variant):
    dataset = loader.load_dataset(name, data_dir, cache_dir, download, variant=v, verify=verify)
    stats = loader.dataset_statistics(dataset)
    lines.append(f"-- variant '{v}' (rule {spec.variants[v][0]} {dict(spec.variants[v][1])})")
    lines.append("   " + ", ".join(f"{k}={_fmt(stats[k])}" for k in _SHOWN if k in stats))
    for ref in (r for r in spec.reference if r.variant == v):
      cells = []
      for row in compare_with_reference(stats, ref):
        mark = {True: "ok", False: "DIFF", None: "?"}[row["match"]]
        cells.append(f"{row['field']} {_fmt(row['reported'])} vs {_fmt(row['ours'])} {mark}")
      lines.append(f"   {ref.source} [{ref.basis}]: " + "; ".join(cells))
      if ref.note:
        lines.append(f"     note: {ref.note}")
  return lines


def main(argv):
  del argv
  if FLAGS.list:
    data_dir = FLAGS.data_dir or os.environ.get(loader.DATA_ENV)
    print("\n".join(list_registry(data_dir and os.path.abspath(data_dir))))
    return 0
  if not FLAGS.dataset:
    raise app.UsageError("--dataset is required (or --list)")
  names = registry.names() if FLAGS.dataset == ["all"] else FLAGS.dataset
  failed: Dict[str, str] = {}
  for name in names:
    try:
      print("\n".join(report(name, FLAGS.data_dir, FLAGS.cache_dir, FLAGS.download,
                             FLAGS.variant, FLAGS.verify)))
    except DatasetNotFoundError as e:
      print(f"== {name}: NOT AVAILABLE\n{e}")
      if FLAGS.dataset != ["all"]:
        failed[name] = "not available"
    except (DataFormatError, ValueError, KeyError, TypeError) as e:
      print(f"== {name}: FAILED\n{e}")
      failed[name] = str(e)
  return 1 if failed else 0


if __name__ == "__main__":
  app.run(main)
