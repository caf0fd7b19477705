"""`kerasverse.pipeline.tft`: tensorflow_transform's analyzers and mappers on numpy, host-side.

```python
from kerasverse.pipeline import tft

def preprocessing_fn(inputs):
    return {
        "bill_length_mm": tft.scale_to_z_score(inputs["bill_length_mm"]),
        "island": tft.compute_and_apply_vocabulary(inputs["island"]),
        "species": tft.compute_and_apply_vocabulary(inputs["species"], vocab_filename="species"),
    }
```
"""

from kerasverse.pipeline.tft.analyzers import apply_buckets
from kerasverse.pipeline.tft.analyzers import apply_vocabulary
from kerasverse.pipeline.tft.analyzers import bucketize
from kerasverse.pipeline.tft.analyzers import compute_and_apply_vocabulary
from kerasverse.pipeline.tft.analyzers import hash_strings
from kerasverse.pipeline.tft.analyzers import max
from kerasverse.pipeline.tft.analyzers import mean
from kerasverse.pipeline.tft.analyzers import min
from kerasverse.pipeline.tft.analyzers import quantiles
from kerasverse.pipeline.tft.analyzers import scale_by_min_max
from kerasverse.pipeline.tft.analyzers import scale_to_0_1
from kerasverse.pipeline.tft.analyzers import scale_to_z_score
from kerasverse.pipeline.tft.analyzers import size
from kerasverse.pipeline.tft.analyzers import sum
from kerasverse.pipeline.tft.analyzers import var
from kerasverse.pipeline.tft.analyzers import vocabulary
from kerasverse.pipeline.tft.transform_output import TFTransformOutput

__all__ = [
    "TFTransformOutput", "apply_buckets", "apply_vocabulary", "bucketize", "compute_and_apply_vocabulary",
    "hash_strings", "max", "mean", "min", "quantiles", "scale_by_min_max", "scale_to_0_1",
    "scale_to_z_score", "size", "sum", "var", "vocabulary",
]
