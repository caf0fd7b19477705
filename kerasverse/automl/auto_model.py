"""`AutoModel`: AutoKeras' AutoModel — a `kerasverse.tuner` search over a graph of blocks."""

import copy
import json
import numbers
import os
import uuid

import numpy as np

from kerasverse.automl import blocks as blocks_module
from kerasverse.automl import nodes as nodes_module
from kerasverse.automl.graph import Graph
from kerasverse.automl.head import Head
from kerasverse.automl.tuners import get_tuner_class
from kerasverse.automl.tuners.best_trial_pruner import BestTrialPruner

STATE_FILE = "automl_state.json"
# The final model's weights; its architecture is the best trial's (rebuilt from the
# study). Weights only: Keras' `.keras` writer imports TensorFlow when installed
# (8 s here, and a heap that slows every later gc.collect).
BEST_WEIGHTS_FILE = "best_model.weights.h5"
STATISTICS_FILE = "automl_statistics.npz"


def _flatten(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _num_rows(value):
    if hasattr(value, "shape") and len(getattr(value, "shape", ())) > 0:
        return value.shape[0]
    return len(value)


def take_rows(value, index):
    """Rows `index` of an array, a list, a DataFrame or a Series."""
    if hasattr(value, "iloc"):
        return value.iloc[index]
    if isinstance(value, (list, tuple)):
        return [value[i] for i in index]
    return np.asarray(value)[index]


def _concat(a, b):
    return np.concatenate([a, b], axis=0)


def write_atomically(path, write):
    """Calls `write(temporary_path)`, then renames it onto `path`.

    Independent processes searching one project (issue #24) finish together
    and each saves the state and the final weights: h5py locks the file, so a
    second concurrent `save_weights` to one path fails with `BlockingIOError:
    unable to lock file`, and a process reading meanwhile could see half a file.
    A rename is atomic: readers get the old or the new file, the last one wins.
    The temporary name keeps `path`'s suffix (Keras wants `.weights.h5`).
    """
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".tmp-{os.getpid()}-{uuid.uuid4().hex}-{name}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _write_json(value, path):
    with open(path, "w") as file:
        json.dump(value, file)


class AutoModel:
    """A search over a graph of blocks for the best Keras model.

    The search is a `kerasverse.tuner` study (SQLite in
    `directory/project_name` by default; any `storage=`, `pruner=` and
    `search(workers=)` option of the tuner applies). Before any trial, the
    data is checked and each input's host-side preprocessing (tokenizer,
    table encoder) is learned on the training split only. With `epochs=None`
    each trial stops early (patience 10) and the best configuration is then
    refitted on training + validation data for its best epoch count; that
    refitted model is what `predict`, `evaluate` and `export_model` use.

    Args:
        inputs: An input node or a list of them.
        outputs: Head output node(s), or Head(s) (a default block per input
            type is inserted, merged, and fed to each head).
        project_name: The study name and sub-directory (default "auto_model").
        max_trials: The most models tried (default 100).
        directory: The parent directory of the project (default: ".").
        objective: The metric to optimize (default "val_loss").
        tuner: "greedy", "random", "hyperband", "bayesian" or an
            `ak.AutoTuner` subclass.
        overwrite: Start over (True) or resume the study (False).
        seed: Random seed (search and data split).
        max_model_size: Models with more parameters fail their trial.
        **kwargs: Passed to the tuner (e.g. `storage=`, `pruner=`). The
            default `pruner` is `ak.BestTrialPruner()` (a trial far behind
            the best one at the same epoch stops); `pruner=None` runs every
            trial to its last epoch.

    Example:

    ```python
    input_node = ak.ImageInput()
    output_node = ak.ImageBlock(block_type="vanilla")(input_node)
    output_node = ak.ClassificationHead()(output_node)
    auto_model = ak.AutoModel(input_node, output_node, max_trials=2, overwrite=True)
    auto_model.fit(x_train, y_train, epochs=2)
    ```
    """

    def __init__(self, inputs, outputs, project_name="auto_model", max_trials=100, directory=None,
                 objective="val_loss", tuner="greedy", overwrite=False, seed=None, max_model_size=None,
                 **kwargs):
        self.inputs = _flatten(inputs)
        for node in self.inputs:
            if not isinstance(node, nodes_module.Input):
                raise TypeError(
                    f"AutoModel inputs must be ak.Input nodes (ak.ImageInput(), ...). Received: {node!r}."
                )
        outputs = _flatten(outputs)
        if all(isinstance(o, Head) and not o.outputs for o in outputs):
            outputs = self._assemble(outputs)
        self.outputs = outputs
        self.graph = Graph(inputs=self.inputs, outputs=self.outputs)
        self.heads = self.graph.heads
        self.project_name = project_name
        self.max_trials = max_trials
        self.directory = directory
        self.objective = objective
        self.overwrite = overwrite
        self.seed = seed
        self.max_model_size = max_model_size
        tuner_class = get_tuner_class(tuner)
        # A trial clearly behind the best one at the same epoch stops early
        # (`pruner=None` runs every trial to its last epoch).
        kwargs.setdefault("pruner", BestTrialPruner())
        self.tuner = tuner_class(
            hypermodel=self.graph, objective=objective, max_trials=max_trials, directory=directory,
            project_name=project_name, seed=seed, overwrite=overwrite, max_model_size=max_model_size,
            **kwargs,
        )
        self._model = None
        # Host-side preprocessing (vocabularies, column encoders) is learned by the first `fit` of
        # a search; a later `fit` or a resumed search keeps it: the trials were built on it.
        self._preprocessing_learned = self._load_state()

    def _assemble(self, heads):
        """AutoKeras' default graph: one block per input type, merged, into each head."""
        block_of = [
            (nodes_module.TimeseriesInput, blocks_module.TimeseriesBlock),
            (nodes_module.StructuredDataInput, blocks_module.StructuredDataBlock),
            (nodes_module.TextInput, blocks_module.TextBlock),
            (nodes_module.ImageInput, blocks_module.ImageBlock),
            (nodes_module.Input, blocks_module.DenseBlock),
        ]
        middle = []
        for node in self.inputs:
            block_class = next(b for n, b in block_of if isinstance(node, n))
            middle.append(block_class()(node))
        merged = middle[0] if len(middle) == 1 else blocks_module.Merge()(middle)
        return [head(merged) for head in heads]

    # ------------------------------------------------------------------
    @property
    def project_dir(self):
        return self.tuner.project_dir

    def _state_path(self):
        return os.path.join(self.project_dir, STATE_FILE)

    def _save_state(self):
        state = {
            "inputs": [node.get_state() for node in self.inputs],
            "heads": [head.get_state() for head in self.heads],
        }
        write_atomically(self._state_path(), lambda path: _write_json(state, path))
        # The training-split samples the Normalization blocks standardize with.
        write_atomically(os.path.join(self.project_dir, STATISTICS_FILE),
                         lambda path: np.savez(path, **self.graph.statistics))

    def _load_state(self):
        path = self._state_path()
        if self.overwrite or not os.path.exists(path):
            return False
        with open(path) as file:
            state = json.load(file)
        for node, node_state in zip(self.inputs, state["inputs"]):
            node.set_state(node_state)
            if isinstance(node, nodes_module.TextInput):
                self.graph.vocabulary_size = node.vocabulary_size
        statistics = os.path.join(self.project_dir, STATISTICS_FILE)
        if os.path.exists(statistics):
            with np.load(statistics) as arrays:
                self.graph.statistics = {name: arrays[name] for name in arrays.files}
        for head, head_state in zip(self.heads, state["heads"]):
            head.set_state(head_state)
        return True

    def _custom_objects(self):
        from kerasverse.automl import CUSTOM_OBJECTS

        objects = dict(CUSTOM_OBJECTS)
        for head in self.heads:
            for value in _flatten(head.loss) + _flatten(head.metrics or []):
                if callable(value) and hasattr(value, "__name__"):
                    objects[value.__name__] = value
        return objects

    @property
    def model(self):
        """The final model (refitted on train + validation), loaded from the
        project when the search finished in an earlier session."""
        if self._model is None:
            path = os.path.join(self.project_dir, BEST_WEIGHTS_FILE)
            if not os.path.exists(path):
                raise RuntimeError("The AutoModel has no model yet: call `fit` first.")
            from kerasverse.tuner.engine.tuner import load_weights

            model, _ = self.tuner.build_best_model()
            load_weights(model, path)
            self._model = model
        return self._model

    # ------------------------------------------------------------------
    def _x_list(self, x, name="x"):
        if len(self.inputs) == 1:
            return [x]
        if not isinstance(x, (list, tuple)) or len(x) != len(self.inputs):
            raise ValueError(
                f"The AutoModel has {len(self.inputs)} inputs: pass a list of {len(self.inputs)} "
                f"arrays. Received: {name} of type {type(x).__name__}."
            )
        return list(x)

    def _y_list(self, y, name="y"):
        if len(self.heads) == 1:
            return [y]
        if not isinstance(y, (list, tuple)) or len(y) != len(self.heads):
            raise ValueError(
                f"The AutoModel has {len(self.heads)} outputs: pass a list of {len(self.heads)} "
                f"target arrays. Received: {name} of type {type(y).__name__}."
            )
        return list(y)

    def _check_rows(self, xs, ys, name="x"):
        rows = [node.check(value, f"{name}[{i}]" if len(xs) > 1 else name)
                for i, (node, value) in enumerate(zip(self.inputs, xs))]
        if ys is not None:
            target_rows = [_num_rows(value) for value in ys]
            rows_y = [r - self._target_offset() for r in target_rows]
            if len(set(rows + rows_y)) > 1:
                raise ValueError(
                    "`x` and `y` must have one target per sample. Received: x with "
                    f"{' and '.join(str(r + self._target_offset()) for r in rows)} rows and y with "
                    f"{' and '.join(str(r) for r in target_rows)} rows."
                )
        if len(set(rows)) > 1:
            raise ValueError(f"All inputs must have the same number of rows. Received: {rows}.")
        return rows[0]

    def _target_offset(self):
        """Targets dropped at the start: a series' first `lookback - 1` steps have no window."""
        offsets = [node.lookback - 1 for node in self.inputs if isinstance(node, nodes_module.TimeseriesInput)]
        return max(offsets) if offsets else 0

    def _targets(self, ys):
        offset = self._target_offset()
        return [np.asarray(y)[offset:] if offset else np.asarray(y) for y in ys]

    def _transform(self, xs):
        return [node.transform(value) for node, value in zip(self.inputs, xs)]

    def _encode_targets(self, ys):
        return [head.encode_targets(y) for head, y in zip(self.heads, ys)]

    @staticmethod
    def _one(values):
        return values[0] if len(values) == 1 else values

    def _is_series(self):
        return any(isinstance(node, nodes_module.TimeseriesInput) for node in self.inputs)

    def _check_fit_arguments(self, epochs, validation_split, validation_data, time_limit):
        if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1):
            raise ValueError(f"`epochs` must be a positive int or None (early stopping). Received: epochs={epochs!r}.")
        if not isinstance(validation_split, numbers.Real) or not 0 <= validation_split < 1:
            raise ValueError(
                f"`validation_split` must be a float in [0, 1). Received: validation_split={validation_split!r}."
            )
        if time_limit is not None and (
            isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real) or time_limit <= 0
        ):
            raise ValueError(
                "`time_limit` must be a positive number of seconds (or None for no limit). "
                f"Received: time_limit={time_limit!r}."
            )
        objective = getattr(self.tuner.oracle.objective, "name", str(self.objective))
        if validation_data is None and not validation_split and str(objective).startswith("val_"):
            raise ValueError(
                f"The objective {objective!r} needs validation data. Pass `validation_split` > 0 or "
                "`validation_data`, or an objective on training metrics (e.g. objective='loss'). "
                f"Received: validation_split={validation_split!r}, validation_data=None."
            )

    def fit(self, x=None, y=None, batch_size=32, epochs=None, callbacks=None, validation_split=0.2,
            validation_data=None, verbose=1, time_limit=None, **kwargs):
        """Searches for the best model, then trains the final one.

        Args:
            x: Training inputs (one per input node: arrays, lists of strings,
                DataFrames).
            y: Training targets (one per head).
            batch_size: Samples per batch (default 32).
            epochs: Epochs per trial; None: up to 1000 with early stopping
                (patience 10), then a final refit for the best epoch count.
            callbacks: Keras callbacks for every trial and the final fit.
            validation_split: The fraction of the rows held out for
                validation (ignored when `validation_data` is given).
            validation_data: `(x_val, y_val)`.
            verbose: 0 silent, 1 progress.
            time_limit: Seconds; no trial starts after it and the running
                trial stops at its next epoch end, the best so far kept.
            **kwargs: Passed to `model.fit`.

        Returns:
            The History of the final fit (None when the best checkpoint is used).
        """
        self._check_fit_arguments(epochs, validation_split, validation_data, time_limit)
        xs, ys = self._x_list(x), self._y_list(y)
        num_rows = self._check_rows(xs, ys)
        ys = self._targets(ys)
        for head, y_value in zip(self.heads, ys):
            head.fit_targets(y_value)
        if validation_data is not None:
            if not isinstance(validation_data, (list, tuple)) or len(validation_data) != 2:
                raise ValueError(
                    "`validation_data` must be a tuple (x_val, y_val). "
                    f"Received: validation_data of type {type(validation_data).__name__}."
                )
            x_val, y_val = self._x_list(validation_data[0], "x_val"), self._y_list(validation_data[1], "y_val")
            self._check_rows(x_val, y_val, "x_val")
            y_val = self._targets(y_val)
            x_train, y_train, split = xs, ys, False
        else:
            x_train, y_train, x_val, y_val, split = self._split(xs, ys, num_rows, validation_split)
        # Host-side preprocessing learns from the training split only (never
        # from validation rows: AutoKeras 3.0 refits its text vectorizer on both),
        # once per search (a vocabulary learned again would not fit the trials'
        # checkpoints: AutoKeras' guides call `fit` again with other splits).
        if not self._preprocessing_learned:
            for node, value in zip(self.inputs, x_train):
                node.fit(value)
            self._preprocessing_learned = True
        train_arrays = self._transform(x_train)
        train_targets = self._encode_targets(y_train)
        val = None
        if x_val is not None:
            val = (self._one(self._transform(x_val)), self._one(self._encode_targets(y_val)))
        self.graph.set_data_facts(train_arrays)
        self._save_state()
        user_callbacks = list(callbacks or [])
        self.tuner.search(
            x=self._one(train_arrays), y=self._one(train_targets), validation_data=val, epochs=epochs,
            callbacks=user_callbacks, batch_size=batch_size, verbose=verbose, time_limit=time_limit, **kwargs,
        )
        history = None
        if epochs is None or split:
            history = self._final_fit(train_arrays, train_targets, val, split, epochs, batch_size,
                                      user_callbacks, verbose, kwargs)
        else:
            self._model = self.tuner.get_best_models(1)[0]
        write_atomically(os.path.join(self.project_dir, BEST_WEIGHTS_FILE), self._model.save_weights)
        return history

    def _split(self, xs, ys, num_rows, validation_split):
        if not validation_split:
            return xs, ys, None, None, False
        num_val = max(1, int(round(num_rows * validation_split)))
        if num_val >= num_rows:
            raise ValueError(
                f"validation_split={validation_split} leaves no training rows out of {num_rows}. "
                "Use a smaller validation_split."
            )
        if self._is_series():
            # Series stay in time order; windows straddling the cut see only the past.
            offset = self._target_offset()
            cut = num_rows - num_val
            x_train = [take_rows(x, np.arange(cut + offset)) for x in xs]
            x_val = [take_rows(x, np.arange(cut, num_rows + offset)) for x in xs]
            return x_train, [y[:cut] for y in ys], x_val, [y[cut:] for y in ys], True
        order = np.random.default_rng(self.seed).permutation(num_rows)
        train_index, val_index = np.sort(order[num_val:]), np.sort(order[:num_val])
        return ([take_rows(x, train_index) for x in xs], [y[train_index] for y in ys],
                [take_rows(x, val_index) for x in xs], [y[val_index] for y in ys], True)

    def _final_fit(self, train_arrays, train_targets, val, split, epochs, batch_size, callbacks, verbose, kwargs):
        import keras

        model, best_trial = self.tuner.build_best_model()
        if epochs is None:
            epochs = int(best_trial.best_step or 0) + 1
        x_fit, y_fit = train_arrays, train_targets
        validation = val
        if split and val is not None:
            x_val, y_val = val
            x_fit = [_concat(a, b) for a, b in zip(train_arrays, _flatten(x_val) if len(self.inputs) > 1 else [x_val])]
            y_fit = [_concat(a, b) for a, b in zip(train_targets, _flatten(y_val) if len(self.heads) > 1 else [y_val])]
            validation = None
        # Each user callback is copied once (AutoKeras 3.0 copies the whole
        # list per element and crashes); early stopping has no place here.
        final_callbacks = [copy.deepcopy(c) for c in callbacks if not isinstance(c, keras.callbacks.EarlyStopping)]
        history = model.fit(
            self._one(x_fit), self._one(y_fit), epochs=epochs, batch_size=batch_size,
            validation_data=validation, callbacks=final_callbacks, verbose=verbose, **kwargs,
        )
        self._model = model
        return history

    # ------------------------------------------------------------------
    def predict(self, x, batch_size=32, verbose=1, **kwargs):
        """Predictions of the final model, in the form of the training targets
        (class labels as given; one array per head)."""
        xs = self._x_list(x)
        self._check_rows(xs, None)
        outputs = self.model.predict(self._one(self._transform(xs)), batch_size=batch_size, verbose=verbose, **kwargs)
        outputs = outputs if len(self.heads) > 1 else [outputs]
        return self._one([head.decode(np.asarray(out)) for head, out in zip(self.heads, outputs)])

    def evaluate(self, x, y=None, batch_size=32, verbose=1, **kwargs):
        """The final model's loss and metrics on `(x, y)` (Keras' `evaluate`)."""
        xs, ys = self._x_list(x), self._y_list(y)
        self._check_rows(xs, ys)
        ys = self._targets(ys)
        return self.model.evaluate(
            self._one(self._transform(xs)), self._one(self._encode_targets(ys)), batch_size=batch_size,
            verbose=verbose, **kwargs,
        )

    def export_model(self):
        """The final model as a Keras model: the plain functional model when
        every input is numeric, else a `PreprocessedModel` (the functional
        model plus the host-side encoders, taking raw strings/rows)."""
        model = self.model
        if not any(node.needs_host_preprocessing for node in self.inputs):
            return model
        import keras

        from kerasverse.automl.preprocessed_model import PreprocessedModel

        exported = PreprocessedModel(model, [node.encoder_config() if node.needs_host_preprocessing else None
                                             for node in self.inputs])
        # Its optimizer is built, as Keras builds it when it loads a built model (an unbuilt
        # one is saved with 2 variables, and loading warns that they do not match).
        optimizer = keras.optimizers.Adam()
        optimizer.build(exported.trainable_variables)
        exported.compile(optimizer=optimizer, loss=model.loss, metrics=_flatten(self.heads[0].metrics or self.heads[0].default_metrics)
                         if len(self.heads) == 1 else None)
        return exported

    def leaderboard(self):
        """The trials as a pandas DataFrame, best first: trial id, status,
        score, architecture summary, parameters, train time (seconds)."""
        from kerasverse.automl.leaderboard import leaderboard

        return leaderboard(self.tuner)
