"""The one renderer of every reproduction table: Reported | Ours (mean ± std) | Diff | Tolerance.

A row that has no per-seed values is "not run": it shows its status ("not implemented yet",
"dataset not available: ...", "needs GPU: ...") and never a number in the reproduced, diff or
tolerance columns. The same content is rendered as aligned markdown (readable in a terminal too)
and as a JSON object; ``write_table`` stores both atomically, the JSON with full provenance.
"""

from __future__ import annotations

import dataclasses
import math
import os
import pathlib
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sasrec_tf.reporting import stats
from sasrec_tf.reporting.files import atomic_write_json, atomic_write_text

NOT_RUN = "not run"
_DASH = "—"


@dataclasses.dataclass(frozen=True)
class Tolerance:
  """How far a reproduced mean may sit from the reported number and still count as reproduced.

  Every bound that is set must hold: |diff| <= absolute and |diff| <= relative * |reported|.

  Attributes:
    absolute: bound on |mean - reported| in metric units, or None.
    relative: bound on |mean - reported| / |reported| (0.05 = 5 %), or None.
  """

  absolute: Optional[float] = None
  relative: Optional[float] = 0.05

  def __post_init__(self):
    if self.absolute is None and self.relative is None:
      raise ValueError("a tolerance needs an absolute or a relative bound")
    for bound in (self.absolute, self.relative):
      if bound is not None and bound < 0:
        raise ValueError(f"tolerance bounds must be >= 0, got {bound}")

  def within(self, reproduced: float, reported: Optional[float]) -> Optional[bool]:
    """True / False, or None when there is nothing to compare."""
    if reported is None or reproduced is None or math.isnan(reproduced):
      return None
    diff = abs(reproduced - reported)
    if self.absolute is not None and diff > self.absolute + 1e-12:
      return False
    if self.relative is not None and diff > self.relative * abs(reported) + 1e-12:
      return False
    return True

  def describe(self) -> str:
    """E.g. '±5%', '±0.0100', '±0.0100 and ±5%'."""
    parts = []
    if self.absolute is not None:
      parts.append(f"±{self.absolute:g}")
    if self.relative is not None:
      parts.append(f"±{100 * self.relative:g}%")
    return " and ".join(parts)

  def to_dict(self) -> Dict[str, Any]:
    return {"absolute": self.absolute, "relative": self.relative,
            "description": self.describe()}


@dataclasses.dataclass
class TableRow:
  """One (row label, dataset, metric) cell group of a reproduction table.

  Attributes:
    label: the method / variant as the table shows it.
    dataset: canonical dataset name.
    metric: canonical metric name.
    reported: the paper's number, or None where the paper prints none.
    values: per-seed reproduced values; empty = not run.
    seeds: the seeds of ``values`` (same order), if known.
    status: why the row has no (or only some) values; None when complete.
    reported_source: where the reported number is printed ("SASRec Table III, line 259").
    notes: transcription notes on the reported number.
    extra: other per-row facts to keep in the JSON (e.g. mean training time).
  """

  label: str
  dataset: str
  metric: str
  reported: Optional[float] = None
  values: Sequence[float] = ()
  seeds: Sequence[int] = ()
  status: Optional[str] = None
  reported_source: Optional[str] = None
  notes: Sequence[str] = ()
  extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

  def __post_init__(self):
    self.values = [float(v) for v in self.values]
    self.seeds = [int(s) for s in self.seeds]
    if self.seeds and len(self.seeds) != len(self.values):
      raise ValueError(f"row {self.label!r}: {len(self.seeds)} seeds for "
                       f"{len(self.values)} values")

  @property
  def ran(self) -> bool:
    return bool(self.values)


@dataclasses.dataclass(frozen=True)
class Comparison:
  """A paired t-test between two rows on the same dataset, metric and seeds (A - B)."""

  label_a: str
  label_b: str
  dataset: str
  metric: str
  test: stats.PairedTest

  def to_dict(self) -> Dict[str, Any]:
    return {"a": self.label_a, "b": self.label_b, "dataset": self.dataset,
            "metric": self.metric, **self.test.to_dict()}


@dataclasses.dataclass
class Table:
  """A reproduction table ready to render.

  Attributes:
    title: e.g. "SASRec Table III: Hit@10 and NDCG@10, 100 sampled negatives".
    rows: the rows in display order.
    tolerance: the explicit tolerance stated in the header.
    description: what the table compares (shown under the title).
    comparisons: paired tests between rows.
    notes: free-text remarks added below the table.
    digits: decimals for metric-sized numbers.
  """

  title: str
  rows: List[TableRow]
  tolerance: Tolerance = Tolerance()
  description: str = ""
  comparisons: List[Comparison] = dataclasses.field(default_factory=list)
  notes: List[str] = dataclasses.field(default_factory=list)
  digits: int = 4


@dataclasses.dataclass(frozen=True)
class _RowNumbers:
  summary: stats.Summary
  diff: Optional[float]
  diff_pct: Optional[float]
  within: Optional[bool]
  status: str


def _numbers(row: TableRow, tolerance: Tolerance) -> _RowNumbers:
  summary = stats.summarize(row.values)
  if not row.ran:
    return _RowNumbers(summary, None, None, None, row.status or NOT_RUN)
  diff = diff_pct = None
  if row.reported is not None:
    diff = summary.mean - row.reported
    diff_pct = 100.0 * diff / row.reported if row.reported != 0 else math.nan
  return _RowNumbers(summary, diff, diff_pct, tolerance.within(summary.mean, row.reported),
                     row.status or "ok")


def _signed(value: Optional[float], digits: int, suffix: str = "") -> str:
  if value is None:
    return _DASH
  if math.isnan(value):
    return stats.NA
  text = stats.format_number(value, digits)
  return (text if text.startswith("-") else "+" + text) + suffix


def _within_text(within: Optional[bool], row: TableRow) -> str:
  if not row.ran:
    return _DASH
  if within is None:
    return stats.NA  # nothing reported to compare with
  return "yes" if within else "no"


def columns(table: Table) -> List[str]:
  """Header cells, the tolerance stated in the last numeric column."""
  return ["row", "dataset", "metric", "reported", "reproduced mean ± std (n)", "diff",
          "diff %", f"within {table.tolerance.describe()}", "status"]


def cells(table: Table) -> List[List[str]]:
  """The body of the table as strings, one list per row (what both renderings show)."""
  out = []
  for row in table.rows:
    num = _numbers(row, table.tolerance)
    reported = stats.format_number(row.reported, table.digits) if row.reported is not None \
        else "not reported"
    if row.ran:
      reproduced = (f"{stats.format_number(num.summary.mean, table.digits)} ± "
                    f"{stats.format_number(num.summary.std, table.digits)} ({num.summary.n})")
    else:
      reproduced = NOT_RUN
    out.append([row.label, row.dataset, row.metric, reported, reproduced,
                _signed(num.diff, table.digits) if row.ran else _DASH,
                _signed(num.diff_pct, 2, "%") if row.ran else _DASH,
                _within_text(num.within, row), num.status])
  return out


def _escape(text: str) -> str:
  return str(text).replace("|", "\\|").replace("\n", " ")


def _grid(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
  """An aligned markdown grid: valid markdown and readable as plain text."""
  rows = [[_escape(c) for c in header]] + [[_escape(c) for c in r] for r in body]
  widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
  line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
  rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
  return "\n".join([line(rows[0]), rule] + [line(r) for r in rows[1:]])


def _comparison_grid(table: Table) -> str:
  header = ["A", "B", "dataset", "metric", "n seeds", "mean A − B", "t", "p (two-sided)"]
  body = [[c.label_a, c.label_b, c.dataset, c.metric, str(c.test.n),
           _signed(c.test.mean_diff, table.digits),
           stats.format_number(c.test.t_statistic, 3), stats.format_number(c.test.p_value, 4)]
          for c in table.comparisons]
  return _grid(header, body)


def _note_lines(table: Table) -> List[str]:
  """Reported-number notes, each printed once with the rows it concerns."""
  grouped: Dict[str, List[str]] = {}
  for row in table.rows:
    for note in row.notes:
      grouped.setdefault(note, [])
      where = f"{row.label} / {row.dataset} / {row.metric}"
      if where not in grouped[note]:
        grouped[note].append(where)
  return [f"- {note} ({'; '.join(rows)})" for note, rows in grouped.items()] + [
      f"- {note}" for note in table.notes]


def render_text(table: Table) -> str:
  """The table alone (title, tolerance, grid), for the terminal."""
  return "\n".join([table.title, f"Tolerance: {table.tolerance.describe()} of the reported value",
                    "", _grid(columns(table), cells(table))]) + "\n"


def _provenance_lines(provenance: Mapping[str, Any]) -> List[str]:
  git = provenance.get("git", {})
  hw = provenance.get("hardware", {})
  versions = provenance.get("versions", {})
  dirty = git.get("dirty")
  state = {True: "DIRTY working tree", False: "clean"}.get(dirty, "dirty state unknown")
  lines = [
      f"- command: `{provenance.get('command_line', 'unknown')}`",
      f"- git: {git.get('revision', 'unknown')} ({state})",
      f"- started (UTC): {provenance.get('start_time_utc', 'unknown')}; "
      f"host: {provenance.get('hostname', 'unknown')}",
      f"- hardware: {hw.get('cpu_model', 'unknown')}, {hw.get('cpu_usable', '?')} cores; "
      f"GPUs: {hw.get('gpus', 'unknown')}",
      "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
  ]
  if provenance.get("seeds") is not None:
    lines.append(f"- seeds: {provenance['seeds']}")
  return lines


def render_markdown(table: Table, provenance: Optional[Mapping[str, Any]] = None) -> str:
  """The full markdown report: title, description, tolerance, table, tests, notes, provenance."""
  parts = [f"# {table.title}", ""]
  if table.description:
    parts += [table.description, ""]
  parts += [f"Tolerance: a reproduced mean is *within* when it is {table.tolerance.describe()} "
            "of the reported value. Std is the sample std over seeds (n/a for one seed); "
            "diff = reproduced − reported.", "", _grid(columns(table), cells(table)), ""]
  if table.comparisons:
    parts += ["## Paired t-tests over seeds", "", _comparison_grid(table), ""]
  notes = _note_lines(table)
  if notes:
    parts += ["## Notes", ""] + notes + [""]
  if provenance:
    parts += ["## Provenance", ""] + _provenance_lines(provenance) + [""]
  return "\n".join(parts)


def _row_json(row: TableRow, tolerance: Tolerance) -> Dict[str, Any]:
  num = _numbers(row, tolerance)
  out: Dict[str, Any] = {
      "label": row.label, "dataset": row.dataset, "metric": row.metric,
      "reported": row.reported, "reported_source": row.reported_source,
      "status": num.status, "ran": row.ran, "n": num.summary.n,
  }
  if row.ran:
    out.update({
        "seeds": list(row.seeds), "values": list(row.values), "mean": num.summary.mean,
        "std": num.summary.std, "ci95": [num.summary.ci_low, num.summary.ci_high],
        "diff": num.diff, "diff_pct": num.diff_pct, "within_tolerance": num.within,
    })
  out["notes"] = list(row.notes)
  out["extra"] = dict(row.extra)
  return out


def table_to_json(table: Table) -> Dict[str, Any]:
  """The table's content as a JSON-ready dict (rows not run carry no numbers)."""
  return {
      "title": table.title,
      "description": table.description,
      "tolerance": table.tolerance.to_dict(),
      "columns": columns(table),
      "rows": [_row_json(r, table.tolerance) for r in table.rows],
      "comparisons": [c.to_dict() for c in table.comparisons],
      "notes": list(table.notes),
  }


def write_table(results_dir: os.PathLike, name: str, table: Table,
                provenance: Optional[Mapping[str, Any]] = None) -> Tuple[pathlib.Path,
                                                                         pathlib.Path]:
  """Writes ``<results_dir>/<name>.md`` and ``<name>.json`` atomically.

  Returns:
    (markdown path, json path).
  """
  results_dir = pathlib.Path(results_dir)
  md_path = atomic_write_text(results_dir / f"{name}.md", render_markdown(table, provenance))
  payload = table_to_json(table)
  payload["provenance"] = dict(provenance) if provenance else None
  json_path = atomic_write_json(results_dir / f"{name}.json", payload)
  return md_path, json_path
