"""The .npz cache (round trip, atomic writes) and load_dataset (keys, errors, no leftovers)."""

import io
import os
import shutil

import numpy as np
import pytest

from sasrec_tf.data import cache, loader, readers, registry
from sasrec_tf.data.errors import ChecksumMismatchError, DataFormatError, DatasetNotFoundError
from sasrec_tf.data.sequences import SequenceDataset
from .helpers import FIXTURES

RATINGS = registry.DatasetSpec(
    name="tiny-ml", description="fixture", papers=(),
    files=(registry.SourceFile("ml-1m/ratings.dat", ("https://example.org/ratings.dat",)),),
    reader="movielens_ratings",
    variants={"sasrec": ("sasrec", {"min_user_count": 0, "min_item_count": 0}),
              "tisasrec": ("tisasrec", {"min_count": 0})})


def _same(a: SequenceDataset, b: SequenceDataset):
  assert (a.name, a.num_users, a.num_items) == (b.name, b.num_users, b.num_items)
  assert [s.tolist() for s in a.sequences] == [s.tolist() for s in b.sequences]
  if a.timestamps is None:
    assert b.timestamps is None
  else:
    assert [t.tolist() for t in a.timestamps] == [t.tolist() for t in b.timestamps]


def _files(directory):
  return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


# --------------------------------------------------------------------------- cache module


@pytest.mark.parametrize("with_times", [False, True])
def test_cache_round_trip(tmp_path, with_times):
  ds = SequenceDataset.from_pairs("rt", np.array([1, 1, 3]), np.array([2, 5, 1]),
                                  np.array([10, 20, 30]) if with_times else None)
  path = str(tmp_path / "c" / "rt-abc.npz")
  cache.save(path, ds, {"key": "abc"})
  loaded, meta = cache.load(path)
  _same(ds, loaded)
  assert meta == {"key": "abc"} and loaded.sequences[1].dtype == np.int32
  assert _files(tmp_path / "c") == ["rt-abc.npz"]


def test_cache_write_is_atomic(tmp_path, monkeypatch):
  ds = SequenceDataset.from_pairs("rt", np.array([1]), np.array([2]))
  path = str(tmp_path / "rt-abc.npz")

  def broken_savez(f, **arrays):
    f.write(b"PK\x03\x04 half")
    raise KeyboardInterrupt  # interrupted mid-write

  monkeypatch.setattr(np, "savez", broken_savez)
  with pytest.raises(KeyboardInterrupt):
    cache.save(path, ds, {})
  assert _files(tmp_path) == []


def test_unreadable_cache_is_a_miss(tmp_path):
  path = tmp_path / "x.npz"
  path.write_bytes(b"not a zip")
  assert cache.load(str(path)) is None
  assert cache.load(str(tmp_path / "missing.npz")) is None


def test_cache_key_depends_on_payload():
  assert cache.cache_key({"a": 1, "b": [1, 2]}) == cache.cache_key({"b": [1, 2], "a": 1})
  assert cache.cache_key({"a": 1}) != cache.cache_key({"a": 2})


# --------------------------------------------------------------------------- loader


def test_load_dataset_builds_then_reuses_cache(tmp_path, monkeypatch):
  cache_dir = str(tmp_path / "cache")
  first = loader.load_dataset(RATINGS, FIXTURES, cache_dir)
  assert [s.tolist() for s in first.sequences[1:]] == [[3, 4, 1], [2, 3, 1], [5, 3, 1, 2]]
  assert len(_files(cache_dir)) == 1 and _files(cache_dir)[0].startswith("tiny-ml-")

  def no_reading(*args):
    raise AssertionError("the cache should have been used")

  monkeypatch.setitem(readers.READERS, "movielens_ratings", no_reading)
  _same(first, loader.load_dataset(RATINGS, FIXTURES, cache_dir))


def test_options_and_variants_get_their_own_cache_files(tmp_path):
  cache_dir = str(tmp_path / "cache")
  a = loader.load_dataset(RATINGS, FIXTURES, cache_dir)
  b = loader.load_dataset(RATINGS, FIXTURES, cache_dir, variant="tisasrec")
  c = loader.load_dataset(RATINGS, FIXTURES, cache_dir, min_user_count=0, min_item_count=2)
  assert [s.tolist() for s in b.sequences[1:]] == [[3, 1, 2], [1, 4, 2], [5, 1, 2, 3]]
  assert a.num_items == 5 and c.num_items == 3
  assert len(_files(cache_dir)) == 3


def test_changed_source_file_invalidates_cache(tmp_path):
  data_dir = tmp_path / "data"
  shutil.copytree(os.path.join(FIXTURES, "ml-1m"), data_dir / "ml-1m")
  cache_dir = str(tmp_path / "cache")
  before = loader.load_dataset(RATINGS, str(data_dir), cache_dir)
  with open(data_dir / "ml-1m" / "ratings.dat", "a") as f:
    f.write("4::60::1::978000000\n")
  after = loader.load_dataset(RATINGS, str(data_dir), cache_dir)
  assert (before.num_users, after.num_users) == (3, 4)


def test_use_cache_false_writes_nothing(tmp_path):
  cache_dir = str(tmp_path / "cache")
  loader.load_dataset(RATINGS, FIXTURES, cache_dir, use_cache=False)
  assert _files(cache_dir) == []


def test_unwritable_cache_dir_is_not_fatal(tmp_path):
  not_a_dir = tmp_path / "file"
  not_a_dir.write_text("")
  assert loader.load_dataset(RATINGS, FIXTURES, str(not_a_dir)).num_users == 3


def test_unknown_variant_or_option(tmp_path):
  with pytest.raises(ValueError, match="no variant"):
    loader.load_dataset(RATINGS, FIXTURES, str(tmp_path), variant="bert4rec")
  with pytest.raises(TypeError, match="min_user_count"):
    loader.load_dataset(RATINGS, FIXTURES, str(tmp_path), variant="tisasrec", min_user_count=3)


def test_data_dir_from_environment(tmp_path, monkeypatch):
  monkeypatch.setenv(loader.DATA_ENV, FIXTURES)
  assert loader.load_dataset(RATINGS, cache_dir=str(tmp_path)).num_users == 3
  monkeypatch.delenv(loader.DATA_ENV)
  with pytest.raises(ValueError, match="SASREC_TF_DATA"):
    loader.load_dataset(RATINGS, cache_dir=str(tmp_path))


def test_cache_dir_from_environment(tmp_path, monkeypatch):
  monkeypatch.setenv(loader.CACHE_ENV, str(tmp_path / "env-cache"))
  loader.load_dataset(RATINGS, FIXTURES)
  assert len(_files(tmp_path / "env-cache")) == 1


def test_missing_file_message(tmp_path):
  with pytest.raises(DatasetNotFoundError) as info:
    loader.load_dataset("ml-1m-raw", str(tmp_path / "data"), str(tmp_path / "cache"))
  message = str(info.value)
  assert "<data_dir>/ml-1m/ratings.dat" in message
  assert str(tmp_path / "data" / "ml-1m" / "ratings.dat") in message
  assert "https://files.grouplens.org/datasets/movielens/ml-1m.zip" in message
  assert "member ml-1m/ratings.dat" in message
  assert _files(tmp_path / "cache") == []


def test_download_through_loader(tmp_path):
  content = b"1::2::3::100\n1::3::3::200\n"
  spec = registry.DatasetSpec(
      name="dl", description="", papers=(), reader="movielens_ratings",
      files=(registry.SourceFile("dl/ratings.dat", ("https://example.org/r.dat",)),),
      variants={"sasrec": ("sasrec", {"min_user_count": 0, "min_item_count": 0})})
  ds = loader.load_dataset(spec, str(tmp_path / "data"), str(tmp_path / "cache"), download=True,
                           opener=lambda url, timeout=None: io.BytesIO(content))
  assert ds.sequences[1].tolist() == [1, 2]


def test_checksum_of_a_hand_placed_file(tmp_path):
  spec = registry.DatasetSpec(
      name="chk", description="", papers=(), reader="movielens_ratings",
      files=(registry.SourceFile("ml-1m/ratings.dat", (), {"sha256": "0" * 64}),),
      variants={"sasrec": ("sasrec", {"min_user_count": 0, "min_item_count": 0})})
  with pytest.raises(ChecksumMismatchError, match="verify=False"):
    loader.load_dataset(spec, FIXTURES, str(tmp_path / "cache"))
  assert _files(tmp_path / "cache") == []
  assert loader.load_dataset(spec, FIXTURES, str(tmp_path / "cache"), verify=False).num_users == 3


@pytest.mark.parametrize("content,line", [
    ("1::2::3::100\n1::3::3\n", 2),  # bad line
    ("1::2::3::100\n1::x::3::200\n", 2),  # non-numeric id
    ("", None),  # empty file
    ("1::2::3::100\n2::2::3::200\n1::2::3::100\n", 3),  # duplicate row
])
def test_format_errors_name_file_and_line_and_leave_no_cache(tmp_path, content, line):
  data_dir = tmp_path / "data"
  (data_dir / "bad").mkdir(parents=True)
  (data_dir / "bad" / "ratings.dat").write_text(content)
  spec = registry.DatasetSpec(
      name="bad", description="", papers=(), reader="movielens_ratings",
      files=(registry.SourceFile("bad/ratings.dat"),),
      variants={"sasrec": ("sasrec", {"min_user_count": 0, "min_item_count": 0})})
  cache_dir = tmp_path / "cache"
  with pytest.raises(DataFormatError) as info:
    loader.load_dataset(spec, str(data_dir), str(cache_dir))
  assert info.value.line == line
  assert str(data_dir / "bad" / "ratings.dat") in str(info.value)
  if line is not None:
    assert f"ratings.dat:{line}:" in str(info.value)
  assert _files(cache_dir) == []


def test_load_split():
  split = loader.load_split(RATINGS, FIXTURES, use_cache=False)
  assert split.test.tolist() == [0, 1, 1, 2]
