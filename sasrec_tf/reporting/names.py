"""Canonical names for datasets, metrics, methods and papers, and their aliases.

The papers print the same thing under different names (``ML-1M`` / ``ml-1m`` / ``Movielens1m``,
``Hit@10`` / ``HR@10`` / ``Recall@10``, ``BPRMF`` / ``BPR``). Everything in ``reporting`` compares
canonical names, so table scripts can use the library's own spelling.

Canonical datasets: ``beauty games steam ml-1m ml-10m ml-100k`` (SASRec / SSE-PT / SAS-FPT /
AttRec MovieLens), plus AttRec's ``ml-hetrec android-app health-care video-game tools-home
digital-music garden instant-video lastfm movietweetings``. AttRec's ``video-game`` (7,220 users)
is a different preprocessing of Amazon Video Games than SASRec's ``games`` (31,013 users,
``Video.txt``), so the two are kept apart.

Canonical metrics: ``HR@K`` (aliases ``Hit@K``, ``Recall@K``: the same number under leave-one-out
with one held-out item), ``NDCG@K``, ``MRR``; a suffix such as ``_improvement_pct_vs_...`` is kept.
Other metric names (``training_time_seconds``...) are used as printed.

Canonical methods: the names printed by SASRec / SSE-PT (``PopRec``, ``BPR``, ``FMC``, ``SASRec``,
``SSE-PT``, ``SSE-PT++``...), with AttRec's ``BPRMF`` -> ``BPR`` and ``MC`` -> ``FMC``. Matching
ignores case, spaces, ``-``, ``_`` and ``.`` but not ``+`` (``TiSASRec+`` != ``TiSASRec``).
"""

from __future__ import annotations

import difflib
import re
from typing import Dict, Iterable, List

from sasrec_tf.reporting.errors import LookupFailedError

DATASETS = ("beauty", "games", "steam", "ml-1m", "ml-10m", "ml-100k", "ml-hetrec", "android-app",
            "health-care", "video-game", "tools-home", "digital-music", "garden", "instant-video",
            "lastfm", "movietweetings")

METRICS = ("HR@10", "NDCG@10", "HR@5", "NDCG@5", "HR@50", "MRR")

PAPERS = ("SASRec", "SSE-PT", "SAS-FPT", "AttRec")

METHODS = ("PopRec", "BPR", "FMC", "FPMC", "TransRec", "GRU4Rec", "GRU4Rec+", "Caser", "SASRec",
           "STAMP", "HGN", "SSE-SASRec", "PT", "SSE-PT", "SSE-PT++", "TiSASRec", "TiSASRec+",
           "TiSASRec++", "SAS-FPT", "AttRec", "HRM", "PRME", "LSTM+", "Personalized",
           "Un-Personalized")

# Squashed alias (lower case, letters and digits only) -> canonical dataset.
_DATASET_ALIASES: Dict[str, str] = {
    "amazonbeauty": "beauty",
    "amazongames": "games",
    "video": "games",  # SASRec's preprocessed file is data/Video.txt
    "movielens1m": "ml-1m",
    "movielens10m": "ml-10m",
    "movielens100k": "ml-100k",
    "movielenshetrec": "ml-hetrec",
    "hetrec": "ml-hetrec",
}

_METHOD_ALIASES: Dict[str, str] = {
    "bprmf": "BPR",
    "mc": "FMC",
    "pop": "PopRec",
    "popularity": "PopRec",
    "unpersonalised": "Un-Personalized",
    "personalised": "Personalized",
}

_RANK_METRIC = re.compile(r"^\s*(hit|hr|recall|ndcg)\s*@\s*(\d+)(.*)$", re.IGNORECASE)


def _squash(name: str) -> str:
  """Lower case, letters and digits only: 'ML-1M' -> 'ml1m'."""
  return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _method_key(name: str) -> str:
  """Lower case without spaces, '-', '_' and '.', keeping '+'."""
  return re.sub(r"[\s\-_.]", "", str(name).lower())


_DATASET_BY_KEY = {_squash(d): d for d in DATASETS}
_DATASET_BY_KEY.update(_DATASET_ALIASES)
_METHOD_BY_KEY = {_method_key(m): m for m in METHODS}
_METHOD_BY_KEY.update(_METHOD_ALIASES)
_PAPER_BY_KEY = {_squash(p): p for p in PAPERS}


def close_matches(name: str, choices: Iterable[str], n: int = 5) -> List[str]:
  """Up to n entries of choices that resemble name (case-insensitive)."""
  choices = sorted(set(str(c) for c in choices))
  lowered = {c.lower(): c for c in choices}
  hits = difflib.get_close_matches(str(name).lower(), list(lowered), n=n, cutoff=0.4)
  return [lowered[h] for h in hits]


def unknown_name_error(kind: str, name: str, known: Iterable[str]) -> LookupFailedError:
  known = sorted(set(known))
  near = close_matches(name, known)
  hint = f" Did you mean: {', '.join(near)}?" if near else ""
  return LookupFailedError(f"Unknown {kind} {name!r}.{hint} Known: {', '.join(known)}.")


def canonical_dataset(name: str, strict: bool = False) -> str:
  """Canonical dataset name ('Movielens1m' -> 'ml-1m', 'Video' -> 'games').

  Args:
    name: any spelling.
    strict: raise for names without a canonical form instead of returning them unchanged.

  Raises:
    LookupFailedError: strict and the name is unknown (the message lists close matches).
  """
  found = _DATASET_BY_KEY.get(_squash(name))
  if found is None:
    if strict:
      raise unknown_name_error("dataset", name, DATASETS)
    return str(name).strip()
  return found


def canonical_metric(name: str, strict: bool = False) -> str:
  """Canonical metric name ('Hit@10', 'recall@10' -> 'HR@10'; 'ndcg@5' -> 'NDCG@5').

  Args:
    name: any spelling.
    strict: raise for names other than HR@K / NDCG@K / MRR (with optional suffixes).

  Raises:
    LookupFailedError: strict and the name is unknown.
  """
  text = str(name).strip()
  match = _RANK_METRIC.match(text)
  if match:
    kind = "NDCG" if match.group(1).lower() == "ndcg" else "HR"
    return f"{kind}@{int(match.group(2))}{match.group(3)}"
  if text.lower() == "mrr":
    return "MRR"
  if strict:
    raise unknown_name_error("metric", name, METRICS)
  return text


def canonical_method(name: str, strict: bool = False) -> str:
  """Canonical method name ('ssept' -> 'SSE-PT', 'BPRMF' -> 'BPR', 'MC' -> 'FMC').

  Raises:
    LookupFailedError: strict and the name is unknown.
  """
  found = _METHOD_BY_KEY.get(_method_key(name))
  if found is None:
    if strict:
      raise unknown_name_error("method", name, METHODS)
    return str(name).strip()
  return found


def canonical_paper(name: str, strict: bool = False) -> str:
  """Canonical paper name ('sasrec' -> 'SASRec', 'ssept' -> 'SSE-PT', 'sasfpt' -> 'SAS-FPT').

  Raises:
    LookupFailedError: strict and the name is unknown.
  """
  found = _PAPER_BY_KEY.get(_squash(name))
  if found is None:
    if strict:
      raise unknown_name_error("paper", name, PAPERS)
    return str(name).strip()
  return found


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def table_spellings(table) -> List[str]:
  """The ways a table number may be printed: 3 -> ['3', 'III']; 'iii' -> ['III', '3']."""
  text = str(table).strip().upper()
  if text.startswith("TABLE"):
    text = text[len("TABLE"):].strip()
  out = [text]
  if text.isdigit() and 1 <= int(text) <= len(_ROMAN):
    out.append(_ROMAN[int(text) - 1])
  elif text in _ROMAN:
    out.append(str(_ROMAN.index(text) + 1))
  return out
