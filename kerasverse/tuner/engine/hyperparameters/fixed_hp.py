"""`Fixed`: a value that does not change but is recorded with the trial."""

from kerasverse.tuner.engine.hyperparameters import hyperparameter


class Fixed(hyperparameter.HyperParameter):
    """A fixed, untunable value (int, float, str, bool or None).

    Args:
        name: The name, unique in the search space.
        value: The value.

    Example:

    ```python
    hp = HyperParameters()
    hp.Fixed("optimizer", "adam")
    ```
    """

    def __init__(self, name, value, **kwargs):
        kwargs.pop("default", None)
        super().__init__(name=name, default=value, **kwargs)
        if value is not None and not isinstance(value, (bool, int, float, str)):
            raise ValueError(
                f"`value` of Fixed {name!r} must be a bool, int, float, str or None. "
                f"Received: value={value!r} of type {type(value).__name__}"
            )
        self.value = value

    @property
    def values(self):
        return [self.value]

    def __repr__(self):
        return f"Fixed(name: {self.name!r}, value: {self.value!r})"

    def prob_to_value(self, prob):
        return self.value

    def value_to_prob(self, value):
        return 0.5

    def get_config(self):
        config = super().get_config()
        config.pop("default")
        config["value"] = self.value
        return config
