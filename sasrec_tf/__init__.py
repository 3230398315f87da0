"""sasrec_tf: faithful TF2/Keras reproductions of SASRec, SSE-PT, SAS-FPT and AttRec."""

__version__ = "0.1.0"
