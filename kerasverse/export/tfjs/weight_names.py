"""Keras 3 variables -> the weight names tfjs-layers gives the same weights.

tfjs-layers looks weights up by `LayerVariable.originalName`: `layer/weight`
for a layer of the model, with the cell level of RNNs dropped
(`lstm/kernel`, not `lstm/lstm_cell/kernel`), `bidirectional/forward_lstm/...`
and `bidirectional/backward_lstm/...` for the two halves of a Bidirectional,
`time_distributed/kernel` for the wrapped layer of a TimeDistributed, and the
inner layers' own names (no prefix) for a nested model. `model.weights` in
tfjs lists the trainable weights of every layer, then the non-trainable ones;
the manifest keeps that order.
"""

import keras

from kerasverse.export.tfjs.supported_layers import CUSTOM_LAYERS
from kerasverse.export.tfjs.supported_layers import SUPPORTED_LAYERS
from kerasverse.export.tfjs.topology import bidirectional_inner_name
from kerasverse.export.tfjs.topology import plain_functional


def tfjs_weights(model):
    """The model's weights as tfjs names them, in tfjs' order.

    Args:
        model: a built Sequential or Functional Keras 3 model.

    Returns:
        A list of `(tfjs_name, keras_variable)` pairs.
    """
    trainable, non_trainable = [], []
    for layer in plain_functional(model).layers:
        _collect(layer, trainable, non_trainable)
    return trainable + non_trainable


def _collect(layer, trainable, non_trainable):
    if isinstance(layer, keras.Model):
        for inner in plain_functional(layer).layers:
            _collect(inner, trainable, non_trainable)
        return
    class_name = type(layer).__name__
    if class_name == "Bidirectional":
        inner = bidirectional_inner_name(layer.forward_layer.name)
        scopes = [(f"{layer.name}/forward_{inner}", layer.forward_layer), (f"{layer.name}/backward_{inner}", layer.backward_layer)]
    elif class_name == "TimeDistributed":
        scopes = [(layer.name, layer.layer)]
    else:
        scopes = [(layer.name, layer)]
    for scope, owner in scopes:
        spec = SUPPORTED_LAYERS.get(type(owner).__name__)
        registered = keras.saving.get_registered_name(type(owner))
        if registered in CUSTOM_LAYERS or (spec is not None and spec.path_weights):
            _collect_by_path(scope, owner, CUSTOM_LAYERS.get(registered, spec), trainable, non_trainable)
            continue
        renames = spec.weight_names if spec else {}
        skip = spec.skip_weights if spec else ()
        for variables, bucket in ((owner.trainable_weights, trainable), (owner.non_trainable_weights, non_trainable)):
            for variable in variables:
                if "seed_generator" in variable.path or variable.name in skip:
                    continue  # Keras 3 RNG state (or a weight the TF.js layer does not use).
                bucket.append((f"{scope}/{renames.get(variable.name, variable.name)}", variable))


def _collect_by_path(scope, layer, spec, trainable, non_trainable):
    """A kerasverse-layers.js layer: weights named `<layer>/<path inside the layer>`."""
    for variables, bucket in ((layer.trainable_weights, trainable), (layer.non_trainable_weights, non_trainable)):
        for variable in variables:
            if "seed_generator" in variable.path or variable.name in spec.skip_weights:
                continue
            start = variable.path.find(f"{layer.name}/")
            inner = variable.path[start + len(layer.name) + 1 :] if start >= 0 else variable.name
            bucket.append((f"{scope}/{inner}", variable))
