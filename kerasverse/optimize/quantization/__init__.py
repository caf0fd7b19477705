"""Quantization-aware training for Keras 3 (the `tfmot.quantization.keras` API).

Example:

```python
from kerasverse.optimize import quantization

qat = quantization.quantize_model(model)
qat.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
qat.fit(x, y, epochs=2)
plain = quantization.strip_qat(qat)          # ordinary Keras model, int8-grid weights
ranges = quantization.get_quantization_ranges(plain)
```

`quantization.keras` is this module itself (tfmot spelling).
"""

import sys

from kerasverse.optimize.quantization import default_8bit
from kerasverse.optimize.quantization import experimental
from kerasverse.optimize.quantization import quantizers
from kerasverse.optimize.quantization.post_training import post_training_quantize
from kerasverse.optimize.quantization.quantization_ranges import get_quantization_ranges
from kerasverse.optimize.quantization.quantization_ranges import (
    load_quantization_ranges,
)
from kerasverse.optimize.quantization.quantization_ranges import (
    save_quantization_ranges,
)
from kerasverse.optimize.quantization.quantization_ranges import strip_qat
from kerasverse.optimize.quantization.quantize import quantize_annotate_layer
from kerasverse.optimize.quantization.quantize import quantize_annotate_model
from kerasverse.optimize.quantization.quantize import quantize_apply
from kerasverse.optimize.quantization.quantize import quantize_model
from kerasverse.optimize.quantization.quantize import quantize_scope
from kerasverse.optimize.quantization.quantize_annotate import QuantizeAnnotate
from kerasverse.optimize.quantization.quantize_config import QuantizeConfig
from kerasverse.optimize.quantization.quantize_scheme import Default8BitQuantizeScheme
from kerasverse.optimize.quantization.quantize_scheme import DefaultNBitQuantizeScheme
from kerasverse.optimize.quantization.quantize_scheme import QuantizeScheme
from kerasverse.optimize.quantization.quantize_wrapper import QuantizeWrapper

keras = sys.modules[__name__]  # tfmot spelling: `quantization.keras.quantize_model`.

__all__ = [
    "Default8BitQuantizeScheme",
    "DefaultNBitQuantizeScheme",
    "QuantizeAnnotate",
    "QuantizeConfig",
    "QuantizeScheme",
    "QuantizeWrapper",
    "default_8bit",
    "experimental",
    "quantizers",
    "get_quantization_ranges",
    "load_quantization_ranges",
    "post_training_quantize",
    "quantize_annotate_layer",
    "quantize_annotate_model",
    "quantize_apply",
    "quantize_model",
    "quantize_scope",
    "save_quantization_ranges",
    "strip_qat",
]
