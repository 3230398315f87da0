"""Baselines of the comparison tables (SASRec Table III, SSE-PT Table 1, AttRec Table 2).

One module per model, each a ``keras.Model`` with ``score`` / ``score_all`` / ``train_loss`` /
``regularization_loss`` and a ``MODEL_SPECS`` dict for ``sasrec_tf.models.registry``:

  bpr (BPR-MF), fmc, fpmc, transrec, hrm, prme   first-order / non-sequential, pairwise losses
  gru4rec, gru4rec_plus                           GRU over session-parallel mini-batches
  caser, hgn, lstm                                L recent items -> T targets
  stamp                                           short-term attention/memory priority

Shared pieces: ``common`` (tables, base class, losses, spec helper) and ``samplers`` (the tf.data
samplers; batch k is a pure function of (seed, k), as ``sasrec_tf.data.sampler``).
"""
