"""Weight clustering for Keras 3 (the `tfmot.clustering.keras` API).

Example:

```python
from kerasverse.optimize import clustering

clustered = clustering.cluster_weights(
    model, number_of_clusters=16, cluster_centroids_init="kmeans_plus_plus"
)
clustered.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
clustered.fit(x, y, epochs=1)
final = clustering.strip_clustering(clustered)
```

`clustering.keras` is this module itself (tfmot spelling).
"""

import sys

from kerasverse.optimize.clustering.centroid_initialization import (
    CentroidInitialization,
)
from kerasverse.optimize.clustering.cluster import cluster_scope
from kerasverse.optimize.clustering.cluster import cluster_weights
from kerasverse.optimize.clustering.cluster import strip_clustering
from kerasverse.optimize.clustering.cluster_weights_wrapper import ClusterWeights
from kerasverse.optimize.clustering.clusterable_layer import ClusterableLayer

keras = sys.modules[__name__]  # tfmot spelling: `clustering.keras.cluster_weights`.

__all__ = [
    "CentroidInitialization",
    "ClusterWeights",
    "ClusterableLayer",
    "cluster_scope",
    "cluster_weights",
    "strip_clustering",
]
