"""Loading Hugging Face Transformers checkpoints into kerasverse models.

A model family supports HF checkpoints by subclassing `HuggingFaceConverter`
for its `model_type` and registering it with `register_converter`. Loading
then goes: `Backbone.from_preset(dir)` → `converter.backbone_kwargs(config)` →
build the backbone → `converter.load_backbone_weights(backbone, checkpoint)`.
Tokenizers go through `converter.tokenizer_kwargs(preset)`. A task whose head
exists in HF checkpoints (e.g. BERT's masked-LM head) calls
`load_hugging_face_task_weights(task, preset)` after building itself, which
runs `converter.load_task_weights(task, checkpoint)`.
"""

import abc
import json
import os

import numpy as np

_CONVERTERS = {}


class HuggingFaceConverter(abc.ABC):
    """Converts one HF `model_type` to a kerasverse model family.

    Subclasses set `model_type` and implement `backbone_kwargs` and
    `load_backbone_weights`; `tokenizer_kwargs` is optional.
    """

    model_type = None

    @abc.abstractmethod
    def backbone_kwargs(self, hf_config):
        """Backbone constructor arguments from the HF `config.json` dict."""

    @abc.abstractmethod
    def load_backbone_weights(self, backbone, checkpoint):
        """Assigns weights from a `SafetensorsCheckpoint` to `backbone`."""

    def load_task_weights(self, task, checkpoint):
        """Assigns the weights of `task`'s head from the checkpoint, when it has them.

        The default does nothing (the head keeps its initialization).
        Returns True when a head was loaded.
        """
        return False

    def tokenizer_kwargs(self, preset):
        """Tokenizer constructor arguments from the HF files in `preset`."""
        raise ValueError(
            f"The {self.model_type!r} converter cannot build a tokenizer from {preset!r}."
        )


def register_converter(converter_cls):
    """Class decorator registering a `HuggingFaceConverter` by `model_type`."""
    if not converter_cls.model_type:
        raise ValueError(f"{converter_cls.__name__} must set `model_type`.")
    _CONVERTERS[converter_cls.model_type] = converter_cls
    return converter_cls


def get_converter(model_type):
    if model_type not in _CONVERTERS:
        raise ValueError(
            f"No kerasverse converter for Hugging Face model_type={model_type!r}. "
            f"Supported: {sorted(_CONVERTERS)}."
        )
    return _CONVERTERS[model_type]()


def load_hugging_face_task_weights(task, preset):
    """Loads `task`'s head from the HF checkpoint in `preset` (see `load_task_weights`).

    Returns:
        True when the checkpoint held the head and it was loaded.
    """
    hf_config = read_hf_config(preset)
    return get_converter(hf_config["model_type"]).load_task_weights(task, SafetensorsCheckpoint(preset))


def read_hf_config(preset):
    with open(os.path.join(preset, "config.json"), encoding="utf-8") as file:
        return json.load(file)


class SafetensorsCheckpoint:
    """Reads tensors of a (possibly sharded) `model.safetensors` checkpoint.

    Tracks which tensors were used so a converter can assert it consumed the
    whole checkpoint. Tensors come back as float32-or-native numpy arrays.

    Args:
        preset: the checkpoint directory.
    """

    def __init__(self, preset):
        try:
            from safetensors.numpy import load_file
        except ImportError as error:
            raise ImportError(
                "Loading Hugging Face checkpoints needs `safetensors`: pip install 'kerasverse[nlp]'"
            ) from error
        index_path = os.path.join(preset, "model.safetensors.index.json")
        single_path = os.path.join(preset, "model.safetensors")
        if os.path.exists(index_path):
            with open(index_path, encoding="utf-8") as file:
                files = sorted(set(json.load(file)["weight_map"].values()))
        elif os.path.exists(single_path):
            files = ["model.safetensors"]
        else:
            raise ValueError(
                f"The Hugging Face checkpoint {preset!r} has no `model.safetensors` "
                f"(files present: {sorted(os.listdir(preset))}). Only safetensors checkpoints are read."
            )
        self.tensors = {}
        for name in files:
            try:
                self.tensors.update(load_file(os.path.join(preset, name)))
            except Exception as error:
                raise ValueError(f"The checkpoint file {name!r} in {preset!r} is corrupted: {error}") from error
        self.used = set()

    def keys(self):
        return list(self.tensors)

    def has(self, name, prefixes=("",)):
        """True if the checkpoint holds `name` under one of `prefixes`."""
        return any(prefix + name in self.tensors for prefix in prefixes)

    def get(self, name, prefixes=("",)):
        """The tensor `name`, trying each prefix (e.g. `"bert."`) in turn."""
        for prefix in prefixes:
            if prefix + name in self.tensors:
                self.used.add(prefix + name)
                return np.asarray(self.tensors[prefix + name])
        raise ValueError(f"The checkpoint has no tensor {name!r} (tried prefixes {list(prefixes)}).")

    def assign(self, variable, name, transform=None, prefixes=("",)):
        """Assigns tensor `name` (after `transform`) to a Keras variable, checking the shape."""
        value = self.get(name, prefixes)
        if transform is not None:
            value = transform(value)
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(
                f"Shape mismatch for {name!r}: checkpoint {tuple(value.shape)}, "
                f"variable {variable.path} {tuple(variable.shape)}."
            )
        variable.assign(value.astype(variable.dtype))

    def unused(self):
        return sorted(set(self.tensors) - self.used)
