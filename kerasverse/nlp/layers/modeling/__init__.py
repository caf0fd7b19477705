"""Keras modeling layers for transformers (the `keras_hub.layers` modeling set)."""

from kerasverse.nlp.layers.modeling.cached_multi_head_attention import (
    CachedMultiHeadAttention,
)
from kerasverse.nlp.layers.modeling.masked_lm_head import MaskedLMHead
from kerasverse.nlp.layers.modeling.position_embedding import PositionEmbedding
from kerasverse.nlp.layers.modeling.reversible_embedding import ReversibleEmbedding
from kerasverse.nlp.layers.modeling.rotary_embedding import RotaryEmbedding
from kerasverse.nlp.layers.modeling.sine_position_encoding import SinePositionEncoding
from kerasverse.nlp.layers.modeling.token_and_position_embedding import (
    TokenAndPositionEmbedding,
)
from kerasverse.nlp.layers.modeling.transformer_decoder import TransformerDecoder
from kerasverse.nlp.layers.modeling.transformer_encoder import TransformerEncoder
from kerasverse.nlp.layers.modeling.transformer_layer_utils import compute_causal_mask

__all__ = [
    "CachedMultiHeadAttention",
    "MaskedLMHead",
    "PositionEmbedding",
    "ReversibleEmbedding",
    "RotaryEmbedding",
    "SinePositionEncoding",
    "TokenAndPositionEmbedding",
    "TransformerDecoder",
    "TransformerEncoder",
    "compute_causal_mask",
]
