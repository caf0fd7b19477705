"""`Objective`: what a search optimizes, and in which direction."""

import math

_MAX_METRICS = (
    "acc", "accuracy", "auc", "precision", "recall", "f1_score", "fbeta_score",
    "iou", "mean_iou", "r2_score", "cosine_similarity", "score", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "binary_accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy", "true_positives", "true_negatives",
    "precision_at_recall", "recall_at_precision", "sensitivity_at_specificity",
    "specificity_at_sensitivity",
)
_MIN_METRICS = (
    "loss", "mse", "mae", "mape", "msle", "mean_squared_error", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
    "root_mean_squared_error", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "kl_divergence", "kld", "poisson", "hinge",
    "squared_hinge", "categorical_hinge", "log_cosh", "logcosh", "huber",
    "false_positives", "false_negatives", "error",
)


def infer_direction(name):
    """"min" or "max" for a Keras metric name (with optional `val_`), or None."""
    base = name[4:] if name.startswith("val_") else name
    if base in _MAX_METRICS or base.endswith("accuracy"):
        return "max"
    if base in _MIN_METRICS or base.endswith("loss") or base.endswith("error"):
        return "min"
    return None


class Objective:
    """The metric to optimize and its direction.

    Args:
        name: The metric name, as in the History logs or the dict a
            hypermodel's `fit` returns (e.g. `"val_accuracy"`).
        direction: `"min"` or `"max"`.

    Example:

    ```python
    objective = Objective("val_auc", direction="max")
    objective.better_than(0.9, 0.8)  # True
    ```
    """

    def __init__(self, name, direction):
        if direction not in ("min", "max"):
            raise ValueError(
                f"`direction` of Objective {name!r} must be 'min' or 'max'. "
                f"Received: direction={direction!r}"
            )
        self.name = name
        self.direction = direction

    def has_value(self, logs):
        return self.name in logs

    def get_value(self, logs):
        return logs[self.name]

    def better_than(self, a, b):
        """Whether value `a` is strictly better than `b` (NaN is never better)."""
        if a is None or (isinstance(a, float) and math.isnan(a)):
            return False
        if b is None or (isinstance(b, float) and math.isnan(b)):
            return True
        return a < b if self.direction == "min" else a > b

    def __eq__(self, other):
        return (
            isinstance(other, Objective)
            and type(self) is type(other)
            and self.name == other.name
            and self.direction == other.direction
        )

    def __hash__(self):
        return hash((self.name, self.direction))

    def __repr__(self):
        return f'Objective(name="{self.name}", direction="{self.direction}")'

    __str__ = __repr__

    def get_config(self):
        return {"name": self.name, "direction": self.direction}


class DefaultObjective(Objective):
    """The objective used when a hypermodel returns a single number: minimized."""

    def __init__(self):
        super().__init__(name="default_objective", direction="min")


class MultiObjective(Objective):
    """A list of objectives, scalarised as the sum of the minimized values
    (keras_tuner semantics); `Oracle.get_pareto_front` uses them separately.

    Args:
        objectives: A list of `Objective`.
    """

    def __init__(self, objectives):
        super().__init__(name="multi_objective", direction="min")
        self.objectives = list(objectives)
        self.name_to_direction = {o.name: o.direction for o in self.objectives}

    def has_value(self, logs):
        return all(name in logs for name in self.name_to_direction)

    def get_value(self, logs):
        total = 0.0
        for name, direction in self.name_to_direction.items():
            value = logs[name]
            total += value if direction == "min" else -value
        return total

    def __eq__(self, other):
        return isinstance(other, MultiObjective) and self.objectives == other.objectives

    __hash__ = Objective.__hash__

    def __repr__(self):
        return f"MultiObjective({self.objectives})"

    __str__ = __repr__

    def get_config(self):
        return {"objectives": [o.get_config() for o in self.objectives]}


def create_objective(objective):
    """Builds an `Objective` from None, a name, an `Objective`, a dict or a list."""
    if objective is None:
        return DefaultObjective()
    if isinstance(objective, Objective):
        return objective
    if isinstance(objective, dict):
        if "objectives" in objective:
            return MultiObjective([create_objective(o) for o in objective["objectives"]])
        if objective.get("name") == "default_objective":
            return DefaultObjective()
        return Objective(**objective)
    if isinstance(objective, (list, tuple)):
        if not objective:
            raise ValueError("The list of objectives must not be empty. Received: []")
        return MultiObjective([create_objective(o) for o in objective])
    if isinstance(objective, str):
        direction = infer_direction(objective)
        if direction is None:
            raise ValueError(
                f'Could not infer optimization direction ("min" or "max") for unknown '
                f'metric "{objective}". Please specify the objective as a '
                f'`kerasverse.tuner.Objective`, for example '
                f'`Objective("{objective}", direction="min")`.'
            )
        return Objective(objective, direction)
    raise TypeError(
        "`objective` must be None, a str, an Objective or a list of them. "
        f"Received: {objective!r} of type {type(objective).__name__}"
    )


def serialize(objective):
    if isinstance(objective, MultiObjective):
        return {"objectives": [serialize(o) for o in objective.objectives]}
    return objective.get_config()
