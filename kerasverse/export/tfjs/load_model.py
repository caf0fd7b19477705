"""`load_model`: a TF.js Layers-format folder -> a Keras 3 model.

Reads exports written by `save_model`, by the official converter, and by
tfjs' own `model.save` (e.g. a model fine-tuned in a browser), translating
the tf.keras 2 config dialect tfjs writes back to Keras 3.
"""

import inspect
import json
import os

import keras

from kerasverse.export.tfjs import weights_manifest
from kerasverse.export.tfjs.supported_layers import ACTIVATIONS
from kerasverse.export.tfjs.supported_layers import CUSTOM_LAYERS
from kerasverse.export.tfjs.supported_layers import INITIALIZERS
from kerasverse.export.tfjs.supported_layers import SUPPORTED_LAYERS
from kerasverse.export.tfjs.topology import ATTENTION_LAYERS
from kerasverse.export.tfjs.weight_names import tfjs_weights

KNOWN_FORMATS = ("layers-model",)
_MODELS = ("Sequential", "Functional", "Model")
# tfjs activation names -> Keras 3 names.
_ACTIVATIONS = {tfjs: keras_name for keras_name, tfjs in ACTIVATIONS.items() if keras_name != "silu"}
_ACTIVATIONS.update({"hardSigmoid": "hard_sigmoid", "logSoftmax": "log_softmax", "gelu_new": None})
_INITIALIZERS = {tfjs: keras_name for keras_name, (tfjs, _) in INITIALIZERS.items()}
# tfjs config keys -> Keras 3 keys, per class.
_RENAMES = {name: {v: k for k, v in spec.renames.items()} for name, spec in SUPPORTED_LAYERS.items()}
# Class names kerasverse-layers.js writes where they differ from Keras'.
_TFJS_CLASSES = {spec.tfjs_class: name for name, spec in SUPPORTED_LAYERS.items() if spec.tfjs_class}
_CUSTOM_CLASSES = {spec.tfjs_class: registered for registered, spec in CUSTOM_LAYERS.items()}


def load_model(path):
    """Loads a TF.js Layers-format model back into Keras 3.

    Args:
        path: the export folder (or its `model.json`).

    Returns:
        A Keras 3 Sequential or Functional model with the exported weights.

    Example:

    ```python
    model = kerasverse.export.tfjs.load_model("web_model")
    model.predict(x)
    ```
    """
    path = os.fspath(path)
    json_path = path if path.endswith(".json") else os.path.join(path, "model.json")
    directory = os.path.dirname(json_path)
    if not os.path.exists(json_path):
        raise FileNotFoundError(f"No model.json at {json_path}. Pass a folder written by `save_model` or tfjs' `model.save`.")
    try:
        with open(json_path) as file:
            model_json = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{json_path} is not valid JSON ({error}); the file is corrupted or not a TF.js model.") from error
    if not isinstance(model_json, dict) or "modelTopology" not in model_json:
        raise ValueError(f"{json_path} has no `modelTopology`; it is not a TF.js Layers model.")
    model_format = model_json.get("format", "layers-model")
    if model_format not in KNOWN_FORMATS:
        raise ValueError(
            f"{json_path} has format {model_format!r}; only {KNOWN_FORMATS} (the TF.js Layers format) can be "
            "loaded back into Keras. Graph models (`graph-model`) hold TensorFlow ops, not layers."
        )
    topology = model_json["modelTopology"]
    topology = topology.get("model_config", topology)
    if not isinstance(topology, dict) or topology.get("class_name") not in _MODELS:
        found = topology.get("class_name") if isinstance(topology, dict) else type(topology).__name__
        raise ValueError(f"{json_path}: the model class is {found!r}; expected one of {_MODELS}.")
    class_name, config = _model_config(topology["class_name"], topology["config"])
    model = keras.saving.deserialize_keras_object(_serialized_model(class_name, config))

    weights = weights_manifest.read_weights(model_json.get("weightsManifest", []), directory)
    expected = [(_resolve(name, weights), variable) for name, variable in tfjs_weights(model)]
    missing = [name for name, _ in expected if name not in weights]
    if missing:
        raise ValueError(f"{json_path}: the weights manifest lacks {missing}. Found: {sorted(weights)}.")
    for name, variable in expected:
        value = weights[name]
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(f"{json_path}: weight `{name}` has shape {list(value.shape)}; the model expects {list(variable.shape)}.")
        variable.assign(value)
    for layer in model._flatten_layers():
        if isinstance(layer, keras.layers.Normalization):
            layer.finalize_state()  # It computes from its statistics' copies, made here (as on loading a .keras).
    return model


def _resolve(name, weights):
    """The manifest name of weight `name`, allowing tf.keras 2's extra levels.

    The official converter writes tf.keras names such as
    `lstm/lstm_cell/kernel` where tfjs names the weight `lstm/kernel`.
    """
    if name in weights:
        return name
    scope, _, leaf = name.rpartition("/")
    candidates = [n for n in weights if n.startswith(scope + "/") and n.endswith("/" + leaf)]
    return candidates[0] if len(candidates) == 1 else name


# ----------------------------------------------------------------- configs
def _serialized_model(class_name, config):
    if class_name == "Sequential":
        return {"module": "keras", "class_name": "Sequential", "config": config, "registered_name": None}
    return {"module": "keras.src.models.functional", "class_name": "Functional", "config": config, "registered_name": "Functional"}


def _model_config(class_name, config):
    if class_name == "Sequential":
        layers = config["layers"] if isinstance(config, dict) else config
        converted = [_layer(entry) for entry in layers]
        for entry in converted[1:]:
            _drop_input_shape(entry)
        first = converted[0]["config"] if converted else {}
        if converted and converted[0]["class_name"] != "InputLayer" and "batch_shape" in first:
            dtype = first.pop("input_dtype", None) or "float32"
            input_layer = {"batch_shape": first.pop("batch_shape"), "dtype": dtype, "name": f"{first['name']}_input"}
            converted.insert(0, {"class_name": "InputLayer", "config": input_layer})
        name = config.get("name", "sequential") if isinstance(config, dict) else "sequential"
        return "Sequential", {"name": name, "layers": converted}
    nested = {e["name"]: e["class_name"] for e in config["layers"] if e["class_name"] in _MODELS}
    layers = []
    for entry in config["layers"]:
        converted = _layer(entry)
        _drop_input_shape(converted)
        converted["name"] = entry["name"]
        nodes = []
        for node in entry.get("inbound_nodes", []):
            # Keras 3 nested models have no built-in node 0 (tfjs' do).
            nodes.append([[r[0], r[1] - (1 if r[0] in nested else 0), r[2], {}] for r in node])
        if converted.get("class_name") in ATTENTION_LAYERS:
            nodes = [_attention_node(converted["class_name"], entry.get("config", {}), node) for node in nodes]
        converted["inbound_nodes"] = nodes
        layers.append(converted)
    refs = {}
    for key in ("input_layers", "output_layers"):
        refs[key] = [[r[0], r[1] - (1 if nested.get(r[0]) == "Sequential" else 0), r[2]] for r in config[key]]
        if len(refs[key]) == 1:
            refs[key] = refs[key][0]  # Keras 3 writes one tensor, not a one-item list.
    return "Functional", {"name": config.get("name", "model"), "trainable": config.get("trainable", True), "layers": layers, **refs}


def _attention_node(class_name, config, refs):
    """An attention layer's call in the Keras 3 node form (the tfjs config says how it was called)."""
    tensors = [
        {"class_name": "__keras_tensor__", "config": {"shape": [], "dtype": "float32", "keras_history": ref[:3]}}
        for ref in refs
    ]
    kwargs = {"use_causal_mask": True} if config.get("use_causal_mask") else {}
    named = {}
    for roles, tensor in zip(config.get("call_inputs") or ("query", "value", "key", "mask"), tensors):
        named.update({role: tensor for role in roles.split()})
    if class_name != "MultiHeadAttention":
        return {"args": [[named[role] for role in ("query", "value", "key") if role in named]], "kwargs": kwargs}
    kwargs.update({key: named[part] for part, key in (("key", "key"), ("mask", "attention_mask")) if part in named})
    return {"args": [named["query"], named["value"]], "kwargs": kwargs}


def _drop_input_shape(entry):
    """tfjs writes `batch_input_shape` on some inner layers; only inputs carry it in Keras 3."""
    if entry["class_name"] != "InputLayer":
        entry["config"].pop("batch_shape", None)
        entry["config"].pop("input_dtype", None)


def _layer(entry):
    class_name = entry["class_name"]
    config = entry.get("config", {})
    if class_name in _MODELS:
        class_name, converted = _model_config(class_name, config)
        return _serialized_model(class_name, converted)
    if class_name in _CUSTOM_CLASSES:
        return _custom_layer(_CUSTOM_CLASSES[class_name], config)
    class_name = _TFJS_CLASSES.get(class_name, class_name)
    if class_name not in SUPPORTED_LAYERS:
        raise ValueError(
            f"Layer `{config.get('name')}` has class {class_name!r}, which kerasverse cannot load into Keras 3. "
            f"Supported: {', '.join(sorted(SUPPORTED_LAYERS))}."
        )
    renames = _RENAMES.get(class_name, {})
    config = {renames.get(k, k): v for k, v in config.items()}
    if class_name == "InputLayer":
        accepted = {"batch_shape", "dtype", "sparse", "name"}
        config["batch_shape"] = config.pop("batch_input_shape", config.get("batch_shape"))
    else:
        cls = getattr(keras.layers, class_name)
        parameters = inspect.signature(cls.__init__).parameters
        accepted = set(parameters) - {"self", "kwargs"}
        if "kwargs" in parameters:
            accepted |= {"name", "trainable", "dtype"}
        if class_name == "LayerNormalization":
            accepted.add("rms_scaling")  # A keyword argument in Keras 3.
        if "batch_input_shape" in config:  # First layer of a Sequential.
            config["batch_shape"] = config.pop("batch_input_shape")
            config["input_dtype"] = config.get("dtype") or "float32"
            accepted |= {"batch_shape", "input_dtype"}
    converted = {}
    for key, value in config.items():
        if key not in accepted:
            continue
        converted[key] = _value(key, value)
    if class_name == "BatchNormalization" and isinstance(converted.get("axis"), list) and len(converted["axis"]) == 1:
        converted["axis"] = converted["axis"][0]  # tf.keras 2 writes [axis].
    if class_name == "GRU":
        converted["reset_after"] = bool(config.get("reset_after", False))  # Stock tfjs: False only.
    if class_name == "Bidirectional":
        converted["layer"]["config"]["name"] = "forward_" + converted["layer"]["config"]["name"]
    converted = {k: v for k, v in converted.items() if not (k.endswith("_initializer") and v is None)}
    return {"module": "keras.layers", "class_name": class_name, "config": converted, "registered_name": None}


def _custom_layer(registered_name, config):
    """A kerasverse layer that kerasverse-layers.js implements (saved by us or by tfjs)."""
    if registered_name.startswith("kerasverse.automl>"):
        import kerasverse.automl.keras_layers  # noqa: F401  (registers NgramEmbedding)
    else:
        import kerasverse.nlp.layers  # noqa: F401  (registers the classes)

    cls = keras.saving.get_registered_object(registered_name)
    keep = set(CUSTOM_LAYERS[registered_name].keep) | {"name", "trainable", "dtype"}
    converted = {k: v for k, v in config.items() if k in keep}
    converted.pop("batch_input_shape", None)
    return {"module": cls.__module__, "class_name": cls.__name__, "config": converted, "registered_name": registered_name}


def _value(key, value):
    if value is None:
        return None
    if key in ("activation", "recurrent_activation"):
        name = _ACTIVATIONS.get(value, value)
        if name is None or name not in ACTIVATIONS:
            raise ValueError(f"Activation {value!r} has no Keras 3 equivalent. Supported: {sorted(_ACTIVATIONS)}.")
        return name
    if key.endswith("_initializer"):
        if not isinstance(value, dict) or value.get("class_name") not in _INITIALIZERS:
            return None  # Initial values never matter after loading weights.
        config = dict(value.get("config") or {})
        if config.get("distribution") == "normal":
            config["distribution"] = "untruncated_normal"
        return {"module": "keras.initializers", "class_name": _INITIALIZERS[value["class_name"]], "config": config, "registered_name": None}
    if key.endswith("_regularizer") or key.endswith("_constraint"):
        module = "keras.regularizers" if key.endswith("_regularizer") else "keras.constraints"
        return {"module": module, "class_name": value["class_name"], "config": value.get("config", {}), "registered_name": None}
    if key == "layer":
        return _layer(value)
    return value
