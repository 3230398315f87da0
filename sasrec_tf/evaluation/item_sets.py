"""Re-export: ``ItemSets`` lives in ``sasrec_tf.data.item_sets`` (samplers and evaluation share it)."""

from sasrec_tf.data.item_sets import ItemSets  # noqa: F401
