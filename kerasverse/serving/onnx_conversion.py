"""Serving a `.keras` model through ONNX Runtime: exported at load, verified against Keras on a probe batch."""

import logging
import os
import tempfile
import time

import numpy as np

from kerasverse.serving.keras_runtime import KerasRuntime
from kerasverse.serving.onnx_runtime import OnnxRuntime
from kerasverse.serving.runtime import Runtime

logger = logging.getLogger("kerasverse.serving")
PROBE_BATCH = 8
TOLERANCE = 1e-4


def probe_batch(runtime: Runtime, size: int = PROBE_BATCH, seed: int = 0) -> dict[str, np.ndarray]:
    """Random inputs for `runtime.model_inputs` (standard normal floats, small non-negative integers)."""
    rng = np.random.default_rng(seed)
    features = {}
    for name, spec in runtime.model_inputs.items():
        shape = (size, *[1 if s is None else s for s in spec.shape[1:]])
        if np.dtype(spec.dtype).kind == "f":
            features[name] = rng.standard_normal(shape).astype(spec.dtype)
        elif np.dtype(spec.dtype).kind == "b":
            features[name] = rng.random(shape) < 0.5
        else:
            features[name] = rng.integers(0, 2, shape).astype(spec.dtype)
    return features


def _median_seconds(runtime: Runtime, features, repeat: int = 5) -> float:
    runtime.predict_batch(features)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        runtime.predict_batch(features)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def to_onnx_runtime(runtime: KerasRuntime, required: bool, num_threads: int | None = None) -> Runtime:
    """Exports `runtime`'s model to ONNX, checks it on a probe batch and returns the runtime to serve.

    Args:
        runtime: the loaded `KerasRuntime`.
        required: `True` (`--runtime=onnx`): serve ONNX or fail the load;
            `False` (`--runtime=auto`): serve ONNX only when it verifies and
            is faster on the probe batch, else keep Keras.
        num_threads: onnxruntime intra-op threads.

    Returns:
        An `OnnxRuntime` (with the Keras model's input and output names) or `runtime`.

    Raises:
        ValueError: with `required`, when export fails or outputs differ by more than 1e-4.
    """
    if runtime.preprocessor is not None:
        if required:
            raise ValueError("Models with a string preprocessor cannot run in ONNX Runtime; serve them with --runtime=keras.")
        return runtime
    from kerasverse.export import onnx

    workdir = tempfile.mkdtemp(prefix="kerasverse-serving-onnx-")
    path = os.path.join(workdir, "model.onnx")
    try:
        onnx.export(runtime.model, path)
        candidate = OnnxRuntime(path, num_threads=num_threads, input_names=list(runtime.model_inputs),
                                output_names=list(runtime.outputs))
        features = probe_batch(runtime)
        expected = runtime.predict_batch(features)
        got = candidate.predict_batch(features)
        difference = max(float(np.max(np.abs(expected[n].astype("float64") - got[n]))) for n in expected)
        scale = max(1.0, max(float(np.max(np.abs(v))) for v in expected.values()))
        if not difference <= TOLERANCE * scale:
            raise ValueError(f"The ONNX export differs from Keras by {difference:.3g} on the probe batch (tolerance {TOLERANCE * scale:.3g}).")
    except Exception as error:
        if required:
            raise ValueError(f"Serving through ONNX Runtime failed: {error}") from error
        logger.warning("Keeping Keras for this version: %s", error)
        return runtime
    if required:
        runtime.close()
        return candidate
    keras_time, onnx_time = _median_seconds(runtime, features), _median_seconds(candidate, features)
    logger.info("Probe batch: Keras %.3f ms, ONNX Runtime %.3f ms", keras_time * 1e3, onnx_time * 1e3)
    if onnx_time < keras_time:
        runtime.close()
        return candidate
    candidate.close()
    return runtime
