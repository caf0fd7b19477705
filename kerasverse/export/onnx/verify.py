"""`verify`: how closely an `.onnx` file reproduces the Keras model."""

from kerasverse.export.litert.verify import compare_outputs


def verify(model, path, inputs, batch_size=None):
    """Runs `inputs` through the Keras model and the `.onnx` file and compares.

    Args:
        model: the Keras model that was exported.
        path: the `.onnx` file.
        inputs: an array (list of arrays for multi-input models).
        batch_size: passed to both `predict` calls (must match a fixed batch).

    Returns:
        `{"max_abs_diff": float, "top1_agreement": float or None, "num_samples": int}`.

    Example:

    ```python
    report = onnx.verify(model, "digits.onnx", x_test)
    assert report["max_abs_diff"] < 1e-4
    ```
    """
    from kerasverse.export.onnx.onnx_model import OnnxModel

    candidate = OnnxModel(path).predict(inputs, batch_size)
    reference = model.predict(inputs, batch_size=batch_size or 32, verbose=0)
    return compare_outputs(reference, candidate)
