"""Each reader on a small fixture in the real file's format."""

import numpy as np
import pytest

from sasrec_tf.data import readers
from .helpers import fixture


def test_user_item_reads_file_order():
  inter = readers.read_user_item(fixture("games", "Video.txt"))
  np.testing.assert_array_equal(inter.users, [1, 1, 1, 2, 2, 3, 3, 3, 3])
  np.testing.assert_array_equal(inter.items, [3, 1, 2, 2, 4, 1, 4, 4, 2])
  assert inter.timestamps is None
  assert inter.users.dtype == np.int64


def test_sasrec_sequences_keep_file_order_and_duplicates():
  ds = readers.read_sasrec_sequences(fixture("games", "Video.txt"), name="tiny")
  assert ds.name == "tiny"
  assert (ds.num_users, ds.num_items, ds.num_interactions) == (3, 4, 9)
  assert [s.tolist() for s in ds.sequences] == [[], [3, 1, 2], [2, 4], [1, 4, 4, 2]]
  assert ds.sequences[1].dtype == np.int32


def test_sasrec_sequences_default_name_is_file_stem():
  assert readers.read_sasrec_sequences(fixture("games", "Video.txt")).name == "Video"


@pytest.mark.parametrize("name", ["ratings.dat", "ratings.dat.gz"])
def test_movielens_ratings_plain_and_gzip(name):
  inter = readers.read_movielens_ratings(fixture("ml-1m", name))
  assert len(inter) == 10
  assert inter.users.tolist() == [2, 1, 1, 1, 2, 2, 3, 3, 3, 3]
  assert inter.items.tolist() == [20, 30, 10, 20, 10, 40, 10, 20, 30, 50]
  assert inter.timestamps[:3].tolist() == [978400000, 978300000, 978300760]
  assert inter.source.endswith(name)


def test_movielens_ratings_accepts_half_star_ratings_and_crlf(write):
  path = write("ratings.dat", "1::2::4.5::100\r\n3::4::0.5::200\r\n\r\n")
  inter = readers.read_movielens_ratings(path)
  assert inter.users.tolist() == [1, 3] and inter.timestamps.tolist() == [100, 200]


def test_tab_ratings_u_data():
  inter = readers.read_tab_ratings(fixture("ml-100k", "u.data"))
  assert inter.users.tolist() == [7, 8, 7, 7, 8, 7, 8]
  assert inter.items.tolist() == [5, 3, 3, 1, 5, 2, 2]
  assert inter.timestamps[0] == 881250949


def test_deeprec_split_files():
  train, test = readers.read_deeprec_split(fixture("ml-100k", "attrec_split", "train.dat"),
                                           fixture("ml-100k", "attrec_split", "test.dat"))
  assert len(train) == 5 and len(test) == 2
  assert test.users.tolist() == [7, 8] and test.items.tolist() == [3, 2]


def test_amazon_ratings_csv_keeps_string_keys_and_duplicates():
  inter = readers.read_amazon_ratings_csv(fixture("amazon", "ratings_Beauty.csv"))
  assert inter.users.tolist() == ["A1", "A2", "A1", "A1"]
  assert inter.items.tolist() == ["B001", "B002", "B002", "B001"]
  assert inter.timestamps.tolist() == [1356998400, 1357084800, 1356998400, 1356998400]
  assert inter.users.dtype == object


@pytest.mark.parametrize("name", ["reviews_Beauty_5.json", "reviews_Beauty.json.gz"])
def test_amazon_reviews_json_and_python_literal_lines(name):
  inter = readers.read_amazon_reviews(fixture("amazon", name))
  assert inter.users.tolist()[:2] == ["A1", "A2"]
  assert inter.items.tolist()[:2] == ["B001", "B002"]
  assert inter.timestamps.tolist()[:2] == [1356998400, 1357084800]


def test_steam_reviews_dates_become_utc_midnight():
  inter = readers.read_steam_reviews(fixture("steam-raw", "steam_reviews.json.gz"))
  assert inter.users.tolist() == ["Chaos Syren", "Ryx", "Chaos Syren"]
  assert inter.items.tolist() == ["725280", "328100", "328100"]
  assert inter.timestamps.tolist() == [1513468800, 1513468800, 1513382400]


def test_hetrec_files_skip_header_and_convert_milliseconds():
  movies = readers.read_ml_hetrec(fixture("ml-hetrec", "user_ratedmovies-timestamps.dat"))
  assert movies.users.tolist() == [75, 75, 78] and movies.items.tolist() == [3, 32, 3]
  assert movies.timestamps.tolist() == [1162160236, 1162160624, 1162160999]
  tags = readers.read_lastfm_tags(fixture("lastfm", "user_taggedartists-timestamps.dat"))
  assert tags.items.tolist() == [52, 52, 63] and tags.timestamps[2] == 1175378400


def test_movielens_users():
  profiles = readers.read_movielens_users(fixture("ml-1m", "users.dat"))
  assert profiles.users.tolist() == [1, 2, 3]
  assert profiles.gender.tolist() == ["F", "M", "M"]
  assert profiles.age.tolist() == [1, 56, 25]
  assert profiles.zip_code[0] == "48067"


def test_small_blocks_give_the_same_rows(monkeypatch):
  expected = readers.read_movielens_ratings(fixture("ml-1m", "ratings.dat"))
  monkeypatch.setattr(readers, "_BLOCK_BYTES", 7)
  got = readers.read_movielens_ratings(fixture("ml-1m", "ratings.dat.gz"))
  np.testing.assert_array_equal(got.users, expected.users)
  np.testing.assert_array_equal(got.items, expected.items)
  np.testing.assert_array_equal(got.timestamps, expected.timestamps)


def test_interactions_take_and_length_check():
  inter = readers.Interactions(np.array([1, 2, 3]), np.array([4, 5, 6]), np.array([7, 8, 9]))
  sub = inter.take(np.array([True, False, True]))
  assert sub.users.tolist() == [1, 3] and sub.timestamps.tolist() == [7, 9]
  with pytest.raises(ValueError):
    readers.Interactions(np.array([1]), np.array([1, 2]))


def test_every_registered_reader_is_callable():
  assert all(callable(f) for f in readers.READERS.values())
