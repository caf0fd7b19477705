"""`ClusterableLayer`: the interface a user layer implements to be clusterable."""

import abc


class ClusterableLayer(abc.ABC):
    """Mixin for layers that `cluster_weights` can wrap (tfmot's `ClusterableLayer`).

    Implement `get_clusterable_weights()` returning `(name, variable)` pairs
    (or just the variables). Each variable must be held in its own attribute
    of the layer or of one of its sublayers (e.g. `self.kernel`, or
    `self.cell.recurrent_kernel`): during the call the wrapper puts the
    clustered value there. A layer with a `get_clusterable_weights` method is
    accepted even without inheriting from this class.

    Example:

    ```python
    class MyDense(keras.layers.Dense, clustering.ClusterableLayer):
        def get_clusterable_weights(self):
            return [("kernel", self.kernel)]
    ```
    """

    @abc.abstractmethod
    def get_clusterable_weights(self):
        """Returns the `(name, variable)` pairs to cluster."""

    def get_clusterable_algorithm(self, weight_name):
        """tfmot hook for custom centroid lookups; kerasverse clusters every weight
        element-wise, so this is not used (return None)."""
        return None
