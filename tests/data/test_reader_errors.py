"""Malformed input: DataFormatError names the file and the 1-based line."""

import os
import pickle

import pytest

from sasrec_tf.data import readers
from sasrec_tf.data.errors import DataFormatError


def _error(fn, path, *args) -> DataFormatError:
  with pytest.raises(DataFormatError) as info:
    fn(path, *args)
  err = info.value
  assert err.path == path
  assert os.path.basename(path) in str(err)
  return err


def test_message_format():
  err = DataFormatError("/d/x.txt", 12, "3 fields", "two fields")
  assert str(err) == "/d/x.txt:12: 3 fields (expected two fields)"
  assert str(DataFormatError("/d/x.txt", None, "the file is empty")) == \
      "/d/x.txt: the file is empty"
  assert isinstance(err, ValueError)
  assert str(pickle.loads(pickle.dumps(err))) == str(err)


@pytest.mark.parametrize("gz", [False, True])
def test_wrong_field_count(write, gz):
  path = write("ratings.dat" + (".gz" if gz else ""),
               "1::2::3::4\n1::3::4::5\n1::4::5\n1::5::5::6\n", gz=gz)
  err = _error(readers.read_movielens_ratings, path)
  assert err.line == 3
  assert "3 fields" in err.message and "'1::4::5'" in err.message
  assert "UserID::MovieID::Rating::Timestamp" in str(err)


def test_wrong_field_count_after_many_blocks(write, monkeypatch):
  monkeypatch.setattr(readers, "_BLOCK_BYTES", 5)
  path = write("Video.txt", "".join(f"{u} {u + 1}\n" for u in range(1, 40)) + "7 8 9\n1 2\n")
  assert _error(readers.read_user_item, path).line == 40


def test_non_numeric_id(write):
  path = write("Video.txt", "1 2\n1 3\n2 x7\n")
  err = _error(readers.read_user_item, path)
  assert err.line == 3 and "'x7'" in err.message and "item" in err.message


@pytest.mark.parametrize("bad", ["1_0", " 4", "+4", "4.0"])
def test_integer_forms_python_would_accept_are_rejected(write, bad):
  path = write("u.data", f"1\t2\t3\t100\n1\t{bad}\t3\t100\n")
  assert _error(readers.read_tab_ratings, path).line == 2


def test_id_zero_is_rejected_in_sasrec_files(write):
  path = write("Video.txt", "1 2\n1 0\n0 3\n")
  err = _error(readers.read_user_item, path)
  assert err.line == 2 and "item id 0 is < 1" in err.message


@pytest.mark.parametrize("reader,name", [
    (readers.read_user_item, "Video.txt"),
    (readers.read_movielens_ratings, "ratings.dat"),
    (readers.read_amazon_reviews, "reviews.json"),
    (readers.read_steam_reviews, "steam_reviews.json.gz"),
])
def test_empty_file(write, reader, name):
  path = write(name, "", gz=name.endswith(".gz"))
  err = _error(reader, path)
  assert err.line is None
  assert "empty" in err.message or "no records" in err.message


def test_only_line_breaks_is_empty(write):
  assert "empty" in _error(readers.read_user_item, write("Video.txt", "\n\n")).message


def test_blank_line_in_the_middle(write):
  path = write("Video.txt", "1 2\n1 3\n\n2 4\n")
  err = _error(readers.read_user_item, path)
  assert err.line == 3 and "blank" in err.message


def test_unparsable_timestamp(write):
  path = write("u.data", "1\t2\t3\t881250949\n1\t3\t3\t2001-01-01\n")
  err = _error(readers.read_tab_ratings, path)
  assert err.line == 2 and "timestamp" in err.message


def test_duplicate_rating_row(write):
  path = write("ratings.dat", "1::10::5::100\n1::20::3::200\n2::10::4::300\n1::20::3::200\n")
  err = _error(readers.read_movielens_ratings, path)
  assert err.line == 4
  assert "identical copy" in err.message and "line 2" in err.message
  assert "one rating per user and movie" in str(err)


def test_repeated_pair_with_other_time_in_gzip(write):
  path = write("ratings.dat.gz", "1::10::5::100\n1::20::3::200\n1::10::4::300\n", gz=True)
  err = _error(readers.read_movielens_ratings, path)
  assert err.line == 3 and "repeats the rating at line 1" in err.message


def test_duplicates_allowed_when_uniqueness_is_not_guaranteed(write):
  path = write("ratings.dat", "1::10::5::100\n1::10::5::100\n")
  assert len(readers.read_movielens_ratings(path, check_unique=False)) == 2
  assert len(readers.read_movietweetings_ratings(path)) == 2


def test_deeprec_test_file_with_two_rows_for_a_user(write):
  train = write("train.dat", "1\t2\t1\t100\n")
  test = write("test.dat", "1\t3\t1\t200\n2\t3\t1\t200\n1\t4\t1\t300\n")
  with pytest.raises(DataFormatError) as info:
    readers.read_deeprec_split(train, test)
  assert info.value.path == test and info.value.line == 3


def test_hetrec_wrong_header(write):
  path = write("user_ratedmovies-timestamps.dat", "user\tmovie\trating\ttime\n1\t2\t3\t4\n")
  err = _error(readers.read_ml_hetrec, path)
  assert err.line == 1 and "header" in err.message


def test_csv_invalid_utf8(write, tmp_path):
  path = tmp_path / "ratings_Beauty.csv"
  path.write_bytes(b"A1,B1,5.0,100\nA\xff,B2,4.0,200\n")
  assert _error(readers.read_amazon_ratings_csv, str(path)).line == 2


def test_amazon_json_missing_field(write):
  path = write("reviews.json", '{"reviewerID": "A", "asin": "B", "unixReviewTime": 1}\n'
               '{"reviewerID": "A", "asin": "C"}\n')
  err = _error(readers.read_amazon_reviews, path)
  assert err.line == 2 and "unixReviewTime" in err.message


def test_amazon_json_unparsable_line(write):
  path = write("reviews.json", '{"reviewerID": "A", "asin": "B", "unixReviewTime": 1}\n'
               "{'reviewerID': 'A', 'asin'\n")
  assert _error(readers.read_amazon_reviews, path).line == 2


def test_steam_unparsable_date(write):
  path = write("steam_reviews.json.gz",
               "{'username': 'a', 'product_id': '1', 'date': '2017-12-17'}\n"
               "{'username': 'b', 'product_id': '2', 'date': 'Dec 17, 2017'}\n", gz=True)
  err = _error(readers.read_steam_reviews, path)
  assert err.line == 2 and "Dec 17, 2017" in err.message


def test_corrupt_gzip(tmp_path):
  path = tmp_path / "ratings.dat.gz"
  path.write_bytes(b"\x1f\x8b\x08\x00garbage")
  err = _error(readers.read_movielens_ratings, str(path))
  assert err.line is None and "cannot read" in err.message


def test_missing_file_is_not_a_format_error(tmp_path):
  with pytest.raises(FileNotFoundError):
    readers.read_user_item(str(tmp_path / "nope.txt"))
