"""`Parent`: the condition under which a hyperparameter is active."""


class Parent:
    """Active when the hyperparameter `name` currently takes one of `values`.

    Args:
        name: The name of the parent hyperparameter.
        values: A value or a list of values of the parent that activate the
            child.

    Example:

    ```python
    condition = Parent("model_type", ["cnn"])
    condition.is_active({"model_type": "cnn"})  # True
    ```
    """

    def __init__(self, name, values):
        self.name = name
        values = list(values) if isinstance(values, (list, tuple, set)) else [values]
        if not values:
            raise ValueError(
                f"`values` of the condition on `{name}` must not be empty. "
                f"Received: values={values}"
            )
        self.values = values

    def is_active(self, values):
        return self.name in values and values[self.name] in self.values

    def __eq__(self, other):
        return (
            isinstance(other, Parent)
            and self.name == other.name
            and self.values == other.values
        )

    def __hash__(self):
        return hash((self.name, tuple(map(str, self.values))))

    def __repr__(self):
        return f"Parent(name={self.name!r}, values={self.values!r})"

    def get_config(self):
        return {"name": self.name, "values": list(self.values)}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def serialize(condition):
    return {"class_name": type(condition).__name__, "config": condition.get_config()}


def deserialize(config):
    if isinstance(config, Parent):
        return config
    if config.get("class_name") != "Parent":
        raise ValueError(
            f"Unknown condition class. Received: {config.get('class_name')!r}; "
            "expected 'Parent'."
        )
    return Parent.from_config(config["config"])
