"""Host-side text preprocessing layers (numpy): packers and MLM masking."""

from kerasverse.nlp.layers.preprocessing.masked_lm_mask_generator import (
    MaskedLMMaskGenerator,
)
from kerasverse.nlp.layers.preprocessing.multi_segment_packer import MultiSegmentPacker
from kerasverse.nlp.layers.preprocessing.start_end_packer import StartEndPacker

__all__ = [
    "MaskedLMMaskGenerator",
    "MultiSegmentPacker",
    "StartEndPacker",
]
