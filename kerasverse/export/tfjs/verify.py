"""`verify`: run an export in real TF.js (Node) and compare with Keras."""

import dataclasses
import os

import keras
import numpy as np

from kerasverse.export.tfjs.runtime import NodeRuntime
from kerasverse.export.tfjs.save_model import save_model


@dataclasses.dataclass
class VerifyResult:
    """What `verify` measured.

    Attributes:
        max_abs_diff: the largest |TF.js - Keras| over all outputs.
        per_output: the largest difference of each output.
        outputs: the TF.js outputs (numpy arrays).
        error: why TF.js could not load or run the export (`verify_many`
            only; `verify` raises instead), else None.
    """

    max_abs_diff: float
    per_output: list
    outputs: list
    error: str = None

    def ok(self, atol=1e-5):
        return self.error is None and self.max_abs_diff <= atol


def _as_list(x):
    if isinstance(x, dict):
        raise ValueError(f"Pass model inputs as an array or a list of arrays; TF.js models take lists. Received a dict with keys {sorted(x)}.")
    return list(x) if isinstance(x, (list, tuple)) else [x]


def verify(model, out_dir, inputs, runtime=None):
    """Loads the export in TF.js (`tf.loadLayersModel` in Node) and compares outputs.

    Args:
        model: the Keras 3 model that was exported.
        out_dir: the export folder; when it holds no `model.json` yet,
            `save_model(model, out_dir)` writes it first.
        inputs: an array or list of arrays, as for `model.predict`.
        runtime: a `NodeRuntime` (default: node on PATH and the repository's
            `js/node_modules`).

    Returns:
        A `VerifyResult`; `result.max_abs_diff` is <= 1e-5 for float32
        exports of supported layers.

    Example:

    ```python
    result = kerasverse.export.tfjs.verify(model, "web_model", x)
    assert result.ok(atol=1e-5), result.max_abs_diff
    ```
    """
    result = verify_many([(model, out_dir, inputs)], runtime=runtime)[0]
    if result.error:
        raise RuntimeError(result.error)
    return result


def verify_many(cases, runtime=None):
    """`verify` for several `(model, out_dir, inputs)` cases in one Node process.

    Returns:
        One `VerifyResult` per case; a case TF.js fails on has `error` set
        (and `max_abs_diff` infinite) instead of raising.
    """
    runtime = runtime or NodeRuntime()
    requests, expected = [], []
    for model, out_dir, inputs in cases:
        if not os.path.exists(os.path.join(out_dir, "model.json")):
            save_model(model, out_dir)
        inputs = [np.asarray(x) for x in _as_list(inputs)]
        keras_outputs = model(inputs if len(inputs) > 1 else inputs[0], training=False)
        expected.append([np.asarray(keras.ops.convert_to_numpy(y)) for y in _as_list(keras_outputs)])
        requests.append({"op": "predict", "model_dir": out_dir, "inputs": inputs})
    results = []
    for (model, out_dir, _), result, want in zip(cases, runtime.run_batch(requests), expected):
        if "error" in result:
            message = f"TF.js could not load or run the export in {out_dir} of model `{model.name}`: {result['error']}"
            results.append(VerifyResult(float("inf"), [], [], error=message))
            continue
        got = result["outputs"]
        if len(got) != len(want):
            raise AssertionError(f"TF.js returned {len(got)} outputs for `{model.name}`; Keras returned {len(want)}.")
        per_output = []
        for g, w in zip(got, want):
            if g.shape != w.shape:
                raise AssertionError(f"Output shape differs for `{model.name}`: TF.js {g.shape}, Keras {w.shape}.")
            per_output.append(float(np.max(np.abs(g - w))) if g.size else 0.0)
        results.append(VerifyResult(max(per_output, default=0.0), per_output, got))
    return results
