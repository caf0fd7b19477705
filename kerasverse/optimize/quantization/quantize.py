"""`quantize_model`, `quantize_annotate_*`, `quantize_apply`, `quantize_scope`."""

import keras

from kerasverse.optimize import _model_utils
from kerasverse.optimize import _substitution
from kerasverse.optimize.quantization.quantize_annotate import QuantizeAnnotate
from kerasverse.optimize.quantization.quantize_config import QuantizeConfig
from kerasverse.optimize.quantization.quantize_config import default_config
from kerasverse.optimize.quantization.quantize_config import is_pass_through
from kerasverse.optimize.quantization.quantize_config import unsupported_layer_error
from kerasverse.optimize.quantization.quantize_scheme import QuantizeScheme
from kerasverse.optimize.quantization.quantize_wrapper import QuantizeWrapper


def quantize_annotate_layer(to_annotate, quantize_config=None):
    """Marks one layer for quantization by `quantize_apply`.

    Args:
        to_annotate: a Keras layer.
        quantize_config: a `QuantizeConfig`; required for layers kerasverse
            does not know (your own layers).

    Returns:
        A `QuantizeAnnotate` layer wrapping `to_annotate`.

    Example:

    ```python
    model = keras.Sequential([
        keras.Input((64,)),
        quantization.quantize_annotate_layer(keras.layers.Dense(32, activation="relu")),
        keras.layers.Dense(10),  # stays float
    ])
    qat = quantization.quantize_apply(model)
    ```
    """
    if not isinstance(to_annotate, keras.layers.Layer):
        raise ValueError(
            "`quantize_annotate_layer` expects a Keras layer. "
            f"Received: {type(to_annotate).__name__}. Use `quantize_annotate_model` for models."
        )
    if quantize_config is None and default_config(to_annotate) is None:
        raise unsupported_layer_error(to_annotate)
    return QuantizeAnnotate(to_annotate, quantize_config=quantize_config)


def quantize_annotate_model(to_annotate):
    """Marks every supported layer of a Sequential/Functional model.

    Layers with weights that kerasverse does not know raise a ValueError;
    annotate the others one by one with `quantize_annotate_layer` instead.
    """
    _model_utils.check_model(to_annotate, "quantize_annotate_model")

    def annotate(layer):
        if isinstance(layer, QuantizeAnnotate):
            # Keep the config object: a user's QuantizeConfig class need not be
            # registered (tfmot's guide annotates outside `quantize_scope`).
            return QuantizeAnnotate(
                _substitution.rebuild_like(layer.layer), quantize_config=layer.quantize_config
            )
        if default_config(layer) is not None:
            return QuantizeAnnotate(_substitution.rebuild_like(layer))
        if is_pass_through(layer) or not layer.weights:
            return None
        raise unsupported_layer_error(layer)

    return _model_utils.rewrite_model(to_annotate, annotate)


def _layers_fed_by_model_inputs(model):
    fed = set()
    for layer in model.layers:
        for node in getattr(layer, "_inbound_nodes", []):
            if any(
                isinstance(parent.operation, keras.layers.InputLayer) for parent in node.parent_nodes
            ):
                fed.add(id(layer))
    return fed


def _resolve_scheme(scheme, preserve_sparsity, preserve_clusters):
    if scheme is None:
        scheme = QuantizeScheme()
    if not isinstance(scheme, QuantizeScheme):
        raise ValueError(
            "Argument `scheme` must be a quantization scheme such as "
            "`quantization.default_8bit.Default8BitQuantizeScheme()` or "
            "`quantization.experimental.default_n_bit.DefaultNBitQuantizeScheme(num_bits_weight=4)`. "
            f"Received: scheme={scheme!r}."
        )
    kwargs = scheme.wrapper_kwargs()
    kwargs["preserve_sparsity"] = kwargs["preserve_sparsity"] or bool(preserve_sparsity)
    kwargs["preserve_clusters"] = kwargs["preserve_clusters"] or bool(preserve_clusters)
    return kwargs


def quantize_apply(
    model,
    scheme=None,
    quantized_layer_name_prefix="quant_",
    preserve_sparsity=False,
    preserve_clusters=False,
):
    """Turns the annotated layers of a model into `QuantizeWrapper`s.

    Layers fed directly by a model input also quantize that input (as
    tfmot's input `QuantizeLayer` does). Layers left unannotated stay float.

    Args:
        model: a model with `QuantizeAnnotate` layers.
        scheme: a `QuantizeScheme`: `Default8BitQuantizeScheme()` (the
            default), `DefaultNBitQuantizeScheme(num_bits_weight=4, ...)`
            for low-bit QAT, or the `experimental.combine` schemes that
            preserve sparsity and clusters. Layers annotated with a
            tfmot-style `QuantizeConfig` use their own quantizers.
        quantized_layer_name_prefix: the wrappers are named
            `prefix + layer.name`.
        preserve_sparsity: keep zero weights at zero during QAT (use after
            pruning so the sparsity survives).
        preserve_clusters: keep the distinct values of clustered weights
            shared (use after `strip_clustering`).

    Returns:
        A new model ready for quantization-aware training.
    """
    _model_utils.check_model(model, "quantize_apply")
    if not _model_utils.contains(model, QuantizeAnnotate):
        raise ValueError(
            f"`quantize_apply` expects a model with annotated layers. Received model "
            f"'{model.name}' without any `QuantizeAnnotate` layer. Use `quantize_model(model)` "
            "to quantize every layer, or `quantize_annotate_layer` first."
        )
    wrapper_kwargs = _resolve_scheme(scheme, preserve_sparsity, preserve_clusters)
    fed_by_inputs = _layers_fed_by_model_inputs(model)

    def apply(layer):
        if not isinstance(layer, QuantizeAnnotate):
            return None
        inner = _substitution.rebuild_like(layer.layer)
        quantize_inputs = id(layer) in fed_by_inputs and not isinstance(
            inner, keras.layers.Embedding
        )
        return QuantizeWrapper(
            inner,
            quantize_config=layer.quantize_config,
            quantize_inputs=quantize_inputs,
            name=f"{quantized_layer_name_prefix}{inner.name}",
            **wrapper_kwargs,
        )

    return _model_utils.rewrite_model(model, apply)


def quantize_model(
    to_quantize,
    quantized_layer_name_prefix="quant_",
    scheme=None,
    preserve_sparsity=False,
    preserve_clusters=False,
):
    """Prepares a model for quantization-aware training (int8 weights and activations).

    Same name as `tfmot.quantization.keras.quantize_model`: annotates every
    supported layer and applies `QuantizeWrapper`. Train the result with
    `fit` as usual (a few epochs at a small learning rate), then call
    `strip_qat` for a plain Keras model and its learned ranges.

    Args:
        to_quantize: a Sequential or Functional model.
        quantized_layer_name_prefix: the wrappers are named
            `prefix + layer.name`.
        scheme: a `QuantizeScheme` (see `quantize_apply`), e.g.
            `DefaultNBitQuantizeScheme(num_bits_weight=4)` for int4 weights.
            tfmot's `quantize_model` has no such argument (it needs
            `quantize_annotate_model` + `quantize_apply(model, scheme)`,
            which works here too).
        preserve_sparsity: keep zero weights at zero (after pruning).
        preserve_clusters: keep clustered weights' shared values (after
            clustering; tfmot's cluster-preserving QAT).

    Returns:
        A new model with fake quantization.

    Example:

    ```python
    from kerasverse.optimize import quantization

    qat = quantization.quantize_model(model)
    qat.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    qat.fit(x, y, epochs=2)
    plain = quantization.strip_qat(qat)
    ranges = quantization.get_quantization_ranges(plain)
    ```
    """
    _resolve_scheme(scheme, preserve_sparsity, preserve_clusters)  # Bad schemes fail first.
    return quantize_apply(
        quantize_annotate_model(to_quantize),
        scheme=scheme,
        quantized_layer_name_prefix=quantized_layer_name_prefix,
        preserve_sparsity=preserve_sparsity,
        preserve_clusters=preserve_clusters,
    )


def quantize_scope(*args):
    """A scope to load QAT models (tfmot compatibility; classes are registered anyway).

    Args:
        *args: dicts of extra custom objects.
    """
    objects = {
        "QuantizeWrapper": QuantizeWrapper,
        "QuantizeAnnotate": QuantizeAnnotate,
        "QuantizeConfig": QuantizeConfig,
    }
    for extra in args:
        objects.update(extra)
    return keras.saving.custom_object_scope(objects)
