"""`PipelineRuntime`: serves a pipeline's model with its fitted transform (`transform/`)."""

import numpy as np

from kerasverse.serving.keras_runtime import KerasRuntime
from kerasverse.serving.runtime import Runtime
from kerasverse.serving.tensor_spec import TensorSpec


class PipelineRuntime(Runtime):
    """A version folder written by `kerasverse.pipeline`'s Pusher: raw rows in, the model's outputs out.

    The transform runs host-side per request
    (`ServingModel.transform_features`); the transformed features of several
    requests are then merged into one model call by the batcher.

    Args:
        serving_model: what `kerasverse.pipeline.load_serving_model(version_dir)` returns.

    Example:

    ```python
    from kerasverse.pipeline import load_serving_model

    runtime = PipelineRuntime(load_serving_model("serving/penguins/1733400000"))
    ```
    """

    def __init__(self, serving_model):
        self.serving_model = serving_model
        self._keras = KerasRuntime(serving_model.model)
        self.name = f"pipeline+{self._keras.name}"
        self._inputs = {
            name: TensorSpec(name, feature.get("dtype", "float32"), (None, *feature.get("shape", [])))
            for name, feature in serving_model.input_features.items()
        }
        names = list(getattr(serving_model, "output_names", None) or [])
        outputs = self._keras.outputs
        if len(names) == len(outputs):
            outputs = {new: TensorSpec(new, spec.dtype, spec.shape) for new, spec in zip(names, outputs.values())}
        self._outputs = outputs
        self.ignored_inputs = {serving_model.label_key} if getattr(serving_model, "label_key", None) else set()

    @property
    def inputs(self):
        return self._inputs

    @property
    def outputs(self):
        return self._outputs

    @property
    def model_inputs(self):
        return self._keras.model_inputs

    def preprocess(self, inputs):
        columns = {name: _column(value) for name, value in inputs.items()}
        features = self.serving_model.transform_features(columns)
        order = list(getattr(self.serving_model, "model_input_names", None) or features)
        arrays = {}
        for position, (name, spec) in enumerate(self.model_inputs.items()):
            key = name if name in features else order[position]
            arrays[name] = np.asarray(features[key]).astype(spec.dtype)
        return arrays

    def predict_batch(self, features):
        outputs = self._keras.predict_batch(features)
        return dict(zip(self._outputs, outputs.values()))

    def close(self):
        self._keras.close()


def _column(array: np.ndarray) -> list:
    values = array.tolist()
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in values]
