"""`Choice`: one value among a list."""

from kerasverse.tuner.engine.hyperparameters import hyperparameter


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Choice(hyperparameter.HyperParameter):
    """Choice of one value among `values` (all int, all float, all str or all bool).

    Args:
        name: The name, unique in the search space.
        values: The possible values, all of one type.
        ordered: Whether the values have an order (oracles may then
            interpolate). Defaults to True for numbers; must be False otherwise.
        default: The value before the oracle picks one; `values[0]` if None.

    Example:

    ```python
    hp = HyperParameters()
    hp.Choice("activation", ["relu", "tanh"])
    hp.Choice("units", [16, 32, 64])        # ordered
    ```
    """

    def __init__(self, name, values, ordered=None, default=None, **kwargs):
        super().__init__(name=name, default=default, **kwargs)
        if not isinstance(values, (list, tuple)) or not values:
            raise ValueError(
                f"`values` of Choice {name!r} must be a non-empty list. Received: values={values!r}"
            )
        kinds = {"number" if _is_number(v) else type(v).__name__ for v in values}
        if len(kinds) > 1 or not kinds <= {"number", "str", "bool"}:
            raise TypeError(
                f"`values` of Choice {name!r} must all be int/float, all str or all bool. "
                f"Received: values={values!r}"
            )
        if kinds == {"number"}:
            if all(isinstance(v, int) for v in values):
                values = [int(v) for v in values]
            else:
                values = [float(v) for v in values]
        self._values = list(values)
        is_numeric = kinds == {"number"}
        if ordered and not is_numeric:
            raise ValueError(
                f"`ordered` must be False for non-numeric Choice {name!r}. "
                f"Received: ordered={ordered}, values={values!r}"
            )
        self.ordered = is_numeric if ordered is None else bool(ordered)
        if default is not None and default not in self._values:
            raise ValueError(
                f"The default of Choice {name!r} must be one of its values. "
                f"Received: default={default!r}, values={self._values!r}"
            )

    @property
    def values(self):
        return list(self._values)

    @property
    def default(self):
        return self._values[0] if self._default is None else self._default

    def __repr__(self):
        return (
            f"Choice(name: {self.name!r}, values: {self._values}, ordered: "
            f"{self.ordered}, default: {self.default})"
        )

    def prob_to_value(self, prob):
        return self._values[hyperparameter.prob_to_index(prob, len(self._values))]

    def value_to_prob(self, value):
        return hyperparameter.index_to_prob(self._values.index(value), len(self._values))

    def get_config(self):
        config = super().get_config()
        config["values"] = list(self._values)
        config["ordered"] = self.ordered
        return config
