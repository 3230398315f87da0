"""The dataset registry is complete and consistent with the readers, rules and paper tables."""

import inspect
import json
import os
import re

import pytest

from sasrec_tf.data import checksums, preprocess, readers, registry

_HEX_LENGTH = {"sha256": 64, "md5": 32, "git-sha1": 40}
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_REPORTED = os.environ.get("SASREC_TF_REPORTED_NUMBERS",
                           os.path.join(_REPO, "sasrec_tf", "reporting", "data",
                                        "reported_numbers.json"))


def _all_files(spec):
  return spec.files + spec.side_files


def test_names_of_all_four_papers_are_registered():
  expected = {"beauty", "games", "steam", "ml-1m", "ml-1m-raw", "ml-1m-raw-subset", "ml-10m",
              "ml-100k", "ml-hetrec", "lastfm", "movietweetings", "amazon-apps", "amazon-health",
              "amazon-games", "amazon-tools", "amazon-music", "amazon-garden", "amazon-video"}
  assert expected <= set(registry.names())
  with pytest.raises(KeyError, match="known"):
    registry.get("nope")


@pytest.mark.parametrize("name", registry.names())
def test_spec_is_consistent(name):
  spec = registry.get(name)
  assert spec.reader in readers.READERS
  assert len(inspect.signature(readers.READERS[spec.reader]).parameters) >= len(spec.files)
  for variant, (rule, options) in spec.variants.items():
    accepted = list(inspect.signature(preprocess.RULES[rule]).parameters)[2:]
    assert set(options) <= set(accepted), (variant, options)
  for ref in spec.reference:
    assert ref.variant in spec.variants
    assert ref.basis in ("full", "train", "unknown")
  for source in _all_files(spec):
    assert re.fullmatch(r"[a-z0-9-]+/[^/].*", source.path), source.path
    assert not os.path.isabs(source.path)
    for algorithm, digest in {**source.checksums, **source.archive_checksums}.items():
      assert algorithm in checksums.ALGORITHMS
      assert re.fullmatch(f"[0-9a-f]{{{_HEX_LENGTH[algorithm]}}}", digest)
    for url in source.urls:
      assert url.startswith(("https://", "http://"))


def test_layout_matches_the_manifest():
  paths = {s.path for n in registry.names() for s in _all_files(registry.get(n))}
  assert {"games/Video.txt", "ml-1m/ml-1m.txt", "ml-1m/ratings.dat", "ml-1m/users.dat",
          "ml-100k/u.data", "ml-1m/cs100-subset/ratings.dat.gz"} <= paths


def test_official_sources():
  assert registry.get("ml-1m-raw").files[0].urls[0] == \
      "https://files.grouplens.org/datasets/movielens/ml-1m.zip"
  assert registry.get("ml-1m-raw").files[0].archive_member == "ml-1m/ratings.dat"
  assert registry.get("games").files[0].urls[0].startswith(
      "https://raw.githubusercontent.com/kang205/SASRec/")
  assert registry.get("games").files[0].checksums["sha256"].startswith("b7376fe2")
  assert "snap.stanford.edu" in registry.get("amazon-music").files[0].urls[0]


def test_partial_subset_is_labelled_and_separate():
  subset = registry.get("ml-1m-raw-subset")
  assert subset.partial and "PARTIAL" in subset.description
  assert subset.files[0].path == "ml-1m/cs100-subset/ratings.dat.gz"
  full = registry.get("ml-1m-raw")
  assert not full.partial and full.files[0].path == "ml-1m/ratings.dat"
  assert all(not registry.get(n).partial for n in registry.names() if n != subset.name)


def test_table_numbers():
  def ref(name, source):
    return next(r for r in registry.get(name).reference if r.source == source)

  assert (ref("beauty", "SASRec Table II").users, ref("beauty", "SASRec Table II").items) == \
      (52024, 57289)
  assert ref("steam", "SASRec Table II").users == 334730
  ml1m = ref("ml-1m", "SASRec Table II")
  assert (ml1m.users, ml1m.items, ml1m.basis) == (6040, 3416, "train")
  assert ref("ml-100k", "AttRec Table 1").actions == 100000


def test_paper_tables_agree_with_reported_numbers_file():
  if not os.path.isfile(_REPORTED):
    pytest.skip(f"{_REPORTED} not found")
  with open(_REPORTED, encoding="utf-8") as f:
    table_rows = json.load(f)["dataset_statistics"]
  ours = {(r.source.split()[0], r.users, r.items)
          for n in registry.names() for r in registry.get(n).reference}
  for row in table_rows:
    assert (row["paper"], row["users"], row["items"]) in ours, row


def test_readme_lists_every_dataset():
  readme = os.path.join(_REPO, "datasets", "README.md")
  with open(readme, encoding="utf-8") as f:
    text = f.read()
  for name in registry.names():
    assert f"`{name}`" in text, name
