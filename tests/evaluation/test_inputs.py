"""Evaluation input windows (SPEC §2.2)."""

import numpy as np

from sasrec_tf.evaluation.inputs import eval_inputs, eval_time_inputs, last_n_windows


def test_valid_window_is_left_padded_train(small_split):
  got = eval_inputs(small_split, np.array([1, 3, 4]), "valid", 5)
  assert got.dtype == np.int32 and got.shape == (3, 5)
  np.testing.assert_array_equal(got, [[0, 0, 1, 2, 3], [0, 0, 0, 2, 8], [0, 0, 3, 1, 11]])


def test_test_window_ends_with_validation_item(small_split):
  got = eval_inputs(small_split, np.array([1, 3, 4]), "test", 5)
  np.testing.assert_array_equal(got, [[0, 1, 2, 3, 4], [0, 0, 2, 8, 9], [0, 3, 1, 11, 12]])


def test_truncation_keeps_the_last_items(small_split):
  np.testing.assert_array_equal(eval_inputs(small_split, np.array([1]), "valid", 2), [[2, 3]])
  np.testing.assert_array_equal(eval_inputs(small_split, np.array([1]), "test", 2), [[3, 4]])
  np.testing.assert_array_equal(eval_inputs(small_split, np.array([1]), "test", 1), [[4]])


def test_time_windows_align_with_items(small_split):
  items = eval_inputs(small_split, np.array([1, 3]), "test", 5)
  times = eval_time_inputs(small_split, np.array([1, 3]), "test", 5)
  assert times.dtype == np.int64
  np.testing.assert_array_equal(times, [[0, 1, 11, 21, 31], [0, 0, 3, 13, 23]])
  np.testing.assert_array_equal(times > 0, items > 0)


def test_last_n_windows_generic_and_empty_rows():
  rows = [np.array([], np.int32), np.array([7, 8, 9])]
  np.testing.assert_array_equal(last_n_windows(rows, np.array([0, 1]), 4),
                                [[0, 0, 0, 0], [0, 7, 8, 9]])
  np.testing.assert_array_equal(last_n_windows(rows, np.array([1, 0]), 3, np.array([5, 6])),
                                [[8, 9, 5], [0, 0, 6]])
