"""Readers for the raw file formats used by SASRec, SSE-PT, TiSASRec / SAS-FPT and AttRec.

Every reader returns an :class:`Interactions` record holding the rows in file order; only
:func:`read_sasrec_sequences` goes straight to a :class:`SequenceDataset`, because its input is
already preprocessed. Files may be gzip-compressed (detected from the content, not the name).

Malformed input raises :class:`DataFormatError` naming the file and the 1-based line. Columns a
reader does not use (ratings, tag ids) are counted but not validated. Blank lines are errors
unless they only trail the last row.

Delimited text is parsed in blocks of whole lines with numpy; a slow per-value pass runs only to
locate the offending line once a block fails to convert.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime
import gzip
import json
import os
import re
import zlib
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from sasrec_tf.data.errors import DataFormatError
from sasrec_tf.data.sequences import SequenceDataset

_BLOCK_BYTES = 1 << 25
_INT_RE = re.compile(r"-?[0-9]+")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EPOCH = datetime.date(1970, 1, 1)
_UNIT_SEPARATOR = 0x1F


@dataclasses.dataclass(frozen=True)
class Interactions:
  """Raw (user, item[, time]) rows in file order.

  Attributes:
    users: [N] raw user keys; int64, or an object array of str for formats with string ids.
    items: [N] raw item keys, same convention.
    timestamps: int64 [N] unix seconds, or None when the format carries no time.
    source: the file the rows come from (used in messages).
  """

  users: np.ndarray
  items: np.ndarray
  timestamps: Optional[np.ndarray] = None
  source: str = ""

  def __post_init__(self):
    n = len(self.users)
    if len(self.items) != n or (self.timestamps is not None and len(self.timestamps) != n):
      raise ValueError("users, items and timestamps must have the same length")

  def __len__(self) -> int:
    return len(self.users)

  def take(self, rows: np.ndarray) -> "Interactions":
    """Rows selected by a boolean mask or an index array, in the order given."""
    times = None if self.timestamps is None else self.timestamps[rows]
    return Interactions(self.users[rows], self.items[rows], times, self.source)


# --------------------------------------------------------------------------- low-level helpers


def _open_binary(path: str):
  """Opens a plain or gzip-compressed file for binary reading."""
  with open(path, "rb") as f:
    magic = f.read(2)
  return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def _line_blocks(path: str) -> Iterator[Tuple[int, bytes]]:
  """Yields (number of the first line, block of whole lines joined by b'\\n').

  A block never ends with a line break. CRLF becomes LF. Line breaks that end the file are
  dropped; blank lines followed by data stay in the blocks as empty lines.
  """
  line = 1
  pending = b""
  try:
    with _open_binary(path) as f:
      while True:
        data = f.read(_BLOCK_BYTES)
        pending += data
        if not data:
          body = pending.rstrip(b"\r\n")
          if body:
            yield line, body.replace(b"\r\n", b"\n")
          return
        cut = pending.rfind(b"\n")
        if cut < 0:
          continue
        body = pending[:cut].rstrip(b"\r\n")
        if not body:
          continue  # only line breaks so far; they are blank lines if data follows
        rest = pending[len(body):]
        pending = rest[2:] if rest.startswith(b"\r\n") else rest[1:]
        yield line, body.replace(b"\r\n", b"\n")
        line += body.count(b"\n") + 1
  except (OSError, EOFError, zlib.error) as e:
    if isinstance(e, FileNotFoundError):
      raise
    raise DataFormatError(path, None, f"cannot read the file ({e})",
                          "a readable text file, optionally gzip-compressed") from e


def _line_text(block: bytes, index: int) -> str:
  """The index-th line (0-based) of a block, decoded for messages."""
  return block.split(b"\n")[index].decode("utf-8", "replace")


def _decode(path: str, block: bytes, first_line: int, encoding: str) -> str:
  try:
    return block.decode(encoding)
  except UnicodeDecodeError as e:
    line = first_line + block.count(b"\n", 0, e.start)
    raise DataFormatError(path, line, f"bytes that are not valid {encoding} text",
                          f"{encoding}-encoded text") from e


def _to_int64(path: str, name: str, values: List[str], first_line: int, expected: str,
              strict: bool) -> np.ndarray:
  """Converts decimal strings to int64; a bad value raises DataFormatError at its line.

  With ``strict`` every value is checked against ``-?[0-9]+`` first (numpy's conversion also
  accepts forms such as ' 1' or '1_0').
  """
  if strict:
    for k, v in enumerate(values):
      if not _INT_RE.fullmatch(v):
        raise DataFormatError(path, first_line + k, f"{name} {v!r} is not an integer", expected)
  try:
    return np.array(values).astype(np.int64)
  except (ValueError, OverflowError):
    for k, v in enumerate(values):
      if not _INT_RE.fullmatch(v) or not -2**63 <= int(v) < 2**63:
        raise DataFormatError(path, first_line + k, f"{name} {v!r} is not an integer",
                              expected) from None
    raise


def _read_table(path: str, sep: str, columns: Sequence[Tuple[str, str]], expected: str,
                header: Optional[Sequence[str]] = None,
                encoding: str = "utf-8") -> Tuple[Dict[str, np.ndarray], int]:
  """Reads a delimited text file with a fixed number of fields per line.

  Args:
    path: the file (plain or gzip).
    sep: field separator (one or more characters).
    columns: (name, kind) per field in order; kind is 'int' (int64), 'str' (object array) or
      'skip' (counted, not kept, not validated).
    expected: format description used in error messages.
    header: if given, the first line must hold exactly these names.
    encoding: text encoding.

  Returns:
    ({name: array} for the kept columns, number of the first data line).

  Raises:
    DataFormatError: empty file, wrong header, wrong field count, blank line, bad integer.
  """
  ncols = len(columns)
  sep_bytes = sep.encode(encoding)
  numeric = all(kind != "str" for _, kind in columns)
  allowed = np.zeros(256, bool)
  allowed[list(b"0123456789-.\n")] = True
  allowed[_UNIT_SEPARATOR] = True
  parts: Dict[str, List[np.ndarray]] = {n: [] for n, k in columns if k != "skip"}
  first_data_line = 2 if header is not None else 1
  saw_header = header is None
  empty = True
  for first_line, block in _line_blocks(path):
    empty = False
    if not saw_header:
      head, _, block = block.partition(b"\n")
      names = _decode(path, head, 1, encoding).split(sep)
      if names != list(header):
        raise DataFormatError(path, 1, f"header {names}", f"header {list(header)}")
      saw_header = True
      first_line += 1
      if not block:
        continue
    unified = block.replace(sep_bytes, bytes([_UNIT_SEPARATOR]))
    buf = np.frombuffer(unified, np.uint8)
    breaks = np.flatnonzero(buf == 10)
    seps = np.flatnonzero(buf == _UNIT_SEPARATOR)
    counts = np.bincount(np.searchsorted(breaks, seps), minlength=breaks.size + 1)
    bad = np.flatnonzero(counts != ncols - 1)
    if bad.size:
      text = _line_text(block, int(bad[0]))
      found = "a blank line" if not text else f"{counts[bad[0]] + 1} fields in {text!r}"
      raise DataFormatError(path, first_line + int(bad[0]), found, expected)
    strict = numeric and not allowed[buf].all()
    tokens = _decode(path, unified, first_line, encoding).replace(
        "\n", chr(_UNIT_SEPARATOR)).split(chr(_UNIT_SEPARATOR))
    for j, (name, kind) in enumerate(columns):
      if kind == "int":
        parts[name].append(_to_int64(path, name, tokens[j::ncols], first_line, expected,
                                     strict))
      elif kind == "str":
        parts[name].append(np.array(tokens[j::ncols], dtype=object))
  if empty:
    raise DataFormatError(path, None, "the file is empty", expected)
  if not any(parts.values()):
    raise DataFormatError(path, None, "the file holds no data rows", expected)
  return {n: np.concatenate(p) for n, p in parts.items()}, first_data_line


def _check_unique_pairs(path: str, inter: Interactions, first_line: int, expected: str):
  """Raises DataFormatError at the first line that repeats an earlier (user, item) pair."""
  order = np.lexsort((inter.items, inter.users))
  u, i = inter.users[order], inter.items[order]
  repeated = (u[1:] == u[:-1]) & (i[1:] == i[:-1])
  if not repeated.any():
    return
  row = int(order[1:][repeated].min())
  same = np.flatnonzero((inter.users == inter.users[row]) & (inter.items == inter.items[row]))
  first = int(same[0])
  what = "repeats the rating"
  if inter.timestamps is not None and inter.timestamps[first] == inter.timestamps[row]:
    what = "is an identical copy of the row"
  raise DataFormatError(
      path, first_line + row,
      f"user {inter.users[row]} / item {inter.items[row]} {what} at line {first_line + first}",
      expected)


def _check_positive(path: str, values: Dict[str, np.ndarray], first_line: int, expected: str):
  """Raises DataFormatError at the first row holding an id < 1 in any of the columns."""
  firsts = [(int(np.argmax(v < 1)), name) for name, v in values.items() if (v < 1).any()]
  if firsts:
    row, name = min(firsts)
    raise DataFormatError(path, first_line + row, f"{name} id {values[name][row]} is < 1",
                          expected)


# --------------------------------------------------------------------------- delimited formats


def read_user_item(path: str) -> Interactions:
  """Reads SASRec's preprocessed ``user item`` file (e.g. ``games/Video.txt``, ``ml-1m.txt``).

  Guarantees ids >= 1 (0 is padding) and keeps file order; no timestamps.
  """
  expected = "'user item': two integer ids >= 1 separated by one space"
  cols, first = _read_table(path, " ", [("user", "int"), ("item", "int")], expected)
  _check_positive(path, cols, first, expected)
  return Interactions(cols["user"], cols["item"], None, os.fspath(path))


def read_sasrec_sequences(path: str, name: Optional[str] = None) -> SequenceDataset:
  """Reads a SASRec ``user item`` file into a SequenceDataset, each user's items in file order.

  ``num_users`` / ``num_items`` are the largest ids, as in the original code (SPEC §1.1).
  """
  inter = read_user_item(path)
  name = name or os.path.basename(os.fspath(path)).split(".")[0]
  return SequenceDataset.from_pairs(name, inter.users, inter.items)


def _read_ratings(path: str, sep: str, expected: str, check_unique: bool,
                  uniqueness: str) -> Interactions:
  cols, first = _read_table(
      path, sep, [("user", "int"), ("item", "int"), ("rating", "skip"), ("timestamp", "int")],
      expected)
  inter = Interactions(cols["user"], cols["item"], cols["timestamp"], os.fspath(path))
  if check_unique:
    _check_unique_pairs(path, inter, first, uniqueness)
  return inter


def read_movielens_ratings(path: str, check_unique: bool = True) -> Interactions:
  """Reads MovieLens ``ratings.dat`` (``UserID::MovieID::Rating::Timestamp``; ML-1M / ML-10M).

  Args:
    path: the file, plain or gzip-compressed.
    check_unique: MovieLens stores at most one rating per (user, movie); a repeated pair
      (in particular an identical duplicate row) raises DataFormatError at the repeating line.
  """
  return _read_ratings(path, "::", "'UserID::MovieID::Rating::Timestamp' with integer ids "
                       "and unix time", check_unique, "one rating per user and movie")


def read_movietweetings_ratings(path: str) -> Interactions:
  """Reads MovieTweetings ``ratings.dat`` (MovieLens layout; repeated pairs are allowed)."""
  return read_movielens_ratings(path, check_unique=False)


def read_tab_ratings(path: str, check_unique: bool = True) -> Interactions:
  """Reads tab-separated ``user item rating timestamp`` (MovieLens-100K ``u.data``, DeepRec).

  Args:
    path: the file, plain or gzip-compressed.
    check_unique: raise DataFormatError on a repeated (user, item) pair, which MovieLens-100K
      (and the DeepRec split made from it) never contains.
  """
  return _read_ratings(path, "\t", "'user<TAB>item<TAB>rating<TAB>timestamp' with integer ids "
                       "and unix time", check_unique, "one rating per user and item")


def read_deeprec_split(train_path: str, test_path: str) -> Tuple[Interactions, Interactions]:
  """Reads AttRec's ML-100K split as shipped with DeepRec (``train.dat``, ``test.dat``).

  Guarantees the test file holds at most one row per user.
  """
  train = read_tab_ratings(train_path)
  test = read_tab_ratings(test_path)
  users, first_rows, counts = np.unique(test.users, return_index=True, return_counts=True)
  if (counts > 1).any():
    u = users[counts > 1][0]
    row = int(np.flatnonzero(test.users == u)[1])
    raise DataFormatError(test_path, row + 1, f"second test row of user {u}",
                          "one test row per user")
  return train, test


def read_amazon_ratings_csv(path: str) -> Interactions:
  """Reads a 2014 Amazon rating-only CSV (``ratings_<Category>.csv``: ``user,item,rating,time``).

  Keys stay strings; duplicates are kept (SASRec keeps repeated reviews, SPEC §1.2).
  """
  expected = "'user,item,rating,unix_time' without header"
  cols, _ = _read_table(
      path, ",", [("user", "str"), ("item", "str"), ("rating", "skip"), ("timestamp", "int")],
      expected)
  return Interactions(cols["user"], cols["item"], cols["timestamp"], os.fspath(path))


def read_hetrec(path: str, header: Sequence[str], item_column: str) -> Interactions:
  """Reads a HetRec 2011 tab-separated file with header and millisecond timestamps.

  Args:
    path: e.g. ``user_ratedmovies-timestamps.dat`` (ML-HetRec) or
      ``user_taggedartists-timestamps.dat`` (LastFM).
    header: the exact header names; must contain 'userID' and 'timestamp'.
    item_column: the header name used as item key (e.g. 'movieID', 'artistID').

  Returns:
    Interactions with integer keys and timestamps floored to unix seconds.
  """
  kinds = {"userID": "int", item_column: "int", "timestamp": "int"}
  columns = [(n, kinds.get(n, "skip")) for n in header]
  expected = "tab-separated columns " + " ".join(header)
  cols, _ = _read_table(path, "\t", columns, expected, header=header)
  return Interactions(cols["userID"], cols[item_column], cols["timestamp"] // 1000,
                      os.fspath(path))


def read_ml_hetrec(path: str) -> Interactions:
  """Reads ML-HetRec ``user_ratedmovies-timestamps.dat`` (user = userID, item = movieID)."""
  return read_hetrec(path, ("userID", "movieID", "rating", "timestamp"), "movieID")


def read_lastfm_tags(path: str) -> Interactions:
  """Reads LastFM hetrec2011 ``user_taggedartists-timestamps.dat`` (item = artistID)."""
  return read_hetrec(path, ("userID", "artistID", "tagID", "timestamp"), "artistID")


@dataclasses.dataclass(frozen=True)
class UserProfiles:
  """MovieLens-1M ``users.dat`` columns, aligned by row (object arrays for gender and zip)."""

  users: np.ndarray
  gender: np.ndarray
  age: np.ndarray
  occupation: np.ndarray
  zip_code: np.ndarray


def read_movielens_users(path: str) -> UserProfiles:
  """Reads ML-1M ``users.dat`` (``UserID::Gender::Age::Occupation::Zip-code``, latin-1)."""
  cols, _ = _read_table(
      path, "::", [("user", "int"), ("gender", "str"), ("age", "int"), ("occupation", "int"),
                   ("zip", "str")],
      "'UserID::Gender::Age::Occupation::Zip-code'", encoding="latin-1")
  return UserProfiles(cols["user"], cols["gender"], cols["age"], cols["occupation"], cols["zip"])


def read_ml100k_users(path: str) -> UserProfiles:
  """Reads ML-100K ``u.user`` (``user id|age|gender|occupation|zip code``; raw ages, occupation
  names)."""
  cols, _ = _read_table(
      path, "|", [("user", "int"), ("age", "int"), ("gender", "str"), ("occupation", "str"),
                  ("zip", "str")],
      "'user id|age|gender|occupation|zip code'", encoding="latin-1")
  return UserProfiles(cols["user"], cols["gender"], cols["age"], cols["occupation"], cols["zip"])


def _read_id_map(path: str) -> Tuple[np.ndarray, np.ndarray]:
  """``sas_id original_id`` lines -> (sas ids, original ids); one-to-one or DataFormatError."""
  expected = "'sas_id original_id': two integer ids >= 1 separated by one space"
  cols, first = _read_table(path, " ", [("sas", "int"), ("original", "int")], expected)
  _check_positive(path, cols, first, expected)
  for name in ("sas", "original"):
    values, first_rows, counts = np.unique(cols[name], return_index=True, return_counts=True)
    if (counts > 1).any():
      v = values[counts > 1][0]
      row = int(np.flatnonzero(cols[name] == v)[1])
      raise DataFormatError(path, first + row, f"{name} id {v} is mapped twice", expected)
  return cols["sas"], cols["original"]


def read_ml1m_sas_timed(sas_path: str, users_map_path: str, items_map_path: str,
                        ratings_path: str) -> Interactions:
  """SASRec's ML-1M interactions with their raw timestamps (SPEC §1.4 + §1.5).

  Joins SASRec's ``ml-1m.txt`` to a (possibly partial) raw ``ratings.dat`` through the id maps
  ``sas_to_original_{users,items}.txt``. Returns the raw ratings rows, **in ratings-file order**
  (the within-tie order TiSASRec's stable time sort keeps), whose (user, movie) pair is an
  interaction of SASRec's file; user = raw MovieLens user id, item = SASRec item id,
  timestamp = raw unix seconds. Users absent from the ratings file are left out.

  Raises:
    DataFormatError: a SASRec id without mapping, or a user of the ratings file whose rows do
      not hold all of its SASRec interactions.
  """
  sas = read_user_item(sas_path)
  u_sas, u_orig = _read_id_map(users_map_path)
  i_sas, i_orig = _read_id_map(items_map_path)
  for ids, mapped, name, path in ((sas.users, u_sas, "user", users_map_path),
                                  (sas.items, i_sas, "item", items_map_path)):
    missing = np.setdiff1d(ids, mapped)
    if missing.size:
      raise DataFormatError(path, None, f"SASRec {name} id {missing[0]} has no mapping",
                            f"one line per SASRec {name} id of {sas_path}")
  user_orig = np.zeros(u_sas.max() + 1, np.int64)
  user_orig[u_sas] = u_orig
  item_orig = np.zeros(i_sas.max() + 1, np.int64)
  item_orig[i_sas] = i_orig
  raw = read_movielens_ratings(ratings_path)
  width = int(max(i_orig.max(), raw.items.max())) + 1
  sas_keys = user_orig[sas.users] * width + item_orig[sas.items]
  keep = np.isin(raw.users * width + raw.items, sas_keys)
  present = np.unique(raw.users)
  size = int(max(present.max(), u_orig.max())) + 1
  kept_per_user = np.bincount(raw.users[keep], minlength=size)
  sas_per_user = np.bincount(user_orig[sas.users], minlength=size)
  short = present[kept_per_user[present] != sas_per_user[present]]
  if short.size:
    u = int(short[0])
    raise DataFormatError(ratings_path, None,
                          f"user {u} has {kept_per_user[u]} of its {sas_per_user[u]} SASRec "
                          "interactions", "every rating of each user it lists")
  orig_to_sas = np.zeros(width, np.int64)
  orig_to_sas[i_orig] = i_sas
  return Interactions(raw.users[keep], orig_to_sas[raw.items[keep]], raw.timestamps[keep],
                      os.fspath(ratings_path))


# --------------------------------------------------------------------------- one record per line


def _records(path: str, expected: str) -> Iterator[Tuple[int, dict]]:
  """Yields (line number, dict) for files with one JSON object or Python dict literal per line."""
  blank = None
  try:
    with _open_binary(path) as f:
      for lineno, raw in enumerate(f, 1):
        text = raw.strip()
        if not text:
          blank = blank or lineno
          continue
        if blank is not None:
          raise DataFormatError(path, blank, "a blank line", expected)
        try:
          text = text.decode("utf-8")
        except UnicodeDecodeError as e:
          raise DataFormatError(path, lineno, "bytes that are not valid utf-8 text",
                                expected) from e
        record = None
        if not text.startswith("{'"):
          try:
            record = json.loads(text)
          except ValueError:
            pass
        if record is None:
          try:
            record = ast.literal_eval(text)
          except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError) as e:
            raise DataFormatError(path, lineno, "a line that is neither a JSON object nor a "
                                  "Python dict literal", expected) from e
        if not isinstance(record, dict):
          raise DataFormatError(path, lineno, f"a {type(record).__name__}, not an object",
                                expected)
        yield lineno, record
  except (OSError, EOFError, zlib.error) as e:
    if isinstance(e, FileNotFoundError):
      raise
    raise DataFormatError(path, None, f"cannot read the file ({e})", expected) from e


def _field(path: str, lineno: int, record: dict, key: str, types, expected: str):
  value = record.get(key)
  if value is None or not isinstance(value, types) or isinstance(value, bool):
    found = "missing" if value is None else f"{value!r}"
    raise DataFormatError(path, lineno, f"field '{key}' is {found}", expected)
  return value


def _collect(path: str, expected: str, extract) -> Interactions:
  users: List[str] = []
  items: List[str] = []
  times: List[int] = []
  for lineno, record in _records(path, expected):
    u, i, t = extract(lineno, record)
    users.append(u)
    items.append(i)
    times.append(t)
  if not users:
    raise DataFormatError(path, None, "the file holds no records", expected)
  return Interactions(np.array(users, dtype=object), np.array(items, dtype=object),
                      np.array(times, dtype=np.int64), os.fspath(path))


def read_amazon_reviews(path: str) -> Interactions:
  """Reads a 2014 Amazon review dump (full ``reviews_<Cat>.json.gz`` or 5-core ``*_5.json.gz``).

  One JSON object (or Python dict literal) per line; uses ``reviewerID``, ``asin`` and
  ``unixReviewTime``. Every review is kept, duplicates included.
  """
  expected = "one review object per line with reviewerID, asin and integer unixReviewTime"

  def extract(lineno, r):
    return (str(_field(path, lineno, r, "reviewerID", (str, int), expected)),
            str(_field(path, lineno, r, "asin", (str, int), expected)),
            int(_field(path, lineno, r, "unixReviewTime", int, expected)))

  return _collect(path, expected, extract)


def read_steam_reviews(path: str) -> Interactions:
  """Reads SASRec's Steam source ``steam_reviews.json.gz`` (Python dict literal per line).

  user = ``username``, item = ``product_id``, time = ``date`` ('YYYY-MM-DD', read as UTC
  midnight in unix seconds, so reviews of one day tie).
  """
  expected = "one review per line with username, product_id and date 'YYYY-MM-DD'"

  def extract(lineno, r):
    date = _field(path, lineno, r, "date", str, expected)
    try:
      if not _DATE_RE.fullmatch(date):
        raise ValueError(date)
      day = datetime.date.fromisoformat(date)
    except ValueError:
      raise DataFormatError(path, lineno, f"unparsable date {date!r}", expected) from None
    return (str(_field(path, lineno, r, "username", (str, int), expected)),
            str(_field(path, lineno, r, "product_id", (str, int), expected)),
            (day - _EPOCH).days * 86400)

  return _collect(path, expected, extract)


READERS = {
    "user_item": read_user_item,
    "movielens_ratings": read_movielens_ratings,
    "movietweetings_ratings": read_movietweetings_ratings,
    "tab_ratings": read_tab_ratings,
    "deeprec_split": read_deeprec_split,
    "amazon_ratings_csv": read_amazon_ratings_csv,
    "amazon_reviews": read_amazon_reviews,
    "steam_reviews": read_steam_reviews,
    "ml_hetrec": read_ml_hetrec,
    "lastfm_tags": read_lastfm_tags,
    "ml1m_sas_timed": read_ml1m_sas_timed,
}
"""Reader name (as used by the registry) -> function(*paths) -> Interactions (or a tuple)."""
