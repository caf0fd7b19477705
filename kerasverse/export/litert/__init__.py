"""kerasverse.export.litert: LiteRT (`.tflite`) export from any Keras backend.

`export` converts with TensorFlow's TFLite converter (imported only when
called; `pip install 'kerasverse[litert]'`): in-process on the TensorFlow
backend, otherwise in a child process that rebuilds the model from its config
and weights under `KERAS_BACKEND=tensorflow`. `LiteModel` runs the file in
`ai-edge-litert`'s Interpreter; `verify` compares it with Keras.
"""

from kerasverse.export.litert.export import export
from kerasverse.export.litert.export import export_many
from kerasverse.export.litert.lite_model import LiteModel
from kerasverse.export.litert.verify import compare_outputs
from kerasverse.export.litert.verify import verify

__all__ = ["LiteModel", "compare_outputs", "export", "export_many", "verify"]
