"""The four papers' reported numbers, from the packaged ``data/reported_numbers.json``.

Example:
  >>> reported_value("SASRec", "III", "games", "SASRec", "NDCG@10")
  0.536
  >>> reported_value("SASRec", "V", "ml-1m", "SASRec", "NDCG@10", where={"maxlen": 200})
  0.587

Names go through ``names.py`` (``Movielens1m`` == ``ml-1m``, ``Recall@10`` == ``HR@10``). Rows of
one table that share dataset, method and metric differ by ``variant`` (SASRec Table IV, SSE-PT
Table 3, AttRec Tables 3-4) or by hyper-parameters (``where={"maxlen": 100}``, ``{"ps": 0.3}``,
``{"C": 500}``...); ``where={"di": None}`` asks for entries that do not print that key.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import json
import math
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sasrec_tf.reporting import names
from sasrec_tf.reporting.errors import LookupFailedError

DATA_FILE = "data/reported_numbers.json"

# Fields of a result entry that are neither identity, value, note nor formatting: hyper-parameters
# and protocol settings (d, maxlen, C, K, candidates, ...).
_IDENTITY = ("paper", "table", "dataset", "method", "metric", "value", "raw", "source_line",
             "variant")
_NOTE_FIELDS = ("note", "hp_note", "hp_source")


@dataclasses.dataclass(frozen=True)
class ReportedValue:
  """One number printed in a paper's table.

  Attributes:
    paper, table: e.g. "SASRec", "III".
    dataset, method, metric: canonical names (see ``names``).
    value: the number (percent columns stay percent, times stay seconds).
    raw: the cell text as printed.
    source_line: 1-based line of the paper text (``source_file(paper)``).
    variant: row variant label where the table has one, else None.
    hyper: printed hyper-parameters / protocol settings of the entry.
    notes: transcription notes (paper errors, OCR repairs, hyper-parameter provenance).
    formatting: typographic marks (bold, underlined, severe_drop_arrow).
    printed: dataset / method / metric exactly as the paper prints them.
  """

  paper: str
  table: str
  dataset: str
  method: str
  metric: str
  value: float
  raw: str
  source_line: int
  variant: Optional[str] = None
  hyper: Mapping[str, Any] = dataclasses.field(default_factory=dict)
  notes: Tuple[str, ...] = ()
  formatting: Tuple[str, ...] = ()
  printed: Mapping[str, str] = dataclasses.field(default_factory=dict)

  @property
  def source(self) -> str:
    """Human-readable origin, e.g. "SASRec Table III, line 259"."""
    return f"{self.paper} Table {self.table}, line {self.source_line}"

  def describe(self) -> str:
    """One line naming the entry and its distinguishing settings."""
    parts = [f"{self.paper} Table {self.table}", self.dataset, self.method, self.metric]
    if self.variant:
      parts.append(f"variant={self.variant!r}")
    parts.extend(f"{k}={v}" for k, v in self.hyper.items() if k != "candidates")
    return " | ".join(parts) + f" = {self.raw}"

  def to_dict(self) -> Dict[str, Any]:
    """JSON-ready copy."""
    return {
        "paper": self.paper, "table": self.table, "dataset": self.dataset,
        "method": self.method, "metric": self.metric, "value": self.value, "raw": self.raw,
        "source_line": self.source_line, "variant": self.variant, "hyper": dict(self.hyper),
        "notes": list(self.notes), "formatting": list(self.formatting),
        "printed": dict(self.printed),
    }


@functools.lru_cache(maxsize=1)
def _raw_data() -> Dict[str, Any]:
  text = importlib.resources.files("sasrec_tf.reporting").joinpath(DATA_FILE).read_text("utf-8")
  return json.loads(text)


def _entry(record: Mapping[str, Any]) -> ReportedValue:
  hyper = {k: v for k, v in record.items()
           if k not in _IDENTITY and k not in _NOTE_FIELDS and k != "formatting"}
  return ReportedValue(
      paper=names.canonical_paper(record["paper"]),
      table=str(record["table"]),
      dataset=names.canonical_dataset(record["dataset"]),
      method=names.canonical_method(record["method"]),
      metric=names.canonical_metric(record["metric"]),
      value=float(record["value"]),
      raw=str(record["raw"]),
      source_line=int(record["source_line"]),
      variant=record.get("variant"),
      hyper=hyper,
      notes=tuple(str(record[k]) for k in _NOTE_FIELDS if record.get(k)),
      formatting=tuple(record.get("formatting", ())),
      printed={"dataset": record["dataset"], "method": record["method"],
               "metric": record["metric"]},
  )


@functools.lru_cache(maxsize=1)
def all_reported() -> Tuple[ReportedValue, ...]:
  """Every reported number of the four papers, in file order."""
  return tuple(_entry(r) for r in _raw_data()["results"])


def raw_data() -> Dict[str, Any]:
  """A deep copy of the packaged JSON as transcribed (printed names, original fields)."""
  return json.loads(json.dumps(_raw_data()))


def source_file(paper: str) -> str:
  """The paper text the source_line numbers refer to."""
  seeds = _raw_data()["seed_files"]
  return seeds[_paper(paper)]


def _paper(paper: str) -> str:
  canonical = names.canonical_paper(paper)
  known = sorted({r["paper"] for r in _raw_data()["tables_meta"]})
  if canonical not in known:
    raise names.unknown_name_error("paper", paper, known)
  return canonical


def _tables_of(paper: str) -> List[str]:
  return [str(m["table"]) for m in _raw_data()["tables_meta"] if m["paper"] == paper]


def _table(paper: str, table) -> str:
  tables = _tables_of(paper)
  for spelling in names.table_spellings(table):
    if spelling in tables:
      return spelling
  raise LookupFailedError(
      f"{paper} has no table {table!r}; its tables are: {', '.join(tables)}.")


def _same(a: Any, b: Any) -> bool:
  if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
  if isinstance(a, str) and isinstance(b, str):
    return a.strip().lower() == b.strip().lower()
  return a == b


def _variant_matches(entry_variant: Optional[str], wanted: str) -> bool:
  """Whitespace/case-insensitive equality, or the "(k)" prefix: "(4)" / "4" -> "(4) Remove ..."."""
  if entry_variant is None:
    return False
  norm = lambda s: " ".join(str(s).split()).lower()
  if norm(entry_variant) == norm(wanted):
    return True
  number = re.match(r"^\((\d+)\)", entry_variant.strip())
  token = str(wanted).strip().strip("()")
  return bool(number) and token.isdigit() and number.group(1) == token


def _where_matches(entry: ReportedValue, where: Mapping[str, Any]) -> bool:
  for key, want in where.items():
    if want is None:
      if key in entry.hyper:
        return False
    elif key not in entry.hyper or not _same(entry.hyper[key], want):
      return False
  return True


def reported(paper: str, table, dataset: Optional[str] = None, method: Optional[str] = None,
             metric: Optional[str] = None, variant: Optional[str] = None,
             where: Optional[Mapping[str, Any]] = None) -> List[ReportedValue]:
  """All reported entries of one table that pass the given filters (any spelling).

  Args:
    paper: "SASRec", "SSE-PT", "SAS-FPT" or "AttRec" (case / hyphen-insensitive).
    table: table number as printed ("III", "1") or as an integer (3 finds "III").
    dataset, method, metric: optional filters, compared in canonical form.
    variant: optional row variant ("(4) Remove Dropout", or just "(4)").
    where: optional hyper-parameter filter, e.g. {"maxlen": 200}; a None value asks for
      entries without that key.

  Returns:
    Matching entries in file order (empty if the filters match nothing).

  Raises:
    LookupFailedError: unknown paper or table.
  """
  paper = _paper(paper)
  table = _table(paper, table)
  out = [e for e in all_reported() if e.paper == paper and e.table == table]
  if dataset is not None:
    out = [e for e in out if e.dataset == names.canonical_dataset(dataset)]
  if method is not None:
    out = [e for e in out if e.method == names.canonical_method(method)]
  if metric is not None:
    out = [e for e in out if e.metric == names.canonical_metric(metric)]
  if variant is not None:
    out = [e for e in out if _variant_matches(e.variant, variant)]
  if where:
    out = [e for e in out if _where_matches(e, where)]
  return out


def _no_match(what: str, value: str, stage: str, pool: Sequence[str]) -> LookupFailedError:
  pool = sorted(set(pool))
  near = names.close_matches(value, pool)
  hint = f" Close matches: {', '.join(near)}." if near else ""
  return LookupFailedError(
      f"No reported {what} {value!r} in {stage}.{hint} Available: {', '.join(pool)}.")


def reported_entry(paper: str, table, dataset: str, method: str, metric: str,
                   variant: Optional[str] = None,
                   where: Optional[Mapping[str, Any]] = None) -> ReportedValue:
  """The single entry matching every key; see ``reported`` for the arguments.

  Raises:
    LookupFailedError: nothing matches (the message names the first key that failed and lists
      close matches and what is available), or several entries match (the message lists them so
      that ``variant`` / ``where`` can pick one).
  """
  paper = _paper(paper)
  table = _table(paper, table)
  stage = f"{paper} Table {table}"
  pool = reported(paper, table)
  steps = (("dataset", dataset, lambda e: e.dataset, names.canonical_dataset),
           ("method", method, lambda e: e.method, names.canonical_method),
           ("metric", metric, lambda e: e.metric, names.canonical_metric))
  for what, value, field, canon in steps:
    kept = [e for e in pool if field(e) == canon(value)]
    if not kept:
      raise _no_match(what, value, stage, [field(e) for e in pool])
    pool = kept
    stage += f" / {field(kept[0])}"
  if variant is not None:
    kept = [e for e in pool if _variant_matches(e.variant, variant)]
    if not kept:
      raise _no_match("variant", variant, stage, [str(e.variant) for e in pool])
    pool = kept
  if where:
    kept = [e for e in pool if _where_matches(e, where)]
    if not kept:
      listing = "\n  ".join(e.describe() for e in pool)
      raise LookupFailedError(f"No entry of {stage} has {dict(where)}; candidates:\n  {listing}")
    pool = kept
  if len(pool) > 1:
    listing = "\n  ".join(e.describe() for e in pool)
    raise LookupFailedError(
        f"{len(pool)} reported entries match {stage}; pass variant= or where= to pick one:"
        f"\n  {listing}")
  return pool[0]


def reported_value(paper: str, table, dataset: str, method: str, metric: str,
                   variant: Optional[str] = None,
                   where: Optional[Mapping[str, Any]] = None) -> float:
  """The single reported number matching every key (see ``reported_entry``)."""
  return reported_entry(paper, table, dataset, method, metric, variant, where).value


def dataset_statistics(paper: str, dataset: str) -> Dict[str, Any]:
  """A paper's dataset-statistics row (SASRec II, SSE-PT 4, AttRec 1) for one dataset.

  Returns:
    A copy of the row with printed names kept (``dataset``) and ``canonical_dataset`` added.

  Raises:
    LookupFailedError: the paper prints no statistics for that dataset.
  """
  paper = _paper(paper)
  rows = [r for r in _raw_data()["dataset_statistics"] if r["paper"] == paper]
  wanted = names.canonical_dataset(dataset)
  for row in rows:
    if names.canonical_dataset(row["dataset"]) == wanted:
      return dict(row, canonical_dataset=wanted)
  raise _no_match("dataset statistics for", dataset, paper,
                  [names.canonical_dataset(r["dataset"]) for r in rows] or ["(none)"])


def table_description(paper: str, table) -> str:
  """The one-line description of a table (what it compares, its settings)."""
  paper = _paper(paper)
  table = _table(paper, table)
  for meta in _raw_data()["tables_meta"]:
    if meta["paper"] == paper and str(meta["table"]) == table:
      extra = [str(v) for k, v in meta.items() if k not in ("paper", "table", "what")]
      return " ".join([meta["what"]] + extra)
  raise LookupFailedError(f"no description for {paper} Table {table}")


def hyperparameter_table(paper: str) -> List[Dict[str, Any]]:
  """Rows of a paper's printed hyper-parameter table (only SAS-FPT has one)."""
  paper = _paper(paper)
  return [dict(r) for r in _raw_data()["hyperparameter_tables"] if r["paper"] == paper]


def not_reported_notes() -> List[str]:
  """Cells and figures the papers leave empty or give no numbers for."""
  return list(_raw_data()["not_reported"])
