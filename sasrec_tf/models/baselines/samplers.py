"""tf.data training samplers of the baselines.

Every sampler follows ``sasrec_tf.data.sampler``: batch k of a run is a pure function of
(seed, k), built by ``numpy_function`` in a parallel, deterministic ``map``; so a resumed run draws
exactly the batches an uninterrupted one would have. Every sampled negative excludes the items of
the drawing user's training sequence (validation and test items are allowed, as in SASRec).

  * ``WindowSampler``: instances (user, position p): inputs = the ``input_len`` training items
    before p (left-padded with 0), targets = the ``target_len`` items from p on; one epoch is a
    fresh permutation of all instances. input_len 0 / 1 with target_len 1 = the (user, item) and
    (user, previous item, item) triples of BPR, FMC, FPMC, TransRec; Caser / HGN windows with
    ``windows="caser"``; every prefix for STAMP.
  * ``SessionParallelSampler``: GRU4Rec's session-parallel mini-batches (one event per lane per
    step, hidden state carried by the model) with optional shared extra negatives.
"""

from __future__ import annotations

import threading
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from sasrec_tf.data.item_sets import ItemSets
from sasrec_tf.data.sequences import LeaveOneOutSplit
from sasrec_tf.data.step_dataset import step_dataset


def _rng(*key: int) -> np.random.Generator:
  return np.random.default_rng(np.random.SeedSequence([int(k) for k in key]))


def train_item_sets(train: Sequence[np.ndarray], num_items: int) -> ItemSets:
  """Row u = the set of user u's training items (vectorised ``contains`` and ``sizes``)."""
  return ItemSets.from_lists(train, num_items)


def draw_negatives(rng: np.random.Generator, sets: ItemSets, users: np.ndarray,
                   count: int, num_items: int) -> np.ndarray:
  """int32 [B, count] ids uniform over 1..num_items, rejecting each row's user's training items.

  Raises:
    ValueError: a user has interacted with every item (no negative exists).
  """
  users = np.asarray(users, np.int64)
  if count == 0:
    return np.zeros((users.size, 0), np.int32)
  if np.any(sets.sizes(users) >= num_items):
    raise ValueError("a sampled user has interacted with every item: no negative to draw")
  neg = rng.integers(1, num_items + 1, size=(users.size, count))
  bad = sets.contains(users[:, None], neg)
  while bad.any():
    neg[bad] = rng.integers(1, num_items + 1, size=int(bad.sum()))
    bad = sets.contains(users[:, None], neg)
  return neg.astype(np.int32)


class StatelessSampler:
  """Base class: ``batch(step)`` -> dict of numpy arrays with the shapes of ``signature()``."""

  batch_size: int
  seed: int

  @property
  def steps_per_epoch(self) -> int:
    raise NotImplementedError

  def signature(self) -> Dict[str, Tuple[tf.DType, Tuple[int, ...]]]:
    """key -> (dtype, static shape) of every batch entry."""
    raise NotImplementedError

  def batch(self, step: int) -> Dict[str, np.ndarray]:
    raise NotImplementedError

  def dataset(self, first_step: int, num_steps: int, num_parallel_calls: Optional[int] = None,
              prefetch: int = 4) -> tf.data.Dataset:
    """tf.data of batches ``first_step .. first_step + num_steps - 1`` (``step_dataset``)."""
    return step_dataset(self.batch, self.signature(), first_step, num_steps, num_parallel_calls,
                        prefetch)


class _FlatSequences:
  """All training sequences in one flat array, for vectorised window gathering."""

  def __init__(self, train: Sequence[np.ndarray]):
    lengths = np.array([len(t) for t in train], np.int64)
    self.lengths = lengths
    self.offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    self.flat = (np.concatenate([np.asarray(t, np.int32) for t in train]) if lengths.sum()
                 else np.zeros(1, np.int32))

  def gather(self, users: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """int32 [B, W]: item at ``positions[b, w]`` of user ``users[b]``; 0 where out of range."""
    users = np.asarray(users, np.int64)[:, None]
    valid = (positions >= 0) & (positions < self.lengths[users])
    idx = self.offsets[users] + np.where(valid, positions, 0)
    return np.where(valid, self.flat[np.minimum(idx, self.flat.size - 1)], 0).astype(np.int32)


WINDOW_RULES = ("all", "caser")


class WindowSampler(StatelessSampler):
  """(user, L inputs, T targets, K negatives) instances in a fresh random order every epoch.

  Instances are positions p of a user's training sequence S (0-based):
    * ``windows="all"``: every p with ``min_prefix <= p`` and ``p + target_len <= len(S)``;
    * ``windows="caser"`` (Caser's and HGN's code): if ``len(S) >= input_len + target_len``,
      every p with ``p >= input_len`` (full windows, stride 1); otherwise the single window ending
      at the last item, p = max(min_prefix, len(S) - target_len), whose missing inputs are 0
      and whose targets past the end are 0 (masked).
  A batch holds ``user`` int32 [B], ``seq`` int32 [B, L] = S[p-L:p] (left-padded with 0),
  ``pos`` int32 [B, T] = S[p:p+T] (0 past the end) and ``neg`` int32 [B, K], uniform over items
  not in set(S). Epoch e is the permutation ``perm_e`` of the N instances (seeded by (seed, e));
  step k of epoch e takes instances ``perm_e[kB : (k+1)B]`` (wrapping around when N < B);
  ``steps_per_epoch = max(1, N // B)`` (the remainder is dropped, fixed shapes).

  Args:
    split: leave-one-out split (only ``train`` is read).
    input_len: L (0 = no input items, BPR).
    target_len: T.
    num_negatives: K negatives per instance.
    batch_size: B.
    seed: base seed.
    min_prefix: smallest p (1 for sequential models: at least one input item exists).
    windows: "all" or "caser".
  """

  def __init__(self, split: LeaveOneOutSplit, input_len: int, target_len: int = 1,
               num_negatives: int = 1, batch_size: int = 128, seed: int = 0,
               min_prefix: int = 1, windows: str = "all"):
    if windows not in WINDOW_RULES:
      raise ValueError(f"windows must be one of {WINDOW_RULES}, got {windows!r}")
    if input_len < 0 or target_len < 1 or num_negatives < 0 or batch_size < 1:
      raise ValueError("need input_len >= 0, target_len >= 1, num_negatives >= 0, batch_size >= 1")
    self.input_len, self.target_len = int(input_len), int(target_len)
    self.num_negatives, self.batch_size, self.seed = int(num_negatives), int(batch_size), int(seed)
    self.num_items = split.num_items
    self.windows = windows
    self.sequences = _FlatSequences(split.train)
    self.sets = train_item_sets(split.train, split.num_items)
    users, starts = [], []
    L, T = self.input_len, self.target_len
    for u, length in enumerate(self.sequences.lengths):
      length = int(length)
      if windows == "caser" and length < L + T:
        p = max(min_prefix, length - T)
        ps = np.array([p] if p < length else [], np.int64)
      else:
        first = max(min_prefix, L if windows == "caser" else 0)
        ps = np.arange(first, length - T + 1, dtype=np.int64)
      users.append(np.full(ps.size, u, np.int64))
      starts.append(ps)
    self.users = np.concatenate(users).astype(np.int32)
    self.starts = np.concatenate(starts).astype(np.int64)
    if self.users.size == 0:
      raise ValueError("no training instance: every training sequence is too short")
    self._perms: Dict[int, np.ndarray] = {}
    self._lock = threading.Lock()

  @property
  def num_instances(self) -> int:
    return int(self.users.size)

  @property
  def steps_per_epoch(self) -> int:
    return max(1, self.num_instances // self.batch_size)

  def signature(self):
    b = self.batch_size
    return {"user": (tf.int32, (b,)), "seq": (tf.int32, (b, self.input_len)),
            "pos": (tf.int32, (b, self.target_len)), "neg": (tf.int32, (b, self.num_negatives))}

  def _permutation(self, epoch: int) -> np.ndarray:
    with self._lock:
      perm = self._perms.get(epoch)
      if perm is None:
        perm = _rng(self.seed, 0, epoch).permutation(self.num_instances)
        if len(self._perms) >= 4:
          self._perms.pop(min(self._perms))
        self._perms[epoch] = perm
      return perm

  def instances(self, step: int) -> np.ndarray:
    """Indices (into ``users`` / ``starts``) of the instances of batch ``step``."""
    epoch, k = divmod(int(step), self.steps_per_epoch)
    perm = self._permutation(epoch)
    return perm[(k * self.batch_size + np.arange(self.batch_size)) % self.num_instances]

  def batch(self, step: int) -> Dict[str, np.ndarray]:
    idx = self.instances(step)
    users, starts = self.users[idx], self.starts[idx]
    seq = self.sequences.gather(users, starts[:, None] - self.input_len
                                + np.arange(self.input_len)[None, :])
    pos = self.sequences.gather(users, starts[:, None] + np.arange(self.target_len)[None, :])
    neg = draw_negatives(_rng(self.seed, 1, step), self.sets, users, self.num_negatives,
                         self.num_items)
    return {"user": users, "seq": seq, "pos": pos, "neg": neg}


class SessionParallelSampler(StatelessSampler):
  """GRU4Rec's session-parallel mini-batches (Hidasi et al. 2016, §3.1.1), stateless per step.

  Each user's training sequence is a session; its events are (input S[t], target S[t+1]) for
  t = 0..len-2. The batch has B lanes; each lane plays its sessions back to back, one event per
  step, and a lane's hidden state is reset (``reset`` = 1) at the first event of a session. Lane l
  plays, pass after pass, the l-th of B near-equal chunks of a random permutation of the sessions
  (pass p's permutation is seeded by (seed, p)), so every session is played once per pass and the
  event of lane l at step k is a pure function of (seed, k). One epoch = ``total events // B``
  steps (about one pass). The original shuffles nothing by default and refills a finished lane
  with the globally next session; this layout keeps lanes independent so any step can be built
  on its own, with the same statistics.

  Negatives: column j < B of a row is lane j's target (the original's in-batch negatives); then
  ``num_extra`` shared extra negatives (GRU4Rec+) drawn with probability proportional to
  ``count ** sample_alpha`` over the training interactions (alpha 0 = uniform). ``valid``
  [B, B + num_extra] marks the columns that are negatives of a row: never the row's own target,
  never an item of the row's user's training sequence.

  Batch: user, item (input), pos (target) int32 [B]; reset float32 [B]; neg int32 [num_extra];
  valid float32 [B, B + num_extra].
  """

  def __init__(self, split: LeaveOneOutSplit, batch_size: int = 50, seed: int = 0,
               num_extra: int = 0, sample_alpha: float = 0.0):
    self.batch_size, self.seed = int(batch_size), int(seed)
    self.num_extra, self.sample_alpha = int(num_extra), float(sample_alpha)
    self.num_items = split.num_items
    self.train = [np.asarray(t, np.int32) for t in split.train]
    lengths = np.array([t.size for t in self.train], np.int64)
    self.sessions = np.nonzero(lengths >= 2)[0]
    self.events = lengths - 1
    if self.sessions.size < self.batch_size:
      raise ValueError(f"session-parallel batches need at least batch_size={self.batch_size} "
                       f"users with >= 2 training items, have {self.sessions.size}")
    self.total_events = int(self.events[self.sessions].sum())
    self.sets = train_item_sets(split.train, split.num_items)
    counts = np.bincount(np.concatenate([t for t in self.train if t.size]),
                         minlength=self.num_items + 1).astype(np.float64)
    counts[0] = 0.0
    weights = np.where(counts > 0, counts ** self.sample_alpha, 0.0)
    if self.sample_alpha == 0.0:
      weights = np.ones_like(counts)
      weights[0] = 0.0
    self._cdf = np.cumsum(weights) / weights.sum()
    self._lock = threading.Lock()
    self._layouts: Dict[int, Tuple[list, list]] = {}
    # _offsets[p, l] = first global step of lane l's pass p.
    self._offsets = [np.zeros(self.batch_size, np.int64)]

  @property
  def steps_per_epoch(self) -> int:
    return max(1, self.total_events // self.batch_size)

  def signature(self):
    b, k = self.batch_size, self.num_extra
    return {"user": (tf.int32, (b,)), "item": (tf.int32, (b,)), "pos": (tf.int32, (b,)),
            "reset": (tf.float32, (b,)), "neg": (tf.int32, (k,)),
            "valid": (tf.float32, (b, b + k))}

  def _layout(self, p: int):
    """Pass p: per lane, its session users and their first-event offsets (cumulative)."""
    layout = self._layouts.get(p)
    if layout is None:
      perm = _rng(self.seed, 0, p).permutation(self.sessions)
      chunks = np.array_split(perm, self.batch_size)
      starts = [np.concatenate([[0], np.cumsum(self.events[c])]) for c in chunks]
      layout = (chunks, starts)
      if len(self._layouts) >= 8:
        self._layouts.pop(min(self._layouts))
      self._layouts[p] = layout
    return layout

  def _locate(self, step: int):
    """(pass index, local event index) per lane for global step ``step``."""
    with self._lock:
      while self._offsets[-1].min() <= step:
        p = len(self._offsets) - 1
        _, starts = self._layout(p)
        totals = np.array([s[-1] for s in starts], np.int64)
        self._offsets.append(self._offsets[-1] + totals)
      offsets = np.stack(self._offsets)  # [P + 1, B]
      lanes = np.arange(self.batch_size)
      passes = np.array([np.searchsorted(offsets[:, l], step, side="right") - 1 for l in lanes])
      local = step - offsets[passes, lanes]
      layouts = {p: self._layout(int(p)) for p in np.unique(passes)}
    return passes, local, layouts

  def batch(self, step: int) -> Dict[str, np.ndarray]:
    b = self.batch_size
    passes, local, layouts = self._locate(int(step))
    users = np.zeros(b, np.int64)
    t = np.zeros(b, np.int64)
    for lane in range(b):
      chunks, starts = layouts[passes[lane]]
      i = int(np.searchsorted(starts[lane], local[lane], side="right") - 1)
      users[lane] = chunks[lane][i]
      t[lane] = local[lane] - starts[lane][i]
    item = np.array([self.train[u][i] for u, i in zip(users, t)], np.int32)
    pos = np.array([self.train[u][i + 1] for u, i in zip(users, t)], np.int32)
    rng = _rng(self.seed, 1, step)
    neg = (np.searchsorted(self._cdf, rng.random(self.num_extra), side="right")
           .clip(1, self.num_items).astype(np.int32))
    columns = np.concatenate([pos, neg])[None, :]
    valid = ~self.sets.contains(users[:, None], columns)
    valid[np.arange(b), np.arange(b)] = False
    return {"user": users.astype(np.int32), "item": item, "pos": pos,
            "reset": (t == 0).astype(np.float32), "neg": neg, "valid": valid.astype(np.float32)}
