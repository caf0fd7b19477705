"""`load_serving_model(version_dir)`: a pushed model with its transform, predicting on raw rows.

The contract with `kerasverse serve` (CONTRACT-pipeline-serving): a version
folder holds `model.keras` and, for pipeline models, `transform/transform.json`.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from kerasverse.pipeline.tft.transform_output import TRANSFORM_DIR
from kerasverse.pipeline.tft.transform_output import TRANSFORM_FILE
from kerasverse.pipeline.tft.transform_output import TFTransformOutput
from kerasverse.pipeline.tft.transform_output import rows_to_columns

MODEL_FILE = "model.keras"


def _model_input_names(model) -> list[str]:
    structure = model.input
    if isinstance(structure, dict):
        return list(structure)
    if isinstance(structure, (list, tuple)):
        return [tensor.name for tensor in structure]
    return [structure.name]


def _dtype_name(dtype: Any) -> str:
    text = str(dtype)
    if "string" in text or "object" in text:
        return "string"
    if "int" in text:
        return "int64"
    return "float32"


class ServingModel:
    """A Keras model plus its fitted transform; `predict` takes raw rows.

    Args:
        version_dir: A folder holding `model.keras` (and `transform/`), e.g. a
            Pusher version folder or a Trainer's `Format-Serving` folder.

    Attributes:
        model: The Keras model; its inputs are `transform_features`' keys.
        input_features: The raw features a request carries:
            `{name: {"dtype": "string"|"float32"|"int64", "shape": []}}`, label excluded.
        label_key: The label's name (not needed at serving time), or None.
        output_names: The model's output names.

    Example:

    ```python
    serving_model = tfx.load_serving_model("serving/1767225600")
    serving_model.predict([{"island": "Biscoe", "bill_length_mm": 39.1, ...}])  # (1, 3) probabilities
    ```
    """

    def __init__(self, version_dir: str) -> None:
        import keras

        path = os.path.join(version_dir, MODEL_FILE)
        if not os.path.isfile(path) and os.path.isfile(os.path.join(version_dir, "Format-Serving", MODEL_FILE)):
            version_dir = os.path.join(version_dir, "Format-Serving")
            path = os.path.join(version_dir, MODEL_FILE)
        if not os.path.isfile(path):
            raise ValueError(f"load_serving_model: no {MODEL_FILE} in {version_dir}. Fix: pass a Pusher version folder.")
        self.version_dir = version_dir
        self.model = keras.saving.load_model(path, safe_mode=True)
        self.model_input_names = _model_input_names(self.model)
        self.output_names = list(getattr(self.model, "output_names", None) or ["output_0"])
        has_transform = os.path.isfile(os.path.join(version_dir, TRANSFORM_DIR, TRANSFORM_FILE))
        self.transform = TFTransformOutput(version_dir) if has_transform else None
        if self.transform is not None:
            self.label_key = self.transform.label_key
            raw = self.transform.raw_feature_spec()
            self.input_features = {name: dict(spec) for name, spec in raw.items() if name != self.label_key}
        else:
            self.label_key = None
            self.input_features = {
                tensor.name: {"dtype": _dtype_name(tensor.dtype), "shape": list(tensor.shape[1:])}
                for tensor in (self.model.inputs or [])
            }

    def transform_features(self, instances: Any, keep_label: bool = False) -> dict[str, np.ndarray]:
        """The model's inputs (batch first) for raw rows; with `keep_label`, also the transformed label."""
        if self.transform is None:
            columns = rows_to_columns(instances, self.input_features)
            return {name: np.asarray(columns[name], dtype=np.float32) if self.input_features[name]["dtype"] == "float32"
                    else columns[name] for name in self.input_features}
        outputs = self.transform.transform_raw_features(instances)
        keep = set(self.model_input_names) | ({self.label_key} if keep_label and self.label_key else set())
        missing = sorted(set(self.model_input_names) - set(outputs))
        if missing:
            raise ValueError(
                f"The model expects inputs {missing} that preprocessing_fn does not produce "
                f"(it produces {sorted(outputs)}). The model and its transform do not match."
            )
        return {key: value for key, value in outputs.items() if key in keep}

    def predict(self, instances: Any, batch_size: int = 256) -> np.ndarray:
        """Predictions for raw rows (a list of row dicts or a dict of columns), batch first."""
        features = self.transform_features(instances)
        inputs = features if isinstance(self.model.input, dict) else [features[name] for name in self.model_input_names]
        if isinstance(inputs, list) and len(inputs) == 1:
            inputs = inputs[0]
        num_rows = len(next(iter(features.values()))) if features else 0
        if num_rows <= batch_size:
            # One direct call: no compiled predict function to build for a request-sized batch.
            from keras import ops

            return np.asarray(ops.convert_to_numpy(self.model(inputs, training=False)))
        return np.asarray(self.model.predict(inputs, batch_size=batch_size, verbose=0))


def load_serving_model(version_dir: str) -> ServingModel:
    """Loads a pushed model folder for raw-row predictions (see `ServingModel`)."""
    return ServingModel(version_dir)
