"""`PreprocessedModel`: what `export_model()` returns when inputs need host-side encoding."""

import keras
import numpy as np

from kerasverse.automl.preprocessing.tabular_encoder import TabularEncoder
from kerasverse.automl.preprocessing.text_encoder import TextEncoder


def _encoder(config):
    if config is None:
        return None
    state = {k: v for k, v in config.items() if k != "kind"}
    if config["kind"] == "text":
        return TextEncoder.from_state(state)
    return TabularEncoder.from_state(state)


@keras.saving.register_keras_serializable(package="kerasverse.automl")
class PreprocessedModel(keras.Model):
    """A Keras model plus the host-side encoders of its inputs (the WordPiece
    vocabulary of text, the vocabularies and fill values of table columns).

    `predict`/`evaluate`/`fit` take raw data (strings, DataFrames, rows with
    missing values), encode it with numpy on the host, then run `model`
    (the plain functional Keras model, which `kerasverse.export` takes).
    The encoders are part of the config, so a `.keras` file holds all of it
    (load it after `import kerasverse.automl`, or with
    `custom_objects=ak.CUSTOM_OBJECTS`).

    Args:
        model: The functional Keras model on encoded inputs.
        encoders: One config per model input (None: passed through).

    Example:

    ```python
    exported = clf.export_model()
    exported.predict(["a great film"])
    exported.model  # the plain Keras model on token ids, for kerasverse.export
    ```
    """

    def __init__(self, model, encoders, **kwargs):
        super().__init__(**kwargs)
        self.model = model
        self.encoders = list(encoders)
        self._encoder_objects = [_encoder(c) for c in self.encoders]
        # It adds no weights of its own: built when `model` is (else Keras
        # warns on `save` that the model "might not contain any weights").
        self.built = model.built

    @property
    def tokenizer(self):
        """The `kerasverse.nlp` WordPiece tokenizer of the text input (None when no input is text).

        For a web page: `kerasverse.export.tfjs.save_model(exported.model, out_dir,
        tokenizer=exported.tokenizer)` writes `vocab.txt` and `tokenizer.json`, which
        `kerasverse-layers.js`' `WordPieceTokenizer` reads; pad (or cut) its ids with 0 to the
        model's input length, as `encode` does.
        """
        for encoder in self._encoder_objects:
            if isinstance(encoder, TextEncoder):
                return encoder.tokenizer
        return None

    def call(self, inputs, training=None):
        return self.model(inputs, training=training)

    def encode(self, x):
        """Raw inputs (one per model input) -> the model's numeric inputs."""
        xs = list(x) if isinstance(x, (list, tuple)) and len(self.encoders) > 1 else [x]
        if len(xs) != len(self.encoders):
            raise ValueError(f"The model takes {len(self.encoders)} inputs. Received: {len(xs)}.")
        encoded = [
            np.asarray(value, dtype="float32") if encoder is None else encoder.transform(value)
            for encoder, value in zip(self._encoder_objects, xs)
        ]
        return encoded if len(encoded) > 1 else encoded[0]

    def predict(self, x, *args, **kwargs):
        return super().predict(self.encode(x), *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        return super().evaluate(self.encode(x), y, *args, **kwargs)

    def fit(self, x=None, y=None, *args, **kwargs):
        return super().fit(self.encode(x), y, *args, **kwargs)

    def get_config(self):
        return {"model": keras.saving.serialize_keras_object(self.model), "encoders": self.encoders,
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["model"] = keras.saving.deserialize_keras_object(config["model"])
        return cls(**config)
