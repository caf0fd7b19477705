"""`Graph`: the AutoModel's HyperModel — a graph of blocks built into a Keras model per trial."""

import numpy as np

from kerasverse.automl import nodes as nodes_module
from kerasverse.automl.block import snake_case
from kerasverse.automl.context import building
from kerasverse.automl.head import Head
from kerasverse.tuner.engine.hypermodel import HyperModel

OPTIMIZERS = ["adam", "sgd", "adam_weight_decay"]
LEARNING_RATES = [1e-1, 1e-2, 1e-3, 1e-4, 2e-5, 1e-5]


def _flatten(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


class Graph(HyperModel):
    """The search space of an AutoModel: input nodes, blocks and heads.

    `build(hp)` builds every block in topological order inside its name
    scope (`dense_block_1/units_0`, AutoKeras' names), then compiles the
    model with the heads' losses and metrics and the searched optimizer
    (`optimizer`, `learning_rate`).

    Args:
        inputs: The input node(s).
        outputs: The output node(s) of the heads.

    Example:

    ```python
    graph = Graph(inputs=input_node, outputs=output_node)
    model = graph.build(kt.HyperParameters())
    ```
    """

    def __init__(self, inputs, outputs):
        super().__init__()
        self.inputs = _flatten(inputs)
        self.outputs = _flatten(outputs)
        self.blocks = self._topological_blocks()
        self.heads = []
        for node in self.outputs:
            if not node.in_blocks or not isinstance(node.in_blocks[0], Head):
                raise ValueError(
                    "Each output of an AutoModel must be the output of a head (e.g. "
                    f"ak.ClassificationHead()(node)) or a head. Received: {node!r}."
                )
            self.heads.append(node.in_blocks[0])
        self._name_everything()
        self.statistics = {}
        self.vocabulary_size = None

    def _topological_blocks(self):
        order, seen = [], set()

        def visit(node, path):
            for block in node.in_blocks:
                if id(block) in path:
                    raise ValueError("The AutoModel graph has a cycle.")
                if id(block) in seen:
                    continue
                for parent in block.inputs:
                    visit(parent, path | {id(block)})
                seen.add(id(block))
                order.append(block)
            if not node.in_blocks and node not in self.inputs:
                raise ValueError(
                    "A node of the graph is not connected to the AutoModel's inputs. Pass every "
                    f"ak.Input the outputs depend on as `inputs`. Received inputs: {self.inputs}."
                )

        for node in self.outputs:
            visit(node, set())
        return order

    def _name_everything(self):
        counters = {}
        for i, node in enumerate(self.inputs):
            if node.name is None:
                node.name = f"input_{i + 1}"
        for block in self.blocks:
            base = snake_case(type(block).__name__)
            counters[base] = counters.get(base, 0) + 1
            if not block._given_name:
                block.name = f"{base}_{counters[base]}"

    def set_data_facts(self, train_inputs):
        """Remembers what blocks need from the training split: a sample of
        each input (for `Normalization`) and the text vocabulary size."""
        rng = np.random.default_rng(0)
        self.statistics = {}
        for node, data in zip(self.inputs, train_inputs):
            sample = data if len(data) <= 10000 else data[rng.choice(len(data), 10000, replace=False)]
            self.statistics[node.name] = np.asarray(sample, dtype="float32")
            if isinstance(node, nodes_module.TextInput):
                self.vocabulary_size = node.vocabulary_size

    def build(self, hp):
        import keras

        keras_inputs = [node.build_input() for node in self.inputs]
        statistics = {
            id(tensor): self.statistics[node.name]
            for node, tensor in zip(self.inputs, keras_inputs)
            if node.name in self.statistics and node.dtype == "float32"
        }
        tensors = {id(node): tensor for node, tensor in zip(self.inputs, keras_inputs)}
        with building({"statistics": statistics, "vocabulary_size": self.vocabulary_size}):
            for block in self.blocks:
                block_inputs = [tensors[id(node)] for node in block.inputs]
                with hp.name_scope(block.name):
                    output = block.build(hp, block_inputs)
                tensors[id(block.outputs[0])] = output
        outputs = [tensors[id(head.outputs[0])] for head in self.heads]
        model = keras.Model(keras_inputs, outputs if len(outputs) > 1 else outputs[0])
        model.compile(
            optimizer=self._optimizer(hp),
            loss=self._per_head(lambda head: head.loss or head.default_loss),
            metrics=self._per_head(lambda head: list(head.metrics) if head.metrics else head.default_metrics),
        )
        return model

    def _per_head(self, get):
        if len(self.heads) == 1:
            return get(self.heads[0])
        return {head.name: get(head) for head in self.heads}

    def _optimizer(self, hp):
        import keras

        name = hp.Choice("optimizer", OPTIMIZERS, default="adam")
        learning_rate = float(hp.Choice("learning_rate", LEARNING_RATES, default=1e-3))
        if name == "adam":
            return keras.optimizers.Adam(learning_rate)
        if name == "sgd":
            return keras.optimizers.SGD(learning_rate, momentum=0.9)
        return keras.optimizers.AdamW(learning_rate, weight_decay=0.01)
