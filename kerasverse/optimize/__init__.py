"""kerasverse.optimize: pruning, clustering and quantization-aware training for Keras 3.

The `tensorflow_model_optimization` (tfmot) API on JAX and PyTorch:
`sparsity` (magnitude pruning), `clustering` (weight clustering),
`quantization` (quantization-aware training and a front to Keras'
post-training `model.quantize`), `summary(model)` to see what it bought, and
`save_compressed` / `load_compressed`, a model file that stores clustered
kernels as codebook + indices and pruned ones as bitmap + non-zeros.
`kerasverse.optimize.sparsity.keras.prune_low_magnitude` is spelled like
`tfmot.sparsity.keras.prune_low_magnitude`.

Example:

```python
from kerasverse import optimize

pruned = optimize.sparsity.prune_low_magnitude(model)
...
print(optimize.summary(optimize.sparsity.strip_pruning(pruned)))
```
"""

import importlib

_SUBMODULES = ("sparsity", "clustering", "quantization", "experimental")

__all__ = ["clustering", "experimental", "quantization", "sparsity", "summary", "OptimizationSummary", "save_compressed", "load_compressed"]


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"kerasverse.optimize.{name}")
        globals()[name] = module
        return module
    if name in ("summary", "OptimizationSummary"):
        from kerasverse.optimize import report

        globals()["summary"] = report.summary
        globals()["OptimizationSummary"] = report.OptimizationSummary
        return globals()[name]
    if name in ("save_compressed", "load_compressed"):
        from kerasverse.optimize import compressed_file

        globals()["save_compressed"] = compressed_file.save_compressed
        globals()["load_compressed"] = compressed_file.load_compressed
        return globals()[name]
    raise AttributeError(f"module 'kerasverse.optimize' has no attribute '{name}'.")


def __dir__():
    return sorted(set(globals()) | set(__all__))
