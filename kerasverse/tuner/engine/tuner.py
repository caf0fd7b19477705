"""`Tuner`: the search loop for Keras models."""

import copy
import ctypes
import gc
import json
import os
import sys
import warnings

from kerasverse.tuner import errors
from kerasverse.tuner.engine import base_tuner
from kerasverse.tuner.engine import tuner_utils

_released_state = None  # Keras' global state right after the last release.
_models_dropped = False  # A model was built and dropped without collecting.


def keras_state_used():
    """Whether Keras made anything since the last `release_memory`: an
    automatically named layer, model, optimizer, metric or variable (Keras
    counts them in its global state), or a `clear_session()` by someone else.

    Reads Keras' private global state; where that moved, assumes True.
    """
    if _models_dropped:
        return True
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # pragma: no cover - a Keras without it
        return True
    if _released_state is not None and global_state.GLOBAL_STATE_TRACKER is not _released_state:
        return True  # Someone cleared the session: Keras was in use.
    uids = global_state.get_global_attribute("object_name_uids")
    return bool(uids) and any(uids.values())


def release_memory(only_if_used=False):
    """Frees what a finished trial leaves behind: the Keras state, the
    compiled functions (JAX keeps them in a process-wide cache, one set per
    model) and the heap pages glibc would otherwise keep. One garbage
    collection, of the objects made since the search froze the heap.

    Args:
        only_if_used: Do nothing (and return False) when Keras made nothing
            since the last release (`keras_state_used()`), e.g. a trial that
            built no model.

    Returns:
        Whether memory was released.
    """
    global _released_state, _models_dropped
    if only_if_used and ("keras" not in sys.modules or not keras_state_used()):
        return False  # Keras not even imported: it made nothing.
    import keras

    keras.backend.clear_session(free_memory=False)
    gc.collect()
    if keras.backend.backend() == "jax":
        import jax

        jax.clear_caches()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # Not glibc (macOS, Windows, musl).
        pass
    _models_dropped = False
    try:
        from keras.src.backend.common import global_state

        _released_state = global_state.GLOBAL_STATE_TRACKER
    except ImportError:  # pragma: no cover - a Keras without it
        pass
    return True


def load_weights(model, path):
    """Loads a checkpoint's model weights (the optimizer state it holds is
    not needed: a loaded model is used fresh)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        model.load_weights(path)


def _warn_unsupported_tensorboard_options(callback):
    options = {
        "histogram_freq": getattr(callback, "histogram_freq", 0),
        "write_images": getattr(callback, "write_images", False),
        "embeddings_freq": getattr(callback, "embeddings_freq", 0),
    }
    used = {name: value for name, value in options.items() if value}
    if used:
        warnings.warn(
            "kerasverse.tuner writes TensorBoard scalars and HParams without TensorFlow; "
            f"these options of keras.callbacks.TensorBoard need TensorFlow and are not "
            f"written: {used}.",
            stacklevel=4,
        )


def _fresh_copy(obj):
    """A new object with the same config (strings, functions and None are
    returned as they are)."""
    if obj is None or isinstance(obj, str) or not hasattr(obj, "get_config"):
        return obj
    return type(obj).from_config(obj.get_config())


class Tuner(base_tuner.BaseTuner):
    """Tunes Keras models: builds one per trial, fits it, records the best epoch.

    Subclass it to customize a trial by overriding `run_trial(trial, *args,
    **kwargs)` (return a History, dict, float, or a list of them). Hooks:
    `on_epoch_begin/end(trial, model, epoch, logs)`,
    `on_batch_begin/end(trial, model, batch, logs)`, and `BaseTuner`'s.
    Each epoch the objective's value is reported to the oracle as an
    intermediate value (so a `pruner=` can stop the trial); the best epoch's
    weights are saved for `get_best_models`. The Keras state is cleared
    before each model is built.

    Args:
        oracle: The `Oracle` that picks the trials.
        hypermodel: A `HyperModel`, or a function `build(hp)` returning a
            compiled Keras model.
        max_model_size: Models with more parameters fail their trial.
        optimizer, loss, metrics: Optional overrides passed to `compile`.
        executions_per_trial: Fits per trial; the metrics are averaged.
        distribution_strategy, logger: Accepted for compatibility; unused.
        max_retries_per_trial, max_consecutive_failed_trials: Given to the
            oracle (keras_tuner accepts them on the tuner too).
        **kwargs: `directory`, `project_name`, `overwrite`, `tuner_id`,
            `storage`, `pruner`, `verbose` (see `BaseTuner`).

    Example:

    ```python
    class MyTuner(Tuner):
        def run_trial(self, trial, x, y, **kwargs):
            hp = trial.hyperparameters
            model = self.hypermodel.build(hp)
            return model.fit(x, y, batch_size=hp.Choice("batch", [16, 32]), **kwargs)
    ```
    """

    def __init__(
        self,
        oracle,
        hypermodel=None,
        max_model_size=None,
        optimizer=None,
        loss=None,
        metrics=None,
        distribution_strategy=None,
        directory=None,
        project_name=None,
        logger=None,
        tuner_id=None,
        overwrite=False,
        executions_per_trial=1,
        **kwargs,
    ):
        if hypermodel is None and type(self).run_trial is Tuner.run_trial:
            raise ValueError(
                "Received `hypermodel=None`. We only allow not specifying `hypermodel` if "
                "the user defines the search space in `Tuner.run_trial()` by subclassing "
                "a `Tuner` class without using a `HyperModel` instance."
            )
        for name in ("max_retries_per_trial", "max_consecutive_failed_trials"):
            if name in kwargs:
                setattr(oracle, name, kwargs.pop(name))
        super().__init__(
            oracle=oracle,
            hypermodel=hypermodel,
            directory=directory,
            project_name=project_name,
            logger=logger,
            tuner_id=tuner_id,
            overwrite=overwrite,
            **kwargs,
        )
        self.max_model_size = max_model_size
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.distribution_strategy = distribution_strategy
        self.executions_per_trial = executions_per_trial
        # Discover the search space now, as keras_tuner does, so that
        # `search_space_summary()` shows it before `search()` (best effort:
        # a build that fails here fails its trials, with their report).
        self._populate_initial_space()

    # ------------------------------------------------------------------
    def _build_hypermodel(self, hp):
        import keras

        model = self.hypermodel.build(hp)
        if not isinstance(model, keras.Model):
            raise errors.FatalTypeError(
                "Expected the model-building function, or HyperModel.build() to return "
                f"a valid Keras Model instance. Received: {model!r} of type "
                f"{type(model).__name__}."
            )
        return model

    def _try_build(self, hp):
        release_memory(only_if_used=True)  # A previous execution's model.
        model = self._build_hypermodel(hp)
        self._override_compile_args(model)
        if self.max_model_size is not None:
            if not model.built:
                raise errors.FailedTrialError(
                    "`max_model_size` needs a built model: give the model an Input."
                )
            size = model.count_params()
            if size > self.max_model_size:
                raise errors.FailedTrialError(
                    f"Oversized model: {size} parameters (max_model_size="
                    f"{self.max_model_size}). Skip model."
                )
        return model

    def _override_compile_args(self, model):
        """Compiles `model` again with the tuner's `optimizer`, `loss` and
        `metrics` where given, keeping the hypermodel's choice for the rest.
        Each model gets its own copy of an optimizer or metric object: an
        optimizer builds its variables for the first model it trains (so a
        shared one fails on the next model shape), as in keras_tuner."""
        if not (self.optimizer or self.loss or self.metrics):
            return
        compiled = getattr(model, "_compile_config", None)
        compiled = compiled.config if compiled is not None else {}
        optimizer = _fresh_copy(self.optimizer) or getattr(model, "optimizer", None) or "adam"
        metrics = [_fresh_copy(m) for m in self.metrics] if self.metrics else compiled.get("metrics")
        compile_kwargs = {
            "optimizer": optimizer,
            "loss": self.loss or getattr(model, "loss", None),
            "metrics": metrics,
            "weighted_metrics": compiled.get("weighted_metrics"),
        }
        model.compile(**{k: v for k, v in compile_kwargs.items() if v is not None})

    def _activate_all_conditions_build(self, hp):
        global _models_dropped
        import keras

        # Only the space is wanted: what `build` returns is checked by the
        # trials (a non-model fails `search`, not the tuner's creation, as
        # in keras_tuner).
        self.hypermodel.build(hp)
        _models_dropped = True
        keras.backend.clear_session(free_memory=False)  # Collected by `release_memory`.

    def on_trial_end(self, trial):
        """Ends the trial (see `BaseTuner.on_trial_end`), then frees the
        memory its models held, so that memory does not grow across trials."""
        super().on_trial_end(trial)
        self._release_memory()

    def _release_memory(self):
        release_memory(only_if_used=True)

    def _checkpoint_path(self, trial_id):
        return os.path.join(self.get_trial_dir(trial_id), "checkpoint.weights.h5")

    def _build_config_path(self, trial_id):
        return os.path.join(self.get_trial_dir(trial_id), "build_config.json")

    def _save_build_config(self, trial_id, model):
        """Saves the input shapes a lazily built model (a `Sequential`
        without `Input`) was built with in `fit`, so `load_model` can build
        it before loading weights (keras_tuner's `build_config.json`)."""
        config = model.get_build_config() if model.built else None
        if config is not None:
            shape = config.get("input_shape")
            if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], int):
                # The first batch's size is not part of the model: the loaded
                # model takes any batch size (and `model.build((None, ...))`
                # with the same shape, as in the keras.io guide, succeeds).
                config = {**config, "input_shape": [None, *shape[1:]]}
            with open(self._build_config_path(trial_id), "w") as f:
                json.dump(config, f)

    def _build_and_fit_model(self, trial, *args, **kwargs):
        hp = trial.hyperparameters
        model = self._try_build(hp)
        results = self.hypermodel.fit(hp, model, *args, **kwargs)
        self._save_build_config(trial.trial_id, model)
        tuner_utils.validate_trial_results(results, self.oracle.objective, "HyperModel.fit()")
        return results

    def run_trial(self, trial, *args, **kwargs):
        """Builds and fits `executions_per_trial` models; returns their Histories."""
        original_callbacks = kwargs.pop("callbacks", [])
        histories = []
        for execution in range(self.executions_per_trial):
            copied_kwargs = copy.copy(kwargs)
            callbacks = [copy.deepcopy(c) for c in original_callbacks]
            self._configure_tensorboard_dir(callbacks, trial, execution)
            callbacks += self._trial_callbacks(trial, execution)
            copied_kwargs["callbacks"] = callbacks
            histories.append(self._build_and_fit_model(trial, *args, **copied_kwargs))
        return histories

    def _trial_callbacks(self, trial, execution):
        """The callbacks the tuner adds to each `fit` of a trial: hooks,
        intermediate values with pruning, and the best-epoch checkpoint."""
        return tuner_utils.make_callbacks(self, trial, execution, self._checkpoint_path(trial.trial_id))

    def _configure_tensorboard_dir(self, callbacks, trial, execution=0):
        """Gives each trial's TensorBoard callback its own folder,
        `log_dir/<trial_id>/execution<n>`, with the trial's hyperparameters
        for the HParams tab, as keras_tuner does. On JAX and PyTorch a
        `keras.callbacks.TensorBoard` (which needs TensorFlow) is replaced by
        `kerasverse.tuner.callbacks.TensorBoard`, which writes the same
        scalars and the HParams session itself."""
        import keras

        from kerasverse.tuner.callbacks import TensorBoard

        # Read when training begins: the entries `build` declares are in.
        hparams = trial.hyperparameters
        for index, callback in enumerate(callbacks):
            if type(callback).__name__ != "TensorBoard":
                continue
            log_dir = os.path.join(str(callback.log_dir), str(trial.trial_id), f"execution{execution}")
            if isinstance(callback, TensorBoard):
                callback.log_dir = log_dir
                callback.hparams = hparams
                callback.group_name = str(trial.trial_id)
            elif keras.backend.backend() == "tensorflow":
                callback.log_dir = log_dir
            else:
                _warn_unsupported_tensorboard_options(callback)
                callbacks[index] = TensorBoard(
                    log_dir, update_freq=getattr(callback, "update_freq", "epoch"),
                    hparams=hparams, group_name=str(trial.trial_id),
                )

    # Hooks with the keras_tuner signatures.
    def on_epoch_begin(self, trial, model, epoch, logs=None):
        pass

    def on_epoch_end(self, trial, model, epoch, logs=None):
        pass

    def on_batch_begin(self, trial, model, batch, logs):
        pass

    def on_batch_end(self, trial, model, batch, logs):
        pass

    # ------------------------------------------------------------------
    def load_model(self, trial):
        """Builds the model of `trial` (compiled as in the search) and loads
        its best checkpoint."""
        model = self._build_hypermodel(trial.hyperparameters)
        self._override_compile_args(model)
        path = self._checkpoint_path(trial.trial_id)
        config_path = self._build_config_path(trial.trial_id)
        if not model.built and os.path.exists(config_path):
            with open(config_path) as f:
                model.build_from_config(json.load(f))
        if os.path.exists(path):
            load_weights(model, path)
        return model

    def save_model(self, trial_id, model, step=0):
        model.save_weights(self._checkpoint_path(trial_id))

    def get_best_models(self, num_models=1):
        """The best models, built and loaded with their best epoch's weights.

        Example:

        ```python
        best_model = tuner.get_best_models(num_models=1)[0]
        ```
        """
        return super().get_best_models(num_models)
