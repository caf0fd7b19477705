"""`experimental.combine`: QAT schemes that keep sparsity and clusters (tfmot names)."""

from kerasverse.optimize.quantization.quantization_ranges import strip_qat
from kerasverse.optimize.quantization.quantize_scheme import (
    Default8BitClusterPreserveQuantizeScheme,
)
from kerasverse.optimize.quantization.quantize_scheme import (
    Default8BitPrunePreserveQuantizeScheme,
)


def strip_clustering_cqat(to_strip):
    """Removes the QAT and cluster-preserving wrappers of a CQAT/PCQAT model.

    In tfmot this drops the centroid variables and leaves the QAT model for
    the TFLite converter. Here the centroids live inside `QuantizeWrapper`,
    so this is `quantization.strip_qat`: a plain Keras model whose clustered
    weights lie on the int8 grid, with the learned ranges attached (what
    `kerasverse.export.litert.export` uses).

    Args:
        to_strip: a model from `quantize_apply(...,
            Default8BitClusterPreserveQuantizeScheme())`.

    Returns:
        The plain model.
    """
    return strip_qat(to_strip)


__all__ = [
    "Default8BitClusterPreserveQuantizeScheme",
    "Default8BitPrunePreserveQuantizeScheme",
    "strip_clustering_cqat",
]
