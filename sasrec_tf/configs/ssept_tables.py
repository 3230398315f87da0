"""Rows of SSE-PT Tables 2, 3, 5-10 (Table 1 is ``tables.ssept_table1``); SPEC §4.6-4.8.

Settings not printed by the paper are marked [unspecified] in the row notes; every choice sits here
once. The base of every ML-1M row is ``configs.ssept`` (d_u=50, d_i=100, T=200, dropout 0.2,
p_u=0.92, item 0.1 coupled = Table 5's p_i=p_y=0.1). "SSE item 0.01" (Tables 6-8 captions) is the
coupled item knob at 0.01.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from sasrec_tf.configs import ssept
from sasrec_tf.configs.tables import TableConfig
from sasrec_tf.reporting.table_runner import RowSpec

PAPER = "SSE-PT"
NO_SSE = dict(ssept.NO_SSE)
ITEM_001 = dict(sse_item=0.01, sse_target=0.0, sse_mode="coupled")
# Table 3 regularisation strengths: not printed [unspecified]; chosen here.
TABLE3_L2 = 1e-4
TABLE3_DROPOUT = 0.2
# SASRec rows of the ML-1M tables: SASRec settings with d = d_i and dropout 0.2.
SASREC_ML1M = dict(max_len=200, dropout_rate=0.2)

_COST = ("Cost on the 2-core CPU: an SSE-PT ML-1M run (T=200, d_u+d_i=150) takes about 6 h per 200 "
         "epochs, and the released code's default is 2001 epochs; use --num_epochs and a GPU "
         "(reference/TABLES.md). Rows are independent: --only picks some.")


def _ssept_row(label, table, dataset, overrides, reported_method="SSE-PT", where=None,
               model="ssept", metrics=("NDCG@10", "HR@10"), variant=None,
               reason=None) -> RowSpec:
  return RowSpec(label=label, paper=PAPER, table=table, dataset=dataset, model=model,
                 overrides=overrides, metrics=metrics, reported_method=reported_method,
                 reported_variant=variant, reported_where=where or {},
                 unavailable_reason=reason)


def _sasrec_row(label, table, dataset, overrides, where=None, metrics=("NDCG@10", "HR@10"),
                variant=None) -> RowSpec:
  return RowSpec(label=label, paper=PAPER, table=table, dataset=dataset, model="sasrec",
                 overrides=overrides, metrics=metrics, reported_method="SASRec",
                 reported_variant=variant, reported_where=where or {})


def ssept_table2() -> TableConfig:
  """Table 2: SASRec vs SSE-PT vs SSE-PT++ on ML-1M for (T, d_u, d_i)."""
  rows: List[RowSpec] = []
  for t, di in ((100, 100), (200, 50), (200, 100)):
    rows.append(_sasrec_row(f"SASRec T={t} d={di}", "2", "ml-1m",
                            {**SASREC_ML1M, "max_len": t, "hidden_units": di},
                            where={"maxlen": t, "di": di}))
  for model, name in (("ssept", "SSE-PT"), ("ssept_pp", "SSE-PT++")):
    for t, du, di in ((100, 50, 100), (200, 50, 50), (200, 50, 100)):
      over: Dict[str, Any] = {"max_len": t, "user_units": du, "item_units": di}
      if t == 100:
        over.update(ITEM_001)  # the T=100 rows equal Table 8's (item SSE 0.01)
      rows.append(_ssept_row(f"{name} T={t} du={du} di={di}", "2", "ml-1m", over,
                             reported_method=name, model=model,
                             where={"maxlen": t, "du": du, "di": di}))
  notes = ("SSE probabilities per row are not printed [unspecified]: p_u=0.92 everywhere; item "
           "SSE 0.1 (coupled) except the T=100 rows (0.01, as Table 8, whose rows they equal); "
           "p_s=0.3 for SSE-PT++.", _COST)
  return TableConfig(name="ssept_table2",
                     title="SSE-PT Table 2: ML-1M, SASRec vs SSE-PT vs SSE-PT++ by T, d_u, d_i",
                     rows=tuple(rows), default_seeds=(0,), notes=notes,
                     comparisons=(("SSE-PT T=100 du=50 di=100", "SASRec T=100 d=100"),
                                  ("SSE-PT++ T=100 du=50 di=100", "SSE-PT T=100 du=50 di=100"),
                                  ("SSE-PT T=200 du=50 di=100", "SASRec T=200 d=100"),
                                  ("SSE-PT++ T=200 du=50 di=100", "SSE-PT T=200 du=50 di=100")))


# Table 3 variant label -> overrides on top of the ML-1M SSE-PT defaults.
TABLE3_VARIANTS: Tuple[Tuple[str, str, Mapping[str, Any]], ...] = (
    ("NO REG (BASELINE)", "ssept", dict(NO_SSE, l2_emb=0.0, dropout_rate=0.0)),
    ("PS", "ssept", dict(NO_SSE, l2_emb=0.0, dropout_rate=0.0, user_sharing="all")),
    ("PS (JOB)", "ssept", dict(NO_SSE, l2_emb=0.0, dropout_rate=0.0, user_sharing="occupation")),
    ("PS (GENDER)", "ssept", dict(NO_SSE, l2_emb=0.0, dropout_rate=0.0, user_sharing="gender")),
    ("PS (AGE)", "ssept", dict(NO_SSE, l2_emb=0.0, dropout_rate=0.0, user_sharing="age")),
    ("l2", "ssept", dict(NO_SSE, l2_emb=TABLE3_L2, dropout_rate=0.0)),
    ("DROPOUT", "ssept", dict(NO_SSE, l2_emb=0.0, dropout_rate=TABLE3_DROPOUT)),
    ("l2 + DROPOUT", "ssept", dict(NO_SSE, l2_emb=TABLE3_L2, dropout_rate=TABLE3_DROPOUT)),
    ("SSE-SE", "ssept", dict(l2_emb=0.0, dropout_rate=0.0)),
    ("l2 + SSE-SE + DROPOUT", "ssept", dict(l2_emb=TABLE3_L2, dropout_rate=TABLE3_DROPOUT)),
    ("SASREC (l2 + DROPOUT)", "sasrec",
     dict(SASREC_ML1M, hidden_units=100, l2_emb=TABLE3_L2, dropout_rate=TABLE3_DROPOUT)),
)


def ssept_table3() -> TableConfig:
  """Table 3: regularisation comparison on ML-1M, NDCG@5 / Recall@5 (= HR@5)."""
  rows = []
  for variant, model, over in TABLE3_VARIANTS:
    method = "SASRec" if model == "sasrec" else "SSE-PT"
    rows.append(RowSpec(label=variant, paper=PAPER, table="3", dataset="ml-1m", model=model,
                        overrides=over, metrics=("NDCG@5", "HR@5"), reported_method=method,
                        reported_variant=variant))
  notes = (
      f"Strengths are not printed [unspecified]: l2 = {TABLE3_L2:g} on every embedding table, "
      f"dropout {TABLE3_DROPOUT:g}, SSE-SE = p_u 0.92 + item 0.1 (Table 1's ML-1M setting); "
      "NO REG and PS rows use no l2, no dropout and no SSE. PS maps every user to one shared "
      "vector; PS (JOB / GENDER / AGE) to one vector per users.dat group (21 / 2 / 7 groups), "
      "through ml-1m/sas-mapping.",
      "The SASRec row uses d=100 (as the SSE-PT item part) with the same l2 and dropout.",
      "Recall@5 is HR@5 here (one held-out item per user).", _COST)
  return TableConfig(name="ssept_table3",
                     title="SSE-PT Table 3: ML-1M, regularisation, NDCG@5 and Recall@5",
                     rows=tuple(rows), default_seeds=(0,), notes=notes,
                     comparisons=(("l2 + SSE-SE + DROPOUT", "NO REG (BASELINE)"),
                                  ("l2 + SSE-SE + DROPOUT", "SASREC (l2 + DROPOUT)")))


# Table 5 rows: (du, di, b, pu, pi, py) of the SSE-PT rows.
TABLE5_SSEPT = ((50, 50, 2, 0.92, 0.1, 0.0), (50, 50, 2, 0.92, 0.0, 0.1),
                (50, 50, 2, 0.0, 0.1, 0.1), (50, 50, 2, 0.92, 0.1, 0.1),
                (75, 25, 2, 0.92, 0.1, 0.1), (25, 75, 2, 0.92, 0.1, 0.1),
                (50, 100, 2, 0.92, 0.1, 0.1))


def _item_sse(pi: float, py: float) -> Dict[str, Any]:
  """p_i = p_y: the released code's coupled knob (SPEC §4.4); else the paper's decoupled mode."""
  if pi == py:
    return dict(sse_item=pi, sse_target=0.0, sse_mode="coupled")
  return dict(sse_item=pi, sse_target=py, sse_mode="decoupled")


def ssept_table5() -> TableConfig:
  """Table 5: component study on ML-1M (C=100, dropout 0.2, lr 1e-3)."""
  rows = []
  for di, b in ((50, 2), (100, 2), (100, 6)):
    rows.append(_sasrec_row(f"SASRec di={di} b={b}", "5", "ml-1m",
                            {**SASREC_ML1M, "hidden_units": di, "num_blocks": b},
                            where={"di": di, "b": b}))
  for du, di, b, pu, pi, py in TABLE5_SSEPT:
    over = dict(user_units=du, item_units=di, num_blocks=b, sse_user=pu, **_item_sse(pi, py))
    rows.append(_ssept_row(f"SSE-PT du={du} di={di} pu={pu:g} pi={pi:g} py={py:g}", "5",
                           "ml-1m", over,
                           where={"du": du, "di": di, "pu": pu, "pi": pi, "py": py}))
  rows.append(_ssept_row("SSE-PT++ du=50 di=100 ps=0.3", "5", "ml-1m",
                         dict(user_units=50, item_units=100), reported_method="SSE-PT++",
                         model="ssept_pp", where={"ps": 0.3}))
  notes = ("T is not printed [unspecified]: 200 (ML-1M default). Rows with p_i = p_y use the "
           "released code's coupled item knob; rows with p_i != p_y the paper's decoupled mode.",
           _COST)
  return TableConfig(name="ssept_table5", title="SSE-PT Table 5: ML-1M component study, NDCG@10",
                     rows=tuple(rows), default_seeds=(0,), notes=notes,
                     comparisons=(("SSE-PT du=50 di=50 pu=0.92 pi=0.1 py=0.1",
                                   "SASRec di=50 b=2"),))


USER_SWEEP = ("PS", 1.0, 0.9, 0.8, 0.6, 0.4, 0.2, 0.0)


def _user_sweep_rows(table: str, dataset: str, values, base: Mapping[str, Any],
                     metrics) -> List[RowSpec]:
  rows = []
  for pu in values:
    over = dict(base)
    if pu == "PS":
      over.update(sse_user=0.0, user_sharing="all")
    else:
      over.update(sse_user=float(pu))
    label = "SSE-PT PS" if pu == "PS" else f"SSE-PT pu={pu:g}"
    rows.append(_ssept_row(label, table, dataset, over, where={"pu": pu}, metrics=metrics))
  return rows


def ssept_table6() -> TableConfig:
  """Table 6: ML-10M, C=500, user-side SSE sweep (needs ML-10M; GPU)."""
  metrics = ("NDCG@10", "HR@10")
  rows = [
      _sasrec_row("SASRec (d garbled)", "6", "ml-10m",
                  {**SASREC_ML1M, "hidden_units": 50, "num_negatives": 500},
                  where={"di": None}, metrics=metrics),
      _sasrec_row("SASRec d=100", "6", "ml-10m",
                  {**SASREC_ML1M, "hidden_units": 100, "num_negatives": 500},
                  where={"di": 100}, metrics=metrics)]
  rows += _user_sweep_rows("6", "ml-10m", ("PS", 0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
                           dict(ITEM_001, num_negatives=500), metrics)
  notes = ("The first SASRec row's d is OCR-garbled in the paper; 50 is run [unspecified].",
           "ML-10M is not in this workplace's data; the rows run where its files are present.",
           "Dropout on ML-10M is not printed [unspecified]: 0.2.", _COST)
  return TableConfig(name="ssept_table6",
                     title="SSE-PT Table 6: ML-10M, user-side SSE probability, C=500",
                     rows=tuple(rows), default_seeds=(0,), notes=notes)


def ssept_table7() -> TableConfig:
  """Table 7: user-side SSE probability sweep on ML-1M (item SSE 0.01)."""
  rows = _user_sweep_rows("7", "ml-1m", USER_SWEEP, ITEM_001, ("NDCG@10", "HR@10"))
  return TableConfig(name="ssept_table7",
                     title="SSE-PT Table 7: ML-1M, user-side SSE probability p_u",
                     rows=tuple(rows), default_seeds=(0,),
                     notes=("d_u=50, d_i=100, b=2, T=200, dropout 0.2, item SSE 0.01; PS = one "
                            "shared user vector, no user SSE.", _COST),
                     comparisons=(("SSE-PT pu=0.9", "SSE-PT pu=0"),))


PS_SWEEP = (1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.0)


def ssept_table8() -> TableConfig:
  """Table 8: SSE-PT++ sampling probability p_s on ML-1M with T=100."""
  base = dict(ITEM_001, max_len=100)
  rows = [_sasrec_row("SASRec T=100", "8", "ml-1m",
                      {**SASREC_ML1M, "max_len": 100, "hidden_units": 100}, where={"di": 100}),
          _ssept_row("SSE-PT T=100", "8", "ml-1m", base, where={"du": 50})]
  for ps in PS_SWEEP:
    rows.append(_ssept_row(f"SSE-PT++ ps={ps:g}", "8", "ml-1m", dict(base, long_seq_prob=ps),
                           reported_method="SSE-PT++", model="ssept_pp", where={"ps": ps}))
  notes = ("As Table 7 but T=100; p_u is not restated [unspecified]: 0.92. p_s = 0 is SSE-PT.",
           _COST)
  return TableConfig(name="ssept_table8",
                     title="SSE-PT Table 8: ML-1M, SSE-PT++ sampling probability p_s (T=100)",
                     rows=tuple(rows), default_seeds=(0,), notes=notes,
                     comparisons=(("SSE-PT++ ps=0.3", "SSE-PT++ ps=0"),))


def ssept_table9() -> TableConfig:
  """Table 9: number of blocks b on ML-1M and ML-10M."""
  rows = []
  for dataset in ("ml-1m", "ml-10m"):
    extra = {"num_negatives": 500} if dataset == "ml-10m" else {}
    rows.append(_sasrec_row("SASRec b=6", "9", dataset,
                            {**SASREC_ML1M, "hidden_units": 100, "num_blocks": 6, **extra},
                            where={"b": 6}))
    for b in range(1, 7):
      rows.append(_ssept_row(f"SSE-PT b={b}", "9", dataset, {"num_blocks": b, **extra},
                             where={"b": b}))
  notes = ("Other settings are 'fixed' but not printed [unspecified]: Table 1's ML-1M SSE-PT "
           "settings (its b=2 number equals Table 5's d_u=50, d_i=100 row); SASRec with d=100.",
           "ML-10M: C=500 as in Table 6 [unspecified]; not in this workplace's data.", _COST)
  return TableConfig(name="ssept_table9", title="SSE-PT Table 9: number of blocks, NDCG@10",
                     rows=tuple(rows), default_seeds=(0,), notes=notes)


NEGATIVE_COUNTS = (500, 1000, 2000)


def ssept_table10() -> TableConfig:
  """Table 10: evaluation with C = 500 / 1000 / 2000 negatives, personalised or not, ML-1M."""
  rows = []
  unpersonalized = {**SASREC_ML1M, "hidden_units": 100, "num_epochs": ssept.COMMON["num_epochs"],
                    "eval_every": ssept.COMMON["eval_every"]}
  for c in NEGATIVE_COUNTS:
    rows.append(RowSpec(label=f"Personalized C={c}", paper=PAPER, table="10", dataset="ml-1m",
                        model="ssept", eval_overrides={"num_negatives": c},
                        reported_method="Personalized", reported_where={"C": c}))
    rows.append(RowSpec(label=f"Un-Personalized C={c}", paper=PAPER, table="10",
                        dataset="ml-1m", model="sse_sasrec", overrides=unpersonalized,
                        eval_overrides={"num_negatives": c},
                        reported_method="Un-Personalized", reported_where={"C": c}))
  notes = ("Personalized = SSE-PT with Table 1's ML-1M settings; Un-Personalized = the same "
           "model without the user embedding: SSE-SASRec with d=100, item SSE 0.1, dropout 0.2, "
           "T=200 and the SSE-PT schedule [unspecified].",
           "Each model is trained once (epoch selected on validation with the usual C=100) and "
           "its best checkpoint is evaluated with C = 500, 1000 and 2000 negatives.", _COST)
  return TableConfig(name="ssept_table10",
                     title="SSE-PT Table 10: ML-1M, C sampled negatives, NDCG@10 and Recall@10",
                     rows=tuple(rows), default_seeds=(0,), notes=notes,
                     comparisons=tuple((f"Personalized C={c}", f"Un-Personalized C={c}")
                                       for c in NEGATIVE_COUNTS))


BUILDERS = {"2": ssept_table2, "3": ssept_table3, "5": ssept_table5, "6": ssept_table6,
            "7": ssept_table7, "8": ssept_table8, "9": ssept_table9, "10": ssept_table10}
