"""Downloads with a fake URL opener: verified, atomic, and clear when they fail. No network."""

import hashlib
import io
import os
import urllib.error
import urllib.request
import zipfile

import pytest

from sasrec_tf.data import download
from sasrec_tf.data.errors import ChecksumMismatchError, DatasetNotFoundError
from sasrec_tf.data.registry import SourceFile

CONTENT = b"1 2\n1 3\n2 1\n"
URL = "https://example.org/data/Video.txt"


class FakeOpener:
  """urlopen stand-in: serves ``pages`` by URL, raises URLError for anything else."""

  def __init__(self, pages):
    self.pages = pages
    self.calls = []

  def __call__(self, url, timeout=None):
    self.calls.append(url)
    if url not in self.pages:
      raise urllib.error.URLError("no network in tests")
    return io.BytesIO(self.pages[url])


def _sha256(data: bytes) -> str:
  return hashlib.sha256(data).hexdigest()


def _leftovers(directory):
  return [n for n in os.listdir(directory) if n.startswith(".") or n.endswith(".part")]


def test_fetch_verifies_and_places_file(tmp_path):
  source = SourceFile("games/Video.txt", (URL,), {"sha256": _sha256(CONTENT)},
                      size=len(CONTENT))
  path = download.fetch("games", source, str(tmp_path), opener=FakeOpener({URL: CONTENT}))
  assert path == str(tmp_path / "games" / "Video.txt")
  with open(path, "rb") as f:
    assert f.read() == CONTENT
  assert _leftovers(tmp_path / "games") == []


def test_git_blob_checksum(tmp_path):
  blob = hashlib.sha1(b"blob %d\0" % len(CONTENT) + CONTENT).hexdigest()
  source = SourceFile("games/Video.txt", (URL,), {"git-sha1": blob})
  download.fetch("games", source, str(tmp_path), opener=FakeOpener({URL: CONTENT}))
  assert (tmp_path / "games" / "Video.txt").exists()


def test_checksum_mismatch_leaves_nothing(tmp_path):
  source = SourceFile("games/Video.txt", (URL,), {"sha256": "0" * 64})
  with pytest.raises(ChecksumMismatchError) as info:
    download.fetch("games", source, str(tmp_path), opener=FakeOpener({URL: CONTENT}))
  message = str(info.value)
  assert "<data_dir>/games/Video.txt" in message
  assert str(tmp_path / "games" / "Video.txt") in message
  assert URL in message and "0" * 64 in message
  assert not (tmp_path / "games" / "Video.txt").exists()
  assert _leftovers(tmp_path / "games") == []


def test_no_network_says_where_to_place_the_file(tmp_path):
  source = SourceFile("ml-100k/u.data", (URL,))
  with pytest.raises(DatasetNotFoundError) as info:
    download.fetch("ml-100k", source, str(tmp_path), opener=FakeOpener({}))
  assert not isinstance(info.value, ChecksumMismatchError)
  assert "<data_dir>/ml-100k/u.data" in str(info.value)
  assert "URLError" in str(info.value) and URL in str(info.value)
  assert _leftovers(tmp_path / "ml-100k") == []


def test_second_url_is_tried(tmp_path):
  mirror = "https://mirror.example.org/Video.txt"
  source = SourceFile("games/Video.txt", (URL, mirror), {"sha256": _sha256(CONTENT)})
  opener = FakeOpener({URL: b"wrong", mirror: CONTENT})
  download.fetch("games", source, str(tmp_path), opener=opener)
  assert opener.calls == [URL, mirror]


def test_zip_member_is_extracted_after_archive_check(tmp_path):
  buffer = io.BytesIO()
  with zipfile.ZipFile(buffer, "w") as zf:
    zf.writestr("ml-1m/ratings.dat", CONTENT)
    zf.writestr("ml-1m/README", b"readme")
  archive = buffer.getvalue()
  zip_url = "https://example.org/ml-1m.zip"
  source = SourceFile("ml-1m/ratings.dat", (zip_url,), {"sha256": _sha256(CONTENT)},
                      archive_member="ml-1m/ratings.dat",
                      archive_checksums={"md5": hashlib.md5(archive).hexdigest()})
  download.fetch("ml-1m-raw", source, str(tmp_path), opener=FakeOpener({zip_url: archive}))
  assert (tmp_path / "ml-1m" / "ratings.dat").read_bytes() == CONTENT
  assert _leftovers(tmp_path / "ml-1m") == []

  bad = SourceFile("ml-1m/users.dat", (zip_url,), archive_member="ml-1m/users.dat")
  with pytest.raises(ChecksumMismatchError, match="no member"):
    download.fetch("ml-1m-raw", bad, str(tmp_path), opener=FakeOpener({zip_url: archive}))


def test_default_opener_is_urllib(tmp_path, monkeypatch):
  opener = FakeOpener({URL: CONTENT})
  monkeypatch.setattr(urllib.request, "urlopen", opener)
  download.fetch("games", SourceFile("games/Video.txt", (URL,)), str(tmp_path))
  assert opener.calls == [URL]


def test_no_known_address(tmp_path):
  with pytest.raises(DatasetNotFoundError, match="no download address"):
    download.fetch("x", SourceFile("x/y.txt"), str(tmp_path))
