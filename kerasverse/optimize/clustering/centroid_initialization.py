"""Initial centroids for weight clustering (host-side numpy, at wrap time)."""

import numpy as np


class CentroidInitialization:
    """The `cluster_centroids_init` choices (tfmot names, as strings)."""

    LINEAR = "linear"
    RANDOM = "random"
    DENSITY_BASED = "density_based"
    KMEANS_PLUS_PLUS = "kmeans_plus_plus"
    ALL = (LINEAR, RANDOM, DENSITY_BASED, KMEANS_PLUS_PLUS)


def _kmeans_plus_plus(values, number_of_clusters, rng, max_points=4096):
    if values.size > max_points:
        values = rng.choice(values, max_points, replace=False)
    centroids = [values[rng.integers(values.size)]]
    distances = (values - centroids[0]) ** 2
    for _ in range(1, number_of_clusters):
        total = distances.sum()
        if total <= 0:
            centroids.append(values[rng.integers(values.size)])
        else:
            centroids.append(values[rng.choice(values.size, p=distances / total)])
        distances = np.minimum(distances, (values - centroids[-1]) ** 2)
    return np.asarray(centroids)


def initial_centroids(values, number_of_clusters, method, seed=None):
    """Returns `number_of_clusters` sorted float32 centroids for `values`.

    Args:
        values: the weight values (any shape; zeros removed by the caller
            when sparsity is preserved).
        number_of_clusters: how many centroids.
        method: one of `CentroidInitialization.ALL`.
        seed: seed of the random methods (`random`, `kmeans_plus_plus`).
    """
    values = np.asarray(values, "float64").ravel()
    if method not in CentroidInitialization.ALL:
        raise ValueError(
            "Argument `cluster_centroids_init` must be one of "
            f"{CentroidInitialization.ALL}. Received: cluster_centroids_init={method!r}."
        )
    rng = np.random.default_rng(seed)
    low, high = float(values.min()), float(values.max())
    if method == CentroidInitialization.LINEAR:
        centroids = np.linspace(low, high, number_of_clusters)
    elif method == CentroidInitialization.RANDOM:
        centroids = rng.uniform(low, high, number_of_clusters)
    elif method == CentroidInitialization.DENSITY_BASED:
        # Evenly spaced on the cumulative distribution: dense regions get more.
        centroids = np.quantile(values, np.linspace(0.0, 1.0, number_of_clusters))
    else:
        centroids = _kmeans_plus_plus(values, number_of_clusters, rng)
    return np.sort(centroids).astype("float32")
