"""Hyper-parameter sweeps selected on validation only (SASRec §IV-C's protocol for its baselines).

A sweep trains one model on one dataset at every point of a grid (and every seed), picks the
point with the best mean **validation** NDCG@10 (test metrics are recorded, never used to
choose) and writes every trial with its settings, validation and test metrics and provenance to
``<results_dir>/<name>.json`` and a markdown summary ``<results_dir>/<name>.md``. Both files are
rewritten after every trial, and finished runs are reused by ``run_experiment``, so an
interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import itertools
import math
import os
import pathlib
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from sasrec_tf.reporting.files import atomic_write_json, atomic_write_text, to_jsonable
from sasrec_tf.reporting.provenance import collect_provenance, utc_now

SELECT_METRIC = "NDCG@10"
SHOWN_METRICS = ("NDCG@10", "HR@10")

# run_fn(overrides, seed) -> run_experiment's result dict (valid, test, best_epoch, ...).
RunFn = Callable[[Mapping[str, Any], int], Mapping[str, Any]]

_PARSERS = {int: int, float: float, str: str,
            bool: lambda v: {"true": True, "1": True, "false": False, "0": False}[v.lower()]}


def parse_grid(text: str, types: Mapping[str, type]) -> Dict[str, List[Any]]:
  """``"hidden_units=10,20;l2_emb=0.001,0.01"`` -> {"hidden_units": [10, 20], "l2_emb": [...]}.

  Args:
    text: ``name=v1,v2,...`` groups separated by ``;``.
    types: setting name -> Python type (int, float, bool, str) used to parse its values.

  Raises:
    ValueError: a malformed group, an unknown setting, a repeated setting or a bad value.
  """
  grid: Dict[str, List[Any]] = {}
  for group in filter(None, (g.strip() for g in text.split(";"))):
    if "=" not in group:
      raise ValueError(f"grid group {group!r} is not name=v1,v2,...")
    name, values = (s.strip() for s in group.split("=", 1))
    if name not in types:
      raise ValueError(f"unknown setting {name!r} in --grid (known: {', '.join(sorted(types))})")
    if name in grid:
      raise ValueError(f"setting {name!r} appears twice in --grid")
    raw = [v.strip() for v in values.split(",") if v.strip()]
    if not raw:
      raise ValueError(f"no values for {name!r} in --grid")
    try:
      grid[name] = [_PARSERS[types[name]](v) for v in raw]
    except (KeyError, ValueError) as exc:
      raise ValueError(f"bad value in --grid {group!r}: expected {types[name].__name__}") from exc
  if not grid:
    raise ValueError("empty --grid")
  return grid


def grid_points(grid: Mapping[str, Sequence[Any]]) -> List[Dict[str, Any]]:
  """Cartesian product of the grid, first setting varying slowest."""
  names = list(grid)
  return [dict(zip(names, values)) for values in itertools.product(*(grid[n] for n in names))]


def trial_key(point: Mapping[str, Any]) -> str:
  """A filesystem-safe name of one grid point, e.g. ``hidden_units-10_l2_emb-0.001``."""
  return "_".join(f"{k}-{v}" for k, v in point.items()).replace("/", "-")


def _mean(values: Sequence[Optional[float]]) -> Optional[float]:
  values = [v for v in values if v is not None and not math.isnan(v)]
  return sum(values) / len(values) if values else None


def _summary(per_seed: Mapping[int, Mapping[str, Any]], stage: str) -> Dict[str, Optional[float]]:
  return {m: _mean([(r.get(stage) or {}).get(m) for r in per_seed.values()])
          for m in SHOWN_METRICS}


def select_best(trials: Sequence[Mapping[str, Any]],
                metric: str = SELECT_METRIC) -> Optional[int]:
  """Index of the trial with the best mean validation ``metric`` (first one on ties)."""
  best, best_value = None, None
  for i, trial in enumerate(trials):
    value = trial["valid"].get(metric)
    if value is not None and (best_value is None or value > best_value):
      best, best_value = i, value
  return best


def render_markdown(record: Mapping[str, Any]) -> str:
  """The sweep as a markdown table, the selected trial marked with ``*``."""
  grid_names = list(record["grid"])
  head = grid_names + [f"valid {m}" for m in SHOWN_METRICS] + [f"test {m}" for m in SHOWN_METRICS]
  head += ["epochs (best / run)"]
  lines = [f"# Sweep: {record['model']} on {record['dataset']}", "",
           f"Selected by mean validation {record['select_metric']} over seeds "
           f"{', '.join(map(str, record['seeds']))}; test metrics are shown, never used to "
           "choose.", "",
           "| " + " | ".join(["", *head]) + " |",
           "|" + "---|" * (len(head) + 1)]
  fmt = lambda v: "" if v is None else f"{v:.4f}"  # pylint: disable=unnecessary-lambda-assignment
  for i, trial in enumerate(record["trials"]):
    mark = "*" if i == record.get("best_index") else ""
    epochs = "; ".join(f"{r.get('best_epoch')} / {r.get('epochs_run')}"
                       for r in trial["runs"].values())
    cells = [mark] + [str(trial["settings"][n]) for n in grid_names]
    cells += [fmt(trial["valid"][m]) for m in SHOWN_METRICS]
    cells += [fmt(trial["test"][m]) for m in SHOWN_METRICS] + [epochs]
    lines.append("| " + " | ".join(cells) + " |")
  best = record.get("best")
  lines += [""]
  if best:
    lines.append(f"Selected: {best['settings']} (valid {record['select_metric']} "
                 f"{fmt(best['valid'][record['select_metric']])}, test "
                 f"{fmt(best['test'][record['select_metric']])}).")
  if record.get("fixed"):
    lines.append(f"Fixed settings: {record['fixed']}.")
  prov = record.get("provenance", {})
  git = prov.get("git", {})
  revision = str(git.get("revision", "?"))[:12]
  dirty = " (dirty)" if git.get("dirty") is True else ""
  lines.append(f"Command: `{prov.get('command_line', '')}`; git {revision}{dirty}; "
               f"{record.get('finished_utc', '')}.")
  return "\n".join(lines) + "\n"


def run_sweep(model: str, dataset: str, grid: Mapping[str, Sequence[Any]], seeds: Sequence[int],
              run_fn: RunFn, results_dir: os.PathLike, fixed: Optional[Mapping[str, Any]] = None,
              name: Optional[str] = None, argv=None, flags=None,
              select_metric: str = SELECT_METRIC) -> Dict[str, Any]:
  """Runs every grid point for every seed, selects on validation, writes JSON + markdown.

  Args:
    model, dataset: what is swept (recorded; ``run_fn`` does the training).
    grid: setting -> values (``parse_grid``).
    seeds: seeds per grid point; a point's metrics are means over them.
    run_fn: ``(overrides, seed) -> result`` with ``valid`` / ``test`` metric dicts.
    results_dir: where ``<name>.json`` and ``<name>.md`` go.
    fixed: overrides applied to every trial (recorded); grid values win on conflicts.
    name: file stem (default ``<model>_<dataset>``).
    argv, flags: recorded in the provenance.
    select_metric: validation metric that picks the best trial.

  Returns:
    The record written to JSON: model, dataset, grid, seeds, fixed, select_metric, trials (each
    with settings, per-seed runs, mean valid / test metrics), best_index, best, provenance.
  """
  results_dir = pathlib.Path(results_dir)
  name = name or f"{model}_{dataset}"
  record: Dict[str, Any] = {
      "model": model, "dataset": dataset, "grid": {k: list(v) for k, v in grid.items()},
      "seeds": [int(s) for s in seeds], "fixed": dict(fixed or {}),
      "select_metric": select_metric, "trials": [], "best_index": None, "best": None,
      "started_utc": utc_now(),
      "provenance": collect_provenance(argv=argv, flags=flags, seeds=list(seeds))}

  def write():
    record["finished_utc"] = utc_now()
    atomic_write_json(results_dir / f"{name}.json", to_jsonable(record))
    atomic_write_text(results_dir / f"{name}.md", render_markdown(record))

  for point in grid_points(grid):
    overrides = {**(fixed or {}), **point}
    runs: Dict[int, Dict[str, Any]] = {}
    for seed in seeds:
      result = run_fn(overrides, int(seed))
      runs[int(seed)] = {k: result.get(k) for k in (
          "valid", "test", "best_epoch", "epochs_run", "status", "train_time_s",
          "seconds_per_epoch", "output_dir")}
      runs[int(seed)]["git"] = (result.get("provenance") or {}).get("git")
    record["trials"].append({"settings": dict(point), "overrides": overrides, "runs": runs,
                             "valid": _summary(runs, "valid"), "test": _summary(runs, "test")})
    record["best_index"] = select_best(record["trials"], select_metric)
    if record["best_index"] is not None:
      record["best"] = record["trials"][record["best_index"]]
    write()
  return record


def experiment_run_fn(model: str, dataset: str, output_root: os.PathLike,
                      data_dir: Optional[str] = None, num_epochs: Optional[int] = None,
                      argv=None) -> RunFn:
  """``run_fn`` over ``run_experiment``: trial runs go to ``<output_root>/<trial>/seed<s>``."""
  output_root = pathlib.Path(output_root)

  def run(overrides: Mapping[str, Any], seed: int) -> Dict[str, Any]:
    from sasrec_tf.training.experiment import run_experiment  # pylint: disable=import-outside-toplevel
    out = output_root / trial_key(overrides) / f"seed{seed}"
    result = run_experiment(model, dataset, dict(overrides), seed=seed, output_dir=str(out),
                            data_dir=data_dir, num_epochs=num_epochs, argv=argv)
    return dict(result, output_dir=str(out))

  return run
