"""AttRec's twelve datasets (AttRec Table 1) and its train / validation / test split (SPEC §1.8,
§6.5).

The reporting layer names datasets as the papers print them (``ml-1m``, ``garden``...); the
dataset registry names files (``ml-1m-raw``, ``amazon-garden``...). ``ATTREC_DATASETS`` maps the
first to the second, so ``--model=attrec --dataset=garden`` (a table row) and
``--dataset=amazon-garden`` (a registry name) load the same data. Every listed registry entry has
an ``attrec`` preprocessing variant: explicit ratings become implicit feedback; MovieLens keeps
every rating (ML-1M: 3,706 items); the Amazon categories, LastFM and MovieTweetings drop items
seen once ("cold-start items") and then users with fewer than 10 actions; each user's most recent
interaction is last (``preprocess.attrec_rule``).

Split (``holdout_validation=True``, the paper's protocol): the most recent item is the test item,
the second most recent the validation item, the rest is training (``split_leave_one_out``).
``holdout_validation=False`` is what the original code does: it trains on everything but the
test item and has no validation item; the returned split then carries the test item in both the
validation and the test column.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import numpy as np

from sasrec_tf.data import registry
from sasrec_tf.data.sequences import LeaveOneOutSplit, SequenceDataset, split_leave_one_out

# AttRec Table 1 dataset (canonical reporting name) -> dataset registry name, in Table 1 order.
ATTREC_DATASETS: Dict[str, str] = {
    "ml-100k": "ml-100k",
    "ml-hetrec": "ml-hetrec",
    "ml-1m": "ml-1m-raw",
    "android-app": "amazon-apps",
    "health-care": "amazon-health",
    "video-game": "amazon-games",
    "tools-home": "amazon-tools",
    "digital-music": "amazon-music",
    "garden": "amazon-garden",
    "instant-video": "amazon-video",
    "lastfm": "lastfm",
    "movietweetings": "movietweetings",
}
ATTREC_VARIANT = "attrec"


def registry_entry(dataset: str) -> Tuple[str, Optional[str]]:
  """(registry name, variant) that holds AttRec's ``dataset``.

  ``dataset`` is an AttRec name (``ATTREC_DATASETS``) or any registry name; the variant is
  ``"attrec"`` when the registry entry has one, else None (its default).

  Raises:
    KeyError: neither an AttRec name nor a registered dataset.
  """
  name = ATTREC_DATASETS.get(dataset, dataset)
  spec = registry.get(name)
  return name, (ATTREC_VARIANT if ATTREC_VARIANT in spec.variants else None)


def split_without_validation(dataset: SequenceDataset) -> LeaveOneOutSplit:
  """The original code's split: train = all but the last item, valid = test = the last item.

  Users with fewer than 2 interactions keep everything in training and are not evaluated.
  """
  n = dataset.num_users
  train, test = [], np.zeros(n + 1, np.int32)
  has_t = dataset.timestamps is not None
  train_t = [] if has_t else None
  test_t = np.zeros(n + 1, np.int64) if has_t else None
  for u, seq in enumerate(dataset.sequences):
    ts = dataset.timestamps[u] if has_t else None
    if len(seq) < 2:
      train.append(np.asarray(seq, np.int32))
      if has_t:
        train_t.append(np.asarray(ts, np.int64))
      continue
    train.append(np.asarray(seq[:-1], np.int32))
    test[u] = seq[-1]
    if has_t:
      train_t.append(np.asarray(ts[:-1], np.int64))
      test_t[u] = ts[-1]
  return LeaveOneOutSplit(dataset, train, test.copy(), test, train_t,
                          None if test_t is None else test_t.copy(), test_t)


def load_attrec_split(dataset: str, data_dir: Optional[str] = None,
                      holdout_validation: bool = True, **load_kwargs) -> LeaveOneOutSplit:
  """Loads AttRec's ``dataset`` (see the module docstring) and splits it.

  Args:
    dataset: AttRec name (``garden``) or registry name (``amazon-garden``).
    data_dir: data directory (default ``$SASREC_TF_DATA``).
    holdout_validation: True = paper protocol (train S[:-2], valid S[-2], test S[-1]); False =
      code protocol (train S[:-1], valid = test = S[-1]).
    **load_kwargs: passed to ``loader.load_dataset`` (cache_dir, download, ...).

  Raises:
    DatasetNotFoundError: the source files are missing.
  """
  from sasrec_tf.data.loader import load_dataset  # pylint: disable=import-outside-toplevel
  name, variant = registry_entry(dataset)
  data = load_dataset(name, data_dir, variant=variant, **load_kwargs)
  if holdout_validation:
    return split_leave_one_out(data)
  return split_without_validation(data)
