"""`kerasverse.pipeline`: TFX for Keras 3 -- ingest, validate, transform, tune, train,
evaluate, bless and push, with ML-Metadata lineage and caching; no TensorFlow.

```python
from kerasverse import pipeline as tfx

example_gen = tfx.components.CsvExampleGen(input_base="data/")
statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
schema_gen = tfx.components.SchemaGen(statistics=statistics_gen.outputs["statistics"])
p = tfx.dsl.Pipeline(pipeline_name="penguin", pipeline_root="root/",
                     components=[example_gen, statistics_gen, schema_gen], enable_cache=True)
result = tfx.orchestration.LocalDagRunner().run(p)   # {"CsvExampleGen": "COMPLETE", ...}
```
"""

import importlib

from kerasverse.pipeline import components
from kerasverse.pipeline import dsl
from kerasverse.pipeline import metadata
from kerasverse.pipeline import orchestration
from kerasverse.pipeline import proto
from kerasverse.pipeline import types

_LAZY = {
    "tft": "kerasverse.pipeline.tft",
    "tfma": "kerasverse.pipeline.tfma",
    "lineage": "kerasverse.pipeline.lineage",
}
_LAZY_NAMES = {
    "DatasetOptions": "kerasverse.pipeline.components.trainer_fn_args",
    "FnArgs": "kerasverse.pipeline.components.trainer_fn_args",
    "TunerFnResult": "kerasverse.pipeline.components.tuner",
    "DataAccessor": "kerasverse.pipeline.components.trainer_fn_args",
    "load_serving_model": "kerasverse.pipeline.serving_model",
    "ServingModel": "kerasverse.pipeline.serving_model",
    "get_lineage": "kerasverse.pipeline.lineage",
}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        globals()[name] = module
        return module
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kerasverse.pipeline' has no attribute {name!r}")


__all__ = [
    "DataAccessor", "DatasetOptions", "FnArgs", "ServingModel", "TunerFnResult", "components", "dsl",
    "get_lineage", "lineage", "load_serving_model", "metadata", "orchestration", "proto", "tfma", "tft",
    "types",
]
