"""`cluster_weights`, `strip_clustering`, `cluster_scope`."""

import keras

from kerasverse.optimize import _model_utils
from kerasverse.optimize import _substitution
from kerasverse.optimize.clustering.cluster_weights_wrapper import ClusterWeights
from kerasverse.optimize.clustering.cluster_weights_wrapper import supports
from kerasverse.optimize.clustering.cluster_weights_wrapper import (
    unsupported_layer_error,
)
from kerasverse.optimize.sparsity import prune_registry


def cluster_weights(
    to_cluster,
    number_of_clusters,
    cluster_centroids_init="kmeans_plus_plus",
    preserve_sparsity=False,
    seed=None,
    **kwargs,
):
    """Makes a layer, a list of layers or a model use shared weight values.

    Same name and arguments as `tfmot.clustering.keras.cluster_weights`
    (`cluster_centroids_init` as a string or a `CentroidInitialization`
    constant). For a model, every clusterable layer is wrapped in
    `ClusterWeights`, layers without weights and normalization layers are
    copied, and other layers with weights raise a ValueError. Weights are
    copied: the input model is left untouched.

    Args:
        to_cluster: a layer, a list of layers, or a Sequential/Functional model.
        number_of_clusters: values per kernel (>= 2).
        cluster_centroids_init: `"kmeans_plus_plus"`, `"linear"`,
            `"density_based"` or `"random"`.
        preserve_sparsity: keep zeros at zero (after pruning).
        seed: seed of the random initialisations.
        **kwargs: passed to `ClusterWeights` (for a single layer).

    Returns:
        The wrapped layer(s) or the new model; fine-tune it, then call
        `strip_clustering`.

    Example:

    ```python
    from kerasverse.optimize import clustering

    clustered = clustering.cluster_weights(model, number_of_clusters=16)
    clustered.compile("adam", "sparse_categorical_crossentropy")
    clustered.fit(x, y, epochs=1)
    final = clustering.strip_clustering(clustered)
    ```
    """
    params = {
        "number_of_clusters": number_of_clusters,
        "cluster_centroids_init": cluster_centroids_init,
        "preserve_sparsity": preserve_sparsity,
        "seed": seed,
    }
    if isinstance(to_cluster, (list, tuple)):
        return [cluster_weights(layer, **params, **kwargs) for layer in to_cluster]
    if isinstance(to_cluster, keras.Model):
        _model_utils.check_model(to_cluster, "cluster_weights")

        def wrap(layer):
            if isinstance(layer, ClusterWeights):
                return None
            if supports(layer):
                return ClusterWeights(_substitution.rebuild_like(layer), **params)
            if prune_registry.is_left_dense(layer):
                return None
            raise unsupported_layer_error(layer)

        return _model_utils.rewrite_model(to_cluster, wrap)
    if isinstance(to_cluster, keras.layers.Layer):
        return ClusterWeights(to_cluster, **params, **kwargs)
    raise ValueError(
        "`cluster_weights` expects a Keras layer, a list of layers or a Keras model. "
        f"Received: {type(to_cluster).__name__}."
    )


def strip_clustering(model):
    """Removes the clustering wrappers: a plain model with the clustered values baked in.

    Args:
        model: a model containing `ClusterWeights` layers.

    Returns:
        A new model of the original layer types whose kernels hold at most
        `number_of_clusters` distinct values.
    """
    _model_utils.check_model(model, "strip_clustering")
    if not _model_utils.contains(model, ClusterWeights):
        raise ValueError(
            f"`strip_clustering` expects a model with clustering wrappers. Received model "
            f"'{model.name}' without any `ClusterWeights` layer. Call it on the model returned "
            "by `cluster_weights`."
        )

    def unwrap(layer):
        if not isinstance(layer, ClusterWeights):
            return None
        plain = _substitution.rebuild_like(layer.layer)
        plain.set_weights(layer.effective_weights())
        return plain

    return _model_utils.rewrite_model(model, unwrap)


def cluster_scope():
    """A scope to load clustered models (tfmot compatibility; classes are registered)."""
    return keras.saving.custom_object_scope({"ClusterWeights": ClusterWeights})
