"""`Float`: a real range, both ends included."""

from kerasverse.tuner.engine.hyperparameters import hyperparameter
from kerasverse.tuner.engine.hyperparameters import numerical


class Float(numerical.Numerical):
    """Floating point hyperparameter in `[min_value, max_value]`.

    Args:
        name: The name, unique in the search space.
        min_value: The lower bound (inclusive).
        max_value: The upper bound (inclusive).
        step: Optional distance between values: added for `"linear"`
            sampling, multiplied for `"log"`/`"reverse_log"`.
        sampling: `"linear"`, `"log"` or `"reverse_log"`.
        default: The value before the oracle picks one; `min_value` if None.

    Example:

    ```python
    hp = HyperParameters()
    hp.Float("dropout", 0.0, 0.5, step=0.1)             # 0.0, 0.1, ..., 0.5
    hp.Float("lr", 1e-4, 1e-1, sampling="log")         # log-uniform
    ```
    """

    def __init__(
        self, name, min_value, max_value, step=None, sampling="linear", default=None, **kwargs
    ):
        super().__init__(
            name=name,
            min_value=float(min_value),
            max_value=float(max_value),
            step=None if step is None else float(step),
            sampling=sampling,
            default=None if default is None else float(default),
            **kwargs,
        )

    def __repr__(self):
        return (
            f"Float(name: {self.name!r}, min_value: {self.min_value}, max_value: "
            f"{self.max_value}, step: {self.step}, sampling: {self.sampling}, "
            f"default: {self.default})"
        )

    def prob_to_value(self, prob):
        if self.step is None:
            return min(max(self._continuous_value(prob, self.max_value), self.min_value), self.max_value)
        index = hyperparameter.prob_to_index(prob, self._num_steps())
        return self._value_at(index)

    def value_to_prob(self, value):
        if self.step is None:
            return self._continuous_prob(value, self.max_value)
        return hyperparameter.index_to_prob(self._index_of(value), self._num_steps())
