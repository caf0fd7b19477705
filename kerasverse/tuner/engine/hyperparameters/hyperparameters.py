"""`HyperParameters`: the search space and the values of one trial."""

import collections
import contextlib
import copy

from kerasverse.tuner.engine.hyperparameters import conditions as conditions_module
from kerasverse.tuner.engine.hyperparameters.boolean_hp import Boolean
from kerasverse.tuner.engine.hyperparameters.choice_hp import Choice
from kerasverse.tuner.engine.hyperparameters.fixed_hp import Fixed
from kerasverse.tuner.engine.hyperparameters.float_hp import Float
from kerasverse.tuner.engine.hyperparameters.hyperparameter import HyperParameter
from kerasverse.tuner.engine.hyperparameters.int_hp import Int

HP_CLASSES = {cls.__name__: cls for cls in (Boolean, Choice, Fixed, Float, Int)}


def serialize(hp):
    return {"class_name": type(hp).__name__, "config": hp.get_config()}


def deserialize(config):
    if isinstance(config, HyperParameter):
        return config
    name = config.get("class_name")
    if name not in HP_CLASSES:
        raise ValueError(
            f"Unknown hyperparameter class. Received: {name!r}; expected one of "
            f"{sorted(HP_CLASSES)}."
        )
    return HP_CLASSES[name].from_config(config["config"])


class HyperParameters:
    """Container for both a search space and the current values of a trial.

    Declaring a hyperparameter (`hp.Int(...)`, `hp.Float(...)`, ...) adds it
    to the space the first time and returns its current value: the default
    while the space is being discovered, the oracle's pick during a trial.
    Inside an inactive `conditional_scope` the declaration returns None.

    Example:

    ```python
    hp = HyperParameters()
    units = hp.Int("units", min_value=32, max_value=512, step=32)
    model_type = hp.Choice("model_type", ["mlp", "cnn"])
    with hp.conditional_scope("model_type", ["cnn"]):
        filters = hp.Int("filters", 8, 64)   # None: "cnn" is not chosen
    hp.values   # {"units": 32, "model_type": "mlp"}
    ```
    """

    def __init__(self):
        self._name_scopes = []
        self._conditions = []
        self._hps = collections.defaultdict(list)
        self._space = []
        self.values = {}
        # Names declared (`hp.Int(...)`, ...) on this container, as opposed
        # to entries it was given (copied space, overrides).
        self._declared = set()
        # Stacks of conditions seen active / inactive (used to explore the space).
        self.active_scopes = []
        self.inactive_scopes = []

    # Scopes.
    @contextlib.contextmanager
    def name_scope(self, name):
        """Prefixes the names declared inside with `name/`."""
        self._name_scopes.append(name)
        try:
            yield
        finally:
            self._name_scopes.pop()

    @contextlib.contextmanager
    def conditional_scope(self, parent_name, parent_values):
        """Hyperparameters declared inside are active only when the parent
        `parent_name` takes one of `parent_values`.

        Raises:
            ValueError: when `parent_name` has not been declared.
        """
        parent_name = self._get_name(parent_name)
        if parent_name not in self._hps:
            raise ValueError(
                f"`HyperParameter` named: {parent_name} not defined. Declare the "
                "parent before opening a `conditional_scope` on it. "
                f"Received: parent_name={parent_name!r}"
            )
        self._conditions.append(conditions_module.Parent(parent_name, parent_values))
        if self._conditions_are_active(self._conditions):
            self.active_scopes.append(list(self._conditions))
        else:
            self.inactive_scopes.append(list(self._conditions))
        try:
            yield
        finally:
            self._conditions.pop()

    @contextlib.contextmanager
    def _maybe_conditional_scope(self, parent_name, parent_values):
        if parent_name is None:
            yield
            return
        with self.conditional_scope(parent_name, parent_values):
            yield

    def _get_name(self, name):
        return "/".join([*self._name_scopes, name]) if self._name_scopes else name

    # Activity.
    def _conditions_are_active(self, conditions):
        return all(c.is_active(self.values) for c in conditions)

    def is_active(self, hyperparameter):
        """Whether a hyperparameter (object or name) is active for these values."""
        if isinstance(hyperparameter, HyperParameter):
            return self._conditions_are_active(hyperparameter.conditions)
        return any(
            self._conditions_are_active(hp.conditions) for hp in self._hps[str(hyperparameter)]
        )

    def _exists(self, name, conditions=None):
        conditions = self._conditions if conditions is None else conditions
        return any(hp.conditions == conditions for hp in self._hps.get(name, []))

    # Declaration.
    def _retrieve(self, hp):
        existing = [h for h in self._hps.get(hp.name, []) if h.conditions == hp.conditions]
        if existing:
            # An entry this container was given (the tuner's
            # `hyperparameters=` override, a `Fixed`) wins whatever its type,
            # as in keras_tuner ("tailor the search space"); two declarations
            # of one name with different types in this container are a bug.
            self._check_same_type(existing[0], hp)
            self._declared.add(hp.name)
            return self.values[hp.name] if self.is_active(hp) else None
        return self._register(hp)

    def _check_same_type(self, existing, hp):
        if (
            type(existing) is not type(hp)
            and not isinstance(existing, Fixed)
            and existing.name in self._declared
        ):
            raise ValueError(
                f"The hyperparameter {hp.name!r} was declared as "
                f"{type(existing).__name__} and is now re-declared as "
                f"{type(hp).__name__}. Received: {hp!r}. Use another name."
            )

    def _register(self, hp, overwrite=False, declare=True):
        hp = type(hp).from_config(hp.get_config())
        others = self._hps.get(hp.name, [])
        if others:
            self._check_same_type(others[0], hp)
        if declare:
            self._declared.add(hp.name)
        self._hps[hp.name].append(hp)
        self._space.append(hp)
        if self.is_active(hp):
            if overwrite or hp.name not in self.values:
                self.values[hp.name] = hp.default
            return self.values[hp.name]
        return None

    def register(self, hp):
        """Adds a `HyperParameter` object to the space; returns its value."""
        return self._register(hp)

    def _declare(self, cls, name, parent_name, parent_values, **kwargs):
        with self._maybe_conditional_scope(parent_name, parent_values):
            hp = cls(name=self._get_name(name), conditions=list(self._conditions), **kwargs)
            return self._retrieve(hp)

    def Int(
        self, name, min_value, max_value, step=None, sampling="linear", default=None,
        parent_name=None, parent_values=None,
    ):
        """Declares an `Int` (see `kerasverse.tuner.engine.hyperparameters.Int`)."""
        return self._declare(
            Int, name, parent_name, parent_values, min_value=min_value,
            max_value=max_value, step=step, sampling=sampling, default=default,
        )

    def Float(
        self, name, min_value, max_value, step=None, sampling="linear", default=None,
        parent_name=None, parent_values=None,
    ):
        """Declares a `Float` (see `kerasverse.tuner.engine.hyperparameters.Float`)."""
        return self._declare(
            Float, name, parent_name, parent_values, min_value=min_value,
            max_value=max_value, step=step, sampling=sampling, default=default,
        )

    def Choice(self, name, values, ordered=None, default=None, parent_name=None, parent_values=None):
        """Declares a `Choice` (see `kerasverse.tuner.engine.hyperparameters.Choice`)."""
        return self._declare(
            Choice, name, parent_name, parent_values, values=values, ordered=ordered,
            default=default,
        )

    def Boolean(self, name, default=False, parent_name=None, parent_values=None):
        """Declares a `Boolean`."""
        return self._declare(Boolean, name, parent_name, parent_values, default=default)

    def Fixed(self, name, value, parent_name=None, parent_values=None):
        """Declares a `Fixed` value."""
        return self._declare(Fixed, name, parent_name, parent_values, value=value)

    # Access.
    def get(self, name):
        """The current value of `name`.

        Raises:
            ValueError: when the hyperparameter exists but is inactive.
            KeyError: when no hyperparameter has that name.
        """
        name = self._get_name(name)
        if name in self.values:
            return self.values[name]
        if name in self._hps:
            raise ValueError(f"{name} is currently inactive.")
        raise KeyError(f"{name} does not exist.")

    def __getitem__(self, name):
        return self.get(name)

    def __contains__(self, name):
        try:
            self.get(name)
            return True
        except (KeyError, ValueError):
            return False

    @property
    def space(self):
        return list(self._space)

    def ensure_active_values(self):
        """Gives every active hyperparameter without a value its default, and
        drops the values of inactive ones."""
        for hp in self._space:
            if self.is_active(hp):
                if hp.name not in self.values:
                    self.values[hp.name] = hp.default
        for name in list(self.values):
            if name in self._hps and not self.is_active(name):
                del self.values[name]

    def copy(self):
        return HyperParameters.from_config(self.get_config())

    def merge(self, hps, overwrite=True):
        """Merges the space and values of `hps` (a `HyperParameters` or a list
        of `HyperParameter`) into this one."""
        if isinstance(hps, HyperParameters):
            space, values = hps.space, hps.values
        else:
            space, values = list(hps), {}
        for hp in space:
            if overwrite or not self._exists(hp.name, hp.conditions):
                if self._exists(hp.name, hp.conditions):
                    self._hps[hp.name] = [
                        h for h in self._hps[hp.name] if h.conditions != hp.conditions
                    ]
                    self._space = [
                        h for h in self._space
                        if not (h.name == hp.name and h.conditions == hp.conditions)
                    ]
                self._register(hp, overwrite=True, declare=False)
        for name, value in values.items():
            if overwrite or name not in self.values:
                self.values[name] = value

    def get_config(self):
        return {
            "space": [serialize(hp) for hp in self._space],
            "values": copy.deepcopy(self.values),
        }

    @classmethod
    def from_config(cls, config):
        hps = cls()
        for hp_config in config["space"]:
            hp = deserialize(hp_config)
            hps._hps[hp.name].append(hp)
            hps._space.append(hp)
        hps.values = copy.deepcopy(dict(config["values"]))
        return hps

    def __repr__(self):
        return f"HyperParameters(values={self.values})"
