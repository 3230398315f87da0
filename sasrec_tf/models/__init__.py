"""Recommenders built from sasrec_tf.layers."""

from sasrec_tf.models.pop import PopRec
from sasrec_tf.models.sasrec import SASRec
