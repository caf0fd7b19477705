"""Finding and loading the model file of one version folder."""

import dataclasses
import os
import zipfile

from kerasverse.serving.runtime import Runtime

# Model files a version folder may hold, in the order they are preferred.
MODEL_EXTENSIONS = (".keras", ".kvz", ".onnx", ".tflite")
TRANSFORM_FILE = os.path.join("transform", "transform.json")
RUNTIMES = ("keras", "onnx", "auto")


@dataclasses.dataclass(frozen=True)
class LoadOptions:
    """How version folders are loaded.

    Args:
        unsafe_deserialization: load `.keras` files with `safe_mode=False`
            (Lambda layers run Python code from the file: trusted files only).
        runtime: for `.keras` files, `"keras"` (the current backend),
            `"onnx"` (exported to ONNX at load, verified against Keras on a
            probe batch, served by onnxruntime) or `"auto"` (ONNX when it
            verifies and is faster on the probe batch).
        num_threads: threads for onnxruntime/LiteRT (`None`: their default).
    """

    unsafe_deserialization: bool = False
    runtime: str = "keras"
    num_threads: int | None = None

    def __post_init__(self):
        if self.runtime not in RUNTIMES:
            raise ValueError(f"Unknown runtime. Received: runtime={self.runtime!r}; expected one of {RUNTIMES}.")


def find_model_file(version_dir: str) -> str | None:
    """The model file of a version folder, or None while none is complete.

    A `.keras` (zip) file counts as complete once its central directory can
    be read, so a file still being copied is not loaded; a pipeline folder
    also needs `transform/transform.json`.
    """
    try:
        names = sorted(os.listdir(version_dir))
    except OSError:
        return None
    for extension in MODEL_EXTENSIONS:
        for name in names:
            path = os.path.join(version_dir, name)
            if name.endswith(extension) and not name.startswith(".") and os.path.isfile(path):
                if extension == ".keras" and not zipfile.is_zipfile(path):
                    continue
                if os.path.isdir(os.path.join(version_dir, "transform")) and not os.path.isfile(
                    os.path.join(version_dir, TRANSFORM_FILE)
                ):
                    return None
                return path
    return None


def folder_signature(version_dir: str) -> tuple:
    """(name, size, mtime) of every file under the folder: a failed load is retried when this changes."""
    entries = []
    for root, _, files in os.walk(version_dir):
        for name in files:
            try:
                stat = os.stat(os.path.join(root, name))
            except OSError:
                continue
            entries.append((os.path.relpath(os.path.join(root, name), version_dir), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(entries))


def load_version(version_dir: str, options: LoadOptions | None = None) -> Runtime:
    """Loads the model of one version folder into a `Runtime`.

    Args:
        version_dir: a folder such as `models/digits/1733400000`.
        options: a `LoadOptions`.

    Returns:
        A `KerasRuntime`, `PipelineRuntime`, `OnnxRuntime` or `LiteRTRuntime`.

    Raises:
        ValueError: no complete model file, a refused Lambda layer, or a
            model that does not verify against its ONNX export.
    """
    options = options or LoadOptions()
    path = find_model_file(version_dir)
    if path is None:
        raise ValueError(
            f"No complete model file in {version_dir!r}: expected one of {', '.join('*' + e for e in MODEL_EXTENSIONS)}."
        )
    if os.path.isfile(os.path.join(version_dir, TRANSFORM_FILE)):
        try:
            from kerasverse.pipeline import load_serving_model
        except ImportError as error:
            raise ValueError(
                f"{version_dir!r} holds a pipeline transform, which needs kerasverse.pipeline: "
                f"`pip install 'kerasverse[pipeline]'`. ({error})"
            ) from None
        from kerasverse.serving.pipeline_runtime import PipelineRuntime

        return PipelineRuntime(load_serving_model(version_dir))
    if path.endswith(".keras"):
        from kerasverse.serving.keras_runtime import load_keras

        runtime = load_keras(path, safe_mode=not options.unsafe_deserialization)
        if options.runtime != "keras":
            from kerasverse.serving.onnx_conversion import to_onnx_runtime

            runtime = to_onnx_runtime(runtime, required=options.runtime == "onnx", num_threads=options.num_threads)
        return runtime
    if path.endswith(".kvz"):
        from kerasverse.serving.keras_runtime import load_kvz

        return load_kvz(path)
    if path.endswith(".onnx"):
        from kerasverse.serving.onnx_runtime import OnnxRuntime

        return OnnxRuntime(path, num_threads=options.num_threads)
    from kerasverse.serving.litert_runtime import LiteRTRuntime

    return LiteRTRuntime(path, num_threads=options.num_threads)
