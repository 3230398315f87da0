"""Tiny data-layer fixtures, written into a temporary data directory at test time.

They imitate the formats of the real distributions, laid out like a data directory
(``<dataset>/<file>``). They are kept as text here, never as files in the repository: dataset
files live outside the project (``$SASREC_TF_DATA``). ``.gz`` entries are gzipped (mtime 0)
when written. What each one checks:

* `games/Video.txt`: SASRec `user item` lines; user 3 repeats item 4.
* `ml-1m/ratings.dat` (+ `.gz`): 3 users, raw items 10..50. The first line is user 2 / item 20, so
  first-appearance and ascending ids differ. Each user has a pair of equal timestamps, which
  tests the stable order.
* `ml-1m/users.dat`: three `users.dat` rows.
* `ml-100k/u.data`: two users. User 7's latest timestamp is shared by items 3 and 1, so
  DeepRec's test item is 3, the first of them in file order.
* `ml-100k/attrec_split/{train,test}.dat`: DeepRec's split of that `u.data`, written by hand.
* `amazon/ratings_Beauty.csv`: rating-only CSV whose last line duplicates the first.
* `amazon/reviews_Beauty_5.json`: strict JSON lines. `amazon/reviews_Beauty.json.gz` holds Python
  dict literals and one JSON line, as in the 2014 dumps.
* `steam-raw/steam_reviews.json.gz`: Python dict literals with `username`, `product_id`, `date`.
* `ml-hetrec/…`, `lastfm/…`: HetRec 2011 files with a header row and millisecond timestamps.

"""

import gzip
import os

# relative path -> (text, gzip it)
FILES = {
    'amazon/ratings_Beauty.csv': ('A1,B001,5.0,1356998400\nA2,B002,4.0,1357084800\nA1,B002,3.0,1356998400\nA1,B001,5.0,1356998400\n',
        False),
    'amazon/reviews_Beauty.json.gz': ('{\'reviewerID\': \'A1\', \'asin\': \'B001\', \'reviewerName\': \'Ann\', \'helpful\': [0, 0], \'reviewText\': "It\'s fine.", \'overall\': 5.0, \'summary\': \'ok\', \'unixReviewTime\': 1356998400, \'reviewTime\': \'01 1, 2013\'}\n{\'reviewerID\': \'A2\', \'asin\': \'B002\', \'overall\': 4.0, \'unixReviewTime\': 1357084800}\n{"reviewerID": "A1", "asin": "B002", "overall": 3.0, "unixReviewTime": 1356998400}\n',
        True),
    'amazon/reviews_Beauty_5.json': ('{"reviewerID": "A1", "asin": "B001", "reviewerName": "Ann", "helpful": [0, 0], "reviewText": "Nice.", "overall": 5.0, "summary": "ok", "unixReviewTime": 1356998400, "reviewTime": "01 1, 2013"}\n{"reviewerID": "A2", "asin": "B002", "overall": 4.0, "unixReviewTime": 1357084800}\n',
        False),
    'games/Video.txt': ('1 3\n1 1\n1 2\n2 2\n2 4\n3 1\n3 4\n3 4\n3 2\n',
        False),
    'lastfm/user_taggedartists-timestamps.dat': ('userID\tartistID\ttagID\ttimestamp\n2\t52\t13\t1238536800000\n2\t52\t15\t1238536800000\n4\t63\t13\t1175378400000\n',
        False),
    'ml-100k/attrec_split/test.dat': ('7\t3\t2\t881251000\n8\t2\t3\t881250900\n',
        False),
    'ml-100k/attrec_split/train.dat': ('7\t2\t4\t881250000\n7\t5\t3\t881250949\n7\t1\t5\t881251000\n8\t3\t4\t881250000\n8\t5\t1\t881250500\n',
        False),
    'ml-100k/u.data': ('7\t5\t3\t881250949\n8\t3\t4\t881250000\n7\t3\t2\t881251000\n7\t1\t5\t881251000\n8\t5\t1\t881250500\n7\t2\t4\t881250000\n8\t2\t3\t881250900\n',
        False),
    'ml-1m/ratings.dat': ('2::20::4::978400000\n1::30::4::978300000\n1::10::5::978300760\n1::20::3::978300760\n2::10::2::978300100\n2::40::3::978300100\n3::10::1::978500000\n3::20::5::978500000\n3::30::3::978500001\n3::50::2::978499999\n',
        False),
    'ml-1m/ratings.dat.gz': ('2::20::4::978400000\n1::30::4::978300000\n1::10::5::978300760\n1::20::3::978300760\n2::10::2::978300100\n2::40::3::978300100\n3::10::1::978500000\n3::20::5::978500000\n3::30::3::978500001\n3::50::2::978499999\n',
        True),
    'ml-1m/users.dat': ('1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::15::55117\n',
        False),
    'ml-hetrec/user_ratedmovies-timestamps.dat': ('userID\tmovieID\trating\ttimestamp\n75\t3\t1\t1162160236000\n75\t32\t4.5\t1162160624000\n78\t3\t3.5\t1162160999999\n',
        False),
    'steam-raw/steam_reviews.json.gz': ('{\'username\': \'Chaos Syren\', \'hours\': 0.1, \'products\': 41, \'product_id\': \'725280\', \'page_order\': 0, \'date\': \'2017-12-17\', \'text\': \'This would not be acceptable as an entertainment even back in the day\', \'early_access\': False, \'page\': 1}\n{\'username\': \'Ryx\', \'hours\': 3.8, \'products\': 2, \'product_id\': \'328100\', \'page_order\': 1, \'date\': \'2017-12-17\', \'text\': "it\'s ok", \'early_access\': True, \'page\': 1, \'found_funny\': 2}\n{\'username\': \'Chaos Syren\', \'products\': 41, \'product_id\': \'328100\', \'page_order\': 2, \'date\': \'2017-12-16\', \'text\': \'\', \'early_access\': False, \'page\': 1}\n',
        True),
}


def write_fixtures(root: str) -> str:
  """Writes every fixture file under ``root`` and returns ``root``."""
  for rel, (text, gz) in FILES.items():
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = text.encode("utf-8")
    with open(path, "wb") as f:
      f.write(gzip.compress(data, mtime=0) if gz else data)
  return root
