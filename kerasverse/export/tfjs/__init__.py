"""kerasverse.export.tfjs: Keras 3 models <-> the TF.js Layers format, without TensorFlow.

- `save_model(model, out_dir, quantize=None, shard_size_bytes=4 MiB)` writes
  `model.json` + `group1-shardKofM.bin` that `tf.loadLayersModel` reads.
- `check(model)` lists what cannot be exported, before exporting.
- `load_model(dir)` reads an export (ours, the official converter's, or one
  saved by tfjs' `model.save` after fine-tuning in JS) back into Keras 3.
- `verify(model, out_dir, inputs)` runs the export in real TF.js (Node) and
  reports the max abs difference from Keras.
"""

from kerasverse.export.tfjs.check import check
from kerasverse.export.tfjs.errors import UnsupportedModelError
from kerasverse.export.tfjs.load_model import load_model
from kerasverse.export.tfjs.quantization import QUANTIZE_DTYPES
from kerasverse.export.tfjs.runtime import NodeRuntime
from kerasverse.export.tfjs.save_model import save_model
from kerasverse.export.tfjs.supported_layers import supported_layer_names
from kerasverse.export.tfjs.verify import VerifyResult
from kerasverse.export.tfjs.verify import verify
from kerasverse.export.tfjs.verify import verify_many

__all__ = [
    "NodeRuntime",
    "QUANTIZE_DTYPES",
    "UnsupportedModelError",
    "VerifyResult",
    "check",
    "load_model",
    "save_model",
    "supported_layer_names",
    "verify",
    "verify_many",
]
