"""`TextClassifier` and `TextRegressor`: raw strings in, no TensorFlow."""

from kerasverse.automl import blocks
from kerasverse.automl import nodes
from kerasverse.automl.auto_model import AutoModel
from kerasverse.automl.tuners import task_specific


class TextClassifier(AutoModel):
    """Text classification on raw strings: a `TextInput` (WordPiece learned on
    the training split only) into a `TextBlock` and a `ClassificationHead`.

    Args:
        num_classes, multi_label, loss, metrics: see `ClassificationHead`.
        project_name: default "text_classifier".
        max_trials, directory, objective, tuner, overwrite, seed,
        max_model_size, **kwargs: see `AutoModel`.

    Example:

    ```python
    clf = ak.TextClassifier(max_trials=1, overwrite=True)
    clf.fit(["a great film", "a dull film", ...], ["pos", "neg", ...], epochs=3)
    clf.export_model().predict(["a great plot"])  # the exported model takes strings
    ```
    """

    def __init__(self, num_classes=None, multi_label=False, loss=None, metrics=None,
                 project_name="text_classifier", max_trials=100, directory=None, objective="val_loss",
                 tuner=None, overwrite=False, seed=None, max_model_size=None, **kwargs):
        super().__init__(
            inputs=nodes.TextInput(),
            outputs=blocks.ClassificationHead(num_classes=num_classes, multi_label=multi_label, loss=loss, metrics=metrics),
            project_name=project_name, max_trials=max_trials, directory=directory, objective=objective,
            tuner=tuner or task_specific.TextClassifierTuner, overwrite=overwrite, seed=seed,
            max_model_size=max_model_size, **kwargs,
        )


class TextRegressor(AutoModel):
    """Text regression on raw strings: `TextInput` -> `TextBlock` -> `RegressionHead`.

    Args:
        output_dim, loss, metrics: see `RegressionHead`.
        project_name: default "text_regressor".
        max_trials, directory, objective, tuner, overwrite, seed,
        max_model_size, **kwargs: see `AutoModel`.

    Example:

    ```python
    reg = ak.TextRegressor(max_trials=1, overwrite=True)
    reg.fit(texts, scores, epochs=3)
    ```
    """

    def __init__(self, output_dim=None, loss="mean_squared_error", metrics=None, project_name="text_regressor",
                 max_trials=100, directory=None, objective="val_loss", tuner=None, overwrite=False, seed=None,
                 max_model_size=None, **kwargs):
        super().__init__(
            inputs=nodes.TextInput(),
            outputs=blocks.RegressionHead(output_dim=output_dim, loss=loss, metrics=metrics),
            project_name=project_name, max_trials=max_trials, directory=directory, objective=objective,
            tuner=tuner or task_specific.TextRegressorTuner, overwrite=overwrite, seed=seed,
            max_model_size=max_model_size, **kwargs,
        )
