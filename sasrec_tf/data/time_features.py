"""Time inputs of TiSASRec / SAS-FPT, derived from absolute timestamps (SPEC §1.5, §5.1, §5.3).

A time-aware split keeps absolute unix seconds (``LeaveOneOutSplit.train_times`` ...). Everything
the models read is derived here, vectorised over a batch of windows:

  * personalized time (code, SPEC §1.5 step 5): per user, ``r_u`` = smallest strictly positive gap
    between the user's sorted timestamps over the *whole* sequence (validation and test included;
    1 if none) and ``tau = round((t - t_min_u) / r_u) + 1`` (half-to-even, as Python 3's round);
    padding slots get tau = 0;
  * relation matrix (code): ``R_ij = min(|tau_i - tau_j|, k)`` over all slot pairs, padding
    included (padding entries never matter: padding keys are masked, padding queries zeroed);
  * relation matrix (paper text, ``rounding="paper"``): ``R_ij = min(floor(|t_i - t_j| / r_u), k)``
    (the TiSASRec paper divides the *interval*; the code rescales the *timestamps* first), 0 where
    either slot is padding;
  * week of the year, UTC: ``min(ceil(day_of_year / 7), 52)`` in 1..52, 0 for padding
    (SAS-FPT's 52 buckets; days 365/366 join week 52);
  * SAS-FPT user groups for the group-wise cosine loss (demographic attribute or activity).

``personalized=False`` replaces ``r_u`` by a fixed ``interval_unit`` (seconds) for every user.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from sasrec_tf.data.sequences import LeaveOneOutSplit, split_leave_one_out

NUM_WEEKS = 52
SECONDS_PER_DAY = 86400
ROUNDINGS = ("code", "paper")
GROUP_ATTRIBUTES = ("age", "gender", "occupation", "activity")
# MovieLens-1M age codes (users.dat): 1 "<18", 18 "18-24", 25, 35, 45, 50, 56 "56+".
ML1M_AGE_CODES = (1, 18, 25, 35, 45, 50, 56)


# --------------------------------------------------------------------------- pure functions


def week_of_year(times, valid=None) -> np.ndarray:
  """UTC week-of-year bucket ``min(ceil(day_of_year / 7), 52)`` of unix seconds.

  Args:
    times: int [...] unix seconds.
    valid: optional bool [...]; entries where it is False (padding) get 0.

  Returns:
    int32 [...] with values in 1..52 (0 where not valid). Days 1-7 are week 1, days 358-366 are
    week 52.
  """
  t = np.asarray(times, np.int64)
  days = np.floor_divide(t, SECONDS_PER_DAY).astype("datetime64[D]")
  year_start = days.astype("datetime64[Y]").astype("datetime64[D]")
  day_of_year = (days - year_start).astype(np.int64) + 1
  weeks = np.minimum((day_of_year + 6) // 7, NUM_WEEKS).astype(np.int32)
  if valid is not None:
    weeks = np.where(np.asarray(valid, bool), weeks, 0).astype(np.int32)
  return weeks


def user_time_scales(timestamps: Sequence[np.ndarray], personalized: bool = True,
                     interval_unit: int = 1) -> Tuple[np.ndarray, np.ndarray]:
  """Per-user time origin and scale over the whole sequences.

  Args:
    timestamps: per-user int arrays (e.g. ``SequenceDataset.timestamps``), index = user id.
    personalized: scale = the user's smallest strictly positive gap between sorted times (1 if
      there is none; SPEC §1.5); False: scale = ``interval_unit`` for every user.
    interval_unit: seconds per unit when not personalized.

  Returns:
    (origin int64 [U], scale int64 [U]): the user's earliest time (0 for an empty user) and the
    scale (>= 1).
  """
  lengths = np.array([len(t) for t in timestamps], np.int64)
  num = lengths.size
  origin = np.zeros(num, np.int64)
  scale = np.full(num, max(1, int(interval_unit)), np.int64)
  if lengths.sum() == 0:
    return origin, scale
  owner = np.repeat(np.arange(num), lengths)
  flat = np.concatenate([np.asarray(t, np.int64) for t in timestamps])
  order = np.lexsort((flat, owner))
  s, o = flat[order], owner[order]
  starts = np.ones(s.size, bool)
  starts[1:] = o[1:] != o[:-1]
  origin[o[starts]] = s[starts]
  if personalized:
    big = np.iinfo(np.int64).max
    scale[:] = big
    gaps = np.diff(s)
    positive = (o[1:] == o[:-1]) & (gaps > 0)
    np.minimum.at(scale, o[1:][positive], gaps[positive])
    scale[scale == big] = 1
  return origin, scale


def personalized_time(times, valid, origin, scale) -> np.ndarray:
  """``tau = round((t - origin) / scale) + 1`` per row (half-to-even), 0 where not valid.

  Args:
    times: int [B, n] unix seconds.
    valid: bool [B, n] (False = padding).
    origin, scale: int [B] per-row user origin and scale (``user_time_scales``).

  Returns:
    int64 [B, n].
  """
  t = np.asarray(times, np.int64)
  o = np.asarray(origin, np.int64)[:, None]
  s = np.asarray(scale, np.int64)[:, None]
  tau = np.round((t - o) / s).astype(np.int64) + 1
  return np.where(np.asarray(valid, bool), tau, 0)


def relation_matrix(tau, time_span: int) -> np.ndarray:
  """TiSASRec code: ``R_ij = min(|tau_i - tau_j|, k)``; tau int [B, n] -> int32 [B, n, n]."""
  tau = np.asarray(tau, np.int64)
  return np.minimum(np.abs(tau[:, :, None] - tau[:, None, :]), int(time_span)).astype(np.int32)


def paper_relation_matrix(times, valid, scale, time_span: int) -> np.ndarray:
  """TiSASRec paper: ``R_ij = min(floor(|t_i - t_j| / r_u), k)``, 0 where i or j is padding.

  Args:
    times: int [B, n] unix seconds; valid: bool [B, n]; scale: int [B] (r_u per row).

  Returns:
    int32 [B, n, n].
  """
  t = np.asarray(times, np.int64)
  gaps = np.abs(t[:, :, None] - t[:, None, :]) // np.asarray(scale, np.int64)[:, None, None]
  rel = np.minimum(gaps, int(time_span))
  both = np.asarray(valid, bool)[:, :, None] & np.asarray(valid, bool)[:, None, :]
  return np.where(both, rel, 0).astype(np.int32)


# --------------------------------------------------------------------------- feature builder


class TimeFeatures:
  """Builds the time inputs of a batch of windows from their absolute timestamps.

  Args:
    split: a split with timestamps (``train_times`` etc.; ``split.dataset.timestamps`` holds the
      users' whole sequences, from which the personal scales are computed).
    time_span: clipping span k.
    personalized: divide by each user's smallest non-zero gap (TiSASRec); False: by
      ``interval_unit`` seconds.
    interval_unit: seconds per unit when not personalized.
    rounding: "code" (rescale timestamps, round, subtract) or "paper" (floor of the scaled
      interval).

  Raises:
    ValueError: the split has no timestamps, or an unknown rounding.
  """

  def __init__(self, split: LeaveOneOutSplit, time_span: int = 256, personalized: bool = True,
               interval_unit: int = SECONDS_PER_DAY, rounding: str = "code"):
    if split.train_times is None or split.dataset.timestamps is None:
      raise ValueError(f"dataset {split.dataset.name!r} has no timestamps: time-aware inputs "
                       "cannot be built")
    if rounding not in ROUNDINGS:
      raise ValueError(f"rounding must be one of {ROUNDINGS}, got {rounding!r}")
    if int(time_span) < 1:
      raise ValueError(f"time_span must be >= 1, got {time_span}")
    self.split = split
    self.time_span = int(time_span)
    self.rounding = rounding
    self.origin, self.scale = user_time_scales(split.dataset.timestamps, personalized,
                                               interval_unit)

  def relations(self, users, times, valid) -> np.ndarray:
    """int32 [B, n, n] relation matrices of windows ``times`` [B, n] of ``users`` [B]."""
    users = np.asarray(users, np.int64)
    if self.rounding == "paper":
      return paper_relation_matrix(times, valid, self.scale[users], self.time_span)
    tau = personalized_time(times, valid, self.origin[users], self.scale[users])
    return relation_matrix(tau, self.time_span)

  def window_inputs(self, users, seqs, times) -> Dict[str, np.ndarray]:
    """{"time_matrix": int32 [B, n, n], "weeks": int32 [B, n]} of item windows ``seqs`` [B, n]
    (0 = padding) with aligned timestamps ``times`` [B, n]."""
    valid = np.asarray(seqs) != 0
    return {"time_matrix": self.relations(users, times, valid),
            "weeks": week_of_year(times, valid)}

  def eval_inputs(self, batch: Mapping[str, np.ndarray], stage: str) -> Dict[str, np.ndarray]:
    """``Evaluator.extra_inputs_fn``: the batch's time inputs plus the target's week.

    Needs ``batch["times"]`` (``Evaluator(include_times=True)``). Returns time_matrix
    [B, n, n], weeks [B, n] and target_weeks [B] (week of the validation / test interaction).
    """
    users = np.asarray(batch["users"], np.int64)
    out = self.window_inputs(users, batch["seqs"], batch["times"])
    target_times = self.split.valid_times if stage == "valid" else self.split.test_times
    out["target_weeks"] = week_of_year(np.asarray(target_times)[users])
    return out


# --------------------------------------------------------------------------- user groups


class UserGroups:
  """Group labels of users and the SAS-FPT pair draw (SPEC §5.3).

  Args:
    labels: int [num_users + 1]; label of each user id, 0 = unknown (never drawn).

  Raises:
    ValueError: fewer than two groups, or no group with two members.
  """

  def __init__(self, labels):
    labels = np.asarray(labels, np.int64)
    self.labels = labels
    known = np.nonzero(labels > 0)[0]
    self.known = known
    self.by_group = known[np.argsort(labels[known], kind="stable")]
    groups, starts, sizes = np.unique(labels[self.by_group], return_index=True,
                                      return_counts=True)
    if groups.size < 2:
      raise ValueError(f"group-wise loss needs at least two user groups, got {groups.size}")
    self.start = np.zeros(labels.max() + 1, np.int64)
    self.size = np.zeros(labels.max() + 1, np.int64)
    self.start[groups], self.size[groups] = starts, sizes
    # Position of each user inside by_group, to exclude the anchor from its partners.
    self.rank = np.full(labels.size, -1, np.int64)
    self.rank[self.by_group] = np.arange(self.by_group.size)
    self.anchors = known[self.size[labels[known]] >= 2]
    if self.anchors.size == 0:
      raise ValueError("group-wise loss needs a group with at least two users")

  @property
  def num_groups(self) -> int:
    return int(np.count_nonzero(self.size))

  def draw_pairs(self, rng: np.random.Generator, num_pairs: int):
    """``num_pairs`` positive then ``num_pairs`` negative pairs of distinct users.

    Positive: anchor uniform among users whose group has >= 2 members, partner uniform among
    the other members of its group. Negative: anchor uniform among labelled users, partner
    uniform among labelled users of another group.

    Returns:
      (a int32 [2P], b int32 [2P], label float32 [2P]: +1 for the first P, -1 for the rest).
    """
    p = int(num_pairs)
    a_pos = self.anchors[rng.integers(0, self.anchors.size, size=p)]
    g = self.labels[a_pos]
    offset = rng.integers(0, self.size[g] - 1)
    offset = offset + (offset >= self.rank[a_pos] - self.start[g])  # skip the anchor itself
    b_pos = self.by_group[self.start[g] + offset]
    a_neg = self.known[rng.integers(0, self.known.size, size=p)]
    b_neg = self.known[rng.integers(0, self.known.size, size=p)]
    bad = self.labels[b_neg] == self.labels[a_neg]
    while bad.any():
      b_neg[bad] = self.known[rng.integers(0, self.known.size, size=int(bad.sum()))]
      bad = self.labels[b_neg] == self.labels[a_neg]
    a = np.concatenate([a_pos, a_neg]).astype(np.int32)
    b = np.concatenate([b_pos, b_neg]).astype(np.int32)
    label = np.concatenate([np.ones(p, np.float32), -np.ones(p, np.float32)])
    return a, b, label


def _dense_labels(values: np.ndarray) -> np.ndarray:
  """Distinct values -> 1..G in sorted order."""
  return np.unique(values, return_inverse=True)[1].reshape(-1).astype(np.int64) + 1


def demographic_groups(profile_users, values, num_users: int,
                       attribute: str = "age") -> np.ndarray:
  """Labels [num_users + 1] from a demographic column aligned with ``profile_users``.

  Ages are bucketed to the MovieLens-1M codes (<18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+), so
  ML-1M's coded ages and ML-100K's raw ages give the same 7 groups. Users absent from the
  profile (or with id > num_users) get 0.
  """
  users = np.asarray(profile_users, np.int64)
  values = np.asarray(values)
  if attribute == "age":
    codes = np.asarray(ML1M_AGE_CODES)
    bucket = np.searchsorted(codes, values.astype(np.int64), side="right") - 1
    values = codes[np.maximum(bucket, 0)]
  keep = (users >= 1) & (users <= num_users)
  labels = np.zeros(num_users + 1, np.int64)
  if keep.any():
    labels[users[keep]] = _dense_labels(values[keep].astype(str))
  return labels


def activity_groups(split: LeaveOneOutSplit, num_buckets: int = 5) -> np.ndarray:
  """Labels [num_users + 1]: quantile bucket (1..num_buckets) of each user's training length;
  users without training items get 0. A group definition that needs no side file."""
  lengths = np.array([len(t) for t in split.train], np.int64)
  labels = np.zeros(lengths.size, np.int64)
  active = np.nonzero(lengths > 0)[0]
  if active.size:
    edges = np.quantile(lengths[active], np.linspace(0, 1, num_buckets + 1)[1:-1])
    labels[active] = np.searchsorted(edges, lengths[active], side="right") + 1
  return labels


# --------------------------------------------------------------------------- split loading


def _timed_subset_spec():
  """SASRec's ML-1M with raw timestamps for the users the partial ratings copy covers.

  Kept out of the shared registry on purpose: it is a join made for this workplace's partial
  copy (the full ``ratings.dat`` gives the exact TiSASRec data as ``ml-1m-raw``), and the registry
  holds one partial dataset only. Ids: users = raw MovieLens ids (1..2999), items = SASRec's ids
  (so the 5-filter is SASRec's, computed on the full data). Order: each user's ratings sorted by
  time, stably over ``ratings.dat`` line order (TiSASRec ``util.py``).
  """
  from sasrec_tf.data import registry  # pylint: disable=import-outside-toplevel
  sas_file = registry.get("ml-1m").files[0]
  ratings = registry.get("ml-1m-raw-subset")
  mapping = "https://raw.githubusercontent.com/asash/ml1m-sas-mapping/" \
            "56013fb1def17a503613b5b914c2809ed18f607c/"
  return registry.DatasetSpec(
      name="ml-1m-timed-subset",
      description="PARTIAL: SASRec's ML-1M, users 1..2999, with ratings.dat timestamps",
      papers=(),
      files=(
          sas_file,
          registry.SourceFile(
              "ml-1m/sas-mapping/sas_to_original_users.txt",
              (mapping + "sas_to_original_users.txt",),
              {"sha256": "121893a66ab13fad83a67e12e3b3e6ddc56bcd01f0bcedf2ccb10bd8405e6239",
               "git-sha1": "ae5866dd046620c25ac37ac09380608c08f22821"}, size=58186),
          registry.SourceFile(
              "ml-1m/sas-mapping/sas_to_original_items.txt",
              (mapping + "sas_to_original_items.txt",),
              {"sha256": "9ae42c23af0b0fe2f189b9d5acc6cf3936bffe1a9568390cf5d100c0c1b1fca1",
               "git-sha1": "bb19463aec437bdba7c6cc997e6d8ecabf709b86"}, size=32109),
          ratings.files[0]),
      reader="ml1m_sas_timed",
      variants={"tisasrec": ("sasrec", {"min_user_count": 0, "min_item_count": 0,
                                        "user_ids": "ascending", "item_ids": "raw"})},
      side_files=ratings.side_files,
      partial=True,
      notes="Partial: 2,999 of 6,040 users. Results are not comparable with any paper table.")


# Time-aware datasets outside the shared registry (name -> spec factory).
TIME_DATASETS = {"ml-1m-timed-subset": _timed_subset_spec}


@dataclasses.dataclass(frozen=True)
class TimedSplit(LeaveOneOutSplit):
  """A leave-one-out split with absolute timestamps, plus SAS-FPT's user groups.

  Attributes:
    user_groups: int [num_users + 1] group label per user (0 = unknown), or None.
    group_by: the attribute the groups come from, or None.
    source: "<registry name>:<variant>" the split was loaded from.
  """

  user_groups: Optional[np.ndarray] = None
  group_by: Optional[str] = None
  source: str = ""


def _users_side_file(spec, data_dir: str) -> Optional[str]:
  for source in spec.side_files:
    if os.path.basename(source.path) in ("users.dat", "u.user"):
      return os.path.join(data_dir, *source.path.split("/"))
  return None


def load_user_groups(spec, split: LeaveOneOutSplit, data_dir: str, attribute: str) -> np.ndarray:
  """Group labels of ``split``'s users by ``attribute`` (see ``GROUP_ATTRIBUTES``).

  Demographic attributes read the dataset's users file (ML-1M ``users.dat`` or ML-100K
  ``u.user``, registered as a side file); dataset user ids must be the raw MovieLens ids, which
  holds for every MovieLens variant here (ids by ascending raw id, no user filtered out).

  Raises:
    ValueError: unknown attribute, or a demographic attribute on a dataset without users file.
    FileNotFoundError: the users file is registered but missing.
  """
  if attribute not in GROUP_ATTRIBUTES:
    raise ValueError(f"group_by must be one of {GROUP_ATTRIBUTES}, got {attribute!r}")
  if attribute == "activity":
    return activity_groups(split)
  from sasrec_tf.data import readers  # pylint: disable=import-outside-toplevel
  path = _users_side_file(spec, data_dir)
  if path is None:
    raise ValueError(f"dataset {spec.name!r} has no demographic users file for group_by="
                     f"{attribute!r}; use --group_by=activity or --group_loss_weight=0")
  if not os.path.isfile(path):
    raise FileNotFoundError(f"{path} (users file for group_by={attribute!r}) is missing")
  reader = (readers.read_movielens_users if path.endswith("users.dat")
            else readers.read_ml100k_users)
  profiles = reader(path)
  if profiles.users.max() < split.num_users:
    raise ValueError(f"{path} lists users up to {profiles.users.max()}, but dataset "
                     f"{spec.name!r} has {split.num_users}: ids are not raw MovieLens ids")
  return demographic_groups(profiles.users, getattr(profiles, attribute), split.num_users,
                            attribute)


def load_time_split(dataset: str, data_dir: Optional[str] = None,
                    data_source: Optional[str] = None, group_by: Optional[str] = None,
                    min_len: int = 3) -> LeaveOneOutSplit:
  """The leave-one-out split a time-aware model trains on.

  Names are looked up in ``TIME_DATASETS`` (``ml-1m-timed-subset``) first, then in the dataset
  registry.

  Args:
    dataset: registry name (used when ``data_source`` is None).
    data_dir: data directory (default ``$SASREC_TF_DATA``).
    data_source: ``"<registry name>[:<variant>]"`` to load instead of ``dataset``; without a
      variant, the dataset's ``"tisasrec"`` variant when it has one (SPEC §1.5), else its
      default.
    group_by: also attach SAS-FPT user groups by this attribute (None: no groups).
    min_len: users with fewer interactions are train-only (SPEC §1.7).

  Returns:
    A ``TimedSplit`` (timestamps are absolute unix seconds), or, for a dataset without
    timestamps (SASRec's ``user item`` text), the plain split, so that the caller can refuse it
    with a message naming the dataset.
  """
  from sasrec_tf.data import loader, registry  # pylint: disable=import-outside-toplevel
  name, _, variant = (data_source or dataset).partition(":")
  spec = TIME_DATASETS[name]() if name in TIME_DATASETS else registry.get(name)
  if not variant:
    variant = "tisasrec" if "tisasrec" in spec.variants else None
  data = loader.load_dataset(spec, data_dir, variant=variant)
  split = split_leave_one_out(data, min_len=min_len)
  if split.train_times is None:
    return split
  groups = None
  if group_by:
    groups = load_user_groups(spec, split, loader.resolve_data_dir(data_dir), group_by)
  fields = {f.name: getattr(split, f.name) for f in dataclasses.fields(LeaveOneOutSplit)}
  return TimedSplit(**fields, user_groups=groups, group_by=group_by,
                    source=f"{name}:{variant or spec.default_variant}")


def with_groups(split: LeaveOneOutSplit, labels: np.ndarray, group_by: str) -> TimedSplit:
  """``split`` as a TimedSplit carrying group ``labels`` (tests, custom groupings)."""
  fields = {f.name: getattr(split, f.name) for f in dataclasses.fields(LeaveOneOutSplit)}
  return TimedSplit(**fields, user_groups=np.asarray(labels, np.int64), group_by=group_by,
                    source=getattr(split, "source", ""))


__all__: List[str] = [
    "NUM_WEEKS", "TimeFeatures", "TimedSplit", "UserGroups", "activity_groups",
    "demographic_groups", "load_time_split", "load_user_groups", "paper_relation_matrix",
    "personalized_time", "relation_matrix", "user_time_scales", "week_of_year", "with_groups",
]
