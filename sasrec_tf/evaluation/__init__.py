"""Evaluation protocols of the SASRec family and AttRec: metrics, candidates, inputs, evaluator.

Knows nothing about files: it works on a ``LeaveOneOutSplit`` and a scorer callable (see
``evaluator`` for how a model plugs in).
"""

from sasrec_tf.evaluation.candidates import (EXCLUSION_RULES, exclusion_sets, sample_candidates,
                                             sample_negatives, select_users)
from sasrec_tf.evaluation.evaluator import EvalDraw, Evaluator
from sasrec_tf.evaluation.inputs import eval_inputs, eval_time_inputs, last_n_windows
from sasrec_tf.data.item_sets import ItemSets
from sasrec_tf.evaluation.metrics import (hit_at_k, mrr, ndcg_at_k, ranks_from_scores,
                                          summarize)

__all__ = [
    "EXCLUSION_RULES", "EvalDraw", "Evaluator", "ItemSets", "eval_inputs", "eval_time_inputs",
    "exclusion_sets", "hit_at_k", "last_n_windows", "mrr", "ndcg_at_k", "ranks_from_scores",
    "sample_candidates", "sample_negatives", "select_users", "summarize",
]
