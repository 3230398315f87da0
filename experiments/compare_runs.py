"""Compare train.py runs with a paper's reported numbers, side by side.

  python experiments/compare_runs.py --runs=runs/games_s0,runs/games_s1 \
      --paper=SASRec --table=III --method=SASRec --name=sasrec_games

Runs of the same model and dataset are pooled over their seeds (mean ± std). Unfinished runs
(status "running") are included only with --allow_partial and are marked as such in the table.
Writes results/<name>.md and .json next to the runs' own provenance.
"""

import os
import sys

from absl import app, flags

flags.DEFINE_list("runs", None, "run directories (each holding results.json)", required=True)
flags.DEFINE_string("paper", "SASRec", "paper whose numbers to compare with")
flags.DEFINE_string("table", "III", "table of that paper")
flags.DEFINE_string("method", "SASRec", "row name of the method in that table")
flags.DEFINE_list("metrics", ["NDCG@10", "HR@10"], "metrics to compare")
flags.DEFINE_string("name", None, "output name (default: <method>_<dataset>)")
flags.DEFINE_string("results_dir", "results", "where to write <name>.md / .json")
flags.DEFINE_bool("allow_partial", False, "include runs that have not finished")
FLAGS = flags.FLAGS


def main(argv):
  del argv
  from sasrec_tf.reporting import reported, tables
  from sasrec_tf.reporting.files import read_json
  from sasrec_tf.reporting.provenance import collect_provenance

  results = [read_json(os.path.join(d, "results.json")) for d in FLAGS.runs]
  partial = [r for r in results if r.get("status") not in ("complete", "stopped_early")]
  if partial and not FLAGS.allow_partial:
    raise app.UsageError(f"{len(partial)} run(s) have not finished; pass --allow_partial")
  groups = {}
  for r in results:
    groups.setdefault(r["dataset"], []).append(r)
  rows, notes = [], []
  for dataset, runs in groups.items():
    for metric in FLAGS.metrics:
      try:
        value = reported.reported_value(FLAGS.paper, FLAGS.table, dataset, FLAGS.method, metric)
      except KeyError:
        value = None
      status = None
      if any(r["status"] == "running" for r in runs):
        status = "partial: " + ", ".join(
            f"seed {r['seed']} at epoch {r['epochs_run']}/{r['settings']['num_epochs']}"
            for r in runs)
      rows.append(tables.TableRow(
          label=FLAGS.method, dataset=dataset, metric=metric, reported=value,
          values=[r["test"][metric] for r in runs], seeds=[r["seed"] for r in runs],
          status=status,
          extra={"best_epochs": [r["best_epoch"] for r in runs],
                 "epochs_run": [r["epochs_run"] for r in runs],
                 "train_time_s": [r["train_time_s"] for r in runs],
                 "seconds_per_epoch": [r.get("seconds_per_epoch") for r in runs],
                 "git": [r["provenance"]["git"].get("revision") for r in runs]}))
    for r in runs:
      hw = r["provenance"].get("hardware", {})
      notes.append(
          f"{dataset} seed {r['seed']}: test metrics at the best validation NDCG@10 epoch "
          f"{r['best_epoch']} of {r['epochs_run']} run ({r['status']}); training "
          f"{(r['train_time_s'] or 0) / 60:.1f} min, median {r.get('seconds_per_epoch') or 0:.1f} "
          f"s/epoch on {hw.get('cpu_model', '?')} ({hw.get('cpu_count', '?')} cores); git "
          f"{r['provenance']['git'].get('revision', '?')[:10]}; command `"
          f"{r['provenance'].get('command_line', '?')}`")
  table = tables.Table(
      title=f"{FLAGS.method} vs {FLAGS.paper} Table {FLAGS.table}", rows=rows,
      description="Reproduced test metrics (100 sampled negatives) next to the reported ones.",
      notes=notes)
  name = FLAGS.name or f"{FLAGS.method.lower()}_{'_'.join(groups)}"
  print(tables.render_text(table))
  md, js = tables.write_table(FLAGS.results_dir, name, table,
                              collect_provenance(argv=sys.argv, flags=FLAGS))
  print(f"wrote {md} and {js}")


if __name__ == "__main__":
  app.run(main)
