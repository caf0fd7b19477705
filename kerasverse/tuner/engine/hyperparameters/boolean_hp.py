"""`Boolean`: True or False."""

from kerasverse.tuner.engine.hyperparameters import hyperparameter


class Boolean(hyperparameter.HyperParameter):
    """Choice between True and False.

    Args:
        name: The name, unique in the search space.
        default: The value before the oracle picks one (False if omitted).

    Example:

    ```python
    hp = HyperParameters()
    hp.Boolean("use_dropout")
    ```
    """

    def __init__(self, name, default=False, **kwargs):
        super().__init__(name=name, default=default, **kwargs)
        if not isinstance(default, bool):
            raise TypeError(
                f"The default of Boolean {name!r} must be a bool. Received: default={default!r}"
            )

    @property
    def values(self):
        return [True, False]

    def __repr__(self):
        return f"Boolean(name: {self.name!r}, default: {self.default})"

    def prob_to_value(self, prob):
        return bool(prob >= 0.5)

    def value_to_prob(self, value):
        return 0.75 if value else 0.25
