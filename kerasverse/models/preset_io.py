"""Reading and writing preset directories (the keras_hub layout).

A kerasverse preset is a local directory:

```
config.json           the backbone, as `keras.saving.serialize_keras_object`
model.weights.h5      the backbone's weights
tokenizer.json        the tokenizer (config only); its files in assets/tokenizer/
preprocessor.json     the preprocessor (optional)
task.json             the task (optional); task.weights.h5 its weights
metadata.json         versions, parameter count, date saved
```

A directory holding a Hugging Face Transformers checkpoint instead
(`config.json` with a `model_type`, `model.safetensors`) is recognised by
`is_hugging_face_checkpoint` and converted on load by the converter registered
for its `model_type` (see `hugging_face.py`).
"""

import datetime
import json
import os

import keras

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
TOKENIZER_CONFIG_FILE = "tokenizer.json"
PREPROCESSOR_CONFIG_FILE = "preprocessor.json"
TASK_CONFIG_FILE = "task.json"
TASK_WEIGHTS_FILE = "task.weights.h5"
METADATA_FILE = "metadata.json"
ASSETS_DIR = "assets"


def check_preset_dir(preset):
    """Checks `preset` is an existing directory and returns it as a string."""
    if not isinstance(preset, str | os.PathLike):
        raise TypeError(f"`preset` must be a path to a local preset directory. Received: preset={preset!r}")
    preset = os.fspath(preset)
    if not os.path.isdir(preset):
        raise ValueError(
            f"Preset directory not found: {preset!r}. kerasverse loads presets from a local "
            "directory written by `save_to_preset` or a Hugging Face checkpoint directory; "
            "there are no downloads."
        )
    return preset


def preset_file(preset, name, required=True):
    """Path of `name` inside `preset`; a clear error when it is missing."""
    path = os.path.join(preset, name)
    if required and not os.path.exists(path):
        present = sorted(os.listdir(preset))
        raise ValueError(
            f"The preset {preset!r} has no `{name}`. Files present: {present}. "
            "Write the preset with `save_to_preset` (or pass a complete Hugging Face checkpoint)."
        )
    return path


def read_json(preset, name):
    path = preset_file(preset, name)
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"The preset file {path!r} is corrupted (not valid JSON): {error}") from error


def write_json(preset, name, data):
    os.makedirs(preset, exist_ok=True)
    with open(os.path.join(preset, name), "w", encoding="utf-8") as file:
        json.dump(data, file, indent=4)
        file.write("\n")


def is_hugging_face_checkpoint(preset):
    """True if `preset` holds a Hugging Face Transformers checkpoint."""
    path = os.path.join(preset, CONFIG_FILE)
    if not os.path.exists(path) or os.path.exists(os.path.join(preset, METADATA_FILE)):
        return False
    try:
        with open(path, encoding="utf-8") as file:
            config = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(config, dict) and "model_type" in config and "class_name" not in config


def save_serialized(obj, preset, config_file):
    """Writes `obj`'s serialized config to `config_file`, and its assets if any."""
    write_json(preset, config_file, keras.saving.serialize_keras_object(obj))
    if hasattr(obj, "save_assets"):
        assets_dir = os.path.join(preset, ASSETS_DIR, os.path.splitext(config_file)[0])
        os.makedirs(assets_dir, exist_ok=True)
        obj.save_assets(assets_dir)


def load_serialized(preset, config_file, expected_cls=None, **overrides):
    """Rebuilds the object saved by `save_serialized`.

    Args:
        preset: the preset directory.
        config_file: the JSON file name inside it.
        expected_cls: when given, the saved object must be this class or a
            subclass of it.
        **overrides: constructor arguments replacing the saved ones.
    """
    config = read_json(preset, config_file)
    if not isinstance(config, dict) or "config" not in config:
        raise ValueError(f"The preset file `{config_file}` in {preset!r} is not a serialized Keras object.")
    config = dict(config)
    config["config"] = {**config["config"], **overrides}
    try:
        obj = keras.saving.deserialize_keras_object(config)
    except Exception as error:  # Unknown class, bad arguments, ...
        raise ValueError(
            f"Could not rebuild the object in `{config_file}` of {preset!r}: {error}. "
            "Import the module that defines its class before loading."
        ) from error
    if expected_cls is not None and not isinstance(obj, expected_cls):
        raise ValueError(
            f"`{config_file}` in {preset!r} holds a {type(obj).__name__}, which is not a "
            f"{expected_cls.__name__}. Load it with `{type(obj).__name__}.from_preset` instead."
        )
    if hasattr(obj, "load_assets"):
        assets_dir = os.path.join(preset, ASSETS_DIR, os.path.splitext(config_file)[0])
        obj.load_assets(assets_dir)
    return obj


def load_weights(model, preset, weights_file):
    path = preset_file(preset, weights_file)
    try:
        model.load_weights(path)
    except Exception as error:
        raise ValueError(
            f"Could not load `{weights_file}` from {preset!r} into {type(model).__name__}: {error}. "
            "The file is corrupted or belongs to another architecture."
        ) from error


def write_metadata(preset, model):
    from kerasverse.version import __version__

    write_json(
        preset,
        METADATA_FILE,
        {
            "keras_version": keras.__version__,
            "kerasverse_version": __version__,
            "parameter_count": int(model.count_params()),
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        },
    )
