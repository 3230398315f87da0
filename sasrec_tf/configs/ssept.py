"""SSE-PT family hyper-parameters (SPEC §4.7-4.8); every script reads them from here.

Printed by the paper only for ML-1M (Table 1 ML-1M rows = Table 5's d_u=50, d_i=100, p_u=0.92,
p_i=p_y=0.1, dropout 0.2, T=200, p_s=0.3). For the other datasets the paper says "tuned" and prints
nothing: the values below are the released code's README settings (p_u 0.92, item 0.1) on the
SASRec per-dataset maxlen / dropout, with d_i = 50 as Table 1's text requires ("up to 50 hidden
units for item embeddings"). Epochs and evaluation period are the released code's (2001 epochs,
evaluation every 10); pass --num_epochs for shorter runs.
"""

from __future__ import annotations

from sasrec_tf.configs import sasrec

# Shared by every dataset: released-code optimisation and architecture settings.
COMMON = dict(
    num_blocks=2, num_heads=1, l2_emb=0.0, batch_size=128, learning_rate=1e-3, beta_2=0.98,
    num_epochs=2001, eval_every=10, sse_mode="coupled", sse_target=0.0, user_sharing="none",
    long_seq_prob=0.0)

PER_DATASET = {
    "ml-1m": dict(max_len=200, dropout_rate=0.2, item_units=100, user_units=50, sse_user=0.92,
                  sse_item=0.1),
    "ml-10m": dict(max_len=200, dropout_rate=0.2, item_units=100, user_units=50, sse_user=0.92,
                   sse_item=0.01),
    "beauty": dict(max_len=50, dropout_rate=0.5, item_units=50, user_units=50, sse_user=0.92,
                   sse_item=0.1),
    "games": dict(max_len=50, dropout_rate=0.5, item_units=50, user_units=50, sse_user=0.92,
                  sse_item=0.1),
    "steam": dict(max_len=50, dropout_rate=0.5, item_units=50, user_units=50, sse_user=0.92,
                  sse_item=0.1),
    "ml-100k": dict(max_len=200, dropout_rate=0.2, item_units=50, user_units=50, sse_user=0.92,
                    sse_item=0.1),
}

# SSE-PT++: p_s of Tables 1/2/5 (Table 8 sweeps it).
SSEPT_PP_LONG_SEQ_PROB = 0.3
# SSE-SASRec: SASRec's code and schedule with the sampler's item-side SSE (knob threshold_item;
# p = 1 - threshold). The paper does not print p; 0.1 as SSE-PT's item side.
SSE_SASREC_ITEM_PROB = 0.1

NO_SSE = dict(sse_user=0.0, sse_item=0.0, sse_target=0.0)


def _per(dataset: str) -> dict:
  if dataset not in PER_DATASET:
    raise ValueError(f"no SSE-PT settings for dataset {dataset!r}; known: {sorted(PER_DATASET)}")
  return {**COMMON, **PER_DATASET[dataset]}


def ssept_defaults(dataset: str) -> dict:
  return _per(dataset)


def ssept_pp_defaults(dataset: str) -> dict:
  return {**_per(dataset), "long_seq_prob": SSEPT_PP_LONG_SEQ_PROB}


def pt_defaults(dataset: str) -> dict:
  """PT = the SSE-PT architecture with every SSE probability 0 (other regularisation kept)."""
  return {**_per(dataset), **NO_SSE}


def sse_sasrec_defaults(dataset: str) -> dict:
  return {**sasrec.paper_defaults(dataset), "sse_item": SSE_SASREC_ITEM_PROB,
          "sse_target": 0.0, "sse_mode": "coupled", "long_seq_prob": 0.0}


MODEL_DEFAULTS = {"ssept": ssept_defaults, "ssept_pp": ssept_pp_defaults, "pt": pt_defaults,
                  "sse_sasrec": sse_sasrec_defaults}

FLAGS = {
    "item_units": (int, "SSE-PT item embedding size d_i (ML-1M: 100)"),
    "user_units": (int, "SSE-PT user embedding size d_u (50)"),
    "sse_user": (float, "SSE-SE probability p_u of replacing the user (input and output together); "
                        "released code: p_u = 1 - threshold_user (0.92 = threshold_user 0.08)"),
    "sse_item": (float, "SSE-SE item probability: p_item of the released code (coupled: input "
                        "and target replaced together; = 1 - threshold_item) or p_i (decoupled)"),
    "sse_target": (float, "SSE-SE target probability p_y (decoupled mode only)"),
    "sse_mode": (str, "'coupled' (released code: one item knob) or 'decoupled' (paper: p_i, p_y)"),
    "user_sharing": (str, "parameter sharing of user vectors: none, all (PS), occupation, "
                          "gender, age (ML-1M users.dat)"),
    "long_seq_prob": (float, "SSE-PT++ p_s: probability of a random window of a long history"),
}
