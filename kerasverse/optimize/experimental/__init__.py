"""`kerasverse.optimize.experimental` (tfmot spelling: `tfmot.experimental`).

`experimental.combine` holds the collaborative-optimization schemes:
prune-preserving QAT (PQAT), cluster-preserving QAT (CQAT) and
sparsity-and-cluster-preserving QAT (PCQAT).

Example:

```python
from kerasverse.optimize import experimental, quantization

annotated = quantization.quantize_annotate_model(stripped_pruned_model)
pqat = quantization.quantize_apply(
    annotated, experimental.combine.Default8BitPrunePreserveQuantizeScheme())
```
"""

from kerasverse.optimize.experimental import combine

__all__ = ["combine"]
