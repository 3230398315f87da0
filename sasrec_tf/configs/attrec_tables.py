"""Rows of AttRec's Tables 2-5 and Figures 4-5 (Zhang et al.): what each row trains and what it
is compared with. Every row's hyper-parameters are ``configs.attrec`` defaults plus the row's
overrides; scripts in ``experiments/attrec/`` only select rows.

Datasets are named as the paper prints them (``ml-1m``, ``garden``...); ``data.attrec_data``
maps them to the registry's files (``ml-1m-raw``, ``amazon-garden``...).
"""

from __future__ import annotations

import dataclasses
from typing import Collection, Dict, Optional, Tuple

from sasrec_tf.configs import attrec as attrec_config
from sasrec_tf.configs.tables import Method, TableConfig, _method_rows, implemented_models
from sasrec_tf.data.attrec_data import ATTREC_DATASETS
from sasrec_tf.reporting.table_runner import RowSpec

PAPER = "AttRec"
# Table 2 column order = Table 1 row order.
TABLE2_DATASETS = tuple(ATTREC_DATASETS)
# Datasets of Tables 3-5 (and, assumed, of Figure 4: "four datasets", not named).
ANALYSIS_DATASETS = ("ml-100k", "ml-1m", "garden", "digital-music")
# Figure 5: "Movielens 100K and Amazon Garden".
FIGURE5_DATASETS = ("ml-100k", "garden")
METRICS = ("HR@50", "MRR")

# Sweeps. omega: the paper's tuning grid (Figure 4a). L and d: the figures print no grid; these
# values are our choice (L = 1 makes the code's diagonal mask remove every attention weight).
FIGURE4_OMEGAS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
FIGURE4_LENGTHS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
FIGURE5_DIMS = (10, 20, 50, 100, 150, 200)

# Table 4 rows: label -> (aggregation, reported variant).
AGGREGATIONS = {"Mean": "mean", "Sum": "sum", "Max": "max", "Min": "min"}

# Seconds-per-epoch rows train this many epochs (the median epoch time is reported).
TIMING_EPOCHS = 5

_BASELINE = "AttRec baseline, SPEC §7 (another engineer's issue)"

TABLE2_METHODS = (
    Method("BPRMF", "BPR", "bpr", _BASELINE),
    Method("MC", "FMC", "fmc", _BASELINE),
    Method("FPMC", "FPMC", "fpmc", _BASELINE),
    Method("HRM", "HRM", "hrm", _BASELINE),
    Method("PRME", "PRME", "prme", _BASELINE),
    Method("TransRec", "TransRec", "transrec", _BASELINE),
    Method("Caser", "Caser", "caser", _BASELINE),
    Method("LSTM+", "LSTM+", "lstm", _BASELINE),
    Method("AttRec", "AttRec", "attrec"),
)

_DATA_NOTE = ("Data present in this workplace: ML-100K only (ML-1M needs the full ratings.dat; the "
              "Amazon, HetRec, LastFM and MovieTweetings files are absent): other columns show "
              "'dataset not available'.")
_PROTOCOL_NOTE = ("Protocol (SPEC §6.5): train on all but the last two items, select the epoch "
                  "by validation HR@50 (second most recent item), test on the most recent item "
                  "ranked against every item not in the user's history, all users.")


def _defaults_text() -> str:
  c, ml, sp, mt = (attrec_config.COMMON, attrec_config.MOVIELENS, attrec_config.SPARSE,
                   attrec_config.MOVIETWEETINGS)
  return (f"AttRec defaults (configs/attrec.py): d={c['hidden_units']}, omega={c['omega']} "
          f"(code), margin {c['margin']}, Adagrad lr {c['learning_rate']}, batch "
          f"{c['batch_size']}; MovieLens L={ml['max_len']}, T={ml['target_len']}, l2 "
          f"{ml['l2_emb']} on U/V/X and {c['l2_attention']} on W, {ml['num_epochs']} epochs; "
          f"MovieTweetings L={mt['max_len']}, others L={sp['max_len']}, T={sp['target_len']}, "
          f"norm clipping, {sp['num_epochs']} epochs. The paper tuned omega, l2 and dropout per "
          "dataset and does not print them.")


def baseline_ml1m_overrides() -> Dict[str, object]:
  """Settings that put a baseline on AttRec's ML-1M (raw ratings, full ranking, d = 100).

  The baselines' defaults (``configs.baselines``) apply AttRec's protocol on every AttRec dataset
  name except ``ml-1m``, which they read as SASRec's ML-1M.
  """
  from sasrec_tf.configs import baselines  # pylint: disable=import-outside-toplevel
  return {**baselines.ATTREC_SETTINGS, "hidden_units": baselines.ATTREC_DIM}


def attrec_table2(implemented: Optional[Collection[str]] = None) -> TableConfig:
  """AttRec Table 2: 9 methods x 12 datasets, HR@50 and MRR (full ranking).

  Args:
    implemented: model names that can run (default: ``implemented_models()``); the other rows
      get a "not implemented yet" status.
  """
  implemented = implemented_models() if implemented is None else tuple(implemented)
  rows, _ = _method_rows(TABLE2_METHODS, PAPER, "2", TABLE2_DATASETS, METRICS, implemented)
  # "ml-1m" is SASRec's preprocessed file for the baselines unless told otherwise; AttRec's ML-1M
  # is the raw ratings.dat (3,706 items) under AttRec's protocol.
  rows = tuple(dataclasses.replace(r, overrides=baseline_ml1m_overrides())
               if r.dataset == "ml-1m" and r.model != "attrec" else r for r in rows)
  return TableConfig(
      name="attrec_table2", title="AttRec Table 2: HR@50 and MRR, full ranking",
      rows=rows, default_seeds=(0, 1, 2),
      notes=(_defaults_text(), _PROTOCOL_NOTE, _DATA_NOTE,
             "MC is the FMC baseline (SPEC §6.6 item 9)."),
      comparisons=tuple(("AttRec", m.label) for m in TABLE2_METHODS if m.label != "AttRec"))


def attrec_table3() -> TableConfig:
  """AttRec Table 3: HR@50 with and without the self-attention module."""
  rows = tuple(
      RowSpec(label=label, paper=PAPER, table="3", dataset=dataset, model="attrec",
              overrides=overrides, metrics=("HR@50",), reported_method="AttRec",
              reported_variant=label)
      for dataset in ANALYSIS_DATASETS
      for label, overrides in (("w/ Self-Att", {}), ("w/o Self-Att", {"self_attention": False})))
  return TableConfig(
      name="attrec_table3", title="AttRec Table 3: HR@50 with and without self-attention",
      rows=rows, default_seeds=(0, 1, 2),
      notes=("'w/o Self-Att' replaces m_t^u by the mean of the L input embeddings (SPEC §6.2 "
             "step 6).", _defaults_text(), _DATA_NOTE),
      comparisons=(("w/ Self-Att", "w/o Self-Att"),))


def attrec_table4() -> TableConfig:
  """AttRec Table 4: HR@50 with mean / sum / max / min aggregation of the attended rows."""
  rows = tuple(
      RowSpec(label=label, paper=PAPER, table="4", dataset=dataset, model="attrec",
              overrides={"aggregation": how}, metrics=("HR@50",), reported_method="AttRec",
              reported_variant=f"aggregation={how}")
      for dataset in ANALYSIS_DATASETS for label, how in AGGREGATIONS.items())
  return TableConfig(
      name="attrec_table4", title="AttRec Table 4: HR@50 by aggregation method",
      rows=rows, default_seeds=(0, 1, 2), notes=(_defaults_text(), _DATA_NOTE),
      comparisons=tuple(("Mean", label) for label in AGGREGATIONS if label != "Mean"))


def attrec_table5(implemented: Optional[Collection[str]] = None) -> TableConfig:
  """AttRec Table 5: training seconds per epoch of AttRec and Caser (batch 1000).

  Each run trains ``TIMING_EPOCHS`` epochs; the median epoch (training only, no evaluation) is
  reported.
  """
  implemented = implemented_models() if implemented is None else tuple(implemented)
  overrides = {"num_epochs": TIMING_EPOCHS, "eval_every": TIMING_EPOCHS, "batch_size": 1000}
  rows = []
  for dataset in ANALYSIS_DATASETS:
    for label, model in (("AttRec", "attrec"), ("Caser", "caser")):
      reason = None if model in implemented else (
          f"not implemented yet: model {model!r} ({_BASELINE})")
      extra = baseline_ml1m_overrides() if dataset == "ml-1m" and model != "attrec" else {}
      rows.append(RowSpec(label=label, paper=PAPER, table="5", dataset=dataset, model=model,
                          overrides={**overrides, **extra},
                          metrics=("runtime_seconds_per_epoch",),
                          reported_method=label, unavailable_reason=reason))
  return TableConfig(
      name="attrec_table5", title="AttRec Table 5: seconds per epoch (batch 1000)",
      rows=tuple(rows), default_seeds=(0,),
      notes=("Hardware-specific: the paper's seconds are from a NVIDIA TITAN X Pascal, ours from "
             "the machine named under Provenance; compare AttRec with Caser on the same machine, "
             "not with the paper. The tolerance column means nothing here.",
             f"Median of {TIMING_EPOCHS} epochs' training time (the first epoch includes "
             "tracing); evaluation excluded.", _DATA_NOTE),
      comparisons=(("AttRec", "Caser"),))


def _sweep_rows(parameter: str, values, datasets, default_of, figure: str,
                label_fmt: str) -> Tuple[RowSpec, ...]:
  rows = []
  for dataset in datasets:
    default = default_of(dataset)
    for value in values:
      printed = default is not None and value == default
      rows.append(RowSpec(
          label=label_fmt.format(value), paper=PAPER, table="2" if printed else figure,
          dataset=dataset, model="attrec", overrides={parameter: value}, metrics=("HR@50",),
          reported_method="AttRec" if printed else None))
  return tuple(rows)


def attrec_figure4() -> TableConfig:
  """AttRec Figure 4: HR@50 against omega (4a) and against L (4b), four datasets."""
  omega_rows = _sweep_rows("omega", FIGURE4_OMEGAS, ANALYSIS_DATASETS, lambda d: None,
                           "Fig. 4a", "omega={:g}")
  length_rows = _sweep_rows(
      "max_len", FIGURE4_LENGTHS, ANALYSIS_DATASETS,
      lambda d: attrec_config.paper_defaults(d)["max_len"], "Fig. 4b", "L={}")
  return TableConfig(
      name="attrec_figure4", title="AttRec Figure 4: HR@50 vs omega (a) and vs L (b)",
      description="AttRec with one setting changed from the dataset default: omega in "
                  f"{list(FIGURE4_OMEGAS)} (a), L in {list(FIGURE4_LENGTHS)} (b).",
      rows=omega_rows + length_rows, default_seeds=(0,),
      notes=("Figure 4 prints no numbers. The points at the default L are compared with Table 2 "
             "(whose omega the paper tuned and does not print; ours is 0.2).",
             "The figure does not name its four datasets nor its L grid: we use the datasets of "
             "Tables 3-5 and L = 1..10. --only=L=1 also selects L=10.",
             "Users with fewer than L + T training items give one left-padded window.",
             _DATA_NOTE))


def attrec_figure5() -> TableConfig:
  """AttRec Figure 5: HR@50 against d on ML-100K and Garden."""
  rows = _sweep_rows("hidden_units", FIGURE5_DIMS, FIGURE5_DATASETS,
                     lambda d: attrec_config.COMMON["hidden_units"], "Fig. 5", "d={}")
  return TableConfig(
      name="attrec_figure5", title="AttRec Figure 5: HR@50 vs latent dimension d",
      description=f"AttRec with d in {list(FIGURE5_DIMS)}, other settings at the dataset "
                  "defaults.",
      rows=rows, default_seeds=(0,),
      notes=("Figure 5 prints no numbers; the d=100 points are compared with Table 2. The d grid "
             "is our choice (the figure's axis values are not in the text).", _DATA_NOTE))
