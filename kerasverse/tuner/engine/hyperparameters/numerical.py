"""`Numerical`: the shared logic of `Int` and `Float` ranges."""

import math

from kerasverse.tuner.engine.hyperparameters import hyperparameter

SAMPLINGS = ("linear", "log", "reverse_log")


class Numerical(hyperparameter.HyperParameter):
    """A range `[min_value, max_value]` (both inclusive) with optional `step`.

    With `sampling="linear"` the step is added between values; with `"log"`
    or `"reverse_log"` it is multiplied (so it must be > 1).
    """

    def __init__(
        self, name, min_value, max_value, step=None, sampling="linear", default=None, **kwargs
    ):
        super().__init__(name=name, default=default, **kwargs)
        self.min_value = min_value
        self.max_value = max_value
        self.step = step
        self.sampling = "linear" if sampling is None else str(sampling).lower()
        self._validate()

    def _validate(self):
        where = f"HyperParameters.{type(self).__name__}(name={self.name!r})"
        if self.min_value > self.max_value:
            raise ValueError(
                f"For {where}, `min_value` must be <= `max_value`. Received: "
                f"min_value={self.min_value}, max_value={self.max_value}. Swap them."
            )
        if self.sampling not in SAMPLINGS:
            raise ValueError(
                f"For {where}, `sampling` must be one of {SAMPLINGS}. "
                f"Received: sampling={self.sampling!r}"
            )
        if self.sampling != "linear" and self.min_value <= 0:
            raise ValueError(
                f"For {where}, sampling={self.sampling!r} needs `min_value` > 0. "
                f"Received: min_value={self.min_value}. Use a positive range or "
                "sampling='linear'."
            )
        if self.step is not None:
            if self.sampling == "linear":
                if self.step <= 0:
                    raise ValueError(
                        f"For {where}, `step` must be > 0. Received: step={self.step}"
                    )
                if self.max_value > self.min_value and self.step > self.max_value - self.min_value:
                    raise ValueError(
                        f"For {where}, `step` is larger than the range. Received: "
                        f"step={self.step}, min_value={self.min_value}, "
                        f"max_value={self.max_value}. Use a step <= "
                        f"{self.max_value - self.min_value}."
                    )
            elif self.step <= 1:
                raise ValueError(
                    f"For {where}, expected step > 1 with sampling={self.sampling!r} "
                    f"(the step multiplies). Received: step={self.step}"
                )
        default = self._default
        if default is not None and not (self.min_value <= default <= self.max_value):
            raise ValueError(
                f"For {where}, `default` must lie in [min_value, max_value]. "
                f"Received: default={default}, range=[{self.min_value}, {self.max_value}]"
            )

    @property
    def default(self):
        return self._default if self._default is not None else self.min_value

    # Continuous mapping.
    def _continuous_value(self, prob, max_value):
        low = self.min_value
        if self.sampling == "linear":
            return low + prob * (max_value - low)
        if self.sampling == "log":
            return low * math.pow(max_value / low, prob)
        return max_value + low - low * math.pow(max_value / low, 1 - prob)

    def _continuous_prob(self, value, max_value):
        low = self.min_value
        if max_value == low:
            return 0.5
        if self.sampling == "linear":
            return (value - low) / (max_value - low)
        if self.sampling == "log":
            return math.log(value / low) / math.log(max_value / low)
        return 1.0 - math.log((max_value + low - value) / low) / math.log(max_value / low)

    # Stepped mapping: a finite grid of values including `max_value` when reachable.
    def _num_steps(self):
        if self.sampling == "linear":
            return int((self.max_value - self.min_value) / self.step + 1e-9) + 1
        return int(math.log(self.max_value / self.min_value, self.step) + 1e-9) + 1

    def _value_at(self, index):
        if self.sampling == "linear":
            return self.min_value + index * self.step
        if self.sampling == "log":
            return self.min_value * math.pow(self.step, index)
        return self.max_value + self.min_value - self.min_value * math.pow(self.step, index)

    def _index_of(self, value):
        if self.sampling == "linear":
            index = (value - self.min_value) / self.step
        elif self.sampling == "log":
            index = math.log(value / self.min_value, self.step)
        else:
            index = math.log((self.max_value + self.min_value - value) / self.min_value, self.step)
        return min(max(int(round(index)), 0), self._num_steps() - 1)

    @property
    def values(self):
        if self.step is None:
            return None
        return tuple(self._cast(self._value_at(i)) for i in range(self._num_steps()))

    def _cast(self, value):
        return value

    def get_config(self):
        config = super().get_config()
        config.update(
            min_value=self.min_value,
            max_value=self.max_value,
            step=self.step,
            sampling=self.sampling,
        )
        return config
