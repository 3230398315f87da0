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


def pop_defaults(dataset: str) -> dict:
  """PopRec only needs the evaluation window length."""
  per = PER_DATASET.get(dataset, dict(max_len=50))
  return {"max_len": per["max_len"], "pop_count_on": "train"}


MODEL_DEFAULTS = {"sasrec": paper_defaults, "pop": pop_defaults}

# Model flags of SASRec (the shared training / evaluation flags live in configs.flags).
FLAGS = {
    "max_len": (int, "maximum sequence length n (paper: 50; 200 on ML-1M)"),
    "hidden_units": (int, "embedding / hidden size d (paper: 50)"),
    "num_blocks": (int, "number of self-attention blocks b (paper: 2)"),
    "num_heads": (int, "attention heads h (paper: 1)"),
    "dropout_rate": (float, "dropout rate (paper: 0.5; 0.2 on ML-1M)"),
    "l2_emb": (float, "l2 on embedding tables, l2*sum(w^2)/2 (original code: 0)"),
    "use_positional_embedding": (bool, "add learned positions (False = Table IV 'Remove PE')"),
    "share_item_embedding": (bool, "share input/output item table (False = 'Unshared IE')"),
    "use_residual": (bool, "residual connections (False = Table IV 'Remove RC')"),
    "paper_literal": (bool, "blocks as the paper text writes them instead of the original code"),
    "user_embedding": (bool, "explicit user embedding r = (U_u + F_t) . M_i (paper §III-F)"),
    "pop_count_on": (str, "PopRec counts on 'train' interactions or 'all'"),
}
