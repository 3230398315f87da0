"""Hyper-parameters of the baselines of SASRec Table III, SSE-PT Table 1 and AttRec Table 2.

Where the values come from (SPEC §7; models in ``sasrec_tf.models.baselines``):
  * SASRec §IV-C: BPR, FMC, FPMC and TransRec were implemented by the SASRec authors in
    TensorFlow with Adam; d in {10, 20, 30, 40, 50} and l2 in {1e-4, 1e-3, 1e-2, 0.1, 1} tuned on
    validation; training stopped after 20 epochs without a validation gain. The chosen values are
    not printed: the defaults below (d = 50, the largest of the grid and SASRec's own d; l2 =
    1e-3) are placeholders for ``experiments/sweep.py``'s choice. Adam keeps TF1's defaults
    (beta_2 0.999, epsilon 1e-8); the batch size (128, as SASRec) is unspecified.
  * GRU4Rec, GRU4Rec+, Caser (SASRec) and STAMP, HGN (SSE-PT) ran the authors' code with "all
    other hyper-parameters ... suggested by the methods' authors", d restricted to <= 50:
    GRU4Rec = the ICLR 2016 RSC15 setting of the authors' example script (TOP1, tanh output,
    batch 50, dropout 0.5, Adagrad lr 0.01); GRU4Rec+ = the CIKM 2018 BPR-max setting (elu-0.5
    output, batch 32, no dropout, Adagrad lr 0.2 with the code's heavy-ball momentum 0.3, 2048
    extra uniform negatives, bpreg 1; hidasib/GRU4Rec examples/rsc15/run_rsc15.py); Caser =
    its code's defaults (L 5, T 3, nv 4, nh 16, dropout 0.5, l2 1e-6, lr 1e-3, batch 512, 3
    negatives per target); HGN = its code's defaults (L 5, T 3, l2 1e-3, lr 1e-3, batch 4096,
    3 negatives); STAMP = its code
    (uestcnlp/STAMP ``config/nn_param.conf`` [stamp_rsc] and ``cmain.py``: Adam lr 0.003,
    batch 512, 10 epochs, embeddings N(0, 0.002^2), weights N(0, 0.05^2); full softmax; the
    code's gradient clipping at norm 150 is not applied [its optimizer file is not public in
    the copy we read]), evaluated after every epoch and selected on validation (the code keeps
    its best test epoch).
  * Every SASRec-table baseline uses the SASRec stopping rule ("terminate training if
    validation performance doesn't improve for 20 epochs"): evaluate every 5 epochs and stop
    after 4 evaluations (20 epochs) without a better validation NDCG@10, at most 200 epochs.
    GRU4Rec+ evaluates every epoch and stops after 20 (the rule read literally): with the
    code's lr 0.2 its validation NDCG@10 peaks within the first 5 epochs on Games and falls
    after, so the 5-epoch grid missed the peak (0.4161 at epoch 5, falling from there, in the
    run without momentum). An evaluation costs a few seconds against about a minute of training.
    The train step is XLA-compiled (``jit_compile``; a speed choice, not a paper setting),
    except Caser's, which XLA slows down on CPU.
  * AttRec Table 2 (``is_attrec_dataset``): "the number of latent dimensions d of ...
    all other baselines is set to 100", hyper-parameters grid-searched on validation (values not
    printed); AttRec's data, full-ranking evaluation over all users, selection by HR@50.
    HRM / PRME / LSTM+ are registered for it.
    LSTM+ is AttRec with an LSTM: AttRec's Adagrad lr 0.05, batch 1000, L / T per dataset
    (L 5 / T 3 on MovieLens, 3 / 1 on MovieTweetings, 2 / 1 otherwise), omega 0.2, margin 0.5.
"""

from __future__ import annotations

from typing import Callable, Dict

# Datasets of the SASRec / SSE-PT comparison and their evaluation window of the sequence models
# (SASRec's n: 200 on ML-1M, 50 elsewhere).
SASREC_WINDOW = {"beauty": 50, "games": 50, "steam": 50, "ml-1m": 200, "ml-10m": 200}

# AttRec Table 2: d = 100 for every baseline, AttRec's data and protocol (full ranking over the
# items outside the user's history, every user, epoch chosen by validation HR@50 as AttRec's).
# "ml-1m" means SASRec's ML-1M here; AttRec's raw ML-1M rows pass data_protocol="attrec".
ATTREC_DIM = 100
ATTREC_SETTINGS = dict(data_protocol="attrec", eval_protocol="full", eval_exclusion="seen",
                       eval_max_users=None, select_metric="HR@50")


def is_attrec_dataset(dataset: str) -> bool:
  """An AttRec Table 2 dataset (AttRec name or registry name) that is not a SASRec dataset."""
  if dataset in SASREC_WINDOW:
    return False
  from sasrec_tf.configs import attrec  # pylint: disable=import-outside-toplevel
  try:
    attrec.dataset_group(dataset)
  except ValueError:
    return False
  return True


def attrec_windows(dataset: str):
  """AttRec's (L, T): 5 / 3 on MovieLens, 3 / 1 on MovieTweetings, 2 / 1 otherwise."""
  from sasrec_tf.configs import attrec  # pylint: disable=import-outside-toplevel
  group = attrec.paper_defaults(dataset)
  return group["max_len"], group["target_len"]


# SASRec's early-stopping rule for its baselines, and the grid of its tuned baselines.
EARLY_STOP = dict(num_epochs=200, eval_every=5, patience=4)
# XLA-compiled train step: about 2x faster on CPU for these small models (same results up to
# float rounding).
XLA = dict(jit_compile=True)
SASREC_GRID = {"hidden_units": (10, 20, 30, 40, 50), "l2_emb": (1e-4, 1e-3, 1e-2, 0.1, 1.0)}

TF_ADAM = dict(optimizer="adam", learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8)

FIRST_ORDER = dict(hidden_units=50, l2_emb=1e-3, max_len=1, batch_size=128, **TF_ADAM,
                   **EARLY_STOP)

# Theano's Adagrad (the code's): accumulator from 0, epsilon 1e-6.
GRU4REC = dict(hidden_units=50, batch_size=50, dropout_rate=0.5, gru_loss="top1",
               gru_final_act="tanh", gru_bpreg=1.0, gru_n_sample=0, gru_sample_alpha=0.0,
               optimizer="adagrad", learning_rate=0.01, epsilon=1e-6, initial_accumulator=0.0,
               **EARLY_STOP)
GRU4REC_PLUS = dict(GRU4REC, batch_size=32, dropout_rate=0.0, gru_loss="bpr-max",
                    gru_final_act="elu-0.5", gru_n_sample=2048, gru_sample_alpha=0.0,
                    learning_rate=0.2, momentum=0.3, eval_every=1, patience=20)

CASER = dict(max_len=5, target_len=3, train_negatives=9, hidden_units=50, caser_nv=4,
             caser_nh=16, dropout_rate=0.5, l2_emb=1e-6, batch_size=512, **TF_ADAM,
             **EARLY_STOP, jit_compile=False)  # XLA makes Caser's step slower on CPU (measured)
HGN = dict(max_len=5, target_len=3, train_negatives=3, hidden_units=50, l2_emb=1e-3,
           batch_size=4096, **TF_ADAM, **EARLY_STOP)
STAMP = dict(hidden_units=50, l2_emb=0.0, batch_size=512, **dict(TF_ADAM, learning_rate=0.003),
             num_epochs=10, eval_every=1, patience=None, stamp_form="code")
HRM = dict(FIRST_ORDER, train_negatives=1)
PRME = dict(FIRST_ORDER, prme_alpha=0.2)
LSTM = dict(hidden_units=ATTREC_DIM, l2_emb=1e-3, lstm_omega=0.2, lstm_margin=0.5,
            batch_size=1000, optimizer="adagrad", learning_rate=0.05, epsilon=1e-8,
            initial_accumulator=0.05, **EARLY_STOP)


def _check(dataset: str):
  if dataset not in SASREC_WINDOW and not is_attrec_dataset(dataset):
    raise ValueError(f"no baseline settings for dataset {dataset!r}; known: the SASRec datasets "
                     f"{sorted(SASREC_WINDOW)} and AttRec's (configs.attrec.dataset_group)")


def _attrec(dataset: str, settings: dict) -> dict:
  """AttRec Table 2 variant of ``settings``: d = 100, AttRec's data and protocol."""
  base = {"data_protocol": "leave_one_out", "select_metric": "NDCG@10", **settings}
  if not is_attrec_dataset(dataset):
    return base
  return {**base, "hidden_units": ATTREC_DIM, **ATTREC_SETTINGS}


def _fixed(base: dict) -> Callable[[str], dict]:
  def defaults(dataset: str) -> dict:
    _check(dataset)
    return _attrec(dataset, {**XLA, **base})
  return defaults


def _windowed(base: dict) -> Callable[[str], dict]:
  """Models that read a long window at inference (GRU4Rec, STAMP): max_len = SASRec's n."""
  def defaults(dataset: str) -> dict:
    _check(dataset)
    return _attrec(dataset, {**XLA, **base, "max_len": SASREC_WINDOW.get(dataset, 200)})
  return defaults


def _lstm(dataset: str) -> dict:
  _check(dataset)
  length, targets = attrec_windows(dataset) if is_attrec_dataset(dataset) else (5, 3)
  return _attrec(dataset, {**XLA, **LSTM, "max_len": length, "target_len": targets,
                           "train_negatives": targets})


MODEL_DEFAULTS: Dict[str, Callable[[str], dict]] = {
    "bpr": _fixed(FIRST_ORDER),
    "fmc": _fixed(FIRST_ORDER),
    "fpmc": _fixed(FIRST_ORDER),
    "transrec": _fixed(FIRST_ORDER),
    "hrm": _fixed(HRM),
    "prme": _fixed(PRME),
    "gru4rec": _windowed(GRU4REC),
    "gru4rec_plus": _windowed(GRU4REC_PLUS),
    "caser": _fixed(CASER),
    "hgn": _fixed(HGN),
    "stamp": _windowed(STAMP),
    "lstm": _lstm,
}

# Model flags of the baselines (shared ones such as hidden_units, l2_emb, max_len, dropout_rate,
# batch_size and learning_rate are defined by configs.sasrec / configs.flags with the same
# meaning: for the baselines max_len is the input window (L of Caser / HGN / LSTM+, 1 for the
# first-order models) and l2_emb the l2 strength of the model's regulariser).
FLAGS = {
    "target_len": (int, "T: targets per training window (Caser, HGN: 3; LSTM+: AttRec's T)"),
    "train_negatives": (int, "sampled negatives per training instance (Caser: 3 x T; HGN, "
                             "LSTM+: T; HRM: per positive)"),
    "caser_nv": (int, "Caser vertical filters (4)"),
    "caser_nh": (int, "Caser horizontal filters per height (16)"),
    "gru_loss": (str, "GRU4Rec loss: top1 (GRU4Rec), bpr, top1-max, bpr-max (GRU4Rec+), "
                      "cross-entropy"),
    "gru_final_act": (str, "GRU4Rec final activation: linear, tanh, relu, elu-X, leaky-X"),
    "gru_bpreg": (float, "GRU4Rec+ BPR-max score regularisation (1.0)"),
    "gru_n_sample": (int, "GRU4Rec+ extra negatives shared by a mini-batch (2048; 0 = GRU4Rec)"),
    "gru_sample_alpha": (float, "extra negatives ~ support^alpha (0 = uniform, 1 = popularity)"),
    "stamp_form": (str, "STAMP: 'code' (the authors' TF code: max_norm-1 lookups, m_a + m_s, no "
                        "biases) or 'paper' (the paper's equations with biases)"),
    "prme_alpha": (float, "PRME weight of the user-item distance (0.2)"),
    "lstm_omega": (float, "LSTM+ (AttRec) weight omega of the long-term distance (0.2)"),
    "lstm_margin": (float, "LSTM+ (AttRec) hinge margin (0.5)"),
    "data_protocol": (str, "baselines' data: 'leave_one_out' (SASRec's split of the registered "
                           "dataset) or 'attrec' (AttRec's preprocessing and split)"),
}
