"""Keras layers of the self-attentive recommenders; pure tensor code, no file access."""

from sasrec_tf.layers.attention import CausalSelfAttention
from sasrec_tf.layers.block import SelfAttentionBlock
from sasrec_tf.layers.embeddings import PositionEmbedding, SequenceEmbedding, ZeroPadEmbedding
from sasrec_tf.layers.feed_forward import PointWiseFeedForward
from sasrec_tf.layers.prediction import EmbeddingScorer
