"""`Block`: the extension point of the AutoModel graph (a searchable piece of model)."""

import re


def snake_case(name):
    """`DenseBlock` -> `dense_block`, `ResNetBlock` -> `res_net_block` (AutoKeras' names)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


class Block:
    """A searchable piece of a model: `build(hp, inputs)` returns Keras tensors.

    Call order: a block is called on `Node`s to wire the graph
    (`output_node = block(input_node)`); at each trial the graph calls
    `build(hp, inputs)` inside `hp.name_scope(block.name)`, with the Keras
    tensors of its input nodes. Subclass it and override `build`; a block
    used inside another block is built with `self.build_child(hp, child,
    inputs)` so that its hyperparameters get their own scope.

    Args:
        name: The block's name; the scope of its hyperparameters. Default:
            the class name in snake case plus a number, given by the graph
            in topological order (`dense_block_1`, as AutoKeras).

    Example:

    ```python
    class SingleDenseLayerBlock(ak.Block):
        def build(self, hp, inputs=None):
            units = hp.Int("num_units", min_value=32, max_value=512, step=32)
            return keras.layers.Dense(units)(keras.ops.convert_to_tensor(inputs[0]))

    input_node = ak.Input()
    output_node = SingleDenseLayerBlock()(input_node)
    output_node = ak.RegressionHead()(output_node)
    auto_model = ak.AutoModel(input_node, output_node, max_trials=2)
    ```
    """

    def __init__(self, name=None, **kwargs):
        if kwargs:
            raise TypeError(
                f"Unrecognized arguments for {type(self).__name__}: {sorted(kwargs)}. "
                "Check their spelling against the block's signature."
            )
        self.name = name
        self._given_name = name is not None
        self.inputs = []
        self.outputs = []

    def __call__(self, inputs):
        """Wires the block to its input node(s); returns its output node."""
        from kerasverse.automl import nodes

        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        for node in inputs:
            if not isinstance(node, nodes.Node):
                raise TypeError(
                    f"{type(self).__name__} must be called on AutoModel nodes (ak.Input(), "
                    f"or the output of another block). Received: {node!r} of type "
                    f"{type(node).__name__}."
                )
        self.inputs = inputs
        for node in inputs:
            node.out_blocks.append(self)
        output = nodes.Node()
        output.in_blocks.append(self)
        self.outputs = [output]
        return output

    def build(self, hp, inputs=None):
        """Builds the block's Keras layers on `inputs` (a list of tensors)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `build(hp, inputs)`.")

    def build_child(self, hp, child, inputs, index=1):
        """Builds the block `child` inside this block, with its own scope."""
        name = child.name or f"{snake_case(type(child).__name__)}_{index}"
        with hp.name_scope(name):
            return child.build(hp, inputs)

    def get_config(self):
        return {"name": self.name}


def one_input(block, inputs):
    """The single tensor of a single-input block (else a clear error)."""
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if len(inputs) != 1:
        raise ValueError(
            f"{type(block).__name__} takes one input node. Received: {len(inputs)} inputs. "
            "Use ak.Merge() to combine several."
        )
    return inputs[0]


def tunable(hp, name, value, declare):
    """The value of the hyperparameter `name`: `value` itself when the user
    fixed it, the user's `HyperParameter` (e.g. `kt.Choice`) re-declared in
    this scope, or `declare()` (the block's default search space) for None."""
    from kerasverse.tuner.engine.hyperparameters import HyperParameter

    if value is None:
        return declare()
    if isinstance(value, HyperParameter):
        config = value.get_config()
        config["name"] = hp._get_name(name)
        config["conditions"] = list(hp._conditions)
        return hp._retrieve(type(value).from_config(config))
    return value
