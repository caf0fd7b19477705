"""`HyperParameter`: the base class of one dimension of a search space."""

import random

from kerasverse.tuner.engine.hyperparameters import conditions as conditions_module


def prob_to_index(prob, num_values):
    """Maps a cumulative probability in [0, 1) to an index in [0, num_values)."""
    index = int(prob * num_values)
    return min(max(index, 0), num_values - 1)


def index_to_prob(index, num_values):
    """Maps an index to the centre of its probability bucket."""
    return (index + 0.5) / num_values


class HyperParameter:
    """The base class of every hyperparameter type.

    A hyperparameter maps a cumulative probability in [0, 1) to a value
    (`prob_to_value`) and back (`value_to_prob`); oracles search in that unit
    space. Subclasses define `values` (None for continuous ranges), `default`,
    `prob_to_value`, `value_to_prob` and `get_config`.

    Args:
        name: The name, unique in the search space.
        default: The value used before the oracle picks one.
        conditions: A list of `Parent` conditions; the hyperparameter is
            active only when all of them hold.

    Example:

    ```python
    hp = Int("units", 8, 64, step=8)
    hp.random_sample(seed=1)
    ```
    """

    def __init__(self, name, default=None, conditions=None):
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"A hyperparameter name must be a non-empty string. Received: name={name!r}"
            )
        self.name = name
        self._default = default
        self.conditions = [
            conditions_module.deserialize(c) for c in (conditions or [])
        ]

    @property
    def default(self):
        return self._default

    @property
    def values(self):
        return None

    def random_sample(self, seed=None):
        prob = random.Random(seed).random()
        return self.prob_to_value(prob)

    def prob_to_value(self, prob):
        raise NotImplementedError

    def value_to_prob(self, value):
        raise NotImplementedError

    def get_config(self):
        return {
            "name": self.name,
            "default": self._default,
            "conditions": [conditions_module.serialize(c) for c in self.conditions],
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    __hash__ = object.__hash__
