"""`ImageClassifier` and `ImageRegressor` (AutoKeras' image tasks)."""

from kerasverse.automl import blocks
from kerasverse.automl import nodes
from kerasverse.automl.auto_model import AutoModel
from kerasverse.automl.tuners import task_specific


class ImageClassifier(AutoModel):
    """Image classification: an `ImageInput` into an `ImageBlock` and a
    `ClassificationHead`, searched with AutoKeras' first trials.

    Args:
        num_classes, multi_label, loss, metrics: see `ClassificationHead`.
        project_name: default "image_classifier".
        max_trials, directory, objective, tuner, overwrite, seed,
        max_model_size, **kwargs: see `AutoModel` (tuner None: greedy with
            this task's first trials).

    Example:

    ```python
    clf = ak.ImageClassifier(max_trials=2, overwrite=True)
    clf.fit(x_train, y_train, epochs=3)   # x_train: (n, height, width[, channels])
    predicted = clf.predict(x_test)       # labels as given (ints, strings, one-hot)
    ```
    """

    def __init__(self, num_classes=None, multi_label=False, loss=None, metrics=None,
                 project_name="image_classifier", max_trials=100, directory=None, objective="val_loss",
                 tuner=None, overwrite=False, seed=None, max_model_size=None, **kwargs):
        super().__init__(
            inputs=nodes.ImageInput(),
            outputs=blocks.ClassificationHead(num_classes=num_classes, multi_label=multi_label, loss=loss, metrics=metrics),
            project_name=project_name, max_trials=max_trials, directory=directory, objective=objective,
            tuner=tuner or task_specific.ImageClassifierTuner, overwrite=overwrite, seed=seed,
            max_model_size=max_model_size, **kwargs,
        )


class ImageRegressor(AutoModel):
    """Image regression: `ImageInput` -> `ImageBlock` -> `RegressionHead`.

    Args:
        output_dim, loss, metrics: see `RegressionHead`.
        project_name: default "image_regressor".
        max_trials, directory, objective, tuner, overwrite, seed,
        max_model_size, **kwargs: see `AutoModel`.

    Example:

    ```python
    reg = ak.ImageRegressor(max_trials=2, overwrite=True)
    reg.fit(x_train, y_train, epochs=3)
    ```
    """

    def __init__(self, output_dim=None, loss="mean_squared_error", metrics=None, project_name="image_regressor",
                 max_trials=100, directory=None, objective="val_loss", tuner=None, overwrite=False, seed=None,
                 max_model_size=None, **kwargs):
        super().__init__(
            inputs=nodes.ImageInput(),
            outputs=blocks.RegressionHead(output_dim=output_dim, loss=loss, metrics=metrics),
            project_name=project_name, max_trials=max_trials, directory=directory, objective=objective,
            tuner=tuner or "greedy", overwrite=overwrite, seed=seed, max_model_size=max_model_size, **kwargs,
        )
