"""Parameter-sharing user groups from ML-1M users.dat through the SASRec id map."""

import os
from types import SimpleNamespace

import numpy as np
import pytest

from sasrec_tf.data.errors import DataFormatError, DatasetNotFoundError
from sasrec_tf.data.user_groups import group_ids, read_id_mapping, user_groups


def fake_split(n, name="ml-1m"):
  return SimpleNamespace(num_users=n, dataset=SimpleNamespace(name=name))


def write_fixture(root, mapping, users):
  os.makedirs(root / "ml-1m" / "sas-mapping")
  (root / "ml-1m" / "sas-mapping" / "sas_to_original_users.txt").write_text(
      "".join(f"{a} {b}\n" for a, b in mapping))
  (root / "ml-1m" / "users.dat").write_text(
      "".join(f"{u}::{g}::{a}::{o}::12345\n" for u, g, a, o in users))


def test_groups_follow_the_mapping(tmp_path):
  write_fixture(tmp_path, [(1, 30), (2, 10), (3, 20)],
                [(10, "F", 1, 4), (20, "M", 25, 4), (30, "F", 56, 7)])
  split = fake_split(3)
  assert user_groups(split, "gender", str(tmp_path)) == [1, 1, 1, 2]
  assert user_groups(split, "occupation", str(tmp_path)) == [1, 2, 1, 1]
  assert user_groups(split, "age", str(tmp_path)) == [1, 3, 1, 2]
  assert user_groups(split, "all") == [1, 1, 1, 1]
  assert user_groups(split, "none") is None


def test_errors(tmp_path):
  with pytest.raises(ValueError, match="ML-1M"):
    user_groups(fake_split(3, "games"), "gender", str(tmp_path))
  with pytest.raises(DatasetNotFoundError):
    user_groups(fake_split(3), "gender", str(tmp_path))
  with pytest.raises(ValueError, match="user_sharing"):
    user_groups(fake_split(3), "zip")
  bad = tmp_path / "map.txt"
  bad.write_text("1 10\n2 x\n")
  with pytest.raises(DataFormatError, match="map.txt:2"):
    read_id_mapping(str(bad))
  np.testing.assert_array_equal(group_ids(np.array(["b", "a", "b"])), [2, 1, 2])


def test_real_ml1m_groups(real_data_dir):
  if not os.path.exists(os.path.join(real_data_dir, "ml-1m", "users.dat")):
    pytest.skip("ML-1M users.dat not present")
  split = fake_split(6040)
  for mode, count in (("occupation", 21), ("gender", 2), ("age", 7)):
    groups = user_groups(split, mode, real_data_dir)
    assert len(groups) == 6041 and set(groups[1:]) == set(range(1, count + 1))
