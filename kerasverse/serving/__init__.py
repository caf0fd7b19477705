"""kerasverse.serving: a model server with TensorFlow Serving's REST contract for Keras 3 models.

`kerasverse serve --model_name=digits --model_base_path=models/digits` serves
numeric version folders (`.keras`, `.kvz`, `.onnx`, `.tflite`, or a pipeline's
model with its transform) on TF Serving's `/v1/models/...` routes, KServe v2's
`/v2/...` routes and `/monitoring/prometheus/metrics`, with hot reload and
dynamic batching. See docs/serving.md.

Example:

```python
from kerasverse.serving import Client, ModelServer

with ModelServer([("digits", "models/digits")], rest_api_port=0) as server:
    probabilities = Client(server.url).predict("digits", x_test[:4])
```
"""

from kerasverse.serving.batching import BatchingParameters
from kerasverse.serving.client import Client
from kerasverse.serving.client import ServingClientError
from kerasverse.serving.config import ModelConfig
from kerasverse.serving.config import load_batching_parameters
from kerasverse.serving.config import load_model_config
from kerasverse.serving.errors import ServingError
from kerasverse.serving.loader import LoadOptions
from kerasverse.serving.loader import load_version
from kerasverse.serving.model_source import FileSystemModelSource
from kerasverse.serving.model_source import ModelSource
from kerasverse.serving.ray_serve import build_ray_app
from kerasverse.serving.runtime import Runtime
from kerasverse.serving.server import ModelServer
from kerasverse.serving.server import free_port
from kerasverse.serving.tensor_spec import TensorSpec

__all__ = [
    "BatchingParameters",
    "Client",
    "FileSystemModelSource",
    "LoadOptions",
    "ModelConfig",
    "ModelServer",
    "ModelSource",
    "Runtime",
    "ServingClientError",
    "ServingError",
    "TensorSpec",
    "build_ray_app",
    "free_port",
    "load_batching_parameters",
    "load_model_config",
    "load_version",
]
