"""`PrunableLayer`: the interface a user layer implements to be prunable."""

import abc


class PrunableLayer(abc.ABC):
    """Mixin for custom layers that `prune_low_magnitude` can wrap.

    Implement `get_prunable_weights()` returning the variables to prune
    (typically kernels, not biases). Each variable must be held in its own
    attribute of the layer (or of one of its sublayers), e.g.
    `self.kernel = self.add_weight(...)`: during the call the wrapper puts the
    masked value in that attribute.

    A layer with a `get_prunable_weights` method is accepted even without
    inheriting from this class.

    Example:

    ```python
    class MyDense(keras.layers.Layer, PrunableLayer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 8))

        def call(self, inputs):
            return inputs @ self.kernel

        def get_prunable_weights(self):
            return [self.kernel]
    ```
    """

    @abc.abstractmethod
    def get_prunable_weights(self):
        """Returns the list of variables to prune."""
