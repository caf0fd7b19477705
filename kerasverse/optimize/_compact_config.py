"""A Keras model config without what loading would fill in anyway.

On a small model the config is a large share of a compressed file (the
10 k-parameter digits CNN: about 1 KB of deflated JSON next to about 3 KB
of int8 weights). `compact_config` writes each layer's arguments only where
they differ from what the layer class sets when the argument is absent, the
way protocol buffers leave out fields at their default. It is checked, not
assumed: the compact config must rebuild a model whose full config is
identical, or the full config is returned.
"""

import copy
import json

import keras


def compact_config(model):
    """The serialized config of `model` without defaults and without `compile_config`.

    `compile_config` is left out because a compressed file restores an
    uncompiled model. Rebuilding the model once (to check the compact
    config) allocates its weights a second time.
    """
    full = keras.saving.serialize_keras_object(model)
    full.pop("compile_config", None)
    layers = {(type(layer).__name__, layer.name): type(layer) for layer in model._flatten_layers(include_self=False)}
    compact = copy.deepcopy(full)
    _drop_defaults_below(compact.get("config"), layers)
    if compact != full and _rebuilds(compact, full):
        return compact
    return full


def _drop_defaults_below(node, layers):
    if isinstance(node, list):
        for item in node:
            _drop_defaults_below(item, layers)
    if not isinstance(node, dict):
        return
    config = node.get("config")
    if isinstance(config, dict):
        layer_class = layers.get((node.get("class_name"), config.get("name")))
        if layer_class is not None:
            _drop_defaults(config, layer_class)
    for value in node.values():
        _drop_defaults_below(value, layers)


def _drop_defaults(config, layer_class):
    """Removes, in place, each key of a layer config that `from_config` restores on its own."""
    for key in list(config):
        if key == "name":  # Without it the layer would get a fresh name.
            continue
        trial = {name: value for name, value in config.items() if name != key}
        try:
            restored = keras.saving.serialize_keras_object(layer_class.from_config(trial))["config"]
        except Exception:  # A layer that needs the key: keep it.
            continue
        if key in restored and _canonical(restored[key]) == _canonical(config[key]):
            del config[key]


def _rebuilds(compact, full):
    try:
        rebuilt = keras.saving.serialize_keras_object(keras.saving.deserialize_keras_object(copy.deepcopy(compact)))
    except Exception:  # Any failure: store the full config.
        return False
    rebuilt.pop("compile_config", None)
    return _canonical(rebuilt) == _canonical(full)


def _canonical(value):
    return json.dumps(value, sort_keys=True, default=repr)
