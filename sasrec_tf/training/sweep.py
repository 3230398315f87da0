"""Hyper-parameter sweeps selected on validation only (SASRec §IV-C's protocol for its baselines).

A sweep trains one model on one dataset at every point of a grid (and every seed), picks the
point with the best mean **validation** NDCG@10 (test metrics are recorded, never used to
choose) and writes every trial with its settings, validation and test metrics and provenance to
``<results_dir>/<name>.json`` and a markdown summary ``<results_dir>/<name>.md``. Both files are
rewritten after every trial. An interrupted sweep resumes where it stopped: finished runs are
reused by ``run_experiment`` from their run directories, and finished trials from the stored
record itself, so a sweep too long for one sitting can be spread over several (``max_new_trials``)
with only the small JSON record carried between them.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import pathlib
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from sasrec_tf.reporting.files import atomic_write_json, atomic_write_text, read_json, to_jsonable
from sasrec_tf.reporting.provenance import collect_provenance, utc_now

SELECT_METRIC = "NDCG@10"
SHOWN_METRICS = ("NDCG@10", "HR@10")

# run_fn(overrides, seed) -> run_experiment's result dict (valid, test, best_epoch, ...).
RunFn = Callable[[Mapping[str, Any], int], Mapping[str, Any]]
# resolve_fn(overrides) -> the full settings a run with these overrides would use now.
ResolveFn = Callable[[Mapping[str, Any]], Mapping[str, Any]]
# What a trial keeps of each seed's run.
RUN_FIELDS = ("valid", "test", "best_epoch", "epochs_run", "status", "train_time_s",
              "seconds_per_epoch", "output_dir", "settings")
FINISHED = ("complete", "stopped_early")

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
    if any(r.get("from_record") for r in trial["runs"].values()):
      epochs += " (earlier run)"
    cells = [mark] + [str(trial["settings"][n]) for n in grid_names]
    cells += [fmt(trial["valid"][m]) for m in SHOWN_METRICS]
    cells += [fmt(trial["test"][m]) for m in SHOWN_METRICS] + [epochs]
    lines.append("| " + " | ".join(cells) + " |")
  best = record.get("best")
  lines += [""]
  if best:
    label = "Best so far" if record.get("pending") else "Selected"
    lines.append(f"{label}: {best['settings']} (valid {record['select_metric']} "
                 f"{fmt(best['valid'][record['select_metric']])}, test "
                 f"{fmt(best['test'][record['select_metric']])}).")
  if record.get("pending"):
    lines.append(f"Not run yet ({len(record['pending'])} grid points; rerun the command to "
                 f"continue): {'; '.join(str(p) for p in record['pending'])}. The selection "
                 "above is among the finished points only.")
  if record.get("fixed"):
    lines.append(f"Fixed settings: {record['fixed']}.")
  prov = record.get("provenance", {})
  git = prov.get("git", {})
  revision = str(git.get("revision", "?"))[:12]
  dirty = " (dirty)" if git.get("dirty") is True else ""
  lines.append(f"Command: `{prov.get('command_line', '')}`; git {revision}{dirty}; "
               f"{record.get('finished_utc', '')}.")
  return "\n".join(lines) + "\n"


def _key(overrides: Mapping[str, Any]) -> str:
  return json.dumps(to_jsonable(dict(overrides)), sort_keys=True)


def stored_runs(path: os.PathLike, model: str, dataset: str, fixed: Mapping[str, Any],
                num_epochs: Optional[int]) -> Dict[str, Dict[int, Dict[str, Any]]]:
  """Finished per-seed runs of an earlier record at ``path``, by trial overrides.

  Only a record of the same model, dataset, fixed settings and epoch budget counts; within it,
  only runs whose status is finished and whose validation metrics exist.

  Returns:
    ``_key(overrides) -> {seed: run}``; empty when ``path`` is absent or does not match.
  """
  path = pathlib.Path(path)
  if not path.exists():
    return {}
  old = read_json(path)
  if (old.get("model"), old.get("dataset")) != (model, dataset):
    return {}
  if _key(old.get("fixed") or {}) != _key(fixed) or old.get("num_epochs") != num_epochs:
    return {}
  found: Dict[str, Dict[int, Dict[str, Any]]] = {}
  for trial in old.get("trials", ()):
    runs = {int(seed): run for seed, run in (trial.get("runs") or {}).items()
            if run.get("status") in FINISHED and run.get("valid")}
    if runs:
      found.setdefault(_key(trial["overrides"]), {}).update(runs)
  return found


def run_sweep(model: str, dataset: str, grid: Mapping[str, Sequence[Any]], seeds: Sequence[int],
              run_fn: RunFn, results_dir: os.PathLike, fixed: Optional[Mapping[str, Any]] = None,
              name: Optional[str] = None, argv=None, flags=None,
              select_metric: str = SELECT_METRIC, num_epochs: Optional[int] = None,
              max_new_trials: Optional[int] = None,
              resolve_fn: Optional[ResolveFn] = None) -> Dict[str, Any]:
  """Runs every grid point for every seed, selects on validation, writes JSON + markdown.

  Finished runs stored in an earlier ``<results_dir>/<name>.json`` of the same sweep (model,
  dataset, fixed settings, ``num_epochs``) are reused instead of retrained, unless their recorded
  settings differ from what ``resolve_fn`` gives now (a changed default makes them stale).

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
    num_epochs: the epoch budget ``run_fn`` trains with (None: the model's default); recorded,
      and stored runs are reused only under the same value.
    max_new_trials: train at most this many grid points that need training, then stop; the
      points left are listed under ``pending`` and the record is not ``complete`` (table scripts
      take the selection of complete sweeps only). None: run them all.
    resolve_fn: ``overrides -> settings`` of a run made now, to detect stale stored runs.

  Returns:
    The record written to JSON: model, dataset, grid, seeds, fixed, num_epochs, select_metric,
    trials (each with settings, per-seed runs, mean valid / test metrics), pending, complete,
    best_index, best, provenance.
  """
  from sasrec_tf.reporting.table_runner import settings_difference  # pylint: disable=import-outside-toplevel
  results_dir = pathlib.Path(results_dir)
  name = name or f"{model}_{dataset}"
  fixed = dict(fixed or {})
  stored = stored_runs(results_dir / f"{name}.json", model, dataset, fixed, num_epochs)
  record: Dict[str, Any] = {
      "model": model, "dataset": dataset, "grid": {k: list(v) for k, v in grid.items()},
      "seeds": [int(s) for s in seeds], "fixed": fixed, "num_epochs": num_epochs,
      "select_metric": select_metric, "trials": [], "pending": [], "complete": False,
      "best_index": None, "best": None, "started_utc": utc_now(),
      "provenance": collect_provenance(argv=argv, flags=flags, seeds=list(seeds))}

  def write():
    record["finished_utc"] = utc_now()
    atomic_write_json(results_dir / f"{name}.json", to_jsonable(record))
    atomic_write_text(results_dir / f"{name}.md", render_markdown(record))

  def reusable(overrides, seed):
    run = stored.get(_key(overrides), {}).get(int(seed))
    if run is None:
      return None
    if resolve_fn is not None and settings_difference(run.get("settings"), resolve_fn(overrides)):
      return None
    return dict(run, from_record=True)

  trained = 0
  for point in grid_points(grid):
    overrides = {**fixed, **point}
    kept = {int(seed): reusable(overrides, seed) for seed in seeds}
    if (any(run is None for run in kept.values()) and max_new_trials is not None
        and trained >= max_new_trials):
      record["pending"].append(dict(point))
      continue
    runs: Dict[int, Dict[str, Any]] = {}
    for seed in seeds:
      if kept[int(seed)] is not None:
        runs[int(seed)] = kept[int(seed)]
        continue
      result = run_fn(overrides, int(seed))
      runs[int(seed)] = {k: result.get(k) for k in RUN_FIELDS}
      runs[int(seed)]["git"] = (result.get("provenance") or {}).get("git")
    trained += any(run is None for run in kept.values())
    record["trials"].append({"settings": dict(point), "overrides": overrides, "runs": runs,
                             "valid": _summary(runs, "valid"), "test": _summary(runs, "test")})
    record["best_index"] = select_best(record["trials"], select_metric)
    if record["best_index"] is not None:
      record["best"] = record["trials"][record["best_index"]]
    write()
  record["complete"] = not record["pending"]
  write()
  return record


def experiment_resolve_fn(model: str, dataset: str,
                          num_epochs: Optional[int] = None) -> ResolveFn:
  """``resolve_fn`` over ``run_experiment``'s settings resolution (paper defaults + overrides)."""

  def resolve(overrides: Mapping[str, Any]) -> Mapping[str, Any]:
    from sasrec_tf.training.experiment import resolve_settings  # pylint: disable=import-outside-toplevel
    return resolve_settings(model, dataset, dict(overrides), num_epochs)

  return resolve


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
