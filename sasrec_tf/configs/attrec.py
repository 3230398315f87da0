"""AttRec hyper-parameters (paper "Implementation Details" + original code; SPEC §6.3-6.5).

AttRec's L is the shared ``max_len`` setting and its d is ``hidden_units``; ``l2_emb`` is the l2
of the embedding tables U, V, X and ``l2_attention`` the l2 of the attention matrix W. Defaults
follow the original code where the paper does not fix a value (omega = 0.2, l2 0.001 / 0.01, no
dropout, Adagrad initial accumulator 0.05), the paper where it does (d = 100, L and T per
dataset, margin 0.5, lr 0.05, batch 1000, norm clipping instead of l2 on U, V, X for the sparse
datasets). The options whose code and paper behaviours differ default to None, meaning "the code"
(or "the paper" when ``paper_literal`` is set); see ``models.attrec.CODE_VS_PAPER``.
"""

from __future__ import annotations

from sasrec_tf.data import attrec_data
from sasrec_tf.data import registry

# Shared by every dataset.
COMMON = dict(
    hidden_units=100, omega=0.2, margin=0.5, dropout_rate=0.0, l2_attention=0.01,
    aggregation="mean", self_attention=True, paper_literal=False, diagonal_mask=None,
    time_signal=None, hinge_pairs=None, negatives=None, holdout_validation=True,
    # Training (paper: Adagrad, lr 0.05 untuned, batch 1000; code: initial accumulator 0.05).
    optimizer="adagrad", learning_rate=0.05, initial_accumulator=0.05, batch_size=1000,
    select_metric="HR@50",
    # Evaluation (SPEC §6.5): full ranking over the items not in the input history, every user.
    eval_protocol="full", eval_exclusion="seen", eval_max_users=None)

# Dense MovieLens data: L = 5, T = 3, l2 on every table (the code's ML-100K setting).
MOVIELENS = dict(max_len=5, target_len=3, l2_emb=0.001, norm_clip=False,
                 num_epochs=50, eval_every=1)
# Sparse data (Amazon, LastFM): L = 2, T = 1, norm clipping replaces l2 on U, V, X.
SPARSE = dict(max_len=2, target_len=1, l2_emb=0.0, norm_clip=True, num_epochs=200,
              eval_every=5)
# MovieTweetings: sparse, but L = 3.
MOVIETWEETINGS = dict(SPARSE, max_len=3)


def dataset_group(dataset: str) -> str:
  """'movielens', 'movietweetings' or 'sparse' for an AttRec name or a registry name.

  Raises:
    ValueError: an unknown dataset.
  """
  name = attrec_data.ATTREC_DATASETS.get(dataset, dataset)
  if name not in registry.REGISTRY:
    raise ValueError(f"no AttRec settings for dataset {dataset!r}; known: "
                     f"{sorted(set(attrec_data.ATTREC_DATASETS) | set(registry.REGISTRY))}")
  if name == "movietweetings":
    return "movietweetings"
  if name.startswith("ml-"):  # every MovieLens entry (ml-100k-deeprec, ml-1m-raw-subset...)
    return "movielens"
  return "sparse"


_GROUPS = {"movielens": MOVIELENS, "movietweetings": MOVIETWEETINGS, "sparse": SPARSE}


def paper_defaults(dataset: str) -> dict:
  """AttRec's settings for ``dataset`` (AttRec name such as 'garden', or registry name)."""
  return {**COMMON, **_GROUPS[dataset_group(dataset)]}


MODEL_DEFAULTS = {"attrec": paper_defaults}

FLAGS = {
    # Shared with SASRec (same meaning), listed so that the AttRec reading is documented here;
    # the first definition's help text is the one shown.
    "max_len": (int, "AttRec: L, recent items attended over (paper: 5 MovieLens, 3 "
                     "MovieTweetings, 2 others)"),
    "hidden_units": (int, "AttRec: d of U, V, X and W (paper: 100; code default 150)"),
    "dropout_rate": (float, "AttRec: dropout on the self-attention's ReLU layer (code: 0; paper "
                            "tunes 0/0.3/0.5/0.7)"),
    "l2_emb": (float, "AttRec: l2*sum(w^2)/2 on U, V, X (code: 0.001; 0 with --norm_clip)"),
    "paper_literal": (bool, "AttRec: every code-vs-paper option below at its paper-text value "
                            "unless given explicitly"),
    # AttRec's own.
    "target_len": (int, "AttRec T: targets and negatives per training window (paper: 3 on "
                        "MovieLens, 1 elsewhere)"),
    "omega": (float, "AttRec omega: weight of the long-term distance |U_u - V_j|^2 (code: 0.2; "
                     "0 = short-term only, 1 = long-term only; paper tunes 0..1)"),
    "margin": (float, "AttRec hinge-loss margin gamma (0.5)"),
    "l2_attention": (float, "AttRec: l2*sum(W^2)/2 on the shared Q/K matrix W (code: 0.01)"),
    "norm_clip": (bool, "AttRec: project every row of U, V, X into the unit ball after each "
                        "update (paper: sparse datasets; the code never runs it)"),
    "aggregation": (str, "AttRec: 'mean' (default), 'sum', 'max' or 'min' over the attended "
                         "rows (Table 4)"),
    "self_attention": (bool, "AttRec: False = Table 3 'w/o Self-Att' (m = mean of the inputs)"),
    "diagonal_mask": (str, "AttRec: 'after' the softmax (code) or 'before' it (paper)"),
    "time_signal": (str, "AttRec: sinusoid layout 'concat' (code, tensor2tensor), "
                         "'interleave' (paper Eq. 7-8) or 'none'"),
    "hinge_pairs": (str, "AttRec: 'elementwise' k-th positive vs k-th negative (code) or 'all' "
                         "T x T pairs (paper Eq. 11)"),
    "negatives": (str, "AttRec: negatives avoid the window's 'targets' (code) or the user's "
                       "training 'history' (paper text)"),
    "holdout_validation": (bool, "AttRec: True = train S[:-2], validate on S[-2] (paper); False "
                                 "= train S[:-1], no validation, select on test (code)"),
    "select_metric": (str, "validation metric that picks the best epoch (AttRec: HR@50)"),
    "initial_accumulator": (float, "Adagrad initial accumulator (AttRec code: 0.05; TF1 / "
                                   "trainer default 0.1)"),
}
