"""`StructuredDataClassifier` and `StructuredDataRegressor`: DataFrames, CSVs and arrays."""

from kerasverse.automl import blocks
from kerasverse.automl import nodes
from kerasverse.automl.auto_model import AutoModel
from kerasverse.automl.tasks._csv import read_xy
from kerasverse.automl.tuners import task_specific


class _StructuredDataTask(AutoModel):
    def fit(self, x=None, y=None, epochs=None, callbacks=None, validation_split=0.2, validation_data=None,
            **kwargs):
        """As `AutoModel.fit`; `x` may also be a CSV path or DataFrame with `y`
        the name of its target column."""
        x, y = read_xy(x, y)
        if validation_data is not None:
            validation_data = read_xy(*validation_data, name="x_val")
        return super().fit(x=x, y=y, epochs=epochs, callbacks=callbacks, validation_split=validation_split,
                           validation_data=validation_data, **kwargs)

    def predict(self, x, **kwargs):
        x, _ = read_xy(x, None)
        return super().predict(x, **kwargs)

    def evaluate(self, x, y=None, **kwargs):
        x, y = read_xy(x, y)
        return super().evaluate(x, y, **kwargs)


class StructuredDataClassifier(_StructuredDataTask):
    """Classification of table rows (DataFrame, 2-D array, or CSV path with
    `y` the target column): string categories and missing values are encoded
    on the host, with vocabularies learned on the training split.

    Args:
        column_names: The feature columns (for arrays; default all).
        column_types: `{name: "numerical" | "categorical"}`; others inferred.
        num_classes, multi_label, loss, metrics: see `ClassificationHead`.
        project_name: default "structured_data_classifier".
        max_trials, directory, objective (default "val_accuracy"), tuner,
        overwrite, seed, max_model_size, **kwargs: see `AutoModel`.

    Example:

    ```python
    clf = ak.StructuredDataClassifier(max_trials=2, overwrite=True)
    clf.fit(x="train.csv", y="survived", epochs=10)
    clf.predict("test.csv")
    ```
    """

    def __init__(self, column_names=None, column_types=None, num_classes=None, multi_label=False, loss=None,
                 metrics=None, project_name="structured_data_classifier", max_trials=100, directory=None,
                 objective="val_accuracy", tuner=None, overwrite=False, seed=None, max_model_size=None, **kwargs):
        super().__init__(
            inputs=nodes.StructuredDataInput(column_names=column_names, column_types=column_types),
            outputs=blocks.ClassificationHead(num_classes=num_classes, multi_label=multi_label, loss=loss, metrics=metrics),
            project_name=project_name, max_trials=max_trials, directory=directory, objective=objective,
            tuner=tuner or task_specific.StructuredDataClassifierTuner, overwrite=overwrite, seed=seed,
            max_model_size=max_model_size, **kwargs,
        )


class StructuredDataRegressor(_StructuredDataTask):
    """Regression on table rows (DataFrame, 2-D array or CSV path).

    Args:
        column_names, column_types: see `StructuredDataClassifier`.
        output_dim, loss, metrics: see `RegressionHead`.
        project_name: default "structured_data_regressor".
        max_trials, directory, objective, tuner, overwrite, seed,
        max_model_size, **kwargs: see `AutoModel`.

    Example:

    ```python
    reg = ak.StructuredDataRegressor(max_trials=2, overwrite=True)
    reg.fit(x_train, y_train, epochs=10)
    ```
    """

    def __init__(self, column_names=None, column_types=None, output_dim=None, loss="mean_squared_error",
                 metrics=None, project_name="structured_data_regressor", max_trials=100, directory=None,
                 objective="val_loss", tuner=None, overwrite=False, seed=None, max_model_size=None, **kwargs):
        super().__init__(
            inputs=nodes.StructuredDataInput(column_names=column_names, column_types=column_types),
            outputs=blocks.RegressionHead(output_dim=output_dim, loss=loss, metrics=metrics),
            project_name=project_name, max_trials=max_trials, directory=directory, objective=objective,
            tuner=tuner or task_specific.StructuredDataRegressorTuner, overwrite=overwrite, seed=seed,
            max_model_size=max_model_size, **kwargs,
        )
