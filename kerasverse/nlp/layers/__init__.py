"""kerasverse.nlp.layers: Keras layers for text models.

Modeling layers (transformer blocks, embeddings, heads) run on the
accelerator with `keras.ops`; preprocessing layers (packers, mask
generators) run on the host with numpy.
"""

from kerasverse.nlp.layers.modeling import CachedMultiHeadAttention
from kerasverse.nlp.layers.modeling import MaskedLMHead
from kerasverse.nlp.layers.modeling import PositionEmbedding
from kerasverse.nlp.layers.modeling import ReversibleEmbedding
from kerasverse.nlp.layers.modeling import RotaryEmbedding
from kerasverse.nlp.layers.modeling import SinePositionEncoding
from kerasverse.nlp.layers.modeling import TokenAndPositionEmbedding
from kerasverse.nlp.layers.modeling import TransformerDecoder
from kerasverse.nlp.layers.modeling import TransformerEncoder
from kerasverse.nlp.layers.preprocessing import MaskedLMMaskGenerator
from kerasverse.nlp.layers.preprocessing import MultiSegmentPacker
from kerasverse.nlp.layers.preprocessing import StartEndPacker

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
    "MaskedLMMaskGenerator",
    "MultiSegmentPacker",
    "StartEndPacker",
]
