"""`quantization.default_8bit` (tfmot spelling): the default int8 scheme."""

from kerasverse.optimize.quantization.quantize_scheme import Default8BitQuantizeScheme

__all__ = ["Default8BitQuantizeScheme"]
