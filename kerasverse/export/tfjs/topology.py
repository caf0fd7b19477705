"""Keras 3 model config -> the Keras config tfjs-layers parses (`modelTopology`).

tfjs-layers reads the tf.keras 2 config dialect. The Keras 3 differences
translated here: `batch_shape` -> `batch_input_shape`; `__keras_tensor__`
inbound nodes -> the nested-list node format `[[layer, node, tensor, kwargs]]`;
`DTypePolicy` objects -> dtype strings; `module`, `registered_name` and
`build_config` dropped; a single input or output written as a one-item list;
Keras 3 names tfjs spells differently (activations, initializers, config keys).
"""

import keras

from kerasverse.export.tfjs import supported_layers
from kerasverse.export.tfjs.supported_layers import SUPPORTED_LAYERS

TFJS_DTYPES = {"float32": "float32", "int32": "int32", "int64": "int32", "bool": "bool"}


class Problems(list):
    """The problems found (a list of sentences), plus the layers that need `kerasverse-layers.js`.

    Attributes:
        companion: `{layer_name: why}` for each layer exported through
            `kerasverse-layers.js`.
    """

    def __init__(self, *args):
        super().__init__(*args)
        self.companion = {}

    @property
    def notes(self):
        """One sentence per layer supported via `kerasverse-layers.js`."""
        return [
            f"layer `{name}` ({why}): supported via {supported_layers.COMPANION_FILE}, which save_model writes "
            "next to model.json (load it before tf.loadLayersModel)"
            for name, why in self.companion.items()
        ]


def plain_functional(model):
    """`model` as a plain Sequential or Functional (sharing its layers).

    Subclasses of `Functional` (task models, backbones) are re-wrapped as
    `keras.Model(inputs, outputs)`; other subclassed models have no graph
    to export.
    """
    # Keras exports no public name for the Functional class.
    from keras.src.models.functional import Functional

    if isinstance(model, keras.Sequential):
        return model
    if not isinstance(model, Functional):
        raise ValueError(
            "Only Sequential and Functional models can be exported to the TF.js Layers format; a "
            f"subclassed model has no layer graph. Received: {type(model).__name__} `{model.name}`. "
            "Rebuild it with the functional API (`keras.Model(inputs, outputs)`)."
        )
    if type(model).__name__ == "Functional":
        return model
    return keras.Model(model.inputs, model.outputs, name=model.name)


def model_topology(model):
    """The tfjs `modelTopology` dict of a Keras 3 model, and the problems found.

    Returns:
        `(topology, problems)`: `topology` is `{"class_name", "config",
        "keras_version", "backend"}`; `problems` (a `Problems` list) lists
        what tfjs cannot carry (empty when the model exports) and, in
        `problems.companion`, the layers that need `kerasverse-layers.js`.
    """
    model = plain_functional(model)
    if not model.built or not model.inputs:
        raise ValueError(
            f"The model `{model.name}` is not built: it has no inputs yet. Build it first, e.g. "
            "start a Sequential with `keras.Input(shape)` or call the model on data."
        )
    problems = Problems()
    serialized = keras.saving.serialize_keras_object(model)
    class_name, config = _convert_model(serialized["class_name"], serialized["config"], problems)
    topology = {
        "class_name": class_name,
        "config": config,
        "keras_version": f"kerasverse (keras {keras.__version__})",
        "backend": "tensor_flow.js",
    }
    return topology, problems


# ------------------------------------------------------------------- models
def _convert_model(class_name, config, problems):
    if class_name == "Sequential":
        layers = [_convert_layer(entry, problems) for entry in config["layers"]]
        if not layers or layers[0]["class_name"] != "InputLayer":
            problems.append(
                f"Sequential `{config['name']}` has no input shape; start it with `keras.Input(shape)`."
            )
        elif len(layers) > 1 and layers[1]["class_name"] not in ("Sequential", "Functional") and layers[0]["config"]["dtype"] == "float32":
            # tfjs' own form: the first layer carries the input shape (a
            # separate InputLayer breaks a Sequential nested in a Functional).
            input_config = layers.pop(0)["config"]
            layers[0]["config"]["batch_input_shape"] = input_config["batch_input_shape"]
        return "Sequential", {"name": config["name"], "layers": layers}
    if class_name == "Functional":
        # In tfjs a nested model owns a built-in node 0 (its inner graph), so
        # its calls are nodes 1, 2, ...: Keras 3 counts calls from 0 in
        # `keras_history`, and from 1 only for nested Functionals' outputs.
        nested = {e["name"]: e["class_name"] for e in config["layers"] if e["class_name"] in ("Sequential", "Functional")}
        mask_ops = _implicit_mask_ops(config)
        layers = []
        for entry in config["layers"]:
            if entry["name"] in mask_ops:
                continue  # tfjs propagates masks itself.
            if entry["class_name"] == "GlobalAveragePooling1D" and any(
                node.get("kwargs", {}).get("mask") is not None for node in entry["inbound_nodes"]
            ):
                # tfjs-layers averages over padding too; Keras (and kerasverse-layers.js) skip it.
                getattr(problems, "companion", {})[entry["name"]] = "GlobalAveragePooling1D over a masked sequence"
            converted = _convert_layer(entry, problems)
            converted["name"] = entry["name"]
            if entry["class_name"] in ATTENTION_LAYERS and entry["class_name"] == converted["class_name"]:
                nodes = _convert_attention_nodes(entry, converted["config"], problems, mask_ops, _has_masking(config))
            else:
                nodes = [_convert_node(node, entry["name"], problems, mask_ops) for node in entry["inbound_nodes"]]
            for node in nodes:
                for ref in node:
                    ref[1] += 1 if ref[0] in nested else 0
            converted["inbound_nodes"] = nodes
            layers.append(converted)
        refs = {}
        for key, what in (("input_layers", "inputs"), ("output_layers", "outputs")):
            refs[key] = _refs(config[key], what, config["name"], problems)
            for ref in refs[key]:
                ref[1] += 1 if nested.get(ref[0]) == "Sequential" else 0
        return "Functional", {"name": config["name"], "trainable": config.get("trainable", True), "layers": layers, **refs}
    problems.append(f"model `{config.get('name')}` of class {class_name} is neither Sequential nor Functional.")
    return class_name, config


def _refs(refs, what, model_name, problems):
    """Keras 3 writes one input as `[name, 0, 0]`; tfjs wants `[[name, 0, 0]]`."""
    if isinstance(refs, dict):
        problems.append(
            f"model `{model_name}` has its {what} in a dict ({sorted(refs)}); tfjs-layers takes lists. "
            f"Build it with a list of {what}."
        )
        return [list(r) for r in refs.values()]
    if refs and isinstance(refs[0], str):
        return [list(refs)]
    return [list(r) for r in refs]


ATTENTION_LAYERS = ("MultiHeadAttention", "Attention", "AdditiveAttention")
_ATTENTION_INPUTS = ("query", "value", "key")


def _convert_attention_nodes(entry, layer_config, problems, mask_ops, has_masking):
    """The nodes of an attention layer, and how it was called (into its tfjs config).

    tfjs-layers hands a layer only its input tensors (and the first input's
    mask) at predict time, so the call's settings become layer config:
    `use_causal_mask`, and `call_inputs`: what each input of the node is,
    among query, value, key and `mask` (MultiHeadAttention's
    `attention_mask`), e.g. `["query value"]` for self-attention.
    """
    class_name, name = entry["class_name"], entry["name"]
    where = f"layer `{name}` ({class_name})"
    nodes, calls = [], []
    for node in entry["inbound_nodes"]:
        args, kwargs = list(node.get("args", [])), dict(node.get("kwargs", {}))
        if kwargs.pop("return_attention_scores", False):
            problems.append(f"{where} is called with return_attention_scores=True; the TF.js layer returns its output only.")
        causal = bool(kwargs.pop("use_causal_mask", False))
        kwargs.pop("training", None)
        if class_name == "MultiHeadAttention":
            tensors = dict(zip(_ATTENTION_INPUTS, args))
            tensors.update({k: kwargs.pop(k) for k in _ATTENTION_INPUTS if k in kwargs})
            if kwargs.get("attention_mask") is not None:
                tensors["mask"] = kwargs.pop("attention_mask")
            masks = ("query_mask", "value_mask", "key_mask")
        else:
            inputs = args[0] if args else kwargs.pop("inputs", [])
            tensors = dict(zip(_ATTENTION_INPUTS, inputs if isinstance(inputs, (list, tuple)) else [inputs]))
            masks = ("mask",)
        for key in masks:
            if key in kwargs and (kwargs[key] is None or _history_names(kwargs[key]) <= set(mask_ops)):
                kwargs.pop(key)  # Keras masks, which tfjs propagates itself.
        tensors = {k: v for k, v in tensors.items() if v is not None}
        extra = [k for k, v in kwargs.items() if v is not None and _has_tensor(v)]
        if extra or any(not _is_tensor(t) for t in tensors.values()) or not {"query", "value"} <= set(tensors):
            problems.append(f"{where} is called with arguments the TF.js layer cannot take ({extra or sorted(tensors)}).")
            nodes.append([])
            continue
        history = {k: list(t["config"]["keras_history"]) for k, t in tensors.items()}
        if has_masking and history["query"] != history["value"] or has_masking and history.get("key", history["value"]) != history["value"]:
            problems.append(
                f"{where} attends from one tensor to another in a masked model; in TF.js a layer only receives its "
                "first input's mask, so the value's mask would be lost. Pass the mask as `attention_mask`."
            )
        shape = tensors["query"]["config"].get("shape") or []
        if len(shape) != 3:
            problems.append(f"{where} takes inputs of rank {len(shape)}; kerasverse-layers.js attends over (batch, length, features).")
        # Each tensor once (tfjs-layers disposes a tensor fed twice to one layer too early); `call_inputs`
        # says what each input is ("query value" for self-attention).
        unique, roles = [], []
        for role in ("query", "value", "key", "mask"):
            if role not in tensors:
                continue
            if history[role] in unique:
                roles[unique.index(history[role])] += " " + role
            else:
                unique.append(history[role])
                roles.append(role)
        calls.append((roles, causal))
        nodes.append([ref + [{}] for ref in unique])
    if len({str(call) for call in calls}) > 1:
        problems.append(f"{where} is called in different ways ({calls}); TF.js keeps one setting per layer.")
    if calls:
        layer_config["use_causal_mask"] = calls[0][1]
        layer_config["call_inputs"] = calls[0][0]
    axes = entry["config"].get("attention_axes")
    if class_name == "MultiHeadAttention" and axes is not None and _plain(axes) != [1]:
        problems.append(f"{where} has `attention_axes={axes!r}`; kerasverse-layers.js attends over axis 1 only.")
    return nodes


def _is_tensor(value):
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _has_masking(config):
    return any(
        e["class_name"] == "Masking"
        or (e["class_name"] in MASKING_EMBEDDINGS and e["config"].get("mask_zero"))
        for e in config["layers"]
    )


MASKING_EMBEDDINGS = ("Embedding", "ReversibleEmbedding", "TokenAndPositionEmbedding")


def _implicit_mask_ops(config):
    """Names of the op nodes Keras 3 writes to compute Keras masks.

    With `Embedding(mask_zero=True)` or `Masking`, a Keras 3 functional
    config holds the mask computation as ops (`NotEqual`, `Any`) passed to
    the next layers as `mask=`; tfjs-layers propagates the same masks
    implicitly, so these ops are left out when they feed nothing but `mask`
    arguments (of layers or of other such ops).
    """
    entries = config["layers"]
    has_masking = _has_masking(config)
    ops = {e["name"] for e in entries if (e.get("module") or "").startswith("keras.src.ops")}
    if not has_masking or not ops:
        return set()
    used_as_data = set()
    for entry in entries:
        if entry["name"] in ops:
            continue
        for node in entry["inbound_nodes"]:
            for arg in node.get("args", []):
                used_as_data |= _history_names(arg)
    outputs = config["output_layers"]
    outputs = [outputs] if outputs and isinstance(outputs[0], str) else outputs
    used_as_data |= {ref[0] for ref in outputs if isinstance(ref, (list, tuple))}
    return {name for name in ops if name not in used_as_data}


def _history_names(value):
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            return {value["config"]["keras_history"][0]}
        return set().union(*(_history_names(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_history_names(v) for v in value)) if value else set()
    return set()


def _convert_node(node, layer_name, problems, mask_ops=frozenset()):
    """A Keras 3 node `{"args", "kwargs"}` -> `[[layer, node, tensor, {}], ...]`."""
    args, kwargs = node.get("args", []), dict(node.get("kwargs", {}))
    if mask_ops and _history_names(kwargs.get("mask")) <= set(mask_ops):
        kwargs.pop("mask", None)  # The implicit Keras mask, which tfjs recomputes.
    if not args:
        problems.append(f"layer `{layer_name}` is called without positional inputs.")
        return []
    first = args[0]
    tensors = first if isinstance(first, (list, tuple)) else [first]
    if isinstance(first, dict) and first.get("class_name") != "__keras_tensor__":
        problems.append(f"layer `{layer_name}` is called on a dict of tensors; tfjs-layers takes lists.")
        tensors = list(first.values())
    refs = []
    for tensor in tensors:
        if not (isinstance(tensor, dict) and tensor.get("class_name") == "__keras_tensor__"):
            problems.append(f"layer `{layer_name}` is called on a non-tensor input ({tensor!r}).")
            continue
        history = tensor["config"]["keras_history"]
        refs.append([history[0], history[1], history[2], {}])
    if kwargs.get("reverse"):
        problems.append(f"layer `{layer_name}` is called with reverse=True; the TF.js layer runs the embedding direction only.")
    extra = [a for a in args[1:] if a is not None]
    tensor_kwargs = [k for k, v in kwargs.items() if v is not None and _has_tensor(v)]
    if extra or tensor_kwargs:
        problems.append(
            f"layer `{layer_name}` is called with extra tensor arguments ({tensor_kwargs or 'positional'}); "
            "tfjs-layers nodes carry only the main inputs."
        )
    return refs


def _has_tensor(value):
    if isinstance(value, dict):
        return value.get("class_name") == "__keras_tensor__" or any(_has_tensor(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_tensor(v) for v in value)
    return False


# ------------------------------------------------------------------- layers
def _convert_layer(entry, problems):
    """One serialized Keras 3 layer -> `{"class_name", "config"}` for tfjs."""
    class_name = entry["class_name"]
    config = entry.get("config", {})
    name = config.get("name", entry.get("name", "?"))
    module = entry.get("module") or ""
    registered_name = entry.get("registered_name")
    custom = supported_layers.CUSTOM_LAYERS.get(registered_name)
    if custom is not None:
        return _convert_with_spec(class_name, custom, config, name, problems)
    if registered_name not in (None, class_name) or (module and not module.startswith("keras")):
        problems.append(
            f"layer `{name}` ({entry.get('registered_name') or class_name}) is a custom layer; "
            "tfjs-layers only knows its built-in layers."
        )
        return {"class_name": class_name, "config": {"name": name}}
    if class_name in ("Sequential", "Functional"):
        class_name, converted = _convert_model(class_name, config, problems)
        return {"class_name": class_name, "config": converted}
    spec = SUPPORTED_LAYERS.get(class_name)
    if spec is None:
        broken = supported_layers.BROKEN_IN_TFJS.get(class_name)
        reason = f": {broken}" if broken else " has no TF.js Layers equivalent"
        problems.append(f"layer `{name}` ({class_name}){reason}.")
        return {"class_name": class_name, "config": {"name": name}}
    return _convert_with_spec(class_name, spec, config, name, problems)


def _convert_with_spec(class_name, spec, config, name, problems):
    where = f"layer `{name}` ({class_name})"
    converted = {"name": name, "trainable": config.get("trainable", True)}
    converted["dtype"] = _dtype(config.get("dtype"), where, problems)
    for key, required in spec.require.items():
        if key in config and _plain(config[key]) != _plain(required):
            hint = f" ({spec.hint})" if spec.hint else ""
            problems.append(f"{where} has `{key}={config[key]!r}`; tfjs-layers only supports `{key}={required!r}`{hint}.")
    for key, refused in spec.refuse.items():
        if _plain(config.get(key)) == _plain(refused):
            hint = f" ({spec.hint})" if spec.hint else ""
            problems.append(f"{where} has `{key}={config[key]!r}`, which tfjs-layers does not implement{hint}.")
    for key in spec.keep:
        if key in config:
            if spec.path_weights and key == "activation":  # kerasverse-layers.js' own list.
                converted[key] = _companion_activation(config[key], where, problems)
                continue
            converted[spec.renames.get(key, key)] = _convert_value(key, config[key], where, problems)
    triggers = [f"{k}={v!r}" for k, v in spec.companion_when.items() if _plain(config.get(k)) == _plain(v)]
    if spec.companion or triggers:
        companion = getattr(problems, "companion", None)
        if companion is not None:
            companion[name] = ", ".join([class_name] + triggers)
    elif "rms_scaling" in converted:
        converted.pop("rms_scaling")  # False: stock tfjs-layers' LayerNormalization.
    if class_name == "Bidirectional" and isinstance(converted.get("layer"), dict):
        # tfjs names the wrapped copies `forward_<name>` and `backward_<name>`.
        converted["layer"]["config"]["name"] = bidirectional_inner_name(converted["layer"]["config"]["name"])
    if class_name == "InputLayer":
        converted.pop("trainable")
        converted["batch_input_shape"] = _plain(config["batch_shape"])
    return {"class_name": spec.tfjs_class or class_name, "config": converted}


def _companion_activation(value, where, problems):
    name = value.get("config", {}).get("name") if isinstance(value, dict) else value
    if isinstance(value, dict) and name is None:
        name = value.get("class_name")
    if name not in supported_layers.COMPANION_ACTIVATIONS:
        problems.append(
            f"{where} uses activation {value!r}; {supported_layers.COMPANION_FILE} supports "
            f"{', '.join(supported_layers.COMPANION_ACTIVATIONS)}."
        )
        return "linear"
    return name


def bidirectional_inner_name(name):
    """Keras 3 names a Bidirectional's forward layer `forward_<name>`."""
    return name[len("forward_") :] if name.startswith("forward_") else name


def _dtype(dtype, where, problems):
    if isinstance(dtype, dict):  # A DTypePolicy object.
        dtype = dtype.get("config", {}).get("name")
    dtype = dtype or "float32"
    if dtype not in TFJS_DTYPES:
        problems.append(
            f"{where} computes in `{dtype}`; TF.js runs float32 (and int32 inputs). "
            "Export a float32 copy of the model (no mixed precision policy)."
        )
        return "float32"
    return TFJS_DTYPES[dtype]


def _plain(value):
    """Tuples -> lists, recursively: the JSON form of a config value."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _convert_value(key, value, where, problems):
    if value is None:
        return None
    if key in ("activation", "recurrent_activation"):
        return _activation(value, where, problems)
    if key.endswith("_initializer"):
        return _initializer(value, where, problems)
    if key.endswith("_regularizer"):
        return _regularizer(value, where, problems)
    if key.endswith("_constraint"):
        return _constraint(value, where, problems)
    if key == "layer":
        return _convert_layer(value, problems)
    return _plain(value)


def _activation(value, where, problems):
    name = value
    if isinstance(value, dict):
        name = value.get("config", value.get("class_name"))
        if isinstance(name, dict):
            name = name.get("name")
    tfjs_name = supported_layers.ACTIVATIONS.get(name) if isinstance(name, str) else None
    if tfjs_name is None:
        problems.append(
            f"{where} uses activation {value!r}; tfjs-layers supports {', '.join(sorted(supported_layers.ACTIVATIONS))}."
        )
        return "linear"
    return tfjs_name


def _initializer(value, where, problems):
    if isinstance(value, str):
        value = {"class_name": "".join(w.capitalize() for w in value.split("_")), "config": {}}
    known = supported_layers.INITIALIZERS.get(value.get("class_name"))
    if known is None:
        # Initial values never reach the export (the weights do); tfjs uses its default.
        return None
    tfjs_name, keys = known
    config = {k: _plain(v) for k, v in (value.get("config") or {}).items() if k in keys}
    if config.get("distribution") == "untruncated_normal":
        config["distribution"] = "normal"
    return {"class_name": tfjs_name, "config": config}


def _regularizer(value, where, problems):
    class_name = value.get("class_name") if isinstance(value, dict) else value
    config = value.get("config", {}) if isinstance(value, dict) else {}
    if class_name in ("L1", "L2", "L1L2", "l1", "l2", "l1_l2"):
        return {"class_name": "L1L2", "config": {"l1": float(config.get("l1", 0.0)), "l2": float(config.get("l2", 0.0))}}
    problems.append(f"{where} uses regularizer {class_name!r}; tfjs-layers supports L1, L2 and L1L2.")
    return None


def _constraint(value, where, problems):
    class_name = value.get("class_name") if isinstance(value, dict) else value
    keys = supported_layers.CONSTRAINTS.get(class_name)
    if keys is None:
        problems.append(f"{where} uses constraint {class_name!r}; tfjs-layers supports {', '.join(supported_layers.CONSTRAINTS)}.")
        return None
    config = {k: _plain(v) for k, v in (value.get("config") or {}).items() if k in keys}
    return {"class_name": class_name, "config": config}
