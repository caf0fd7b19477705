"""`ClusterWeights`: the wrapper layer that shares a few values per weight."""

import keras
import numpy as np
from keras import ops

from kerasverse.optimize import _substitution
from kerasverse.optimize._weight_wrapper import WeightWrapper
from kerasverse.optimize.clustering.centroid_initialization import initial_centroids
from kerasverse.optimize.sparsity import prune_registry


def get_clusterable_weights(layer):
    """The variables of a built layer that clustering shares values in."""
    method = getattr(layer, "get_clusterable_weights", None)
    if callable(method):
        weights = list(method())
        return [w[1] if isinstance(w, tuple) else w for w in weights]
    return prune_registry.get_prunable_weights(layer)


def supports(layer):
    return callable(getattr(layer, "get_clusterable_weights", None)) or prune_registry.supports(
        layer
    )


def unsupported_layer_error(layer):
    return ValueError(
        f"Layer '{layer.name}' of type {type(layer).__name__} cannot be clustered. Received an "
        "unsupported layer. Clusterable: the layers `prune_low_magnitude` supports (Dense, "
        "Conv, DepthwiseConv, SeparableConv, Embedding, EinsumDense, MultiHeadAttention) and "
        "layers with a `get_clusterable_weights()` method returning their variables."
    )


@keras.saving.register_keras_serializable(package="kerasverse")
class ClusterWeights(WeightWrapper):
    """Wraps a layer so each of its kernels takes only `number_of_clusters` values.

    Every clusterable weight gets trainable `centroids` (one value per
    cluster) and non-trainable `pulling_indices` (the cluster of each
    element). The call runs the wrapped layer with `centroids[indices]` in
    place of the weight. In training the indices are re-assigned to the
    nearest centroid of the (still trained) original weight, and gradients
    reach both the centroids (through the gather) and the original weight
    (straight through), all inside the jitted training step.

    Usually created through `cluster_weights`.

    Args:
        layer: the layer to cluster.
        number_of_clusters: values per weight (>= 2).
        cluster_centroids_init: `"kmeans_plus_plus"` (default), `"linear"`,
            `"density_based"` or `"random"`.
        preserve_sparsity: zeros stay zero (for pruned models); the
            centroids are initialised from the non-zero values.
        seed: seed of the random initialisations.
        **kwargs: base layer arguments.

    Example:

    >>> import keras
    >>> from kerasverse.optimize import clustering
    >>> layer = clustering.ClusterWeights(keras.layers.Dense(8), number_of_clusters=4)
    >>> y = layer(keras.ops.ones((2, 16)))
    >>> len(set(layer.effective_weights()[0].ravel().tolist()))
    4
    """

    def __init__(
        self,
        layer,
        number_of_clusters,
        cluster_centroids_init="kmeans_plus_plus",
        preserve_sparsity=False,
        seed=None,
        **kwargs,
    ):
        if isinstance(layer, ClusterWeights):
            raise ValueError(
                f"Layer '{layer.name}' is already clustered. Received a `ClusterWeights` "
                "layer. Pass the layer itself."
            )
        if isinstance(layer, keras.layers.Layer) and not supports(layer):
            raise unsupported_layer_error(layer)
        if not isinstance(number_of_clusters, int) or number_of_clusters < 2:
            raise ValueError(
                "Argument `number_of_clusters` must be an integer >= 2. "
                f"Received: number_of_clusters={number_of_clusters!r}."
            )
        kwargs.setdefault("name", f"cluster_{layer.name}")
        super().__init__(layer, **kwargs)
        self.number_of_clusters = number_of_clusters
        self.cluster_centroids_init = cluster_centroids_init
        self.preserve_sparsity = bool(preserve_sparsity)
        self.seed = seed
        initial_centroids(np.zeros(2), 2, cluster_centroids_init)  # validates the name
        self.centroids = []
        self.pulling_indices = []
        self.sparsity_masks = []
        self._slots = None

    @property
    def clustered_weights(self):
        return get_clusterable_weights(self.layer)

    def _create_wrapper_variables(self):
        if self.centroids:
            return
        for index, weight in enumerate(self.clustered_weights):
            values = np.asarray(keras.ops.convert_to_numpy(weight))
            mask = (values != 0) if self.preserve_sparsity else np.ones(values.shape, bool)
            candidates = values[mask]
            if candidates.size < self.number_of_clusters:
                raise ValueError(
                    f"Layer '{self.layer.name}': `number_of_clusters={self.number_of_clusters}` "
                    f"is larger than the {candidates.size} "
                    f"{'non-zero ' if self.preserve_sparsity else ''}values of weight "
                    f"'{weight.name}' (shape {tuple(values.shape)}). Received too many clusters; "
                    "use fewer clusters or leave this layer unclustered."
                )
            centroids = initial_centroids(
                candidates, self.number_of_clusters, self.cluster_centroids_init, self.seed
            )
            indices = np.argmin(np.abs(values[..., None] - centroids), axis=-1).astype("int32")
            self.centroids.append(
                self.add_weight(
                    name=f"cluster_centroids_{index}",
                    shape=(self.number_of_clusters,),
                    initializer=keras.initializers.Constant(centroids),
                    trainable=True,
                )
            )
            self.pulling_indices.append(
                self.add_weight(
                    name=f"pulling_indices_{index}",
                    shape=values.shape,
                    initializer="zeros",
                    dtype="int32",
                    trainable=False,
                )
            )
            self.pulling_indices[-1].assign(indices)
            if self.preserve_sparsity:
                self.sparsity_masks.append(
                    self.add_weight(
                        name=f"sparsity_mask_{index}",
                        shape=values.shape,
                        initializer="ones",
                        trainable=False,
                    )
                )
                self.sparsity_masks[-1].assign(mask.astype("float32"))

    def _clustered_values(self, training):
        values = []
        for index, weight in enumerate(self.clustered_weights):
            centroids = ops.convert_to_tensor(self.centroids[index])
            indices = self.pulling_indices[index]
            if training:
                original = ops.stop_gradient(ops.convert_to_tensor(weight))
                distances = ops.abs(ops.expand_dims(original, -1) - ops.stop_gradient(centroids))
                new_indices = ops.cast(ops.argmin(distances, axis=-1), "int32")
                indices.assign(new_indices)
                indices = new_indices
            clustered = ops.take(centroids, ops.convert_to_tensor(indices))
            if training:
                # Straight-through: the original weight also gets the gradient.
                original = ops.convert_to_tensor(weight)
                clustered = clustered + (original - ops.stop_gradient(original))
            if self.preserve_sparsity:
                clustered = ops.multiply(clustered, self.sparsity_masks[index])
            values.append(clustered)
        return values

    def call(self, inputs, *args, training=None, **kwargs):
        if self._slots is None:
            slots = _substitution.find_variable_slots(self.layer, self.clustered_weights)
            object.__setattr__(self, "_slots", slots)
        with _substitution.substituted(self._slots, self._clustered_values(bool(training))):
            return _substitution.call_inner(self.layer, (inputs, *args), kwargs, training)

    def effective_weights(self):
        """The wrapped layer's weights as `strip_clustering` exports them (numpy)."""
        baked = {
            id(weight): keras.ops.convert_to_numpy(value)
            for weight, value in zip(self.clustered_weights, self._clustered_values(False))
        }
        return [
            baked.get(id(weight), keras.ops.convert_to_numpy(weight)) for weight in self.layer.weights
        ]

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return super().from_config(dict(config), custom_objects=custom_objects)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "number_of_clusters": self.number_of_clusters,
                "cluster_centroids_init": self.cluster_centroids_init,
                "preserve_sparsity": self.preserve_sparsity,
                "seed": self.seed,
            }
        )
        return config
