"""`Preprocessor`: turns raw inputs (strings, images) into model inputs."""

import os

import keras

from kerasverse.models import preset_io


class Preprocessor(keras.layers.Layer):
    """Base class for preprocessors, which run on the host before the model.

    A preprocessor maps `(x, y=None, sample_weight=None)` to model inputs,
    packed with `keras.utils.pack_x_y_sample_weight`. It owns a tokenizer
    (`tokenizer_cls` names its class) whose files are saved with the preset.

    Subclasses set `tokenizer_cls` and implement `call(x, y=None,
    sample_weight=None)`.

    Args:
        tokenizer: the tokenizer instance (or None for tokenizer-free
            preprocessing).
    """

    tokenizer_cls = None

    def __init__(self, tokenizer=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(tokenizer, dict):
            tokenizer = keras.saving.deserialize_keras_object(tokenizer)
        self.tokenizer = tokenizer

    def __call__(self, x, y=None, sample_weight=None, **kwargs):
        # Host-side: raw strings and Python lists are valid inputs here, so
        # skip Keras' symbolic-tensor call machinery and run `call` directly.
        return self.call(x, y=y, sample_weight=sample_weight, **kwargs)

    def get_config(self):
        config = super().get_config()
        if self.tokenizer is not None:
            config["tokenizer"] = keras.saving.serialize_keras_object(self.tokenizer)
        return config

    @classmethod
    def tokenizer_from_preset(cls, preset, **kwargs):
        """Builds `tokenizer_cls` from the preset (ours or Hugging Face)."""
        if cls.tokenizer_cls is None:
            return None
        if hasattr(cls.tokenizer_cls, "from_preset"):
            return cls.tokenizer_cls.from_preset(preset, **kwargs)
        return preset_io.load_serialized(
            preset, preset_io.TOKENIZER_CONFIG_FILE, expected_cls=cls.tokenizer_cls, **kwargs
        )

    @classmethod
    def from_preset(cls, preset, **kwargs):
        """Builds this preprocessor with the tokenizer saved in `preset`.

        If the preset holds a `preprocessor.json` of this same class, its
        settings (e.g. `sequence_length`) are used; `kwargs` override them.
        """
        preset = preset_io.check_preset_dir(preset)
        tokenizer = kwargs.pop("tokenizer", None) or cls.tokenizer_from_preset(preset)
        path = os.path.join(preset, preset_io.PREPROCESSOR_CONFIG_FILE)
        if os.path.exists(path):
            saved = preset_io.read_json(preset, preset_io.PREPROCESSOR_CONFIG_FILE)
            if saved.get("class_name") == cls.__name__:
                config = {**saved["config"], **kwargs, "tokenizer": tokenizer}
                return cls.from_config(config)
        return cls(tokenizer=tokenizer, **kwargs)

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def save_to_preset(self, preset_dir):
        """Writes the tokenizer (config and assets) and this preprocessor's config."""
        os.makedirs(preset_dir, exist_ok=True)
        if self.tokenizer is not None:
            if hasattr(self.tokenizer, "save_to_preset"):
                self.tokenizer.save_to_preset(preset_dir)
            else:
                preset_io.save_serialized(self.tokenizer, preset_dir, preset_io.TOKENIZER_CONFIG_FILE)
        serialized = keras.saving.serialize_keras_object(self)
        serialized["config"].pop("tokenizer", None)  # Saved on its own, with its assets.
        preset_io.write_json(preset_dir, preset_io.PREPROCESSOR_CONFIG_FILE, serialized)
