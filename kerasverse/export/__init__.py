"""kerasverse.export: Keras 3 models to runtime formats, with runners and verification.

Subpackages (imported on first access):

- `kerasverse.export.tfjs`: TF.js Layers format, written without TensorFlow.
- `kerasverse.export.litert`: LiteRT (`.tflite`) from any backend; imports
  TensorFlow only when converting.
- `kerasverse.export.onnx`: ONNX through Keras' own exporter, with onnxruntime.

Each exporter has a runner that loads the artifact in the real runtime and a
`verify(model, path, inputs)` reporting the max difference from Keras.
"""

import importlib

_SUBPACKAGES = ("tfjs", "litert", "onnx")

__all__ = list(_SUBPACKAGES)


def __getattr__(name):
    if name in _SUBPACKAGES:
        module = importlib.import_module(f"kerasverse.export.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'kerasverse.export' has no attribute '{name}'. Available: {', '.join(_SUBPACKAGES)}.")
