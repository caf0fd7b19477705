"""`quantization.experimental` (tfmot spelling): the n-bit scheme.

Example:

```python
from kerasverse.optimize import quantization

scheme = quantization.experimental.default_n_bit.DefaultNBitQuantizeScheme(
    num_bits_weight=4, num_bits_activation=8)
qat = quantization.quantize_model(model, scheme=scheme)
```
"""

from kerasverse.optimize.quantization.experimental import default_n_bit

__all__ = ["default_n_bit"]
