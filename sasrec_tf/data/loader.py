"""``load_dataset``: registry name -> preprocessed, cached :class:`SequenceDataset`.

The data directory comes from the ``data_dir`` argument, else the ``SASREC_TF_DATA`` environment
variable. The cache directory comes from ``cache_dir``, else ``SASREC_TF_CACHE``, else
``~/.cache/sasrec_tf``. A cache file is reused only if the dataset name, variant, rule, options,
reader and every source file's path, size and modification time are unchanged.
"""

from __future__ import annotations

import inspect
import logging
import os
from typing import Callable, Dict, List, Optional, Tuple, Union

from sasrec_tf.data import cache as cache_lib
from sasrec_tf.data import checksums
from sasrec_tf.data import download as download_lib
from sasrec_tf.data import preprocess
from sasrec_tf.data import readers
from sasrec_tf.data import registry
from sasrec_tf.data.errors import ChecksumMismatchError, DatasetNotFoundError
from sasrec_tf.data.sequences import LeaveOneOutSplit, SequenceDataset, split_leave_one_out
from sasrec_tf.data.statistics import dataset_statistics  # re-exported  # noqa: F401

DATA_ENV = "SASREC_TF_DATA"
CACHE_ENV = "SASREC_TF_CACHE"

_log = logging.getLogger(__name__)


def resolve_data_dir(data_dir: Optional[str] = None) -> str:
  """``data_dir``, else ``$SASREC_TF_DATA``; ValueError saying how to set it otherwise."""
  data_dir = data_dir or os.environ.get(DATA_ENV)
  if not data_dir:
    raise ValueError(f"no data directory: pass data_dir (or --data_dir) or set {DATA_ENV}, "
                     "e.g. export SASREC_TF_DATA=/path/to/data with files laid out as "
                     "<data_dir>/<dataset>/<official file name>")
  return os.path.abspath(os.path.expanduser(data_dir))


def resolve_cache_dir(cache_dir: Optional[str] = None) -> str:
  """``cache_dir``, else ``$SASREC_TF_CACHE``, else ``$XDG_CACHE_HOME|~/.cache`` /sasrec_tf."""
  if cache_dir:
    return os.path.abspath(os.path.expanduser(cache_dir))
  if os.environ.get(CACHE_ENV):
    return os.path.abspath(os.path.expanduser(os.environ[CACHE_ENV]))
  base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
  return os.path.join(base, "sasrec_tf")


def source_path(source: registry.SourceFile, data_dir: str) -> str:
  """Absolute path of a source file under the data directory."""
  return os.path.join(data_dir, *source.path.split("/"))


def locate_sources(spec: registry.DatasetSpec, data_dir: str, download: bool = False,
                   opener: Optional[Callable] = None) -> List[str]:
  """Paths of the spec's files, fetching missing ones when ``download`` is set.

  Raises:
    DatasetNotFoundError: a file is missing (and not downloaded); the message says which file
      to place where and gives the official address.
  """
  paths = []
  for source in spec.files:
    path = source_path(source, data_dir)
    if not os.path.isfile(path):
      if download:
        path = download_lib.fetch(spec.name, source, data_dir, opener=opener)
      else:
        member = f" (member {source.archive_member})" if source.archive_member else ""
        raise DatasetNotFoundError(
            spec.name, path, source.path, source.urls, "file not found",
            f"Download it{member}, or pass download=True (datasets/prepare.py --download).")
    paths.append(path)
  return paths


def verify_sources(spec: registry.DatasetSpec, paths: List[str]) -> None:
  """Raises ChecksumMismatchError if a file differs from its known checksums or size."""
  for source, path in zip(spec.files, paths):
    problem = None
    if source.size is not None and os.path.getsize(path) != source.size:
      problem = f"size {os.path.getsize(path)} bytes, expected {source.size}"
    else:
      bad = checksums.mismatches(path, source.checksums)
      if bad:
        problem = (", ".join(f"{a} {d}" for a, d in bad.items()) +
                   f", expected {checksums.describe(source.checksums)}")
    if problem:
      raise ChecksumMismatchError(
          spec.name, path, source.path, source.urls, f"the file differs from the official one "
          f"({problem})", "Replace it with the official file, or pass verify=False to use it "
          "anyway.")


def resolve_variant(spec: registry.DatasetSpec, variant: Optional[str],
                    options: Dict[str, object]) -> Tuple[str, str, Dict[str, object]]:
  """(variant, rule name, rule options = variant defaults overridden by ``options``).

  Raises:
    ValueError: unknown variant; TypeError: an option the rule does not take.
  """
  variant = variant or spec.default_variant
  if variant not in spec.variants:
    raise ValueError(f"dataset {spec.name!r} has no variant {variant!r}; "
                     f"known: {', '.join(spec.variants)}")
  rule_name, defaults = spec.variants[variant]
  rule = preprocess.RULES[rule_name]
  accepted = list(inspect.signature(rule).parameters)[2:]
  unknown = sorted(set(options) - set(accepted))
  if unknown:
    raise TypeError(f"rule {rule_name!r} of dataset {spec.name!r} takes no option "
                    f"{', '.join(unknown)}; it takes: {', '.join(accepted) or 'none'}")
  return variant, rule_name, {**defaults, **options}


def load_dataset(name: Union[str, registry.DatasetSpec], data_dir: Optional[str] = None,
                 cache_dir: Optional[str] = None, download: bool = False, *,
                 variant: Optional[str] = None, use_cache: bool = True, verify: bool = True,
                 opener: Optional[Callable] = None, **options) -> SequenceDataset:
  """Reads, preprocesses and caches a registered dataset.

  Args:
    name: registry name (see ``registry.names()``) or a DatasetSpec.
    data_dir: data directory; default ``$SASREC_TF_DATA``.
    cache_dir: cache directory; default ``$SASREC_TF_CACHE`` or ``~/.cache/sasrec_tf``.
    download: fetch missing source files from their official addresses.
    variant: preprocessing variant of the dataset (default: its first).
    use_cache: read and write the ``.npz`` cache.
    verify: check source files against known checksums before preprocessing them.
    opener: ``urlopen``-like callable used when downloading (tests).
    **options: overrides of the variant's rule options (e.g. ``min_count=0``).

  Returns:
    the SequenceDataset (ids from 1, each user's items in time order).

  Raises:
    DatasetNotFoundError: a source file is missing; ChecksumMismatchError: it is not the
    official file; DataFormatError: it is malformed (no cache file is written then).
  """
  spec = name if isinstance(name, registry.DatasetSpec) else registry.get(name)
  variant, rule_name, rule_options = resolve_variant(spec, variant, options)
  data_dir = resolve_data_dir(data_dir)
  paths = locate_sources(spec, data_dir, download, opener)
  if spec.partial:
    _log.warning("dataset %r is PARTIAL: %s", spec.name, spec.notes)

  key = cache_lib.cache_key({
      "dataset": spec.name, "variant": variant, "rule": rule_name, "options": rule_options,
      "reader": spec.reader,
      "files": [{"path": p, "size": os.stat(p).st_size, "mtime_ns": os.stat(p).st_mtime_ns,
                 "checksums": dict(s.checksums)} for s, p in zip(spec.files, paths)],
  })
  path = cache_lib.cache_path(resolve_cache_dir(cache_dir), spec.name, key)
  if use_cache:
    cached = cache_lib.load(path)
    if cached is not None and cached[1].get("key") == key:
      return cached[0]

  if verify:
    verify_sources(spec, paths)
  raw = readers.READERS[spec.reader](*paths)
  dataset = preprocess.RULES[rule_name](raw, spec.name, **rule_options)
  if use_cache:
    meta = {"key": key, "dataset": spec.name, "variant": variant, "rule": rule_name,
            "options": rule_options, "files": paths}
    try:
      cache_lib.save(path, dataset, meta)
    except OSError as e:  # the cache only saves time: an unwritable one must not stop a run
      _log.warning("could not write the cache file %s (%s); continuing without it", path, e)
  return dataset


def load_split(name: Union[str, registry.DatasetSpec], *args, min_len: int = 3,
               **kwargs) -> LeaveOneOutSplit:
  """``split_leave_one_out(load_dataset(name, ...), min_len)`` (SPEC §1.7)."""
  return split_leave_one_out(load_dataset(name, *args, **kwargs), min_len=min_len)
