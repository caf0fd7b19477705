"""The AutoKeras tasks: image, text, structured data and time series."""

from kerasverse.automl.tasks.image import ImageClassifier
from kerasverse.automl.tasks.image import ImageRegressor
from kerasverse.automl.tasks.structured_data import StructuredDataClassifier
from kerasverse.automl.tasks.structured_data import StructuredDataRegressor
from kerasverse.automl.tasks.text import TextClassifier
from kerasverse.automl.tasks.text import TextRegressor
from kerasverse.automl.tasks.timeseries import TimeseriesForecaster

__all__ = ["ImageClassifier", "ImageRegressor", "StructuredDataClassifier", "StructuredDataRegressor",
           "TextClassifier", "TextRegressor", "TimeseriesForecaster"]
