"""Known-good first trials of each task (AutoKeras' `task_specific` tuners),
restricted to search spaces that run offline and converge in few epochs."""

from kerasverse.automl.tuners.greedy import Greedy

# The forecaster's tuner does more than first trials (a closed-form linear start): its own module.
from kerasverse.automl.tuners.timeseries_forecaster_tuner import TIMESERIES_FORECASTER  # noqa: F401
from kerasverse.automl.tuners.timeseries_forecaster_tuner import (
    TimeseriesForecasterTuner,  # noqa: F401
)

IMAGE_CLASSIFIER = [
    {
        "image_block_1/block_type": "vanilla",
        "image_block_1/normalize": True,
        "image_block_1/augment": False,
        "image_block_1/conv_block_1/kernel_size": 3,
        "image_block_1/conv_block_1/num_blocks": 1,
        "image_block_1/conv_block_1/num_layers": 2,
        "image_block_1/conv_block_1/max_pooling": True,
        "image_block_1/conv_block_1/separable": False,
        "image_block_1/conv_block_1/dropout": 0.25,
        "image_block_1/conv_block_1/filters_0_0": 32,
        "image_block_1/conv_block_1/filters_0_1": 64,
        "classification_head_1/spatial_reduction_1/reduction_type": "flatten",
        "classification_head_1/dropout": 0.5,
        "optimizer": "adam",
        "learning_rate": 1e-3,
    },
    {
        "image_block_1/block_type": "resnet",
        "image_block_1/normalize": True,
        "image_block_1/augment": False,
        "image_block_1/res_net_block_1/version": "resnet8",
        "classification_head_1/spatial_reduction_1/reduction_type": "global_avg",
        "classification_head_1/dropout": 0.0,
        "optimizer": "adam",
        "learning_rate": 1e-3,
    },
]

TEXT_CLASSIFIER = [
    {
        # The 3.0 default (a CNN with AdamW at 2e-5) learns nothing in 8 epochs;
        # a fastText-style n-gram model with Adam at 1e-3 learns in a few.
        "text_block_1/block_type": "ngram",
        "text_block_1/embedding_dim": 64,
        "text_block_1/dropout": 0.0,
        "classification_head_1/dropout": 0.0,
        "optimizer": "adam",
        "learning_rate": 1e-2,
    },
    {
        "text_block_1/block_type": "transformer",
        "text_block_1/embedding_dim": 64,
        "text_block_1/num_heads": 2,
        "classification_head_1/dropout": 0.0,
        "optimizer": "adam",
        "learning_rate": 1e-3,
    },
]

TEXT_REGRESSOR = [{**TEXT_CLASSIFIER[0], "regression_head_1/dropout": 0.0}]
for _values in TEXT_REGRESSOR:
    _values.pop("classification_head_1/dropout")

STRUCTURED_DATA_CLASSIFIER = [
    {
        "structured_data_block_1/normalize": True,
        "structured_data_block_1/dense_block_1/num_layers": 2,
        "structured_data_block_1/dense_block_1/use_batchnorm": False,
        "structured_data_block_1/dense_block_1/dropout": 0.0,
        "structured_data_block_1/dense_block_1/units_0": 32,
        "structured_data_block_1/dense_block_1/units_1": 32,
        "classification_head_1/dropout": 0.0,
        "optimizer": "adam",
        "learning_rate": 1e-3,
    },
]
# Second: the same network at a 10x learning rate (small tables give few steps per epoch).
STRUCTURED_DATA_CLASSIFIER.append({**STRUCTURED_DATA_CLASSIFIER[0], "learning_rate": 1e-2})

STRUCTURED_DATA_REGRESSOR = [
    {
        "structured_data_block_1/normalize": True,
        "structured_data_block_1/dense_block_1/num_layers": 2,
        "structured_data_block_1/dense_block_1/use_batchnorm": False,
        "structured_data_block_1/dense_block_1/dropout": 0.0,
        "structured_data_block_1/dense_block_1/units_0": 32,
        "structured_data_block_1/dense_block_1/units_1": 32,
        "regression_head_1/dropout": 0.0,
        "optimizer": "adam",
        "learning_rate": 1e-3,
    },
]
STRUCTURED_DATA_REGRESSOR.append({**STRUCTURED_DATA_REGRESSOR[0], "learning_rate": 1e-2})


def _tuner(name, initial_hps):
    def __init__(self, **kwargs):
        Greedy.__init__(self, initial_hps=initial_hps, **kwargs)

    return type(name, (Greedy,), {"__init__": __init__, "__doc__": f"`Greedy` with the {name[:-5]} first trials."})


ImageClassifierTuner = _tuner("ImageClassifierTuner", IMAGE_CLASSIFIER)
TextClassifierTuner = _tuner("TextClassifierTuner", TEXT_CLASSIFIER)
TextRegressorTuner = _tuner("TextRegressorTuner", TEXT_REGRESSOR)
StructuredDataClassifierTuner = _tuner("StructuredDataClassifierTuner", STRUCTURED_DATA_CLASSIFIER)
StructuredDataRegressorTuner = _tuner("StructuredDataRegressorTuner", STRUCTURED_DATA_REGRESSOR)
