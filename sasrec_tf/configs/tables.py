"""Rows of every reproduced table and figure: what each row trains and what it is compared with.

A builder here returns a ``TableConfig``: ``RowSpec``s for ``reporting.table_runner`` (model,
hyper-parameter overrides on top of ``configs.defaults``, and the reported entry to compare with),
the default seeds, the results file stem and notes. The scripts in ``experiments/`` only pick
rows with flags; none of them restates a hyper-parameter or a reported number.

Rows whose model the library does not have yet carry an explicit "not implemented yet" status
(so ``--report_only`` shows it too) and are never run; a row on a dataset whose files are missing
gets "dataset not available" from the loader when it is run.

Script glue (``define_flags``, ``run_script``) sits at the end: the flags every table script
shares beyond ``table_runner.define_table_flags``.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Collection, Dict, List, Mapping, Optional, Sequence, Tuple

from absl import flags as absl_flags

from sasrec_tf.configs import sasrec
from sasrec_tf.reporting import table_runner
from sasrec_tf.reporting.table_runner import RowSpec

DATA_ENV = "SASREC_TF_DATA"

# The four datasets of SASRec Tables III/IV and SSE-PT Table 1, in the papers' column order.
SASREC_DATASETS = ("beauty", "games", "steam", "ml-1m")

# Hours of one 201-epoch SASRec run (paper defaults) on the 2-core CPU of this workplace: the
# cost model of reference/TABLES.md (measured TF2 step times, +-50 %).
SASREC_CPU_HOURS = {"ml-1m": 1.9, "beauty": 3.7, "games": 2.0, "steam": 22.0}

# SASRec Table V: the maximum lengths n, and the smallest n that needs a GPU here (the step time
# grows about as n^2: n=200 takes ~2 h per run on the CPU, n=600 ~12 h).
SCALABILITY_LENGTHS = (10, 50, 100, 200, 300, 400, 500, 600)
SCALABILITY_GPU_FROM = 300

# SASRec Figure 2: the embedding sizes d of the sweep.
FIGURE2_DIMS = (10, 20, 30, 40, 50)

# Table IV rows: configs.sasrec.ABLATIONS key -> the paper's row label (also its variant name).
ABLATION_LABELS = {
    "default": "(0) Default",
    "remove_pe": "(1) Remove PE",
    "unshared_ie": "(2) Unshared IE",
    "remove_rc": "(3) Remove RC",
    "remove_dropout": "(4) Remove Dropout",
    "blocks_0": "(5) 0 Block (b=0)",
    "blocks_1": "(6) 1 Block (b=1)",
    "blocks_3": "(7) 3 Blocks (b=3)",
    "multi_head": "(8) Multi-Head",
}

# Baselines whose d and l2 SASRec tuned on validation (SPEC §7): their table rows use the
# selection of ``experiments/sweep.py`` (``<sweeps_dir>/<model>_<dataset>.json``) when a finished
# sweep is stored, and the untuned placeholders of configs/baselines.py otherwise.
TUNED_BASELINES = ("bpr", "fmc", "fpmc", "transrec")
SWEEPS_SUBDIR = "sweeps"

_BASELINE = "baseline, SPEC §7"
_THIRD_PARTY = "third-party code in the paper, SPEC §7"
_SSE_FAMILY = "SSE-PT family, SPEC §4"


@dataclasses.dataclass(frozen=True)
class Method:
  """One method column / row of a comparison table.

  Attributes:
    label: the row label shown ("(a) PopRec").
    reported: its name in the reported-numbers file.
    model: library model name given to ``run_experiment``.
    pending: what the method is, shown when the model is not implemented yet.
  """

  label: str
  reported: str
  model: str
  pending: str = ""


SASREC_TABLE3_METHODS = (
    Method("(a) PopRec", "PopRec", "pop"),
    Method("(b) BPR", "BPR", "bpr", _BASELINE),
    Method("(c) FMC", "FMC", "fmc", _BASELINE),
    Method("(d) FPMC", "FPMC", "fpmc", _BASELINE),
    Method("(e) TransRec", "TransRec", "transrec", _BASELINE),
    Method("(f) GRU4Rec", "GRU4Rec", "gru4rec", _THIRD_PARTY),
    Method("(g) GRU4Rec+", "GRU4Rec+", "gru4rec_plus", _THIRD_PARTY),
    Method("(h) Caser", "Caser", "caser", _THIRD_PARTY),
    Method("(i) SASRec", "SASRec", "sasrec"),
)

# SSE-PT Table 1 rows (A)-(O). The SSE-PT family's hyper-parameters (SPEC §4.8; printed only for
# ML-1M) are added with those models.
SSEPT_TABLE1_METHODS = (
    Method("(A) PopRec", "PopRec", "pop"),
    Method("(B) BPR", "BPR", "bpr", _BASELINE),
    Method("(C) FMC", "FMC", "fmc", _BASELINE),
    Method("(D) FPMC", "FPMC", "fpmc", _BASELINE),
    Method("(E) TransRec", "TransRec", "transrec", _BASELINE),
    Method("(F) GRU4Rec", "GRU4Rec", "gru4rec", _THIRD_PARTY),
    Method("(G) STAMP", "STAMP", "stamp", _THIRD_PARTY),
    Method("(H) GRU4Rec+", "GRU4Rec+", "gru4rec_plus", _THIRD_PARTY),
    Method("(I) Caser", "Caser", "caser", _THIRD_PARTY),
    Method("(J) SASRec", "SASRec", "sasrec"),
    Method("(K) HGN", "HGN", "hgn", _THIRD_PARTY),
    Method("(L) SSE-SASRec", "SSE-SASRec", "sse_sasrec", _SSE_FAMILY),
    Method("(M) PT", "PT", "pt", _SSE_FAMILY),
    Method("(N) SSE-PT", "SSE-PT", "ssept", _SSE_FAMILY),
    Method("(O) SSE-PT++", "SSE-PT++", "ssept_pp", _SSE_FAMILY),
)
# The SSE-PT authors ran SSE-PT++ (long sequences) on ML-1M only ('-' elsewhere).
SSEPT_PP_DATASETS = ("ml-1m",)


@dataclasses.dataclass(frozen=True)
class TableConfig:
  """Everything a table script needs besides its flags.

  Attributes:
    name: file stem of the results (``<results_dir>/<name>.md`` / ``.json``).
    title: heading of the rendered table.
    rows: all rows in display order (flags select among them).
    default_seeds: seeds when ``--seeds`` is not given.
    notes: remarks printed under the table.
    dataset_notes: remarks printed only when a selected row is on that dataset.
    comparisons: (label A, label B) pairs compared by paired t-tests over seeds.
    description: text under the title (default: the reported table's description).
  """

  name: str
  title: str
  rows: Tuple[RowSpec, ...]
  default_seeds: Tuple[int, ...]
  notes: Tuple[str, ...] = ()
  dataset_notes: Mapping[str, str] = dataclasses.field(default_factory=dict)
  comparisons: Tuple[Tuple[str, str], ...] = ()
  description: Optional[str] = None

  def notes_for(self, rows: Sequence[RowSpec]) -> List[str]:
    """Table notes plus the dataset notes of the datasets among ``rows``."""
    present = {r.dataset for r in rows}
    return list(self.notes) + [note for dataset, note in self.dataset_notes.items()
                               if dataset in present]


def implemented_models() -> Tuple[str, ...]:
  """Model names ``run_experiment`` can run now."""
  from sasrec_tf.training import experiment  # pylint: disable=import-outside-toplevel
  return tuple(experiment.available_models())


def _not_implemented(method: Method) -> str:
  return f"not implemented yet: model {method.model!r} ({method.pending or 'no model'})"


@dataclasses.dataclass(frozen=True)
class SweepSelection:
  """The validation-selected grid point of a finished sweep (``experiments/sweep.py``).

  Attributes:
    overrides: the settings of the selected trial (grid values plus the sweep's fixed ones).
    path: the sweep record it was read from.
    trials: grid points in the record.
    valid_metric: the selected trial's mean validation value of ``select_metric``.
    select_metric: the metric that chose it.
  """

  overrides: Mapping[str, Any]
  path: str
  trials: int
  valid_metric: float
  select_metric: str

  def describe(self) -> str:
    settings = ", ".join(f"{k}={v}" for k, v in self.overrides.items())
    return (f"{settings} (best validation {self.select_metric} {self.valid_metric:.4f} of "
            f"{self.trials} grid points in {self.path})")


def sweep_selection(sweeps_dir: Optional[os.PathLike], model: str,
                    dataset: str) -> Optional[SweepSelection]:
  """The selection of ``<sweeps_dir>/<model>_<dataset>.json`` if that sweep ran every grid point.

  A sweep still running (fewer trials than grid points) or absent gives None.

  Raises:
    ValueError: the record is not a sweep of ``model`` on ``dataset``.
  """
  if sweeps_dir is None:
    return None
  path = os.path.join(os.fspath(sweeps_dir), f"{model}_{dataset}.json")
  if not os.path.exists(path):
    return None
  from sasrec_tf.reporting.files import read_json  # pylint: disable=import-outside-toplevel
  record = read_json(path)
  if record.get("model") != model or record.get("dataset") != dataset:
    raise ValueError(f"{path} holds a sweep of {record.get('model')!r} on "
                     f"{record.get('dataset')!r}, not {model!r} on {dataset!r}")
  points = 1
  for values in record["grid"].values():
    points *= len(values)
  best = record.get("best")
  if len(record.get("trials", ())) < points or not best:
    return None
  metric = record["select_metric"]
  return SweepSelection(overrides=dict(best["overrides"]), path=path, trials=points,
                        valid_metric=float(best["valid"][metric]), select_metric=metric)


def _method_rows(methods: Sequence[Method], paper: str, table: str, datasets: Sequence[str],
                 metrics: Tuple[str, ...], implemented: Collection[str],
                 only_on: Optional[Mapping[str, Sequence[str]]] = None,
                 sweeps_dir: Optional[os.PathLike] = None
                 ) -> Tuple[Tuple[RowSpec, ...], Dict[str, str]]:
  """The rows, and per dataset a note on where the tuned baselines' settings come from."""
  rows, tuning = [], {}
  for dataset in datasets:
    chosen, untuned = [], []
    for method in methods:
      if only_on and method.reported in only_on and dataset not in only_on[method.reported]:
        continue
      reason = None if method.model in implemented else _not_implemented(method)
      overrides = {}
      if method.model in TUNED_BASELINES and reason is None:
        selection = sweep_selection(sweeps_dir, method.model, dataset)
        if selection is None:
          untuned.append(method.label)
        else:
          overrides = dict(selection.overrides)
          chosen.append(f"{method.label}: {selection.describe()}")
      rows.append(RowSpec(label=method.label, paper=paper, table=table, dataset=dataset,
                          model=method.model, overrides=overrides, metrics=metrics,
                          reported_method=method.reported, unavailable_reason=reason))
    parts = [f"{dataset}: tuned on validation by experiments/sweep.py: {'; '.join(chosen)}."
             ] if chosen else []
    if untuned:
      parts.append(f"{dataset}: {', '.join(untuned)} use the untuned placeholders of "
                   "configs/baselines.py (d=50, l2=1e-3): no finished sweep in "
                   f"{sweeps_dir} (run experiments/sweep.py with SASRec's d x l2 grid first).")
    if parts:
      tuning[dataset] = " ".join(parts)
  return tuple(rows), tuning


def _sasrec_defaults_text() -> str:
  """E.g. 'd=50, b=2; n=50, dropout 0.5 on beauty, games, steam; n=200, dropout 0.2 on ml-1m'."""
  groups: Dict[Tuple[int, float], List[str]] = {}
  for dataset in SASREC_DATASETS:
    per = sasrec.PER_DATASET[dataset]
    groups.setdefault((per["max_len"], per["dropout_rate"]), []).append(dataset)
  parts = [f"d={sasrec.COMMON['hidden_units']}, b={sasrec.COMMON['num_blocks']}"]
  parts += [f"n={n}, dropout {p:g} on {', '.join(ds)}" for (n, p), ds in groups.items()]
  return "; ".join(parts)


def _steam_note(what: str) -> Dict[str, str]:
  return {"steam": f"Steam: {what} needs a GPU (about {SASREC_CPU_HOURS['steam']:g} h per "
                   "201-epoch run on the 2-core CPU of reference/TABLES.md)."}


def _dataset_notes(*parts: Mapping[str, str]) -> Dict[str, str]:
  """Per-dataset notes of several sources joined, one note per dataset."""
  joined: Dict[str, List[str]] = {}
  for notes in parts:
    for dataset, note in notes.items():
      joined.setdefault(dataset, []).append(note)
  return {dataset: " ".join(notes) for dataset, notes in joined.items()}


def sasrec_table3(implemented: Optional[Collection[str]] = None,
                  sweeps_dir: Optional[os.PathLike] = None) -> TableConfig:
  """SASRec Table III: methods (a)-(i) x 4 datasets, HR@10 and NDCG@10 (100 negatives).

  Args:
    implemented: model names that can run (default: ``implemented_models()``); other rows get a
      "not implemented yet" status.
    sweeps_dir: where ``experiments/sweep.py`` stored its records; (b)-(e) take the selected d
      and l2 of a finished sweep from there (``sweep_selection``), else the placeholders.
  """
  implemented = implemented_models() if implemented is None else tuple(implemented)
  rows, tuning = _method_rows(SASREC_TABLE3_METHODS, "SASRec", "III", SASREC_DATASETS,
                              ("HR@10", "NDCG@10"), implemented, sweeps_dir=sweeps_dir)
  notes = (
      "The improvement columns of the paper (SASRec over the best of (a)-(e) and of (f)-(h)) "
      "are not reproduced.",
      "(i) SASRec uses the paper defaults of configs/sasrec.py: " + _sasrec_defaults_text() + ".",
      "(f)-(h) use their authors' suggested settings with d=50 (configs/baselines.py).",
  )
  return TableConfig(name="sasrec_table3",
                     title="SASRec Table III: HR@10 and NDCG@10, 100 sampled negatives",
                     rows=rows, default_seeds=(0, 1, 2), notes=notes,
                     dataset_notes=_dataset_notes(tuning, _steam_note("(i) SASRec")),
                     comparisons=(("(i) SASRec", "(a) PopRec"),))


def sasrec_table4() -> TableConfig:
  """SASRec Table IV: the 9 ablation variants (``configs.sasrec.ABLATIONS``), NDCG@10, d=50."""
  rows = tuple(
      RowSpec(label=ABLATION_LABELS[key], paper="SASRec", table="IV", dataset=dataset,
              model="sasrec", overrides=overrides, metrics=("NDCG@10",),
              reported_method="SASRec", reported_variant=ABLATION_LABELS[key])
      for dataset in SASREC_DATASETS for key, overrides in sasrec.ABLATIONS.items())
  heads = sasrec.ABLATIONS["multi_head"]["num_heads"]
  notes = ("Each variant changes exactly one setting of the dataset's default (SPEC §3.9); "
           f"(8) Multi-Head uses {heads} heads of "
           f"{sasrec.COMMON['hidden_units'] // heads} dimensions each.",)
  return TableConfig(name="sasrec_table4", title="SASRec Table IV: ablations, NDCG@10 (d=50)",
                     rows=rows, default_seeds=(0,), notes=notes,
                     dataset_notes=_steam_note("every variant"),
                     comparisons=tuple((ABLATION_LABELS[k], ABLATION_LABELS["default"])
                                       for k in sasrec.ABLATIONS if k != "default"))


def sasrec_table5(allow_slow: bool = False) -> TableConfig:
  """SASRec Table V: ML-1M with maximum length n, NDCG@10 and training time.

  Args:
    allow_slow: run the n >= ``SCALABILITY_GPU_FROM`` rows too; otherwise they carry a
      "needs GPU" status.
  """
  rows = []
  for n in SCALABILITY_LENGTHS:
    reason = None
    if n >= SCALABILITY_GPU_FROM and not allow_slow:
      reason = (f"needs GPU: n={n} takes many hours per run on the 2-core CPU (~n^2; ~12 h at "
                "n=600); --allow_slow runs it anyway")
    rows.append(RowSpec(label=f"n={n}", paper="SASRec", table="V", dataset="ml-1m",
                        model="sasrec", overrides={"max_len": n},
                        metrics=("NDCG@10", "training_time_seconds"),
                        reported_method="SASRec", reported_where={"maxlen": n},
                        unavailable_reason=reason))
  notes = (
      "training_time_seconds is hardware-specific: the paper's times are from a GTX-1080 Ti and "
      "its stopping point is not defined; ours are the total training time (evaluation "
      "excluded) of the configured epochs on the machine named under Provenance. Compare the "
      "trend, not the values; the tolerance column means nothing for this metric.",
      "Seconds per epoch of every run are kept as mean_seconds_per_epoch in the JSON.",
  )
  return TableConfig(name="sasrec_table5",
                     title="SASRec Table V: ML-1M, maximum length n vs NDCG@10 and training time",
                     rows=tuple(rows), default_seeds=(0,), notes=notes)


def sasrec_figure2() -> TableConfig:
  """SASRec Figure 2: NDCG@10 against the embedding size d, per dataset.

  The figure prints no numbers; only d=50 has one, from Table III.
  """
  rows = []
  for dataset in SASREC_DATASETS:
    for d in FIGURE2_DIMS:
      printed = d == sasrec.COMMON["hidden_units"]
      rows.append(RowSpec(label=f"d={d}", paper="SASRec", table="III" if printed else "Fig. 2",
                          dataset=dataset, model="sasrec", overrides={"hidden_units": d},
                          metrics=("NDCG@10",), reported_method="SASRec" if printed else None))
  notes = ("Figure 2 gives no printed numbers; the d=50 points are compared with Table III, the "
           "others are reproduced only.",)
  return TableConfig(name="sasrec_figure2",
                     title="SASRec Figure 2: NDCG@10 vs embedding size d",
                     description="SASRec with d in {10, 20, 30, 40, 50}, other settings at the "
                                 "paper defaults; 100 sampled negatives.",
                     rows=tuple(rows), default_seeds=(0,), notes=notes,
                     dataset_notes=_steam_note("every point"))


def ssept_table1(implemented: Optional[Collection[str]] = None,
                 sweeps_dir: Optional[os.PathLike] = None) -> TableConfig:
  """SSE-PT Table 1, the headline comparison: rows (A)-(O) x 4 datasets, NDCG@10 and Recall@10.

  Args:
    implemented: model names that can run (default: ``implemented_models()``).
    sweeps_dir: as for ``sasrec_table3``: the selected d and l2 of rows (B)-(E).
  """
  implemented = implemented_models() if implemented is None else tuple(implemented)
  rows, tuning = _method_rows(SSEPT_TABLE1_METHODS, "SSE-PT", "1", SASREC_DATASETS,
                              ("NDCG@10", "HR@10"), implemented,
                              only_on={"SSE-PT++": SSEPT_PP_DATASETS}, sweeps_dir=sweeps_dir)
  notes = (
      "Recall@10 of the paper is HR@10 here (one held-out item per user).",
      "(O) SSE-PT++ is printed for ML-1M only; the paper shows '-' for the other datasets.",
      "Rows (A)-(I) are copied by the SSE-PT authors from SASRec Table III; (J) SASRec is their "
      "re-run. Our (A) and (J) use the same settings as SASRec Table III.",
  )
  return TableConfig(name="ssept_table1",
                     title="SSE-PT Table 1: NDCG@10 and Recall@10 (= HR@10), 100 sampled "
                           "negatives",
                     rows=rows, default_seeds=(0, 1, 2), notes=notes,
                     dataset_notes=_dataset_notes(tuning, _steam_note("(J) SASRec")),
                     comparisons=(("(J) SASRec", "(A) PopRec"),))


# ---------------------------------------------------------------------------------------------
# Script glue.


def define_flags(flag_values: absl_flags.FlagValues = absl_flags.FLAGS,
                 allow_slow: bool = False) -> None:
  """The flags of a table script: ``define_table_flags`` with ``--data_dir`` defaulting to
  ``$SASREC_TF_DATA``, plus ``--allow_slow`` when asked for (idempotent)."""
  table_runner.define_table_flags(flag_values)
  flag_values.set_default("data_dir", os.environ.get(DATA_ENV))
  if allow_slow and "allow_slow" not in flag_values:
    absl_flags.DEFINE_boolean("allow_slow", False,
                              "Also run the rows that need a GPU (they take many hours on a "
                              "CPU); use it on a GPU machine.", flag_values=flag_values)


def run_script(config: TableConfig, flag_values: absl_flags.FlagValues = absl_flags.FLAGS,
               run_fn: Optional[table_runner.RunFn] = None, argv=None,
               **kwargs: Any) -> table_runner.TableRunResult:
  """Runs (or renders, with ``--report_only``) ``config`` as the parsed flags select.

  Args:
    config: the table.
    flag_values: parsed flags of ``define_flags``.
    run_fn: default: ``run_experiment`` through ``table_runner.experiment_run_fn``.
    argv: command line to record (default ``sys.argv``).
    **kwargs: passed to ``run_table``.

  Raises:
    ValueError: runs are requested but no data directory is known.
  """
  fv = flag_values
  if run_fn is None and not fv.report_only and not fv.data_dir:
    raise ValueError(f"no data directory: pass --data_dir or set {DATA_ENV} (files laid out as "
                     "<data_dir>/<dataset>/<file>), or use --report_only")
  selected = table_runner.select_rows(config.rows, fv.only, fv.datasets)
  options = dict(title=config.title, notes=config.notes_for(selected),
                 comparisons=config.comparisons)
  if config.description is not None:
    options["description"] = config.description
  options.update(kwargs)
  return table_runner.run_table_from_flags(config.name, config.rows,
                                           default_seeds=config.default_seeds, run_fn=run_fn,
                                           argv=argv, flag_values=fv, **options)
