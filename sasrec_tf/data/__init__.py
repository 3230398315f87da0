"""Data layer: readers, preprocessing rules, dataset registry, download, cache and loading.

Typical use::

  from sasrec_tf.data import load_dataset, dataset_statistics, split_leave_one_out
  split = split_leave_one_out(load_dataset("ml-1m", data_dir="/path/to/data"))
"""

from sasrec_tf.data.errors import ChecksumMismatchError, DataFormatError, DatasetNotFoundError
from sasrec_tf.data.loader import load_dataset, load_split
from sasrec_tf.data.sequences import LeaveOneOutSplit, SequenceDataset, split_leave_one_out
from sasrec_tf.data.statistics import dataset_statistics

__all__ = [
    "ChecksumMismatchError",
    "DataFormatError",
    "DatasetNotFoundError",
    "LeaveOneOutSplit",
    "SequenceDataset",
    "dataset_statistics",
    "load_dataset",
    "load_split",
    "split_leave_one_out",
]
