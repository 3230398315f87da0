"""Where a result came from: command, flags, git state, library versions, hardware, time.

``collect_provenance`` never fails because something is missing: unknown facts are recorded as
"unknown". TensorFlow is not imported here; GPUs are listed only when the caller already imported
it (otherwise "tensorflow not imported").
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import pathlib
import platform
import shlex
import socket
import subprocess
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from sasrec_tf.reporting.errors import DirtyTreeError
from sasrec_tf.reporting.files import atomic_write_json, atomic_write_text, to_jsonable

__all__ = ["collect_provenance", "git_state", "library_versions", "hardware", "require_clean_tree",
           "utc_now", "atomic_write_json", "atomic_write_text"]

UNKNOWN = "unknown"
_PACKAGE_ROOT = pathlib.Path(__file__).resolve().parents[2]
_DISTRIBUTIONS = {"numpy": ("numpy",), "scipy": ("scipy",), "absl": ("absl-py",),
                  "tensorflow": ("tensorflow", "tensorflow-cpu", "tf-nightly"),
                  "sasrec_tf": ("sasrec_tf",)}
_MAX_DIRTY_PATHS = 50


def utc_now() -> str:
  """Current UTC time as ISO 8601 with a trailing Z, to the second."""
  now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
  return now.isoformat().replace("+00:00", "Z")


def _git(repo: pathlib.Path, *args: str) -> Optional[str]:
  try:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          timeout=10, check=False)
  except (OSError, subprocess.SubprocessError):
    return None
  return done.stdout if done.returncode == 0 else None


def git_state(repo_dir: Optional[Union[str, os.PathLike]] = None) -> Dict[str, Any]:
  """Revision, branch and dirty state of the git repository holding repo_dir.

  Args:
    repo_dir: any directory inside the repository; defaults to the one holding this package.

  Returns:
    {"revision", "branch", "dirty", "changed_paths"}; revision/branch/dirty are "unknown" when
    git is missing or repo_dir is not in a repository.
  """
  repo = pathlib.Path(repo_dir) if repo_dir is not None else _PACKAGE_ROOT
  unknown = {"revision": UNKNOWN, "branch": UNKNOWN, "dirty": UNKNOWN, "changed_paths": []}
  revision = _git(repo, "rev-parse", "HEAD")
  if revision is None:
    return unknown
  branch = _git(repo, "rev-parse", "--abbrev-ref", "HEAD")
  status = _git(repo, "status", "--porcelain", "--untracked-files=normal")
  changed = [line[3:] for line in status.splitlines() if line.strip()] if status is not None else []
  return {
      "revision": revision.strip(),
      "branch": branch.strip() if branch else UNKNOWN,
      "dirty": bool(changed) if status is not None else UNKNOWN,
      "changed_paths": changed[:_MAX_DIRTY_PATHS] + (
          [f"... {len(changed) - _MAX_DIRTY_PATHS} more"] if len(changed) > _MAX_DIRTY_PATHS
          else []),
  }


def require_clean_tree(provenance: Mapping[str, Any]) -> None:
  """Raises DirtyTreeError unless the recorded git state is a clean checkout."""
  git = provenance.get("git", {})
  if git.get("dirty") is not False:
    state = "has uncommitted changes" if git.get("dirty") is True else "state is unknown"
    paths = ", ".join(git.get("changed_paths", [])[:10])
    raise DirtyTreeError(
        f"refusing to produce a reported result: the working tree {state}"
        f"{' (' + paths + ')' if paths else ''}. Commit first, or allow a dirty tree (recorded).")


def library_versions() -> Dict[str, str]:
  """Versions of Python and the libraries results depend on (installed, not imported)."""
  out = {"python": platform.python_version()}
  for name, dists in _DISTRIBUTIONS.items():
    module = sys.modules.get(name)
    version = getattr(module, "__version__", None) if module is not None else None
    for dist in dists:
      if version is not None:
        break
      try:
        version = importlib.metadata.version(dist)
      except importlib.metadata.PackageNotFoundError:
        pass
    out[name] = str(version) if version is not None else "not installed"
  return out


def _cpu_model() -> str:
  try:
    with open("/proc/cpuinfo", "r", encoding="utf-8", errors="replace") as handle:
      for line in handle:
        if line.lower().startswith("model name"):
          return line.split(":", 1)[1].strip()
  except OSError:
    pass
  return platform.processor() or UNKNOWN


def _memory_bytes() -> Union[int, str]:
  try:
    with open("/proc/meminfo", "r", encoding="utf-8") as handle:
      for line in handle:
        if line.startswith("MemTotal:"):
          return int(line.split()[1]) * 1024
  except (OSError, ValueError, IndexError):
    pass
  try:
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
  except (ValueError, OSError, AttributeError):
    return UNKNOWN


def _gpus() -> Union[List[Dict[str, Any]], str]:
  tf = sys.modules.get("tensorflow")
  if tf is None:
    return "tensorflow not imported"
  try:
    devices = tf.config.list_physical_devices("GPU")
  except Exception as exc:  # pylint: disable=broad-except
    return f"{UNKNOWN} ({type(exc).__name__}: {exc})"
  out = []
  for device in devices:
    entry: Dict[str, Any] = {"name": device.name}
    try:
      entry.update(to_jsonable(tf.config.experimental.get_device_details(device)))
    except Exception:  # pylint: disable=broad-except
      pass
    out.append(entry)
  return out


def hardware() -> Dict[str, Any]:
  """CPU model, core counts, memory, GPUs (via an already imported TensorFlow), platform."""
  try:
    usable = len(os.sched_getaffinity(0))
  except (AttributeError, OSError):
    usable = os.cpu_count() or UNKNOWN
  return {
      "cpu_model": _cpu_model(),
      "cpu_count": os.cpu_count() or UNKNOWN,
      "cpu_usable": usable,
      "memory_bytes": _memory_bytes(),
      "gpus": _gpus(),
      "platform": platform.platform(),
  }


def _flag_values(flags: Any) -> Dict[str, Any]:
  if flags is None:
    return {}
  if hasattr(flags, "flag_values_dict"):  # absl FlagValues
    try:
      return to_jsonable(flags.flag_values_dict())
    except Exception as exc:  # pylint: disable=broad-except
      return {"error": f"{type(exc).__name__}: {exc}"}
  return to_jsonable(dict(flags))


def collect_provenance(argv: Optional[Sequence[str]] = None, flags: Any = None,
                       seeds: Optional[Sequence[int]] = None,
                       repo_dir: Optional[Union[str, os.PathLike]] = None) -> Dict[str, Any]:
  """Everything needed to say how a result was produced.

  Args:
    argv: the command line (default ``sys.argv``).
    flags: an absl ``FlagValues`` (e.g. ``absl.flags.FLAGS``) or a plain mapping of settings.
    seeds: the seeds of the run(s).
    repo_dir: directory inside the git repository to describe (default: this package's).

  Returns:
    A JSON-ready dict with keys command, command_line, cwd, flags, seeds, git, versions,
    hardware, hostname, start_time_utc, pid.
  """
  argv = list(sys.argv if argv is None else argv)
  return {
      "command": argv,
      "command_line": shlex.join(str(a) for a in argv),
      "cwd": os.getcwd(),
      "flags": _flag_values(flags),
      "seeds": [int(s) for s in seeds] if seeds is not None else None,
      "git": git_state(repo_dir),
      "versions": library_versions(),
      "hardware": hardware(),
      "hostname": socket.gethostname(),
      "start_time_utc": utc_now(),
      "pid": os.getpid(),
  }
