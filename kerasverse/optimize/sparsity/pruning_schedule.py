"""Pruning schedules: when to update the masks, and to which sparsity."""

import numbers

import keras
from keras import ops


def _check_sparsity(name, value):
    """Any real number in [0, 1) (Python or numpy), returned as a Python float."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not 0.0 <= float(value) < 1.0
    ):
        raise ValueError(
            f"Argument `{name}` must be a number in [0, 1). Received: {name}={value!r}. "
            "Pass the fraction of weights to set to zero, e.g. 0.8 for 80 % sparsity."
        )
    return float(value)


def _as_int(value):
    """Any integral number (Python or numpy int, or a float with no fraction) as an int."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(value)  # e.g. `np.ceil(n / batch) * epochs` is a float in the guides.
    return None


def _check_steps(begin_step, end_step, frequency):
    """Validates the step arguments and returns them as Python ints."""
    begin, end, freq = _as_int(begin_step), _as_int(end_step), _as_int(frequency)
    if begin is None or begin < 0:
        raise ValueError(
            f"Argument `begin_step` must be an integer >= 0. Received: begin_step={begin_step!r}."
        )
    if end is None or (end != -1 and end < begin):
        raise ValueError(
            "Argument `end_step` must be -1 (prune until training ends) or an integer >= "
            f"`begin_step`. Received: end_step={end_step!r}, begin_step={begin_step!r}."
        )
    if freq is None or freq < 1:
        raise ValueError(
            f"Argument `frequency` must be an integer >= 1. Received: frequency={frequency!r}."
        )
    return begin, end, freq


class PruningSchedule:
    """Base class of pruning schedules.

    A schedule is called with the training step (a scalar integer tensor) and
    returns `(should_prune, sparsity)`: a boolean scalar tensor saying whether
    the masks are updated at that step, and the target sparsity (a float
    scalar tensor). It must use `keras.ops` only: it runs inside the jitted
    training step. Subclasses implement `__call__` and `get_config`.
    """

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _should_prune_in_step(self, step, begin_step, end_step, frequency):
        if isinstance(step, int):  # Eager callers pass the step as a Python int.
            in_range = step >= begin_step and (end_step == -1 or step <= end_step)
            return in_range and (step - begin_step) % frequency == 0
        step = ops.cast(step, "int32")
        is_in_range = ops.greater_equal(step, begin_step)
        if end_step != -1:
            is_in_range = ops.logical_and(is_in_range, ops.less_equal(step, end_step))
        is_frequency_step = ops.equal(ops.mod(step - begin_step, frequency), 0)
        return ops.logical_and(is_in_range, is_frequency_step)


@keras.saving.register_keras_serializable(package="kerasverse")
class ConstantSparsity(PruningSchedule):
    """Prunes to a constant sparsity every `frequency` steps.

    Args:
        target_sparsity: fraction of weights set to zero, in [0, 1).
        begin_step: first step at which masks are updated.
        end_step: last step at which masks are updated; -1 means never stop.
        frequency: masks are updated every `frequency` steps.

    Example:

    >>> from kerasverse.optimize import sparsity
    >>> schedule = sparsity.ConstantSparsity(0.5, begin_step=0, frequency=10)
    >>> should_prune, target = schedule(10)
    >>> bool(should_prune), float(target)
    (True, 0.5)
    """

    def __init__(self, target_sparsity, begin_step, end_step=-1, frequency=100):
        target_sparsity = _check_sparsity("target_sparsity", target_sparsity)
        begin_step, end_step, frequency = _check_steps(begin_step, end_step, frequency)
        self.target_sparsity = target_sparsity
        self.begin_step = begin_step
        self.end_step = end_step
        self.frequency = frequency

    def __call__(self, step):
        should_prune = self._should_prune_in_step(
            step, self.begin_step, self.end_step, self.frequency
        )
        if isinstance(step, int):
            return should_prune, self.target_sparsity
        return should_prune, ops.convert_to_tensor(self.target_sparsity, "float32")

    def get_config(self):
        return {
            "target_sparsity": self.target_sparsity,
            "begin_step": self.begin_step,
            "end_step": self.end_step,
            "frequency": self.frequency,
        }


@keras.saving.register_keras_serializable(package="kerasverse")
class PolynomialDecay(PruningSchedule):
    """Raises sparsity from `initial_sparsity` to `final_sparsity` polynomially.

    The sparsity at step `t` is
    `final + (initial - final) * (1 - (t - begin_step) / (end_step - begin_step)) ** power`,
    so it rises fast at first and slowly near the end (with `power=3`).

    Args:
        initial_sparsity: sparsity at `begin_step`, in [0, 1).
        final_sparsity: sparsity from `end_step` on, in [0, 1).
        begin_step: first step at which masks are updated.
        end_step: step at which `final_sparsity` is reached (must be set).
        power: exponent of the polynomial.
        frequency: masks are updated every `frequency` steps.

    Example:

    >>> from kerasverse.optimize import sparsity
    >>> schedule = sparsity.PolynomialDecay(0.0, 0.8, begin_step=0, end_step=100)
    >>> round(float(schedule(100)[1]), 3)
    0.8
    """

    def __init__(
        self, initial_sparsity, final_sparsity, begin_step, end_step, power=3, frequency=100
    ):
        initial_sparsity = _check_sparsity("initial_sparsity", initial_sparsity)
        final_sparsity = _check_sparsity("final_sparsity", final_sparsity)
        begin_step, end_step, frequency = _check_steps(begin_step, end_step, frequency)
        if isinstance(power, bool) or not isinstance(power, numbers.Real):
            raise ValueError(f"Argument `power` must be a number. Received: power={power!r}.")
        power = int(power) if _as_int(power) is not None else float(power)
        if end_step == -1 or end_step <= begin_step:
            raise ValueError(
                "`PolynomialDecay` needs `end_step` > `begin_step` (the step at which "
                f"`final_sparsity` is reached). Received: begin_step={begin_step}, "
                f"end_step={end_step}."
            )
        self.initial_sparsity = float(initial_sparsity)
        self.final_sparsity = float(final_sparsity)
        self.begin_step = begin_step
        self.end_step = end_step
        self.power = power
        self.frequency = frequency

    def __call__(self, step):
        if isinstance(step, int):  # Eager callers: plain Python arithmetic, no tensor ops.
            progress = min(max((step - self.begin_step) / float(self.end_step - self.begin_step), 0.0), 1.0)
            sparsity = self.final_sparsity + (self.initial_sparsity - self.final_sparsity) * (1.0 - progress) ** self.power
            return self._should_prune_in_step(step, self.begin_step, self.end_step, self.frequency), sparsity
        step_f = ops.cast(step, "float32")
        progress = ops.clip(
            (step_f - self.begin_step) / float(self.end_step - self.begin_step), 0.0, 1.0
        )
        sparsity = self.final_sparsity + (self.initial_sparsity - self.final_sparsity) * ops.power(
            1.0 - progress, float(self.power)
        )
        should_prune = self._should_prune_in_step(
            step, self.begin_step, self.end_step, self.frequency
        )
        return should_prune, ops.cast(sparsity, "float32")

    def get_config(self):
        return {
            "initial_sparsity": self.initial_sparsity,
            "final_sparsity": self.final_sparsity,
            "begin_step": self.begin_step,
            "end_step": self.end_step,
            "power": self.power,
            "frequency": self.frequency,
        }
