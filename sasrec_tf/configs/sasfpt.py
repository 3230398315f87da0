"""TiSASRec, TiSASRec+, TiSASRec++ and SAS-FPT settings (SPEC §5; SAS-FPT Table 1), in one place.

TiSASRec's values are its original code's defaults (its README trains ML-1M with them): n = 50,
d = 50, b = 2, h = 1, dropout 0.2, l2_emb 5e-5, k = 256, Adam lr 1e-3 / beta2 0.98, batch 128,
201 epochs, evaluation every 20 epochs with TiSASRec's negative rule (train + valid + test items
excluded). SAS-FPT prints only item width 50, user width 25, group-loss weight 0.01 and 52 week
buckets; everything else follows the recommendations of SPEC §5.2-5.3 (listed in ``CHOICES``).
The settings do not depend on the dataset: the time-aware models have no per-dataset values.
"""

from __future__ import annotations

# TiSASRec code defaults (SPEC §5.1).
TISASREC = dict(
    max_len=50, hidden_units=50, num_blocks=2, num_heads=1, dropout_rate=0.2, l2_emb=5e-5,
    time_span=256, week_embedding=False, week_units=25, target_week="target", user_units=0,
    batch_size=128, learning_rate=1e-3, num_epochs=201, eval_every=20,
    eval_exclusion="tisasrec",
    # Evaluation batches hold [B, n, n, D] interval vectors: 128 users keep them ~64 MB.
    eval_batch_size=128,
    # Data side: personalized intervals with the code's rounding; the dataset's own files.
    data_source=None, personalized_intervals=True, interval_unit=86400,
    interval_rounding="code")

# TiSASRec+ (SPEC §5.2): a larger interval vocabulary. The paper gives no value; 2048 is the one
# reported by a TiSASRec.pytorch user (SPEC §5.2 suggests a sweep over 512 / 1024 / 2048).
PLUS_TIME_SPAN = 2048
TISASREC_PLUS = {**TISASREC, "time_span": PLUS_TIME_SPAN}
# TiSASRec++: TiSASRec+ + the week-of-year embedding (width 25, SPEC §5.3 recommendation).
TISASREC_PP = {**TISASREC_PLUS, "week_embedding": True}
# SAS-FPT: TiSASRec++ + user embedding (Table 1: 25) + group-wise cosine loss (Table 1: 0.01).
SASFPT = {**TISASREC_PP, "user_units": 25, "group_loss_weight": 0.01, "group_margin": 0.0,
          "group_pairs": 128, "group_by": "age"}

# Every value above that neither paper nor code fixes, with where it comes from.
CHOICES = {
    "time_span (TiSASRec+, ++, SAS-FPT)": f"{PLUS_TIME_SPAN}: 'additional dimensions in the "
                                         "embedding lookup table' read as a larger k (SPEC §5.2)",
    "week_units": "25, unscaled at the input (SPEC §5.3)",
    "week rule": "UTC, min(ceil(day_of_year / 7), 52): days 358-366 are week 52",
    "target_week": "candidate vector [M_l ; W[week of the target interaction] ; sqrt(d_u) U_u]",
    "user scaling": "sqrt(d_u) at input and output (SSE-PT convention)",
    "group_by": "'age' (ML-1M's 7 age buckets; ML-100K ages bucketed the same way)",
    "group_pairs": "128 positive + 128 negative pairs per batch, uniform over users",
    "group_margin": "0.0 (PyTorch CosineEmbeddingLoss default)",
    "group reduction": "mean over all pairs (CosineEmbeddingLoss' default)",
    "l2_emb on week / user tables": "same l2_emb as the other tables",
    "training": "TiSASRec's code defaults (optimizer, lr, epochs, n, dropout, l2)",
}


def _fixed(settings):
  return lambda dataset: dict(settings)


MODEL_DEFAULTS = {
    "tisasrec": _fixed(TISASREC),
    "tisasrec_plus": _fixed(TISASREC_PLUS),
    "tisasrec_pp": _fixed(TISASREC_PP),
    "sasfpt": _fixed(SASFPT),
}

FLAGS = {
    "time_span": (int, "TiSASRec family: clip k of the relative intervals (code: 256; "
                       f"TiSASRec+ / ++ / SAS-FPT here: {PLUS_TIME_SPAN})"),
    "personalized_intervals": (bool, "TiSASRec family: divide intervals by the user's smallest "
                                     "non-zero gap (code and papers: True); False: by "
                                     "--interval_unit seconds"),
    "interval_unit": (int, "TiSASRec family: seconds per interval unit when "
                           "--nopersonalized_intervals (86400 = days)"),
    "interval_rounding": (str, "TiSASRec family: 'code' = round((t - t_min)/r_u) per timestamp, "
                               "then |difference| (original code); 'paper' = "
                               "floor(|t_i - t_j| / r_u) (TiSASRec paper)"),
    "week_embedding": (bool, "TiSASRec++ / SAS-FPT: concatenate a 52-bucket UTC week-of-year "
                             "embedding to every input slot"),
    "week_units": (int, "TiSASRec++ / SAS-FPT: width of the week embedding (25, unspecified)"),
    "target_week": (str, "TiSASRec++ / SAS-FPT: candidate week part 'target' (week of the "
                         "target interaction) or 'zeros'"),
    "user_units": (int, "user embedding size d_u (SSE-PT: 50; SAS-FPT: 25; 0 = none)"),
    "group_loss_weight": (float, "SAS-FPT: weight of the group-wise cosine loss (paper: 0.01)"),
    "group_margin": (float, "SAS-FPT: margin of dissimilar user pairs, max(0, cos - margin) "
                            "(unspecified; 0.0)"),
    "group_pairs": (int, "SAS-FPT: positive (and as many negative) user pairs per batch (128)"),
    "group_by": (str, "SAS-FPT: users are a positive pair when they share 'age' (default), "
                      "'gender', 'occupation' (users.dat / u.user) or 'activity' (training-"
                      "length quintile)"),
    "data_source": (str, "time-aware models: '<dataset>[:<variant>]' to load instead of "
                         "--dataset, e.g. ml-1m-raw:tisasrec-cold-start (SAS-FPT Table 3)"),
}
