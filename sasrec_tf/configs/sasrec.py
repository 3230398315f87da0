"""SASRec hyper-parameters of the paper (SPEC §3.8, SASRec §IV-C), one place for every script."""

from __future__ import annotations

# Shared by every dataset (original code defaults; the README commands change only the two below).
COMMON = dict(
    hidden_units=50, num_blocks=2, num_heads=1, l2_emb=0.0,
    batch_size=128, learning_rate=1e-3, num_epochs=201, eval_every=20)

# maxlen n and dropout per dataset (paper §IV-C: 200 / 0.2 on ML-1M, 50 / 0.5 on the sparse sets).
PER_DATASET = {
    "beauty": dict(max_len=50, dropout_rate=0.5),
    "games": dict(max_len=50, dropout_rate=0.5),
    "steam": dict(max_len=50, dropout_rate=0.5),
    "ml-1m": dict(max_len=200, dropout_rate=0.2),
    # Not in the SASRec paper; sensible settings for the small / long-sequence sets.
    "ml-100k": dict(max_len=200, dropout_rate=0.2),
    "ml-10m": dict(max_len=200, dropout_rate=0.2),
}

# Table IV ablations: each is exactly one change to the default (SPEC §3.9).
ABLATIONS = {
    "default": {},
    "remove_pe": dict(use_positional_embedding=False),
    "unshared_ie": dict(share_item_embedding=False),
    "remove_rc": dict(use_residual=False),
    "remove_dropout": dict(dropout_rate=0.0),
    "blocks_0": dict(num_blocks=0),
    "blocks_1": dict(num_blocks=1),
    "blocks_3": dict(num_blocks=3),
    "multi_head": dict(num_heads=2),
}


def paper_defaults(dataset: str) -> dict:
  """The paper's SASRec settings for ``dataset`` (ValueError for an unknown dataset)."""
  if dataset not in PER_DATASET:
    raise ValueError(f"no SASRec settings for dataset {dataset!r}; known: {sorted(PER_DATASET)}")
  return {**COMMON, **PER_DATASET[dataset]}
