"""`verify`: how closely an exported file reproduces the Keras model."""

import numpy as np


def compare_outputs(reference, candidate):
    """Max abs difference and (for classifier-shaped outputs) top-1 agreement.

    Args:
        reference: Keras outputs (array or list of arrays).
        candidate: runtime outputs, same structure.

    Returns:
        `{"max_abs_diff": float, "top1_agreement": float or None, "num_samples": int}`.
        Top-1 agreement is the fraction of samples whose argmax over the last
        axis agrees; it is given when the first output is `(samples, classes)`
        with more than one class, else None.
    """
    reference = reference if isinstance(reference, (list, tuple)) else [reference]
    candidate = candidate if isinstance(candidate, (list, tuple)) else [candidate]
    if len(reference) != len(candidate):
        raise ValueError(
            f"Output counts differ: Keras {len(reference)}, runtime {len(candidate)}."
        )
    max_diff = 0.0
    for ref, cand in zip(reference, candidate):
        ref, cand = np.asarray(ref, "float64"), np.asarray(cand, "float64")
        if ref.shape != cand.shape:
            raise ValueError(
                f"Output shapes differ: Keras {ref.shape}, runtime {cand.shape}."
            )
        if ref.size:
            max_diff = max(max_diff, float(np.max(np.abs(ref - cand))))
    first_ref, first_cand = np.asarray(reference[0]), np.asarray(candidate[0])
    top1 = None
    if first_ref.ndim == 2 and first_ref.shape[-1] > 1:
        top1 = float(np.mean(np.argmax(first_ref, -1) == np.argmax(first_cand, -1)))
    return {
        "max_abs_diff": max_diff,
        "top1_agreement": top1,
        "num_samples": int(len(first_ref)),
    }


def verify(model, path, inputs, batch_size=None):
    """Runs `inputs` through the Keras model and the `.tflite` file and compares.

    Args:
        model: the Keras model that was exported.
        path: the `.tflite` file.
        inputs: an array (list of arrays for multi-input models).
        batch_size: passed to both `predict` calls.

    Returns:
        `{"max_abs_diff": float, "top1_agreement": float or None, "num_samples": int}`.

    Example:

    ```python
    report = litert.verify(model, "digits_int8.tflite", x_test)
    assert report["top1_agreement"] >= 0.99
    ```
    """
    from kerasverse.export.litert.lite_model import LiteModel

    return compare_outputs(
        _keras_predict(model, inputs, batch_size),
        LiteModel(path).predict(inputs, batch_size),
    )


def _keras_predict(model, inputs, batch_size=None):
    return model.predict(inputs, batch_size=batch_size or 32, verbose=0)
