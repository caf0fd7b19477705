"""kerasverse.export.onnx: ONNX export from any Keras backend, with onnxruntime.

`export` wraps Keras' `model.export(format="onnx")` (fixed or dynamic batch,
optional int8 dynamic quantization with onnxruntime's tools); `OnnxModel` runs
the file in onnxruntime; `verify` compares it with Keras.
"""

from kerasverse.export.onnx.export import export
from kerasverse.export.onnx.export import quantize
from kerasverse.export.onnx.onnx_model import OnnxModel
from kerasverse.export.onnx.verify import verify

__all__ = ["OnnxModel", "export", "quantize", "verify"]
