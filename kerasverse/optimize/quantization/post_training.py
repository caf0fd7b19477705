"""`post_training_quantize`: a thin front to Keras' own `model.quantize`."""

import warnings

from kerasverse.optimize import _model_utils

MODES = ("int8", "int4", "float8", "gptq", "awq")


def post_training_quantize(model, mode="int8", **kwargs):
    """Returns a post-training-quantized copy of `model` (Keras' `model.quantize`).

    Keras quantizes in place; this copies the model first so the float model
    stays usable (to compare, or to train further). Everything else is
    Keras: per-channel int8/int4 weights with dynamic activation
    quantization, float8, GPTQ and AWQ (those two need `config=` with
    calibration data, see Keras' documentation).

    Args:
        model: a Sequential or Functional Keras model.
        mode: `"int8"`, `"int4"`, `"float8"`, `"gptq"` or `"awq"`.
        **kwargs: passed to `model.quantize` (e.g. `config=`).

    Returns:
        The quantized copy.

    Example:

    ```python
    from kerasverse import optimize

    int8_model = optimize.quantization.post_training_quantize(model, "int8")
    print(optimize.summary(int8_model))
    ```
    """
    if mode not in MODES:
        raise ValueError(
            f"Argument `mode` must be one of {MODES}. Received: mode={mode!r}. "
            "For quantization-aware training use `quantize_model`."
        )
    _model_utils.check_model(model, "post_training_quantize")
    copy = _model_utils.rewrite_model(model, lambda layer: None)
    with warnings.catch_warnings():
        # Keras warns once per layer it leaves in float (pooling, flatten...).
        warnings.filterwarnings("ignore", message=".*does not have a `quantize` method")
        copy.quantize(mode, **kwargs)
    return copy


