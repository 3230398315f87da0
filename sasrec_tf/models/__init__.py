"""Recommenders built from sasrec_tf.layers."""

from sasrec_tf.models.pop import PopRec
from sasrec_tf.models.sasrec import SASRec
from sasrec_tf.models.ssept import SSEPT
from sasrec_tf.models.registry import available_models, get_spec
from sasrec_tf.models.tisasrec import TiSASRec
from sasrec_tf.models.sasfpt import SASFPT
from sasrec_tf.models.attrec import AttRec
