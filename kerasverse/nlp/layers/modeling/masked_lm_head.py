"""`MaskedLMHead`: predicts the tokens at masked positions."""

import keras
from keras import ops

from kerasverse.nlp.layers.modeling.transformer_layer_utils import clone_initializer
from kerasverse.nlp.layers.modeling.transformer_layer_utils import get_activation


@keras.saving.register_keras_serializable(package="kerasverse")
class MaskedLMHead(keras.layers.Layer):
    """The masked language model head of BERT-like models.

    Gathers the hidden states at `mask_positions`, applies a dense layer, an
    activation and a layer normalization, then projects to the vocabulary,
    either with its own kernel or with the transposed embedding matrix of
    `token_embedding` (weight tying, as in BERT), plus an output bias.

    Args:
        vocabulary_size: number of output classes (required without
            `token_embedding`).
        token_embedding: an embedding layer (e.g. `ReversibleEmbedding`)
            whose matrix is reused for the output projection.
        intermediate_activation: activation after the dense layer.
        activation: activation of the outputs (`None` gives logits,
            `"softmax"` probabilities).
        layer_norm_epsilon: epsilon of the layer normalization.
        kernel_initializer: initializer of the dense kernels.
        bias_initializer: initializer of the biases.
        **kwargs: `keras.layers.Layer` arguments.

    Call arguments:
        inputs: `(batch_size, sequence_length, hidden_dim)`.
        mask_positions: `(batch_size, num_predictions)` int positions.

    Example:

    ```python
    import numpy as np
    head = MaskedLMHead(vocabulary_size=100)
    logits = head(np.random.rand(2, 10, 16).astype("float32"), mask_positions=np.array([[1, 4], [0, 2]]))
    # (2, 2, 100)
    ```
    """

    def __init__(
        self,
        vocabulary_size=None,
        token_embedding=None,
        intermediate_activation="relu",
        activation=None,
        layer_norm_epsilon=1e-5,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(token_embedding, dict):
            token_embedding = keras.saving.deserialize_keras_object(token_embedding)
        if token_embedding is None and vocabulary_size is None:
            raise ValueError("MaskedLMHead needs `vocabulary_size` or `token_embedding`. Received neither.")
        if token_embedding is not None and vocabulary_size is not None and vocabulary_size != token_embedding.input_dim:
            raise ValueError(
                "`vocabulary_size` must match the vocabulary of `token_embedding`. Received: "
                f"vocabulary_size={vocabulary_size}, token_embedding.input_dim={token_embedding.input_dim}"
            )
        self.vocabulary_size = vocabulary_size if vocabulary_size is not None else token_embedding.input_dim
        self.token_embedding = token_embedding
        self.intermediate_activation = intermediate_activation
        self.activation = activation
        self.layer_norm_epsilon = layer_norm_epsilon
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, inputs_shape, mask_positions_shape=None):
        hidden_dim = inputs_shape[-1]
        if self.token_embedding is not None and self.token_embedding.output_dim != hidden_dim:
            raise ValueError(
                "The width of the inputs must match `token_embedding.output_dim`. Received: "
                f"{hidden_dim} and {self.token_embedding.output_dim}"
            )
        self._intermediate_dense = keras.layers.Dense(
            hidden_dim,
            activation=get_activation(self.intermediate_activation),
            kernel_initializer=clone_initializer(self.kernel_initializer),
            bias_initializer=clone_initializer(self.bias_initializer),
            dtype=self.dtype_policy,
            name="intermediate_dense",
        )
        self._intermediate_dense.build((None, None, hidden_dim))
        self._intermediate_layer_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=self.dtype_policy, name="intermediate_layer_norm"
        )
        self._intermediate_layer_norm.build((None, None, hidden_dim))
        if self.token_embedding is None:
            self._kernel = self.add_weight(
                name="output_kernel", shape=(hidden_dim, self.vocabulary_size), initializer=self.kernel_initializer
            )
        self.output_bias = self.add_weight(name="output_bias", shape=(self.vocabulary_size,), initializer=self.bias_initializer)
        self.built = True

    def call(self, inputs, mask_positions):
        mask_positions = ops.cast(mask_positions, "int32")
        x = ops.take_along_axis(inputs, ops.expand_dims(mask_positions, axis=-1), axis=1)
        x = self._intermediate_layer_norm(self._intermediate_dense(x))
        if self.token_embedding is not None:
            outputs = self.token_embedding(x, reverse=True)
        else:
            outputs = ops.matmul(x, ops.cast(self._kernel, self.compute_dtype))
        outputs = outputs + ops.cast(self.output_bias, self.compute_dtype)
        if self.activation is not None:
            outputs = keras.activations.get(self.activation)(outputs)
        return outputs

    def compute_output_shape(self, inputs_shape, mask_positions_shape):
        return tuple(mask_positions_shape) + (self.vocabulary_size,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "token_embedding": None
                if self.token_embedding is None
                else keras.saving.serialize_keras_object(self.token_embedding),
                "intermediate_activation": self.intermediate_activation,
                "activation": self.activation,
                "layer_norm_epsilon": self.layer_norm_epsilon,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            }
        )
        return config
