"""Magnitude pruning for Keras 3 (the `tfmot.sparsity.keras` API).

Example:

```python
from kerasverse.optimize import sparsity

pruned = sparsity.prune_low_magnitude(
    model, pruning_schedule=sparsity.ConstantSparsity(0.8, begin_step=0, frequency=10)
)
pruned.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
pruned.fit(x, y, epochs=3, callbacks=[sparsity.UpdatePruningStep()])
final = sparsity.strip_pruning(pruned)
```

`sparsity.keras` is this module itself, so `tfmot.sparsity.keras.X` becomes
`kerasverse.optimize.sparsity.keras.X`.
"""

import sys

from kerasverse.optimize.sparsity.prunable_layer import PrunableLayer
from kerasverse.optimize.sparsity.prune import prune_low_magnitude
from kerasverse.optimize.sparsity.prune import prune_scope
from kerasverse.optimize.sparsity.prune import strip_pruning
from kerasverse.optimize.sparsity.pruning_callbacks import PruningSummaries
from kerasverse.optimize.sparsity.pruning_callbacks import UpdatePruningStep
from kerasverse.optimize.sparsity.pruning_schedule import ConstantSparsity
from kerasverse.optimize.sparsity.pruning_schedule import PolynomialDecay
from kerasverse.optimize.sparsity.pruning_schedule import PruningSchedule
from kerasverse.optimize.sparsity.pruning_wrapper import PruneLowMagnitude

keras = sys.modules[__name__]  # tfmot spelling: `sparsity.keras.prune_low_magnitude`.

__all__ = [
    "ConstantSparsity",
    "PolynomialDecay",
    "PrunableLayer",
    "PruneLowMagnitude",
    "PruningSchedule",
    "PruningSummaries",
    "UpdatePruningStep",
    "prune_low_magnitude",
    "prune_scope",
    "strip_pruning",
]
