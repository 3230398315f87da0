"""Reproduction reporting: reported numbers, statistics over seeds, provenance, tables.

Modules (import what you need; this package imports nothing on its own):
  reported      the four papers' reported numbers (packaged data/reported_numbers.json)
  names         canonical dataset / metric / method names and their aliases
  stats         mean, sample std, t confidence intervals, paired t-tests
  provenance    command, flags, git state, versions, hardware of a run
  files         atomic JSON / text writes
  tables        the one Reported | Reproduced | Diff renderer (markdown + JSON)
  table_runner  the driver behind every per-table script (rows x seeds, resume, render)
  errors        exceptions shared with the code being driven
"""
