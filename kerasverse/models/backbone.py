"""`Backbone`: the base class of every kerasverse model family's trunk."""

import os

import keras

from kerasverse.models import hugging_face
from kerasverse.models import preset_io
from kerasverse.models.functional_subclass import FunctionalSubclassMixin


class Backbone(FunctionalSubclassMixin, keras.Model):
    """Base class for backbones: functional Keras models without a task head.

    A subclass builds its graph and calls
    `super().__init__(inputs=..., outputs=..., **kwargs)`; every constructor
    argument is kept as a same-named attribute and listed in the class's
    `config_arguments`, which `get_config` returns, so
    `from_config(get_config())` rebuilds the same architecture.

    Presets are local directories (see `kerasverse.models.preset_io`):
    `save_to_preset(dir)` writes `config.json`, `model.weights.h5` and
    `metadata.json`; `from_preset(dir)` reads them back, or converts a
    Hugging Face checkpoint when `dir` holds one and the family registered a
    converter for its `model_type`.

    Example:

    ```python
    import keras
    from kerasverse.models import Backbone

    @keras.saving.register_keras_serializable(package="my_package")
    class TinyBackbone(Backbone):
        config_arguments = ("hidden_dim",)

        def __init__(self, hidden_dim=8, **kwargs):
            inputs = keras.Input((4,))
            outputs = keras.layers.Dense(hidden_dim)(inputs)
            super().__init__(inputs=inputs, outputs=outputs, **kwargs)
            self.hidden_dim = hidden_dim

    backbone = TinyBackbone(hidden_dim=8)
    backbone.save_to_preset("/tmp/tiny_preset")
    restored = TinyBackbone.from_preset("/tmp/tiny_preset")
    ```
    """

    # Constructor arguments `get_config` returns (each kept as an attribute).
    config_arguments = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._finish_functional_init()

    def get_config(self):
        # Not Functional's graph config: subclasses rebuild from arguments.
        config = {"name": self.name, "trainable": self.trainable}
        config.update({name: getattr(self, name) for name in self.config_arguments})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @classmethod
    def from_preset(cls, preset, load_weights=True, **kwargs):
        """Builds the backbone saved in the local directory `preset`.

        Args:
            preset: a directory written by `save_to_preset`, or a Hugging Face
                checkpoint directory of a supported `model_type`.
            load_weights: load the saved weights (else random initialization).
            **kwargs: constructor arguments overriding the saved ones.
        """
        preset = preset_io.check_preset_dir(preset)
        if preset_io.is_hugging_face_checkpoint(preset):
            hf_config = hugging_face.read_hf_config(preset)
            converter = hugging_face.get_converter(hf_config["model_type"])
            backbone_cls = converter.backbone_cls
            if not issubclass(backbone_cls, cls):
                raise ValueError(
                    f"The checkpoint {preset!r} is a {hf_config['model_type']!r} model, which "
                    f"loads as {backbone_cls.__name__}, not {cls.__name__}."
                )
            backbone_kwargs = {**converter.backbone_kwargs(hf_config), **kwargs}
            # Read the checkpoint first: a missing or corrupted file fails before the build.
            checkpoint = hugging_face.SafetensorsCheckpoint(preset) if load_weights else None
            backbone = backbone_cls(**backbone_kwargs)
            if checkpoint is not None:
                converter.load_backbone_weights(backbone, checkpoint)
            return backbone
        backbone = preset_io.load_serialized(preset, preset_io.CONFIG_FILE, expected_cls=cls, **kwargs)
        if load_weights:
            preset_io.load_weights(backbone, preset, preset_io.WEIGHTS_FILE)
        return backbone

    def save_to_preset(self, preset_dir):
        """Writes this backbone's config, weights and metadata to `preset_dir`."""
        os.makedirs(preset_dir, exist_ok=True)
        preset_io.save_serialized(self, preset_dir, preset_io.CONFIG_FILE)
        self.save_weights(os.path.join(preset_dir, preset_io.WEIGHTS_FILE))
        preset_io.write_metadata(preset_dir, self)
