"""Generic driver behind every per-table script: run rows x seeds, resume, aggregate, render.

A table is a list of ``RowSpec`` (what to train and which reported number it is compared with)
and a run function ``run_fn(row, seed) -> dict`` returning the run's test metrics. The driver
  * looks up every reported number first (a wrong name fails before hours of training),
  * records provenance, and refuses a dirty tree when asked to (``require_clean``),
  * stores each finished (row, seed) as ``<results_dir>/<name>/runs/<row key>__seed<seed>.json``
    and re-uses such files on the next call unless ``rerun`` (or the row's settings changed),
  * turns "cannot run here" exceptions into row statuses (see ``errors.unavailable_status``):
    a missing dataset (``DatasetNotFoundError`` by class name, ``FileNotFoundError``), a missing
    model (``NotImplementedModelError`` / ``NotImplementedError``) or ``RowUnavailableError``,
  * aggregates over seeds, renders with ``tables`` and writes ``<name>.md`` / ``<name>.json``.

A per-table script is a thin wrapper::

  table_runner.define_table_flags()
  def main(argv):
    table_runner.run_table_from_flags("sasrec_table3", ROWS, argv=argv)
  app.run(main)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pathlib
import re
import sys
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from absl import flags as absl_flags
from absl import logging

from sasrec_tf.reporting import names, provenance as provenance_lib, reported, stats, tables
from sasrec_tf.reporting.errors import NotImplementedModelError, unavailable_status
from sasrec_tf.reporting.files import atomic_write_json, read_json, to_jsonable

RUNS_SUBDIR = "runs"
NOT_RUN_YET = "not run yet"

# Reported quantities that are not test metrics, and the run-result key that measures them.
EXTRA_METRICS = {"training_time_seconds": "train_time_s",
                 "runtime_seconds_per_epoch": "seconds_per_epoch"}


@dataclasses.dataclass(frozen=True)
class RowSpec:
  """One row of a reproduction table.

  Attributes:
    label: the row as displayed ("SASRec", "(3) Remove RC", "n=300").
    paper, table: where the reported number is printed ("SASRec", "III").
    dataset: dataset to run on (any alias; stored canonical).
    model: library model name passed to the run function.
    overrides: hyper-parameter overrides for this row.
    metrics: metrics to compare, e.g. ("NDCG@10", "HR@10") (any alias; stored canonical);
      a non-test quantity such as "training_time_seconds" is read from the run's extra info
      (key given by ``EXTRA_METRICS``, or the same name).
    reported_method: the row's method name in the reported-numbers file; None when the paper
      prints no number for this row (the table then shows "not reported").
    reported_variant: variant label of the reported entry (SASRec Table IV, SSE-PT Table 3...).
    reported_where: hyper-parameter filter picking the reported entry ({"maxlen": 200}).
    unavailable_reason: why this row is not run here ("needs GPU: ~22 h on CPU"); stored runs
      made elsewhere are still shown.
    key: storage key of the row's run files; default: label and dataset, slugged.
    eval_overrides: evaluation settings applied only when scoring (e.g. {"num_negatives": 500}):
      the model is trained with ``overrides`` alone, so rows that differ only here share one
      trained model (SSE-PT Table 10: "train once, evaluate with C = 500 / 1000 / 2000").
  """

  label: str
  paper: str
  table: str
  dataset: str
  model: str
  overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)
  metrics: Tuple[str, ...] = ("NDCG@10", "HR@10")
  reported_method: Optional[str] = None
  reported_variant: Optional[str] = None
  reported_where: Mapping[str, Any] = dataclasses.field(default_factory=dict)
  unavailable_reason: Optional[str] = None
  key: Optional[str] = None
  eval_overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)

  def __post_init__(self):
    set_ = lambda k, v: object.__setattr__(self, k, v)
    set_("table", str(self.table))
    set_("dataset", names.canonical_dataset(self.dataset))
    metrics = (self.metrics,) if isinstance(self.metrics, str) else tuple(self.metrics)
    set_("metrics", tuple(names.canonical_metric(m) for m in metrics))
    set_("overrides", dict(self.overrides))
    set_("eval_overrides", dict(self.eval_overrides or {}))
    set_("reported_where", dict(self.reported_where or {}))

  @property
  def run_key(self) -> str:
    """File-name-safe key of this row's stored runs."""
    return _slug(self.key) if self.key else f"{_slug(self.label)}__{_slug(self.dataset)}"

  def fingerprint(self, extra: Optional[Mapping[str, Any]] = None) -> str:
    """Hash of what decides the runs' outcome: model, dataset, overrides, extra (None dropped)."""
    extra = {k: v for k, v in (extra or {}).items() if v is not None}
    payload = {"model": self.model, "dataset": self.dataset, "overrides": self.overrides,
               "extra": extra}
    if self.eval_overrides:
      payload["eval_overrides"] = self.eval_overrides
    text = json.dumps(to_jsonable(payload), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

  def to_dict(self) -> Dict[str, Any]:
    return to_jsonable(dataclasses.asdict(self))


RunFn = Callable[[RowSpec, int], Mapping[str, Any]]


def _slug(text: str) -> str:
  slug = re.sub(r"[^0-9A-Za-z._+=-]+", "_", text).strip("_")
  return slug or "row"


def split_run_result(result: Mapping[str, Any]) -> Tuple[Dict[str, float], Dict[str, Any]]:
  """Separates a run function's result into (test metrics, everything else).

  Accepts either ``run_experiment``'s shape ({"test": {...}, "valid": {...}, "train_time_s": ...})
  or a flat dict whose metric-named keys (HR@K / Hit@K / Recall@K / NDCG@K / MRR) are the test
  metrics. Metric names come back canonical.

  Raises:
    TypeError: result is not a mapping.
  """
  if not isinstance(result, Mapping):
    raise TypeError(f"run function must return a dict, got {type(result).__name__}")
  if isinstance(result.get("test"), Mapping):
    raw_metrics = result["test"]
    extra = {k: v for k, v in result.items() if k != "test"}
  else:
    raw_metrics, extra = {}, {}
    for key, value in result.items():
      try:
        names.canonical_metric(key, strict=True)
        raw_metrics[key] = value
      except KeyError:
        extra[key] = value
  metrics = {names.canonical_metric(k): float(v) for k, v in raw_metrics.items()}
  return metrics, to_jsonable(extra)


@dataclasses.dataclass
class _RowRuns:
  """Per-seed results of one RowSpec."""

  spec: RowSpec
  runs: Dict[int, Dict[str, Any]] = dataclasses.field(default_factory=dict)
  status: Optional[str] = None
  reused: int = 0


@dataclasses.dataclass
class TableRunResult:
  """What ``run_table`` produced."""

  table: tables.Table
  provenance: Dict[str, Any]
  markdown_path: pathlib.Path
  json_path: pathlib.Path


def _reported_entries(rows: Sequence[RowSpec]) -> Dict[Tuple[int, str],
                                                        Optional[reported.ReportedValue]]:
  out = {}
  for index, row in enumerate(rows):
    for metric in row.metrics:
      if row.reported_method is None:
        out[(index, metric)] = None
        continue
      try:
        out[(index, metric)] = reported.reported_entry(
            row.paper, row.table, row.dataset, row.reported_method, metric,
            variant=row.reported_variant, where=row.reported_where or None)
      except KeyError as exc:
        raise KeyError(f"row {row.label!r} ({row.dataset}, {metric}): {exc}") from None
  return out


def _check_unique(rows: Sequence[RowSpec]) -> None:
  seen: Dict[str, str] = {}
  for row in rows:
    if row.run_key in seen:
      raise ValueError(f"rows {seen[row.run_key]!r} and {row.label!r} share the storage key "
                       f"{row.run_key!r}; give one of them a distinct key=")
    seen[row.run_key] = row.label


def _run_path(runs_dir: pathlib.Path, row: RowSpec, seed: int) -> pathlib.Path:
  return runs_dir / f"{row.run_key}__seed{seed}.json"


def settings_difference(stored: Optional[Mapping[str, Any]], wanted: Mapping[str, Any],
                        ignore: Sequence[str] = ()) -> List[str]:
  """"key stored vs wanted" for each setting where a run's recorded settings differ from
  ``wanted``, read with ``experiment.LEGACY_SETTINGS`` for settings added after the run was
  made. ``stored`` None (a custom run function recorded none) is never called different; keys in
  ``ignore`` (a row's evaluation-only overrides) are not compared.
  """
  if stored is None:
    return []
  from sasrec_tf.training import experiment  # pylint: disable=import-outside-toplevel
  stored = {**experiment.LEGACY_SETTINGS, **stored}
  keys = sorted((set(stored) | set(wanted)) - set(ignore))
  return [f"{k} {stored.get(k)!r} vs {wanted.get(k)!r}" for k in keys
          if to_jsonable(stored.get(k)) != to_jsonable(wanted.get(k))]


def _load_run(path: pathlib.Path, fingerprint: str,
              wanted: Optional[Mapping[str, Any]] = None,
              ignore: Sequence[str] = ()) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
  """(stored run, None) when it is usable; (None, why not) when it exists but is stale."""
  if not path.exists():
    return None, None
  try:
    run = read_json(path)
  except (OSError, ValueError) as exc:
    logging.warning("ignoring unreadable run file %s: %s", path, exc)
    return None, f"unreadable stored run {path.name}"
  if run.get("fingerprint") != fingerprint:
    logging.warning("ignoring %s: it was made with other settings (fingerprint %s, now %s)",
                    path, run.get("fingerprint"), fingerprint)
    return None, "stored run made with other row settings"
  if wanted is not None:
    diff = settings_difference((run.get("extra") or {}).get("settings"), wanted, ignore)
    if diff:
      why = "stored run predates a settings change (" + ", ".join(diff) + "): rerun it"
      logging.warning("ignoring %s: %s", path, why)
      return None, why
  return run, None


def _execute(row: RowSpec, seed: int, run_fn: RunFn, fingerprint: str, path: pathlib.Path,
             argv, flags) -> Dict[str, Any]:
  run_provenance = provenance_lib.collect_provenance(argv=argv, flags=flags, seeds=[seed])
  logging.info("running %s on %s, seed %d", row.label, row.dataset, seed)
  start = time.monotonic()
  result = run_fn(row, seed)
  metrics, extra = split_run_result(result)
  run = {
      "row": row.to_dict(), "fingerprint": fingerprint, "seed": int(seed), "metrics": metrics,
      "extra": extra, "wall_time_s": time.monotonic() - start,
      "finished_utc": provenance_lib.utc_now(), "provenance": run_provenance,
  }
  atomic_write_json(path, run)
  return run


def _collect(row: RowSpec, seeds: Sequence[int], run_fn: RunFn, runs_dir: pathlib.Path, *,
             rerun: bool, execute: bool, on_error: str, fingerprint_extra, argv,
             flags, settings_of: Optional["SettingsFn"] = None) -> _RowRuns:
  fingerprint = row.fingerprint(fingerprint_extra)
  wanted = None
  if settings_of is not None and not row.unavailable_reason:
    try:
      wanted = dict(settings_of(row))
    except (ValueError, KeyError, ImportError) as exc:  # the row's own run will say why
      logging.warning("cannot resolve the settings of %s on %s: %s", row.label, row.dataset, exc)
  out = _RowRuns(row)
  failures: List[str] = []
  stale: List[str] = []
  blocked = row.unavailable_reason
  for seed in seeds:
    path = _run_path(runs_dir, row, seed)
    stored, why = (None, None) if rerun else _load_run(path, fingerprint, wanted,
                                                       ignore=tuple(row.eval_overrides or {}))
    if stored is not None:
      out.runs[seed] = stored
      out.reused += 1
      continue
    if not execute or blocked:
      if why:
        stale.append(f"seed {seed}: {why}")
      continue
    try:
      out.runs[seed] = _execute(row, seed, run_fn, fingerprint, path, argv, flags)
    except Exception as exc:  # pylint: disable=broad-except
      status = unavailable_status(exc)
      if status is not None:
        logging.warning("%s on %s: %s", row.label, row.dataset, status)
        blocked = status  # the same cause would stop every other seed too
        continue
      if on_error == "raise":
        raise
      logging.exception("%s on %s, seed %d failed", row.label, row.dataset, seed)
      first_line = (str(exc).strip().splitlines() or [""])[0]
      failures.append(f"seed {seed} failed: {type(exc).__name__}: {first_line}")
  reasons = ([blocked] if blocked else []) + failures + stale
  if not reasons and len(out.runs) < len(seeds):
    reasons.append(NOT_RUN_YET if not execute else tables.NOT_RUN)
  if reasons:
    done = f"{len(out.runs)}/{len(seeds)} seeds; " if out.runs else ""
    out.status = done + "; ".join(reasons)
  return out


def _run_value(run: Mapping[str, Any], metric: str) -> Optional[float]:
  """A run's value of metric: a test metric, else a numeric extra (via EXTRA_METRICS)."""
  if metric in run.get("metrics", {}):
    return float(run["metrics"][metric])
  extra = run.get("extra", {})
  for key in (EXTRA_METRICS.get(metric), metric):
    value = extra.get(key) if key else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
      return float(value)
  return None


def _git_of(run: Mapping[str, Any]) -> Mapping[str, Any]:
  return run.get("provenance", {}).get("git", {})


def _table_row(row_runs: _RowRuns, metric: str, entry: Optional[reported.ReportedValue],
               runs_prefix: str) -> tables.TableRow:
  spec = row_runs.spec
  seeds = sorted(s for s, run in row_runs.runs.items() if _run_value(run, metric) is not None)
  status = row_runs.status
  missing = sorted(set(row_runs.runs) - set(seeds))
  if missing:
    gap = f"runs of seeds {missing} have no {metric}"
    status = f"{status}; {gap}" if status else gap
  numeric_extra: Dict[str, List[float]] = {}
  for seed in seeds:
    for key, value in row_runs.runs[seed].get("extra", {}).items():
      if isinstance(value, (int, float)) and not isinstance(value, bool):
        numeric_extra.setdefault(key, []).append(float(value))
  extra = {f"mean_{k}": stats.mean(v) for k, v in numeric_extra.items() if len(v) == len(seeds)}
  extra.update({"model": spec.model, "overrides": dict(spec.overrides),
                "run_files": [f"{runs_prefix}/{spec.run_key}__seed{s}.json" for s in seeds],
                "git_revisions": sorted({str(_git_of(row_runs.runs[s]).get("revision", "unknown"))
                                         for s in seeds}),
                "runs_from_dirty_tree": sum(_git_of(row_runs.runs[s]).get("dirty") is not False
                                            for s in seeds)})
  return tables.TableRow(
      label=spec.label, dataset=spec.dataset, metric=metric,
      reported=entry.value if entry is not None else None,
      values=[_run_value(row_runs.runs[s], metric) for s in seeds], seeds=seeds, status=status,
      reported_source=entry.source if entry is not None else None,
      notes=entry.notes if entry is not None else (), extra=extra)


def _comparisons(collected: Sequence[_RowRuns],
                 pairs: Sequence[Tuple[str, str]]) -> List[tables.Comparison]:
  out = []
  for label_a, label_b in pairs:
    for a in (r for r in collected if r.spec.label == label_a):
      for b in (r for r in collected if r.spec.label == label_b and r.spec.dataset ==
                a.spec.dataset):
        for metric in (m for m in a.spec.metrics if m in b.spec.metrics):
          va = {s: _run_value(run, metric) for s, run in a.runs.items()
                if _run_value(run, metric) is not None}
          vb = {s: _run_value(run, metric) for s, run in b.runs.items()
                if _run_value(run, metric) is not None}
          if len(set(va) & set(vb)) >= 2:
            out.append(tables.Comparison(label_a, label_b, a.spec.dataset, metric,
                                         stats.paired_by_seed(va, vb)))
  return out


def run_table(rows: Sequence[RowSpec], seeds: Sequence[int], run_fn: RunFn,
              results_dir: os.PathLike, name: str, *, title: Optional[str] = None,
              description: Optional[str] = None,
              tolerance: tables.Tolerance = tables.Tolerance(), rerun: bool = False,
              execute: bool = True, comparisons: Sequence[Tuple[str, str]] = (),
              notes: Sequence[str] = (), fingerprint_extra: Optional[Mapping[str, Any]] = None,
              require_clean: bool = False, on_error: str = "raise", argv=None, flags=None,
              echo: bool = True, digits: int = 4,
              settings_of: Optional["SettingsFn"] = None) -> TableRunResult:
  """Runs (or resumes) every row x seed, then writes and prints the comparison table.

  Args:
    rows: the table's rows in display order.
    seeds: seeds to run for every row.
    run_fn: ``run_fn(row, seed) -> dict`` of test metrics plus extra info (see
      ``split_run_result``); it may raise the "cannot run here" errors listed in the module doc.
    results_dir: where ``<name>.md``, ``<name>.json`` and ``<name>/runs/`` go.
    name: file stem of the table, e.g. "sasrec_table3".
    title, description: header text; default from the first row's paper / table.
    tolerance: the explicit reproduction tolerance shown in the header.
    rerun: ignore (and overwrite) stored per-seed results.
    execute: False only renders what is stored (missing runs show "not run yet").
    comparisons: (label A, label B) pairs to compare with paired t-tests per dataset / metric.
    notes: extra remarks printed under the table.
    fingerprint_extra: settings outside RowSpec that change results (e.g. {"num_epochs": 100});
      stored runs made under other values are not re-used.
    require_clean: refuse to start when the git tree is dirty or unknown (DirtyTreeError).
    on_error: "raise" (default) lets real failures propagate after the finished seeds were
      stored; "record" notes them as the row's status and goes on.
    argv, flags: recorded in provenance (default ``sys.argv``; an absl FlagValues or a dict).
    echo: print the rendered table to stdout.
    digits: decimals of metric-sized numbers.
    settings_of: a row's resolved settings; a stored run whose recorded settings differ (a
      paper default changed after it was made) is not re-used: it is retrained, or with
      ``execute=False`` its row says which settings changed.

  Returns:
    The table, its provenance and the two written paths.

  Raises:
    KeyError: a row's reported number cannot be found (or is ambiguous).
    ValueError: duplicate row keys or a bad on_error value.
    DirtyTreeError: require_clean and the tree is not clean.
  """
  if on_error not in ("raise", "record"):
    raise ValueError(f"on_error must be 'raise' or 'record', got {on_error!r}")
  rows, seeds = list(rows), [int(s) for s in seeds]
  if not rows:
    raise ValueError("a table needs at least one row")
  _check_unique(rows)
  entries = _reported_entries(rows)
  argv = list(sys.argv if argv is None else argv)
  prov = provenance_lib.collect_provenance(argv=argv, flags=flags, seeds=seeds)
  if require_clean:
    provenance_lib.require_clean_tree(prov)
  results_dir = pathlib.Path(results_dir)
  runs_dir = results_dir / name / RUNS_SUBDIR
  started = time.monotonic()

  collected = [_collect(row, seeds, run_fn, runs_dir, rerun=rerun, execute=execute,
                        on_error=on_error, fingerprint_extra=fingerprint_extra, argv=argv,
                        flags=flags, settings_of=settings_of) for row in rows]

  first = rows[0]
  if title is None:
    title = f"{first.paper} Table {first.table}: reported vs reproduced"
  if description is None:
    try:
      description = reported.table_description(first.paper, first.table)
    except KeyError:
      description = ""
  table_rows = [_table_row(rr, metric, entries[(i, metric)], f"{name}/{RUNS_SUBDIR}")
                for i, rr in enumerate(collected) for metric in rr.spec.metrics]
  table = tables.Table(title=title, rows=table_rows, tolerance=tolerance,
                       description=description, comparisons=_comparisons(collected, comparisons),
                       notes=list(notes), digits=digits)
  prov.update({
      "finished_utc": provenance_lib.utc_now(),
      "wall_time_s": time.monotonic() - started,
      "runs_dir": str(runs_dir),
      "runs_reused": sum(rr.reused for rr in collected),
      "runs_made": sum(len(rr.runs) - rr.reused for rr in collected),
      "fingerprint_extra": to_jsonable(dict(fingerprint_extra or {})),
      "rows": [rr.spec.to_dict() for rr in collected],
  })
  md_path, json_path = tables.write_table(results_dir, name, table, prov)
  if echo:
    print(tables.render_text(table), flush=True)
    print(f"wrote {md_path} and {json_path}", flush=True)
  return TableRunResult(table, prov, md_path, json_path)


def experiment_run_fn(output_root: os.PathLike, data_dir: Optional[str] = None,
                      num_epochs: Optional[int] = None, rerun: bool = False) -> RunFn:
  """A run function over ``sasrec_tf.training.experiment.run_experiment``.

  Each (row, seed) trains into ``<output_root>/<row key>/<settings hash>/seed<seed>``: the hash
  covers model, dataset and every resolved setting (paper defaults, overrides, ``num_epochs``), so
  runs with other settings never share a directory, including runs made before a default changed
  or a setting was added. A finished run there is reused unless ``rerun`` (then it is trained again).

  Args:
    output_root: parent directory of the runs' checkpoints and logs.
    data_dir: passed to run_experiment (None = its default).
    num_epochs: passed to run_experiment (None = the row's configured epochs).
    rerun: retrain even when a finished run with the same settings exists.
  """
  output_root = pathlib.Path(output_root)

  def run(row: RowSpec, seed: int) -> Dict[str, Any]:
    try:
      from sasrec_tf.training import experiment  # pylint: disable=import-outside-toplevel
    except ModuleNotFoundError as exc:
      if exc.name and exc.name.startswith("sasrec_tf.training.experiment"):
        raise NotImplementedModelError("sasrec_tf.training.experiment is not written yet") \
            from exc
      raise
    settings = experiment.resolve_settings(row.model, row.dataset, dict(row.overrides),
                                           num_epochs)
    identity = json.dumps([row.model, row.dataset, settings], sort_keys=True, default=str)
    digest = hashlib.sha1(identity.encode()).hexdigest()[:10]
    # Rows that differ only in eval_overrides share the trained model: key it without the label.
    train_key = f"{_slug(row.model)}__{_slug(row.dataset)}" if row.eval_overrides else row.run_key
    out_dir = output_root / train_key / digest / f"seed{seed}"
    result = experiment.run_experiment(
        model=row.model, dataset=row.dataset, overrides=dict(row.overrides), seed=int(seed),
        output_dir=str(out_dir), data_dir=data_dir, num_epochs=num_epochs, reuse=not rerun)
    if row.eval_overrides:
      result = experiment.evaluate_run(str(out_dir), row.eval_overrides, data_dir=data_dir,
                                       reuse=not rerun)
    return dict(result, output_dir=str(out_dir))

  return run


def define_table_flags(flag_values: absl_flags.FlagValues = absl_flags.FLAGS) -> None:
  """Defines the flags every table script shares (idempotent)."""
  if "rerun" in flag_values:
    return
  fv = flag_values
  absl_flags.DEFINE_list("seeds", None, "Seeds to run per row (default: the script's).",
                         flag_values=fv)
  absl_flags.DEFINE_string("results_dir", "results", "Where tables and per-seed runs go.",
                           flag_values=fv)
  absl_flags.DEFINE_string("output_dir", None,
                           "Checkpoints / logs of the runs (default runs/<table>, outside the "
                           "committed results).", flag_values=fv)
  absl_flags.DEFINE_string("data_dir", None, "Dataset directory passed to the runs.",
                           flag_values=fv)
  absl_flags.DEFINE_integer("num_epochs", None,
                            "Override every row's epoch count (recorded; changes the runs' "
                            "fingerprint, so full-length results are not mixed in).",
                            flag_values=fv)
  absl_flags.DEFINE_boolean("rerun", False, "Re-run seeds whose results are already stored.",
                            flag_values=fv)
  absl_flags.DEFINE_boolean("report_only", False,
                            "Run nothing; render the table from stored results.",
                            flag_values=fv)
  absl_flags.DEFINE_boolean("require_clean", False,
                            "Refuse to run from a working tree with uncommitted changes "
                            "(otherwise the dirty state is recorded).", flag_values=fv)
  absl_flags.DEFINE_boolean("keep_going", False,
                            "Record a failing run as the row's status and continue.",
                            flag_values=fv)
  absl_flags.DEFINE_list("adopt_runs", None,
                         "Finished experiments/train.py run directories to store as this "
                         "table's runs when their model, dataset and settings equal a row's "
                         "exactly (see adopt_runs).", flag_values=fv)
  absl_flags.DEFINE_list("only", None, "Run only rows whose label contains one of these.",
                         flag_values=fv)
  absl_flags.DEFINE_list("datasets", None, "Run only rows on these datasets.", flag_values=fv)
  absl_flags.DEFINE_float("tolerance_rel", 0.05, "Relative tolerance (0.05 = ±5%).",
                          flag_values=fv)
  absl_flags.DEFINE_float("tolerance_abs", None, "Absolute tolerance (metric units).",
                          flag_values=fv)


def select_rows(rows: Sequence[RowSpec], only: Optional[Sequence[str]] = None,
                datasets: Optional[Sequence[str]] = None) -> List[RowSpec]:
  """Rows whose label contains one of ``only`` and whose dataset is in ``datasets``."""
  out = list(rows)
  if only:
    out = [r for r in out if any(o.lower() in r.label.lower() for o in only)]
  if datasets:
    wanted = {names.canonical_dataset(d) for d in datasets}
    out = [r for r in out if r.dataset in wanted]
  return out


SettingsFn = Callable[[RowSpec], Mapping[str, Any]]


def _resolved_settings(num_epochs: Optional[int]) -> SettingsFn:
  def settings(row: RowSpec) -> Mapping[str, Any]:
    from sasrec_tf.training import experiment  # pylint: disable=import-outside-toplevel
    return experiment.resolve_settings(row.model, row.dataset, dict(row.overrides), num_epochs)
  return settings


def adopt_runs(rows: Sequence[RowSpec], run_dirs: Sequence[os.PathLike], results_dir: os.PathLike,
               name: str, settings_of: SettingsFn,
               fingerprint_extra: Optional[Mapping[str, Any]] = None) -> List[str]:
  """Stores finished ``experiments/train.py`` runs as the table's (row, seed) runs they equal.

  A run directory (``results.json`` of ``run_experiment``) is adopted by the row with its model
  and dataset whose resolved settings (``settings_of(row)``) equal the run's settings exactly,
  settings the run predates counting as ``experiment.LEGACY_SETTINGS``; its test metrics,
  curve and provenance are stored as that row's run of the run's seed, marked ``adopted_from``.
  Rows that only re-score (``eval_overrides``) adopt nothing; a stored run of the same row and
  seed with the current settings is kept.

  Returns:
    One line per run directory saying what happened (adopted, or why not).
  """
  from sasrec_tf.training import experiment  # pylint: disable=import-outside-toplevel
  runs_dir = pathlib.Path(results_dir) / name / RUNS_SUBDIR
  messages = []
  for run_dir in run_dirs:
    path = pathlib.Path(run_dir) / experiment.RESULTS_FILE
    if not path.exists():
      messages.append(f"{run_dir}: no {experiment.RESULTS_FILE}, not adopted")
      continue
    result = read_json(path)
    if result.get("status") not in ("complete", "stopped_early"):
      messages.append(f"{run_dir}: status {result.get('status')!r}, not adopted (unfinished)")
      continue
    candidates = [r for r in rows if r.model == result.get("model")
                  and r.dataset == names.canonical_dataset(str(result.get("dataset")))
                  and not r.eval_overrides]
    if not candidates:
      messages.append(f"{run_dir}: no row of {name} runs {result.get('model')} on "
                      f"{result.get('dataset')}, not adopted")
      continue
    differences = {}
    for row in candidates:
      wanted = dict(settings_of(row))
      diff = settings_difference(result.get("settings", {}), wanted)
      if diff:
        differences[row.label] = ", ".join(diff)
        continue
      seed = int(result["seed"])
      target = _run_path(runs_dir, row, seed)
      fingerprint = row.fingerprint(fingerprint_extra)
      if _load_run(target, fingerprint, wanted)[0] is not None:
        messages.append(f"{run_dir}: {row.label} on {row.dataset} seed {seed} is already "
                        "stored, kept")
        break
      metrics, extra = split_run_result(result)
      atomic_write_json(target, {
          "row": row.to_dict(), "fingerprint": fingerprint, "seed": seed, "metrics": metrics,
          "extra": extra, "wall_time_s": result.get("wall_time_s"),
          "finished_utc": provenance_lib.utc_now(), "provenance": result.get("provenance"),
          "adopted_from": str(run_dir)})
      messages.append(f"{run_dir}: adopted as {row.label} on {row.dataset}, seed {seed}")
      break
    else:
      messages.append(f"{run_dir}: not adopted, settings differ from " + "; ".join(
          f"{label} (run vs row: {text})" for label, text in differences.items()))
  return messages


def run_table_from_flags(name: str, rows: Sequence[RowSpec], *,
                         default_seeds: Sequence[int] = (1, 2, 3),
                         run_fn: Optional[RunFn] = None, argv=None,
                         flag_values: absl_flags.FlagValues = absl_flags.FLAGS,
                         **kwargs) -> TableRunResult:
  """``run_table`` configured by the flags of ``define_table_flags``.

  Args:
    name: table file stem.
    rows: all rows of the table (``--only`` / ``--datasets`` select among them).
    default_seeds: seeds when ``--seeds`` is not given.
    run_fn: default ``experiment_run_fn`` with ``--output_dir``, ``--data_dir``,
      ``--num_epochs``.
    argv: the command line to record.
    flag_values: parsed absl flags.
    **kwargs: passed to run_table (title, description, comparisons, notes...).
  """
  fv = flag_values
  seeds = [int(s) for s in fv.seeds] if fv.seeds else list(default_seeds)
  selected = select_rows(rows, fv.only, fv.datasets)
  if not selected:
    raise ValueError(f"--only={fv.only} --datasets={fv.datasets} select no row of {name}")
  run_fn_is_experiment = run_fn is None
  if run_fn is None:
    output_root = fv.output_dir or os.path.join("runs", name)
    run_fn = experiment_run_fn(output_root, data_dir=fv.data_dir, num_epochs=fv.num_epochs,
                                rerun=fv.rerun)
  settings_of = kwargs.pop("settings_of", None) or _resolved_settings(fv.num_epochs)
  if fv.adopt_runs:
    for line in adopt_runs(selected, fv.adopt_runs, fv.results_dir, name, settings_of,
                           fingerprint_extra={"num_epochs": fv.num_epochs}):
      logging.info("%s", line)
      print(line, flush=True)
  notes = list(kwargs.pop("notes", ()))
  if fv.num_epochs is not None:
    notes.append(f"Reduced budget: every run trained for at most {fv.num_epochs} epochs.")
  tolerance = tables.Tolerance(absolute=fv.tolerance_abs, relative=fv.tolerance_rel)
  return run_table(selected, seeds, run_fn, fv.results_dir, name, tolerance=tolerance,
                   rerun=fv.rerun, execute=not fv.report_only, notes=notes,
                   fingerprint_extra={"num_epochs": fv.num_epochs},
                   require_clean=fv.require_clean,
                   on_error="record" if fv.keep_going else "raise", argv=argv, flags=fv,
                   settings_of=settings_of if run_fn_is_experiment else None, **kwargs)
