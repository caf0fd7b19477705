"""`Int`: an integer range, `max_value` included."""

from kerasverse.tuner.engine.hyperparameters import hyperparameter
from kerasverse.tuner.engine.hyperparameters import numerical


def _check_int(value, argument):
    try:
        int_value = int(value)
    except (TypeError, ValueError):
        int_value = None
    if int_value is None or int_value != value or isinstance(value, bool):
        raise ValueError(
            f"`{argument}` must be an int. Received: {argument}={value!r} "
            f"of type {type(value).__name__}."
        )
    return int_value


class Int(numerical.Numerical):
    """Integer hyperparameter. Unlike `range`, `max_value` is included.

    Args:
        name: The name, unique in the search space.
        min_value: The lowest value (inclusive).
        max_value: The highest value (inclusive).
        step: Optional distance between values: added for `"linear"`
            sampling (defaults to 1), multiplied for `"log"`/`"reverse_log"`.
        sampling: `"linear"`, `"log"` or `"reverse_log"`.
        default: The value before the oracle picks one; `min_value` if None.

    Example:

    ```python
    hp = HyperParameters()
    hp.Int("units", min_value=32, max_value=512, step=32)      # 32, 64, ..., 512
    hp.Int("batch", min_value=2, max_value=32, step=2, sampling="log")  # 2, 4, ..., 32
    ```
    """

    def __init__(
        self, name, min_value, max_value, step=None, sampling="linear", default=None, **kwargs
    ):
        if step is not None:
            step = _check_int(step, "step")
        elif sampling in (None, "linear"):
            step = 1
        if default is not None:
            default = _check_int(default, "default")
        super().__init__(
            name=name,
            min_value=_check_int(min_value, "min_value"),
            max_value=_check_int(max_value, "max_value"),
            step=step,
            sampling=sampling,
            default=default,
            **kwargs,
        )

    def __repr__(self):
        return (
            f"Int(name: {self.name!r}, min_value: {self.min_value}, max_value: "
            f"{self.max_value}, step: {self.step}, sampling: {self.sampling}, "
            f"default: {self.default})"
        )

    def _cast(self, value):
        return int(round(value))

    def prob_to_value(self, prob):
        if self.step is None:
            # Sample [min, max + 1) so that max has the same mass as the others.
            value = self._continuous_value(prob, self.max_value + 1)
            return min(int(value), self.max_value)
        index = hyperparameter.prob_to_index(prob, self._num_steps())
        return self._cast(self._value_at(index))

    def value_to_prob(self, value):
        if self.step is None:
            return self._continuous_prob(value + 0.5, self.max_value + 1)
        num = self._num_steps()
        return hyperparameter.index_to_prob(self._index_of(value), num)

    def get_config(self):
        config = super().get_config()
        config["default"] = self._default
        return config
