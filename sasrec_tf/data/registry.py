"""The datasets of SASRec, SSE-PT, TiSASRec / SAS-FPT and AttRec: files, sources, rules, numbers.

This module is the single source of truth for dataset facts. Each :class:`DatasetSpec` names

* its source files, laid out as ``<data_dir>/<dataset>/<official file name>``, with official
  download addresses and the checksums known for them;
* the reader (a key of ``readers.READERS``) and one or more *variants*, each a preprocessing rule
  (a key of ``preprocess.RULES``) with options; the first variant is the default;
* the statistics printed in the papers' dataset tables, tagged with the variant that should
  reproduce them.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Mapping, Optional, Tuple, Union

GROUPLENS = "https://files.grouplens.org/datasets"
SASREC_RAW = "https://raw.githubusercontent.com/kang205/SASRec/master/data"
AMAZON_2014 = "http://snap.stanford.edu/data/amazon/productGraph/categoryFiles"
DEEPREC_RAW = ("https://raw.githubusercontent.com/cheungdaven/DeepRec/"
               "68a34cb495911e797d85cbd962526188f4aede12/data/ml100k")


@dataclasses.dataclass(frozen=True)
class SourceFile:
  """One source file of a dataset.

  Attributes:
    path: location relative to the data directory, ``<dataset>/<official file name>``.
    urls: official download addresses, tried in order.
    checksums: digests of the file itself, {'sha256' | 'md5' | 'git-sha1': hex}.
    size: size in bytes, if known.
    archive_member: if set, ``urls`` point at a zip archive and the file is this member.
    archive_checksums: digests of that archive.
    note: anything a user placing the file by hand should know.
  """

  path: str
  urls: Tuple[str, ...] = ()
  checksums: Mapping[str, str] = dataclasses.field(default_factory=dict)
  size: Optional[int] = None
  archive_member: Optional[str] = None
  archive_checksums: Mapping[str, str] = dataclasses.field(default_factory=dict)
  note: str = ""


@dataclasses.dataclass(frozen=True)
class ReferenceStatistics:
  """Dataset statistics as printed in a paper table (or verified on the distributed file).

  Attributes:
    source: e.g. 'SASRec Table II'.
    variant: the dataset variant that should reproduce these numbers.
    users, items: counts (``items`` may be the largest id, SPEC §1.6).
    actions: exact count, or the rounded text the paper prints (e.g. '0.4M').
    avg_actions_per_user, avg_actions_per_item, max_length: as printed.
    basis: 'full' (whole sequences), 'train' (training parts, i.e. without the last two items of
      each user) or 'unknown'.
    density_pct, time_span: AttRec Table 1 columns.
    note: how the numbers relate to the data.
  """

  source: str
  variant: str
  users: Optional[int] = None
  items: Optional[int] = None
  actions: Union[int, str, None] = None
  avg_actions_per_user: Optional[float] = None
  avg_actions_per_item: Optional[float] = None
  max_length: Optional[int] = None
  basis: str = "full"
  density_pct: Optional[float] = None
  time_span: Optional[str] = None
  note: str = ""


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
  """Everything needed to obtain, read and preprocess one dataset.

  Attributes:
    name: registry key.
    description: one line.
    papers: papers using it.
    files: files passed, in order, to the reader.
    reader: key of ``readers.READERS``.
    variants: {variant: (rule key of ``preprocess.RULES``, rule options)}; the first is default.
    side_files: further official files of the distribution (not read by the loader).
    reference: statistics from the papers' tables.
    partial: True when the files are known to be an incomplete copy of the official data.
    notes: caveats.
  """

  name: str
  description: str
  papers: Tuple[str, ...]
  files: Tuple[SourceFile, ...]
  reader: str
  variants: Mapping[str, Tuple[str, Mapping[str, object]]]
  side_files: Tuple[SourceFile, ...] = ()
  reference: Tuple[ReferenceStatistics, ...] = ()
  partial: bool = False
  notes: str = ""

  @property
  def default_variant(self) -> str:
    return next(iter(self.variants))


def _movielens_zip(zip_name: str, member: str, path: str, zip_md5: Optional[str] = None,
                   folder: str = "movielens", **kwargs) -> SourceFile:
  return SourceFile(path=path, urls=(f"{GROUPLENS}/{folder}/{zip_name}",),
                    archive_member=member,
                    archive_checksums={"md5": zip_md5} if zip_md5 else {}, **kwargs)


def _amazon(name: str, category: str, label: str, users: int, items: int, actions: int,
            density: float, per_user: float, span: str) -> DatasetSpec:
  file_name = f"ratings_{category}.csv"
  return DatasetSpec(
      name=name,
      description=f"Amazon 2014 '{category}' ratings (AttRec '{label}')",
      papers=("AttRec",),
      files=(SourceFile(f"{name}/{file_name}", (f"{AMAZON_2014}/{file_name}",),
                        note="rating-only CSV of the 2014 McAuley Amazon dump "
                        "(http://jmcauley.ucsd.edu/data/amazon/)"),),
      reader="amazon_ratings_csv",
      variants={"attrec": ("attrec", {})},
      reference=(ReferenceStatistics(
          "AttRec Table 1", "attrec", users, items, actions, per_user, density_pct=density,
          time_span=span, note="AttRec's filter is only described; the single-pass reading "
          "of SPEC §1.8 may not match exactly."),),
      notes="AttRec does not say which Amazon file it used; the rating-only CSV is assumed "
      "(the 5-core files hold fewer items than AttRec's Table 1).")


_ML1M_RATINGS = _movielens_zip(
    "ml-1m.zip", "ml-1m/ratings.dat", "ml-1m/ratings.dat", "c4d9eecfca2ab87c1945afe126590906",
    checksums={"git-sha1": "77a7c4b150f588c23bb9e1f068aa996c0b413695"},
    note="1,000,209 ratings; from the official GroupLens zip")
_ML1M_USERS = _movielens_zip(
    "ml-1m.zip", "ml-1m/users.dat", "ml-1m/users.dat", "c4d9eecfca2ab87c1945afe126590906",
    checksums={"sha256": "1dc3a95300cb19f7c10e027daf29b8cdf1d908dab65b5edfb45950aa389a10a3",
               "git-sha1": "2f86be06c70946984c0d5d56f9fcaa658eef139e"}, size=134368,
    note="gender / age / occupation: SSE-PT PS(...) rows and SAS-FPT user groups")
_ML1M_MOVIES = _movielens_zip(
    "ml-1m.zip", "ml-1m/movies.dat", "ml-1m/movies.dat", "c4d9eecfca2ab87c1945afe126590906",
    checksums={"sha256": "0140fc2356357c1a851d0f52e893a1e4d3696df632c4141cea8d5bc3d621f0b9",
               "git-sha1": "9a735435722829dad68446ef1c30d001d5d00c1d"}, size=171308)

_ML1M_RAW_VARIANTS = {
    "tisasrec": ("tisasrec", {"min_count": 5}),
    "tisasrec-cold-start": ("tisasrec", {"min_count": 0}),
    "sasrec": ("sasrec", {"user_ids": "ascending", "item_ids": "ascending"}),
    "attrec": ("attrec", {"min_user_count": 0, "min_item_count": 0}),
}

_SASREC_TABLE2_ML1M = ReferenceStatistics(
    "SASRec Table II", "sasrec", 6040, 3416, "1.0M", 163.5, 289.1, basis="train",
    note="163.5 and 289.1 equal (999,611 - 2 * 6,040) / 6,040 and / 3,416: training-part "
    "averages (SPEC §1.4)")

_SPECS: List[DatasetSpec] = [
    DatasetSpec(
        name="beauty",
        description="Amazon Beauty as preprocessed by the SASRec authors (data/Beauty.txt)",
        papers=("SASRec", "SSE-PT"),
        files=(SourceFile("beauty/Beauty.txt", (f"{SASREC_RAW}/Beauty.txt",),
                          {"git-sha1": "cee2ab468d220772a9dfefed9aa9c492dc9b3418"},
                          note="git blob of SSE-PT's copy, byte-identical to SASRec's "
                          "(SPEC §1.1)"),),
        reader="user_item",
        variants={"sasrec": ("as_is", {})},
        reference=(
            ReferenceStatistics("SASRec Table II", "sasrec", 52024, 57289, "0.4M", 7.6, 6.9),
            ReferenceStatistics("SSE-PT Table 4", "sasrec", 52024, 57289, None, 7.6, None, 291,
                                basis="unknown", note="7.6 is the full-sequence average")),
    ),
    DatasetSpec(
        name="beauty-raw",
        description="Amazon 2014 Beauty reviews, preprocessed here by SASRec's rule (§1.2)",
        papers=("SASRec", "SSE-PT"),
        files=(SourceFile("beauty-raw/reviews_Beauty.json.gz",
                          (f"{AMAZON_2014}/reviews_Beauty.json.gz",),
                          note="full 2014 review dump (not the 5-core file)"),),
        reader="amazon_reviews",
        variants={"sasrec": ("sasrec", {})},
        reference=(ReferenceStatistics("SASRec Table II", "sasrec", 52024, 57289, "0.4M", 7.6,
                                       6.9),),
    ),
    DatasetSpec(
        name="games",
        description="Amazon Video Games as preprocessed by the SASRec authors (data/Video.txt)",
        papers=("SASRec", "SSE-PT"),
        files=(SourceFile(
            "games/Video.txt", (f"{SASREC_RAW}/Video.txt",),
            {"sha256": "b7376fe24430743f411dc7f567285657b2adb3f74361cc7ba0aee94f3024b651",
             "git-sha1": "f576455c76008a2c02a178c9d4ee930be632af89"}, size=3187124),),
        reader="user_item",
        variants={"sasrec": ("as_is", {})},
        reference=(
            ReferenceStatistics("SASRec Table II", "sasrec", 31013, 23715, "0.3M", 9.3, 12.1),
            ReferenceStatistics("SSE-PT Table 4", "sasrec", 31013, 23715, None, 7.3, None, 858,
                                basis="train", note="7.3 and 858 are training-part values"),
            ReferenceStatistics("distributed file (verified)", "sasrec", 31013, 23715, 287107,
                                max_length=860)),
    ),
    DatasetSpec(
        name="games-raw",
        description="Amazon 2014 Video Games reviews, preprocessed here by SASRec's rule (§1.2)",
        papers=("SASRec", "SSE-PT"),
        files=(SourceFile("games-raw/reviews_Video_Games.json.gz",
                          (f"{AMAZON_2014}/reviews_Video_Games.json.gz",),
                          note="full 2014 review dump (not the 5-core file)"),),
        reader="amazon_reviews",
        variants={"sasrec": ("sasrec", {})},
        reference=(ReferenceStatistics("SASRec Table II", "sasrec", 31013, 23715, "0.3M", 9.3,
                                       12.1),),
    ),
    DatasetSpec(
        name="steam",
        description="Steam reviews as preprocessed by the SASRec authors (data/Steam.txt)",
        papers=("SASRec", "SSE-PT"),
        files=(SourceFile("steam/Steam.txt", (f"{SASREC_RAW}/Steam.txt",)),),
        reader="user_item",
        variants={"sasrec": ("as_is", {})},
        reference=(
            ReferenceStatistics("SASRec Table II", "sasrec", 334730, 13047, "3.7M", 11.0,
                                282.5),
            ReferenceStatistics("SSE-PT Table 4", "sasrec", 334730, 13047, None, 11.0, None,
                                1229, basis="unknown")),
    ),
    DatasetSpec(
        name="steam-raw",
        description="Steam reviews (SASRec's crawl), preprocessed here by SASRec's rule (§1.3)",
        papers=("SASRec", "SSE-PT"),
        files=(SourceFile("steam-raw/steam_reviews.json.gz",
                          ("https://cseweb.ucsd.edu/~wckang/steam_reviews.json.gz",
                           "https://mcauleylab.ucsd.edu/public_datasets/data/steam/"
                           "steam_reviews.json.gz"),
                          note="7,793,069 reviews; Python dict literal per line"),),
        reader="steam_reviews",
        variants={"sasrec": ("sasrec", {})},
        reference=(ReferenceStatistics("SASRec Table II", "sasrec", 334730, 13047, "3.7M", 11.0,
                                       282.5),),
        notes="The Steam script was not released; ties on equal dates keep file order.",
    ),
    DatasetSpec(
        name="ml-1m",
        description="MovieLens-1M as preprocessed by the SASRec authors (data/ml-1m.txt)",
        papers=("SASRec", "SSE-PT"),
        files=(SourceFile(
            "ml-1m/ml-1m.txt", (f"{SASREC_RAW}/ml-1m.txt",),
            {"sha256": "b725f3acb3986fe3130bffd1e77a74d182a1f51799567a236dbd60270f95b0a2",
             "git-sha1": "9ab8e3edb8742f8d8cc4911e3dee25e82a6fcc24"}, size=9053831),),
        reader="user_item",
        variants={"sasrec": ("as_is", {})},
        reference=(
            _SASREC_TABLE2_ML1M,
            ReferenceStatistics("SSE-PT Table 4", "sasrec", 6040, 3416, None, 163.5, None, 2275,
                                basis="train"),
            ReferenceStatistics("distributed file (verified)", "sasrec", 6040, 3416, 999611,
                                max_length=2277)),
        notes="Ids are SASRec's, not MovieLens ids; users.dat needs the id mapping.",
    ),
    DatasetSpec(
        name="ml-1m-raw",
        description="MovieLens-1M ratings.dat (with timestamps)",
        papers=("TiSASRec", "SAS-FPT", "AttRec", "SASRec", "SSE-PT"),
        files=(_ML1M_RATINGS,),
        reader="movielens_ratings",
        variants=_ML1M_RAW_VARIANTS,
        side_files=(_ML1M_USERS, _ML1M_MOVIES),
        reference=(
            _SASREC_TABLE2_ML1M,
            ReferenceStatistics("AttRec Table 1", "attrec", 6040, 3706, 1000209, 165.57,
                                density_pct=4.46, time_span="Apr/2000 - Mar/2003"),
            ReferenceStatistics("SPEC §1.5 (SAS-FPT Table 3 data)", "tisasrec-cold-start", 6040,
                                3706, 1000209)),
        notes="Variants: 'tisasrec' (TiSASRec / SAS-FPT, §1.5), 'tisasrec-cold-start' (no "
        "filter, SAS-FPT Table 3), 'sasrec' (§1.4, SASRec's within-tie order is unknown), "
        "'attrec' (no filter, §1.8).",
    ),
    DatasetSpec(
        name="ml-1m-raw-subset",
        description="PARTIAL MovieLens-1M ratings.dat: users 1..2999 only (CS100 lab subset)",
        papers=(),
        files=(SourceFile(
            "ml-1m/cs100-subset/ratings.dat.gz",
            ("https://raw.githubusercontent.com/dev-sumanta/dsmlai/"
             "ccdc1fec54b4ab00fe37154ce2a38200c932bf6a/ratings.dat.gz",),
            {"sha256": "2fedcf5405373a49df4041e3d3fe1e8db9eacf2c77c209ae1f686ea06b7a16d9"},
            size=2882903, note="first 487,650 lines of the official ratings.dat"),),
        reader="movielens_ratings",
        variants=_ML1M_RAW_VARIANTS,
        side_files=(_ML1M_USERS, _ML1M_MOVIES),
        reference=(ReferenceStatistics("subset file (verified)", "tisasrec-cold-start", 2999,
                                       3615, 487650, note="not a paper number"),),
        partial=True,
        notes="Partial: 2,999 of 6,040 users and 487,650 of 1,000,209 ratings. Results on it are "
        "not comparable with any paper table. The official file is dataset 'ml-1m-raw'.",
    ),
    DatasetSpec(
        name="ml-10m",
        description="MovieLens-10M ratings.dat; items keep raw MovieIDs (SSE-PT, SPEC §1.6)",
        papers=("SSE-PT",),
        files=(_movielens_zip("ml-10m.zip", "ml-10M100K/ratings.dat", "ml-10m/ratings.dat",
                              "ce571fd55effeba0271552578f2648bd"),),
        reader="movielens_ratings",
        variants={
            "ssept": ("sasrec", {"min_user_count": 0, "min_item_count": 0,
                                 "user_ids": "ascending", "item_ids": "raw"}),
            "renumbered": ("sasrec", {"min_user_count": 0, "min_item_count": 0,
                                      "user_ids": "ascending", "item_ids": "ascending"}),
        },
        reference=(ReferenceStatistics(
            "SSE-PT Table 4", "ssept", 69878, 65133, None, 141.1, None, 7357, basis="train",
            note="65,133 is the largest raw MovieID; 141.1 = 10,000,054 / 69,878 - 2"),),
    ),
    DatasetSpec(
        name="ml-100k",
        description="MovieLens-100K u.data, split as AttRec's DeepRec code does (§1.8)",
        papers=("AttRec",),
        files=(_movielens_zip(
            "ml-100k.zip", "ml-100k/u.data", "ml-100k/u.data", "0e33842e24a9c977be4e0107933c0723",
            checksums={"sha256": "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490",
                       "git-sha1": "16ef21ed827cae1a3f71e89e23cffb5a8f44baae"},
            size=1979173),),
        reader="tab_ratings",
        variants={"attrec": ("attrec", {"min_user_count": 0, "min_item_count": 0,
                                        "ids": "deeprec"}),
                  # TiSASRec's ML-1M rule (SPEC §1.5) applied to ML-100K (time-aware models).
                  "tisasrec": ("tisasrec", {"min_count": 5})},
        side_files=(_movielens_zip(
            "ml-100k.zip", "ml-100k/u.user", "ml-100k/u.user", "0e33842e24a9c977be4e0107933c0723",
            checksums={"sha256": "f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c",
                       "git-sha1": "53d296f961959ad3a9389a6bbd7e8251aeeb6e17"},
            size=22628, note="age / gender / occupation: SAS-FPT user groups"),),
        reference=(ReferenceStatistics("AttRec Table 1", "attrec", 943, 1682, 100000, 106.04,
                                       density_pct=6.3, time_span="Sept/1997 - Apr/1998",
                                       note="106.04 = 100,000 / 943"),),
    ),
    DatasetSpec(
        name="ml-100k-deeprec",
        description="The ML-100K train/test split shipped with AttRec's code (DeepRec)",
        papers=("AttRec",),
        files=(
            SourceFile(
                "ml-100k/attrec_split/train.dat", (f"{DEEPREC_RAW}/temp/train.dat",),
                {"sha256": "c42b4b3f2236449aa8b766d5aad6927c709767c2fd91a2d4cd61694097d335c3"},
                size=1960445),
            SourceFile(
                "ml-100k/attrec_split/test.dat", (f"{DEEPREC_RAW}/temp/test.dat",),
                {"sha256": "7da382bee27938135ed92bdd2f5d077b9c3232ba82088fa7c67e0b828c6166a1"},
                size=18728)),
        reader="deeprec_split",
        variants={"attrec": ("deeprec_split", {})},
        reference=(ReferenceStatistics("AttRec Table 1", "attrec", 943, 1682, 100000),),
        notes="Each sequence is the user's train.dat rows followed by its test.dat row; equal to "
        "dataset 'ml-100k'.",
    ),
    DatasetSpec(
        name="ml-hetrec",
        description="MovieLens HetRec 2011 (user_ratedmovies-timestamps.dat)",
        papers=("AttRec",),
        files=(_movielens_zip("hetrec2011-movielens-2k-v2.zip",
                              "user_ratedmovies-timestamps.dat",
                              "ml-hetrec/user_ratedmovies-timestamps.dat", folder="hetrec2011"),),
        reader="ml_hetrec",
        variants={"attrec": ("attrec", {"min_user_count": 0, "min_item_count": 0})},
        reference=(ReferenceStatistics("AttRec Table 1", "attrec", 2113, 10109, 855598, 404.92,
                                       density_pct=4.01, time_span="Sept/1997 - Jan/2009"),),
    ),
    DatasetSpec(
        name="lastfm",
        description="Last.fm HetRec 2011 tag assignments (user_taggedartists-timestamps.dat)",
        papers=("AttRec",),
        files=(_movielens_zip("hetrec2011-lastfm-2k.zip", "user_taggedartists-timestamps.dat",
                              "lastfm/user_taggedartists-timestamps.dat", folder="hetrec2011"),),
        reader="lastfm_tags",
        variants={"attrec": ("attrec", {})},
        reference=(ReferenceStatistics("AttRec Table 1", "attrec", 951, 12113, 83382, 87.68,
                                       density_pct=0.724, time_span="Aug/2005 - May/2011"),),
        notes="Item = artist (AttRec does not say whether items are artists or tags).",
    ),
    DatasetSpec(
        name="movietweetings",
        description="MovieTweetings ratings.dat (AttRec used a December 2016 download)",
        papers=("AttRec",),
        files=(SourceFile("movietweetings/ratings.dat",
                          ("https://raw.githubusercontent.com/sidooms/MovieTweetings/master/"
                           "latest/ratings.dat",),
                          note="the current file is larger than AttRec's Dec 2016 snapshot; use "
                          "a repository commit from December 2016 to match Table 1"),),
        reader="movietweetings_ratings",
        variants={"attrec": ("attrec", {})},
        reference=(ReferenceStatistics("AttRec Table 1", "attrec", 9608, 14220, 461970, 48.08,
                                       density_pct=0.338, time_span="Mar/2013 - Dec/2016"),),
    ),
    _amazon("amazon-apps", "Apps_for_Android", "Android App", 21309, 19256, 358877, 0.087,
            16.84, "Mar/2010 - Jul/2014"),
    _amazon("amazon-health", "Health_and_Personal_Care", "Health / Care", 11588, 31709, 211284,
            0.058, 18.23, "Dec/2000 - Jul/2014"),
    _amazon("amazon-games", "Video_Games", "Video Game", 7220, 16334, 140307, 0.119, 19.43,
            "Nov/1999 - Jul/2014"),
    _amazon("amazon-tools", "Tools_and_Home_Improvement", "Tools / Home", 5855, 23620, 96467,
            0.07, 16.48, "Nov/1999 - Jul/2014"),
    _amazon("amazon-music", "Digital_Music", "Digital Music", 2893, 13183, 64320, 0.169, 22.23,
            "May/1998 - Jul/2014"),
    _amazon("amazon-garden", "Patio_Lawn_and_Garden", "Garden", 1036, 4900, 15576, 0.307, 15.03,
            "Apr/2000 - Jul/2014"),
    _amazon("amazon-video", "Amazon_Instant_Video", "Instant Video", 1000, 3296, 15849, 0.481,
            15.85, "Aug/2000 - Jul/2014"),
    DatasetSpec(
        name="beauty-bert4rec",
        description="NEAR MISS: Amazon Beauty as preprocessed for BERT4Rec, not SASRec's Beauty",
        papers=(),
        files=(SourceFile(
            "beauty-bert4rec/beauty.txt",
            ("https://raw.githubusercontent.com/FeiSun/BERT4Rec/"
             "615eaf2004abecda487a38d5b0c72f3dcfcae5b3/data/beauty.txt",),
            {"sha256": "f480b7a7403852342ffd8f9809bb30697dd669be31813d0e204b698fec86ef49",
             "git-sha1": "16718a33ebdb33504f257421b18ae8bf3ddfe327"}, size=3912093),),
        reader="user_item",
        variants={"as_is": ("as_is", {})},
        reference=(ReferenceStatistics("BERT4Rec Table 1", "as_is", 40226, 54542, "0.35M",
                                       note="not SASRec's Beauty (52,024 / 57,289)"),),
        notes="Not used by the four papers; numbers on it are not comparable with theirs.",
    ),
]

REGISTRY: Dict[str, DatasetSpec] = {s.name: s for s in _SPECS}
"""Dataset name -> DatasetSpec."""


def names() -> List[str]:
  """All registered dataset names, in registry order."""
  return list(REGISTRY)


def get(name: str) -> DatasetSpec:
  """The spec of ``name``; KeyError listing the known names otherwise."""
  try:
    return REGISTRY[name]
  except KeyError:
    raise KeyError(f"unknown dataset {name!r}; known: {', '.join(REGISTRY)}") from None
