"""`quantization.experimental.default_n_bit` (tfmot spelling): n-bit QAT."""

from kerasverse.optimize.quantization.quantize_scheme import DefaultNBitQuantizeScheme

__all__ = ["DefaultNBitQuantizeScheme"]
