"""Progress line with rate and ETA for long loops."""

from __future__ import annotations

import sys
import time


def format_seconds(s: float) -> str:
  s = int(round(s))
  h, rem = divmod(s, 3600)
  m, sec = divmod(rem, 60)
  return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class Progress:
  """Prints ``label done/total [elapsed<eta] extra`` to a stream.

  On a terminal the line is rewritten in place; otherwise one line is printed every
  ``every`` seconds at most, so logs of background runs stay short.
  """

  def __init__(self, total: int, label: str = "", stream=None, every: float = 30.0,
               start_done: int = 0):
    self.total, self.label = int(total), label
    self.stream = stream or sys.stderr
    self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
    self.every = 0.5 if self.tty else every
    self.start = time.monotonic()
    self.start_done = int(start_done)
    self._last = 0.0

  def eta(self, done: int) -> float:
    elapsed = time.monotonic() - self.start
    rate = (done - self.start_done) / elapsed if elapsed > 0 else 0.0
    return (self.total - done) / rate if rate > 0 else float("nan")

  def update(self, done: int, extra: str = "", force: bool = False):
    now = time.monotonic()
    if not force and now - self._last < self.every and done < self.total:
      return
    self._last = now
    eta = self.eta(done)
    eta_s = format_seconds(eta) if eta == eta else "?"
    line = (f"{self.label} {done}/{self.total} [{format_seconds(now - self.start)}<{eta_s}]"
            f" {extra}")
    if self.tty:
      self.stream.write("\r" + line.ljust(100))
      if done >= self.total:
        self.stream.write("\n")
    else:
      self.stream.write(line + "\n")
    self.stream.flush()
