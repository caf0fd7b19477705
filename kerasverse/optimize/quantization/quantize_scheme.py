"""Quantization schemes: which bit widths and which constraints QAT uses.

`quantize_apply(model, scheme)` / `quantize_model(model, scheme=...)` take
one. The names are tfmot's (`tfmot.quantization.keras.default_8bit`,
`tfmot.quantization.keras.experimental.default_n_bit`,
`tfmot.experimental.combine`); a scheme here is a small value object (bit
widths, per-axis, what to preserve) rather than tfmot's registry and layout
transform pair.
"""

import keras

from kerasverse.optimize.quantization.quantizers import check_num_bits


@keras.saving.register_keras_serializable(package="kerasverse")
class QuantizeScheme:
    """Base class of schemes: the settings `quantize_apply` gives every wrapper.

    Args:
        num_bits_weight: bits of the symmetric weight grid (2 to 8).
        num_bits_activation: bits of the asymmetric activation grid (2 to 8).
        per_axis: one weight scale per output channel (`True`) or per tensor.
        preserve_sparsity: keep zero weights at zero during QAT.
        preserve_clusters: keep clustered weights' shared values shared.

    Example:

    >>> from kerasverse.optimize import quantization
    >>> scheme = quantization.QuantizeScheme(num_bits_weight=4)
    >>> scheme.get_config()["num_bits_weight"]
    4
    """

    def __init__(
        self,
        num_bits_weight=8,
        num_bits_activation=8,
        per_axis=True,
        preserve_sparsity=False,
        preserve_clusters=False,
    ):
        self.num_bits_weight = check_num_bits(num_bits_weight, "num_bits_weight")
        self.num_bits_activation = check_num_bits(num_bits_activation, "num_bits_activation")
        self.per_axis = bool(per_axis)
        self.preserve_sparsity = bool(preserve_sparsity)
        self.preserve_clusters = bool(preserve_clusters)

    def wrapper_kwargs(self):
        """The `QuantizeWrapper` arguments this scheme sets."""
        return {
            "num_bits_weight": self.num_bits_weight,
            "num_bits_activation": self.num_bits_activation,
            "per_axis": self.per_axis,
            "preserve_sparsity": self.preserve_sparsity,
            "preserve_clusters": self.preserve_clusters,
        }

    def get_config(self):
        return self.wrapper_kwargs()

    @classmethod
    def from_config(cls, config):
        return QuantizeScheme(**config)

    def __repr__(self):
        settings = ", ".join(f"{k}={v!r}" for k, v in self.wrapper_kwargs().items())
        return f"{type(self).__name__}({settings})"


@keras.saving.register_keras_serializable(package="kerasverse")
class Default8BitQuantizeScheme(QuantizeScheme):
    """int8 per-channel weights, int8 activations (what `quantize_model` uses)."""

    def __init__(self):
        super().__init__()


@keras.saving.register_keras_serializable(package="kerasverse")
class DefaultNBitQuantizeScheme(QuantizeScheme):
    """n-bit weights and activations (tfmot's experimental `default_n_bit`).

    Args:
        disable_per_axis: one weight scale per tensor instead of per output
            channel.
        num_bits_weight: 2 to 8 (4 for int4 weights).
        num_bits_activation: 2 to 8.

    Example:

    ```python
    scheme = quantization.experimental.default_n_bit.DefaultNBitQuantizeScheme(
        num_bits_weight=4, num_bits_activation=8)
    qat = quantization.quantize_model(model, scheme=scheme)
    ```
    """

    def __init__(self, disable_per_axis=False, num_bits_weight=8, num_bits_activation=8):
        super().__init__(
            num_bits_weight=num_bits_weight,
            num_bits_activation=num_bits_activation,
            per_axis=not disable_per_axis,
        )


@keras.saving.register_keras_serializable(package="kerasverse")
class Default8BitPrunePreserveQuantizeScheme(QuantizeScheme):
    """int8 QAT that keeps pruned weights at zero (PQAT, `tfmot.experimental.combine`)."""

    def __init__(self):
        super().__init__(preserve_sparsity=True)


@keras.saving.register_keras_serializable(package="kerasverse")
class Default8BitClusterPreserveQuantizeScheme(QuantizeScheme):
    """int8 QAT that keeps clustered weights clustered (CQAT; PCQAT with sparsity).

    Args:
        preserve_sparsity: also keep zeros at zero (tfmot's default, for
            pruned-then-clustered models: PCQAT).
    """

    def __init__(self, preserve_sparsity=True):
        super().__init__(preserve_sparsity=preserve_sparsity, preserve_clusters=True)
