"""Keras layers of the self-attentive recommenders; pure tensor code, no file access."""

from sasrec_tf.layers.attention import CausalSelfAttention
from sasrec_tf.layers.block import SelfAttentionBlock
from sasrec_tf.layers.dropout import BitDropout
from sasrec_tf.layers.embeddings import PositionEmbedding, SequenceEmbedding, ZeroPadEmbedding
from sasrec_tf.layers.feed_forward import PointWiseFeedForward
from sasrec_tf.layers.layer_norm import LayerNorm
from sasrec_tf.layers.prediction import EmbeddingScorer
from sasrec_tf.layers.metric_attention import ShortTermSelfAttention
from sasrec_tf.layers.sse import ItemSSE, StochasticIdReplacement
from sasrec_tf.layers.time_attention import TimeIntervalAttention, TimeIntervalAttentionBlock
