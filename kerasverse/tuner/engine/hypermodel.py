"""`HyperModel`: builds (and optionally fits) a Keras model from hyperparameters."""


class HyperModel:
    """A model-building class: override `build(hp)`, optionally `fit`.

    Args:
        name: Optional name of the hypermodel.
        tunable: Whether the hyperparameters it declares are tuned (True) or
            kept at their defaults (False).

    Example:

    ```python
    class MyHyperModel(HyperModel):
        def build(self, hp):
            model = keras.Sequential([keras.layers.Dense(hp.Int("units", 8, 64))])
            model.compile("adam", "mse")
            return model

        def fit(self, hp, model, *args, **kwargs):
            return model.fit(*args, batch_size=hp.Choice("batch", [16, 32]), **kwargs)
    ```
    """

    def __init__(self, name=None, tunable=True):
        self.name = name
        self.tunable = tunable
        self._build = self.build
        self.build = self._build_wrapper

    def build(self, hp):
        """Builds a model from `hp` (a `HyperParameters`). Override this."""
        raise NotImplementedError

    def _build_wrapper(self, hp, *args, **kwargs):
        if not self.tunable:
            # Declarations return defaults and do not enter the tuned space.
            hp = hp.copy()
        return self._build(hp, *args, **kwargs)

    def declare_hyperparameters(self, hp):
        """Declares hyperparameters that `build` does not (used by `fit`)."""

    def fit(self, hp, model, *args, **kwargs):
        """Trains `model`. Returns a History, a dict of metrics, a float, or a
        list of these (averaged)."""
        return model.fit(*args, **kwargs)


class DefaultHyperModel(HyperModel):
    """Wraps a model-building function `build(hp)` as a `HyperModel`."""

    def __init__(self, build, name=None, tunable=True):
        super().__init__(name=name, tunable=tunable)
        self.build = build


def get_hypermodel(hypermodel):
    """Returns a `HyperModel` from a HyperModel, a callable or None."""
    if hypermodel is None or isinstance(hypermodel, HyperModel):
        return hypermodel
    if not callable(hypermodel):
        raise TypeError(
            "The `hypermodel` argument should be either a callable with signature "
            "`build(hp)` returning a model, or an instance of `HyperModel`. "
            f"Received: {hypermodel!r} of type {type(hypermodel).__name__}"
        )
    return DefaultHyperModel(hypermodel)
