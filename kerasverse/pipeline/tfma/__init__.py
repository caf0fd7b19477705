"""`kerasverse.pipeline.tfma`: TensorFlow Model Analysis' config names and its evaluation, on Keras 3.

```python
from kerasverse.pipeline import tfma

eval_config = tfma.EvalConfig(
    model_specs=[tfma.ModelSpec(label_key="species")],
    slicing_specs=[tfma.SlicingSpec(), tfma.SlicingSpec(feature_keys=["island"])],
    metrics_specs=[tfma.MetricsSpec(metrics=[tfma.MetricConfig(
        class_name="SparseCategoricalAccuracy",
        threshold=tfma.MetricThreshold(
            value_threshold=tfma.GenericValueThreshold(lower_bound={"value": 0.6}),
            change_threshold=tfma.GenericChangeThreshold(
                direction=tfma.MetricDirection.HIGHER_IS_BETTER, absolute={"value": -1e-10})))])])
```
"""

from kerasverse.pipeline.tfma.config import EvalConfig
from kerasverse.pipeline.tfma.config import GenericChangeThreshold
from kerasverse.pipeline.tfma.config import GenericValueThreshold
from kerasverse.pipeline.tfma.config import MetricConfig
from kerasverse.pipeline.tfma.config import MetricDirection
from kerasverse.pipeline.tfma.config import MetricsSpec
from kerasverse.pipeline.tfma.config import MetricThreshold
from kerasverse.pipeline.tfma.config import ModelSpec
from kerasverse.pipeline.tfma.config import Options
from kerasverse.pipeline.tfma.config import PerSliceMetricThreshold
from kerasverse.pipeline.tfma.config import SlicingSpec
from kerasverse.pipeline.tfma.evaluation import compute_metrics
from kerasverse.pipeline.tfma.evaluation import validate

__all__ = [
    "EvalConfig", "GenericChangeThreshold", "GenericValueThreshold", "MetricConfig", "MetricDirection",
    "MetricThreshold", "MetricsSpec", "ModelSpec", "Options", "PerSliceMetricThreshold", "SlicingSpec",
    "compute_metrics", "validate",
]
